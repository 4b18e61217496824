-- Asserts that user_facts loses and double-counts no order: sum(revenue_amount) and
-- sum(order_count) over user_facts equal sum(order_amount) and count(*) over fct_orders. Both
-- stop at the as-of date (fct_orders keeps only orders on or before it, and user_facts is built
-- from fct_orders as of the same int_as_of_date). Returns one row when the totals differ.
with

facts as (
    select
        sum(revenue_amount) as revenue_amount,
        sum(order_count) as order_count
    from {{ ref('user_facts') }}
),

orders as (
    select
        sum(order_amount) as revenue_amount,
        count(*) as order_count
    from {{ ref('fct_orders') }}
),

compared as (
    select
        coalesce(facts.revenue_amount, 0) as facts_revenue_amount,
        coalesce(orders.revenue_amount, 0) as orders_revenue_amount,
        coalesce(facts.order_count, 0) as facts_order_count,
        coalesce(orders.order_count, 0) as orders_order_count
    from facts
    cross join orders
),

unreconciled as (
    select *
    from compared
    where
        facts_revenue_amount != orders_revenue_amount
        or facts_order_count != orders_order_count
)

select * from unreconciled
