-- Asserts that every buyer is in exactly one first-order cohort: the sum of cohort_size over the
-- cohorts (period-0 rows) of cohort_retention_monthly and of cohort_retention_weekly, and per
-- breakdown of cohort_retention_breakdowns, equals the number of buyers in user_facts
-- (is_buyer). Returns one row per model (and breakdown) whose total differs.
with

buyers as (
    select count(*) as buyers
    from {{ ref('user_facts') }}
    where is_buyer
),

cohort_totals as (
    select
        'cohort_retention_monthly' as model_name,
        'all' as breakdown,
        sum(cohort_size) as cohort_users
    from {{ ref('cohort_retention_monthly') }}
    where period_number = 0
    union all
    select
        'cohort_retention_weekly' as model_name,
        'all' as breakdown,
        sum(cohort_size) as cohort_users
    from {{ ref('cohort_retention_weekly') }}
    where period_number = 0
    union all
    select
        'cohort_retention_breakdowns' as model_name,
        breakdown,
        sum(cohort_size) as cohort_users
    from {{ ref('cohort_retention_breakdowns') }}
    where period_number = 0
    group by breakdown
),

unreconciled as (
    select
        cohort_totals.model_name,
        cohort_totals.breakdown,
        cohort_totals.cohort_users,
        buyers.buyers
    from cohort_totals
    cross join buyers
    where coalesce(cohort_totals.cohort_users, 0) != buyers.buyers
)

select * from unreconciled
