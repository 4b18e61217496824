-- Every raw campaign-send row with its final quarantine reason. Staging's reason comes first; a
-- send staging keeps whose user_id is not a kept user is quarantined as unknown_user.
with

sends as (
    select * from {{ ref('stg_raw__campaign_sends') }}
),

users as (
    select user_id from {{ ref('stg_raw__users') }}
    where quarantine_reason is null
),

checked as (
    select
        sends.send_id,
        sends.campaign_id,
        sends.user_id,
        sends.channel,
        sends.test_group,
        sends.sent_at,
        sends.target_layer,
        coalesce(
            sends.quarantine_reason,
            case when users.user_id is null then 'unknown_user' end
        ) as quarantine_reason,
        sends.row_detail
    from sends
    left join users
        on sends.user_id = users.user_id
)

select * from checked
