-- Asserts in fct_orders that is_first_order = (order_sequence = 1) on every order, and that each
-- user with orders has exactly one first order, numbered 1 to n without gaps. Returns one row
-- per broken order or user.
with

orders as (
    select
        order_id,
        user_id,
        order_sequence,
        is_first_order
    from {{ ref('fct_orders') }}
),

mismatched_flag as (
    select
        'flag differs from order_sequence = 1' as failure,
        user_id,
        order_id
    from orders
    where is_first_order != (order_sequence = 1)
),

per_user as (
    select
        user_id,
        sum(case when is_first_order then 1 else 0 end) as first_orders,
        count(*) as orders,
        min(order_sequence) as min_sequence,
        max(order_sequence) as max_sequence,
        count(distinct order_sequence) as distinct_sequences
    from orders
    group by user_id
),

bad_users as (
    select
        'not exactly one first order, or sequence not 1..n' as failure,
        user_id,
        cast(null as {{ dbt.type_string() }}) as order_id
    from per_user
    where
        first_orders != 1
        or min_sequence != 1
        or max_sequence != orders
        or distinct_sequences != orders
),

failures as (
    select * from mismatched_flag
    union all
    select * from bad_users
)

select * from failures
