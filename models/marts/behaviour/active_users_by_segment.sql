-- One row per day (reporting time zone), breakdown and segment from the first day with a
-- logged-in event to the as-of date: DAU, WAU and MAU of the segment (doc block
-- active_user_segments). DAU(d) = the users active on d in the segment. WAU(d) = distinct users
-- with an active day in the segment in the var('wau_window_days') days ending on d, MAU the same
-- over var('mau_window_days') days, counted as daily_active_users counts them: each user's active
-- day in a segment adds +1 on the day and -1 when its window passes or the user's next active day
-- in the same segment comes, whichever is first; a running sum of the changes gives the count (no
-- user x day cross join). DAU of the segments of a breakdown add up to the overall DAU; WAU and
-- MAU need not (a user can be in two segments of a breakdown on different days of the window).
-- int_active_user_segments holds one row per active user-day with a column per breakdown; the
-- next day in the same segment is found per breakdown on those rows (a user's acquisition channel
-- is the same every day, so its next day there is the next active day).
{%- set breakdowns = [
    ('overall', "'all'", 'next_active_date'),
    ('platform', 'platform', 'next_platform_date'),
    ('acquisition_channel', 'acquisition_channel', 'next_active_date'),
    ('user_type', 'user_type', 'next_user_type_date'),
    ('behaviour_tier', 'behaviour_tier', 'next_behaviour_tier_date'),
    ('value_tier', 'value_tier', 'next_value_tier_date'),
] %}
{%- set windows = [('wau', var('wau_window_days')), ('mau', var('mau_window_days'))] %}
with

segment_days as (
    select * from {{ ref('int_active_user_segments') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

-- Each active user-day with the user's next active day, and next active day in the same segment
-- of each breakdown that can change from day to day.
segment_day_spans as (
    select
        activity_date,
        platform,
        acquisition_channel,
        user_type,
        behaviour_tier,
        value_tier,
        lead(activity_date) over (partition by user_id order by activity_date) as next_active_date,
        lead(activity_date) over (partition by user_id, platform order by activity_date) as next_platform_date,
        lead(activity_date) over (partition by user_id, user_type order by activity_date) as next_user_type_date,
        lead(activity_date) over (
            partition by user_id, behaviour_tier order by activity_date
        ) as next_behaviour_tier_date,
        lead(activity_date) over (partition by user_id, value_tier order by activity_date) as next_value_tier_date
    from segment_days
),

-- Per breakdown: +1 on the active day (it also counts the day's DAU), -1 of WAU and MAU when the
-- window passes or the next active day in the segment comes.
window_changes as (
    {% for breakdown, value, next_date in breakdowns -%}
        select
            '{{ breakdown }}' as breakdown,
            cast({{ value }} as {{ dbt.type_string() }}) as breakdown_value,
            activity_date as change_date,
            1 as active_users,
            1 as wau_change,
            1 as mau_change
        from segment_day_spans
        {%- for window, days in windows %}
            union all
            select
                '{{ breakdown }}' as breakdown,
                cast({{ value }} as {{ dbt.type_string() }}) as breakdown_value,
                least(
                    {{ dbt.dateadd('day', days, 'activity_date') }},
                    coalesce({{ next_date }}, {{ dbt.dateadd('day', days, 'activity_date') }})
                ) as change_date,
                0 as active_users,
                {{ -1 if window == 'wau' else 0 }} as wau_change,
                {{ -1 if window == 'mau' else 0 }} as mau_change
            from segment_day_spans
        {%- endfor %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

daily_changes as (
    select
        breakdown,
        breakdown_value,
        cast(change_date as date) as change_date,
        sum(active_users) as active_users,
        sum(wau_change) as wau_change,
        sum(mau_change) as mau_change
    from window_changes
    group by breakdown, breakdown_value, cast(change_date as date)
),

-- The first active day is the first day with a change (a -1 comes after its +1).
bounds as (
    select
        min(daily_changes.change_date) as first_date,
        as_of.as_of_date
    from daily_changes
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
    from daily_changes
),

running as (
    select
        days.activity_date,
        segments.breakdown,
        segments.breakdown_value,
        coalesce(daily_changes.active_users, 0) as dau,
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
