{#
    hex_fraction(hex_expression, digits=8): the first `digits` hex digits of a lower-case hex text
    (e.g. a sha256_hex digest) read as a number in [0, 1): sum over i = 1..digits of
    d_i * 16^-i, d_i the value (0-15) of the i-th digit. 8 digits give 2^32 equally spaced values,
    exact in a double. Null stays null. Used to split audiences into treatment and control
    deterministically (audience_members).
    default__ is plain SQL (substring, position, arithmetic), so it runs on every engine;
    spark__ uses Spark's conv() for the same number.
#}
{% macro hex_fraction(hex_expression, digits=8) -%}
    {{ return(adapter.dispatch('hex_fraction', 'strata')(hex_expression, digits)) }}
{%- endmacro %}

{% macro default__hex_fraction(hex_expression, digits=8) -%}
    (
        {%- for i in range(1, digits + 1) %}
        {{ '+ ' if not loop.first }}({{ dbt.position(
            'substring(lower(' ~ hex_expression ~ '), ' ~ i ~ ', 1)', "'0123456789abcdef'"
        ) }} - 1) / {{ 16 ** i }}.0
        {%- endfor %}
    )
{%- endmacro %}

{% macro spark__hex_fraction(hex_expression, digits=8) -%}
    (cast(conv(substring(lower({{ hex_expression }}), 1, {{ digits }}), 16, 10) as double) / {{ 16 ** digits }}.0)
{%- endmacro %}
