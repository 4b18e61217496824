-- One row per user x order_date (reporting time zone) with at least one valid order
-- (int_orders_sequenced, so on or before the as-of date): the user's order days, with the gap
-- in days to the user's previous order day (several orders on one day are one order day, so
-- gap_days >= 1). Read by user_facts (last order gap), order_gap_distribution (all gaps),
-- audience_members (last order day) and, as purchase activity, int_user_period_activity.
with

orders as (
    select
        user_id,
        order_date,
        order_amount
    from {{ ref('int_orders_sequenced') }}
),

order_days as (
    select
        user_id,
        order_date,
        count(*) as order_count,
        sum(order_amount) as revenue_amount
    from orders
    group by user_id, order_date
),

sequenced as (
    select
        user_id,
        order_date,
        order_count,
        revenue_amount,
        lag(order_date) over (partition by user_id order by order_date) as previous_order_date,
        lead(order_date) over (partition by user_id order by order_date) as next_order_date
    from order_days
),

final as (
    select
        user_id,
        order_date,
        cast(order_count as {{ dbt.type_bigint() }}) as order_count,
        cast(revenue_amount as decimal(18, 2)) as revenue_amount,
        previous_order_date,
        {{ days_between('previous_order_date', 'order_date') }} as gap_days,
        previous_order_date is null as is_first_order_day,
        next_order_date is null as is_last_order_day
    from sequenced
)

select * from final
