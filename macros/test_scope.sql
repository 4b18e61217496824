{#
    get_where_subquery(relation): dbt's hook that puts a data test's `where` config around the
    relation under test, overridden in this project for three placeholders (doc block
    incremental_consumers): __written_in_last_run__ becomes written_in_last_run(relation),
    __snapshot_of_last_run__ snapshot_of_last_run() and __audience_of_last_run__
    audience_of_last_run(). Any other `where` is used as dbt uses it:
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
    {%- if '__audience_of_last_run__' in where -%}
        {%- set where = where | replace('__audience_of_last_run__', audience_of_last_run()) -%}
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
    (last_run_date()), the one snapshot a run writes. Earlier snapshots were checked by the
    runs that wrote them, so a test's cost does not grow with the history kept. It is 1 = 1, every
    snapshot, when var('scope_tests_to_last_run') is false.
#}
{% macro snapshot_of_last_run() -%}
    {%- set as_of_date = last_run_date() -%}
    {%- if as_of_date is not none -%}
        {{ return("as_of_date = cast('" ~ as_of_date ~ "' as date)") }}
    {%- endif -%}
    {{ return('1 = 1') }}
{%- endmacro %}

{#
    audience_of_last_run(): a condition on the rows of audience_members, which keeps one audience
    date per run: audience_date equal to macro audience_date over this run's as-of date, the one
    date a run writes (read from int_as_of_date by last_run_date, so the date is computed
    by the expression int_audience_profiles uses). Earlier dates were checked by the runs that
    wrote them. It is 1 = 1, every date, when var('scope_tests_to_last_run') is false.
#}
{% macro audience_of_last_run() -%}
    {%- set date = last_run_date(audience_date('as_of_date')) -%}
    {%- if date is not none -%}
        {{ return("audience_date = cast('" ~ date ~ "' as date)") }}
    {%- endif -%}
    {{ return('1 = 1') }}
{%- endmacro %}

{#
    last_run_date(expression='as_of_date'): a date expression over int_as_of_date's one
    row, by default this run's as-of date, as 'YYYY-MM-DD', read when the test is compiled; none
    when var('scope_tests_to_last_run') is false, when not executing, or when int_as_of_date
    holds no date. int_as_of_date is found in the graph, not with ref: a test calls this for a
    model it tests, and ref would make it depend on int_as_of_date too.
#}
{% macro last_run_date(expression='as_of_date') -%}
    {%- if execute and var('scope_tests_to_last_run') -%}
        {%- set as_of_relation = graph.nodes['model.' ~ project_name ~ '.int_as_of_date'].relation_name -%}
        {%- set value = run_query(
            'select cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ') from ' ~ as_of_relation
        ).columns[0].values()[0] -%}
        {{ return(value) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
