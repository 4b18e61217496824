-- One row per breakdown x breakdown_value x cohort_month x period_number: cohort_retention_monthly
-- split by a property of the user. breakdown 'acquisition_channel' ('unknown' when not given) or
-- 'first_order_platform' (platform of the first valid order, 'unknown' when null); every user of
-- a cohort is in exactly one value of each breakdown. The counts are the cells of
-- int_cohort_retention_periods (cohort_type 'first_purchase', period_type 'month'), summed per
-- breakdown value; same dense grid, columns and formulas as cohort_retention_monthly:
--   retention_rate              = active_users / cohort_size
--   on_or_after_retention_rate  = on_or_after_users / cohort_size
--   cumulative_revenue_per_user = revenue of periods 0 .. period_number / cohort_size
with

cells as (
    select
        acquisition_channel,
        first_order_platform,
        cohort_start,
        period_number,
        period_start,
        is_complete_period,
        cohort_size,
        active_users,
        on_or_after_users,
        revenue_amount,
        cumulative_revenue_amount
    from {{ ref('int_cohort_retention_periods') }}
    where cohort_type = 'first_purchase' and period_type = 'month'
),

breakdowns as (
    select 'acquisition_channel' as breakdown
    union all
    select 'first_order_platform' as breakdown
),

-- Every cell once per breakdown, under the value of that breakdown.
breakdown_cells as (
    select
        breakdowns.breakdown,
        case breakdowns.breakdown
            when 'acquisition_channel' then cells.acquisition_channel
            else cells.first_order_platform
        end as breakdown_value,
        cells.cohort_start,
        cells.period_number,
        cells.period_start,
        cells.is_complete_period,
        cells.cohort_size,
        cells.active_users,
        cells.on_or_after_users,
        cells.revenue_amount,
        cells.cumulative_revenue_amount
    from cells
    cross join breakdowns
),

breakdown_periods as (
    select
        breakdown,
        breakdown_value,
        cohort_start,
        period_number,
        period_start,
        is_complete_period,
        cast(sum(cohort_size) as {{ dbt.type_bigint() }}) as cohort_size,
        cast(sum(active_users) as {{ dbt.type_bigint() }}) as active_users,
        cast(sum(on_or_after_users) as {{ dbt.type_bigint() }}) as on_or_after_users,
        sum(revenue_amount) as revenue_amount,
        sum(cumulative_revenue_amount) as cumulative_revenue_amount
    from breakdown_cells
    group by breakdown, breakdown_value, cohort_start, period_number, period_start, is_complete_period
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
        cast(active_users * 1.0 / cohort_size as double) as retention_rate,
        on_or_after_users,
        cast(on_or_after_users * 1.0 / cohort_size as double) as on_or_after_retention_rate,
        cast(revenue_amount as decimal(18, 2)) as revenue_amount,
        cast(cumulative_revenue_amount as decimal(18, 2)) as cumulative_revenue_amount,
        cast(cumulative_revenue_amount / cohort_size as decimal(18, 2)) as cumulative_revenue_per_user
    from breakdown_periods
)

select * from final
