-- One row per breakdown x breakdown_value x cohort_week x period_number: weekly activity
-- retention of the users registered in cohort_week (weeks start on Monday, reporting time zone),
-- overall and by acquisition channel, for every week from the cohort week to the as-of week (a
-- dense grid: 0 where nobody was active). A user is active in a week with a logged-in activity
-- day in it. The week rows of int_registration_cohort_retention (from int_cohort_retention_rates,
-- where the counts and rates are defined, as in activity_retention_monthly).
with

cohort_periods as (
    select * from {{ ref('int_registration_cohort_retention') }}
    where period_type = 'week'
),

final as (
    select
        breakdown,
        breakdown_value,
        cohort_start as cohort_week,
        cast(period_number as integer) as period_number,
        period_start as period_week,
        is_complete_period,
        cohort_size,
        active_users,
        retention_rate,
        on_or_after_users,
        on_or_after_retention_rate
    from cohort_periods
)

select * from final
