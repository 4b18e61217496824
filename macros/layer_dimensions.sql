{#
    layer_dimensions(): the layer columns of user_layers / user_layer_history, in display order.
    The one list layer_migrations and layer_summary unpivot, so a new dimension is added here once.
#}
{% macro layer_dimensions() -%}
    {{ return([
        'value_tier',
        'spend_band',
        'lifecycle_stage',
        'activity_tier',
        'churn_risk',
        'rfm_segment',
        'preferred_category',
    ]) }}
{%- endmacro %}
