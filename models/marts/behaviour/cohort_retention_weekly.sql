-- One row per cohort_week × period_number: purchase retention of the users whose first valid
-- order (fct_orders.is_first_order) is in cohort_week (weeks start on Monday), for every week
-- from the cohort week to the as-of week (a dense grid: 0 where nobody ordered). Weeks are taken
-- on order_date, the reporting-time-zone date. The grid and counts come from retention_ctes.
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
        {{ period_start('week', 'as_of_date') }} as as_of_start
    from as_of
),

cohort_members as (
    select
        user_id,
        {{ period_start('week', 'order_date') }} as cohort_start
    from orders
    where is_first_order
),

member_activity as (
    select
        user_id,
        {{ period_start('week', 'order_date') }} as activity_start,
        sum(order_amount) as revenue_amount
    from orders
    group by user_id, {{ period_start('week', 'order_date') }}
),

{{ retention_ctes('week') }},

final as (
    select
        {{ retention_columns('week') }}
    from retention
)

select * from final
