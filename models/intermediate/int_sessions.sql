-- One row per session (see int_events_sessionized for how sessions are formed) with events in
-- int_events_identified: the sessions fct_sessions publishes. Landing attributes (platform,
-- page, UTM) come from the session's first event.
-- stitched_user_id: the session's user_id, else the user its anonymous_id maps to, read from
-- the stitched_user_id of the session's events with that anonymous_id (no identity join).
-- One aggregation over the events, no window: row_by takes the stitched user of the session's
-- anonymous_id (its largest, max(anonymous_id)); without a user_id every event with that
-- anonymous_id carries the same stitched_user_id. The first event (by occurred_at, then
-- event_id) and its landing attributes come afterwards from the events at the session's start:
-- carried through the aggregation, eight text columns per session made it spill to disk on large
-- warehouses, and ordering by the pair (occurred_at, event_id) there doubled its time.
-- Incremental on DuckDB (doc block incremental_consumers): a daily run deletes and writes again
-- only the sessions whose events changed since its last run. On Spark it is a table.
{{ config(**follows_identified_events('session_id')) }}
-- depends_on: {{ ref('int_events_identified_replaced') }}
{%- set changed = changed_since_stored('session_id') %}
with

-- The events of the sessions to write: in a daily run, those whose events changed.
events as (
    select * from {{ ref('int_events_identified') }}
    where {{ changed }}
),

landing_events as (
    select
        event_id,
        event_name,
        platform,
        page,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term
    from {{ ref('int_events_identified') }}
    where {{ changed }}
),

start_times as (
    select
        session_id,
        occurred_at,
        event_id
    from {{ ref('int_events_identified') }}
    where {{ changed }}
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
        max(case when event_name = 'order_paid' then 1 else 0 end) = 1 as has_order_paid
    from events
    group by session_id
),

-- The session's first event: the smallest event_id among its events at its start.
first_events as (
    select
        start_times.session_id,
        min(start_times.event_id) as first_event_id
    from start_times
    inner join aggregated
        on
            start_times.session_id = aggregated.session_id
            and start_times.occurred_at = aggregated.started_at
    group by start_times.session_id
),

sessions as (
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
        aggregated.has_order_paid
    from aggregated
),

final as (
    select
        sessions.session_id,
        sessions.user_id,
        sessions.anonymous_id,
        sessions.stitched_user_id,
        sessions.is_session_derived,
        sessions.started_at,
        sessions.ended_at,
        sessions.session_date,
        sessions.duration_seconds,
        sessions.event_count,
        sessions.page_view_count,
        sessions.product_view_count,
        sessions.has_order_paid,
        landing_events.event_name as first_event_name,
        landing_events.platform,
        landing_events.page as landing_page,
        landing_events.utm_source,
        landing_events.utm_medium,
        landing_events.utm_campaign,
        landing_events.utm_content,
        landing_events.utm_term,
        {{ written_at() }} as written_at
    from sessions
    inner join first_events
        on sessions.session_id = first_events.session_id
    inner join landing_events
        on first_events.first_event_id = landing_events.event_id
)

select * from final
