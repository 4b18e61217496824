{#
    replace_date_rows(date_column): the config keys of an incremental model whose each build
    replaces all rows of the dates it writes (date_column, also its unique_key) and keeps the
    others: the snapshot histories (user_layer_history, user_tag_history), audience_members and
    the raw events by received day (stg_raw__events, doc block incremental_events).
    Documented in macros/_incremental.yml.
    DuckDB (and the default): delete+insert on the date. Spark without Delta has no merge nor
    delete: the table is partitioned by the date and insert_overwrite replaces the partitions
    the build writes (dynamic partition overwrite, dbt-spark's default for this strategy).
#}
{% macro replace_date_rows(date_column) -%}
    {{ return(adapter.dispatch('replace_date_rows', 'strata')(date_column)) }}
{%- endmacro %}

{% macro default__replace_date_rows(date_column) -%}
    {{ return({'incremental_strategy': 'delete+insert'}) }}
{%- endmacro %}

{% macro spark__replace_date_rows(date_column) -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [date_column]}) }}
{%- endmacro %}
