-- One row per period grain (day, calendar month), period and breakdown value, from the first day
-- with a fact up to the as-of date: the sums and distinct counts every KPI of doc block
-- kpi_definitions is computed from (int_kpi_values). Breakdowns: overall ('all'), platform and
-- acquisition_channel (int_kpi_user_days, int_kpi_costs_daily say which platform and channel a
-- fact counts under). Sums are 0 on a period without facts. period_days: 1 for a day, the days of
-- the month up to the as-of date for a month.
-- The measures of int_kpi_user_days summed per user and period, and per user over platforms.
{%- set user_measures = [
    'placed_orders', 'gross_amount', 'valid_orders', 'net_revenue_amount',
    'coupon_cost_amount', 'first_orders', 'registrations', 'active_days',
] %}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

user_days as (
    select user_days.*
    from {{ ref('int_kpi_user_days') }} as user_days
    cross join as_of
    where user_days.kpi_date <= as_of.as_of_date
),

cost_days as (
    select cost_days.*
    from {{ ref('int_kpi_costs_daily') }} as cost_days
    cross join as_of
    where cost_days.cost_date <= as_of.as_of_date
),

grains as (
    select 'day' as period_grain
    union all
    select 'month' as period_grain
),

-- A user counts once in a period's buyers, new buyers and active users, so those counts are sums of
-- one flag per user and period: the facts are summed per user and period first (with their
-- platform, then over platforms), which is far less work than distinct counts over every fact
-- row once per breakdown. A day's rows are already one per user and platform.
user_platform_periods as (
    select
        'day' as period_grain,
        kpi_date as period_start,
        user_id,
        {%- for measure in user_measures %}
            {{ measure }},
        {%- endfor %}
        platform,
        acquisition_channel
    from user_days
    union all
    select
        'month' as period_grain,
        cast({{ dbt.date_trunc('month', 'kpi_date') }} as date) as period_start,
        user_id,
        {%- for measure in user_measures %}
            sum({{ measure }}) as {{ measure }},
        {%- endfor %}
        platform,
        acquisition_channel
    from user_days
    group by cast({{ dbt.date_trunc('month', 'kpi_date') }} as date), user_id, platform, acquisition_channel
),

user_periods as (
    select
        period_grain,
        period_start,
        user_id,
        {%- for measure in user_measures %}
            sum({{ measure }}) as {{ measure }},
        {%- endfor %}
        acquisition_channel
    from user_platform_periods
    group by period_grain, period_start, user_id, acquisition_channel
),

-- Each user and period once per breakdown it counts in.
user_period_breakdowns as (
    select
        'overall' as breakdown,
        'all' as breakdown_value,
        user_periods.*
    from user_periods
    union all
    select
        'acquisition_channel' as breakdown,
        user_periods.acquisition_channel as breakdown_value,
        user_periods.*
    from user_periods
    union all
    select
        'platform' as breakdown,
        user_platform_periods.platform as breakdown_value,
        user_platform_periods.period_grain,
        user_platform_periods.period_start,
        user_platform_periods.user_id,
        {%- for measure in user_measures %}
            user_platform_periods.{{ measure }},
        {%- endfor %}
        user_platform_periods.acquisition_channel
    from user_platform_periods
    where user_platform_periods.platform is not null
),

user_sums as (
    select
        period_grain,
        period_start,
        breakdown,
        breakdown_value,
        sum(placed_orders) as placed_orders,
        sum(gross_amount) as gross_amount,
        sum(valid_orders) as valid_orders,
        sum(net_revenue_amount) as net_revenue_amount,
        sum(coupon_cost_amount) as coupon_cost_amount,
        count(case when valid_orders > 0 then user_id end) as buyers,
        count(case when first_orders > 0 then user_id end) as new_buyers,
        sum(registrations) as registrations,
        count(case when active_days > 0 then user_id end) as active_users,
        sum(active_days) as active_user_days
    from user_period_breakdowns
    group by period_grain, period_start, breakdown, breakdown_value
),

cost_breakdowns as (
    select
        'overall' as breakdown,
        'all' as breakdown_value,
        cost_days.*
    from cost_days
    union all
    select
        'acquisition_channel' as breakdown,
        cost_days.acquisition_channel as breakdown_value,
        cost_days.*
    from cost_days
),

cost_periods as (
    select
        grains.period_grain,
        case
            when grains.period_grain = 'day' then cost_breakdowns.cost_date
            else cast({{ dbt.date_trunc('month', 'cost_breakdowns.cost_date') }} as date)
        end as period_start,
        cost_breakdowns.*
    from cost_breakdowns
    cross join grains
),

cost_sums as (
    select
        period_grain,
        period_start,
        breakdown,
        breakdown_value,
        sum(marketing_spend_amount) as marketing_spend_amount,
        sum(message_cost_amount) as message_cost_amount
    from cost_periods
    group by period_grain, period_start, breakdown, breakdown_value
),

first_dates as (
    select min(kpi_date) as first_date from user_days
    union all
    select min(cost_date) as first_date from cost_days
),

-- The periods from the first day with a fact to the as-of date, and every breakdown value seen.
bounds as (
    select
        min(first_dates.first_date) as first_date,
        max(as_of.as_of_date) as as_of_date
    from first_dates
    cross join as_of
),

day_numbers as (
    select
        first_date,
        as_of_date,
        {{ integer_series('0', dbt.datediff('first_date', 'as_of_date', 'day')) }} as day_number
    from bounds
),

days as (
    select
        cast({{ dbt.dateadd('day', 'day_number', 'first_date') }} as date) as period_start,
        as_of_date
    from day_numbers
),

periods as (
    select
        'day' as period_grain,
        period_start,
        1 as period_days,
        true as is_complete_period
    from days
    union all
    select
        'month' as period_grain,
        cast({{ dbt.date_trunc('month', 'period_start') }} as date) as period_start,
        count(*) as period_days,
        max(as_of_date) >= {{ dbt.last_day('min(period_start)', 'month') }} as is_complete_period
    from days
    group by cast({{ dbt.date_trunc('month', 'period_start') }} as date)
),

seen_breakdowns as (
    select
        breakdown,
        breakdown_value
    from user_sums
    union all
    select
        breakdown,
        breakdown_value
    from cost_sums
),

breakdown_values as (
    select distinct
        breakdown,
        breakdown_value
    from seen_breakdowns
),

final as (
    select
        periods.period_grain,
        periods.period_start,
        periods.period_days,
        periods.is_complete_period,
        breakdown_values.breakdown,
        breakdown_values.breakdown_value,
        coalesce(user_sums.placed_orders, 0) as placed_orders,
        coalesce(user_sums.gross_amount, 0) as gross_amount,
        coalesce(user_sums.valid_orders, 0) as valid_orders,
        coalesce(user_sums.net_revenue_amount, 0) as net_revenue_amount,
        coalesce(user_sums.coupon_cost_amount, 0) as coupon_cost_amount,
        coalesce(user_sums.buyers, 0) as buyers,
        coalesce(user_sums.new_buyers, 0) as new_buyers,
        coalesce(user_sums.registrations, 0) as registrations,
        coalesce(user_sums.active_users, 0) as active_users,
        coalesce(user_sums.active_user_days, 0) as active_user_days,
        coalesce(cost_sums.marketing_spend_amount, 0) as marketing_spend_amount,
        coalesce(cost_sums.message_cost_amount, 0) as message_cost_amount
    from periods
    cross join breakdown_values
    left join user_sums
        on
            periods.period_grain = user_sums.period_grain
            and periods.period_start = user_sums.period_start
            and breakdown_values.breakdown = user_sums.breakdown
            and breakdown_values.breakdown_value = user_sums.breakdown_value
    left join cost_sums
        on
            periods.period_grain = cost_sums.period_grain
            and periods.period_start = cost_sums.period_start
            and breakdown_values.breakdown = cost_sums.breakdown
            and breakdown_values.breakdown_value = cost_sums.breakdown_value
)

select * from final
