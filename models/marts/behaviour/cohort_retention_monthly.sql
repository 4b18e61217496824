-- One row per cohort_month × period_number: purchase retention of the users whose first valid
-- order (fct_orders.is_first_order) is in cohort_month, for every month from the cohort month to
-- the as-of month (a dense grid: 0 where nobody ordered). Months are taken on order_date, the
-- reporting-time-zone date. The grid and counts come from the retention_ctes macro.
with

orders as (
    select
        user_id,
        order_date,
        order_amount,
        is_first_order
    from {{ ref('fct_orders') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

as_of_period as (
    select
        as_of_date,
        {{ period_start('month', 'as_of_date') }} as as_of_start
    from as_of
),

cohort_members as (
    select
        user_id,
        {{ period_start('month', 'order_date') }} as cohort_start
    from orders
    where is_first_order
),

member_activity as (
    select
        user_id,
        {{ period_start('month', 'order_date') }} as activity_start,
        sum(order_amount) as revenue_amount
    from orders
    group by user_id, {{ period_start('month', 'order_date') }}
),

{{ retention_ctes('month') }},

final as (
    select
        {{ retention_columns('month') }}
    from retention
)

select * from final
