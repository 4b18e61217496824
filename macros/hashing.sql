{#
    sha256_hex(expression): lower-case hex SHA-256 of a text expression, null stays null.
    Used to pseudonymise personal data (with var('pii_salt')).
#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'strata')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha2(cast({{ expression }} as string), 256)
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256(cast({{ expression }} as varchar))
{%- endmacro %}

{# Salted hash of a personal-data column after trimming and lower-casing; null when empty. #}
{% macro pseudonymise(column) -%}
    case
        when {{ clean_text(column) }} is not null
            then {{ sha256_hex(dbt.concat(["'" ~ var('pii_salt') ~ ":'", clean_category(column)])) }}
    end
{%- endmacro %}
