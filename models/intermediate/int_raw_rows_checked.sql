-- Every raw row of the six tables, one row each: the table, the row's key and its final
-- quarantine reason (null: kept), and whether a money value was rounded to cents. The one place
-- quarantine and data_quality_summary read from.
-- Keys: user_id, order_id, 'order_id#line_number', event_id, 'spend_date|channel|campaign',
-- send_id; '(missing)' when the key is null.
with

users as (
    select
        'raw_users' as source_table,
        user_id as row_key,
        quarantine_reason,
        row_detail,
        false as has_rounded_amount
    from {{ ref('stg_raw__users') }}
),

orders as (
    select
        'raw_orders' as source_table,
        order_id as row_key,
        quarantine_reason,
        row_detail,
        has_rounded_amount
    from {{ ref('int_orders_validated') }}
),

order_items as (
    select
        'raw_order_items' as source_table,
        {{ dbt.concat(['order_id', "'#'", 'cast(line_number as ' ~ dbt.type_string() ~ ')']) }} as row_key,
        quarantine_reason,
        row_detail,
        has_rounded_amount
    from {{ ref('int_order_items_validated') }}
),

events as (
    select
        'raw_events' as source_table,
        event_id as row_key,
        quarantine_reason,
        row_detail,
        false as has_rounded_amount
    from {{ ref('int_events_validated') }}
),

marketing_spend as (
    select
        'raw_marketing_spend' as source_table,
        {{ dbt.concat([
            "coalesce(cast(spend_date as " ~ dbt.type_string() ~ "), '?')", "'|'",
            "coalesce(channel, '?')", "'|'", "coalesce(campaign, '')"
        ]) }} as row_key,
        quarantine_reason,
        row_detail,
        has_rounded_amount
    from {{ ref('stg_raw__marketing_spend') }}
),

campaign_sends as (
    select
        'raw_campaign_sends' as source_table,
        send_id as row_key,
        quarantine_reason,
        row_detail,
        false as has_rounded_amount
    from {{ ref('int_campaign_sends_validated') }}
),

unioned as (
    select * from users
    union all
    select * from orders
    union all
    select * from order_items
    union all
    select * from events
    union all
    select * from marketing_spend
    union all
    select * from campaign_sends
),

final as (
    select
        source_table,
        coalesce(row_key, '(missing)') as row_key,
        quarantine_reason,
        row_detail,
        has_rounded_amount
    from unioned
)

select * from final
