-- One row per registration week (Monday, reporting time zone) and acquisition channel, and per
-- week overall (acquisition_channel 'all'): how many of the week's registrants placed a first
-- valid order within 1, 7 and 30 days of registering (doc block new_user_activation).
with

registrants as (
    select * from {{ ref('int_user_activation') }}
),

as_of as (
    select max(as_of_date) as as_of_date from registrants
),

channels as (
    select
        registration_week,
        acquisition_channel,
        user_id,
        seconds_to_first_order
    from registrants
    union all
    select
        registration_week,
        'all' as acquisition_channel,
        user_id,
        seconds_to_first_order
    from registrants
),

activation as (
    select
        registration_week,
        acquisition_channel,
        count(*) as registrants,
        {% for days in [1, 7, 30] -%}
            sum(case when seconds_to_first_order < {{ days * 86400 }} then 1 else 0 end) as activated_{{ days }}d_users
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from channels
    group by registration_week, acquisition_channel
),

final as (
    select
        activation.registration_week,
        activation.acquisition_channel,
        cast(activation.registrants as {{ dbt.type_bigint() }}) as registrants,
        {% for days in [1, 7, 30] -%}
            cast(activation.activated_{{ days }}d_users as {{ dbt.type_bigint() }}) as activated_{{ days }}d_users,
            cast(activation.activated_{{ days }}d_users as double) / activation.registrants
                as activation_{{ days }}d_rate,
            {{ dbt.dateadd('day', 6 + days, 'activation.registration_week') }} <= as_of.as_of_date
                as is_{{ days }}d_window_complete
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from activation
    cross join as_of
)

select * from final
