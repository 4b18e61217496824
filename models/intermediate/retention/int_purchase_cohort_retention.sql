-- One row per period_type x cohort_start x period_number: the purchase retention counts of a
-- whole first-purchase cohort (weeks and months), the cells of int_cohort_retention_periods
-- summed over the member attributes (acquisition_channel, first_order_platform). Every count is
-- additive, so the sum of the cells is the cohort's count. cohort_retention_monthly and
-- cohort_retention_weekly read these rows and divide; cohort_retention_breakdowns sums the cells
-- per attribute value instead, and activity_retention_monthly (registration cohorts) sums its own.
with

cells as (
    select
        period_type,
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
    where cohort_type = 'first_purchase'
),

final as (
    select
        period_type,
        cohort_start,
        period_number,
        period_start,
        is_complete_period,
        cast(sum(cohort_size) as {{ dbt.type_bigint() }}) as cohort_size,
        cast(sum(active_users) as {{ dbt.type_bigint() }}) as active_users,
        cast(sum(on_or_after_users) as {{ dbt.type_bigint() }}) as on_or_after_users,
        cast(sum(revenue_amount) as decimal(18, 2)) as revenue_amount,
        cast(sum(cumulative_revenue_amount) as decimal(18, 2)) as cumulative_revenue_amount
    from cells
    group by period_type, cohort_start, period_number, period_start, is_complete_period
)

select * from final
