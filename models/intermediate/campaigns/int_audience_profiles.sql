-- One row per user of the user_layer_history snapshot an audience date reads: what the audience
-- rules of seeds/audiences.csv test (audience_members applies them). audience_date is macro
-- audience_date (var('audience_date') when set, else as_of_date + 1); layers_date =
-- audience_date - 1. No rows when the history has no snapshot of the layers date. recency_days
-- counts from the last order day (int_user_order_days) on or before the
-- layers date; app / mini-program logins are logged-in activity days (int_user_activity_days) on
-- or before it; consent and contacts are today's (dim_users).
-- Ephemeral: compiled into audience_members, so a run of audience_members alone with another
-- var('audience_date') reads that date's layers (a table would keep the date it was built for).
{{ config(materialized='ephemeral') }}

with

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

history as (
    select * from {{ ref('user_layer_history') }}
),

users as (
    select
        user_id,
        marketing_opt_in,
        has_email,
        has_phone
    from {{ ref('dim_users') }}
),

order_days as (
    select
        user_id,
        order_date
    from {{ ref('int_user_order_days') }}
),

activity_days as (
    select
        user_id,
        activity_date,
        has_app_event,
        has_mini_program_event
    from {{ ref('int_user_activity_days') }}
),

dates as (
    select
        {{ audience_date('as_of_date') }} as audience_date,
        cast({{ dbt.dateadd('day', -1, audience_date('as_of_date')) }} as date) as layers_date
    from as_of
),

layers as (
    select
        dates.audience_date,
        dates.layers_date,
        history.user_id,
        {% for dimension in layer_dimensions() -%}
            history.{{ dimension }},
        {% endfor -%}
        history.p_alive,
        history.order_count,
        history.revenue_amount_365d
    from history
    inner join dates
        on history.as_of_date = dates.layers_date
),

last_orders as (
    select
        order_days.user_id,
        max(order_days.order_date) as last_order_date
    from order_days
    inner join dates
        on order_days.order_date <= dates.layers_date
    group by order_days.user_id
),

logins as (
    select
        activity_days.user_id,
        max(case when activity_days.has_app_event then 1 else 0 end) = 1 as has_app_login,
        max(case when activity_days.has_mini_program_event then 1 else 0 end) = 1 as has_mini_program_login
    from activity_days
    inner join dates
        on activity_days.activity_date <= dates.layers_date
    group by activity_days.user_id
),

final as (
    select
        layers.audience_date,
        layers.layers_date,
        layers.user_id,
        {% for dimension in layer_dimensions() -%}
            layers.{{ dimension }},
        {% endfor -%}
        layers.p_alive,
        layers.order_count,
        layers.revenue_amount_365d,
        {{ dbt.datediff(
            'last_orders.last_order_date', 'layers.layers_date', 'day'
        ) }} as recency_days,
        users.marketing_opt_in,
        users.has_email,
        users.has_phone,
        coalesce(logins.has_app_login, false) as has_app_login,
        coalesce(logins.has_mini_program_login, false) as has_mini_program_login
    from layers
    inner join users
        on layers.user_id = users.user_id
    left join last_orders
        on layers.user_id = last_orders.user_id
    left join logins
        on layers.user_id = logins.user_id
)

select * from final
