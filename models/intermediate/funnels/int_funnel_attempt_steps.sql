-- One row per funnel, identity, start session and step some attempt started in that session
-- reaches: the fastest such attempt's seconds from its start to the step.
-- Every step-1 event that is not a dominated start (int_funnel_step_events) starts an attempt in its
-- session. Step k is the earliest event matching step k at or after step k-1's time (equal
-- timestamps count as in order), other than step k-1's own event, and at most
-- var('funnel_conversion_window_days') days after the attempt's start (inclusive); the earliest
-- is taken, so when it lies outside the window the attempt stops there.
-- Each step is found for all attempts at once with funnel_next_candidate (ASOF join on DuckDB,
-- a window scan elsewhere): O(n log n) in events, never a join of an identity's events in pairs.
-- Incremental on DuckDB (doc block incremental_funnels), as int_funnel_step_events: a daily run
-- writes again only the rows of the identities whose events changed since its last run.
{{ config(**follows_identified_events('identity_id', "{{ forget_changed_funnel_identities() }}")) }}
-- depends_on: {{ ref('int_events_identified_replaced') }}
-- depends_on: {{ ref('int_events_identified') }}
{%- set max_steps = var('funnel_max_steps') %}
{%- set window_days = var('funnel_conversion_window_days') %}
{%- set probe_columns = [
    'funnel_name', 'identity_id', 'started_at', 'session_id', 'reached_seq', 'probe_seq',
] %}
with

step_events as (
    select
        step_events.funnel_name,
        step_events.step_number,
        step_events.identity_id,
        step_events.event_seq,
        step_events.tie_seq,
        step_events.occurred_at,
        step_events.session_id,
        step_events.is_dominated_start
    from {{ ref('int_funnel_step_events') }} as step_events
    {{ changed_funnel_identities('step_events.identity_id', join=true) }}
),

-- Step 1: every matching event that is not a dominated start starts an attempt.
reached_1 as (
    select
        funnel_name,
        identity_id,
        occurred_at as started_at,
        session_id,
        event_seq as reached_seq,
        tie_seq as probe_seq,
        occurred_at as reached_at
    from step_events
    where step_number = 1 and not is_dominated_start
),
{%- for step in range(2, max_steps + 1) %}

    -- Step {{ step }}'s events, each with the next one (when the first is step {{ step - 1 }}'s own event).
    candidates_{{ step }} as (
        select
            funnel_name,
            identity_id,
            event_seq,
            tie_seq,
            occurred_at,
            lead(event_seq) over (partition by funnel_name, identity_id order by event_seq) as next_seq,
            lead(tie_seq) over (partition by funnel_name, identity_id order by event_seq) as next_tie_seq,
            lead(occurred_at) over (partition by funnel_name, identity_id order by event_seq) as next_at
        from step_events
        where step_number = {{ step }}
    ),

    matched_{{ step }} as (
        {{ funnel_next_candidate('reached_' ~ (step - 1), 'candidates_' ~ step, probe_columns) | indent(4) }}
    ),

    -- The candidate, or the one after it when the candidate is step {{ step - 1 }}'s own event.
    stepped_{{ step }} as (
        select
            funnel_name,
            identity_id,
            started_at,
            session_id,
            case when candidate_seq = reached_seq then candidate_next_seq else candidate_seq end as reached_seq,
            case
                when candidate_seq = reached_seq then candidate_next_tie_seq else candidate_tie_seq
            end as probe_seq,
            case when candidate_seq = reached_seq then candidate_next_at else candidate_at end as reached_at
        from matched_{{ step }}
    ),

    reached_{{ step }} as (
        select
            funnel_name,
            identity_id,
            started_at,
            session_id,
            reached_seq,
            probe_seq,
            reached_at
        from stepped_{{ step }}
        where reached_at <= {{ dbt.dateadd('day', window_days, 'started_at') }}
    ),
{%- endfor %}

attempt_steps as (
    {%- for step in range(1, max_steps + 1) %}
        select
            funnel_name,
            identity_id,
            session_id,
            {{ step }} as step_number,
            {{ dbt.datediff('started_at', 'reached_at', 'second') }} as seconds_to_convert  -- noqa: LT05
        from reached_{{ step }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

-- Fastest attempt per identity, start session and step.
fastest as (
    select
        funnel_name,
        identity_id,
        session_id,
        cast(step_number as integer) as step_number,
        min(seconds_to_convert) as seconds_to_convert
    from attempt_steps
    group by funnel_name, identity_id, session_id, step_number
),

final as (
    select
        funnel_name,
        identity_id,
        session_id,
        step_number,
        seconds_to_convert,
        {{ funnel_definition_hash() }} as funnel_definition_hash,
        {{ written_at() }} as written_at
    from fastest
)

select * from final
