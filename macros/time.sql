{#
    Time helpers. Raw timestamps are UTC. Calendar buckets are taken in var('reporting_timezone').
#}

{# A UTC timestamp expressed as wall-clock time in the reporting time zone. #}
{% macro to_reporting_tz(column) -%}
    {%- set tz = var('reporting_timezone', 'UTC') -%}
    {%- if tz | upper == 'UTC' -%}
        {{ column }}
    {%- else -%}
        {{ return(adapter.dispatch('to_reporting_tz', 'strata')(column, tz)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__to_reporting_tz(column, tz) -%}
    from_utc_timestamp({{ column }}, '{{ tz }}')
{%- endmacro %}

{% macro duckdb__to_reporting_tz(column, tz) -%}
    timezone('{{ tz }}', ({{ column }}) at time zone 'UTC')
{%- endmacro %}

{# The reporting-time-zone calendar date of a UTC timestamp. #}
{% macro reporting_date(column) -%}
    cast({{ to_reporting_tz(column) }} as date)
{%- endmacro %}

{#
    The UTC instant treated as "now": var('load_time') when set (reproducible runs and tests),
    else the moment this dbt invocation started. Later timestamps are "in the future".
#}
{% macro load_time() -%}
    {%- set fixed = var('load_time', '') -%}
    {%- if fixed -%}
        cast('{{ fixed }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}

{# Earliest accepted timestamp, var('min_valid_timestamp'). #}
{% macro min_valid_timestamp() -%}
    cast('{{ var("min_valid_timestamp") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#
    days_between(start_expr, end_expr): whole days from start_expr to end_expr (dates), as a
    bigint. dbt.datediff gives bigint on DuckDB and int on Spark; the cast makes a contract's
    bigint hold on both.
#}
{% macro days_between(start_expr, end_expr) -%}
    cast({{ dbt.datediff(start_expr, end_expr, 'day') | trim }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{#
    parse_timestamp(column): the UTC instant a raw timestamp value names, or null when it names
    none (the staging models quarantine that as invalid_timestamp). Accepted, whatever the type
    the file gives the column (text in CSV, a timestamp with or without time zone in Parquet):
    - text or a timestamp without an offset: read as UTC (the raw contract's rule);
    - text with an offset ('2024-06-01T23:30:00-05:00', '...Z', '...+08') or a Parquet
      timestamp with a time zone: the instant it names, converted to UTC;
    - a whole number of up to 14 digits: Unix epoch time, in seconds when its magnitude is
      below var('epoch_milliseconds_from') (1e11: seconds up to the year 5138), else in
      milliseconds (1e11 ms is 1973-03-03, so no real timestamp of either kind is ambiguous).
    The session time zone is pinned to UTC in profiles.yml, so nothing depends on the TZ of the
    machine that runs the build.
    On DuckDB, a column the file types as TIMESTAMP or TIMESTAMP WITH TIME ZONE is taken as it is,
    without the round trip through text: typeof() is known when the query is planned, so DuckDB
    folds the case to the one branch that applies (the text route took over ten times as long).
#}
{% macro parse_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'strata')(column)) }}
{%- endmacro %}

{% macro default__parse_timestamp(column) -%}
    {{ try_cast(clean_text(column), dbt.type_timestamp()) }}
{%- endmacro %}

{#
    duckdb_typed_timestamps(): the DuckDB types of a raw column that parse_timestamp takes as they
    are, without reading their text: TIMESTAMP (read as UTC) and TIMESTAMP WITH TIME ZONE (the
    instant it names). register_raw_tables keeps a timestamp column of these types typed in the raw
    views; every other type goes through text.
#}
{% macro duckdb_typed_timestamps() -%}
    {{ return(['TIMESTAMP', 'TIMESTAMP WITH TIME ZONE']) }}
{%- endmacro %}

{% macro duckdb__parse_timestamp(column) -%}
    {%- set text = clean_text(column) -%}
    {%- set naive, zoned = duckdb_typed_timestamps() -%}
    case
        when typeof({{ column }}) = '{{ naive }}' then try_cast({{ column }} as timestamp)
        when typeof({{ column }}) = '{{ zoned }}' then timezone('UTC', try_cast({{ column }} as timestamptz))
        when regexp_full_match({{ text }}, '-?[0-9]{1,14}')
            then make_timestamp(
                cast({{ text }} as bigint)
                * case when abs(cast({{ text }} as bigint)) < {{ var('epoch_milliseconds_from') }} then 1000000 else 1000 end
            )
        else timezone('UTC', try_cast({{ text }} as timestamptz))
    end
{%- endmacro %}

{% macro spark__parse_timestamp(column) -%}
    {%- set text = clean_text(column) -%}
    case
        when {{ text }} rlike '^-?[0-9]{1,14}$'
            then timestamp_micros(
                cast({{ text }} as bigint)
                * case when abs(cast({{ text }} as bigint)) < {{ var('epoch_milliseconds_from') }} then 1000000 else 1000 end
            )
        else try_cast({{ text }} as timestamp)
    end
{%- endmacro %}

{#
    never_received_date(): the received day of a raw row without a readable received_at
    (9999-12-31): later than any real day, so incremental runs re-read such rows every time.
#}
{% macro never_received_date() -%}
    cast('9999-12-31' as date)
{%- endmacro %}

{#
    received_day(instant): the received day of an event (the UTC date of its received_at, else
    never_received_date()): the day stg_raw__events stores a raw row under and int_events_identified
    re-reads by.
#}
{% macro received_day(instant) -%}
    coalesce(cast({{ instant }} as date), {{ never_received_date() }})
{%- endmacro %}
