-- One row per funnel step and event of an identity matching it: the events an attempt may reach
-- the step with, numbered in the identity's order, with the dominated-start flag. Identity (the
-- funnel's identity mode): 'user' is the event's user_id (anonymous events are left out);
-- 'stitched' is the event's stitched_user_id (int_events_identified), else the device itself
-- ('anonymous:<anonymous_id>'). A funnel with a '*' step takes every event of the identity, the
-- others only the event names their steps name. A funnel with a '$first_visit' step also gets one
-- marker per identity (event_id and event_name '$first_visit') at its first visit: its earliest
-- event by occurred_at, then event_id; the marker is distinct from that event. properties are
-- carried only for funnels with a property filter.
-- Incremental on DuckDB (doc block incremental_funnels): an identity's rows depend only on its
-- events and the funnel definitions, so a daily run deletes and writes again only the rows of the
-- identities whose events changed since its last run (all of them when the definitions changed).
-- On Spark it is a table.
{{ config(**follows_identified_events('identity_id', "{{ forget_changed_funnel_identities() }}")) }}
-- depends_on: {{ ref('int_events_identified_replaced') }}
{#-
    Events per identity, for the identity modes the funnels use (a mode no funnel uses is
    skipped); identity_id is null for an event without one (anonymous in mode 'user'). Written
    out as a subquery where it is read, not as a CTE: DuckDB materializes a CTE that is read more
    than once, and this one is every event once per identity mode, properties included (at a
    million users, hundreds of millions of rows written to disk). Each reader takes only the
    columns it needs from int_events_identified.
    A daily run reads only the events of the changed identities (changed_funnel_identities on the
    event's stitched identity, which is also its user_id when it has one): a fraction of the
    events, kept once in the CTE changed_events, so the three readers do not each scan and filter
    every event (at 200k users 2 s instead of 5.6). A full build, and Spark, where the model is a
    table, read int_events_identified itself (the condition is then 1 = 1).
-#}
{%- set changed_condition = changed_funnel_identities(stitched_identity('events.')) | trim %}
{%- set reads_changed_events = changed_condition != '1 = 1' %}
{%- set identity_id -%}
    case identity_modes.identity_mode
        when 'user' then events.user_id
        when 'stitched' then {{ stitched_identity('events.') }}
    end
{%- endset %}
{%- set identity_events -%}
    (
        select
            identity_modes.identity_mode,
            {{ identity_id }} as identity_id,
            events.event_id,
            events.session_id,
            events.event_name,
            events.occurred_at,
            events.properties
        from {{ 'changed_events' if reads_changed_events else ref('int_events_identified') }} as events
        cross join identity_modes
    ) as identity_events
{%- endset %}

with

{% if reads_changed_events %}
    -- A daily run: the events of the identities changed since the last run.
    changed_events as materialized (
        select
            events.user_id,
            events.stitched_user_id,
            events.anonymous_id,
            events.event_id,
            events.session_id,
            events.event_name,
            events.occurred_at,
            events.properties
        from {{ ref('int_events_identified') }} as events
        where {{ changed_condition }}
    ),
{% endif %}

-- The steps, for matching events to them (the last CTE).
steps as (
    select
        funnel_name,
        step_number,
        event_name,
        property_key,
        property_value
    from {{ ref('int_funnel_steps') }}
),

-- One row per funnel: its identity mode and what its steps need.
funnels as (
    select
        funnel_name,
        identity_mode,
        step_1_event_name,
        is_step_1_filtered,
        step_2_event_name,
        has_any_event_step,
        has_property_filter
    from {{ ref('int_funnel_steps') }}
    where step_number = 1
),

identity_modes as (
    select distinct identity_mode
    from funnels
),

first_visit_funnels as (
    select distinct
        funnel_name,
        identity_mode
    from {{ ref('int_funnel_steps') }}
    where event_name = '$first_visit'
),

first_visit_modes as (
    select distinct identity_mode
    from first_visit_funnels
),

-- The event names each funnel without a '*' step needs ('$first_visit' is a marker, not an event).
funnel_event_names as (
    select distinct
        funnel_name,
        identity_mode,
        event_name,
        has_property_filter
    from {{ ref('int_funnel_steps') }}
    where not has_any_event_step and event_name != '$first_visit'
),

-- The first visit of each identity (of a mode a '$first_visit' funnel uses): found by
-- aggregation, then the smallest event_id among its events at that time, so no sort of all events.
first_visit_times as (
    select
        identity_events.identity_mode,
        identity_events.identity_id,
        min(identity_events.occurred_at) as first_at
    from {{ identity_events }}
    inner join first_visit_modes
        on identity_events.identity_mode = first_visit_modes.identity_mode
    where identity_events.identity_id is not null
    group by identity_events.identity_mode, identity_events.identity_id
),

first_visits as (
    select
        identity_events.identity_mode,
        identity_events.identity_id,
        identity_events.session_id,
        identity_events.occurred_at,
        row_number() over (
            partition by identity_events.identity_mode, identity_events.identity_id
            order by identity_events.event_id
        ) as tie_rank
    from {{ identity_events }}
    inner join first_visit_times
        on
            identity_events.identity_mode = first_visit_times.identity_mode
            and identity_events.identity_id = first_visit_times.identity_id
            and identity_events.occurred_at = first_visit_times.first_at
),

-- One row per funnel and event that may match one of its steps: the events it names, every
-- event for a funnel with a '*' step, and the first-visit markers.
funnel_events as (
    select
        funnel_event_names.funnel_name,
        identity_events.identity_id,
        identity_events.event_id,
        identity_events.session_id,
        identity_events.event_name,
        identity_events.occurred_at,
        case when funnel_event_names.has_property_filter then identity_events.properties end as properties
    from {{ identity_events }}
    inner join funnel_event_names
        on
            identity_events.identity_mode = funnel_event_names.identity_mode
            and identity_events.event_name = funnel_event_names.event_name
    where identity_events.identity_id is not null
    union all
    select
        funnels.funnel_name,
        identity_events.identity_id,
        identity_events.event_id,
        identity_events.session_id,
        identity_events.event_name,
        identity_events.occurred_at,
        case when funnels.has_property_filter then identity_events.properties end as properties
    from {{ identity_events }}
    inner join funnels
        on identity_events.identity_mode = funnels.identity_mode
    where funnels.has_any_event_step and identity_events.identity_id is not null
    union all
    select
        first_visit_funnels.funnel_name,
        first_visits.identity_id,
        '$first_visit' as event_id,
        first_visits.session_id,
        '$first_visit' as event_name,
        first_visits.occurred_at,
        null as properties
    from first_visits
    inner join first_visit_funnels
        on first_visits.identity_mode = first_visit_funnels.identity_mode
    where first_visits.tie_rank = 1
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
        properties,
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

-- A start is dominated when the identity's next event (in this order) is in the same session, at
-- a later time, matches step 1 (so starts an attempt too) and cannot match step 2, and no
-- earlier event shares this event's time. Both attempts then find the same step-2 event and the
-- same path after it, and the later one, in the same session, has the later window and the
-- shorter times: skipping the dominated start changes no count and no median. With repeated
-- step-1 events (many product views in a visit, or '*') most starts are skipped.
ordered_events as (
    select
        sequenced.funnel_name,
        sequenced.identity_id,
        cast(sequenced.event_seq as {{ dbt.type_bigint() }}) as event_seq,
        cast(sequenced.tie_seq as {{ dbt.type_bigint() }}) as tie_seq,
        sequenced.event_id,
        sequenced.session_id,
        sequenced.event_name,
        sequenced.occurred_at,
        coalesce(
            sequenced.next_session_id = sequenced.session_id
            and sequenced.next_occurred_at > sequenced.occurred_at
            and sequenced.tie_seq = sequenced.event_seq
            and not funnels.is_step_1_filtered
            and (
                funnels.step_1_event_name = '*'
                or sequenced.next_event_name = funnels.step_1_event_name
            )
            and coalesce(funnels.step_2_event_name, '') != '*'
            and sequenced.next_event_name != coalesce(funnels.step_2_event_name, ''),
            false
        ) as is_dominated_start,
        sequenced.properties
    from sequenced
    inner join funnels
        on sequenced.funnel_name = funnels.funnel_name
),

-- A step matches an event of its funnel with the step's event_name ('*' matches any event,
-- '$first_visit' the first-visit marker) and, when the step has a property filter, whose JSON
-- properties hold property_value at property_key (compared as text).
final as (
    select
        steps.funnel_name,
        steps.step_number,
        ordered_events.identity_id,
        ordered_events.event_seq,
        ordered_events.tie_seq,
        ordered_events.occurred_at,
        ordered_events.session_id,
        ordered_events.is_dominated_start,
        {{ funnel_definition_hash() }} as funnel_definition_hash,
        {{ written_at() }} as written_at
    from ordered_events
    inner join steps
        on
            ordered_events.funnel_name = steps.funnel_name
            and (steps.event_name = '*' or ordered_events.event_name = steps.event_name)
    where
        steps.property_key is null
        or {{ json_extract_text('ordered_events.properties', 'steps.property_key') }} = steps.property_value
)

select * from final
