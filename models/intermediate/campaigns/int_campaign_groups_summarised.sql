-- One row per campaign x segment x test_group: the sufficient statistics (users, mean and sample
-- variance per user) that int_campaign_groups_compared turns into lifts, intervals and p-values.
-- segment = 'overall' (every targeted user) or a layer (the users in that layer before the send:
-- int_campaign_users_measured.layer, doc block campaign_user_layer).
-- Exact and the same on every rebuild: money stays DECIMAL and counts integer; each mean and
-- variance is computed once from the exact sums n, s = sum(x) and q = sum(x * x):
-- mean = s / n, sample variance (ddof 1) = (n * q - s * s) / (n * (n - 1)), null when n < 2.
{%- set metrics = ['converted', 'orders', 'revenue'] %}
with

outcomes as (
    select * from {{ ref('int_campaign_users_measured') }}
),

costs as (
    select * from {{ ref('message_costs') }}
),

per_user as (
    select
        campaign_id,
        test_group,
        channel,
        layer,
        is_window_complete,
        coupon_discount_amount,
        case when has_converted then 1 else 0 end as converted_value,
        order_count as orders_value,
        revenue_amount as revenue_value
    from outcomes
),

-- Every user counts in two segments: 'overall' and the user's layer.
segment_kinds as (
    select 'overall' as segment_kind
    union all
    select 'layer' as segment_kind
),

segmented as (
    select
        per_user.campaign_id,
        case
            when segment_kinds.segment_kind = 'overall' then 'overall' else per_user.layer
        end as segment,
        per_user.test_group,
        per_user.channel,
        per_user.is_window_complete,
        per_user.coupon_discount_amount,
        per_user.converted_value,
        per_user.orders_value,
        per_user.revenue_value
    from per_user
    cross join segment_kinds
),

summarised as (
    select
        segmented.campaign_id,
        segmented.segment,
        segmented.test_group,
        count(*) as user_count,
        {%- for metric in metrics %}
            sum(segmented.{{ metric }}_value) as {{ metric }}_sum,
            sum(segmented.{{ metric }}_value * segmented.{{ metric }}_value) as {{ metric }}_sum_squares,
        {%- endfor %}
        sum(coalesce(costs.cost_per_message_amount, 0)) as message_cost_amount,
        sum(case when costs.cost_per_message_amount is null then 1 else 0 end) as uncosted_messages,
        sum(segmented.coupon_discount_amount) as coupon_discount_amount,
        min(case when segmented.is_window_complete then 1 else 0 end) = 1 as is_window_complete
    from segmented
    left join costs
        on segmented.channel = costs.channel
    group by segmented.campaign_id, segmented.segment, segmented.test_group
),

final as (
    select
        summarised.campaign_id,
        summarised.segment,
        summarised.test_group,
        cast(summarised.user_count as {{ dbt.type_bigint() }}) as user_count,
        cast(summarised.converted_sum as {{ dbt.type_bigint() }}) as converted_user_count,
        -- Means and variances rounded to 9 decimals, as the published statistics always were.
        {%- for metric in metrics %}
            cast(round(
                cast(summarised.{{ metric }}_sum as double) / summarised.user_count, 9
            ) as double) as {{ metric }}_mean,
            cast(round(
                cast(
                    summarised.user_count * summarised.{{ metric }}_sum_squares
                    - summarised.{{ metric }}_sum * summarised.{{ metric }}_sum as double
                ) / nullif(summarised.user_count * (summarised.user_count - 1), 0), 9
            ) as double) as {{ metric }}_variance,
        {%- endfor %}
        cast(summarised.orders_sum as {{ dbt.type_bigint() }}) as order_count,
        cast(summarised.revenue_sum as decimal(18, 2)) as revenue_amount,
        cast(summarised.message_cost_amount as decimal(18, 4)) as message_cost_amount,
        cast(summarised.uncosted_messages as {{ dbt.type_bigint() }}) as uncosted_messages,
        cast(summarised.coupon_discount_amount as decimal(18, 2)) as coupon_discount_amount,
        summarised.is_window_complete
    from summarised
)

select * from final
