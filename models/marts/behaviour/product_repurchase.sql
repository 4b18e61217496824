-- One row per grain × item_id: grain 'product' (item_id = product_id) or 'category' (item_id =
-- category; lines without a category are left out). Buyers: distinct users with a line of the
-- item in a valid order (fct_order_items). A buyer repurchased when the next order (by
-- ordered_at, then order_id) after their first order of the item that also holds the item is
-- dated at most var('product_repurchase_window_days') (90) days after the first one (order_date,
-- reporting time zone). Two lines of the item in one order are one purchase. Items with fewer
-- than var('product_repurchase_min_buyers') (20) buyers are kept and flagged is_below_min_buyers.
with

order_items as (
    select
        order_id,
        user_id,
        ordered_at,
        order_date,
        product_id,
        category
    from {{ ref('fct_order_items') }}
),

item_orders as (
    select distinct
        'product' as grain,
        product_id as item_id,
        user_id,
        order_id,
        ordered_at,
        order_date
    from order_items
    union all
    select distinct
        'category' as grain,
        category as item_id,
        user_id,
        order_id,
        ordered_at,
        order_date
    from order_items
    where category is not null
),

sequenced as (
    select
        grain,
        item_id,
        user_id,
        order_date,
        row_number() over (
            partition by grain, item_id, user_id order by ordered_at, order_id
        ) as purchase_sequence
    from item_orders
),

buyers as (
    select
        grain,
        item_id,
        user_id,
        min(case when purchase_sequence = 1 then order_date end) as first_purchase_date,
        min(case when purchase_sequence = 2 then order_date end) as second_purchase_date
    from sequenced
    where purchase_sequence <= 2
    group by grain, item_id, user_id
),

item_totals as (
    select
        grain,
        item_id,
        count(*) as buyers,
        sum(
            case
                when {{ dbt.datediff('first_purchase_date', 'second_purchase_date', 'day') }}
                    <= {{ var('product_repurchase_window_days') }}
                    then 1
                else 0
            end
        ) as repeat_buyers
    from buyers
    group by grain, item_id
),

final as (
    select
        grain,
        item_id,
        cast(buyers as {{ dbt.type_bigint() }}) as buyers,
        cast(repeat_buyers as {{ dbt.type_bigint() }}) as repeat_buyers,
        cast(repeat_buyers * 1.0 / buyers as double) as repurchase_rate,
        buyers < {{ var('product_repurchase_min_buyers') }} as is_below_min_buyers
    from item_totals
)

select * from final
