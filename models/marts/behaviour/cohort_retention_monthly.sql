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

{{ purchase_cohort_ctes('month') }},

{{ retention_ctes('month') }},

final as (
    select
        {{ retention_columns('month') }}
    from retention
)

select * from final
