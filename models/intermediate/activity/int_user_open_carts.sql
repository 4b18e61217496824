-- One row per user with an open cart (doc block abandoned_cart): the user's last logged-in
-- add_to_cart event (int_events_identified, so on or before the as-of date) has no valid order
-- (int_orders_sequenced) at or after it. user_tags (rule kind abandoned_cart) tags the open carts
-- old enough to count as abandoned.
with

carts as (
    select
        user_id,
        occurred_at,
        event_date
    from {{ ref('int_events_identified') }}
    where user_id is not null and event_name = 'add_to_cart'
),

orders as (
    select
        user_id,
        ordered_at
    from {{ ref('int_orders_sequenced') }}
),

last_carts as (
    select
        user_id,
        max(occurred_at) as last_cart_at,
        max(event_date) as last_cart_date
    from carts
    group by user_id
),

last_orders as (
    select
        user_id,
        max(ordered_at) as last_order_at
    from orders
    group by user_id
),

final as (
    select
        last_carts.user_id,
        last_carts.last_cart_at,
        last_carts.last_cart_date,
        last_orders.last_order_at
    from last_carts
    left join last_orders
        on last_carts.user_id = last_orders.user_id
    where last_orders.last_order_at is null or last_orders.last_order_at < last_carts.last_cart_at
)

select * from final
