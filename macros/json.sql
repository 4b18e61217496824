{#
    is_valid_json(column): true when the text parses as JSON, false when it does not.
    Null input gives null (a missing properties value is not malformed).
#}
{% macro is_valid_json(column) -%}
    {{ return(adapter.dispatch('is_valid_json', 'strata')(column)) }}
{%- endmacro %}

{% macro default__is_valid_json(column) -%}
    case when {{ column }} is not null then get_json_object({{ column }}, '$') is not null end
{%- endmacro %}

{% macro duckdb__is_valid_json(column) -%}
    json_valid({{ column }})
{%- endmacro %}
