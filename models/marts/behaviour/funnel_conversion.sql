-- One row per funnel (seed funnels), breakdown, breakdown value and funnel step: the users
-- (identities) who reached the step, conversion rates and the median time to reach it.
-- Definition (also in _funnels__models.yml):
--   identity 'user': events with a user_id, per user_id; 'stitched': every event, per the event's
--   user_id, else the user its device maps to (int_identity_map), else the device itself
--   ('anonymous:<anonymous_id>'). Events are ordered by occurred_at, then event_id.
--   The step name '$first_visit' matches one event per identity: a marker at its earliest event
--   (its first visit), distinct from that event, so the first event may also be the next step.
--   Every step-1 event starts an attempt; step k is the earliest event matching step k at or
--   after step k-1's time (equal timestamps count as in order), other than step k-1's own event,
--   and at most var('funnel_conversion_window_days') days after the attempt's start (inclusive).
--   An identity counts at step k (per breakdown value) if any of its attempts reaches step k.
-- Each step is found for all attempts at once with funnel_next_candidate (ASOF join on DuckDB,
-- a window scan elsewhere): O(n log n) in events, never a join of an identity's events in pairs.
{%- set max_steps = var('funnel_max_steps') %}
{%- set window_days = var('funnel_conversion_window_days') %}
{%- set probe_columns = [
    'funnel_name', 'identity_id', 'started_at', 'session_id', 'reached_seq', 'probe_seq',
] %}
{#- Breakdowns besides 'overall'; var('funnel_breakdowns') narrows them (unit tests use []). #}
{%- set breakdowns = var('funnel_breakdowns', [
    'platform', 'acquisition_channel', 'utm_source', 'utm_medium', 'utm_campaign', 'value_tier', 'lifecycle_stage',
]) %}
{%- set session_breakdowns = ['platform', 'utm_source', 'utm_medium', 'utm_campaign']
    | select('in', breakdowns) | list %}
{%- set identity_breakdowns = ['acquisition_channel', 'value_tier', 'lifecycle_stage']
    | select('in', breakdowns) | list %}
with

funnel_steps as (
    select
        funnel_name,
        step_number,
        event_name,
        property_key,
        property_value,
        coalesce(identity, 'user') as identity_mode
    from {{ ref('funnels') }}
),

events as (
    select
        event_id,
        user_id,
        anonymous_id,
        session_id,
        event_name,
        occurred_at
    from {{ ref('fct_events') }}
),

filtered_step_names as (
    select distinct event_name
    from {{ ref('funnels') }}
    where property_key is not null
),

-- Properties are read only for events a step with a property filter may match (see step_events).
event_properties as (
    select
        fct_events.event_id,
        fct_events.properties
    from {{ ref('fct_events') }} as fct_events
    inner join filtered_step_names
        on fct_events.event_name = filtered_step_names.event_name or filtered_step_names.event_name = '*'
    where fct_events.properties is not null
),

identity_map as (
    select
        anonymous_id,
        user_id
    from {{ ref('int_identity_map') }}
    where is_stitched
),

sessions as (
    select
        session_id,
        platform,
        utm_source,
        utm_medium,
        utm_campaign
    from {{ ref('fct_sessions') }}
),

users as (
    select
        user_id,
        acquisition_channel
    from {{ ref('dim_users') }}
),

layers as (
    select
        user_id,
        value_tier,
        lifecycle_stage
    from {{ ref('user_layers') }}
),

-- The identity of a funnel is the one given on its step 1.
funnels as (
    select
        funnel_name,
        identity_mode
    from funnel_steps
    where step_number = 1
),

steps as (
    select
        funnel_steps.funnel_name,
        funnel_steps.step_number,
        funnel_steps.event_name,
        funnel_steps.property_key,
        funnel_steps.property_value,
        funnels.identity_mode
    from funnel_steps
    inner join funnels
        on funnel_steps.funnel_name = funnels.funnel_name
),

identity_modes as (
    select distinct identity_mode
    from funnels
),

-- Funnels with a '*' step need every event; the others only the events their steps name.
star_funnels as (
    select distinct funnel_name
    from steps
    where event_name = '*'
),

-- Funnels with a '$first_visit' step also need one marker per identity at its first event.
first_visit_funnels as (
    select distinct
        funnel_name,
        identity_mode
    from steps
    where event_name = '$first_visit'
),

funnel_event_names as (
    select distinct
        steps.funnel_name,
        steps.identity_mode,
        steps.event_name
    from steps
    left join star_funnels
        on steps.funnel_name = star_funnels.funnel_name
    where star_funnels.funnel_name is null and steps.event_name != '$first_visit'
),

funnels_with_star as (
    select
        funnels.funnel_name,
        funnels.identity_mode
    from funnels
    inner join star_funnels
        on funnels.funnel_name = star_funnels.funnel_name
),

-- Events per identity, for the identity modes the funnels use (a mode no funnel uses is skipped).
in_use as (
    select
        identity_modes.identity_mode,
        events.user_id as identity_id,
        events.event_id,
        events.session_id,
        events.event_name,
        events.occurred_at
    from events
    inner join identity_modes
        on identity_modes.identity_mode = 'user'
    where events.user_id is not null
    union all
    select
        identity_modes.identity_mode,
        coalesce(
            events.user_id,
            identity_map.user_id,
            {{ dbt.concat(["'anonymous:'", 'events.anonymous_id']) }}
        ) as identity_id,
        events.event_id,
        events.session_id,
        events.event_name,
        events.occurred_at
    from events
    inner join identity_modes
        on identity_modes.identity_mode = 'stitched'
    left join identity_map
        on events.anonymous_id = identity_map.anonymous_id
    where events.user_id is not null or events.anonymous_id is not null
),

first_visit_modes as (
    select distinct identity_mode
    from first_visit_funnels
),

-- The first visit of each identity (of an identity mode a '$first_visit' funnel uses): its
-- earliest event by occurred_at, then event_id. Found by aggregation, so no sort of all events.
first_visit_times as (
    select
        in_use.identity_mode,
        in_use.identity_id,
        min(in_use.occurred_at) as first_at
    from in_use
    inner join first_visit_modes
        on in_use.identity_mode = first_visit_modes.identity_mode
    group by in_use.identity_mode, in_use.identity_id
),

first_visit_ties as (
    select
        in_use.identity_mode,
        in_use.identity_id,
        in_use.session_id,
        in_use.occurred_at,
        row_number() over (
            partition by in_use.identity_mode, in_use.identity_id
            order by in_use.event_id
        ) as tie_rank
    from in_use
    inner join first_visit_times
        on
            in_use.identity_mode = first_visit_times.identity_mode
            and in_use.identity_id = first_visit_times.identity_id
            and in_use.occurred_at = first_visit_times.first_at
),

-- One row per funnel and event that may match one of its steps.
funnel_events as (
    select
        funnel_event_names.funnel_name,
        in_use.identity_id,
        in_use.event_id,
        in_use.session_id,
        in_use.event_name,
        in_use.occurred_at
    from in_use
    inner join funnel_event_names
        on
            in_use.identity_mode = funnel_event_names.identity_mode
            and in_use.event_name = funnel_event_names.event_name
    union all
    select
        funnels_with_star.funnel_name,
        in_use.identity_id,
        in_use.event_id,
        in_use.session_id,
        in_use.event_name,
        in_use.occurred_at
    from in_use
    inner join funnels_with_star
        on in_use.identity_mode = funnels_with_star.identity_mode
    union all
    select
        first_visit_funnels.funnel_name,
        first_visit_ties.identity_id,
        '$first_visit' as event_id,
        first_visit_ties.session_id,
        '$first_visit' as event_name,
        first_visit_ties.occurred_at
    from first_visit_ties
    inner join first_visit_funnels
        on first_visit_ties.identity_mode = first_visit_funnels.identity_mode
    where first_visit_ties.tie_rank = 1
),

-- event_seq orders a funnel's events of an identity by (occurred_at, event_id); tie_seq is the
-- event_seq of the first of them with the same occurred_at, so "at or after time t" is
-- "event_seq >= tie_seq of the event at t".
sequenced as (
    select
        funnel_name,
        identity_id,
        event_id,
        session_id,
        event_name,
        occurred_at,
        row_number() over (
            partition by funnel_name, identity_id
            order by occurred_at, event_id
        ) as event_seq,
        rank() over (
            partition by funnel_name, identity_id
            order by occurred_at
        ) as tie_seq,
        lead(session_id) over (
            partition by funnel_name, identity_id
            order by occurred_at, event_id
        ) as next_session_id,
        lead(event_name) over (
            partition by funnel_name, identity_id
            order by occurred_at, event_id
        ) as next_event_name,
        lead(occurred_at) over (
            partition by funnel_name, identity_id
            order by occurred_at, event_id
        ) as next_occurred_at
    from funnel_events
),

-- What each funnel's steps 1 and 2 match, for the dominated-start rule below.
funnel_openings as (
    select
        funnel_name,
        max(case when step_number = 1 then event_name end) as step_1_event_name,
        max(case when step_number = 1 and property_key is not null then 1 else 0 end) as step_1_filtered,
        max(case when step_number = 2 then event_name end) as step_2_event_name
    from steps
    group by funnel_name
),

-- A start is dominated when the identity's next event (in this order) is in the same session, at
-- a later time, matches step 1 (so starts an attempt too) and cannot match step 2, and no
-- earlier event shares this event's time. Both attempts then find the same step-2 event and the
-- same path after it, and the later one, in the same session, has the later window and the
-- shorter times: skipping the dominated start changes no count and no median. With repeated
-- step-1 events (many product views in a visit, or '*') most starts are skipped.
flagged as (
    select
        sequenced.funnel_name,
        sequenced.identity_id,
        sequenced.event_id,
        sequenced.session_id,
        sequenced.event_name,
        sequenced.occurred_at,
        sequenced.event_seq,
        sequenced.tie_seq,
        coalesce(
            sequenced.next_session_id = sequenced.session_id
            and sequenced.next_occurred_at > sequenced.occurred_at
            and sequenced.tie_seq = sequenced.event_seq
            and funnel_openings.step_1_filtered = 0
            and (
                funnel_openings.step_1_event_name = '*'
                or sequenced.next_event_name = funnel_openings.step_1_event_name
            )
            and coalesce(funnel_openings.step_2_event_name, '') != '*'
            and sequenced.next_event_name != coalesce(funnel_openings.step_2_event_name, ''),
            false
        ) as is_dominated_start
    from sequenced
    inner join funnel_openings
        on sequenced.funnel_name = funnel_openings.funnel_name
),

-- One row per funnel step and event matching it ('*' matches any event).
step_matches as (
    select
        steps.funnel_name,
        steps.step_number,
        steps.property_key,
        steps.property_value,
        flagged.identity_id,
        flagged.event_id,
        flagged.event_seq,
        flagged.tie_seq,
        flagged.occurred_at,
        flagged.session_id,
        flagged.is_dominated_start
    from flagged
    inner join steps
        on
            flagged.funnel_name = steps.funnel_name
            and flagged.event_name = steps.event_name
    where steps.event_name != '*'
    union all
    select
        steps.funnel_name,
        steps.step_number,
        steps.property_key,
        steps.property_value,
        flagged.identity_id,
        flagged.event_id,
        flagged.event_seq,
        flagged.tie_seq,
        flagged.occurred_at,
        flagged.session_id,
        flagged.is_dominated_start
    from flagged
    inner join steps
        on flagged.funnel_name = steps.funnel_name
    where steps.event_name = '*'
),

step_events as (
    select
        funnel_name,
        step_number,
        identity_id,
        event_seq,
        tie_seq,
        occurred_at,
        session_id,
        is_dominated_start
    from step_matches
    where property_key is null
    union all
    select
        step_matches.funnel_name,
        step_matches.step_number,
        step_matches.identity_id,
        step_matches.event_seq,
        step_matches.tie_seq,
        step_matches.occurred_at,
        step_matches.session_id,
        step_matches.is_dominated_start
    from step_matches
    inner join event_properties
        on step_matches.event_id = event_properties.event_id
    where
        step_matches.property_key is not null
        and {{ json_extract_text('event_properties.properties', 'step_matches.property_key') }}
        = step_matches.property_value
),

-- Step 1: every matching event starts an attempt.
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
        select *
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
session_steps as (
    select
        funnel_name,
        identity_id,
        session_id,
        step_number,
        min(seconds_to_convert) as seconds_to_convert
    from attempt_steps
    group by funnel_name, identity_id, session_id, step_number
),

session_steps_attributed as (
    select
        session_steps.funnel_name,
        session_steps.identity_id,
        session_steps.step_number,
        {%- for column in session_breakdowns %}
            coalesce(sessions.{{ column }}, '(none)') as {{ column }},
        {%- endfor %}
        session_steps.seconds_to_convert
    from session_steps
    left join sessions
        on session_steps.session_id = sessions.session_id
),

identity_steps as (
    select
        funnel_name,
        identity_id,
        step_number,
        min(seconds_to_convert) as seconds_to_convert
    from session_steps
    group by funnel_name, identity_id, step_number
),

identity_steps_attributed as (
    select
        identity_steps.funnel_name,
        identity_steps.identity_id,
        identity_steps.step_number,
        identity_steps.seconds_to_convert,
        coalesce(users.acquisition_channel, '(none)') as acquisition_channel,
        coalesce(layers.value_tier, '(none)') as value_tier,
        coalesce(layers.lifecycle_stage, '(none)') as lifecycle_stage
    from identity_steps
    left join users
        on identity_steps.identity_id = users.user_id
    left join layers
        on identity_steps.identity_id = layers.user_id
),

-- One row per funnel, breakdown value, identity and step reached: the fastest attempt.
breakdown_steps as (
    select
        funnel_name,
        'overall' as breakdown,
        'overall' as breakdown_value,
        identity_id,
        step_number,
        seconds_to_convert
    from identity_steps
    {%- for column in identity_breakdowns %}
        union all
        select
            funnel_name,
            '{{ column }}' as breakdown,
            {{ column }} as breakdown_value,
            identity_id,
            step_number,
            seconds_to_convert
        from identity_steps_attributed
    {%- endfor %}
    {%- for column in session_breakdowns %}
        union all
        select
            funnel_name,
            '{{ column }}' as breakdown,
            {{ column }} as breakdown_value,
            identity_id,
            step_number,
            min(seconds_to_convert) as seconds_to_convert
        from session_steps_attributed
        group by funnel_name, {{ column }}, identity_id, step_number
    {%- endfor %}
),

step_counts as (
    select
        funnel_name,
        breakdown,
        breakdown_value,
        step_number,
        count(*) as users,  -- noqa: RF04
        {{ median('seconds_to_convert') }} as median_seconds_to_convert
    from breakdown_steps
    group by funnel_name, breakdown, breakdown_value, step_number
),

-- Every step of the funnel for every breakdown value seen at step 1 (zero when nobody reached it).
grid as (
    select
        first_steps.funnel_name,
        first_steps.breakdown,
        first_steps.breakdown_value,
        first_steps.users as start_users,
        steps.step_number,
        steps.event_name,
        steps.identity_mode
    from step_counts as first_steps
    inner join steps
        on first_steps.funnel_name = steps.funnel_name
    where first_steps.step_number = 1
),

counted as (
    select
        grid.funnel_name,
        grid.identity_mode,
        grid.breakdown,
        grid.breakdown_value,
        grid.step_number,
        grid.event_name,
        grid.start_users,
        coalesce(step_counts.users, 0) as users,  -- noqa: RF04
        step_counts.median_seconds_to_convert
    from grid
    left join step_counts
        on
            grid.funnel_name = step_counts.funnel_name
            and grid.breakdown = step_counts.breakdown
            and grid.breakdown_value = step_counts.breakdown_value
            and grid.step_number = step_counts.step_number
),

with_previous as (
    select
        *,
        lag(users) over (
            partition by funnel_name, breakdown, breakdown_value
            order by step_number
        ) as previous_users
    from counted
),

final as (
    select
        funnel_name,
        identity_mode,
        breakdown,
        breakdown_value,
        cast(step_number as integer) as step_number,
        event_name,
        cast(users as {{ dbt.type_bigint() }}) as users,  -- noqa: RF04
        cast(users * 1.0 / start_users as double) as conversion_from_start,
        cast(
            case
                when previous_users is null then 1.0
                when previous_users > 0 then users * 1.0 / previous_users
            end as double
        ) as conversion_from_previous,
        cast(median_seconds_to_convert as double) as median_seconds_to_convert
    from with_previous
)

select * from final
