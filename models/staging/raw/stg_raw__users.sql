-- Every raw user row, cleaned, with the reason it is quarantined (null: kept).
-- Rules in order: missing user_id; duplicate user_id (the earliest registered_at is kept);
-- registered_at unparseable, missing, before 2000 or in the future. Consent resolves towards
-- opt-out: the kept row of a user_id has marketing_opt_in only when every row of that user_id has.
-- E-mail and phone are never stored here: only their keyed pseudonyms (macro pseudonymise) of the
-- normalised values; the clear values are in restricted.stg_raw__user_contacts, another file.
with

source as (
    select * from {{ source('raw', 'raw_users') }}
),

cleaned as (
    select
        {{ clean_text('user_id') }} as user_id,
        {{ parse_timestamp('registered_at') }} as registered_at,
        registered_at as registered_at_raw,
        {{ clean_category('acquisition_channel') }} as acquisition_channel,
        {{ clean_text('acquisition_campaign') }} as acquisition_campaign,
        case
            when {{ clean_category('gender') }} in ('female', 'male') then {{ clean_category('gender') }}
            when {{ clean_category('gender') }} is not null then 'other'
        end as gender,
        {{ try_cast_text('birth_year', dbt.type_int()) }} as birth_year,
        {{ clean_text('city') }} as city,
        {{ try_cast_text('city_tier', dbt.type_int()) }} as city_tier,
        {{ pseudonymise(normalise_email('email')) }} as email_hash,
        {{ pseudonymise(normalise_phone('phone')) }} as phone_hash,
        coalesce({{ try_cast_text('marketing_opt_in', dbt.type_boolean()) }}, false) as marketing_opt_in
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by user_id
            order by
                registered_at asc nulls last, acquisition_channel asc nulls last, city asc nulls last,
                email_hash asc nulls last, phone_hash asc nulls last, marketing_opt_in asc, gender asc nulls last,
                birth_year asc nulls last, city_tier asc nulls last, acquisition_campaign asc nulls last
        ) as user_row_number,
        min(case when marketing_opt_in then 1 else 0 end) over (partition by user_id) = 1 as has_consent_in_every_row
    from cleaned
),

checked as (
    select
        user_id,
        registered_at,
        acquisition_channel,
        acquisition_campaign,
        gender,
        case
            when birth_year between {{ var('min_birth_year') }} and {{ var('max_birth_year') }} then birth_year
        end as birth_year,
        city,
        case when city_tier between 1 and {{ var('city_tiers') }} then city_tier end as city_tier,
        email_hash,
        phone_hash,
        has_consent_in_every_row as marketing_opt_in,
        case
            when user_id is null then 'missing_user_id'
            when user_row_number > 1 then 'duplicate_user_id'
            {{ timestamp_reason_branches('registered_at', 'registered_at_raw', 'missing_registered_at') }}
        end as quarantine_reason,
        {{ describe_row(['registered_at_raw', 'acquisition_channel', 'city']) }} as row_detail
    from ranked
)

select * from checked
