-- One row per cohort_month x period_number: activity retention of the users registered in
-- cohort_month (registered_date, reporting time zone, on or before the as-of date), for every
-- month from the cohort month to the as-of month (a dense grid: 0 where nobody was active). A
-- user is active in a month with a logged-in activity day in it; months before the registration
-- month are ignored. The month rows of int_registration_cohort_retention (from int_cohort_retention_rates,
-- where the counts and rates are defined), overall: cohort_size (users registered in the month),
-- active_users (members active in the period), on_or_after_users (members whose last active
-- month is this period or later) and their rates (/ cohort_size).
with

cohort_periods as (
    select * from {{ ref('int_registration_cohort_retention') }}
    where period_type = 'month' and breakdown = 'overall'
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
        on_or_after_retention_rate
    from cohort_periods
)

select * from final
