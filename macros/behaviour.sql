{#
    Period helpers for the behaviour marts (models/marts/behaviour) and the user x period activity
    they read (models/intermediate/retention). Periods are 'day', 'week' (weeks start on Monday) or
    'month'; a period is named by its first day, a date. Each macro returns an expression or a
    small query fragment; none refers to the caller's CTE names.
#}

{#
    integer_series(start, stop): a set-returning expression for a select list, one row per
    integer start, start + 1, ..., stop (both ends included); no row when stop < start. start
    and stop are SQL expressions and may use the columns of the FROM clause, so one query can
    give every row its own series:
        select cohort_start, {{ integer_series('0', 'periods_to_date') }} as period_number
        from cohorts
    dbt.date_spine / dbt.generate_series are not used: they need the bounds at compile time
    (date_spine runs a query while compiling), and here the bounds are data (the as-of date).
#}
{% macro integer_series(start, stop) -%}
    {{ return(adapter.dispatch('integer_series', 'strata')(start, stop)) }}
{%- endmacro %}

{# Postgres and engines with a set-returning generate_series. #}
{% macro default__integer_series(start, stop) -%}
    generate_series(cast({{ start }} as {{ dbt.type_bigint() }}), cast({{ stop }} as {{ dbt.type_bigint() }}))
{%- endmacro %}

{% macro duckdb__integer_series(start, stop) -%}
    unnest(generate_series(cast({{ start }} as {{ dbt.type_bigint() }}), cast({{ stop }} as {{ dbt.type_bigint() }})))
{%- endmacro %}

{# Spark's sequence() counts down when stop < start; the filter makes that case empty. #}
{% macro spark__integer_series(start, stop) -%}
    explode(filter(
        sequence(cast({{ start }} as bigint), cast({{ stop }} as bigint)),
        series_value -> series_value between cast({{ start }} as bigint) and cast({{ stop }} as bigint)
    ))
{%- endmacro %}

{#
    period_start(period, date_expr): the first day (a date) of the period holding date_expr.
    Weeks start on Monday: dbt.date_trunc('week', ...) is date_trunc('week', ...) on DuckDB,
    Spark and Postgres, and all three truncate to the Monday (ISO weeks). The singular test
    assert_behaviour_period_helpers checks it on the engine that runs the build.
#}
{% macro period_start(period, date_expr) -%}
    cast({{ dbt.date_trunc(period, date_expr) }} as date)
{%- endmacro %}

{#
    period_index(period, date_expr): the number of whole periods from 1900-01-01 (a Monday and
    the first day of a month) to the period holding date_expr, so consecutive periods have
    consecutive indexes.
#}
{% macro period_index(period, date_expr) -%}
    {{ periods_between(period, "cast('1900-01-01' as date)", period_start(period, date_expr)) }}
{%- endmacro %}

{#
    periods_between(period, start_expr, end_expr): whole periods from start_expr to end_expr,
    both the first day of a period (as period_start gives). Weeks are day differences / 7 (exact
    for Mondays); months and days use dbt.datediff.
#}
{% macro periods_between(period, start_expr, end_expr) -%}
    {%- if period == 'week' -%}
        cast(floor({{ dbt.datediff(start_expr, end_expr, 'day') }} / 7) as {{ dbt.type_bigint() }})
    {%- else -%}
        cast({{ dbt.datediff(start_expr, end_expr, period) }} as {{ dbt.type_bigint() }})
    {%- endif -%}
{%- endmacro %}

{# add_periods(period, n_expr, date_expr): date_expr moved by n_expr periods, a date. #}
{% macro add_periods(period, n_expr, date_expr) -%}
    {%- if period == 'week' -%}
        cast({{ dbt.dateadd('day', '7 * (' ~ n_expr ~ ')', date_expr) }} as date)
    {%- else -%}
        cast({{ dbt.dateadd(period, n_expr, date_expr) }} as date)
    {%- endif -%}
{%- endmacro %}

{#
    gap_bucket_number(column): the 1-based bucket of a day count for order_gap_distribution, from
    var('order_gap_bucket_upper_days') (inclusive upper bounds, ascending): 1 when column <= the
    first bound, ..., n + 1 (the open last bucket) above the last one.
#}
{% macro gap_bucket_number(column) -%}
    {%- set upper_days = var('order_gap_bucket_upper_days') -%}
    case
    {%- for upper in upper_days %}
        when {{ column }} <= {{ upper }} then {{ loop.index }}
    {%- endfor %}
        else {{ upper_days | length + 1 }}
    end
{%- endmacro %}

{#
    gap_buckets(): a query with one row per bucket of var('order_gap_bucket_upper_days'):
    bucket_number, gap_bucket (label 'min-max', 'min+' for the open last bucket), min_gap_days and
    max_gap_days (null for the open last bucket). The first bucket starts at 0.
#}
{% macro gap_buckets() -%}
    {%- set upper_days = var('order_gap_bucket_upper_days') -%}
    {%- for upper in upper_days %}
    {%- set lower = 0 if loop.first else upper_days[loop.index0 - 1] + 1 %}
    select
        {{ loop.index }} as bucket_number,
        '{{ lower }}-{{ upper }}' as gap_bucket,
        {{ lower }} as min_gap_days,
        {{ upper }} as max_gap_days
    union all
    {%- endfor %}
    select
        {{ upper_days | length + 1 }} as bucket_number,
        '{{ upper_days[-1] + 1 }}+' as gap_bucket,
        {{ upper_days[-1] + 1 }} as min_gap_days,
        cast(null as integer) as max_gap_days
{%- endmacro %}

{#
    rates_out_of_range(checks): for the singular test assert_behaviour_rates_between_zero_and_one.
    checks is a list of (model name, key columns, rate columns); gives a union of queries with one
    row (model_name, column_name, row_key, rate_value) per rate outside [0, 1], and per row where
    on_or_after_retention_rate < retention_rate.
#}
{% macro rates_out_of_range(checks) -%}
    {%- set queries = [] -%}
    {%- for model_name, key_columns, rate_columns in checks -%}
        {%- set key_parts = [] -%}
        {%- for key_column in key_columns -%}
            {%- if not loop.first %}{% do key_parts.append("'|'") %}{% endif -%}
            {%- do key_parts.append('cast(' ~ key_column ~ ' as ' ~ dbt.type_string() ~ ')') -%}
        {%- endfor -%}
        {%- for rate_column in rate_columns -%}
            {%- set condition = rate_column ~ ' < 0 or ' ~ rate_column ~ ' > 1' -%}
            {%- if rate_column == 'on_or_after_retention_rate' -%}
                {%- set condition = condition ~ ' or on_or_after_retention_rate < retention_rate' -%}
            {%- endif -%}
            {%- do queries.append(
                "select '" ~ model_name ~ "' as model_name, '" ~ rate_column ~ "' as column_name, "
                ~ dbt.concat(key_parts) ~ " as row_key, cast(" ~ rate_column ~ " as double) as rate_value from "
                ~ ref(model_name) ~ " where " ~ condition
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ queries | join('\n    union all\n    ') }}
{%- endmacro %}

{#
    period_index_by_type(period_type_column, date_expr): period_index of date_expr for the period
    type named in a column ('week' or 'month'), for models that hold both period types in one
    relation (user_growth_accounting).
#}
{% macro period_index_by_type(period_type_column, date_expr) -%}
    case
        when {{ period_type_column }} = 'week' then {{ period_index('week', date_expr) }}
        else {{ period_index('month', date_expr) }}
    end
{%- endmacro %}

{#
    period_start_by_type(period_type_column, date_expr): period_start of date_expr for the period
    type named in a column ('week' or 'month'), for models that hold both period types in one
    relation (int_user_period_activity).
#}
{% macro period_start_by_type(period_type_column, date_expr) -%}
    case
        when {{ period_type_column }} = 'week' then {{ period_start('week', date_expr) }}
        else {{ period_start('month', date_expr) }}
    end
{%- endmacro %}

{#
    add_periods_by_type(period_type_column, n_expr, date_expr): add_periods of date_expr by n_expr
    periods of the type named in a column ('week' or 'month').
#}
{% macro add_periods_by_type(period_type_column, n_expr, date_expr) -%}
    case
        when {{ period_type_column }} = 'week' then {{ add_periods('week', n_expr, date_expr) }}
        else {{ add_periods('month', n_expr, date_expr) }}
    end
{%- endmacro %}

{#
    first_by(value, order_columns): aggregate, the value of the row that sorts first by the
    order_columns (a list of SQL expressions, compared left to right); deterministic when the
    columns break every tie. DuckDB arg_min over a row value, Spark min_by over a struct.
#}
{% macro first_by(value, order_columns) -%}
    {{ return(adapter.dispatch('first_by', 'strata')(value, order_columns)) }}
{%- endmacro %}

{% macro default__first_by(value, order_columns) -%}
    min_by({{ value }}, struct({{ order_columns | join(', ') }}))
{%- endmacro %}

{% macro duckdb__first_by(value, order_columns) -%}
    arg_min({{ value }}, row({{ order_columns | join(', ') }}))
{%- endmacro %}

{#
    sorted_string_agg(expression, delimiter): aggregate, the group's values of a text expression
    in sorted order, joined by the delimiter (SQL): the same text whatever order the rows come
    in. DuckDB string_agg with an order, Spark array_join over a sorted collect_list.
#}
{% macro sorted_string_agg(expression, delimiter) -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'strata')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_string_agg(expression, delimiter) -%}
    array_join(array_sort(collect_list({{ expression }})), {{ delimiter }})
{%- endmacro %}

{% macro duckdb__sorted_string_agg(expression, delimiter) -%}
    string_agg({{ expression }}, {{ delimiter }} order by {{ expression }})
{%- endmacro %}

{#
    row_by(kind, columns, order_by): aggregate, a struct of the named columns (fields named as
    the columns) taken from one row of the group: kind 'first' takes the row that sorts first by
    order_by, 'last' the row that sorts last. order_by is one SQL expression or a list compared
    left to right; rows where it is null are ignored (so a list's columns must never be null).
    Unlike first_by, a null column of the chosen row stays null (DuckDB's arg_min skips rows
    whose value is null, so the value is wrapped in a struct). Read a field as <alias>.<column>.
#}
{% macro row_by(kind, columns, order_by) -%}
    {{ return(adapter.dispatch('row_by', 'strata')(kind, columns, order_by)) }}
{%- endmacro %}

{% macro default__row_by(kind, columns, order_by) -%}
    {%- set function = {'first': 'min_by', 'last': 'max_by'}[kind] -%}
    {%- set key = order_by if order_by is string else 'struct(' ~ (order_by | join(', ')) ~ ')' -%}
    {{ function }}(named_struct({% for column in columns %}'{{ column }}', {{ column }}{{ ', ' if not loop.last }}{% endfor %}), {{ key }})
{%- endmacro %}

{% macro duckdb__row_by(kind, columns, order_by) -%}
    {%- set function = {'first': 'arg_min', 'last': 'arg_max'}[kind] -%}
    {%- set key = order_by if order_by is string else 'row(' ~ (order_by | join(', ')) ~ ')' -%}
    {{ function }}(struct_pack({% for column in columns %}{{ column }} := {{ column }}{{ ', ' if not loop.last }}{% endfor %}), {{ key }})
{%- endmacro %}

{#
    session_key(events): the session key of an event (doc block session): its anonymous_id, else
    its user_id, else its own event_id. events: the alias whose columns it reads ('' reads them
    unqualified).
#}
{% macro session_key(events='') -%}
    {%- set prefix = events ~ '.' if events else '' -%}
    coalesce({{ prefix }}anonymous_id, {{ prefix }}user_id, {{ prefix }}event_id)
{%- endmacro %}

{#
    derived_session_ids(dated_events, session_keys=none): the CTEs session_steps, gaps, starts,
    numbered and derived_session_ids (one row per event: event_id, session_id
    'derived:<session key>:<n>') of the events of dated_events (int_events_dated's relation)
    without a session_id (doc block session); with session_keys (a query of session keys), of the
    events of those keys only. A key's numbers count its sessions from its first event, so each
    key's events are read whole. Read by int_events_sessionized (every key) and by
    int_events_identified's daily post-hook (the keys whose older events a re-read event can
    number again).
#}
{% macro derived_session_ids(dated_events, session_keys=none) -%}
session_steps as (
    select
        event_id,
        {{ session_key() }} as session_key,
        occurred_at
    from {{ dated_events }}
    where
        session_id is null
        {%- if session_keys is not none %}
        and {{ session_key() }} in ({{ session_keys }})
        {%- endif %}
),

gaps as (
    select
        *,
        lag(occurred_at) over (
            partition by session_key
            order by occurred_at, event_id
        ) as previous_occurred_at
    from session_steps
),

starts as (
    select
        *,
        case
            when previous_occurred_at is null then 1
            when {{ dbt.datediff('previous_occurred_at', 'occurred_at', 'second') }}
                > {{ var('session_inactivity_minutes') }} * 60 then 1
            else 0
        end as is_session_start
    from gaps
),

numbered as (
    select
        *,
        sum(is_session_start) over (
            partition by session_key
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as derived_session_number
    from starts
),

-- event_id is unique among kept events (stg_raw__events), so each event finds its one session.
derived_session_ids as (
    select
        event_id,
        {{ dbt.concat([
            "'derived:'", 'session_key', "':'",
            'cast(derived_session_number as ' ~ dbt.type_string() ~ ')'
        ]) }} as session_id
    from numbered
)
{%- endmacro %}
