-- One row per day (activity_date, reporting time zone) from the first day with a logged-in event
-- to the as-of date: DAU, WAU and MAU of logged-in users (int_user_activity_days: the days with a
-- logged-in event).
-- WAU(d) = distinct users active in the var('wau_window_days') (7) days ending on d, MAU(d) the
-- same over var('mau_window_days') (30) days. Cost: no user × day cross join. Each user-day a,
-- with the user's next active day b, makes the user count in WAU on the days
-- [a, least(a + 7, b)) (disjoint ranges per user); WAU is the running sum over the day spine of
-- +1 at a and -1 at least(a + 7, b). Work is O(user-days) for the lead plus O(days)
-- for the running sums, whatever the window lengths.
with

user_days as (
    select
        user_id,
        activity_date
    from {{ ref('int_user_activity_days') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

user_day_spans as (
    select
        user_id,
        activity_date,
        lead(activity_date) over (partition by user_id order by activity_date) as next_activity_date
    from user_days
),

window_changes as (
    select
        activity_date as change_date,
        1 as dau_change,
        1 as wau_change,
        1 as mau_change
    from user_day_spans
    union all
    select
        {{ dbt.dateadd('day', 1, 'activity_date') }} as change_date,
        -1 as dau_change,
        0 as wau_change,
        0 as mau_change
    from user_day_spans
    union all
    select
        least(
            {{ dbt.dateadd('day', var('wau_window_days'), 'activity_date') }},
            coalesce(next_activity_date, {{ dbt.dateadd('day', var('wau_window_days'), 'activity_date') }})
        ) as change_date,
        0 as dau_change,
        -1 as wau_change,
        0 as mau_change
    from user_day_spans
    union all
    select
        least(
            {{ dbt.dateadd('day', var('mau_window_days'), 'activity_date') }},
            coalesce(next_activity_date, {{ dbt.dateadd('day', var('mau_window_days'), 'activity_date') }})
        ) as change_date,
        0 as dau_change,
        0 as wau_change,
        -1 as mau_change
    from user_day_spans
),

daily_changes as (
    select
        cast(change_date as date) as change_date,
        sum(dau_change) as dau_change,
        sum(wau_change) as wau_change,
        sum(mau_change) as mau_change
    from window_changes
    group by cast(change_date as date)
),

bounds as (
    select
        min(user_days.activity_date) as first_date,
        as_of.as_of_date
    from user_days
    cross join as_of
    group by as_of.as_of_date
),

day_spine as (
    select
        first_date,
        {{ integer_series('0', dbt.datediff('first_date', 'as_of_date', 'day')) }} as day_number
    from bounds
),

days as (
    select
        cast({{ dbt.dateadd('day', 'day_number', 'first_date') }} as date) as activity_date,
        day_number
    from day_spine
),

running as (
    select
        days.activity_date,
        days.day_number,
        sum(coalesce(daily_changes.dau_change, 0)) over (
            order by days.activity_date rows between unbounded preceding and current row
        ) as dau,
        sum(coalesce(daily_changes.wau_change, 0)) over (
            order by days.activity_date rows between unbounded preceding and current row
        ) as wau,
        sum(coalesce(daily_changes.mau_change, 0)) over (
            order by days.activity_date rows between unbounded preceding and current row
        ) as mau
    from days
    left join daily_changes
        on days.activity_date = daily_changes.change_date
),

final as (
    select
        activity_date,
        day_number + 1 >= {{ var('mau_window_days') }} as is_mau_window_complete,
        cast(dau as {{ dbt.type_bigint() }}) as dau,
        cast(wau as {{ dbt.type_bigint() }}) as wau,
        cast(mau as {{ dbt.type_bigint() }}) as mau,
        cast(dau * 1.0 / nullif(mau, 0) as double) as stickiness_rate
    from running
)

select * from final
