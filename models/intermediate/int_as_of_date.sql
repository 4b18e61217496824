-- One row: the day the marts describe and the load time used to reject future timestamps.
-- as_of_date = var('as_of_date') when set, else the reporting-time-zone date of the latest
-- valid order, else (no valid order at all) the load date.
with

valid_orders as (
    select order_date
    from {{ ref('int_orders_validated') }}
    where quarantine_reason is null and is_valid_order
),

latest as (
    select max(order_date) as latest_order_date
    from valid_orders
),

final as (
    select
        latest_order_date,
        coalesce(
            cast(nullif('{{ var("as_of_date", "") }}', '') as date),
            latest_order_date,
            {{ reporting_date(load_time()) }}
        ) as as_of_date,
        {{ load_time() }} as loaded_at
    from latest
)

select * from final
