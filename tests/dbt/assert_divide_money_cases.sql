-- Asserts divide_money (macros/money.sql) on the engine that runs the build, on hand-worked cases:
-- the exact quotient rounded to the cent, half away from zero, null for a count that is null or
-- not positive. 269.15 / 2 = 134.575 is the case binary floating point gets wrong (134.57).
-- Returns one row per case whose result differs.
{%- set cases = [
    ('half cent up', '269.15', '2', '134.58'),
    ('half cent, negative', '-269.15', '2', '-134.58'),
    ('third, down', '100.00', '3', '33.33'),
    ('two thirds, up', '200.00', '3', '66.67'),
    ('one cent over two', '0.01', '2', '0.01'),
    ('just under half a cent', '0.01', '3', '0.00'),
    ('exact', '10.50', '1', '10.50'),
    ('large amount', '12345678.91', '7', '1763668.42'),
    ('zero amount', '0.00', '4', '0.00'),
    ('zero count', '1.00', '0', 'null'),
    ('negative count', '5.00', '-1', 'null'),
] %}
with

cases as (
    {%- for case_name, amount, item_count, expected in cases %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ case_name }}' as case_name,
            cast({{ amount }} as decimal(18, 2)) as amount,
            {{ item_count }} as item_count,
            cast({{ expected }} as decimal(18, 2)) as expected
    {%- endfor %}
),

judged as (
    select
        case_name,
        expected,
        {{ divide_money('amount', 'item_count') }} as divided
    from cases
)

select * from judged
where not (divided = expected or (divided is null and expected is null))
