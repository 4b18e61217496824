-- One row per user x activity_date (reporting time zone) with at least one logged-in event (an
-- event of int_events_identified with a user_id, so on or before the as-of date): the
-- "logged-in activity day" every mart counts (user_facts, daily_active_users, the activity
-- retention and growth accounting marts through int_user_period_activity, audience_members).
-- ended_session_count counts each (user, session) once, on the day of the user's last logged-in
-- event in it, so summing it over any window that ends on the as-of date gives the distinct
-- sessions with activity in that window, also for sessions that run past midnight.
with

events as (
    select
        user_id,
        event_date,
        session_id,
        platform
    from {{ ref('int_events_identified') }}
    where user_id is not null
),

user_day_sessions as (
    select
        user_id,
        event_date,
        session_id,
        count(*) as event_count,
        max(case when platform = 'app' then 1 else 0 end) as has_app_event,
        max(case when platform = 'mini_program' then 1 else 0 end) as has_mini_program_event
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
        max(has_mini_program_event) = 1 as has_mini_program_event
    from user_day_sessions
    group by user_id, event_date
),

session_last_days as (
    select
        user_id,
        session_id,
        max(event_date) as last_event_date
    from user_day_sessions
    where session_id is not null
    group by user_id, session_id
),

session_ends as (
    select
        user_id,
        last_event_date as activity_date,
        count(*) as ended_session_count
    from session_last_days
    group by user_id, last_event_date
),

final as (
    select
        event_days.user_id,
        event_days.activity_date,
        cast(event_days.event_count as {{ dbt.type_bigint() }}) as event_count,
        cast(event_days.session_count as {{ dbt.type_bigint() }}) as session_count,
        cast(coalesce(session_ends.ended_session_count, 0) as {{ dbt.type_bigint() }}) as ended_session_count,
        event_days.has_app_event,
        event_days.has_mini_program_event
    from event_days
    left join session_ends
        on
            event_days.user_id = session_ends.user_id
            and event_days.activity_date = session_ends.activity_date
)

select * from final
