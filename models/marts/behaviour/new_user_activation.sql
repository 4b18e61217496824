-- One row per registration week (Monday, reporting time zone) and acquisition channel, and per
-- week overall (acquisition_channel 'all'): how many of the week's registrants placed a first
-- valid order within 1, 7 and 30 days of registering (doc block new_user_activation).
with

users as (
    select
        user_id,
        registered_at,
        registered_date,
        acquisition_channel
    from {{ ref('dim_users') }}
),

first_orders as (
    select
        user_id,
        ordered_at
    from {{ ref('fct_orders') }}
    where is_first_order
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

registrants as (
    select
        users.user_id,
        users.acquisition_channel,
        {{ period_start('week', 'users.registered_date') }} as registration_week,
        {{ dbt.datediff(
            'users.registered_at', 'first_orders.ordered_at', 'second'
        ) }} as seconds_to_first_order
    from users
    cross join as_of
    left join first_orders
        on users.user_id = first_orders.user_id
    where users.registered_date <= as_of.as_of_date
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
            cast(activation.activated_{{ days }}d_users * 1.0 / activation.registrants as double)
                as activation_{{ days }}d_rate,
            {{ dbt.dateadd('day', 6 + days, 'activation.registration_week') }} <= as_of.as_of_date
                as is_{{ days }}d_window_complete
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from activation
    cross join as_of
)

select * from final
