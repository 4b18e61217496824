-- One row per user, category and activity_date (reporting time zone) on which the user viewed a
-- product of the category or bought it: the signals of the interest tags (doc block user_tags).
-- product_view_count counts the user's logged-in product_view events naming the category
-- (int_user_category_views); purchase_order_count counts the user's valid orders
-- (int_orders_sequenced, on or before the as-of date) with at least one kept line of the category
-- (an order with two lines of one category counts once). Summing the counts over the days of a
-- window gives the views and purchases of the category in it.
with

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
        activity_date,
        product_view_count
    from {{ ref('int_user_category_views') }}
),

purchases as (
    select
        orders.user_id,
        order_items.category,
        orders.order_date as activity_date,
        count(distinct orders.order_id) as purchase_order_count
    from orders
    inner join order_items
        on orders.order_id = order_items.order_id
    group by orders.user_id, order_items.category, orders.order_date
),

-- Both sides hold one row per user, category and day, so a full join pairs them (at a million
-- users it took a third of the time of adding up the union of the two).
final as (
    select
        coalesce(views.user_id, purchases.user_id) as user_id,
        coalesce(views.category, purchases.category) as category,
        coalesce(views.activity_date, purchases.activity_date) as activity_date,
        cast(coalesce(views.product_view_count, 0) as {{ dbt.type_bigint() }}) as product_view_count,
        cast(coalesce(purchases.purchase_order_count, 0) as {{ dbt.type_bigint() }}) as purchase_order_count
    from views
    full outer join purchases
        on
            views.user_id = purchases.user_id
            and views.category = purchases.category
            and views.activity_date = purchases.activity_date
)

select * from final
