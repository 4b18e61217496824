-- Asserts that the KPI marts add up (doc block kpi_definitions): for each additive KPI the
-- platforms (where the KPI has them) and the acquisition channels of a day sum to its overall
-- value, dau included (one platform per active user and day); each month of kpi_monthly sums the
-- days of kpi_daily; the overall dau equals daily_active_users.dau. Money is compared in cents.
-- Returns one row per (check, period, metric_name) that differs.
{%- set additive = [
    'placed_orders', 'gmv', 'orders', 'net_revenue', 'registrations', 'marketing_spend',
    'message_cost', 'coupon_cost',
] %}
with

daily as (
    select * from {{ ref('kpi_daily') }}
),

monthly as (
    select * from {{ ref('kpi_monthly') }}
),

active_users as (
    select
        activity_date,
        dau
    from {{ ref('daily_active_users') }}
),

breakdown_sums as (
    select
        kpi_date,
        metric_name,
        breakdown,
        sum(metric_value) as breakdown_total
    from daily
    where
        breakdown != 'overall'
        and metric_name in {{ sql_list(additive + ['dau']) }}
    group by kpi_date, metric_name, breakdown
),

breakdown_differences as (
    select
        breakdown_sums.breakdown as check_name,
        breakdown_sums.kpi_date as period_start,
        breakdown_sums.metric_name
    from breakdown_sums
    inner join daily as overall
        on
            breakdown_sums.kpi_date = overall.kpi_date
            and breakdown_sums.metric_name = overall.metric_name
            and overall.breakdown = 'overall'
    where round(breakdown_sums.breakdown_total * 100) != round(overall.metric_value * 100)
),

day_sums as (
    select
        cast({{ dbt.date_trunc('month', 'kpi_date') }} as date) as month_date,
        breakdown,
        breakdown_value,
        metric_name,
        sum(metric_value) as day_total
    from daily
    where metric_name in {{ sql_list(additive) }}
    group by cast({{ dbt.date_trunc('month', 'kpi_date') }} as date), breakdown, breakdown_value, metric_name
),

month_differences as (
    select
        'months_sum_days' as check_name,
        day_sums.month_date as period_start,
        day_sums.metric_name
    from day_sums
    full outer join monthly
        on
            day_sums.month_date = monthly.month_date
            and day_sums.breakdown = monthly.breakdown
            and day_sums.breakdown_value = monthly.breakdown_value
            and day_sums.metric_name = monthly.metric_name
    where
        (day_sums.metric_name is not null or monthly.metric_name in {{ sql_list(additive) }})
        and coalesce(round(day_sums.day_total * 100), -1) != coalesce(round(monthly.metric_value * 100), -1)
),

dau_differences as (
    select
        'dau_matches_daily_active_users' as check_name,
        daily.kpi_date as period_start,
        daily.metric_name
    from daily
    left join active_users
        on daily.kpi_date = active_users.activity_date
    where
        daily.metric_name = 'dau'
        and daily.breakdown = 'overall'
        and daily.metric_value != coalesce(active_users.dau, 0)
),

differences as (
    select * from breakdown_differences
    union all
    select * from month_differences
    union all
    select * from dau_differences
)

select * from differences
