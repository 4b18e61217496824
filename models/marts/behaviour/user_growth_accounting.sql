-- One row per period_type × activity_type × period_start: growth accounting of active users.
-- period_type in var('growth_period_types') ('week' starting Monday, 'month'); activity_type
-- 'purchase' (an order day) or 'activity' (a logged-in activity day), both from
-- int_user_period_activity (one row per user and active period, with the user's previous and next
-- active period index). Each active user-period is exactly one of new (first active period),
-- returning (also active in the previous period) or resurrecting (not active in the previous
-- period, active before); dormant counts users active in the previous period and not in this one
-- (only in the first inactive period). Periods are dense from the first active period of the
-- activity type to the as-of period; periods are compared as integer indexes (period_index
-- macro), so "previous period" is index - 1.
with

user_periods as (
    select
        period_type,
        activity_type,
        user_id,
        period_index,
        previous_period_index as previous_index,
        next_period_index as next_index
    from {{ ref('int_user_period_activity') }}
    where
        period_type in {{ sql_list(var('growth_period_types')) }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

period_types as (
    select 'week' as period_type
    union all
    select 'month' as period_type
),

chosen_period_types as (
    select period_type
    from period_types
    where
        period_type in {{ sql_list(var('growth_period_types')) }}
),

as_of_periods as (
    select
        chosen_period_types.period_type,
        as_of.as_of_date,
        {{ period_index_by_type('chosen_period_types.period_type', 'as_of.as_of_date') }} as as_of_index
    from as_of
    cross join chosen_period_types
),

state_counts as (
    select
        period_type,
        activity_type,
        period_index,
        count(*) as active_users,
        sum(case when previous_index is null then 1 else 0 end) as new_users,
        sum(case when previous_index = period_index - 1 then 1 else 0 end) as returning_users,
        sum(case when previous_index < period_index - 1 then 1 else 0 end) as resurrecting_users
    from user_periods
    group by period_type, activity_type, period_index
),

dormant_counts as (
    select
        period_type,
        activity_type,
        period_index + 1 as period_index,
        count(*) as dormant_users
    from user_periods
    where next_index is null or next_index > period_index + 1
    group by period_type, activity_type, period_index + 1
),

spine_bounds as (
    select
        user_periods.period_type,
        user_periods.activity_type,
        as_of_periods.as_of_date,
        as_of_periods.as_of_index,
        min(user_periods.period_index) as first_index
    from user_periods
    inner join as_of_periods
        on user_periods.period_type = as_of_periods.period_type
    group by
        user_periods.period_type,
        user_periods.activity_type,
        as_of_periods.as_of_date,
        as_of_periods.as_of_index
),

spine as (
    select
        period_type,
        activity_type,
        as_of_date,
        {{ integer_series('first_index', 'as_of_index') }} as period_index
    from spine_bounds
),

dated as (
    select
        period_type,
        activity_type,
        as_of_date,
        period_index,
        {{ add_periods_by_type('period_type', 'period_index', "cast('1900-01-01' as date)") }} as period_start,
        {{ add_periods_by_type('period_type', 'period_index + 1', "cast('1900-01-01' as date)") }} as next_period_start
    from spine
),

final as (
    select
        dated.period_type,
        dated.activity_type,
        dated.period_start,
        dated.next_period_start <= {{ dbt.dateadd('day', 1, 'dated.as_of_date') }} as is_complete_period,
        cast(coalesce(state_counts.active_users, 0) as {{ dbt.type_bigint() }}) as active_users,
        cast(coalesce(state_counts.new_users, 0) as {{ dbt.type_bigint() }}) as new_users,
        cast(coalesce(state_counts.returning_users, 0) as {{ dbt.type_bigint() }}) as returning_users,
        cast(coalesce(state_counts.resurrecting_users, 0) as {{ dbt.type_bigint() }}) as resurrecting_users,
        cast(coalesce(dormant_counts.dormant_users, 0) as {{ dbt.type_bigint() }}) as dormant_users,
        cast(
            (coalesce(state_counts.new_users, 0) + coalesce(state_counts.resurrecting_users, 0)) * 1.0
            / nullif(dormant_counts.dormant_users, 0) as double
        ) as quick_ratio
    from dated
    left join state_counts
        on
            dated.period_type = state_counts.period_type
            and dated.activity_type = state_counts.activity_type
            and dated.period_index = state_counts.period_index
    left join dormant_counts
        on
            dated.period_type = dormant_counts.period_type
            and dated.activity_type = dormant_counts.activity_type
            and dated.period_index = dormant_counts.period_index
)

select * from final
