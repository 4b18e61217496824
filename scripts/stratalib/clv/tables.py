"""The tables the warehouse's dbt Python models return: a fit as one row, forecasts per buyer.

Kept here, beside the models' mathematics, so each dbt Python model is a few lines that read its
inputs and call these, and the Spark table functions of stratalib.spark_functions call the same
ones (dbt-spark runs no Python models in session mode): both engines compute the same numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
import pandas as pd

from stratalib.clv import bgnbd, gamma_gamma, pareto_nbd
from stratalib.clv.revenue import discounted_expected_revenue, expected_revenue

DAYS_PER_WEEK = 7
# The purchase models' inputs (columns of int_bgnbd_inputs), also the order the fits sort them in;
# likewise the spend model's.
SUMMARY_COLUMNS = ["frequency", "recency_weeks", "age_weeks"]
SPEND_COLUMNS = ["frequency", "repeat_purchase_amount"]
PURCHASE_MODELS = {"pareto_nbd": pareto_nbd, "bgnbd": bgnbd}
FORECAST_COLUMNS = [
    "user_id",
    "as_of_date",
    "churn_model",
    "first_order_date",
    "last_order_date",
    "repeat_purchase_days",
    "p_alive",
    "expected_orders",
    "expected_order_value",
    "predicted_revenue",
    "predicted_revenue_discounted",
]


def setting(configured: object, default: float) -> float:
    """A model config value that may be unset (None or '') as a number, else the default."""
    return float(configured) if configured not in (None, "") else float(default)


def fit_row(fit: dict, parameter_names: Sequence[str], as_of_date: object) -> pd.DataFrame:
    """One row: as_of_date, the parameters, log_likelihood, customers, is_fitted, fit_note.

    No wall-clock time: the same input gives the same table (idempotent builds)."""
    row = {
        "as_of_date": pd.Timestamp(as_of_date).date(),
        **{name: fit[name] for name in parameter_names},
        "log_likelihood": fit["log_likelihood"],
        "customers": fit["customers"],
        "is_fitted": fit["is_fitted"],
        "fit_note": fit["fit_note"],
    }
    frame = pd.DataFrame([row])
    for column in (*parameter_names, "log_likelihood"):
        frame[column] = frame[column].astype("float64")
    frame["customers"] = frame["customers"].astype("int64")
    frame["is_fitted"] = frame["is_fitted"].astype(bool)
    return frame


def guarded_fit(
    fit: Callable[[], dict], unfitted: Callable[[int, str], dict], customers: int, parameter_names: Sequence[str],
    as_of_date: object,
) -> pd.DataFrame:
    """fit() as a one-row table (fit_row); an arithmetic or value error becomes an unfitted row
    with the error in its note: a build never fails because of a fit."""
    try:
        result = fit()
    except (ArithmeticError, ValueError) as error:
        result = unfitted(customers, f"not fitted: {type(error).__name__}: {error}")
    return fit_row(result, parameter_names, as_of_date)


def bgnbd_fit_table(inputs: pd.DataFrame, min_buyers: float, as_of_date: object) -> pd.DataFrame:
    """int_bgnbd_parameters_fitted: the BG/NBD fit of the buyers of `inputs` (rows of
    int_bgnbd_inputs) as one row. The inputs are sorted first, so the optimiser sees the same sums
    in the same order whatever order an engine reads them in (idempotent builds)."""
    inputs = inputs.sort_values(SUMMARY_COLUMNS, ignore_index=True)
    return guarded_fit(
        lambda: bgnbd.fit_bgnbd(inputs["frequency"], inputs["recency_weeks"], inputs["age_weeks"], int(min_buyers)),
        bgnbd.unfitted_bgnbd,
        len(inputs),
        bgnbd.PARAMETER_NAMES,
        as_of_date,
    )


def pareto_nbd_fit_table(inputs: pd.DataFrame, min_buyers: float, as_of_date: object) -> pd.DataFrame:
    """int_pareto_nbd_parameters_fitted: the Pareto/NBD fit of the buyers of `inputs` as one row
    (sorted first, as bgnbd_fit_table)."""
    inputs = inputs.sort_values(SUMMARY_COLUMNS, ignore_index=True)
    return guarded_fit(
        lambda: pareto_nbd.fit_pareto_nbd(
            inputs["frequency"], inputs["recency_weeks"], inputs["age_weeks"], int(min_buyers), "pareto_nbd_min_buyers"
        ),
        pareto_nbd.unfitted_pareto_nbd,
        len(inputs),
        pareto_nbd.PARAMETER_NAMES,
        as_of_date,
    )


def gamma_gamma_fit_table(inputs: pd.DataFrame, min_customers: float, as_of_date: object) -> pd.DataFrame:
    """int_gamma_gamma_parameters_fitted: the Gamma-Gamma fit of the repeat buyers of `inputs`
    (frequency > 0), each with the mean value of a repeat purchase day, as one row (sorted first)."""
    inputs = inputs.sort_values(SPEND_COLUMNS, ignore_index=True)
    repeat = inputs[inputs["frequency"] > 0]
    mean_value = repeat["repeat_purchase_amount"].astype(float) / repeat["frequency"].astype(float)
    return guarded_fit(
        lambda: gamma_gamma.fit_gamma_gamma(
            repeat["frequency"], mean_value, int(min_customers), "gamma_gamma_min_customers"
        ),
        gamma_gamma.unfitted_gamma_gamma,
        len(repeat),
        gamma_gamma.PARAMETER_NAMES,
        as_of_date,
    )


def fitted_parameters(table: pd.DataFrame, parameter_names: Sequence[str]) -> dict | None:
    """The parameters of a one-row fit table as a dict, or None when the model is not fitted."""
    row = table.iloc[0]
    if not bool(row["is_fitted"]):
        return None
    return {name: float(row[name]) for name in parameter_names}


def buyer_forecasts(
    summary: pd.DataFrame,
    churn_model: str,
    purchase_parameters: dict | None,
    spend_parameters: dict | None,
    horizon_days: float,
    annual_discount_rate: float,
    as_of_date: date,
) -> pd.DataFrame:
    """One row per buyer of `summary` (columns user_id, first_order_date, last_order_date,
    frequency, recency_weeks, age_weeks, repeat_purchase_amount; the first three are passed
    through, frequency as repeat_purchase_days): p_alive and expected purchase days over the horizon from the
    purchase model `churn_model` (its fitted parameters, or None: then those are null), the
    Gamma-Gamma expected value per purchase day (null when spend_parameters is None), and their
    product over the horizon, plain and discounted (null when either is)."""
    model = PURCHASE_MODELS[churn_model]
    x = summary["frequency"].to_numpy(dtype=float)
    t_x = summary["recency_weeks"].to_numpy(dtype=float)
    age = summary["age_weeks"].to_numpy(dtype=float)
    amount = summary["repeat_purchase_amount"].to_numpy(dtype=float)
    horizon_weeks = horizon_days / DAYS_PER_WEEK
    missing = np.full(len(summary), np.nan)

    if purchase_parameters is not None:
        alive = model.p_alive(purchase_parameters, x, t_x, age)
        orders = model.conditional_expected_purchases(purchase_parameters, horizon_weeks, x, t_x, age)
    else:
        alive, orders = missing, missing
    if spend_parameters is not None:
        mean_repeat_value = np.divide(amount, x, out=np.zeros_like(amount), where=x > 0)
        value = gamma_gamma.conditional_expected_value(spend_parameters, x, mean_repeat_value)
    else:
        value = missing
    if purchase_parameters is not None and spend_parameters is not None:
        revenue = expected_revenue(orders, value)
        discounted = discounted_expected_revenue(
            lambda weeks: model.conditional_expected_purchases(purchase_parameters, weeks, x, t_x, age),
            value,
            horizon_weeks,
            annual_discount_rate,
        )
    else:
        revenue, discounted = missing, missing

    return pd.DataFrame(
        {
            "user_id": summary["user_id"].to_numpy(),
            "as_of_date": pd.Timestamp(as_of_date).date(),
            "churn_model": churn_model,
            "first_order_date": summary["first_order_date"].to_numpy(),
            "last_order_date": summary["last_order_date"].to_numpy(),
            "repeat_purchase_days": summary["frequency"].to_numpy(dtype="int64"),
            "p_alive": alive,
            "expected_orders": orders,
            "expected_order_value": value,
            "predicted_revenue": revenue,
            "predicted_revenue_discounted": discounted,
        },
        columns=FORECAST_COLUMNS,
    )
