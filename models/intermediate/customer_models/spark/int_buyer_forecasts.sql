-- Spark stand-in of int_buyer_forecasts.py: one row per buyer, p_alive, expected orders, value and
-- revenue over the horizon (columns and meaning in _customer_models__models.yml). The formulas need
-- the Gauss hypergeometric function, which SQL lacks, and dbt-spark's session mode runs no dbt
-- Python models: so on Spark this SQL model of the same name is enabled instead (dbt_project.yml)
-- and computes with the same function, stratalib.clv.tables.buyer_forecasts, through the Spark
-- table function strata_buyer_forecasts (stratalib.spark_functions). Every input row carries the
-- buyer's summary and the three fits' parameters (<model>_<parameter>, <model>_is_fitted); the
-- formulas are per buyer, so Spark may split the rows across partitions.
with

buyers as (
    select
        user_id,
        first_order_date,
        last_order_date,
        frequency,
        recency_weeks,
        age_weeks,
        repeat_purchase_amount,
        as_of_date
    from {{ ref('int_bgnbd_inputs') }}
),

pareto_nbd as (
    select
        is_fitted,
        r,
        alpha,
        s,
        beta
    from {{ ref('int_pareto_nbd_parameters_fitted') }}
),

bgnbd as (
    select
        is_fitted,
        r,
        alpha,
        a,
        b
    from {{ ref('int_bgnbd_parameters_fitted') }}
),

gamma_gamma as (
    select
        is_fitted,
        p,
        q,
        gamma_scale
    from {{ ref('int_gamma_gamma_parameters_fitted') }}
),

forecast_input as (
    select
        buyers.user_id,
        buyers.first_order_date,
        buyers.last_order_date,
        buyers.frequency,
        buyers.recency_weeks,
        buyers.age_weeks,
        buyers.repeat_purchase_amount,
        buyers.as_of_date,
        pareto_nbd.is_fitted as pareto_nbd_is_fitted,
        pareto_nbd.r as pareto_nbd_r,
        pareto_nbd.alpha as pareto_nbd_alpha,
        pareto_nbd.s as pareto_nbd_s,
        pareto_nbd.beta as pareto_nbd_beta,
        bgnbd.is_fitted as bgnbd_is_fitted,
        bgnbd.r as bgnbd_r,
        bgnbd.alpha as bgnbd_alpha,
        bgnbd.a as bgnbd_a,
        bgnbd.b as bgnbd_b,
        gamma_gamma.is_fitted as gamma_gamma_is_fitted,
        gamma_gamma.p as gamma_gamma_p,
        gamma_gamma.q as gamma_gamma_q,
        gamma_gamma.gamma_scale as gamma_gamma_gamma_scale
    from buyers
    cross join pareto_nbd
    cross join bgnbd
    cross join gamma_gamma
),

forecasts as (
    {{ python_table_function(
        'strata_buyer_forecasts',
        'forecast_input',
        [
            sql_string(var('churn_model')),
            'cast(' ~ var('forecast_horizon_days') ~ ' as double)',
            'cast(' ~ var('clv_annual_discount_rate') ~ ' as double)',
        ],
        single_partition=false,
    ) }}
)

select * from forecasts
