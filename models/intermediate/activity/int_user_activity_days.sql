-- One row per user x activity_date (reporting time zone) with at least one logged-in event (an
-- event of int_events_identified with a user_id, so on or before the as-of date): the
-- "logged-in activity day" every mart counts (user_facts, daily_active_users, the activity
-- retention and growth accounting marts through int_user_period_activity, audience_members).
-- ended_session_count counts each (user, session) once, on the day of the user's last logged-in
-- event in it, so summing it over any window that ends on the as-of date gives the distinct
-- sessions with activity in that window, also for sessions that run past midnight.
-- time_spent_seconds: doc block time_spent (models/_docs.md). Each (user, session) lasts from
-- the user's first to last logged-in event in it (one event: 0), at most
-- var('session_time_cap_minutes'), and is counted on the same day as ended_session_count. The
-- user's logged-in events are used, not all events of the session (fct_sessions.duration_seconds):
-- the time is then the time the user was known to be there, measured like every other
-- logged-in activity figure, and the anonymous browsing before a login is not credited to a
-- user it was never tied to. Milliseconds (dbt.datediff) keep sub-second timestamps exact.
-- first_platform: the platform of the user's first logged-in event of the day (ties by platform
-- name), the user's platform on that day in the KPI marts.
-- Incremental on DuckDB (doc block incremental_consumers): a user's rows depend only on the
-- user's events, so a daily run deletes and writes again only the rows of the users whose events
-- changed since its last run. On Spark it is a table.
{{ config(**follows_identified_events('user_id')) }}
-- depends_on: {{ ref('int_events_identified_replaced') }}
with

events as (
    select
        user_id,
        event_date,
        session_id,
        occurred_at,
        platform
    from {{ ref('int_events_identified') }}
    where user_id is not null and {{ changed_since_stored('user_id') }}
),

user_day_sessions as (
    select
        user_id,
        event_date,
        session_id,
        count(*) as event_count,
        min(occurred_at) as first_occurred_at,
        max(occurred_at) as last_occurred_at,
        max(case when platform = 'app' then 1 else 0 end) as has_app_event,
        max(case when platform = 'mini_program' then 1 else 0 end) as has_mini_program_event,
        {{ first_by('platform', ['occurred_at', 'platform']) }} as first_platform
    from events
    group by user_id, event_date, session_id
),

event_days as (
    select
        user_id,
        event_date as activity_date,
        sum(event_count) as event_count,
        count(session_id) as session_count,
        max(has_app_event) = 1 as has_app_event,
        max(has_mini_program_event) = 1 as has_mini_program_event,
        {{ first_by('first_platform', ['first_occurred_at', 'first_platform']) }} as first_platform
    from user_day_sessions
    group by user_id, event_date
),

session_spans as (
    select
        user_id,
        session_id,
        max(event_date) as last_event_date,
        min(first_occurred_at) as first_occurred_at,
        max(last_occurred_at) as last_occurred_at
    from user_day_sessions
    where session_id is not null
    group by user_id, session_id
),

session_times as (
    select
        user_id,
        session_id,
        last_event_date,
        least(
            {{ dbt.datediff('first_occurred_at', 'last_occurred_at', 'millisecond') }},
            {{ var('session_time_cap_minutes') }} * 60000
        ) as capped_milliseconds
    from session_spans
),

session_ends as (
    select
        user_id,
        last_event_date as activity_date,
        count(*) as ended_session_count,
        sum(coalesce(capped_milliseconds, 0)) as time_spent_milliseconds
    from session_times
    group by user_id, last_event_date
),

final as (
    select
        event_days.user_id,
        event_days.activity_date,
        cast(event_days.event_count as {{ dbt.type_bigint() }}) as event_count,
        cast(event_days.session_count as {{ dbt.type_bigint() }}) as session_count,
        cast(coalesce(session_ends.ended_session_count, 0) as {{ dbt.type_bigint() }}) as ended_session_count,
        cast(coalesce(session_ends.time_spent_milliseconds, 0) / 1000.0 as decimal(18, 3)) as time_spent_seconds,
        event_days.has_app_event,
        event_days.has_mini_program_event,
        event_days.first_platform,
        {{ written_at() }} as written_at
    from event_days
    left join session_ends
        on
            event_days.user_id = session_ends.user_id
            and event_days.activity_date = session_ends.activity_date
)

select * from final
