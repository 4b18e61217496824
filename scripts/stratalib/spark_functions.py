"""The warehouse's Python steps as Spark table functions (Python UDTFs), for the Spark target.

On DuckDB five models are dbt Python models: the three customer-model fits, int_buyer_forecasts
and int_campaign_groups_compared. dbt-spark's session mode runs no dbt Python models, so on Spark
each is replaced by a SQL model of the same name (models/.../spark/*.sql, enabled only there)
whose query calls one of the table functions below on its inputs, through the dispatched macro
python_table_function. Each function collects its input rows and, in terminate(), calls the same
stratalib function the DuckDB model calls (stratalib.clv.tables, stratalib.campaign_stats): one
implementation, two engines, the same numbers. Spark SQL only needs the functions registered in
its session before dbt runs the stand-ins: stratalib.spark_build does that (make spark-check).

Every function's input is a TABLE argument; its settings (the vars the DuckDB model reads as
config values) come as constant scalar arguments. A fit or the campaign statistics need all their
rows at once and are called WITH SINGLE PARTITION; the buyer forecasts are per buyer, so Spark may
split their rows across partitions (each partition's rows are computed together).

Values go back as Python values of the declared types: a missing value (None, NaN, pandas NA)
becomes null, as DuckDB stores NaN of a pandas float column as null.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from stratalib import campaign_stats
from stratalib.clv import bgnbd, gamma_gamma, pareto_nbd
from stratalib.clv.tables import (
    FORECAST_COLUMNS,
    PURCHASE_MODELS,
    bgnbd_fit_table,
    buyer_forecasts,
    gamma_gamma_fit_table,
    pareto_nbd_fit_table,
)

# The columns of int_bgnbd_inputs the functions read (the buyer summary).
SUMMARY_INPUT = ["user_id", "first_order_date", "last_order_date", "frequency", "recency_weeks", "age_weeks",
                 "repeat_purchase_amount"]


def spark_value(value: object) -> object:
    """A pandas / numpy value as the plain Python value Spark expects; missing values as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def frame_rows(frame: pd.DataFrame) -> Iterator[tuple]:
    """The rows of a DataFrame as tuples of Spark-ready values, in column order."""
    for row in frame.itertuples(index=False, name=None):
        yield tuple(spark_value(value) for value in row)


def fit_schema(parameter_names: Sequence[str]) -> str:
    """The Spark schema of a one-row fit table (stratalib.clv.tables.fit_row)."""
    parameters = ", ".join(f"{name} double" for name in parameter_names)
    return (f"as_of_date date, {parameters}, log_likelihood double, customers bigint, is_fitted boolean, "
            "fit_note string")


class _FitFunction:
    """Collects the buyers of int_bgnbd_inputs (one input row per buyer, plus the as-of date on
    every row: a row with a null frequency carries only the date, so that a run with no buyers
    still gets its unfitted row) and fits in terminate()."""

    fit_table = staticmethod(bgnbd_fit_table)  # overridden per model

    def __init__(self) -> None:
        self.buyers: list[dict] = []
        self.as_of_date = None
        self.minimum = None

    def eval(self, row, minimum) -> None:
        self.as_of_date = row["as_of_date"]
        self.minimum = minimum
        if row["frequency"] is not None:
            self.buyers.append(row.asDict())

    def terminate(self) -> Iterator[tuple]:
        if self.as_of_date is None:  # no input row at all: no as-of date, nothing to fit for
            return
        inputs = pd.DataFrame(self.buyers, columns=SUMMARY_INPUT)
        for column in ("frequency", "recency_weeks", "age_weeks", "repeat_purchase_amount"):
            # As DuckDB hands DECIMAL and BIGINT to a Python model: float64 and int64.
            inputs[column] = inputs[column].astype("int64" if column == "frequency" else "float64")
        yield from frame_rows(self.fit_table(inputs, self.minimum, self.as_of_date))


class BgnbdFit(_FitFunction):
    fit_table = staticmethod(bgnbd_fit_table)


class ParetoNbdFit(_FitFunction):
    fit_table = staticmethod(pareto_nbd_fit_table)


class GammaGammaFit(_FitFunction):
    fit_table = staticmethod(gamma_gamma_fit_table)


def _prefixed_parameters(row: dict, prefix: str, parameter_names: Sequence[str]) -> dict | None:
    """The fitted parameters of one model from the `<prefix>_<name>` columns of an input row,
    or None when `<prefix>_is_fitted` is not true (as stratalib.clv.tables.fitted_parameters)."""
    if not row[f"{prefix}_is_fitted"]:
        return None
    return {name: float(row[f"{prefix}_{name}"]) for name in parameter_names}


class BuyerForecasts:
    """Per buyer of int_bgnbd_inputs: p_alive, expected orders, value and revenue
    (stratalib.clv.tables.buyer_forecasts). Every input row carries the buyer's summary and the
    parameters of the three fits, as <model>_<parameter> and <model>_is_fitted columns."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.settings: tuple = ()

    def eval(self, row, churn_model, horizon_days, annual_discount_rate) -> None:
        self.settings = (churn_model, horizon_days, annual_discount_rate)
        self.rows.append(row.asDict())

    def terminate(self) -> Iterator[tuple]:
        if not self.rows:
            return
        churn_model, horizon_days, annual_discount_rate = self.settings
        if churn_model not in PURCHASE_MODELS:
            raise ValueError(f"var churn_model must be one of {sorted(PURCHASE_MODELS)}, not {churn_model!r}")
        first = self.rows[0]  # the fits are the same on every row
        summary = pd.DataFrame(self.rows, columns=SUMMARY_INPUT).sort_values("user_id", ignore_index=True)
        summary["frequency"] = summary["frequency"].astype("int64")
        for column in ("recency_weeks", "age_weeks", "repeat_purchase_amount"):
            summary[column] = summary[column].astype("float64")
        yield from frame_rows(buyer_forecasts(
            summary,
            churn_model,
            _prefixed_parameters(first, churn_model, PURCHASE_MODELS[churn_model].PARAMETER_NAMES),
            _prefixed_parameters(first, "gamma_gamma", gamma_gamma.PARAMETER_NAMES),
            float(horizon_days),
            float(annual_discount_rate),
            first["as_of_date"],
        ))


FORECAST_TYPES = {"user_id": "string", "as_of_date": "date", "churn_model": "string", "first_order_date": "date",
                  "last_order_date": "date", "repeat_purchase_days": "bigint"}  # the rest: double
FORECAST_SCHEMA = ", ".join(f"{column} {FORECAST_TYPES.get(column, 'double')}" for column in FORECAST_COLUMNS)

# The columns of int_campaign_groups_summarised and of int_campaign_groups_declared the
# comparison reads; its input is the union of both, told apart by input_kind.
SUMMARY_KIND, DECLARED_KIND = "summary", "declared"
GROUP_SUMMARY_COLUMNS = [
    "campaign_id", "segment", "test_group", "user_count", "converted_user_count",
    "converted_mean", "converted_variance", "orders_mean", "orders_variance", "revenue_mean", "revenue_variance",
    "order_count", "revenue_amount", "message_cost_amount", "uncosted_messages", "coupon_discount_amount",
    "is_window_complete",
]
DECLARED_COLUMNS = ["campaign_id", "test_group", "intended_share"]


def _comparison_type(column: str) -> str:
    """The Spark type of an output column of campaign_stats.compare_all (the same rules it casts by)."""
    if column in ("campaign_id", "variant", "segment"):
        return "string"
    if column == "is_window_complete":
        return "boolean"
    for suffix, scale in campaign_stats.MONEY_SCALES.items():
        if column.endswith(suffix):
            return f"decimal(18, {scale})"
    if column.endswith(("_users", "_orders", "_messages")):
        return "bigint"
    return "double"


COMPARISON_SCHEMA = ", ".join(f"{column} {_comparison_type(column)}" for column in campaign_stats.output_columns())


class CampaignGroupsCompared:
    """int_campaign_groups_compared: campaign_stats.compare_all on the group summaries and the
    declared groups (rows of input_kind 'summary' and 'declared'). Money arrives as Decimal, as
    the DuckDB model reads it (exact)."""

    def __init__(self) -> None:
        self.summaries: list[dict] = []
        self.declared: list[dict] = []
        self.confidence = campaign_stats.DEFAULT_CONFIDENCE_LEVEL

    def eval(self, row, confidence) -> None:
        self.confidence = float(confidence)
        record = row.asDict()
        if record["input_kind"] == SUMMARY_KIND:
            self.summaries.append({column: record[column] for column in GROUP_SUMMARY_COLUMNS})
        else:
            self.declared.append({column: record[column] for column in DECLARED_COLUMNS})

    def terminate(self) -> Iterator[tuple]:
        summaries = pd.DataFrame(self.summaries, columns=GROUP_SUMMARY_COLUMNS)
        declared = pd.DataFrame(self.declared, columns=DECLARED_COLUMNS)
        yield from frame_rows(campaign_stats.compare_all(summaries, self.confidence, declared))


# SQL name -> (class, output schema). The names are what the stand-in models call.
TABLE_FUNCTIONS = {
    "strata_fit_bgnbd": (BgnbdFit, fit_schema(bgnbd.PARAMETER_NAMES)),
    "strata_fit_pareto_nbd": (ParetoNbdFit, fit_schema(pareto_nbd.PARAMETER_NAMES)),
    "strata_fit_gamma_gamma": (GammaGammaFit, fit_schema(gamma_gamma.PARAMETER_NAMES)),
    "strata_buyer_forecasts": (BuyerForecasts, FORECAST_SCHEMA),
    "strata_campaign_groups_compared": (CampaignGroupsCompared, COMPARISON_SCHEMA),
}


def register_table_functions(spark) -> list[str]:
    """Register every table function in the Spark session; returns their SQL names."""
    from pyspark.sql.functions import udtf

    for name, (function_class, schema) in TABLE_FUNCTIONS.items():
        spark.udtf.register(name, udtf(function_class, returnType=schema))
    return sorted(TABLE_FUNCTIONS)

