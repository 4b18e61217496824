-- One row per line of a valid order (an order in fct_orders).
with

items as (
    select * from {{ ref('int_order_items_validated') }}
    where quarantine_reason is null
),

orders as (
    select
        order_id,
        user_id,
        ordered_at,
        order_date
    from {{ ref('fct_orders') }}
),

final as (
    select
        items.order_id,
        items.line_number,
        orders.user_id,
        orders.ordered_at,
        orders.order_date,
        items.product_id,
        items.product_name,
        items.category,
        items.quantity,
        items.unit_price,
        cast(items.line_amount as decimal(18, 2)) as line_amount
    from items
    inner join orders
        on items.order_id = orders.order_id
)

select * from final
