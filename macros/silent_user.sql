{#
    is_silent_user(tenure_days, days_since_last_seen): the boolean SQL expression of a silent user
    (doc block silent_user), over two columns of user_facts or columns computed the same way:
    registered at least var('silent_days') days ago and no logged-in activity day nor valid order
    in the last var('silent_days') days (never seen counts as silent). The one definition of
    silence; behaviour_tier's churned layer is exactly it.
#}
{% macro is_silent_user(tenure_days, days_since_last_seen) -%}
    (
        {{ tenure_days }} >= {{ var('silent_days') }}
        and coalesce({{ days_since_last_seen }} >= {{ var('silent_days') }}, true)
    )
{%- endmacro %}
