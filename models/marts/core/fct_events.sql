-- One row per valid, de-duplicated event that occurred on or before the as-of date
-- (reporting time zone), with its session and stitched identity: int_events_identified, published.
with

final as (
    select
        event_id,
        user_id,
        anonymous_id,
        stitched_user_id,
        session_id,
        is_session_derived,
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
    from {{ ref('int_events_identified') }}
)

select * from final
