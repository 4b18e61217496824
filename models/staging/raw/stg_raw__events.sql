-- Every raw event row, cleaned, with the reason it is quarantined (null: kept).
-- Events are delivered at least once: per event_id the earliest received copy is kept
-- (duplicate_event). Then: event name missing; occurred_at unparseable, missing, before 2000
-- or in the future; properties that are not valid JSON. Events of unknown users are caught in
-- int_events_validated. E-mail addresses and phone numbers a client put in page or in properties
-- are masked here (macro mask_contacts), so no clear contact reaches the marts.
with

source as (
    select * from {{ source('raw', 'raw_events') }}
),

cleaned as (
    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        {{ clean_text('session_id') }} as session_id,
        {{ clean_category('event_name') }} as event_name,
        {{ parse_timestamp('occurred_at') }} as occurred_at,
        occurred_at as occurred_at_raw,
        {{ parse_timestamp('received_at') }} as received_at,
        {{ clean_category('platform') }} as platform,
        {{ clean_text('page') }} as page,
        {{ clean_category('utm_source') }} as utm_source,
        {{ clean_category('utm_medium') }} as utm_medium,
        {{ clean_category('utm_campaign') }} as utm_campaign,
        {{ clean_category('utm_content') }} as utm_content,
        {{ clean_category('utm_term') }} as utm_term,
        {{ clean_text('properties') }} as properties
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by event_id
            order by received_at asc nulls last, occurred_at asc nulls last, user_id asc, anonymous_id asc
        ) as delivery_number
    from cleaned
),

-- After the de-duplication sort, so the sort does not carry a second copy of the properties.
masked as (
    select
        *,
        {{ mask_contacts('page') }} as masked_page,
        {{ mask_contacts('utm_term') }} as masked_utm_term,
        {{ mask_contacts_in_json('properties') }} as masked_properties
    from ranked
),

checked as (
    select
        event_id,
        user_id,
        anonymous_id,
        session_id,
        event_name,
        occurred_at,
        received_at,
        platform,
        masked_page as page,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        masked_utm_term as utm_term,
        case
            when masked_properties = properties then properties
            when {{ is_valid_json('masked_properties') }} then masked_properties
        end as properties,
        case
            when event_id is null then 'missing_event_id'
            when delivery_number > 1 then 'duplicate_event'
            when event_name is null then 'missing_event_name'
            {{ timestamp_reason_branches('occurred_at', 'occurred_at_raw', 'missing_occurred_at') }}
            when not {{ is_valid_json('properties') }} then 'invalid_json'
        end as quarantine_reason,
        {{ describe_row(['event_name', 'occurred_at_raw', 'received_at']) }} as row_detail
    from masked
)

select * from checked
