-- One row per campaign x segment x test_group: the sufficient statistics (users, mean and sample
-- variance per user) that int_campaign_groups_compared turns into lifts, intervals and p-values.
-- segment = 'overall' (every targeted user) or a target_layer (the users drawn from that layer).
-- intended_control_share: seeds/campaigns.csv control_share, else the control_share of the
-- seed's audience_name in seeds/audiences.csv, else null (no sample-ratio check).
{{ config(schema='intermediate', access='protected') }}

with

outcomes as (
    select * from {{ ref('campaign_user_outcomes') }}
),

campaigns as (
    select * from {{ ref('campaigns') }}
),

audiences as (
    select * from {{ ref('audiences') }}
),

costs as (
    select * from {{ ref('message_costs') }}
),

segmented as (
    select
        campaign_id,
        'overall' as segment,
        test_group,
        channel,
        is_window_complete,
        case when has_converted then 1.0 else 0.0 end as converted_value,
        cast(order_count as double) as order_value,
        cast(revenue_amount as double) as revenue_value
    from outcomes
    union all
    select
        campaign_id,
        target_layer as segment,
        test_group,
        channel,
        is_window_complete,
        case when has_converted then 1.0 else 0.0 end as converted_value,
        cast(order_count as double) as order_value,
        cast(revenue_amount as double) as revenue_value
    from outcomes
),

intended_shares as (
    select
        campaigns.campaign_id,
        coalesce(campaigns.control_share, audiences.control_share) as intended_control_share
    from campaigns
    left join audiences
        on campaigns.audience_name = audiences.audience_name
),

summarised as (
    select
        segmented.campaign_id,
        segmented.segment,
        segmented.test_group,
        count(*) as user_count,
        sum(segmented.converted_value) as converted_user_count,
        avg(segmented.converted_value) as converted_mean,
        var_samp(segmented.converted_value) as converted_variance,
        avg(segmented.order_value) as orders_mean,
        var_samp(segmented.order_value) as orders_variance,
        avg(segmented.revenue_value) as revenue_mean,
        var_samp(segmented.revenue_value) as revenue_variance,
        sum(segmented.order_value) as order_count,
        sum(segmented.revenue_value) as revenue_amount,
        sum(coalesce(costs.cost_per_message_amount, 0)) as message_cost_amount,
        sum(case when costs.cost_per_message_amount is null then 1 else 0 end) as uncosted_messages,
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
        cast(summarised.converted_user_count as {{ dbt.type_bigint() }}) as converted_user_count,
        -- Rounded to 9 decimals: parallel sums of doubles differ in the last bits between runs,
        -- and the statistics downstream must be the same on every rebuild.
        cast(round(summarised.converted_mean, 9) as double) as converted_mean,
        cast(round(summarised.converted_variance, 9) as double) as converted_variance,
        cast(round(summarised.orders_mean, 9) as double) as orders_mean,
        cast(round(summarised.orders_variance, 9) as double) as orders_variance,
        cast(round(summarised.revenue_mean, 9) as double) as revenue_mean,
        cast(round(summarised.revenue_variance, 9) as double) as revenue_variance,
        cast(summarised.order_count as {{ dbt.type_bigint() }}) as order_count,
        cast(summarised.revenue_amount as double) as revenue_amount,
        cast(summarised.message_cost_amount as double) as message_cost_amount,
        cast(summarised.uncosted_messages as {{ dbt.type_bigint() }}) as uncosted_messages,
        summarised.is_window_complete,
        cast(intended_shares.intended_control_share as double) as intended_control_share
    from summarised
    left join intended_shares
        on summarised.campaign_id = intended_shares.campaign_id
)

select * from final
