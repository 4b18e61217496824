-- One row per campaign x targeted user: the user's first kept send of the campaign and the valid
-- orders of its conversion window (definition: doc block campaign_conversion_window,
-- models/_docs.md), the discounts of those orders under the campaign's coupon codes and the
-- user's layer before the send, measured in int_campaign_users_measured and published here.
with

measured as (
    select * from {{ ref('int_campaign_users_measured') }}
),

final as (
    select
        campaign_id,
        user_id,
        send_id,
        test_group,
        channel,
        target_layer,
        layer,
        layer_date,
        sent_at,
        {{ reporting_date('sent_at') }} as sent_date,
        window_end_at,
        as_of_date,
        is_window_complete,
        has_converted,
        order_count,
        revenue_amount,
        coupon_discount_amount
    from measured
)

select * from final
