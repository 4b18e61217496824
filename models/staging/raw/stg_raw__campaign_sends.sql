-- Every raw campaign-send row, cleaned, with the reason it is quarantined (null: kept).
-- Rules in order: send_id, campaign_id or user_id missing; a repeated send_id (the earliest
-- sent_at is kept); sent_at unparseable, missing, before 2000 or in the future; channel not one of
-- the accepted values, or test_group not a group of the campaign (seeds/campaign_variants.csv for
-- a campaign declared there, else var('test_groups')). Sends to unknown users are caught in
-- int_campaign_sends_validated.
with

source as (
    select * from {{ source('raw', 'raw_campaign_sends') }}
),

declared_groups as (
    select
        campaign_id,
        test_group
    from {{ ref('campaign_variants') }}
),

declared_campaigns as (
    select distinct campaign_id from declared_groups
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

with_declared_groups as (
    select
        ranked.*,
        declared_campaigns.campaign_id is not null as is_campaign_declared,
        declared_groups.test_group is not null as is_group_declared
    from ranked
    left join declared_campaigns
        on ranked.campaign_id = declared_campaigns.campaign_id
    left join declared_groups
        on
            ranked.campaign_id = declared_groups.campaign_id
            and ranked.test_group = declared_groups.test_group
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
            when test_group is null then 'unknown_value'
            when is_campaign_declared and not is_group_declared then 'unknown_value'
            when not is_campaign_declared and test_group not in {{ sql_list(var('test_groups')) }} then 'unknown_value'
        end as quarantine_reason,
        {{ describe_row(['campaign_id', 'channel', 'test_group', 'sent_at_raw']) }} as row_detail
    from with_declared_groups
)

select * from checked
