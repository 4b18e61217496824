-- One row per valid, de-duplicated event that occurred on or before the as-of date
-- (reporting time zone), with its reporting date: the as-of filter of every event model, written
-- once. int_identity_map reads these events (the devices it maps); int_events_sessionized gives
-- them their sessions and int_events_identified their stitched identity.
-- The filter comes before the sessions: an event's session depends only on the earlier events of
-- its device, which pass the filter too (a later instant never has an earlier reporting date in a
-- zone whose clocks do not turn back across midnight), so the sessions are those of all events;
-- and the map, which needs no sessions, does not compute them.
-- A view: int_events_identified stores the events.
with

events as (
    select * from {{ ref('int_events_validated') }}
    where quarantine_reason is null
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        events.event_id,
        events.user_id,
        events.anonymous_id,
        events.session_id,
        events.event_name,
        events.occurred_at,
        {{ reporting_date('events.occurred_at') }} as event_date,
        events.received_at,
        coalesce(
            {{ dbt.datediff('events.occurred_at', 'events.received_at', 'second') }}
            > {{ var('late_event_hours') }} * 3600,
            false
        ) as is_late_arrival,
        events.platform,
        events.page,
        events.utm_source,
        events.utm_medium,
        events.utm_campaign,
        events.utm_content,
        events.utm_term,
        events.properties
    from events
    cross join as_of
    where {{ reporting_date('events.occurred_at') }} <= as_of.as_of_date
)

select * from final
