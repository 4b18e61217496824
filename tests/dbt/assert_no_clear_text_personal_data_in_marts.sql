-- Asserts that dim_users carries no clear-text email in its pseudonymised columns: no value of
-- email_hash or phone_hash contains '@', and each non-null value is a 64-character hex digest.
-- A light check; a full scan of every mart column comes later. Returns the offending users.
with

users as (
    select
        user_id,
        email_hash,
        phone_hash
    from {{ ref('dim_users') }}
),

offending as (
    select
        user_id,
        email_hash,
        phone_hash
    from users
    where
        email_hash like '%@%'
        or phone_hash like '%@%'
        or {{ dbt.length('email_hash') }} != 64
        or {{ dbt.length('phone_hash') }} != 64
)

select * from offending
