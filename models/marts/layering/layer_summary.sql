-- One row per snapshot date, dimension and layer: the size and value of the layer. Each metric
-- is defined once, in the doc block layer_<column> of models/marts/layering/_layering__docs.md
-- (share_of_users, revenue_amount, share_of_revenue, average_order_value, repurchase_rate,
-- average_p_alive), and the layer's outcome after the snapshot in doc block layer_outcomes.
with

layers as (
    select * from {{ ref('user_layer_memberships') }}
),

outcomes as (
    select * from {{ ref('int_layer_outcomes') }}
),

per_layer as (
    select
        layers.as_of_date,
        layers.dimension,
        layers.layer,
        count(*) as users,
        sum(layers.revenue_amount) as revenue_amount,
        sum(layers.order_count) as order_count,
        sum(case when layers.order_count >= 1 then 1 else 0 end) as buyers,
        sum(case when layers.order_count >= 2 then 1 else 0 end) as repeat_buyers,
        -- Summed as an exact DECIMAL: a parallel sum of doubles differs in the last bits between runs.
        avg(cast(layers.p_alive as decimal(38, 18))) as average_p_alive,
        sum(case when outcomes.is_active_after then 1 else 0 end) as active_after_users,
        sum(case when outcomes.has_order_after then 1 else 0 end) as ordering_after_users,
        sum(outcomes.revenue_amount_after) as revenue_amount_after,
        min(outcomes.is_outcome_window_complete) as is_outcome_window_complete
    from layers
    inner join outcomes
        on
            layers.as_of_date = outcomes.as_of_date
            and layers.user_id = outcomes.user_id
    group by layers.as_of_date, layers.dimension, layers.layer
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
        {{ divide_money('revenue_amount', 'order_count') }} as average_order_value,
        cast(repeat_buyers * 1.0 / nullif(buyers, 0) as double) as repurchase_rate,
        cast(round(average_p_alive, 9) as double) as average_p_alive,
        cast(active_after_users * 1.0 / users as double) as outcome_active_rate,
        cast(ordering_after_users * 1.0 / users as double) as outcome_order_rate,
        {{ divide_money('revenue_amount_after', 'users') }} as outcome_revenue_per_user,
        is_outcome_window_complete
    from per_layer
)

select * from final
