-- One row per cohort_month x period_number: purchase retention of the users whose first valid
-- order is in cohort_month, for every month from the cohort month to the as-of month (a dense
-- grid: 0 where nobody ordered). The counts are the cohort rows of
-- int_purchase_cohort_retention (period_type 'month'):
--   cohort_size                 = members of the cohort (all ordered in period 0)
--   active_users                = members with a valid order in the period
--   retention_rate              = active_users / cohort_size
--   on_or_after_users           = members whose last month with an order is this period or later
--   on_or_after_retention_rate  = on_or_after_users / cohort_size
--   revenue_amount              = order_amount of the members' orders in the period
--   cumulative_revenue_per_user = revenue of periods 0 .. period_number / cohort_size
with

cohort_periods as (
    select
        cohort_start,
        period_number,
        period_start,
        is_complete_period,
        cohort_size,
        active_users,
        on_or_after_users,
        revenue_amount,
        cumulative_revenue_amount
    from {{ ref('int_purchase_cohort_retention') }}
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
        cast(active_users * 1.0 / cohort_size as double) as retention_rate,
        on_or_after_users,
        cast(on_or_after_users * 1.0 / cohort_size as double) as on_or_after_retention_rate,
        cast(revenue_amount as decimal(18, 2)) as revenue_amount,
        cast(cumulative_revenue_amount as decimal(18, 2)) as cumulative_revenue_amount,
        cast(cumulative_revenue_amount / cohort_size as decimal(18, 2)) as cumulative_revenue_per_user
    from cohort_periods
)

select * from final
