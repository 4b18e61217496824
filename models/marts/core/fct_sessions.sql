-- One row per session (see int_events_sessionized for how sessions are formed) whose events
-- are in fct_events. Landing attributes (platform, page, UTM) come from the session's first event.
-- stitched_user_id: the session's user_id, else the user its anonymous_id maps to, read from
-- fct_events.stitched_user_id of the session's events with that anonymous_id (no identity join).
with

events as (
    select * from {{ ref('fct_events') }}
),

ordered as (
    select
        *,
        row_number() over (
            partition by session_id
            order by occurred_at, event_id
        ) as event_number,
        max(anonymous_id) over (partition by session_id) as session_anonymous_id
    from events
),

landing as (
    select
        session_id,
        event_name as first_event_name,
        platform,
        page as landing_page,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term
    from ordered
    where event_number = 1
),

aggregated as (
    select
        session_id,
        max(user_id) as user_id,
        max(anonymous_id) as anonymous_id,
        coalesce(
            max(user_id),
            max(case when anonymous_id = session_anonymous_id then stitched_user_id end)
        ) as stitched_user_id,
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
    from ordered
    group by session_id
),

timed as (
    select
        *,
        {{ dbt.datediff('started_at', 'ended_at', 'second') }} as duration_seconds  -- noqa: LT05
    from aggregated
),

final as (
    select
        aggregated.session_id,
        aggregated.user_id,
        aggregated.anonymous_id,
        aggregated.stitched_user_id,
        aggregated.is_session_derived,
        aggregated.started_at,
        aggregated.ended_at,
        {{ reporting_date('aggregated.started_at') }} as session_date,
        aggregated.duration_seconds,
        aggregated.event_count,
        aggregated.page_view_count,
        aggregated.product_view_count,
        aggregated.has_order_paid,
        landing.first_event_name,
        landing.platform,
        landing.landing_page,
        landing.utm_source,
        landing.utm_medium,
        landing.utm_campaign,
        landing.utm_content,
        landing.utm_term
    from timed as aggregated
    inner join landing
        on aggregated.session_id = landing.session_id
)

select * from final
