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
    written_at(): the instant this dbt invocation started (UTC, microseconds), as a timestamp: the
    written_at of every row an incremental event model writes in the run (doc block
    incremental_consumers).
#}
{% macro written_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#
    Settings that shape stored rows (doc blocks incremental_events and
    incremental_identified_events). A daily run keeps the rows of old days as stored, so a var
    that changes how a row is read must make the run write every row again, or the old days
    would keep the old setting without a word.
    raw_event_settings(): the vars that shape a stg_raw__events row (how a timestamp is read and
    checked, how deep properties may nest), as one SQL string literal 'name=value; ...'. Each row
    stores it as read_settings; a daily run whose value differs re-reads every raw row.
    identified_event_settings(): the same for the vars that shape the rows of
    int_events_identified and the models that follow it (late arrival, derived sessions, time
    spent, reporting dates). Its marker row in int_events_identified_replaced stores them
    (run_settings), after the settings the stored raw rows were read with; a daily run whose
    value differs writes every event again.
#}
{% macro raw_event_settings() -%}
    {{ settings_literal(['min_valid_timestamp', 'epoch_milliseconds_from', 'json_max_nesting_depth']) }}
{%- endmacro %}

{% macro identified_event_settings() -%}
    {{ settings_literal(['late_event_hours', 'session_inactivity_minutes', 'session_time_cap_minutes', 'reporting_timezone']) }}
{%- endmacro %}

{# settings_literal(var_names): 'name=value; ...' of the vars, as a SQL string literal. #}
{% macro settings_literal(var_names) -%}
    {%- set parts = [] -%}
    {%- for name in var_names -%}{%- do parts.append(name ~ '=' ~ var(name)) -%}{%- endfor -%}
    {{ sql_string(parts | join('; ')) }}
{%- endmacro %}

{#
    raw_events_first_reread_day(): for a daily run of stg_raw__events (doc block
    incremental_events), the first received day it re-reads, as a SQL date constant read from the
    stored rows before the model's statement runs: the latest stored received day minus
    var('incremental_lookback_days'), or 1900-01-01 (every day) when no day is stored or the latest
    was read with other settings (raw_event_settings). A constant, not a subquery, so DuckDB
    applies the bound while it scans (received_on_or_after).
#}
{% macro raw_events_first_reread_day() -%}
    {%- set first_day_query -%}
        select cast(
            case
                when max_by(read_settings, received_date) = {{ raw_event_settings() }}
                    then {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(received_date)') }}
                else cast('1900-01-01' as date)
            end as {{ dbt.type_string() }}
        )
        from {{ this }}
        where received_date < {{ never_received_date() }}
    {%- endset -%}
    {%- set first_day = none -%}
    {#- A table stored before read_settings existed was read with unknown settings: every day. -#}
    {%- if execute and 'read_settings' in adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {%- set first_day = run_query(first_day_query).columns[0].values()[0] -%}
    {%- endif -%}
    {{ return('cast(' ~ sql_string((first_day or '1900-01-01')[:10]) ~ ' as date)') }}
{%- endmacro %}

{#
    received_on_or_after(relation, column, first_day): a condition on the raw rows of relation
    that keeps at least every row whose received day (received_day of parse_timestamp(column)) is
    first_day (a SQL date constant) or later, written so that DuckDB can check it in the scan of
    the raw files (Parquet row-group statistics skip the older rows unread): when the column is
    typed (duckdb_typed_timestamps), column is null or at least first_day's midnight UTC (a
    zoned column: the same instant), which is exactly those rows. 1 = 1 for every other type and
    on other engines: the caller's own filter on the received day does the work.
#}
{% macro received_on_or_after(relation, column, first_day) -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set naive, zoned = duckdb_typed_timestamps() -%}
        {%- set types = adapter.get_columns_in_relation(relation)
            | selectattr('name', 'equalto', column) | map(attribute='dtype') | map('upper') | list -%}
        {%- if types == [naive] -%}
            {{ return('(' ~ column ~ ' is null or ' ~ column ~ ' >= cast(' ~ first_day ~ ' as timestamp))') }}
        {%- elif types == [zoned] -%}
            {{ return('(' ~ column ~ " is null or " ~ column ~ " >= timezone('UTC', cast(" ~ first_day ~ ' as timestamp)))') }}
        {%- endif -%}
    {%- endif -%}
    {{ return('1 = 1') }}
{%- endmacro %}

{#
    log_replaced_identified_events(): the first pre-hook of int_events_identified on DuckDB (doc
    block incremental_identified_events). It writes to int_events_identified_replaced one marker
    row for the run (event_id null; is_everything when the run writes every event) and, in a daily
    run that keeps some events, the stored row of each event the run deletes:
    - those received on or after the last stored received day minus
      var('incremental_lookback_days') (the days stg_raw__events re-reads), and those without a
      received_at;
    - those of a device whose stored anonymous events carry another stitched user than
      int_identity_map's today;
    - the derived-session events of a session key with an event without a session_id in the
      re-read days, raw or stored, that occurred at or after the first of those events (their
      sessions are numbered again; the key's earlier sessions keep their numbers).
    The bounds it compares with are constants read before the statement (identified_event_bounds),
    so DuckDB reads every column only of the stored events it logs.
    Every stored event goes, and only the marker is written, when a daily run could not follow the
    change otherwise: a stored event whose user is no longer a kept user or whose date is after
    the as-of date, or a kept raw event before those days that is not stored but should be (its
    user became a kept user, or the as-of date moved past it); or settings other than the last
    run's (the marker's settings: the stored raw rows' read_settings, then
    identified_event_settings, the reporting time zone among them).
    So does every build that is not a daily run. Marker rows older than
    var('replaced_events_kept_days') go, with their events.
#}
{% macro log_replaced_identified_events() -%}
    {%- if target.type != 'spark' -%}
        {%- set log = ref('int_events_identified_replaced') -%}
        {%- set now = written_at() -%}
        {#- The raw rows' settings: those of the latest received day, which every run re-reads. -#}
        {%- set settings -%}
            coalesce((
                select max_by(read_settings, received_date) from {{ ref('stg_raw__events') }}
                where received_date < {{ never_received_date() }}
            ), '') || '; ' || {{ identified_event_settings() }}
        {%- endset -%}
        insert into {{ log }} (
            replaced_at, is_everything, event_id, session_id, user_id, stitched_user_id, anonymous_id, event_date,
            run_settings, stored_written_at, stored_row_hash
        )
        {% if is_incremental() -%}
            {%- set stored_day = received_day('received_at') -%}
            {#- The bounds every step compares with, read before the statement and written into it
                as constants: DuckDB takes a constant bound into the table scan and reads the other
                columns only of the rows it keeps, which a bound from a subquery does not do. -#}
            {%- set bounds = identified_event_bounds() -%}
            {%- set first_reread_day = bounds['first_reread_day'] -%}
            {%- set as_of_date = bounds['as_of_date'] -%}
            with

            -- The settings of the last run (its marker row; null: none is logged) and of this one.
            last_settings as (
                select max_by(run_settings, replaced_at) as run_settings
                from {{ log }}
                where event_id is null
            ),

            this_run as (
                select {{ settings }} as run_settings
            ),

            kept_users as (
                select user_id from {{ ref('stg_raw__users') }}
                where quarantine_reason is null
            ),

            stored_users as (
                select distinct user_id from {{ this }}
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

            -- Kept raw events before the re-read days, on or before the as-of date, that are not
            -- stored but should be: their user was not a kept user when they were read (missed_by_user),
            -- or the as-of date has moved past them: no stored event occurred later (missed_by_date).
            missed_by_user as (
                select raw_events.user_id
                from users_unstored
                inner join {{ ref('stg_raw__events') }} as raw_events
                    on users_unstored.user_id = raw_events.user_id
                where
                    raw_events.quarantine_reason is null
                    and raw_events.received_date < {{ first_reread_day }}
                    and {{ reporting_date('raw_events.occurred_at') }} <= {{ as_of_date }}
            ),

            missed_by_date as (
                select raw_events.user_id
                from {{ ref('stg_raw__events') }} as raw_events
                where
                    raw_events.quarantine_reason is null
                    and raw_events.received_date < {{ first_reread_day }}
                    and raw_events.occurred_at > {{ bounds['last_stored_occurred_at'] }}
                    and {{ reporting_date('raw_events.occurred_at') }} <= {{ as_of_date }}
                    and (
                        raw_events.user_id is null
                        or raw_events.user_id in (select kept_users.user_id from kept_users)
                    )
            ),

            -- Whether every stored event goes.
            forget as (
                select
                    (
                        exists (select 1 from users_gone)
                        -- Stored events after the as-of date.
                        or coalesce({{ bounds['last_event_date'] }} > {{ as_of_date }}, false)
                        or exists (select 1 from missed_by_user)
                        or exists (select 1 from missed_by_date)
                        or last_settings.run_settings is distinct from this_run.run_settings
                    ) as is_everything,
                    this_run.run_settings
                from last_settings
                cross join this_run
            ),

            -- Devices whose stored anonymous events carry another stitched user than the map's today.
            restitched_devices as (
                select distinct stored.anonymous_id
                from {{ this }} as stored
                left join {{ ref('int_identity_map') }} as identity_map
                    on
                        stored.anonymous_id = identity_map.anonymous_id
                        and identity_map.is_stitched
                where
                    stored.user_id is null
                    and stored.anonymous_id is not null
                    and stored.stitched_user_id is distinct from identity_map.user_id
            ),

            -- Session keys (doc block session) with an event without a session_id in the re-read
            -- days, raw (read again) or stored (it may be gone), and the first occurred_at among
            -- those events: a derived session's number counts the sessions before it, so the
            -- key's events that occurred earlier keep theirs, and only the later ones are
            -- numbered again.
            reread_session_events as (
                select
                    {{ session_key('raw_events') }} as session_key,
                    raw_events.occurred_at
                from {{ ref('stg_raw__events') }} as raw_events
                where
                    raw_events.session_id is null
                    and raw_events.received_date >= {{ first_reread_day }}
                union all
                select
                    {{ session_key('stored') }} as session_key,
                    stored.occurred_at
                from {{ this }} as stored
                where
                    stored.is_session_derived
                    and {{ stored_day }} >= {{ first_reread_day }}
            ),

            resessioned_keys as (
                select
                    session_key,
                    min(occurred_at) as first_occurred_at
                from reread_session_events
                group by session_key
            ),

            -- The stored events before the re-read days whose session or stitched user can change:
            -- those of a restitched device, and the derived-session events a re-read event can
            -- number again. They stay stored; the post-hook (update_older_identified_events)
            -- gives them their new values. Found by their rowid (DuckDB's row number in the
            -- stored table), which DuckDB takes into the scan that reads the columns the log
            -- keeps of them only (the second branch below).
            older_rows as (
                select stored.rowid as stored_row
                from {{ this }} as stored
                left join resessioned_keys
                    on
                        stored.is_session_derived
                        and {{ session_key('stored') }} = resessioned_keys.session_key
                where
                    {{ stored_day }} < {{ first_reread_day }}
                    and (
                        stored.anonymous_id in (select restitched_devices.anonymous_id from restitched_devices)
                        or stored.occurred_at >= resessioned_keys.first_occurred_at
                    )
            ),

            -- The stored events of the re-read days, which the run deletes and writes again.
            reread as (
                select * from {{ this }}
                where {{ stored_day }} >= {{ first_reread_day }}
            )

            select
                {{ now }},
                false,
                event_id,
                session_id,
                user_id,
                stitched_user_id,
                anonymous_id,
                event_date,
                null,
                written_at,
                {{ identified_event_row_hash('reread') }}
            from reread
            where not (select forget.is_everything from forget)
            union all
            select {{ now }}, false, event_id, session_id, user_id, stitched_user_id, anonymous_id, event_date, null, written_at, null
            from {{ this }}
            where
                rowid in (select older_rows.stored_row from older_rows)
                and not (select forget.is_everything from forget)
            union all
            select {{ now }}, is_everything, null, null, null, null, null, null, run_settings, null, null
            from forget;

            -- The first received_at the run writes again, for the next pre-hook and the model
            -- (null: every event), as a DuckDB variable: a constant to the planner, so their scans
            -- skip the rows before it.
            set variable {{ identified_events_from() }} = (
                select case when not is_everything then cast({{ first_reread_day }} as {{ dbt.type_timestamp() }}) end
                from {{ log }}
                where replaced_at = {{ now }} and event_id is null
            )
        {%- else -%}
            select {{ now }}, true, null, null, null, null, null, null, {{ settings }}, null, null
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#
    identified_event_bounds(): for log_replaced_identified_events, SQL constants read from the
    stored int_events_identified (one pass) and int_as_of_date before the hook's statement runs:
    first_reread_day (the last stored received day minus var('incremental_lookback_days'), of rows
    with a received_at; 1900-01-01 when none is stored), last_stored_occurred_at (the last
    occurrence among those rows), last_event_date (of every stored row) and as_of_date, each cast
    to its type, null when there is none.
#}
{% macro identified_event_bounds() -%}
    {%- set stored_day = received_day('received_at') -%}
    {%- set bounds_query -%}
        with stored as (
            select
                max(case when {{ stored_day }} < {{ never_received_date() }} then {{ stored_day }} end) as last_stored_day,
                max(case when {{ stored_day }} < {{ never_received_date() }} then occurred_at end) as last_stored_occurred_at,
                max(event_date) as last_event_date
            from {{ this }}
        )
        select
            cast(cast({{ dbt.dateadd('day', -var('incremental_lookback_days'), 'stored.last_stored_day') }} as date) as {{ dbt.type_string() }}),
            cast(stored.last_stored_occurred_at as {{ dbt.type_string() }}),
            cast(stored.last_event_date as {{ dbt.type_string() }}),
            cast(as_of.as_of_date as {{ dbt.type_string() }})
        from stored
        cross join {{ ref('int_as_of_date') }} as as_of
    {%- endset -%}
    {%- set row = run_query(bounds_query).rows[0] if execute else [none, none, none, none] -%}
    {%- set types = ['date', dbt.type_timestamp(), 'date', 'date'] -%}
    {%- set literals = [] -%}
    {%- for value in row -%}
        {%- do literals.append(
            'cast(' ~ (sql_string(value) if value is not none else 'null') ~ ' as ' ~ types[loop.index0] ~ ')'
        ) -%}
    {%- endfor -%}
    {{ return({
        'first_reread_day': literals[0] if row[0] is not none else "cast('1900-01-01' as date)",
        'last_stored_occurred_at': literals[1],
        'last_event_date': literals[2],
        'as_of_date': literals[3],
    }) }}
{%- endmacro %}

{#
    identified_event_row_hash(relation_alias): a hash of an int_events_identified row's values,
    every column of the stored table ({{ this }}) but written_at, as text: DuckDB's 64-bit hash(),
    ten times as fast as an md5 of the row's text. The columns are read from the stored table, so
    a column added to the model is hashed too (on_schema_change='fail' keeps the two alike). DuckDB
    only: only the daily runs there call it, to tell an event written again with the same values
    from a changed one, and they compare two hashes the same run computed (the stored row's in the
    pre-hook, the new row's in the model), so a hash function that differs between DuckDB versions
    does no harm. Two different rows hash alike with a chance of 2^-64.
#}
{% macro identified_event_row_hash(relation_alias) -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name')
        | reject('equalto', 'written_at') | list -%}
    cast(hash(
        {%- for column in columns %}
        {{ relation_alias }}.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{#
    update_older_identified_events(): the first post-hook of int_events_identified's daily runs on
    DuckDB. The events the first pre-hook logged from before the re-read days (a restitched
    device's, or derived-session events a re-read event can number again) stayed stored; this
    gives each its session_id (the derived sessions of its session key numbered again over all of
    the key's events, macro derived_session_ids) and stitched_user_id (int_identity_map) as a
    rebuild would, and stamps the run's written_at on those whose values change. Their other
    values cannot change without the run writing every event: their raw rows are not re-read, and
    a change of users, as-of date or settings marks the run is_everything.
#}
{% macro update_older_identified_events() -%}
    {%- if target.type != 'spark' and is_incremental() -%}
        {%- set log = ref('int_events_identified_replaced') -%}
        {#- int_events_dated, a view beside this table (both are intermediate models), by name: the
            model reads it through int_events_sessionized already, and a ref() here would need a
            second, direct edge in the lineage for the same dependency. -#}
        {%- set dated_events = this.incorporate(path={'identifier': 'int_events_dated'}) -%}
        update {{ this }} as stored
        set
            session_id = renewed.session_id,
            stitched_user_id = renewed.stitched_user_id,
            written_at = {{ written_at() }}
        from (
            with

            -- The events the first pre-hook logged in this run from before the re-read days: still
            -- stored, and logged without a stored_row_hash (the model wrote none of them).
            older as (
                select
                    event_id,
                    user_id,
                    anonymous_id,
                    session_id
                from {{ log }}
                where
                    replaced_at = {{ written_at() }}
                    and event_id is not null
                    and stored_row_hash is null
            ),

            -- The derived sessions of the older events' session keys, numbered over every event
            -- of those keys.
            {{ derived_session_ids(dated_events, 'select ' ~ session_key('older') ~ ' from older') }}

            select
                older.event_id,
                coalesce(derived_session_ids.session_id, older.session_id) as session_id,
                coalesce(older.user_id, identity_map.user_id) as stitched_user_id
            from older
            left join derived_session_ids
                on older.event_id = derived_session_ids.event_id
            left join {{ ref('int_identity_map') }} as identity_map
                on
                    older.anonymous_id = identity_map.anonymous_id
                    and identity_map.is_stitched
        ) as renewed
        where
            stored.event_id = renewed.event_id
            and (
                stored.session_id is distinct from renewed.session_id
                or stored.stitched_user_id is distinct from renewed.stitched_user_id
            )
    {%- endif -%}
{%- endmacro %}

{#
    drop_unchanged_identified_events(): the last post-hook of int_events_identified's daily runs.
    An event the pre-hooks deleted and this run wrote again with the same values kept its stored
    written_at (the model compares identified_event_row_hash), and so did an older event the first
    post-hook found unchanged: its row in int_events_identified_replaced goes, so the models that
    follow int_events_identified, and publishing, skip it as unchanged. What is left in the log for
    the run is the events written again or updated with other values, and those gone.
#}
{% macro drop_unchanged_identified_events() -%}
    {%- if target.type != 'spark' and is_incremental() -%}
        {%- set log = ref('int_events_identified_replaced') -%}
        delete from {{ log }}
        where
            replaced_at = {{ written_at() }}
            and event_id in (
                select event_id from {{ this }}
                where
                    written_at < {{ written_at() }}
                    and event_id in (
                        select event_id from {{ log }}
                        where replaced_at = {{ written_at() }}
                    )
            )
    {%- endif -%}
{%- endmacro %}

{#
    forget_replaced_identified_events(): the second pre-hook of int_events_identified's daily
    runs: deletes the stored events received on or after the first re-read day the first pre-hook
    (log_replaced_identified_events) set, and those without a received_at; or every stored event,
    when it marked the run is_everything (the variable is null). The model writes them again. The
    older events that hook logged stay stored: the post-hook gives them their new values. Before
    that, it adds column written_at to a table stored by an earlier version of strata
    (add_written_at_column).
#}
{% macro forget_replaced_identified_events() -%}
    {%- if is_incremental() -%}
        {{ add_written_at_column() }};
        delete from {{ this }}
        where {{ written_again_by_run('received_at') }}
    {%- endif -%}
{%- endmacro %}

{#
    identified_events_from(): the name of the DuckDB variable that holds, in a daily run of
    int_events_identified, the first received_at the run writes again (the first re-read day;
    null when it writes every event), set by log_replaced_identified_events.
#}
{% macro identified_events_from() -%}
    strata_identified_events_from
{%- endmacro %}

{#
    written_again_by_run(received_at): whether a daily run of int_events_identified writes the
    event with this received_at again (one rule for the deletion and the model): it was received
    on or after identified_events_from, or has no received_at, or the run writes every event. The
    variable is a constant to DuckDB's planner, so this bound reaches the table scans, which a
    bound from a subquery does not.
#}
{% macro written_again_by_run(received_at) -%}
    {%- set events_from = "getvariable('" ~ identified_events_from() ~ "')" -%}
    ({{ events_from }} is null or {{ received_at }} >= {{ events_from }} or {{ received_at }} is null)
{%- endmacro %}

{#
    prune_replaced_identified_events(): the third pre-hook of int_events_identified on DuckDB:
    deletes the runs of int_events_identified_replaced older than
    var('replaced_events_kept_days') days (their marker and their events).
#}
{% macro prune_replaced_identified_events() -%}
    {%- if target.type != 'spark' -%}
        delete from {{ ref('int_events_identified_replaced') }}
        where replaced_at < {{ dbt.dateadd('day', -var('replaced_events_kept_days'), written_at()) }}
    {%- endif -%}
{%- endmacro %}

{#
    add_written_at_column(): adds column written_at to the stored table of the model being built
    when a version of strata before the column stored it (null there: such rows count as written
    before any later run), so its daily run can go on instead of failing on a schema change.
#}
{% macro add_written_at_column() -%}
    {{ add_missing_column('written_at', dbt.type_timestamp()) }}
{%- endmacro %}

{#
    add_missing_column(column_name, data_type): in a daily run, SQL that adds the column (null in
    the stored rows) to the stored table of the model being built when a version of strata before
    the column stored it, so the run goes on instead of failing on the schema change (a pre-hook).
    Spark has no "if not exists" here: the column is added only when the table lacks it.
#}
{% macro add_missing_column(column_name, data_type) -%}
    {{ return(adapter.dispatch('add_missing_column', 'strata')(column_name, data_type)) }}
{%- endmacro %}

{% macro default__add_missing_column(column_name, data_type) -%}
    {%- if is_incremental() -%}
        alter table {{ this }} add column if not exists {{ column_name }} {{ data_type }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__add_missing_column(column_name, data_type) -%}
    {%- if is_incremental() and column_name not in adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        alter table {{ this }} add columns ({{ column_name }} {{ data_type }})
    {%- endif -%}
{%- endmacro %}

{#
    latest_written_at(relation): the latest written_at stored in relation, as SQL (a timestamp
    literal), or none when the relation is empty. It is read with run_query when the SQL that
    calls it is rendered and written in as a constant, so that DuckDB reads only the row groups
    that can hold rows written after it (or at it).
#}
{% macro latest_written_at(relation) -%}
    {%- set latest = run_query('select cast(max(written_at) as ' ~ dbt.type_string() ~ ') from ' ~ relation).columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return("cast('" ~ latest ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{#
    Daily runs of the models that read int_events_identified (doc block incremental_consumers).
    stored_written_at(): latest_written_at of the model being built ({{ this }}), or none
    outside a daily run, when nothing is stored (the table is empty), or when the table has no
    written_at yet (a version of strata before the column stored it). It is read when the
    model's SQL is compiled, which dbt does before the pre-hooks run, and again when its
    pre-hook is rendered, before the hook runs: both read the same table.
#}
{% macro stored_written_at() -%}
    {%- if execute and is_incremental() and 'written_at' in adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {{ return(latest_written_at(this)) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#
    changed_keys_since_stored(changed_key, rewrite_all=false): the SQL of a query of the keys
    whose events int_events_identified changed since the model being built ({{ this }}) last
    wrote, or none for every key (doc block incremental_consumers). A key changed when an event
    written since (its written_at) or a stored event deleted since (int_events_identified_replaced)
    has it; changed_key is the expression over the columns of an event (and of the log, which
    keeps them) that gives its key. The keys may repeat. none when rewrite_all (the caller's own
    settings changed), outside a daily run, when nothing is stored, when a run since wrote every
    event (is_everything), and when the runs since are no longer all kept
    (var('replaced_events_kept_days')). Those two are read from the log with run_query when the
    SQL is rendered (as stored_written_at is), so that what is left is a plain query.
#}
{% macro changed_keys_since_stored(changed_key, rewrite_all=false) -%}
    {%- set since = stored_written_at() -%}
    {%- set log = ref('int_events_identified_replaced') -%}
    {%- if since is none or rewrite_all -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set follows_log = run_query(
        'select not exists (select 1 from ' ~ log ~ ' where event_id is null and replaced_at > '
        ~ since ~ ' and is_everything) and exists (select 1 from ' ~ log
        ~ ' where event_id is null and replaced_at <= ' ~ since ~ ')'
    ).columns[0].values()[0] -%}
    {%- if not follows_log -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(
        'select ' ~ changed_key ~ ' from ' ~ log ~ '\n'
        ~ 'where event_id is not null and replaced_at > ' ~ since ~ '\n'
        ~ 'union all\n'
        ~ 'select ' ~ changed_key ~ ' from ' ~ ref('int_events_identified') ~ '\n'
        ~ 'where written_at > ' ~ since
    ) }}
{%- endmacro %}

{#
    changed_since_stored(key_column, changed_key=none, rewrite_all=false): a condition on
    key_column (a column or an expression) of an event or a stored row that holds for every key
    changed_keys_since_stored gives (changed_key: the expression that gives an event's key, by
    default key_column itself): 1 = 1 when it gives every key, else a plain IN, which DuckDB runs
    as a semi join (in one OR with the checks on the log, it was a mark join over every event).
    A model whose own filters leave few of the events it reads can get the semi join built on
    those events instead of on the keys (DuckDB estimates a filter on written_at at a fifth of
    the table): such a model joins changed_keys_join instead.
#}
{% macro changed_since_stored(key_column, changed_key=none, rewrite_all=false) -%}
    {%- set keys = changed_keys_since_stored(changed_key or key_column, rewrite_all) -%}
    {%- if keys is none -%}
        1 = 1
    {%- else -%}
        {{ key_column }} in (
            {{ keys | indent(12) }}
        )
    {%- endif -%}
{%- endmacro %}

{#
    changed_keys_join(key_column, changed_key, rewrite_all=false): the keys of
    changed_keys_since_stored(changed_key, rewrite_all) as an inner join of the distinct keys on
    key_column (a column of the relation before it, with its alias), or nothing when every key
    counts. A join of distinct keys lets DuckDB build its hash table on the keys, which are few
    in a daily run: the semi join of an IN may be built on the other side when that side's
    filters look selective, which for int_user_category_views held every product view with its
    JSON properties (5 GB at a million users).
#}
{% macro changed_keys_join(key_column, changed_key, rewrite_all=false) -%}
    {%- set keys = changed_keys_since_stored(changed_key, rewrite_all) -%}
    {%- if keys is not none -%}
        inner join (
            select distinct changed_key
            from (
                {{ keys | indent(16) }}
            ) as changed (changed_key)
        ) as changed_keys
            on {{ key_column }} = changed_keys.changed_key
    {%- endif -%}
{%- endmacro %}

{#
    follows_identified_events(key_column, pre_hook=none): the config keys (a dict, spread into
    config()) of a model that reads int_events_identified and follows it in daily runs by
    key_column (doc block incremental_consumers): on DuckDB incremental, delete+insert on the key
    after the pre-hook, forget_changed_rows on the key unless another is given; on Spark a table.
#}
{% macro follows_identified_events(key_column, pre_hook=none) -%}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': key_column,
        'on_schema_change': 'fail',
        'pre_hook': pre_hook or "{{ forget_changed_rows('" ~ key_column ~ "') }}",
    }) }}
{%- endmacro %}

{#
    forget_changed_rows(key_column): the pre-hook of a model that reads int_events_identified and
    is incremental on key_column (doc block incremental_consumers): deletes its stored rows whose
    key changed_since_stored, so a key whose events are all gone goes too; the model then writes
    the rows of those keys again. Before that, add_written_at_column.
#}
{% macro forget_changed_rows(key_column) -%}
    {%- if is_incremental() -%}
        {{ add_written_at_column() }};
        delete from {{ this }}
        where {{ changed_since_stored(key_column) }}
    {%- endif -%}
{%- endmacro %}

{#
    The funnel models follow int_events_identified by identity (doc block incremental_funnels):
    each row of int_funnel_step_events and int_funnel_attempt_steps depends only on the events of
    one funnel identity and on the funnel definitions.
    stitched_identity(prefix): the identity of an event in identity mode 'stitched', its
    stitched_user_id, else its device ('anonymous:<anonymous_id>'); prefix is the relation alias
    with its dot, or empty.
#}
{% macro stitched_identity(prefix='') -%}
    coalesce({{ prefix }}stitched_user_id, {{ dbt.concat(["'anonymous:'", prefix ~ 'anonymous_id']) }})
{%- endmacro %}

{#
    funnel_definition_hash(): SQL for an md5 of everything the funnel models are built with
    besides the events: every row of int_funnel_steps (the seed funnels) and the vars
    funnel_max_steps and funnel_conversion_window_days. Both models store it in each row; a daily
    run whose hash differs writes every row again.
#}
{% macro funnel_definition_hash() -%}
    {%- set step_text -%}
        concat_ws(
            '|', funnel_name, cast(step_number as {{ dbt.type_string() }}), coalesce(event_name, ''),
            coalesce(property_key, ''), coalesce(property_value, ''), identity_mode
        )
    {%- endset -%}
    (
        select {{ dbt.hash(dbt.concat([
            settings_literal(['funnel_max_steps', 'funnel_conversion_window_days']), "'; '",
            sorted_string_agg(step_text, "'; '"),
        ])) }}
        from {{ ref('int_funnel_steps') }}
    )
{%- endmacro %}

{#
    funnel_definition_changed(): in a daily run of a funnel model, whether a stored row carries
    another funnel_definition_hash than this run's (or the table has no such column yet: stored
    by a version of strata before it), read with run_query when the SQL is rendered; false
    outside daily runs.
#}
{% macro funnel_definition_changed() -%}
    {%- if execute and is_incremental() -%}
        {%- if 'funnel_definition_hash' not in adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
            {{ return(true) }}
        {%- endif -%}
        {{ return(run_query(
            'select exists (select 1 from ' ~ this ~ ' where funnel_definition_hash is distinct from '
            ~ funnel_definition_hash() ~ ')'
        ).columns[0].values()[0]) }}
    {%- endif -%}
    {{ return(false) }}
{%- endmacro %}

{#
    changed_funnel_identities(identity_column): changed_since_stored for a funnel model: a
    condition on identity_column that holds for every identity with an event changed since the
    model last wrote, and for every identity when the funnel definitions changed. The changed
    identities are the changed events' stitched identities (stitched_identity): an event's
    user_id, its identity in mode 'user', is its stitched_user_id whenever it has one, so they
    are the identities of both modes. Applied to an event's stitched identity, the condition
    keeps every event of a changed identity of either mode. With join=true, the same identities
    as an inner join (changed_keys_join), for int_funnel_attempt_steps: its IN's semi join was
    built on the step events instead of on the identities.
#}
{% macro changed_funnel_identities(identity_column, join=false) -%}
    {%- if join -%}
        {{ changed_keys_join(identity_column, stitched_identity(), funnel_definition_changed()) }}
    {%- else -%}
        {{ changed_since_stored(identity_column, stitched_identity(), funnel_definition_changed()) }}
    {%- endif -%}
{%- endmacro %}

{#
    forget_changed_funnel_identities(): the pre-hook of the funnel models' daily runs: adds the
    columns an older version of strata did not store, then deletes the rows of the changed
    identities (changed_funnel_identities), so an identity without events stays deleted.
#}
{% macro forget_changed_funnel_identities() -%}
    {%- if is_incremental() -%}
        {{ add_written_at_column() }};
        {{ add_missing_column('funnel_definition_hash', dbt.type_string()) }};
        delete from {{ this }}
        where {{ changed_funnel_identities('identity_id') }}
    {%- endif -%}
{%- endmacro %}
