-- The events of int_events_dated (valid, on or before the as-of date), each with a session.
-- Sessions: the client's session_id when present. Otherwise derived per device: events without
-- a session_id that share a session key (anonymous_id, else user_id, else the event itself) and
-- follow each other, ordered by occurred_at then event_id, belong to one session until a gap of
-- more than var('session_inactivity_minutes') minutes (a gap of exactly 30 minutes stays in the
-- session). A derived session id is 'derived:<session key>:<n>' with n counting from 1.
-- Only the events without a session_id go through the ordering windows: sorting every event with
-- its payload would spill most of a large warehouse to disk, and events that carry a session_id
-- keep it, so their order is never needed.
with

-- Each branch reads the dated events itself (not a shared CTE), so neither makes the engine
-- hold all events in memory for the other. The ordering windows see only three narrow columns
-- (session_steps); the events' payload joins their derived session id afterwards, so the sorts
-- never carry the properties.
with_client_session as (
    select * from {{ ref('int_events_dated') }}
    where session_id is not null
),

without_session as (
    select * from {{ ref('int_events_dated') }}
    where session_id is null
),

-- Each event's derived session id (macro derived_session_ids: the session steps, the inactivity
-- gaps and the session numbers).
{{ derived_session_ids(ref('int_events_dated')) }},

derived_sessions as (
    select
        without_session.event_id,
        without_session.user_id,
        without_session.anonymous_id,
        derived_session_ids.session_id,
        true as is_session_derived,
        without_session.event_name,
        without_session.occurred_at,
        without_session.event_date,
        without_session.received_at,
        without_session.is_late_arrival,
        without_session.platform,
        without_session.page,
        without_session.utm_source,
        without_session.utm_medium,
        without_session.utm_campaign,
        without_session.utm_content,
        without_session.utm_term,
        without_session.properties
    from without_session
    inner join derived_session_ids
        on without_session.event_id = derived_session_ids.event_id
),

client_sessions as (
    select
        event_id,
        user_id,
        anonymous_id,
        session_id,
        false as is_session_derived,
        event_name,
        occurred_at,
        event_date,
        received_at,
        is_late_arrival,
        platform,
        page,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        properties
    from with_client_session
),

final as (
    select * from client_sessions
    union all
    select * from derived_sessions
)

select * from final
