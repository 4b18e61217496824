-- Asserts that first_order_attribution credits every first valid order exactly once per model:
-- per (order_id, attribution_model) the weights sum to 1 (within 1e-9) and lie in [0, 1], and
-- every first order of fct_orders has a row in each of the four models. Returns one row per
-- broken (order_id, attribution_model); attribution_model is null for an order missing a model.
with

attribution as (
    select
        order_id,
        attribution_model,
        attribution_weight
    from {{ ref('first_order_attribution') }}
),

first_orders as (
    select order_id
    from {{ ref('fct_orders') }}
    where is_first_order
),

per_order_model as (
    select
        order_id,
        attribution_model,
        sum(attribution_weight) as weight_total,
        min(attribution_weight) as weight_min,
        max(attribution_weight) as weight_max
    from attribution
    group by order_id, attribution_model
),

bad_sums as (
    select
        order_id,
        attribution_model,
        weight_total
    from per_order_model
    where abs(weight_total - 1) > 1e-9 or weight_min < 0 or weight_max > 1
),

model_counts as (
    select
        order_id,
        count(*) as models
    from per_order_model
    group by order_id
),

missing as (
    select
        first_orders.order_id,
        cast(null as {{ dbt.type_string() }}) as attribution_model,
        cast(null as double) as weight_total
    from first_orders
    left join model_counts
        on first_orders.order_id = model_counts.order_id
    where coalesce(model_counts.models, 0) != 4
),

broken as (
    select * from bad_sums
    union all
    select * from missing
)

select * from broken
