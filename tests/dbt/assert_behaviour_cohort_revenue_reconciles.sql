-- Asserts that the cohort marts lose and double-count no revenue: sum(revenue_amount) over all
-- rows of cohort_retention_monthly, of cohort_retention_weekly and (per breakdown) of
-- cohort_retention_breakdowns equals sum(order_amount) over fct_orders, and so does the sum of
-- cumulative_revenue_amount over the last period of each cohort. Returns one row per model (and
-- breakdown) whose totals differ.
with

orders as (
    select coalesce(sum(order_amount), 0) as revenue_amount
    from {{ ref('fct_orders') }}
),

cohort_rows as (
    select
        'cohort_retention_monthly' as model_name,
        'all' as breakdown,
        'all' as breakdown_value,
        cohort_month as cohort_start,
        period_number,
        revenue_amount,
        cumulative_revenue_amount
    from {{ ref('cohort_retention_monthly') }}
    union all
    select
        'cohort_retention_weekly' as model_name,
        'all' as breakdown,
        'all' as breakdown_value,
        cohort_week as cohort_start,
        period_number,
        revenue_amount,
        cumulative_revenue_amount
    from {{ ref('cohort_retention_weekly') }}
    union all
    select
        'cohort_retention_breakdowns' as model_name,
        breakdown,
        breakdown_value,
        cohort_month as cohort_start,
        period_number,
        revenue_amount,
        cumulative_revenue_amount
    from {{ ref('cohort_retention_breakdowns') }}
),

last_periods as (
    select
        model_name,
        breakdown,
        breakdown_value,
        cohort_start,
        max(period_number) as last_period_number
    from cohort_rows
    group by model_name, breakdown, breakdown_value, cohort_start
),

model_totals as (
    select
        cohort_rows.model_name,
        cohort_rows.breakdown,
        sum(cohort_rows.revenue_amount) as revenue_amount,
        sum(
            case
                when cohort_rows.period_number = last_periods.last_period_number
                    then cohort_rows.cumulative_revenue_amount
                else 0
            end
        ) as cumulative_revenue_amount
    from cohort_rows
    inner join last_periods
        on
            cohort_rows.model_name = last_periods.model_name
            and cohort_rows.breakdown = last_periods.breakdown
            and cohort_rows.breakdown_value = last_periods.breakdown_value
            and cohort_rows.cohort_start = last_periods.cohort_start
    group by cohort_rows.model_name, cohort_rows.breakdown
),

expected_models as (
    select
        'cohort_retention_monthly' as model_name,
        'all' as breakdown
    union all
    select
        'cohort_retention_weekly' as model_name,
        'all' as breakdown
    union all
    select
        'cohort_retention_breakdowns' as model_name,
        'acquisition_channel' as breakdown
    union all
    select
        'cohort_retention_breakdowns' as model_name,
        'first_order_platform' as breakdown
),

unreconciled as (
    select
        expected_models.model_name,
        expected_models.breakdown,
        model_totals.revenue_amount,
        model_totals.cumulative_revenue_amount,
        orders.revenue_amount as orders_revenue_amount
    from expected_models
    cross join orders
    left join model_totals
        on
            expected_models.model_name = model_totals.model_name
            and expected_models.breakdown = model_totals.breakdown
    where
        coalesce(model_totals.revenue_amount, 0) != orders.revenue_amount
        or coalesce(model_totals.cumulative_revenue_amount, 0) != orders.revenue_amount
)

select * from unreconciled
