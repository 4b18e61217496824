-- One row per buyer (a user with a valid order on or before the as-of date): what the customer
-- models expect of them as of the as-of date (doc block user_value_forecast). p_alive and
-- expected_orders come from the purchase model var('churn_model'), expected_order_value from the
-- Gamma-Gamma spend model, both computed per buyer in int_buyer_forecasts (Python: the formulas
-- need the Gauss hypergeometric function, with the buyer's purchase days passed through); this
-- mart types the columns and rounds money to cents.
with

forecasts as (
    select * from {{ ref('int_buyer_forecasts') }}
),

final as (
    select
        forecasts.user_id,
        forecasts.as_of_date,
        forecasts.churn_model,
        cast(forecasts.first_order_date as date) as first_order_date,
        cast(forecasts.last_order_date as date) as last_order_date,
        cast(forecasts.repeat_purchase_days as {{ dbt.type_bigint() }}) as repeat_purchase_days,
        cast(forecasts.p_alive as double) as p_alive,
        cast(forecasts.expected_orders as double) as expected_orders,
        cast(forecasts.expected_order_value as decimal(18, 2)) as expected_order_value,
        cast(forecasts.predicted_revenue as decimal(18, 2)) as predicted_revenue,
        cast(forecasts.predicted_revenue_discounted as decimal(18, 2)) as predicted_revenue_discounted
    from forecasts
)

select * from final
