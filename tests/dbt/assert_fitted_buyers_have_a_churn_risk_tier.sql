-- Asserts that every buyer with a p_alive (the purchase model is fitted) has a low / medium /
-- high churn_risk under the Pareto/NBD model, one-time buyers included: no buyer is left without
-- a tier (the practice's churn warning covers every user of a group). Under churn_model bgnbd a
-- one-time buyer is single_purchase by design, so those rows are not checked.
with

layers as (
    select
        user_id,
        churn_risk
    from {{ ref('user_layers') }}
),

forecasts as (
    select
        user_id,
        churn_model,
        p_alive
    from {{ ref('user_value_forecast') }}
),

final as (
    select
        forecasts.user_id,
        forecasts.p_alive,
        layers.churn_risk
    from forecasts
    left join layers
        on forecasts.user_id = layers.user_id
    where
        forecasts.churn_model = 'pareto_nbd'
        and forecasts.p_alive is not null
        and coalesce(layers.churn_risk, 'missing') not in ('low', 'medium', 'high')
)

select * from final
