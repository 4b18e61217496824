{{ config(materialized="view") }}

-- One row per user, snapshot date and layer dimension (see the layer_dimensions macro): the
-- user's layer in that dimension on that date, with the user's order facts for summaries.
with

history as (
    select * from {{ ref('user_layer_history') }}
),

unpivoted as (
    {% for dimension in layer_dimensions() %}
        select
            as_of_date,
            user_id,
            '{{ dimension }}' as dimension,
            {{ dimension }} as layer,
            p_alive,
            order_count,
            revenue_amount
        from history
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unpivoted
