-- One row per user registered on or before the as-of date: the registration date and week (Monday,
-- reporting time zone), the acquisition channel and the seconds from registered_at to the first
-- valid order (null without one): what new_user_activation counts (doc block new_user_activation).
-- as_of_date rides along, so new_user_activation knows which windows have ended.
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

final as (
    select
        users.user_id,
        users.acquisition_channel,
        users.registered_date,
        {{ period_start('week', 'users.registered_date') }} as registration_week,
        {{ dbt.datediff(
            'users.registered_at', 'first_orders.ordered_at', 'second'
        ) }} as seconds_to_first_order,
        as_of.as_of_date
    from users
    cross join as_of
    left join first_orders
        on users.user_id = first_orders.user_id
    where users.registered_date <= as_of.as_of_date
)

select * from final
