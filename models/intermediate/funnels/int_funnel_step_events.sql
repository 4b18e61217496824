-- One row per funnel step and event matching it (int_funnel_events): the events an attempt may
-- reach the step with. A step matches an event of its funnel with the step's event_name ('*'
-- matches any event, '$first_visit' the first-visit marker) and, when the step has a property
-- filter, whose JSON properties hold property_value at property_key (compared as text).
with

funnel_events as (
    select
        funnel_name,
        identity_id,
        event_seq,
        tie_seq,
        session_id,
        event_name,
        occurred_at,
        is_dominated_start,
        properties
    from {{ ref('int_funnel_events') }}
),

steps as (
    select
        funnel_name,
        step_number,
        event_name,
        property_key,
        property_value
    from {{ ref('int_funnel_steps') }}
),

final as (
    select
        steps.funnel_name,
        steps.step_number,
        funnel_events.identity_id,
        funnel_events.event_seq,
        funnel_events.tie_seq,
        funnel_events.occurred_at,
        funnel_events.session_id,
        funnel_events.is_dominated_start
    from funnel_events
    inner join steps
        on
            funnel_events.funnel_name = steps.funnel_name
            and (steps.event_name = '*' or funnel_events.event_name = steps.event_name)
    where
        steps.property_key is null
        or {{ json_extract_text('funnel_events.properties', 'steps.property_key') }} = steps.property_value
)

select * from final
