-- Spark stand-in of int_gamma_gamma_parameters_fitted.py: one row, the Gamma-Gamma fit (columns and
-- meaning in _customer_models__models.yml). dbt-spark's session mode runs no dbt Python models,
-- so on Spark this SQL model of the same name is enabled instead (dbt_project.yml) and fits with
-- the same function, stratalib.clv.tables.gamma_gamma_fit_table, through the Spark table function
-- strata_fit_gamma_gamma (stratalib.spark_functions). Its input is int_customer_fit_inputs
-- (every buyer with the as-of date, shared by the three fits).
with

fitted as (
    {{ python_table_function('strata_fit_gamma_gamma', ref('int_customer_fit_inputs'), [var('gamma_gamma_min_customers')]) }}
)

select * from fitted
