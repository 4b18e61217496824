-- One row per cohort_week x period_number: purchase retention of the users whose first valid
-- order is in cohort_week (weeks start on Monday), for every week from the cohort week to the
-- as-of week (a dense grid: 0 where nobody ordered). The rows of int_purchase_cohort_retention (whole
-- first-purchase cohorts) by week; the counts and rates are defined in int_cohort_retention_rates.
with

cohort_periods as (
    select * from {{ ref('int_purchase_cohort_retention') }}
    where period_type = 'week'
),

final as (
    select
        cohort_start as cohort_week,
        cast(period_number as integer) as period_number,
        period_start as period_week,
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
