{#
    unique_in_last_run(model, column_name, written_in=none): dbt's unique test, for the event
    tables a daily run adds to. Fails with one row per value of column_name that occurs more
    than once (with its count). In a daily run it checks only the values written by the last run
    of written_in (a table with written_at; default: the model itself, which then has it), each
    against every row of the model: the rows holding one of those values are all read, stored or
    new, so a value written again beside an old copy is found. Every value is checked, as dbt's
    unique checks it, when written_in_last_run is 1 = 1 (var scope_tests_to_last_run false, or
    nothing stored) and when the last run wrote every row (a full build): there the filter would
    only add a second pass over every value (at 1M users, 29.7 s instead of 19.3 s).
#}
{% test unique_in_last_run(model, column_name, written_in=none) %}

{%- set written = written_in if written_in is not none else model %}
{%- set written_now = written_in_last_run(written) %}
{%- if execute and written_now != '1 = 1' %}
    {%- set rows_written_earlier = run_query(
        'select count(*) from ' ~ written ~ ' where written_at is null or not (' ~ written_now ~ ')'
    ).columns[0].values()[0] %}
    {%- if rows_written_earlier == 0 %}
        {%- set written_now = '1 = 1' %}
    {%- endif %}
{%- endif %}

select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where
    {{ column_name }} is not null
{%- if written_now != '1 = 1' %}
    and {{ column_name }} in (
        select {{ column_name }} from {{ written }}
        where {{ written_now }}
    )
{%- endif %}
group by {{ column_name }}
having count(*) > 1

{% endtest %}
