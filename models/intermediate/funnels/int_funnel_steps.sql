-- One row per configured funnel step (seed funnels): what the step matches, the funnel's identity
-- mode (given on its step 1; 'user' when blank) and what its opening steps match (for the
-- dominated-start rule of int_funnel_step_events). A funnel without a step 1 is dropped.
with

funnel_steps as (
    select
        funnel_name,
        step_number,
        event_name,
        property_key,
        property_value,
        identity
    from {{ ref('funnels') }}
),

funnels as (
    select
        funnel_name,
        coalesce(identity, 'user') as identity_mode
    from funnel_steps
    where step_number = 1
),

openings as (
    select
        funnel_name,
        max(case when step_number = 1 then event_name end) as step_1_event_name,
        max(case when step_number = 1 and property_key is not null then 1 else 0 end) = 1 as is_step_1_filtered,
        max(case when step_number = 2 then event_name end) as step_2_event_name,
        max(case when event_name = '*' then 1 else 0 end) = 1 as has_any_event_step,
        max(case when property_key is not null then 1 else 0 end) = 1 as has_property_filter
    from funnel_steps
    group by funnel_name
),

final as (
    select
        funnel_steps.funnel_name,
        cast(funnel_steps.step_number as integer) as step_number,
        funnel_steps.event_name,
        funnel_steps.property_key,
        funnel_steps.property_value,
        funnels.identity_mode,
        openings.step_1_event_name,
        openings.is_step_1_filtered,
        openings.step_2_event_name,
        openings.has_any_event_step,
        openings.has_property_filter
    from funnel_steps
    inner join funnels
        on funnel_steps.funnel_name = funnels.funnel_name
    inner join openings
        on funnel_steps.funnel_name = openings.funnel_name
)

select * from final
