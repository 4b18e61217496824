{#
    divide_money(amount, count): a money amount shared out over a count (revenue per order, spend
    per registration, revenue per cohort user) as decimal(18, 2); null when the count is null or
    not positive. The rule, the same on every engine: the exact quotient rounded to the cent, half
    away from zero (269.15 / 2 = 134.575 -> 134.58, -269.15 / 2 -> -134.58).

    Why not cast(amount / count as decimal(18, 2)): DuckDB divides decimals in binary floating
    point (134.575 becomes 134.57499..., rounded to 134.57), Spark in decimals whose scale depends
    on the operand types, as few as six places (rounded once before the final rounding). So the
    quotient is taken in whole cents: with c the amount in cents (amount has at most two
    decimals) and n the count, round(c / n) = (2 * c + n) div (2 * n) for c >= 0, mirrored for
    c < 0: integer arithmetic, exact on every engine.
#}
{% macro divide_money(amount, count) -%}
    {%- set cents = 'cast(' ~ amount ~ ' * 100 as ' ~ dbt.type_bigint() ~ ')' -%}
    {%- set count = 'cast(' ~ count ~ ' as ' ~ dbt.type_bigint() ~ ')' -%}
    cast(
        case
            when {{ count }} > 0 and {{ cents }} >= 0
                then cast({{ integer_divide('2 * ' ~ cents ~ ' + ' ~ count, '2 * ' ~ count) }} as decimal(18, 0)) * 0.01
            when {{ count }} > 0
                then -cast(
                    {{ integer_divide('-2 * ' ~ cents ~ ' + ' ~ count, '2 * ' ~ count) }} as decimal(18, 0)
                ) * 0.01
        end as decimal(18, 2)
    )
{%- endmacro %}

{# integer_divide(dividend, divisor): the integer quotient of two non-negative integers, rounded down. #}
{% macro integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_divide', 'strata')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__integer_divide(dividend, divisor) -%}
    ({{ dividend }}) div ({{ divisor }})
{%- endmacro %}

{% macro duckdb__integer_divide(dividend, divisor) -%}
    ({{ dividend }}) // ({{ divisor }})
{%- endmacro %}
