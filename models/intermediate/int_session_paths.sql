-- One row per session of int_sessions and step of its path (doc block session_path): the
-- session's events, consecutive repeats collapsed, each with the next step's event_name and the
-- person the session counts for. event_paths cuts the paths at var('path_max_steps') and adds
-- them up; every step is kept here, so changing that var needs no rebuild of this model.
-- Incremental on DuckDB (doc block incremental_consumers): a daily run deletes and writes again
-- only the paths of the sessions whose events changed since its last run. On Spark it is a table.
{{ config(**follows_identified_events('session_id')) }}
-- depends_on: {{ ref('int_events_identified_replaced') }}
{%- set changed = changed_since_stored('session_id') %}
with

-- The events and sessions to write: in a daily run, the sessions whose events changed.
events as (
    select
        event_id,
        session_id,
        event_name,
        occurred_at
    from {{ ref('int_events_identified') }}
    where {{ changed }}
),

sessions as (
    select
        session_id,
        stitched_user_id,
        anonymous_id
    from {{ ref('int_sessions') }}
    where {{ changed }}
),

previous_named as (
    select
        session_id,
        event_name,
        occurred_at,
        event_id,
        lag(event_name) over (
            partition by session_id
            order by occurred_at, event_id
        ) as previous_event_name
    from events
),

collapsed as (
    select
        session_id,
        event_name,
        row_number() over (
            partition by session_id
            order by occurred_at, event_id
        ) as path_step
    from previous_named
    where previous_event_name is null or previous_event_name != event_name
),

final as (
    select
        collapsed.session_id,
        cast(collapsed.path_step as integer) as step_number,
        collapsed.event_name,
        lead(collapsed.event_name) over (
            partition by collapsed.session_id
            order by collapsed.path_step
        ) as next_event_name,
        coalesce(
            sessions.stitched_user_id,
            {{ dbt.concat(["'anonymous:'", 'sessions.anonymous_id']) }},
            {{ dbt.concat(["'session:'", 'collapsed.session_id']) }}
        ) as person_id,
        {{ written_at() }} as written_at
    from collapsed
    inner join sessions
        on collapsed.session_id = sessions.session_id
)

select * from final
