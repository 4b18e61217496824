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

{{ purchase_cohort_ctes('week') }},

{{ retention_ctes('week') }},

final as (
    select
        {{ retention_columns('week') }}
    from retention
)

select * from final
