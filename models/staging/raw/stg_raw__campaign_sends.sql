-- Every raw campaign-send row, cleaned, with the reason it is quarantined (null: kept).
-- Rules in order: send_id, campaign_id or user_id missing; a repeated send_id (the earliest
-- sent_at is kept); sent_at unparseable, missing, before 2000 or in the future; channel or
-- test_group not one of the accepted values. Sends to unknown users are caught in
-- int_campaign_sends_validated.
with

source as (
    select * from {{ source('raw', 'raw_campaign_sends') }}
),

cleaned as (
    select
        {{ clean_text('send_id') }} as send_id,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_category('channel') }} as channel,
        {{ clean_category('test_group') }} as test_group,
        {{ parse_timestamp('sent_at') }} as sent_at,
        sent_at as sent_at_raw,
        {{ clean_category('target_layer') }} as target_layer
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by send_id
            order by sent_at asc nulls last, campaign_id asc, user_id asc
        ) as send_row_number
    from cleaned
),

checked as (
    select
        send_id,
        campaign_id,
        user_id,
        channel,
        test_group,
        sent_at,
        target_layer,
        case
            when send_id is null or campaign_id is null or user_id is null then 'missing_key'
            when send_row_number > 1 then 'duplicate_row'
            {{ timestamp_reason_branches('sent_at', 'sent_at_raw', 'missing_sent_at') }}
            when channel is null or channel not in {{ sql_list(var('send_channels')) }} then 'unknown_value'
            when test_group is null or test_group not in {{ sql_list(var('test_groups')) }} then 'unknown_value'
        end as quarantine_reason,
        {{ describe_row(['campaign_id', 'channel', 'test_group', 'sent_at_raw']) }} as row_detail
    from ranked
)

select * from checked
