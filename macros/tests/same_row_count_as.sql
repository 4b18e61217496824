{#
    same_row_count_as(model, parent): fails with one row (model_rows, parent_rows) when the model
    has not exactly as many rows as its parent. For a view that adds columns to every row of one
    parent (a join on a unique key): a fan-out or a lost row changes the count, so the parent's
    grain test covers the view too, at the price of two counts instead of a second grain test.
#}
{% test same_row_count_as(model, parent) %}

with

counts as (
    select
        (select count(*) from {{ model }}) as model_rows,
        (select count(*) from {{ parent }}) as parent_rows
)

select *
from counts
where model_rows != parent_rows

{% endtest %}
