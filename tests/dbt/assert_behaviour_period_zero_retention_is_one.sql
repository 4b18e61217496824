-- Asserts that purchase retention is 1 in period 0: every member of a first-order cohort ordered
-- in the cohort period, so active_users = on_or_after_users = cohort_size and retention_rate = 1
-- on every period-0 row of cohort_retention_monthly, cohort_retention_weekly and
-- cohort_retention_breakdowns. Returns one row per broken period-0 row.
with

monthly as (
    select
        'cohort_retention_monthly' as model_name,
        cohort_month as cohort_start,
        cohort_size,
        active_users,
        on_or_after_users,
        retention_rate
    from {{ ref('cohort_retention_monthly') }}
    where period_number = 0
),

weekly as (
    select
        'cohort_retention_weekly' as model_name,
        cohort_week as cohort_start,
        cohort_size,
        active_users,
        on_or_after_users,
        retention_rate
    from {{ ref('cohort_retention_weekly') }}
    where period_number = 0
),

breakdowns as (
    select
        'cohort_retention_breakdowns' as model_name,
        cohort_month as cohort_start,
        cohort_size,
        active_users,
        on_or_after_users,
        retention_rate
    from {{ ref('cohort_retention_breakdowns') }}
    where period_number = 0
),

period_zero as (
    select * from monthly
    union all
    select * from weekly
    union all
    select * from breakdowns
),

broken as (
    select *
    from period_zero
    where
        active_users != cohort_size
        or on_or_after_users != cohort_size
        or abs(retention_rate - 1) > 1e-12
)

select * from broken
