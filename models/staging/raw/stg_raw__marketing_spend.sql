-- Every raw marketing-spend row, cleaned, with the reason it is quarantined (null: kept).
-- Rules in order: spend_date or channel missing; a repeated (spend_date, channel, campaign)
-- (the first in a deterministic order is kept); spend_date before var('min_valid_timestamp') or
-- after the load time; spend, impressions or clicks present but not a number; spend, impressions
-- or clicks negative; spend above var('max_spend_amount'). Missing spend, impressions or clicks
-- count as 0.
with

source as (
    select * from {{ source('raw', 'raw_marketing_spend') }}
),

cleaned as (
    select
        cast({{ parse_timestamp('spend_date') }} as date) as spend_date,
        {{ clean_category('channel') }} as channel,
        {{ clean_text('campaign') }} as campaign,
        {{ try_cast_text('spend', 'decimal(18,2)') }} as spend_amount,
        {{ has_more_than_two_decimals('spend') }} as has_rounded_amount,
        {{ try_cast_text('impressions', dbt.type_bigint()) }} as impressions,
        {{ try_cast_text('clicks', dbt.type_bigint()) }} as clicks,
        spend as spend_raw,
        impressions as impressions_raw,
        clicks as clicks_raw
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by spend_date, channel, campaign
            order by spend_amount desc nulls last, impressions desc nulls last, clicks desc nulls last
        ) as spend_row_number
    from cleaned
),

checked as (
    select
        spend_date,
        channel,
        campaign,
        coalesce(spend_amount, 0) as spend_amount,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks,
        has_rounded_amount,
        case
            when spend_date is null or channel is null then 'missing_key'
            when spend_row_number > 1 then 'duplicate_row'
            when spend_date < {{ min_valid_timestamp() }} then 'timestamp_before_2000'
            when spend_date > {{ load_time() }} then 'future_timestamp'
            when
                (spend_amount is null and {{ clean_text('spend_raw') }} is not null)
                or (impressions is null and {{ clean_text('impressions_raw') }} is not null)
                or (clicks is null and {{ clean_text('clicks_raw') }} is not null)
                then 'invalid_amount'
            when spend_amount < 0 then 'negative_amount'
            when impressions < 0 or clicks < 0 then 'negative_count'
            when spend_amount > {{ var('max_spend_amount') }} then 'amount_out_of_range'
        end as quarantine_reason,
        {{ describe_row(['channel', 'campaign', 'spend_amount']) }} as row_detail
    from ranked
)

select * from checked
