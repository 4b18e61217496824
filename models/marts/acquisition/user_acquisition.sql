-- One row per kept user (dim_users): how the user was acquired and what the first orders did, the
-- user-grain facts behind the semantic layer's acquisition metrics (registrations, new buyers, CAC,
-- ROAS, repurchase rate), with the same rules as channel_performance and repurchase_monthly:
--   is_registered_by_as_of  registered_date on or before the as-of date (a registration counts)
--   first_order_date        date of the first valid order (fct_orders.is_first_order); null: no order
--   has_repurchased_in_window  the second valid order is dated at most var('repurchase_window_days')
--                           days after the first (repurchase_monthly's new-customer repurchase)
--   early_revenue_amount    valid orders dated from the registration day (day 0) to day
--                           var('acquisition_revenue_days') - 1, for users registered by the as-of date
with

users as (
    select
        user_id,
        registered_date,
        acquisition_channel,
        acquisition_campaign
    from {{ ref('dim_users') }}
),

orders as (
    select
        user_id,
        order_date,
        order_amount,
        order_sequence
    from {{ ref('fct_orders') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

first_orders as (
    select
        user_id,
        min(case when order_sequence = 1 then order_date end) as first_order_date,
        min(case when order_sequence = 2 then order_date end) as second_order_date
    from orders
    group by user_id
),

early_revenue as (
    select
        users.user_id,
        sum(orders.order_amount) as early_revenue_amount
    from users
    inner join orders
        on users.user_id = orders.user_id
    where
        orders.order_date >= users.registered_date
        and orders.order_date < {{ dbt.dateadd('day', var('acquisition_revenue_days'), 'users.registered_date') }}
    group by users.user_id
),

final as (
    select
        users.user_id,
        users.registered_date,
        users.registered_date <= as_of.as_of_date as is_registered_by_as_of,
        users.acquisition_channel,
        coalesce(users.acquisition_campaign, '(none)') as acquisition_campaign,
        first_orders.first_order_date,
        coalesce(
            {{ dbt.datediff('first_orders.first_order_date', 'first_orders.second_order_date', 'day') }}
            <= {{ var('repurchase_window_days') }},
            false
        ) as has_repurchased_in_window,
        cast(
            case
                when users.registered_date <= as_of.as_of_date then coalesce(early_revenue.early_revenue_amount, 0)
                else 0
            end as decimal(18, 2)
        ) as early_revenue_amount
    from users
    cross join as_of
    left join first_orders
        on users.user_id = first_orders.user_id
    left join early_revenue
        on users.user_id = early_revenue.user_id
)

select * from final
