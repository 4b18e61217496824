{#
    get_where_subquery(relation): dbt's hook that puts a data test's `where` config around the
    relation under test, overridden in this project for two placeholders (doc block
    incremental_consumers): __written_in_last_run__ becomes written_in_last_run(relation), and
    __snapshot_of_last_run__ snapshot_of_last_run(). Any other `where` is used as dbt uses it:
    (select * from relation where ...) dbt_subquery.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if not where -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- if '__written_in_last_run__' in where -%}
        {%- set where = where | replace('__written_in_last_run__', written_in_last_run(relation)) -%}
    {%- endif -%}
    {%- if '__snapshot_of_last_run__' in where -%}
        {%- set where = where | replace('__snapshot_of_last_run__', snapshot_of_last_run()) -%}
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

{#
    snapshot_of_last_run(): a condition on the rows of a model that keeps one snapshot per as-of
    date in a column as_of_date (user_layer_history, user_tag_history, and the view
    user_layer_memberships over the first): as_of_date equal to this run's as-of date
    (int_as_of_date, read when the test is compiled), the one snapshot a run writes. Earlier
    snapshots were checked by the runs that wrote them, so a test's cost does not grow with the
    history kept. It is 1 = 1, every snapshot, when var('scope_tests_to_last_run') is false.
    int_as_of_date is found in the graph, not with ref: a test calls this for a model it tests,
    and ref would make it depend on int_as_of_date too.
#}
{% macro snapshot_of_last_run() -%}
    {%- if execute and var('scope_tests_to_last_run') -%}
        {%- set as_of_relation = graph.nodes['model.strata.int_as_of_date'].relation_name -%}
        {%- set as_of_date = run_query(
            'select cast(as_of_date as ' ~ dbt.type_string() ~ ') from ' ~ as_of_relation
        ).columns[0].values()[0] -%}
        {%- if as_of_date is not none -%}
            {{ return("as_of_date = cast('" ~ as_of_date ~ "' as date)") }}
        {%- endif -%}
    {%- endif -%}
    {{ return('1 = 1') }}
{%- endmacro %}
