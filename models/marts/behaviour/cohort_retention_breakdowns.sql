-- One row per breakdown x breakdown_value x cohort_month x period_number: cohort_retention_monthly
-- split by a property of the user. breakdown 'acquisition_channel' ('unknown' when not given) or
-- 'first_order_platform' (platform of the first valid order, 'unknown' when null); every user of
-- a cohort is in exactly one value of each breakdown. The rows of int_cohort_retention_rates for
-- first-purchase cohorts by month and breakdown value: same dense grid, counts and rates (defined
-- there) as cohort_retention_monthly.
with

cohort_periods as (
    select * from {{ ref('int_cohort_retention_rates') }}
    where cohort_type = 'first_purchase' and period_type = 'month' and breakdown <> 'overall'
),

final as (
    select
        breakdown,
        breakdown_value,
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
