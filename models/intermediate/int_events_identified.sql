-- One row per valid, de-duplicated event that occurred on or before the as-of date
-- (reporting time zone), with its session, reporting date and stitched identity: the events
-- every model after staging reads (fct_events publishes them).
-- stitched_user_id ("which person is this event", defined once here): the event's user_id, else
-- the user its device (anonymous_id) maps to in int_identity_map, else null.
with

events as (
    select * from {{ ref('int_events_sessionized') }}
),

identity_map as (
    select
        anonymous_id,
        user_id
    from {{ ref('int_identity_map') }}
    where is_stitched
),

final as (
    select
        events.event_id,
        events.user_id,
        events.anonymous_id,
        coalesce(events.user_id, identity_map.user_id) as stitched_user_id,
        events.session_id,
        events.is_session_derived,
        events.event_name,
        events.occurred_at,
        events.event_date,
        events.received_at,
        events.is_late_arrival,
        events.platform,
        events.page,
        events.utm_source,
        events.utm_medium,
        events.utm_campaign,
        events.utm_content,
        events.utm_term,
        events.properties
    from events
    left join identity_map
        on events.anonymous_id = identity_map.anonymous_id
)

select * from final
