-- One row per snapshot date (user_layer_history.as_of_date) and user: what the user did in the
-- var('layer_outcome_days') days after the snapshot (doc block layer_outcomes): whether they had a
-- logged-in activity day (int_user_activity_days), placed a valid order (int_user_order_days) and
-- the revenue of those orders. Days after the current as-of date are not known yet:
-- is_outcome_window_complete says whether the whole window is on or before it.
with

history as (
    select
        as_of_date,
        user_id
    from {{ ref('user_layer_history') }}
),

activity_days as (
    select
        user_id,
        activity_date
    from {{ ref('int_user_activity_days') }}
),

order_days as (
    select
        user_id,
        order_date,
        revenue_amount
    from {{ ref('int_user_order_days') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

activity as (
    select
        history.as_of_date,
        history.user_id,
        count(*) as active_days
    from history
    inner join activity_days
        on
            history.user_id = activity_days.user_id
            and history.as_of_date < activity_days.activity_date
            and activity_days.activity_date <= {{ dbt.dateadd('day', var('layer_outcome_days'), 'history.as_of_date') }}
    group by history.as_of_date, history.user_id
),

orders as (
    select
        history.as_of_date,
        history.user_id,
        count(*) as order_days,
        sum(order_days.revenue_amount) as revenue_amount
    from history
    inner join order_days
        on
            history.user_id = order_days.user_id
            and history.as_of_date < order_days.order_date
            and order_days.order_date <= {{ dbt.dateadd('day', var('layer_outcome_days'), 'history.as_of_date') }}
    group by history.as_of_date, history.user_id
),

final as (
    select
        history.as_of_date,
        history.user_id,
        activity.user_id is not null as is_active_after,
        orders.user_id is not null as has_order_after,
        cast(coalesce(orders.revenue_amount, 0) as decimal(18, 2)) as revenue_amount_after,
        {{ dbt.dateadd('day', var('layer_outcome_days'), 'history.as_of_date') }} <= as_of.as_of_date
            as is_outcome_window_complete
    from history
    cross join as_of
    left join activity
        on
            history.as_of_date = activity.as_of_date
            and history.user_id = activity.user_id
    left join orders
        on
            history.as_of_date = orders.as_of_date
            and history.user_id = orders.user_id
)

select * from final
