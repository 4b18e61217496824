{#
    layer_dimensions(): the layer columns of user_layers / user_layer_history, in display order.
    The one list layer_migrations and layer_summary unpivot, so a new dimension is added here once.
#}
{% macro layer_dimensions() -%}
    {{ return([
        'value_tier',
        'engagement_tier',
        'spend_band',
        'lifecycle_stage',
        'behaviour_tier',
        'churn_risk',
        'rfm_segment',
        'preferred_category',
    ]) }}
{%- endmacro %}

{#
    assert_layer_history_has_dimensions(relation): stops the build with a message when the
    existing layer history table lacks a column of layer_dimensions(), i.e. it was written by a
    release that did not have that dimension yet. Appending the column would leave every earlier
    snapshot without a layer there (nulls that layer_summary and layer_migrations would count as
    a layer), and no query can give a past snapshot a layer computed from data it never saw; the
    past snapshots are rebuilt instead. Called by user_layer_history on incremental runs of
    dbt run / build (compile and lint are left alone).
#}
{% macro assert_layer_history_has_dimensions(relation) -%}
    {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- set missing = [] -%}
    {%- for dimension in layer_dimensions() if dimension not in existing -%}
        {%- do missing.append(dimension) -%}
    {%- endfor -%}
    {%- if missing -%}
        {%- set held = run_query(
            'select min(as_of_date), max(as_of_date), count(distinct as_of_date) from ' ~ relation
        ).rows[0] -%}
        {%- if held[2] > 0 -%}
        {{ exceptions.raise_compiler_error(
            relation ~ ' was written before the layer dimension(s) ' ~ missing | join(', ')
            ~ ' existed: its ' ~ held[2] ~ ' snapshot date(s) from ' ~ held[0] ~ ' to ' ~ held[1]
            ~ ' hold no layer for them, and a past snapshot cannot be given one in place. '
            ~ 'Rebuild the history under the current rules: drop table ' ~ relation
            ~ ', then `strata backfill --from ' ~ held[0] ~ ' --to <as-of date> --every <month|week|day>`'
            ~ ' (the cadence the snapshots were taken at; it recomputes each past snapshot from the raw'
            ~ ' data, which must still hold those dates).'
        ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
