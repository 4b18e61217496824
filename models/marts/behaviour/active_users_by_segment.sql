-- One row per day (reporting time zone), breakdown and segment from the first day with a
-- logged-in event to the as-of date: DAU, WAU and MAU of the segment (doc block
-- active_user_segments). WAU(d) = distinct users with an active day in the segment in the
-- var('wau_window_days') days ending on d, MAU the same over var('mau_window_days') days, counted
-- as daily_active_users counts them (each user's active days in the segment, with the next one,
-- add +1 on the day and -1 when the window passes: no user x day cross join). DAU of the
-- segments of a breakdown add up to the overall DAU; WAU and MAU need not (a user can be in two
-- segments of a breakdown on different days of the window).
with

segment_days as (
    select * from {{ ref('int_active_user_segments') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

segment_day_spans as (
    select
        breakdown,
        breakdown_value,
        activity_date,
        lead(activity_date) over (
            partition by breakdown, breakdown_value, user_id order by activity_date
        ) as next_activity_date
    from segment_days
),

window_changes as (
    {% for window, days in [('dau', 1), ('wau', var('wau_window_days')), ('mau', var('mau_window_days'))] -%}
        select
            breakdown,
            breakdown_value,
            activity_date as change_date,
            '{{ window }}' as window_name,
            1 as user_change
        from segment_day_spans
        union all
        select
            breakdown,
            breakdown_value,
            least(
                {{ dbt.dateadd('day', days, 'activity_date') }},
                coalesce(next_activity_date, {{ dbt.dateadd('day', days, 'activity_date') }})
            ) as change_date,
            '{{ window }}' as window_name,
            -1 as user_change
        from segment_day_spans
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

daily_changes as (
    select
        breakdown,
        breakdown_value,
        cast(change_date as date) as change_date,
        sum(case when window_name = 'dau' then user_change else 0 end) as dau_change,
        sum(case when window_name = 'wau' then user_change else 0 end) as wau_change,
        sum(case when window_name = 'mau' then user_change else 0 end) as mau_change
    from window_changes
    group by breakdown, breakdown_value, cast(change_date as date)
),

bounds as (
    select
        min(segment_days.activity_date) as first_date,
        as_of.as_of_date
    from segment_days
    cross join as_of
    group by as_of.as_of_date
),

day_numbers as (
    select
        first_date,
        {{ integer_series('0', dbt.datediff('first_date', 'as_of_date', 'day')) }} as day_number
    from bounds
),

days as (
    select cast({{ dbt.dateadd('day', 'day_number', 'first_date') }} as date) as activity_date
    from day_numbers
),

segments as (
    select distinct
        breakdown,
        breakdown_value
    from segment_days
),

running as (
    select
        days.activity_date,
        segments.breakdown,
        segments.breakdown_value,
        sum(coalesce(daily_changes.dau_change, 0)) over (
            partition by segments.breakdown, segments.breakdown_value
            order by days.activity_date rows between unbounded preceding and current row
        ) as dau,
        sum(coalesce(daily_changes.wau_change, 0)) over (
            partition by segments.breakdown, segments.breakdown_value
            order by days.activity_date rows between unbounded preceding and current row
        ) as wau,
        sum(coalesce(daily_changes.mau_change, 0)) over (
            partition by segments.breakdown, segments.breakdown_value
            order by days.activity_date rows between unbounded preceding and current row
        ) as mau
    from days
    cross join segments
    left join daily_changes
        on
            days.activity_date = daily_changes.change_date
            and segments.breakdown = daily_changes.breakdown
            and segments.breakdown_value = daily_changes.breakdown_value
),

final as (
    select
        activity_date,
        breakdown,
        breakdown_value,
        cast(dau as {{ dbt.type_bigint() }}) as dau,
        cast(wau as {{ dbt.type_bigint() }}) as wau,
        cast(mau as {{ dbt.type_bigint() }}) as mau
    from running
)

select * from final
