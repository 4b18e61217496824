-- One row per buyer (a user with at least one valid order on or before the as-of date): the
-- BG/NBD summary (Fader, Hardie & Lee 2005) as of the as-of date, durations in weeks (7 days).
--   frequency      x   = distinct order_date values of the user's valid orders - 1 (repeat
--                        purchase days; several orders on one day count as one purchase)
--   recency_weeks  t_x = (last order_date - first order_date) in days / 7
--   age_weeks      T   = (as_of_date - first order_date) in days / 7
--   repeat_purchase_amount = the amount of the user's valid orders on the repeat purchase days
--                        (all but the first purchase day), the Gamma-Gamma spend model's input
--                        (its mean value per repeat purchase day = this / frequency)
-- A buyer whose only purchase day is the as-of date has x = 0, t_x = 0, T = 0.
-- Weeks are cast to double, not dbt.type_float(): that macro renders FLOAT, which is 4-byte
-- single precision on both DuckDB and Spark; double means 8-byte on both.
with

orders as (
    select
        user_id,
        order_date,
        order_amount
    from {{ ref('int_orders_sequenced') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

purchase_days as (
    select
        user_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(distinct order_date) as purchase_day_count,
        sum(order_amount) as order_amount
    from orders
    group by user_id
),

first_day_amounts as (
    select
        orders.user_id,
        sum(orders.order_amount) as first_day_amount
    from orders
    inner join purchase_days
        on
            orders.user_id = purchase_days.user_id
            and orders.order_date = purchase_days.first_order_date
    group by orders.user_id
),

final as (
    select
        purchase_days.user_id,
        purchase_days.first_order_date,
        purchase_days.last_order_date,
        cast(purchase_days.purchase_day_count - 1 as {{ dbt.type_bigint() }}) as frequency,
        cast(
            {{ dbt.datediff('purchase_days.first_order_date', 'purchase_days.last_order_date', 'day') }}
            as double
        ) / 7 as recency_weeks,
        cast(
            {{ dbt.datediff('purchase_days.first_order_date', 'as_of.as_of_date', 'day') }}
            as double
        ) / 7 as age_weeks,
        cast(
            purchase_days.order_amount - first_day_amounts.first_day_amount as decimal(18, 2)
        ) as repeat_purchase_amount,
        as_of.as_of_date
    from purchase_days
    inner join first_day_amounts
        on purchase_days.user_id = first_day_amounts.user_id
    cross join as_of
)

select * from final
