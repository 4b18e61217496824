-- One row per period_type x activity_type x user_id x period_start in which the user was active:
-- the user x period activity every retention and growth-accounting mart groups.
-- period_type 'week' (starting Monday) or 'month' (macro period_start, reporting-time-zone dates);
-- activity_type 'purchase' (an order day of int_user_order_days, with its revenue) or 'activity'
-- (a logged-in activity day of int_user_activity_days). period_index numbers the periods
-- (macro period_index: consecutive periods have consecutive indexes), so the user's periods are
-- compared as integers: period_number = period_index - the index of the user's first active
-- period of that type; previous_period_index / next_period_index are the user's neighbouring
-- active periods (null at the ends).
with

order_days as (
    select
        user_id,
        order_date,
        revenue_amount
    from {{ ref('int_user_order_days') }}
),

activity_days as (
    select
        user_id,
        activity_date
    from {{ ref('int_user_activity_days') }}
),

user_days as (
    select
        'purchase' as activity_type,
        user_id,
        order_date as activity_date,
        revenue_amount
    from order_days
    union all
    select
        'activity' as activity_type,
        user_id,
        activity_date,
        cast(null as decimal(18, 2)) as revenue_amount
    from activity_days
),

period_types as (
    select 'week' as period_type
    union all
    select 'month' as period_type
),

user_periods as (
    select
        period_types.period_type,
        user_days.activity_type,
        user_days.user_id,
        {{ period_start_by_type('period_types.period_type', 'user_days.activity_date') }} as period_start,
        count(*) as active_days,
        sum(user_days.revenue_amount) as revenue_amount
    from user_days
    cross join period_types
    group by
        period_types.period_type,
        user_days.activity_type,
        user_days.user_id,
        {{ period_start_by_type('period_types.period_type', 'user_days.activity_date') }}
),

indexed as (
    select
        period_type,
        activity_type,
        user_id,
        period_start,
        {{ period_index_by_type('period_type', 'period_start') }} as period_index,
        active_days,
        revenue_amount
    from user_periods
),

sequenced as (
    select
        period_type,
        activity_type,
        user_id,
        period_start,
        period_index,
        active_days,
        revenue_amount,
        min(period_start) over (partition by period_type, activity_type, user_id) as first_period_start,
        min(period_index) over (partition by period_type, activity_type, user_id) as first_period_index,
        lag(period_index) over (
            partition by period_type, activity_type, user_id order by period_index
        ) as previous_period_index,
        lead(period_index) over (
            partition by period_type, activity_type, user_id order by period_index
        ) as next_period_index
    from indexed
),

final as (
    select
        period_type,
        activity_type,
        user_id,
        period_start,
        cast(period_index as {{ dbt.type_bigint() }}) as period_index,
        first_period_start,
        cast(period_index - first_period_index as {{ dbt.type_bigint() }}) as period_number,
        cast(previous_period_index as {{ dbt.type_bigint() }}) as previous_period_index,
        cast(next_period_index as {{ dbt.type_bigint() }}) as next_period_index,
        next_period_index is null as is_last_period,
        cast(active_days as {{ dbt.type_bigint() }}) as active_days,
        cast(revenue_amount as decimal(18, 2)) as revenue_amount
    from sequenced
)

select * from final
