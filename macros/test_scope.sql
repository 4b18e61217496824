{#
    get_where_subquery(relation): dbt's hook that puts a data test's `where` config around the
    relation under test, overridden in this project for one placeholder (doc block
    incremental_consumers): __written_in_last_run__ becomes written_in_last_run(relation). Any other `where`
    is used as dbt uses it: (select * from relation where ...) dbt_subquery.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if not where -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- if '__written_in_last_run__' in where -%}
        {%- set where = where | replace('__written_in_last_run__', written_in_last_run(relation)) -%}
    {%- endif -%}
    {{ return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') }}
{%- endmacro %}

{#
    written_in_last_run(relation): a condition on a row of relation, a model that follows
    int_events_identified by key (doc block incremental_consumers), that holds for the rows its
    last run wrote: written_at equal to latest_written_at(relation), read when the test is
    compiled. A run writes every row of each key it writes, so a test of a combination that
    includes the key sees every row of those keys. It is 1 = 1, every row, when
    var('scope_tests_to_last_run') is false or the relation is empty.
#}
{% macro written_in_last_run(relation) -%}
    {%- if execute and var('scope_tests_to_last_run') -%}
        {%- set latest = latest_written_at(relation) -%}
        {%- if latest is not none -%}
            {{ return('written_at = ' ~ latest) }}
        {%- endif -%}
    {%- endif -%}
    {{ return('1 = 1') }}
{%- endmacro %}
