-- Spark stand-in of int_pareto_nbd_parameters_fitted.py: one row, the Pareto/NBD fit (columns and
-- meaning in _customer_models__models.yml). dbt-spark's session mode runs no dbt Python models,
-- so on Spark this SQL model of the same name is enabled instead (dbt_project.yml) and fits with
-- the same function, stratalib.clv.tables.pareto_nbd_fit_table, through the Spark table function
-- strata_fit_pareto_nbd (stratalib.spark_functions). Its input is every buyer of int_bgnbd_inputs
-- with the as-of date; the left join keeps one row with the date when there is no buyer, so the
-- unfitted row still has its as-of date.
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

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

fit_input as (
    select
        as_of.as_of_date,
        buyers.user_id,
        buyers.first_order_date,
        buyers.last_order_date,
        buyers.frequency,
        buyers.recency_weeks,
        buyers.age_weeks,
        buyers.repeat_purchase_amount
    from as_of
    left join buyers
        on as_of.as_of_date = buyers.as_of_date
),

fitted as (
    {{ python_table_function('strata_fit_pareto_nbd', 'fit_input', [var('pareto_nbd_min_buyers')]) }}
)

select * from fitted
