-- One row per path step number and edge (from_event -> to_event): how many sessions (and
-- distinct users) take that edge at that step, for a Sankey of the first
-- var('path_max_steps') steps of each session.
-- A session's steps are its events of fct_events in (occurred_at, event_id) order with
-- consecutive repeats collapsed (page_view, page_view, search -> page_view, search). Edge
-- step_number n joins step n to step n + 1; a session with fewer than path_max_steps steps ends
-- with an edge from its last step to '(exit)'. users counts distinct people: the session's
-- stitched_user_id (fct_sessions), else its device, else the session itself.
{%- set max_steps = var('path_max_steps') %}
with

events as (
    select
        event_id,
        session_id,
        event_name,
        occurred_at
    from {{ ref('fct_events') }}
),

sessions as (
    select
        session_id,
        stitched_user_id,
        anonymous_id
    from {{ ref('fct_sessions') }}
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

steps as (
    select
        session_id,
        event_name,
        path_step,
        lead(event_name) over (
            partition by session_id
            order by path_step
        ) as next_event_name
    from collapsed
    where path_step <= {{ max_steps }}
),

edges as (
    select
        steps.session_id,
        steps.path_step as step_number,
        steps.event_name as from_event,
        coalesce(steps.next_event_name, '(exit)') as to_event,
        coalesce(
            sessions.stitched_user_id,
            {{ dbt.concat(["'anonymous:'", 'sessions.anonymous_id']) }},
            {{ dbt.concat(["'session:'", 'steps.session_id']) }}
        ) as person_id
    from steps
    inner join sessions
        on steps.session_id = sessions.session_id
    where steps.path_step < {{ max_steps }} or steps.next_event_name is not null
),

total as (
    select count(*) as total_sessions
    from sessions
),

final as (
    select
        cast(edges.step_number as integer) as step_number,
        edges.from_event,
        edges.to_event,
        cast(count(*) as {{ dbt.type_bigint() }}) as sessions,
        cast(count(distinct edges.person_id) as {{ dbt.type_bigint() }}) as users,  -- noqa: RF04
        cast(count(*) as double) / max(total.total_sessions) as session_share
    from edges
    cross join total
    group by edges.step_number, edges.from_event, edges.to_event
)

select * from final
