-- One row per valid, de-duplicated event that occurred on or before the as-of date
-- (reporting time zone), with its session, reporting date and stitched identity: the events
-- every model after staging reads (fct_events publishes them).
-- stitched_user_id ("which person is this event", defined once here): the event's user_id, else
-- the user its device (anonymous_id) maps to in int_identity_map, else null.
-- written_at: when the run that wrote the row's values started (doc block incremental_consumers).
--
-- Incremental on DuckDB (doc block incremental_identified_events): a daily run writes only the
-- events whose row can have changed, and keeps the others as stored. The first pre-hook records
-- the stored events whose row can have changed (the re-read received days, the devices stitched
-- to another user, the derived sessions numbered again; or all of them, when the users export
-- or the as-of date changed in a way only a full rebuild follows) in
-- int_events_identified_replaced, and the second deletes those of the re-read days (or all).
-- This model then writes every event received from the first re-read day on; the first post-hook
-- gives the older events logged their new session and stitched user in place. An event written
-- again with the same values (identified_event_row_hash) keeps its stored written_at, and the
-- last post-hook drops it from the log, so the models that follow this one skip it. On Spark it
-- is a table.
{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='delete+insert',
        unique_key='event_id',
        on_schema_change='fail',
        pre_hook=[
            "{{ log_replaced_identified_events() }}",
            "{{ forget_replaced_identified_events() }}",
            "{{ prune_replaced_identified_events() }}",
        ],
        post_hook=[
            "{{ update_older_identified_events() }}",
            "{{ drop_unchanged_identified_events() }}",
        ]
    )
}}
-- depends_on: {{ ref('stg_raw__events') }}
-- depends_on: {{ ref('stg_raw__users') }}
-- depends_on: {{ ref('int_as_of_date') }}
-- depends_on: {{ ref('int_events_identified_replaced') }}
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
    -- The stored events of the re-read days the pre-hooks deleted in this run
    -- (int_events_identified_replaced: those with a stored_row_hash), with their written_at and
    -- values as stored.
    replaced as (
        select
            event_id,
            stored_written_at,
            stored_row_hash
        from {{ ref('int_events_identified_replaced') }}
        where replaced_at = {{ written_at() }} and stored_row_hash is not null
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

-- A daily run writes only the events that can have changed (doc block incremental_identified_events),
-- and those whose values did not change keep their stored written_at.
final as (
    select
        identified.*,
        {%- if is_incremental() %}
            case
                when {{ identified_event_row_hash('identified') }} = replaced.stored_row_hash
                    then coalesce(replaced.stored_written_at, {{ written_at() }})
                else {{ written_at() }}
            end as written_at
        {%- else %}
            {{ written_at() }} as written_at
        {%- endif %}
    from identified
    {%- if is_incremental() %}
    left join replaced
        on identified.event_id = replaced.event_id
    where {{ written_again_by_run('identified.received_at') }}
    {%- endif %}
)

select * from final
