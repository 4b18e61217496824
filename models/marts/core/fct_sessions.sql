-- One row per session (see int_events_sessionized for how sessions are formed) whose events
-- are in fct_events: int_sessions, published.
with

final as (
    select
        session_id,
        user_id,
        anonymous_id,
        stitched_user_id,
        is_session_derived,
        started_at,
        ended_at,
        session_date,
        duration_seconds,
        event_count,
        page_view_count,
        product_view_count,
        has_order_paid,
        first_event_name,
        platform,
        landing_page,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term
    from {{ ref('int_sessions') }}
)

select * from final
