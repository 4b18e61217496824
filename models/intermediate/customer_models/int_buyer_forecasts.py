"""One row per buyer: probability alive, expected orders and value over the forecast horizon.

Reads each buyer's summary (int_bgnbd_inputs) and the fitted models, and applies, per buyer:
- the purchase model named by var('churn_model'): `pareto_nbd` (default; a one-time buyer's
  probability alive falls with silence) or `bgnbd` (p_alive = 1 for a one-time buyer):
  p_alive and expected_orders, the expected purchase days in the next
  var('forecast_horizon_days') days (the conditional expectation of the model; several orders on
  one day count as one, as in the fit);
- the Gamma-Gamma spend model: expected_order_value, the expected value of a purchase day (for
  a one-time buyer the population mean);
- predicted_revenue = expected_orders * expected_order_value, and the same discounted to the
  as-of date at var('clv_annual_discount_rate') a year (week by week; stratalib.clv.revenue).
These formulas need the Gauss hypergeometric function (Pareto/NBD p_alive, BG/NBD expectation),
which SQL engines lack: so they are computed here, in Python, with the tested functions of
stratalib.clv. A value is null when the model it needs is not fitted. The vars reach this model
as config values (_customer_models__models.yml). dbt-duckdb runs it in-process.
On the Spark target this model is disabled (dbt_project.yml) and its stand-in of the same
name in spark/ calls the same stratalib function through a Spark table function
(stratalib.spark_functions), so both engines compute with the same code.
"""

from __future__ import annotations

import pandas as pd

from stratalib.clv import gamma_gamma
from stratalib.clv.tables import PURCHASE_MODELS, buyer_forecasts, fitted_parameters, setting

DEFAULT_HORIZON_DAYS = 365


def model(dbt, session) -> pd.DataFrame:
    dbt.config(materialized="table")
    churn_model = dbt.config.get("churn_model")
    configured_horizon = dbt.config.get("forecast_horizon_days")
    configured_rate = dbt.config.get("clv_annual_discount_rate")
    if churn_model not in PURCHASE_MODELS:
        raise ValueError(f"var churn_model must be one of {sorted(PURCHASE_MODELS)}, not {churn_model!r}")
    # Both fits are read whatever the choice: dbt needs every ref written out as a literal.
    fits = {
        "pareto_nbd": dbt.ref("int_pareto_nbd_parameters_fitted").df(),
        "bgnbd": dbt.ref("int_bgnbd_parameters_fitted").df(),
    }
    spend_fit = dbt.ref("int_gamma_gamma_parameters_fitted").df()
    summary = dbt.ref("int_bgnbd_inputs").df().sort_values("user_id", ignore_index=True)
    as_of_date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]

    return buyer_forecasts(
        summary,
        churn_model,
        fitted_parameters(fits[churn_model], PURCHASE_MODELS[churn_model].PARAMETER_NAMES),
        fitted_parameters(spend_fit, gamma_gamma.PARAMETER_NAMES),
        setting(configured_horizon, DEFAULT_HORIZON_DAYS),
        setting(configured_rate, 0.0),
        as_of_date,
    )
