-- One row per session (see int_events_sessionized for how sessions are formed) whose events
-- are in fct_events. Landing attributes (platform, page, UTM) come from the session's first event.
-- stitched_user_id: the session's user_id, else the user its anonymous_id maps to, read from
-- fct_events.stitched_user_id of the session's events with that anonymous_id (no identity join).
-- One aggregation over the events, no window: row_by takes the first event's attributes and the
-- stitched user of the session's anonymous_id (its largest, max(anonymous_id)); without a
-- user_id every event with that anonymous_id carries the same stitched_user_id.
with

events as (
    select * from {{ ref('fct_events') }}
),

aggregated as (
    select
        session_id,
        max(user_id) as user_id,
        max(anonymous_id) as anonymous_id,
        {{ row_by('last', ['stitched_user_id'], 'anonymous_id') }} as device,
        max(case when is_session_derived then 1 else 0 end) = 1 as is_session_derived,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as event_count,
        cast(
            sum(case when event_name = 'page_view' then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as page_view_count,
        cast(
            sum(case when event_name = 'product_view' then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as product_view_count,
        max(case when event_name = 'order_paid' then 1 else 0 end) = 1 as has_order_paid,
        {{ row_by(
            'first',
            ['event_name', 'platform', 'page', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'],
            ['occurred_at', 'event_id']
        ) }} as landing
    from events
    group by session_id
),

final as (
    select
        aggregated.session_id,
        aggregated.user_id,
        aggregated.anonymous_id,
        coalesce(aggregated.user_id, aggregated.device.stitched_user_id) as stitched_user_id,
        aggregated.is_session_derived,
        aggregated.started_at,
        aggregated.ended_at,
        {{ reporting_date('aggregated.started_at') }} as session_date,
        {{ dbt.datediff('aggregated.started_at', 'aggregated.ended_at', 'second') }} as duration_seconds,  -- noqa: LT05
        aggregated.event_count,
        aggregated.page_view_count,
        aggregated.product_view_count,
        aggregated.has_order_paid,
        aggregated.landing.event_name as first_event_name,
        aggregated.landing.platform,
        aggregated.landing.page as landing_page,
        aggregated.landing.utm_source,
        aggregated.landing.utm_medium,
        aggregated.landing.utm_campaign,
        aggregated.landing.utm_content,
        aggregated.landing.utm_term
    from aggregated
)

select * from final
