-- One row per funnel, identity, start session and step reached by an attempt started in that
-- session (int_funnel_attempt_steps, published), with the start session's date and landing
-- attributes (platform, UTM; null when the session has none) and whether the step is the funnel's
-- last: the fact rows behind the semantic layer's funnel metrics. funnel_conversion counts these
-- rows (an identity counts at step k when any of its attempts reaches it).
with

attempt_steps as (
    select
        funnel_name,
        identity_id,
        session_id,
        step_number,
        seconds_to_convert
    from {{ ref('int_funnel_attempt_steps') }}
),

funnel_steps as (
    select
        funnel_name,
        max(step_number) as last_step_number
    from {{ ref('int_funnel_steps') }}
    group by funnel_name
),

sessions as (
    select
        session_id,
        session_date,
        platform,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term
    from {{ ref('fct_sessions') }}
),

final as (
    select
        attempt_steps.funnel_name,
        attempt_steps.identity_id,
        attempt_steps.session_id,
        sessions.session_date,
        sessions.platform,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.utm_content,
        sessions.utm_term,
        cast(attempt_steps.step_number as integer) as step_number,
        attempt_steps.step_number = funnel_steps.last_step_number as is_last_step,
        cast(attempt_steps.seconds_to_convert as double) as seconds_to_convert
    from attempt_steps
    inner join funnel_steps
        on attempt_steps.funnel_name = funnel_steps.funnel_name
    inner join sessions
        on attempt_steps.session_id = sessions.session_id
)

select * from final
