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
        {%- set raw_day = 'raw_events.received_date' -%}
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

        -- Kept raw events before the re-read days that are not stored but should be.
        missed_raw_events as (
            select raw_events.event_id
            from {{ ref('stg_raw__events') }} as raw_events
            cross join reread_from
            cross join as_of
            where
                raw_events.quarantine_reason is null
                and {{ raw_day }} < reread_from.first_reread_day
                and {{ reporting_date('raw_events.occurred_at') }} <= as_of.as_of_date
                and (
                    -- its user was not a kept user when it was read
                    (
                        raw_events.user_id in (select kept_users.user_id from kept_users)
                        and raw_events.user_id not in (select stored_users.user_id from stored_users)
                    )
                    -- the as-of date has moved past it (no stored event occurred later)
                    or (
                        raw_events.occurred_at > reread_from.last_stored_occurred_at
                        and (
                            raw_events.user_id is null
                            or raw_events.user_id in (select kept_users.user_id from kept_users)
                        )
                    )
                )
        ),

        -- Stored events that are no longer kept: their user left the users export, or their date
        -- is after the as-of date.
        unkept_stored_events as (
            select stored.event_id
            from stored
            cross join as_of
            where
                stored.event_date > as_of.as_of_date
                or (
                    stored.user_id is not null
                    and stored.user_id not in (select kept_users.user_id from kept_users)
                )
        ),

        forget as (
            select
                reread_from.first_reread_day,
                exists (select 1 from missed_raw_events)
                or exists (select 1 from unkept_stored_events) as forget_all
            from reread_from
        )

        delete from {{ this }}
        where
            (select forget.forget_all from forget)
            or {{ stored_day }} >= (select forget.first_reread_day from forget)
    {%- endif -%}
{%- endmacro %}
