-- Every raw order row, cleaned, with the reason it is quarantined (null: kept).
-- De-duplication first: of rows identical in every column one copy is kept (duplicate_row);
-- of the versions of an order the latest updated_at is kept (superseded_version; ties go to the
-- later lifecycle state refunded > cancelled > completed > paid). An order whose versions name
-- different users is quarantined as conflicting_user_id (which one is right cannot be told).
-- Then the kept version is validated: user id, ordered_at, status, amounts. Whether the user exists is checked in
-- int_orders_validated (a join does not belong in staging).
with

source as (
    select * from {{ source('raw', 'raw_orders') }}
),

cleaned as (
    select
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('user_id') }} as user_id,
        {{ parse_timestamp('ordered_at') }} as ordered_at,
        ordered_at as ordered_at_raw,
        {{ clean_category('status') }} as status,
        {{ try_cast_text('order_amount', 'decimal(18,2)') }} as order_amount,
        order_amount as order_amount_raw,
        coalesce({{ try_cast_text('discount_amount', 'decimal(18,2)') }}, 0) as discount_amount,
        discount_amount as discount_amount_raw,
        {{ has_more_than_two_decimals('order_amount') }}
        or {{ has_more_than_two_decimals('discount_amount') }} as has_rounded_amount,
        {{ clean_text('coupon_code') }} as coupon_code,
        {{ clean_category('platform') }} as platform,
        {{ parse_timestamp('updated_at') }} as updated_at
    from source
),

copies as (
    select
        *,
        row_number() over (
            partition by
                order_id, user_id, ordered_at, status, order_amount,
                discount_amount, coupon_code, platform, updated_at
            order by order_id
        ) as copy_number,
        case status
            when 'refunded' then 4
            when 'cancelled' then 3
            when 'completed' then 2
            when 'paid' then 1
            else 0
        end as status_rank
    from cleaned
),

versions as (
    select
        *,
        row_number() over (
            partition by order_id
            order by
                copy_number asc, updated_at desc nulls last, status_rank desc,
                order_amount desc nulls last, ordered_at desc nulls last
        ) as version_number,
        min(user_id) over (partition by order_id) as first_user_id,
        max(user_id) over (partition by order_id) as last_user_id
    from copies
),

checked as (
    select
        order_id,
        user_id,
        ordered_at,
        status,
        order_amount,
        discount_amount,
        has_rounded_amount,
        coupon_code,
        platform,
        updated_at,
        case
            when order_id is null then 'missing_order_id'
            when copy_number > 1 then 'duplicate_row'
            when version_number > 1 then 'superseded_version'
            when first_user_id != last_user_id then 'conflicting_user_id'
            when user_id is null then 'missing_user_id'
            {{ timestamp_reason_branches('ordered_at', 'ordered_at_raw', 'missing_ordered_at') }}
            when status is null or status not in {{ sql_list(var('order_statuses')) }} then 'unknown_status'
            when
                (order_amount is null and {{ clean_text('order_amount_raw') }} is not null)
                or (
                    {{ try_cast_text('discount_amount_raw', 'decimal(18,2)') }} is null
                    and {{ clean_text('discount_amount_raw') }} is not null
                )
                then 'invalid_amount'
            when order_amount is null then 'missing_amount'
            when order_amount < 0 or discount_amount < 0 then 'negative_amount'
            when order_amount > {{ var('max_order_amount') }} then 'amount_out_of_range'
        end as quarantine_reason,
        {{ describe_row(['user_id', 'ordered_at_raw', 'status', 'order_amount_raw', 'updated_at']) }} as row_detail
    from versions
)

select * from checked
