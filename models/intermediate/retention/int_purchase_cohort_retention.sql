-- One row per period_type x cohort_start x period_number: the retention of whole first-purchase
-- cohorts (weeks and months), the rows of int_cohort_retention_rates with breakdown 'overall'
-- (counts and rates are defined there). cohort_retention_monthly and cohort_retention_weekly
-- publish them by period type.
with

cohort_periods as (
    select * from {{ ref('int_cohort_retention_rates') }}
    where cohort_type = 'first_purchase' and breakdown = 'overall'
),

final as (
    select
        period_type,
        cohort_start,
        period_number,
        period_start,
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
