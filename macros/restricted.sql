{#
    restricted_location(): the config (database, schema) of a model that holds clear-text
    personal data. On DuckDB: schema main of the database `restricted`, a second file attached
    in profiles.yml (so `restricted.<model>` names it); on Spark: the database `restricted`,
    whose access the platform's grants control.
#}
{% macro restricted_location() -%}
    {%- if target.type == 'duckdb' -%}
        {{ return({'database': 'restricted', 'schema': 'main'}) }}
    {%- else -%}
        {{ return({'schema': 'restricted'}) }}
    {%- endif -%}
{%- endmacro %}

{#
    drop_legacy_contact_relations(): on-run-start, DuckDB only. Warehouses built before contacts
    moved to the restricted file had schema `restricted` (with clear contacts) inside the build
    warehouse: drop it, so no copy is left behind.
#}
{% macro drop_legacy_contact_relations() -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- do run_query('drop schema if exists ' ~ target.database ~ '.restricted cascade') -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
