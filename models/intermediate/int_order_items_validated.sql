-- Every raw order line with its final quarantine reason. Staging's reason comes first; a line
-- staging keeps whose order is not a kept order (missing or quarantined) is quarantined as
-- unknown_order. is_valid_order tells whether the line's order is a valid order.
with

items as (
    select * from {{ ref('stg_raw__order_items') }}
),

orders as (
    select
        order_id,
        is_valid_order
    from {{ ref('int_orders_validated') }}
    where quarantine_reason is null
),

checked as (
    select
        items.order_id,
        items.line_number,
        items.product_id,
        items.product_name,
        items.category,
        items.quantity,
        items.unit_price,
        items.has_rounded_amount,
        -- Only for kept lines: staging caps their amount, so the DECIMAL cannot overflow.
        case
            when items.quarantine_reason is null
                then cast(items.quantity * items.unit_price as decimal(18, 2))
        end as line_amount,
        coalesce(
            items.quarantine_reason,
            case when orders.order_id is null then 'unknown_order' end
        ) as quarantine_reason,
        coalesce(orders.is_valid_order, false) as is_valid_order,
        items.row_detail
    from items
    left join orders
        on items.order_id = orders.order_id
)

select * from checked
