-- RESTRICTED. One row per distinct (user_id, e-mail, phone) of raw_users: the clear-text
-- e-mail and phone, normalised for sending (macros normalise_email, normalise_phone), and their
-- keyed pseudonyms, which match stg_raw__users.email_hash / phone_hash. It lives in the
-- restricted database (a file of its own on DuckDB, mode 0600; a database of its own on Spark),
-- never in the build warehouse; audience_contacts reads it, nothing else does.
{{ config(**restricted_location()) }}

with

source as (
    select
        user_id,
        email,
        phone
    from {{ source('raw', 'raw_users') }}
),

normalised as (
    select
        {{ clean_text('user_id') }} as user_id,
        {{ normalise_email('email') }} as email,
        {{ normalise_phone('phone') }} as phone
    from source
),

final as (
    select distinct
        user_id,
        email,
        phone,
        {{ pseudonymise('email') }} as email_hash,
        {{ pseudonymise('phone') }} as phone_hash
    from normalised
    where user_id is not null
)

select * from final
