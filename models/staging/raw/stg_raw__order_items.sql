-- Every raw order line, cleaned, with the reason it is quarantined (null: kept).
-- Rules in order: a key column missing or unparseable; a repeated (order_id, line_number)
-- (the first in a deterministic order is kept); quantity missing or below 1; unit price
-- missing or negative; quantity x unit price above var('max_line_amount') (checked in double
-- precision, so a huge line is quarantined instead of overflowing a DECIMAL). Lines of orders
-- that are not kept are caught in int_order_items_validated.
with

source as (
    select * from {{ source('raw', 'raw_order_items') }}
),

cleaned as (
    select
        {{ clean_text('order_id') }} as order_id,
        {{ try_cast_text('line_number', dbt.type_int()) }} as line_number,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('product_name') }} as product_name,
        {{ clean_category('category') }} as category,
        {{ try_cast_text('quantity', dbt.type_int()) }} as quantity,
        {{ try_cast_text('unit_price', 'decimal(18,2)') }} as unit_price,
        {{ has_more_than_two_decimals('unit_price') }} as has_rounded_amount
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by order_id, line_number
            order by product_id, quantity, unit_price, product_name, category
        ) as line_row_number
    from cleaned
),

checked as (
    select
        order_id,
        line_number,
        product_id,
        product_name,
        category,
        quantity,
        unit_price,
        has_rounded_amount,
        case
            when order_id is null or line_number is null or product_id is null then 'missing_key'
            when line_row_number > 1 then 'duplicate_row'
            when quantity is null or quantity < 1 then 'invalid_quantity'
            when unit_price is null then 'missing_amount'
            when unit_price < 0 then 'negative_amount'
            when
                cast(quantity as double) * cast(unit_price as double)
                > {{ var('max_line_amount') }}
                then 'amount_out_of_range'
        end as quarantine_reason,
        {{ describe_row(['product_id', 'quantity', 'unit_price']) }} as row_detail
    from ranked
)

select * from checked
