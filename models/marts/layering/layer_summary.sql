-- One row per snapshot date, dimension and layer: the size and value of the layer.
--   users, share_of_users = users / users of the snapshot
--   revenue_amount = revenue of the layer's users up to the snapshot date (valid orders);
--   share_of_revenue = revenue_amount / revenue of all users of the snapshot
--   average_order_value = revenue_amount / orders of the layer's users
--   repurchase_rate = buyers with 2+ orders / buyers (users with 1+ order) of the layer
--   average_p_alive = mean p_alive of the layer's buyers, rounded to 9 decimals (null without a
--                     fitted churn model)
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
        avg(p_alive) as average_p_alive
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
        -- Rounded: a parallel sum of doubles differs in the last bits from run to run.
        cast(round(average_p_alive, 9) as double) as average_p_alive
    from per_layer
)

select * from final
