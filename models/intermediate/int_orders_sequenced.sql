-- One row per valid order placed on or before the as-of date (reporting time zone), with its
-- place in the user's order sequence: the orders every model after staging reads (fct_orders
-- publishes them).
with

orders as (
    select * from {{ ref('int_orders_validated') }}
    where quarantine_reason is null and is_valid_order
),

items as (
    select
        order_id,
        count(*) as line_count,
        sum(quantity) as item_count
    from {{ ref('int_order_items_validated') }}
    where quarantine_reason is null
    group by order_id
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

in_window as (
    select orders.*
    from orders
    cross join as_of
    where orders.order_date <= as_of.as_of_date
),

sequenced as (
    select
        in_window.order_id,
        in_window.user_id,
        in_window.ordered_at,
        in_window.order_date,
        in_window.status,
        in_window.order_amount,
        in_window.discount_amount,
        cast(in_window.order_amount + in_window.discount_amount as decimal(18, 2)) as gross_amount,
        in_window.coupon_code,
        in_window.coupon_code is not null or in_window.discount_amount > 0 as has_discount,
        in_window.platform,
        coalesce(items.line_count, 0) as line_count,
        cast(coalesce(items.item_count, 0) as {{ dbt.type_bigint() }}) as item_count,
        cast(row_number() over (
            partition by in_window.user_id
            order by in_window.ordered_at, in_window.order_id
        ) as {{ dbt.type_bigint() }}) as order_sequence,
        in_window.updated_at
    from in_window
    left join items
        on in_window.order_id = items.order_id
),

final as (
    select
        *,
        order_sequence = 1 as is_first_order
    from sequenced
)

select * from final
