-- One row per acquisition channel and registration month (reporting time zone): the quality of
-- the users a channel brought (doc block channel_quality): activation (a first valid order within
-- 30 x 24 hours), junk sign-ups (no logged-in activity day in the 7 days after the registration
-- day), paid or organic (the channel has marketing spend), and the behaviour_tier mix of the
-- registrants 30 and 90 days after registering (the first user_layer_history snapshot on or
-- after registered_date + N days).
{%- set tiers = ['heavy', 'normal', 'potential', 'churned'] %}
with

registrants as (
    select
        user_id,
        acquisition_channel,
        registered_date,
        cast({{ dbt.date_trunc('month', 'registered_date') }} as date) as month_date,
        seconds_to_first_order,
        as_of_date
    from {{ ref('int_user_activation') }}
),

activity_days as (
    select
        user_id,
        activity_date
    from {{ ref('int_user_activity_days') }}
),

spend_rows as (
    select channel
    from {{ ref('stg_raw__marketing_spend') }}
    where quarantine_reason is null and spend_amount > 0
),

history as (
    select
        as_of_date,
        user_id,
        behaviour_tier
    from {{ ref('user_layer_history') }}
),

paid_channels as (
    select distinct channel as acquisition_channel from spend_rows
),

snapshot_dates as (
    select distinct as_of_date from history
),

early_activity as (
    select distinct registrants.user_id
    from registrants
    inner join activity_days
        on
            registrants.user_id = activity_days.user_id
            and registrants.registered_date < activity_days.activity_date
            and activity_days.activity_date
            <= {{ dbt.dateadd('day', var('junk_signup_days'), 'registrants.registered_date') }}
),

-- Each registrant's layer N days in: the first snapshot on or after registered_date + N days.
layer_checkpoints as (
    {% for days in [30, 90] -%}
        select
            registrants.user_id,
            {{ days }} as days_after,
            min(snapshot_dates.as_of_date) as snapshot_date
        from registrants
        inner join snapshot_dates
            on {{ dbt.dateadd('day', days, 'registrants.registered_date') }} <= snapshot_dates.as_of_date
        group by registrants.user_id
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

later_layers as (
    select
        layer_checkpoints.user_id,
        layer_checkpoints.days_after,
        history.behaviour_tier
    from layer_checkpoints
    inner join history
        on
            layer_checkpoints.snapshot_date = history.as_of_date
            and layer_checkpoints.user_id = history.user_id
),

per_user as (
    select
        registrants.user_id,
        registrants.acquisition_channel,
        registrants.month_date,
        registrants.as_of_date,
        coalesce(registrants.seconds_to_first_order < 30 * 86400, false) as is_activated_30d,
        early_activity.user_id is null as is_junk_signup,
        layers_30d.behaviour_tier as behaviour_tier_30d,
        layers_90d.behaviour_tier as behaviour_tier_90d
    from registrants
    left join early_activity
        on registrants.user_id = early_activity.user_id
    left join later_layers as layers_30d
        on registrants.user_id = layers_30d.user_id and layers_30d.days_after = 30
    left join later_layers as layers_90d
        on registrants.user_id = layers_90d.user_id and layers_90d.days_after = 90
),

per_cohort as (
    select
        acquisition_channel,
        month_date,
        max(as_of_date) as as_of_date,
        count(*) as registrants,
        sum(case when is_activated_30d then 1 else 0 end) as activated_30d_users,
        sum(case when is_junk_signup then 1 else 0 end) as junk_signups,
        {% for days in [30, 90] -%}
            sum(case when behaviour_tier_{{ days }}d is not null then 1 else 0 end) as layered_{{ days }}d_users,
            {% for tier in tiers -%}
                sum(case when behaviour_tier_{{ days }}d = '{{ tier }}' then 1 else 0 end)
                    as {{ tier }}_{{ days }}d_users
                {%- if not (loop.last and days == 90) %},{% endif %}
            {% endfor %}
        {%- endfor %}
    from per_user
    group by acquisition_channel, month_date
),

final as (
    select
        per_cohort.acquisition_channel,
        per_cohort.month_date,
        paid_channels.acquisition_channel is not null as is_paid_channel,
        cast(per_cohort.registrants as {{ dbt.type_bigint() }}) as registrants,
        cast(per_cohort.activated_30d_users as {{ dbt.type_bigint() }}) as activated_30d_users,
        cast(per_cohort.activated_30d_users * 1.0 / per_cohort.registrants as double) as activation_30d_rate,
        cast(per_cohort.junk_signups as {{ dbt.type_bigint() }}) as junk_signups,
        cast(per_cohort.junk_signups * 1.0 / per_cohort.registrants as double) as junk_signup_rate,
        {% for days in [30, 90] -%}
            cast(per_cohort.layered_{{ days }}d_users as {{ dbt.type_bigint() }}) as layered_{{ days }}d_users,
            {% for tier in tiers -%}
                cast(
                    per_cohort.{{ tier }}_{{ days }}d_users * 1.0 / nullif(per_cohort.layered_{{ days }}d_users, 0)
                    as double
                ) as {{ tier }}_{{ days }}d_share,
            {% endfor %}
        {%- endfor %}
        {{ dbt.dateadd('day', [30, var('junk_signup_days')] | max, dbt.last_day('per_cohort.month_date', 'month')) }}
        <= per_cohort.as_of_date as is_window_complete
    from per_cohort
    left join paid_channels
        on per_cohort.acquisition_channel = paid_channels.acquisition_channel
)

select * from final
