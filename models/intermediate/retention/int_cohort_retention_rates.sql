-- One row per cohort_type x period_type x breakdown x breakdown_value x cohort_start x
-- period_number: the retention of a cohort, or of the members of a cohort with one value of a
-- breakdown, with the formulas every retention mart publishes, written only here. The counts are
-- the cells of int_cohort_retention_periods summed over what the row does not break down by:
-- breakdown 'overall' (breakdown_value 'all') sums every cell of the cohort;
-- 'acquisition_channel' and 'first_order_platform' sum the cells with one value of that member
-- attribute. Every count is additive, so the sums are exact.
--   retention_rate              = active_users / cohort_size
--   on_or_after_retention_rate  = on_or_after_users / cohort_size
--   cumulative_revenue_per_user = cumulative_revenue_amount / cohort_size (periods 0 .. this)
-- The marts select their rows: cohort_retention_monthly / _weekly (first_purchase, overall),
-- cohort_retention_breakdowns (first_purchase, month, by breakdown), activity_retention_monthly
-- (registration, month, overall).
with

cells as (
    select
        cohort_type,
        period_type,
        cohort_start,
        acquisition_channel,
        first_order_platform,
        period_number,
        period_start,
        is_complete_period,
        cohort_size,
        active_users,
        on_or_after_users,
        revenue_amount,
        cumulative_revenue_amount
    from {{ ref('int_cohort_retention_periods') }}
),

breakdowns as (
    select 'overall' as breakdown
    union all
    select 'acquisition_channel' as breakdown
    union all
    select 'first_order_platform' as breakdown
),

-- Every cell once per breakdown, under the value of that breakdown.
breakdown_cells as (
    select
        cells.cohort_type,
        cells.period_type,
        breakdowns.breakdown,
        case breakdowns.breakdown
            when 'acquisition_channel' then cells.acquisition_channel
            when 'first_order_platform' then cells.first_order_platform
            else 'all'
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

summed as (
    select
        cohort_type,
        period_type,
        breakdown,
        breakdown_value,
        cohort_start,
        period_number,
        period_start,
        is_complete_period,
        cast(sum(cohort_size) as {{ dbt.type_bigint() }}) as cohort_size,
        cast(sum(active_users) as {{ dbt.type_bigint() }}) as active_users,
        cast(sum(on_or_after_users) as {{ dbt.type_bigint() }}) as on_or_after_users,
        cast(sum(revenue_amount) as decimal(18, 2)) as revenue_amount,
        cast(sum(cumulative_revenue_amount) as decimal(18, 2)) as cumulative_revenue_amount
    from breakdown_cells
    group by
        cohort_type,
        period_type,
        breakdown,
        breakdown_value,
        cohort_start,
        period_number,
        period_start,
        is_complete_period
),

final as (
    select
        cohort_type,
        period_type,
        breakdown,
        breakdown_value,
        cohort_start,
        period_number,
        period_start,
        is_complete_period,
        cohort_size,
        active_users,
        cast(active_users * 1.0 / cohort_size as double) as retention_rate,
        on_or_after_users,
        cast(on_or_after_users * 1.0 / cohort_size as double) as on_or_after_retention_rate,
        revenue_amount,
        cumulative_revenue_amount,
        {{ divide_money('cumulative_revenue_amount', 'cohort_size') }} as cumulative_revenue_per_user
    from summed
)

select * from final
