-- One row per treatment-group member of audience_members (audience x user x audience_date): the
-- clear-text contact to send the message to. The ONLY relation with clear-text personal data
-- outside the intake layers (raw, staging); it lives in schema `restricted`, which analysts are
-- not granted, and `strata.py export-audience` reads it. Control-group members are not contacted,
-- so their contacts are not copied here. Contacts are today's values from staging, so a user who
-- changed their phone is sent to the new one.
--   sms -> phone; email -> email; push -> user_id (the app's push address is the logged-in user);
--   wechat -> user_id (the mini-program's subscription-message address is the logged-in user).
{{ config(schema='restricted', access='protected') }}

with

members as (
    select
        audience_date,
        audience_name,
        user_id,
        channel
    from {{ ref('audience_members') }}
    where test_group = 'treatment'
),

users as (
    select
        user_id,
        email,
        phone
    from {{ ref('stg_raw__users') }}
    where quarantine_reason is null
),

final as (
    select
        members.audience_date,
        members.audience_name,
        members.user_id,
        members.channel,
        case members.channel
            when 'sms' then users.phone
            when 'email' then users.email
            else members.user_id
        end as contact
    from members
    inner join users
        on members.user_id = users.user_id
)

select * from final
