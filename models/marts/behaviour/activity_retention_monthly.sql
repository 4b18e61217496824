-- One row per cohort_month x period_number: activity retention of the users registered in
-- cohort_month (registered_date, reporting time zone, on or before the as-of date), for every
-- month from the cohort month to the as-of month (a dense grid: 0 where nobody was active). A
-- user is active in a month with a logged-in activity day in it; months before the registration
-- month are ignored. The counts are the cells of int_cohort_retention_periods (cohort_type
-- 'registration', period_type 'month'), summed over the member attributes:
--   cohort_size                = users registered in the cohort month
--   active_users               = members active in the period
--   retention_rate             = active_users / cohort_size
--   on_or_after_users          = members whose last active month is this period or later
--   on_or_after_retention_rate = on_or_after_users / cohort_size
with

cells as (
    select
        cohort_start,
        period_number,
        period_start,
        is_complete_period,
        cohort_size,
        active_users,
        on_or_after_users
    from {{ ref('int_cohort_retention_periods') }}
    where cohort_type = 'registration' and period_type = 'month'
),

cohort_periods as (
    select
        cohort_start,
        period_number,
        period_start,
        is_complete_period,
        cast(sum(cohort_size) as {{ dbt.type_bigint() }}) as cohort_size,
        cast(sum(active_users) as {{ dbt.type_bigint() }}) as active_users,
        cast(sum(on_or_after_users) as {{ dbt.type_bigint() }}) as on_or_after_users
    from cells
    group by cohort_start, period_number, period_start, is_complete_period
),

final as (
    select
        cohort_start as cohort_month,
        cast(period_number as integer) as period_number,
        period_start as period_month,
        is_complete_period,
        cohort_size,
        active_users,
        cast(active_users * 1.0 / cohort_size as double) as retention_rate,
        on_or_after_users,
        cast(on_or_after_users * 1.0 / cohort_size as double) as on_or_after_retention_rate
    from cohort_periods
)

select * from final
