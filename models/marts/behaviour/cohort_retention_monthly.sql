-- One row per cohort_month x period_number: purchase retention of the users whose first valid
-- order is in cohort_month, for every month from the cohort month to the as-of month (a dense
-- grid: 0 where nobody ordered). The rows of int_cohort_retention_rates for whole
-- first-purchase cohorts by month, where every count and rate is defined:
--   cohort_size, active_users (members with a valid order in the period), on_or_after_users
--   (members whose last month with an order is this period or later), their rates (/ cohort_size),
--   revenue_amount and cumulative_revenue_per_user (revenue of periods 0 .. period_number / size).
with

cohort_periods as (
    select * from {{ ref('int_purchase_cohort_retention') }}
    where period_type = 'month'
),

final as (
    select
        cohort_start as cohort_month,
        cast(period_number as integer) as period_number,
        period_start as period_month,
        is_complete_period,
        cohort_size,
        active_users,
        retention_rate,
        on_or_after_users,
        on_or_after_retention_rate,
        revenue_amount,
        cumulative_revenue_amount,
        cumulative_revenue_per_user
    from cohort_periods
)

select * from final
