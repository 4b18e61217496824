{#
    Small cleaning helpers used by the staging models. Each takes a column expression and
    returns a portable SQL expression.
#}

{# Text with surrounding white space removed; empty strings become null. #}
{% macro clean_text(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{# A categorical value: trimmed and lower-cased, empty becomes null (' PAID ' -> 'paid'). #}
{% macro clean_category(column) -%}
    lower({{ clean_text(column) }})
{%- endmacro %}

{#
    A value cast to `type`, or null when it cannot be cast (text in a timestamp column).
    Casting through text first makes a typed Parquet column and an all-text CSV column behave alike.
#}
{% macro try_cast_text(column, type) -%}
    {{ try_cast(clean_text(column), type) }}
{%- endmacro %}

{#
    try_cast(expression, type): cast, or null when the value does not convert. dbt's own
    safe_cast is a plain cast on some adapters (dbt-duckdb), which fails the whole model on one
    bad value; DuckDB and Spark (3.2+) both have try_cast.
#}
{% macro try_cast(expression, type) -%}
    {{ return(adapter.dispatch('try_cast', 'strata')(expression, type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, type) -%}
    {{ dbt.safe_cast(expression, type) }}
{%- endmacro %}

{% macro duckdb__try_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{% macro spark__try_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{#
    has_more_than_two_decimals(column): true when a money value has a non-zero digit past the
    cents (10.005), which the DECIMAL(18,2) cast rounds: the row is kept, and counted in
    data_quality_summary.rows_amount_rounded so the rounding is never silent. Digits past the
    tenth decimal are float noise (0.30000000000000004 from a double column) and do not count.
#}
{% macro has_more_than_two_decimals(column) -%}
    coalesce(
        {{ try_cast_text(column, 'decimal(38, 10)') }} != {{ try_cast_text(column, 'decimal(38, 2)') }},
        false
    )
{%- endmacro %}
