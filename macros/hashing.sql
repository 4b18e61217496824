{#
    sha256_hex(expression): lower-case hex SHA-256 of a text expression, null stays null.
    Used for deterministic assignment fractions (hex_fraction), not for personal data.
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

{#
    pseudonymise(expression): the keyed pseudonym of a normalised personal-data value (an
    e-mail from normalise_email, a phone from normalise_phone); null stays null.
    DuckDB: HMAC-SHA-256 under the secret key of scripts/stratalib/pii.py (the function
    strata_pii_hash, registered by that dbt-duckdb plugin), so the key is in no SQL and no log.
    Spark: SHA-256 of var('pii_salt') and the value; set the var to a secret per deployment (it is
    written into the compiled SQL of that run: keep target/ as private as the key).
#}
{% macro pseudonymise(expression) -%}
    {{ return(adapter.dispatch('pseudonymise', 'strata')(expression)) }}
{%- endmacro %}

{% macro default__pseudonymise(expression) -%}
    {%- if not var('pii_salt', '') -%}
        {{ exceptions.raise_compiler_error("set the var pii_salt to a secret: it keys the personal-data hashes on this engine") }}
    {%- endif -%}
    {{ sha256_hex(dbt.concat(["'" ~ var('pii_salt') ~ ":'", expression])) }}
{%- endmacro %}

{% macro duckdb__pseudonymise(expression) -%}
    strata_pii_hash({{ expression }})
{%- endmacro %}

{# An e-mail address as hashed and exported: trimmed and lower-cased; null when empty. #}
{% macro normalise_email(column) -%}
    {{ clean_category(column) }}
{%- endmacro %}

{#
    normalise_phone(column): a phone number in E.164 form ('+' and digits), the form it is
    hashed and exported in, so '138 0000 0123', '138-0000-0123' and '+86 13800000123' are one
    number. Rule: every character but digits and '+' is dropped; a number starting with '+' is
    kept; '00' at the start becomes '+'; any other number is national: its leading zeros (trunk
    prefix) are dropped and '+' var('phone_country_code') is put in front. Null when no digit is
    left. (A national number written with its country code but no '+', e.g. 8613800000123, is
    read as national: write it with + or 00.)
#}
{% macro normalise_phone(column) -%}
    {%- set digits = regexp_replace_all(clean_text(column), '[^0-9+]', "''") -%}
    case
        when {{ regexp_replace_all(digits, '[^0-9]', "''") }} = '' then null
        when {{ digits }} like '+%' then {{ digits }}
        when {{ digits }} like '00%' then {{ dbt.concat(["'+'", 'substr(' ~ digits ~ ', 3)']) }}
        else {{ dbt.concat(["'+" ~ var('phone_country_code') ~ "'", regexp_replace_all(digits, '^0+', "''")]) }}
    end
{%- endmacro %}
