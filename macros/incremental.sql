{#
    replace_date_rows(date_column): the config keys of an incremental model whose each build
    replaces all rows of the dates it writes (date_column, also its unique_key) and keeps the
    others: the snapshot histories (user_layer_history, user_tag_history), audience_members and
    the raw events by received day (stg_raw__events, doc block incremental_events).
    Documented in macros/_incremental.yml.
    DuckDB (and the default): delete+insert on the date. Spark without Delta has no merge nor
    delete: the table is partitioned by the date and insert_overwrite replaces the partitions
    the build writes (dynamic partition overwrite, dbt-spark's default for this strategy).
#}
{% macro replace_date_rows(date_column) -%}
    {{ return(adapter.dispatch('replace_date_rows', 'strata')(date_column)) }}
{%- endmacro %}

{% macro default__replace_date_rows(date_column) -%}
    {{ return({'incremental_strategy': 'delete+insert'}) }}
{%- endmacro %}

{% macro spark__replace_date_rows(date_column) -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [date_column]}) }}
{%- endmacro %}

{#
    forget_stale_identified_events(): the pre-hook of int_events_identified's daily runs (doc block
    incremental_identified_events). It deletes the stored events the run writes again:
    - those received on or after the last stored received day minus
      var('incremental_lookback_days') (the days stg_raw__events re-reads), and those without a
      received_at;
    - all of them, when a daily run could not follow the change otherwise: a stored event whose
      user is no longer a kept user or whose date is after the as-of date, or a kept raw event
      before those days that is not stored but should be (its user became a kept user, or the
      as-of date moved past it).
    After it, the model writes every event received after the last day still stored.
#}
{% macro forget_stale_identified_events() -%}
    {%- if is_incremental() -%}
        {%- set stored_day = received_day('received_at') -%}
        with

        stored as (
            select * from {{ this }}
        ),

        reread_from as (
            select
                coalesce(
                    {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(' ~ stored_day ~ ')') }},
                    cast('1900-01-01' as date)
                ) as first_reread_day,
                max(occurred_at) as last_stored_occurred_at
            from stored
            where {{ stored_day }} < {{ never_received_date() }}
        ),

        kept_users as (
            select user_id from {{ ref('stg_raw__users') }}
            where quarantine_reason is null
        ),

        as_of as (
            select as_of_date from {{ ref('int_as_of_date') }}
        ),

        stored_users as (
            select distinct user_id from stored
            where user_id is not null
        ),

        -- Users of stored events who are no longer kept users.
        users_gone as (
            select stored_users.user_id
            from stored_users
            left join kept_users
                on stored_users.user_id = kept_users.user_id
            where kept_users.user_id is null
        ),

        -- Kept users without a stored event.
        users_unstored as (
            select kept_users.user_id
            from kept_users
            left join stored_users
                on kept_users.user_id = stored_users.user_id
            where stored_users.user_id is null
        ),

        -- Kept raw events before the re-read days, on or before the as-of date.
        raw_before_reread as (
            select
                raw_events.user_id,
                raw_events.occurred_at
            from {{ ref('stg_raw__events') }} as raw_events
            cross join reread_from
            cross join as_of
            where
                raw_events.quarantine_reason is null
                and raw_events.received_date < reread_from.first_reread_day
                and {{ reporting_date('raw_events.occurred_at') }} <= as_of.as_of_date
        ),

        -- Such events that are not stored but should be: their user was not a kept user when they
        -- were read, or the as-of date has moved past them (no stored event occurred later).
        missed_user_events as (
            select raw_before_reread.user_id
            from raw_before_reread
            where raw_before_reread.user_id in (select users_unstored.user_id from users_unstored)
        ),

        missed_as_of_events as (
            select raw_before_reread.user_id
            from raw_before_reread
            cross join reread_from
            where
                raw_before_reread.occurred_at > reread_from.last_stored_occurred_at
                and (
                    raw_before_reread.user_id is null
                    or raw_before_reread.user_id in (select kept_users.user_id from kept_users)
                )
        ),

        -- Stored events after the as-of date.
        late_stored_events as (
            select stored.event_id
            from stored
            cross join as_of
            where stored.event_date > as_of.as_of_date
        ),

        -- The first received day to delete: every day when a change needs a full rewrite.
        forget as (
            select
                case
                    when
                        exists (select 1 from users_gone)
                        or exists (select 1 from late_stored_events)
                        or exists (select 1 from missed_user_events)
                        or exists (select 1 from missed_as_of_events)
                        then cast('1900-01-01' as date)
                    else reread_from.first_reread_day
                end as first_forgotten_day
            from reread_from
        )

        delete from {{ this }}
        where {{ stored_day }} >= (select forget.first_forgotten_day from forget)
    {%- endif -%}
{%- endmacro %}
