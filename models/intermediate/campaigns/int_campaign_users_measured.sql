-- One row per campaign x targeted user: the user's first kept send of the campaign and the valid
-- orders of its conversion window (definition: doc block campaign_conversion_window, models/_docs.md).
-- campaign_user_outcomes publishes this model; int_campaign_groups_summarised sums it.
with

sends as (
    select
        send_id,
        campaign_id,
        user_id,
        channel,
        test_group,
        sent_at,
        target_layer
    from {{ ref('int_campaign_sends_validated') }}
    where quarantine_reason is null
),

orders as (
    select
        order_id,
        user_id,
        ordered_at,
        order_amount
    from {{ ref('int_orders_sequenced') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

ranked_sends as (
    select
        *,
        row_number() over (
            partition by campaign_id, user_id
            order by sent_at asc, send_id asc
        ) as send_rank
    from sends
),

first_sends as (
    select
        send_id,
        campaign_id,
        user_id,
        channel,
        test_group,
        sent_at,
        {{ dbt.dateadd('day', var('campaign_conversion_window_days'), 'sent_at') }} as window_end_at,
        coalesce(target_layer, 'unknown') as target_layer
    from ranked_sends
    where send_rank = 1
),

window_orders as (
    select
        first_sends.campaign_id,
        first_sends.user_id,
        count(*) as order_count,
        sum(orders.order_amount) as revenue_amount
    from first_sends
    inner join orders
        on
            first_sends.user_id = orders.user_id
            and first_sends.sent_at <= orders.ordered_at
            and first_sends.window_end_at > orders.ordered_at
    group by first_sends.campaign_id, first_sends.user_id
),

final as (
    select
        first_sends.campaign_id,
        first_sends.user_id,
        first_sends.send_id,
        first_sends.test_group,
        first_sends.channel,
        first_sends.target_layer,
        first_sends.sent_at,
        first_sends.window_end_at,
        as_of.as_of_date,
        first_sends.window_end_at <= {{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as is_window_complete,
        coalesce(window_orders.order_count, 0) > 0 as has_converted,
        cast(coalesce(window_orders.order_count, 0) as {{ dbt.type_bigint() }}) as order_count,
        cast(coalesce(window_orders.revenue_amount, 0) as decimal(18, 2)) as revenue_amount
    from first_sends
    cross join as_of
    left join window_orders
        on
            first_sends.campaign_id = window_orders.campaign_id
            and first_sends.user_id = window_orders.user_id
)

select * from final
