-- One row per user, category and activity_date (reporting time zone) on which the user viewed a
-- product of the category or bought it: the signals of the interest tags (doc block user_tags).
-- product_view_count counts the user's logged-in product_view events (an event of
-- int_events_identified with a user_id, so on or before the as-of date, like every logged-in
-- activity figure) whose JSON properties name the category; purchase_order_count counts the
-- user's valid orders (int_orders_sequenced, on or before the as-of date) with at least one kept
-- line of the category (an order with two lines of one category counts once). Summing the
-- counts over the days of a window gives the views and purchases of the category in it.
with

events as (
    select
        user_id,
        event_date,
        {{ json_extract_text('properties', "'category'") }} as category
    from {{ ref('int_events_identified') }}
    where user_id is not null and event_name = 'product_view'
),

orders as (
    select
        order_id,
        user_id,
        order_date
    from {{ ref('int_orders_sequenced') }}
),

order_items as (
    select
        order_id,
        category
    from {{ ref('int_order_items_validated') }}
    where quarantine_reason is null and category is not null
),

views as (
    select
        user_id,
        category,
        event_date as activity_date,
        count(*) as product_view_count,
        0 as purchase_order_count
    from events
    where category is not null
    group by user_id, category, event_date
),

purchases as (
    select
        orders.user_id,
        order_items.category,
        orders.order_date as activity_date,
        0 as product_view_count,
        count(distinct orders.order_id) as purchase_order_count
    from orders
    inner join order_items
        on orders.order_id = order_items.order_id
    group by orders.user_id, order_items.category, orders.order_date
),

signals as (
    select
        user_id,
        category,
        activity_date,
        product_view_count,
        purchase_order_count
    from views
    union all
    select
        user_id,
        category,
        activity_date,
        product_view_count,
        purchase_order_count
    from purchases
),

final as (
    select
        user_id,
        category,
        activity_date,
        cast(sum(product_view_count) as {{ dbt.type_bigint() }}) as product_view_count,
        cast(sum(purchase_order_count) as {{ dbt.type_bigint() }}) as purchase_order_count
    from signals
    group by user_id, category, activity_date
)

select * from final
