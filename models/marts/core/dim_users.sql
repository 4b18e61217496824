-- One row per registered user (kept by staging). Email and phone are never in clear text here:
-- only their keyed pseudonyms from staging (macro pseudonymise) and has_* flags.
with

users as (
    select * from {{ ref('stg_raw__users') }}
    where quarantine_reason is null
),

final as (
    select
        user_id,
        registered_at,
        {{ reporting_date('registered_at') }} as registered_date,
        coalesce(acquisition_channel, 'unknown') as acquisition_channel,
        acquisition_campaign,
        gender,
        birth_year,
        city,
        city_tier,
        marketing_opt_in,
        email_hash is not null as has_email,
        phone_hash is not null as has_phone,
        email_hash,
        phone_hash
    from users
)

select * from final
