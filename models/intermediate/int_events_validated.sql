-- Every raw event row with its final quarantine reason. Staging's reason comes first; an event
-- staging keeps whose user_id is set but is not a kept user is quarantined as unknown_user.
-- Events without a user_id (anonymous visitors) are kept. row_detail: staging's, or rebuilt
-- from the event's values where staging did not store it (doc block event_row_detail).
with

events as (
    select * from {{ ref('stg_raw__events') }}
),

users as (
    select user_id from {{ ref('stg_raw__users') }}
    where quarantine_reason is null
),

checked as (
    select
        events.event_id,
        events.user_id,
        events.anonymous_id,
        events.session_id,
        events.event_name,
        events.occurred_at,
        events.received_at,
        events.platform,
        events.page,
        events.utm_source,
        events.utm_medium,
        events.utm_campaign,
        events.utm_content,
        events.utm_term,
        events.properties,
        coalesce(
            events.quarantine_reason,
            case when events.user_id is not null and users.user_id is null then 'unknown_user' end
        ) as quarantine_reason,
        coalesce(events.row_detail, {{ event_row_detail('events.occurred_at', 'events.') }}) as row_detail
    from events
    left join users
        on events.user_id = users.user_id
)

select * from checked
