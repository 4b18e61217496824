-- One row per valid, de-duplicated event that occurred on or before the as-of date
-- (reporting time zone), with its session, reporting date and stitched identity: the events
-- every model after staging reads (fct_events publishes them).
-- stitched_user_id ("which person is this event", defined once here): the event's user_id, else
-- the user its device (anonymous_id) maps to in int_identity_map, else null.
--
-- Incremental on DuckDB (doc block incremental_identified_events): a daily run writes only the
-- events whose row can have changed, and keeps the others as stored. The pre-hook first forgets
-- the stored events of the re-read received days (or all of them, when the users export or the
-- as-of date changed in a way only a full rebuild follows); this model then writes the events
-- received after the last day still stored, the events of devices whose stitched user changed,
-- and the events of derived sessions whose device has new events. On Spark it is a table.
{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='delete+insert',
        unique_key='event_id',
        on_schema_change='fail',
        pre_hook="{{ forget_stale_identified_events() }}"
    )
}}
-- depends_on: {{ ref('stg_raw__events') }}
-- depends_on: {{ ref('stg_raw__users') }}
-- depends_on: {{ ref('int_as_of_date') }}
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

{% if is_incremental() %}
    -- The last received day still stored after the pre-hook (null: nothing stored).
    stored_until as (
        select max({{ received_day('received_at') }}) as last_stored_day
        from {{ this }}
    ),

    -- Devices whose stored anonymous events carry another stitched user than the map's today.
    restitched_devices as (
        select distinct stored_events.anonymous_id
        from {{ this }} as stored_events
        left join identity_map
            on stored_events.anonymous_id = identity_map.anonymous_id
        where
            stored_events.user_id is null
            and stored_events.anonymous_id is not null
            and stored_events.stitched_user_id is distinct from identity_map.user_id
    ),

    -- Session keys (doc block session) of the raw events without a session_id received after
    -- the last stored day: their derived sessions are numbered again.
    resessioned_keys as (
        select distinct {{ session_key('raw_events') }} as session_key
        from {{ ref('stg_raw__events') }} as raw_events
        cross join stored_until
        where
            raw_events.session_id is null
            and (
                stored_until.last_stored_day is null
                or raw_events.received_date > stored_until.last_stored_day
            )
    ),
{% endif %}

identified as (
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
),

-- A daily run writes only the events that can have changed (doc block incremental_identified_events).
final as (
    select identified.*
    from identified
    {%- if is_incremental() %}
        cross join stored_until
        where
            stored_until.last_stored_day is null
            or {{ received_day('identified.received_at') }} > stored_until.last_stored_day
            or identified.anonymous_id in (select restitched_devices.anonymous_id from restitched_devices)
            or (
                identified.is_session_derived
                and {{ session_key('identified') }}
                in (select resessioned_keys.session_key from resessioned_keys)
            )
    {%- endif %}
)

select * from final
