-- One row per snapshot date, dimension and layer: the size and value of the layer. Each metric
-- is defined once, in the doc block layer_<column> of models/marts/layering/_layering__docs.md
-- (share_of_users, revenue_amount, share_of_revenue, average_order_value, repurchase_rate,
-- average_p_alive).
with

layers as (
    select * from {{ ref('user_layer_memberships') }}
),

per_layer as (
    select
        as_of_date,
        dimension,
        layer,
        count(*) as users,
        sum(revenue_amount) as revenue_amount,
        sum(order_count) as order_count,
        sum(case when order_count >= 1 then 1 else 0 end) as buyers,
        sum(case when order_count >= 2 then 1 else 0 end) as repeat_buyers,
        -- Summed as an exact DECIMAL: a parallel sum of doubles differs in the last bits between runs.
        avg(cast(p_alive as decimal(38, 18))) as average_p_alive
    from layers
    group by as_of_date, dimension, layer
),

final as (
    select
        as_of_date,
        dimension,
        layer,
        cast(users as {{ dbt.type_bigint() }}) as users,
        cast(users * 1.0 / sum(users) over (partition by as_of_date, dimension) as double) as share_of_users,
        cast(revenue_amount as decimal(18, 2)) as revenue_amount,
        cast(
            revenue_amount / nullif(sum(revenue_amount) over (partition by as_of_date, dimension), 0) as double
        ) as share_of_revenue,
        cast(revenue_amount / nullif(order_count, 0) as decimal(18, 2)) as average_order_value,
        cast(repeat_buyers * 1.0 / nullif(buyers, 0) as double) as repurchase_rate,
        cast(round(average_p_alive, 9) as double) as average_p_alive
    from per_layer
)

select * from final
