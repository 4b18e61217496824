-- One row per funnel (seed funnels), breakdown, breakdown value and funnel step: the users
-- (identities) who reached the step, conversion rates and the median time to reach it.
-- The funnel itself is found upstream, in models/intermediate/funnels/: int_funnel_steps (the
-- configured steps), int_funnel_step_events (each identity's events matching each step, in
-- order) and int_funnel_attempt_steps (the steps each attempt reaches, fastest per identity and
-- start session), published with the start session's landing attributes as
-- fct_funnel_attempt_steps, which this model reads. Definitions in
-- _funnels__models.yml. This model only breaks the identities down and rates them:
--   an identity counts at step k (per breakdown value) if any of its attempts reaches step k;
--   session breakdowns take the value of the attempt's start session, identity breakdowns the
--   user's; median_seconds_to_convert is the median of each identity's fastest attempt.
{#- Breakdowns besides 'overall'; var('funnel_breakdowns') narrows them (unit tests use []). #}
{%- set breakdowns = var('funnel_breakdowns', [
    'platform', 'acquisition_channel', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
    'value_tier', 'lifecycle_stage',
]) %}
{%- set session_breakdowns = ['platform', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term']
    | select('in', breakdowns) | list %}
{%- set identity_breakdowns = ['acquisition_channel', 'value_tier', 'lifecycle_stage']
    | select('in', breakdowns) | list %}
with

session_steps as (
    select
        funnel_name,
        identity_id,
        session_id,
        step_number,
        seconds_to_convert,
        platform,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term
    from {{ ref('fct_funnel_attempt_steps') }}
),

steps as (
    select
        funnel_name,
        step_number,
        event_name,
        identity_mode
    from {{ ref('int_funnel_steps') }}
),

users as (
    select
        user_id,
        acquisition_channel
    from {{ ref('user_acquisition') }}
),

layers as (
    select
        user_id,
        value_tier,
        lifecycle_stage
    from {{ ref('user_layers') }}
),

session_steps_attributed as (
    select
        session_steps.funnel_name,
        session_steps.identity_id,
        session_steps.step_number,
        {%- for column in session_breakdowns %}
            coalesce(session_steps.{{ column }}, '(none)') as {{ column }},
        {%- endfor %}
        session_steps.seconds_to_convert
    from session_steps
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
        cast(users as double) / start_users as conversion_from_start,
        cast(
            case
                when previous_users is null then 1.0
                when previous_users > 0 then cast(users as double) / previous_users
            end as double
        ) as conversion_from_previous,
        cast(median_seconds_to_convert as double) as median_seconds_to_convert
    from with_previous
)

select * from final
