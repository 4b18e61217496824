-- One row per order_month (reporting time zone) from the month of the first valid order to the
-- as-of month. New customers: users whose first valid order (fct_orders.is_first_order) is in the
-- month; of them, repurchased within the window: their second valid order (order_sequence = 2)
-- has order_date - first order_date <= var('repurchase_window_days') (30) days. Old customers:
-- users whose first valid order is before the month and who have >= 1 valid order in the month;
-- of them, multi-order: >= 2 valid orders in the month.
with

orders as (
    select
        user_id,
        order_date,
        order_sequence
    from {{ ref('fct_orders') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

customer_firsts as (
    select
        user_id,
        min(case when order_sequence = 1 then order_date end) as first_order_date,
        min(case when order_sequence = 2 then order_date end) as second_order_date
    from orders
    group by user_id
),

new_customers as (
    select
        {{ period_start('month', 'first_order_date') }} as order_month,
        count(*) as new_customers,
        sum(
            case
                when {{ dbt.datediff('first_order_date', 'second_order_date', 'day') }}
                    <= {{ var('repurchase_window_days') }}
                    then 1
                else 0
            end
        ) as new_customers_repurchased
    from customer_firsts
    group by {{ period_start('month', 'first_order_date') }}
),

customer_months as (
    select
        orders.user_id,
        {{ period_start('month', 'orders.order_date') }} as order_month,
        count(*) as order_count
    from orders
    inner join customer_firsts
        on orders.user_id = customer_firsts.user_id
    where
        {{ period_start('month', 'orders.order_date') }}
        > {{ period_start('month', 'customer_firsts.first_order_date') }}
    group by orders.user_id, {{ period_start('month', 'orders.order_date') }}
),

old_customers as (
    select
        order_month,
        count(*) as old_customers,
        sum(case when order_count >= 2 then 1 else 0 end) as old_customers_multi_order
    from customer_months
    group by order_month
),

bounds as (
    select
        min(new_customers.order_month) as first_month,
        as_of.as_of_date,
        {{ period_start('month', 'as_of.as_of_date') }} as as_of_month
    from new_customers
    cross join as_of
    group by as_of.as_of_date
),

month_spine as (
    select
        first_month,
        as_of_date,
        {{ integer_series('0', periods_between('month', 'first_month', 'as_of_month')) }} as month_number
    from bounds
),

months as (
    select
        {{ add_periods('month', 'month_number', 'first_month') }} as order_month,
        as_of_date
    from month_spine
),

final as (
    select
        months.order_month,
        cast(coalesce(new_customers.new_customers, 0) as {{ dbt.type_bigint() }}) as new_customers,
        cast(
            coalesce(new_customers.new_customers_repurchased, 0) as {{ dbt.type_bigint() }}
        ) as new_customers_repurchased,
        cast(
            new_customers.new_customers_repurchased * 1.0 / nullif(new_customers.new_customers, 0) as double
        ) as new_customer_repurchase_rate,
        {{ dbt.dateadd(
            'day',
            var('repurchase_window_days') - 1,
            add_periods('month', '1', 'months.order_month')
        ) }} <= months.as_of_date as is_repurchase_window_complete,
        cast(coalesce(old_customers.old_customers, 0) as {{ dbt.type_bigint() }}) as old_customers,
        cast(
            coalesce(old_customers.old_customers_multi_order, 0) as {{ dbt.type_bigint() }}
        ) as old_customers_multi_order,
        cast(
            old_customers.old_customers_multi_order * 1.0 / nullif(old_customers.old_customers, 0) as double
        ) as old_customer_multi_order_rate
    from months
    left join new_customers
        on months.order_month = new_customers.order_month
    left join old_customers
        on months.order_month = old_customers.order_month
)

select * from final
