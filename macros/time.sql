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
