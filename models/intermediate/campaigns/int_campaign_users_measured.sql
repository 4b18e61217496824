-- One row per campaign x targeted user: the user's first kept send of the campaign and the valid
-- orders of its conversion window (definition: doc block campaign_conversion_window, models/_docs.md),
-- the discounts of those orders that carry one of the campaign's coupon codes (seeds/campaigns.csv
-- coupon_codes; doc block campaign_roi), and the user's layer before the send (doc block
-- campaign_user_layer: user_layer_history, column var('campaign_layer_dimension'), latest snapshot
-- dated before the send's reporting date; 'unknown' without one).
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
        order_amount,
        discount_amount,
        coupon_code
    from {{ ref('int_orders_sequenced') }}
),

campaigns as (
    select
        campaign_id,
        coupon_codes
    from {{ ref('campaigns') }}
),

layer_history as (
    select
        as_of_date,
        user_id,
        {{ var('campaign_layer_dimension') }} as layer
    from {{ ref('user_layer_history') }}
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
        {{ reporting_date('sent_at') }} as sent_date,
        {{ dbt.dateadd('day', var('campaign_conversion_window_days'), 'sent_at') }} as window_end_at,
        coalesce(target_layer, 'unknown') as target_layer
    from ranked_sends
    where send_rank = 1
),

-- The snapshots before the send date: the layers the audience was drawn from. A snapshot of the
-- send date itself already counts that day's orders, which the message may have caused.
earlier_layers as (
    select
        first_sends.campaign_id,
        first_sends.user_id,
        layer_history.as_of_date as layer_date,
        layer_history.layer,
        row_number() over (
            partition by first_sends.campaign_id, first_sends.user_id
            order by layer_history.as_of_date desc
        ) as snapshot_rank
    from first_sends
    inner join layer_history
        on
            first_sends.user_id = layer_history.user_id
            and first_sends.sent_date > layer_history.as_of_date
),

window_orders as (
    select
        first_sends.campaign_id,
        first_sends.user_id,
        count(*) as order_count,
        sum(orders.order_amount) as revenue_amount,
        sum(
            case
                when
                    {{ dbt.position(
                        dbt.concat(["';'", 'orders.coupon_code', "';'"]),
                        dbt.concat(["';'", 'campaigns.coupon_codes', "';'"])
                    ) }} > 0
                    then orders.discount_amount
                else 0
            end
        ) as coupon_discount_amount
    from first_sends
    inner join orders
        on
            first_sends.user_id = orders.user_id
            and first_sends.sent_at <= orders.ordered_at
            and first_sends.window_end_at > orders.ordered_at
    left join campaigns
        on first_sends.campaign_id = campaigns.campaign_id
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
        coalesce(earlier_layers.layer, 'unknown') as layer,
        earlier_layers.layer_date,
        first_sends.sent_at,
        first_sends.window_end_at,
        as_of.as_of_date,
        first_sends.window_end_at <= {{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as is_window_complete,
        coalesce(window_orders.order_count, 0) > 0 as has_converted,
        cast(coalesce(window_orders.order_count, 0) as {{ dbt.type_bigint() }}) as order_count,
        cast(coalesce(window_orders.revenue_amount, 0) as decimal(18, 2)) as revenue_amount,
        cast(coalesce(window_orders.coupon_discount_amount, 0) as decimal(18, 2)) as coupon_discount_amount
    from first_sends
    cross join as_of
    left join earlier_layers
        on
            first_sends.campaign_id = earlier_layers.campaign_id
            and first_sends.user_id = earlier_layers.user_id
            and earlier_layers.snapshot_rank = 1
    left join window_orders
        on
            first_sends.campaign_id = window_orders.campaign_id
            and first_sends.user_id = window_orders.user_id
)

select * from final
