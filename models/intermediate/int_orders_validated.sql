-- Every raw order row with its final quarantine reason and the valid-order flag.
-- Staging's reason comes first; a row staging keeps whose user_id is not a kept user is
-- quarantined as unknown_user. A valid order: kept here and status in
-- var('valid_order_statuses') (paid, completed); refunded and cancelled orders are kept, not valid.
with

orders as (
    select * from {{ ref('stg_raw__orders') }}
),

users as (
    select user_id from {{ ref('stg_raw__users') }}
    where quarantine_reason is null
),

checked as (
    select
        orders.order_id,
        orders.user_id,
        orders.ordered_at,
        {{ reporting_date('orders.ordered_at') }} as order_date,
        orders.status,
        orders.order_amount,
        orders.discount_amount,
        orders.has_rounded_amount,
        orders.coupon_code,
        orders.platform,
        orders.updated_at,
        coalesce(
            orders.quarantine_reason,
            case when users.user_id is null then 'unknown_user' end
        ) as quarantine_reason,
        orders.row_detail
    from orders
    left join users
        on orders.user_id = users.user_id
),

flagged as (
    select
        *,
        coalesce(
            quarantine_reason is null and status in {{ sql_list(var('valid_order_statuses')) }},
            false
        ) as is_valid_order
    from checked
)

select * from flagged
