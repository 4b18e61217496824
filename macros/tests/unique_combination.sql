{#
    unique_combination(model, combination_of_columns): fails with one row per combination of the
    given columns that occurs more than once in the model (with its count). Null values are
    grouped like any other value, so two rows with the same key and a null in the same column
    count as a repeat. A small stand-in for dbt_utils.unique_combination_of_columns.
#}
{% test unique_combination(model, combination_of_columns) %}

{%- set columns_csv = combination_of_columns | join(', ') %}

select
    {{ columns_csv }},
    count(*) as occurrences
from {{ model }}
group by {{ columns_csv }}
having count(*) > 1

{% endtest %}
