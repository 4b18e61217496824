-- One row per path step number and edge (from_event -> to_event): how many sessions (and
-- distinct users) take that edge at that step, for a Sankey of the first
-- var('path_max_steps') steps of each session (doc block session_path). Each session's steps and
-- the person it counts for are in int_session_paths: step n < path_max_steps is the edge from
-- step n to the next step, or to '(exit)' when there is none.
with

edges as (
    select
        step_number,
        event_name as from_event,
        coalesce(next_event_name, '(exit)') as to_event,
        person_id
    from {{ ref('int_session_paths') }}
    where step_number < {{ var('path_max_steps') }}
),

total as (
    select count(*) as total_sessions
    from {{ ref('fct_sessions') }}
),

final as (
    select
        edges.step_number,
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
