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
    e-mail from normalise_email, a phone from normalise_phone); null stays null. On every engine
    the lower-case hex HMAC-SHA-256 of the value's UTF-8 bytes, so a key gives the same pseudonyms
    on DuckDB and on Spark:
    DuckDB: under the secret key of scripts/stratalib/pii.py (the function strata_pii_hash,
    registered by that dbt-duckdb plugin), so the key is in no SQL and no log.
    Spark: under the key var('pii_salt'), hex digits (up to 64 bytes), computed in SQL from
    sha2 (RFC 2104); set the var to a secret per deployment (it is written into the compiled SQL
    of that run: keep target/ as private as the key). Pass a DuckDB warehouse's key (its key file)
    to get that warehouse's pseudonyms.
#}
{% macro pseudonymise(expression) -%}
    {{ return(adapter.dispatch('pseudonymise', 'strata')(expression)) }}
{%- endmacro %}

{% macro default__pseudonymise(expression) -%}
    {%- set key = hmac_key_pads(var('pii_salt', '')) -%}
    {%- set inner = dbt.concat(["unhex('" ~ key.inner ~ "')", utf8_bytes(expression)]) -%}
    {{ sha256_hex_of_bytes(dbt.concat(["unhex('" ~ key.outer ~ "')", "unhex(" ~ sha256_hex_of_bytes(inner) ~ ")"])) }}
{%- endmacro %}

{#
    hmac_key_pads(key_hex): the key of HMAC-SHA-256 (RFC 2104) padded with zeros to the 64-byte
    block and XORed with 0x36 (inner) and 0x5c (outer), as hex: {'inner': ..., 'outer': ...}.
    Fails the compilation when the key is missing, not hex or longer than a block.
#}
{% macro hmac_key_pads(key_hex) -%}
    {%- set digits = '0123456789abcdef' -%}
    {%- set key_hex = (key_hex | string | trim | lower) -%}
    {%- if not key_hex or key_hex | length % 2 != 0 or key_hex | length > 128
        or key_hex | list | reject('in', digits) | list | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            "set the var pii_salt to a secret key in hex (an even number of hex digits, at most 128):"
            ~ " it keys the personal-data hashes on this engine") }}
    {%- endif -%}
    {%- set padded = key_hex ~ '0' * (128 - key_hex | length) -%}
    {%- set pads = namespace(inner='', outer='') -%}
    {%- for position in range(0, 128, 2) -%}
        {%- set byte = digits.index(padded[position]) * 16 + digits.index(padded[position + 1]) -%}
        {%- set pads.inner = pads.inner ~ '%02x' % xor_byte(byte, 54) -%}
        {%- set pads.outer = pads.outer ~ '%02x' % xor_byte(byte, 92) -%}
    {%- endfor -%}
    {{ return({'inner': pads.inner, 'outer': pads.outer}) }}
{%- endmacro %}

{# xor_byte(left, right): the bitwise XOR of two numbers 0..255 (Jinja has no XOR operator). #}
{% macro xor_byte(left, right) -%}
    {%- set result = namespace(value=0) -%}
    {%- for bit in range(8) -%}
        {%- if (left // 2 ** bit) % 2 != (right // 2 ** bit) % 2 -%}
            {%- set result.value = result.value + 2 ** bit -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(result.value) }}
{%- endmacro %}

{# utf8_bytes(expression): the UTF-8 bytes of a text expression (a binary value). #}
{% macro utf8_bytes(expression) -%}
    {{ return(adapter.dispatch('utf8_bytes', 'strata')(expression)) }}
{%- endmacro %}

{% macro default__utf8_bytes(expression) -%}
    encode(cast({{ expression }} as string), 'UTF-8')
{%- endmacro %}

{# sha256_hex_of_bytes(expression): lower-case hex SHA-256 of a binary expression. #}
{% macro sha256_hex_of_bytes(expression) -%}
    {{ return(adapter.dispatch('sha256_hex_of_bytes', 'strata')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex_of_bytes(expression) -%}
    sha2({{ expression }}, 256)
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
