-- RESTRICTED. One row per treatment-group member of audience_members (audience x user x
-- audience_date) who may be contacted TODAY: the clear-text contact to send the message to.
-- Consent and contacts are read from the current build, whatever the audience date: a user who
-- has withdrawn consent (marketing_opt_in of the kept user row, as in dim_users, false now) or
-- lost the contact the channel needs is left out, also from audiences of past dates. The contact
-- is today's value of the user's kept row (the raw row whose pseudonym dim_users holds).
-- Control-group members are not contacted, so their contacts are not copied here. It lives in
-- the restricted database (see stg_raw__user_contacts); `strata export-audience` reads it.
--   sms -> phone (E.164); email -> email; push -> user_id (the app's push address is the
--   logged-in user); wechat -> user_id (the mini-program's subscription-message address).
{{ config(**restricted_location()) }}

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
        email_hash,
        phone_hash
    from {{ ref('stg_raw__users') }}
    where quarantine_reason is null and marketing_opt_in
),

contacts as (
    select
        user_id,
        email,
        phone,
        email_hash,
        phone_hash
    from {{ ref('stg_raw__user_contacts') }}
),

current_contacts as (
    select
        users.user_id,
        max(case when contacts.email_hash = users.email_hash then contacts.email end) as email,
        max(case when contacts.phone_hash = users.phone_hash then contacts.phone end) as phone
    from users
    inner join contacts
        on users.user_id = contacts.user_id
    group by users.user_id
),

addressed as (
    select
        members.audience_date,
        members.audience_name,
        members.user_id,
        members.channel,
        case members.channel
            when 'sms' then current_contacts.phone
            when 'email' then current_contacts.email
            else members.user_id
        end as contact
    from members
    inner join users
        on members.user_id = users.user_id
    left join current_contacts
        on members.user_id = current_contacts.user_id
),

final as (
    select
        audience_date,
        audience_name,
        user_id,
        channel,
        contact
    from addressed
    where contact is not null
)

select * from final
