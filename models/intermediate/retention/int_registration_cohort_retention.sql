-- One row per period_type x breakdown x breakdown_value x cohort_start x period_number: the
-- activity retention of registration cohorts (weeks and months), overall and by acquisition
-- channel: the rows of int_cohort_retention_rates with cohort_type 'registration' (counts and
-- rates are defined there). activity_retention_monthly (months, overall) and
-- activity_retention_weekly (weeks, overall and by channel) publish them.
with

cohort_periods as (
    select * from {{ ref('int_cohort_retention_rates') }}
    where cohort_type = 'registration' and breakdown in ('overall', 'acquisition_channel')
),

final as (
    select
        period_type,
        breakdown,
        breakdown_value,
        cohort_start,
        period_number,
        period_start,
        is_complete_period,
        cohort_size,
        active_users,
        retention_rate,
        on_or_after_users,
        on_or_after_retention_rate
    from cohort_periods
)

select * from final
