"""The Spark table functions of stratalib.spark_functions (the Spark stand-ins of the dbt Python
models), driven as Spark drives them (eval per input row, then terminate), without Spark.

They are checked against answers worked out independently of the code they call: the published
CDNOW estimates of the two purchase models, scipy's own Welch test and chi-square, and the
glue a Spark function needs (a run with no buyers still yields its as-of row; a missing value
comes back as None, never NaN; money stays an exact Decimal).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from stratalib import spark_functions
from stratalib.clv import bgnbd, pareto_nbd

PROJECT_DIR = Path(__file__).resolve().parents[2]
CDNOW_SUMMARY_FILE = PROJECT_DIR / "tests" / "fixtures" / "cdnow_customers_summary.csv"
AS_OF = date(1997, 9, 30)
# Fader, Hardie & Lee (2005), Marketing Science 24(2), p. 280, on the CDNOW sample (weeks), and
# half a unit of the last printed digit as the tolerance.
PUBLISHED = {
    "strata_fit_pareto_nbd": {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67},
    "strata_fit_bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
}


class Row(dict):
    """What a UDTF's eval receives for a TABLE argument: fields by name, and asDict()."""

    def asDict(self) -> dict:  # noqa: N802 (pyspark's name)
        return dict(self)


def run(function_name: str, rows: list[dict], *arguments) -> list[tuple]:
    """Feed rows to a table function as Spark does and return what it yields."""
    function = spark_functions.TABLE_FUNCTIONS[function_name][0]()
    for row in rows:
        function.eval(Row(row), *arguments)
    return list(function.terminate())


def named(function_name: str, output: list[tuple]) -> list[dict]:
    schema = spark_functions.TABLE_FUNCTIONS[function_name][1]
    # Fields are "name type"; a decimal(18, 2) type has a comma of its own.
    names = [field.split()[0] for field in re.split(r",\s*(?![^()]*\))", schema)]
    assert all(len(row) == len(names) for row in output)
    return [dict(zip(names, row)) for row in output]


def cdnow_rows(shuffle_seed: int) -> list[dict]:
    summary = pd.read_csv(CDNOW_SUMMARY_FILE).sample(frac=1.0, random_state=shuffle_seed)
    return [
        {"as_of_date": AS_OF, "user_id": str(customer), "first_order_date": None, "last_order_date": None,
         "frequency": int(x), "recency_weeks": float(t_x), "age_weeks": float(age),
         "repeat_purchase_amount": Decimal("0.00")}
        for customer, x, t_x, age in summary[["ID", "frequency", "recency", "T"]].itertuples(index=False)
    ]


@pytest.mark.parametrize("function_name", sorted(PUBLISHED))
def test_fit_functions_reproduce_the_published_cdnow_estimates(function_name: str) -> None:
    output = named(function_name, run(function_name, cdnow_rows(shuffle_seed=5), 50))
    assert len(output) == 1
    fit = output[0]
    assert fit["as_of_date"] == AS_OF and fit["customers"] == 2357 and fit["is_fitted"] is True
    for name, published in PUBLISHED[function_name].items():
        assert isinstance(fit[name], float)
        assert fit[name] == pytest.approx(published, abs=0.5 * 10 ** -(len(str(published).split(".")[1]))), name
    # Rows in another order give the very same fit (the function sorts before fitting).
    assert run(function_name, cdnow_rows(shuffle_seed=11), 50) == run(function_name, cdnow_rows(shuffle_seed=5), 50)


@pytest.mark.parametrize("function_name", ["strata_fit_bgnbd", "strata_fit_pareto_nbd", "strata_fit_gamma_gamma"])
def test_a_run_without_buyers_yields_its_unfitted_row(function_name: str) -> None:
    # The stand-in's left join gives one row with the as-of date and null buyer columns.
    empty = {"as_of_date": AS_OF, **{column: None for column in spark_functions.SUMMARY_INPUT}}
    fit = named(function_name, run(function_name, [empty], 50))
    assert len(fit) == 1
    assert fit[0]["as_of_date"] == AS_OF
    assert fit[0]["customers"] == 0 and fit[0]["is_fitted"] is False
    assert fit[0]["log_likelihood"] is None  # null, not NaN
    assert "not fitted" in fit[0]["fit_note"]


def test_buyer_forecasts_without_a_fitted_spend_model_are_null_not_nan() -> None:
    parameters = PUBLISHED["strata_fit_bgnbd"]
    x, t_x, age = 2, 30.43, 38.86
    row = {
        "user_id": "u1", "first_order_date": date(1997, 1, 1), "last_order_date": date(1997, 8, 8),
        "frequency": x, "recency_weeks": t_x, "age_weeks": age, "repeat_purchase_amount": Decimal("30.00"),
        "as_of_date": AS_OF,
        "pareto_nbd_is_fitted": False, **{f"pareto_nbd_{name}": None for name in pareto_nbd.PARAMETER_NAMES},
        "bgnbd_is_fitted": True, **{f"bgnbd_{name}": value for name, value in parameters.items()},
        "gamma_gamma_is_fitted": False, "gamma_gamma_p": None, "gamma_gamma_q": None, "gamma_gamma_gamma_scale": None,
    }
    output = named("strata_buyer_forecasts", run("strata_buyer_forecasts", [row], "bgnbd", 365.0, 0.1))
    assert len(output) == 1
    forecast = output[0]
    # BG/NBD probability alive (Fader, Hardie & Lee 2005, eq. 13, x > 0):
    # 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)).
    r, alpha, a, b = (parameters[name] for name in ("r", "alpha", "a", "b"))
    expected = 1 / (1 + a / (b + x - 1) * ((alpha + age) / (alpha + t_x)) ** (r + x))
    assert forecast["p_alive"] == pytest.approx(expected, rel=1e-12)
    assert forecast["churn_model"] == "bgnbd" and forecast["as_of_date"] == AS_OF
    assert forecast["repeat_purchase_days"] == 2 and isinstance(forecast["repeat_purchase_days"], int)
    # No spend model: value and revenue are null (None), not NaN.
    assert forecast["expected_order_value"] is None
    assert forecast["predicted_revenue"] is None and forecast["predicted_revenue_discounted"] is None


def test_campaign_comparison_matches_scipy_and_keeps_money_exact() -> None:
    treatment = np.array([0, 0, 120.5, 0, 80, 0, 0, 310, 0, 45.25])
    control = np.array([0, 0, 0, 99.9, 0, 0, 15])

    def summary(group: str, values: np.ndarray, revenue: str) -> dict:
        converted = (values > 0).astype(float)
        return {
            "input_kind": "summary", "campaign_id": "c1", "segment": "all", "test_group": group,
            "user_count": len(values), "converted_user_count": int(converted.sum()),
            "converted_mean": converted.mean(), "converted_variance": converted.var(ddof=1),
            "orders_mean": converted.mean(), "orders_variance": converted.var(ddof=1),
            "revenue_mean": values.mean(), "revenue_variance": values.var(ddof=1),
            "order_count": int(converted.sum()), "revenue_amount": Decimal(revenue),
            "message_cost_amount": Decimal("0.1234"), "uncosted_messages": 0,
            "coupon_discount_amount": Decimal("0.00"), "is_window_complete": True, "intended_share": None,
        }

    declared = [
        {"input_kind": "declared", "campaign_id": "c1", "test_group": group, "intended_share": share,
         **{column: None for column in spark_functions.GROUP_SUMMARY_COLUMNS
           if column not in ("campaign_id", "test_group")}}
        for group, share in (("treatment", 0.5), ("control", 0.5))
    ]
    rows = [summary("treatment", treatment, "555.75"), summary("control", control, "114.90"), *declared]
    output = named("strata_campaign_groups_compared", run("strata_campaign_groups_compared", rows, 0.95))
    assert len(output) == 1
    result = output[0]
    reference = stats.ttest_ind(treatment, control, equal_var=False)
    interval = reference.confidence_interval(confidence_level=0.95)
    assert result["revenue_per_user_p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
    assert result["revenue_per_user_lift_ci_lower"] == pytest.approx(interval.low, rel=1e-9)
    assert result["revenue_per_user_lift_ci_upper"] == pytest.approx(interval.high, rel=1e-9)
    srm = stats.chisquare([10, 7], [8.5, 8.5])
    assert result["srm_p_value"] == pytest.approx(srm.pvalue, rel=1e-9)
    assert result["treatment_revenue_amount"] == Decimal("555.75")
    assert result["control_message_cost_amount"] == Decimal("0.1234")
    assert result["treatment_users"] == 10 and isinstance(result["treatment_users"], int)
    assert result["intended_control_share"] == 0.5
