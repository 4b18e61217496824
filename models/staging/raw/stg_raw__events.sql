-- Every raw event row, cleaned, with the reason it is quarantined (null: kept).
-- Events are delivered at least once: per event_id the earliest received copy is kept
-- (duplicate_event). Then: event name missing; occurred_at unparseable, missing, before 2000
-- or in the future; properties that are not valid JSON. Events of unknown users are caught in
-- int_events_validated. E-mail addresses and phone numbers a client put in page or in properties
-- are masked here (macro mask_contacts), so no clear contact reaches the marts.
--
-- Incremental by received day (doc block incremental_events): a run re-reads the raw rows
-- received on or after the latest stored received day minus var('incremental_lookback_days')
-- and replaces those days; the earlier days stay as stored. Rows without a readable received_at
-- carry the received day 9999-12-31, so every run re-reads them. A copy of an event is a
-- duplicate when an earlier copy exists in the re-read days or among the stored ones: the stored
-- copies were all received before the re-read days, so they always come first. Each row stores
-- the settings it was read with (read_settings, macro raw_event_settings): a run with other
-- settings re-reads every raw row. written_at: when the run that wrote the row started, so a
-- daily run's tests check the rows it wrote (macro written_in_last_run).
{{
    config(
        materialized='incremental',
        unique_key='received_date',
        on_schema_change='fail',
        pre_hook=[
            "{{ add_missing_column('read_settings', dbt.type_string()) }}",
            "{{ add_written_at_column() }}",
        ],
        **replace_date_rows('received_date')
    )
}}
{%- if is_incremental() %}
    {%- set first_reread_day = raw_events_first_reread_day() %}
{%- endif %}
with

source as (
    select * from {{ source('raw', 'raw_events') }}
    {%- if is_incremental() %}
        -- Typed raw timestamps: the older days are skipped while the files are read.
        where {{ received_on_or_after(source('raw', 'raw_events'), 'received_at', first_reread_day) }}
    {%- endif %}
),

-- The received time and day come first, so a daily run keeps only the raw rows of the re-read
-- days before it cleans their other columns (cleaning every raw row took half its time).
received as (
    select
        source.*,
        {{ parse_timestamp('received_at') }} as received_instant,
        {{ received_day(parse_timestamp('received_at')) }} as received_date
    from source
),

{% if is_incremental() %}
    -- The re-read days: from first_reread_day (macro raw_events_first_reread_day), the latest
    -- stored day minus the lookback; every day when nothing is stored or the latest day was read
    -- with other settings (every run re-reads it).
    batch_rows as (
        select *
        from received
        where received_date >= {{ first_reread_day }}
    ),
{% endif %}

batch as (
    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        {{ clean_text('session_id') }} as session_id,
        {{ clean_category('event_name') }} as event_name,
        {{ parse_timestamp('occurred_at') }} as occurred_at,
        occurred_at as occurred_at_raw,
        received_instant as received_at,
        received_date,
        {{ clean_category('platform') }} as platform,
        {{ clean_text('page') }} as page,
        {{ clean_category('utm_source') }} as utm_source,
        {{ clean_category('utm_medium') }} as utm_medium,
        {{ clean_category('utm_campaign') }} as utm_campaign,
        {{ clean_category('utm_content') }} as utm_content,
        {{ clean_category('utm_term') }} as utm_term,
        {{ clean_text('properties') }} as properties
    from {% if is_incremental() %}batch_rows{% else %}received{% endif %}
),

{% if is_incremental() %}
    -- How many stored copies each re-read event has: they were received before the re-read days,
    -- so they come first in the de-duplication order.
    stored_copies as (
        select
            previous.event_id,
            count(*) as stored_copies
        from {{ this }} as previous
        where
            previous.received_date < {{ first_reread_day }}
            and previous.event_id in (select batch.event_id from batch)
        group by previous.event_id
    ),
{% endif %}

ranked as (
    select
        batch.*,
        row_number() over (
            partition by batch.event_id
            order by
                batch.received_at asc nulls last,
                batch.occurred_at asc nulls last,
                batch.user_id asc,
                batch.anonymous_id asc
        ){% if is_incremental() %} + coalesce(stored_copies.stored_copies, 0){% endif %} as delivery_number
    from batch
    {%- if is_incremental() %}
    left join stored_copies
        on batch.event_id = stored_copies.event_id
    {%- endif %}
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

-- The reason comes first, so checked can store row_detail by it.
judged as (
    select
        *,
        case
            when event_id is null then 'missing_event_id'
            when delivery_number > 1 then 'duplicate_event'
            when event_name is null then 'missing_event_name'
            {{ timestamp_reason_branches('occurred_at', 'occurred_at_raw', 'missing_occurred_at') }}
            when not {{ is_valid_json('properties') }} then 'invalid_json'
        end as quarantine_reason
    from masked
),

-- row_detail is stored where it cannot be rebuilt from the row's own values (doc block
-- event_row_detail): for a row quarantined here, and for a kept row whose occurred_at reads as
-- another text than its parsed value. int_events_validated rebuilds the others' when it needs it.
checked as (
    select
        event_id,
        user_id,
        anonymous_id,
        session_id,
        event_name,
        occurred_at,
        received_at,
        received_date,
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
        quarantine_reason,
        case
            when
                quarantine_reason is null
                and cast(occurred_at_raw as {{ dbt.type_string() }}) = cast(occurred_at as {{ dbt.type_string() }})
                then null
            else {{ event_row_detail('occurred_at_raw') }}
        end as row_detail,
        {{ raw_event_settings() }} as read_settings,
        {{ written_at() }} as written_at
    from judged
)

select * from checked
