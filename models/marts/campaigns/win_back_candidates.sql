-- One row per silent, valuable buyer as of the as-of date, ranked by win_back_score. Defined once,
-- in the doc block win_back_candidate (models/marts/campaigns/_campaigns__docs.md).
with

facts as (
    select
        user_id,
        as_of_date,
        marketing_opt_in,
        has_email,
        has_phone,
        order_count,
        revenue_amount_365d,
        last_order_date,
        recency_days
    from {{ ref('user_facts') }}
),

layers as (
    select
        user_id,
        value_tier,
        lifecycle_stage,
        churn_risk,
        p_alive
    from {{ ref('user_layers') }}
),

silent_buyers as (
    select
        facts.user_id,
        facts.as_of_date,
        facts.order_count,
        facts.revenue_amount_365d,
        facts.last_order_date,
        facts.recency_days,
        layers.value_tier,
        layers.lifecycle_stage,
        layers.churn_risk,
        layers.p_alive,
        facts.marketing_opt_in,
        facts.has_email,
        facts.has_phone,
        facts.revenue_amount_365d * (1 - layers.p_alive) as win_back_score
    from facts
    inner join layers
        on facts.user_id = layers.user_id
    where
        facts.order_count >= {{ var('win_back_min_orders') }}
        and facts.recency_days >= {{ var('win_back_min_silent_days') }}
        and layers.value_tier in ('core', 'normal')
),

final as (
    select
        user_id,
        as_of_date,
        cast(row_number() over (
            order by
                case when win_back_score is null then 1 else 0 end,
                win_back_score desc,
                revenue_amount_365d desc,
                user_id asc
        ) as {{ dbt.type_bigint() }}) as win_back_rank,
        cast(win_back_score as double) as win_back_score,
        cast(revenue_amount_365d as decimal(18, 2)) as revenue_amount_365d,
        cast(p_alive as double) as p_alive,
        cast(order_count as {{ dbt.type_bigint() }}) as order_count,
        last_order_date,
        cast(recency_days as integer) as recency_days,
        value_tier,
        lifecycle_stage,
        churn_risk,
        marketing_opt_in,
        has_email,
        has_phone
    from silent_buyers
)

select * from final
