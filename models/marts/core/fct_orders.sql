-- One row per valid order placed on or before the as-of date (reporting time zone), with its
-- place in the user's order sequence: int_orders_sequenced, published.
with

final as (
    select
        order_id,
        user_id,
        ordered_at,
        order_date,
        status,
        order_amount,
        discount_amount,
        gross_amount,
        coupon_code,
        has_discount,
        platform,
        line_count,
        item_count,
        order_sequence,
        updated_at,
        is_first_order
    from {{ ref('int_orders_sequenced') }}
)

select * from final
