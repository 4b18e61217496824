"""The customer models through the warehouse: CDNOW's transaction log loaded as raw orders.

Every CDNOW purchase (Fader & Hardie's 2,357-customer sample, tests/fixtures/CDNOW_sample.txt)
becomes a raw order, moved 28 years later (10,227 days = 1,461 weeks: past the raw contract's
year-2000 floor, with every weekday and gap kept), and the warehouse is built as of the end of
the calibration period (1997-09-30 + 28 years) over a horizon of the 39 holdout weeks. Then the
fits of the warehouse must be the published ones, user_value_forecast.p_alive must be the
Pareto/NBD formula evaluated on each buyer's summary (computed here from the log, not read from
the warehouse), and the expected repeat purchases must add up to the published backtest.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import (
    ORDER_COLUMNS,
    PROJECT_DIR,
    USER_COLUMNS,
    MakeFolder,
    order,
    query,
    run_dbt,
    user,
    write_csv,
    write_minimal_raw,
)

from stratalib.clv import pareto_nbd
from stratalib.clv.cdnow import CALIBRATION_END, HOLDOUT_WEEKS, read_transactions, summarise
from stratalib.clv.tables import buyer_forecasts

CDNOW_FILE = PROJECT_DIR / "tests" / "fixtures" / "CDNOW_sample.txt"
SHIFT = timedelta(days=10_227)  # 28 years holding 7 leap days: 1,461 whole weeks
AS_OF = CALIBRATION_END + SHIFT
LOAD_TIME = "2026-12-01 00:00:00"  # after the last (moved) purchase of the log


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    return read_transactions(CDNOW_FILE)


@pytest.fixture(scope="module")
def warehouse(transactions: pd.DataFrame, module_temp: MakeFolder) -> Path:
    """The CDNOW log as raw users and orders (one user per customer, registered on the day of their
    first purchase), built up to user_value_forecast and churn_model_parameters."""
    root = module_temp("cdnow")
    raw_dir = write_minimal_raw(root / "raw")
    moved = transactions.assign(purchase_date=transactions["purchase_date"] + SHIFT)
    first_days = moved.groupby("customer_id")["purchase_date"].min()
    users = [user(f"c{customer}", f"{day:%Y-%m-%d} 00:00:00") for customer, day in first_days.items()]
    orders = [
        order(f"o{line}", f"c{row.customer_id}", f"{row.purchase_date:%Y-%m-%d} 12:00:00", amount=f"{row.amount:.2f}")
        for line, row in enumerate(moved.itertuples(index=False))
    ]
    write_csv(raw_dir / "raw_users.csv", USER_COLUMNS, users)
    write_csv(raw_dir / "raw_orders.csv", ORDER_COLUMNS, orders)
    warehouse = root / "strata.duckdb"
    run_dbt(
        warehouse, raw_dir, "build", "--select", "+user_value_forecast", "+churn_model_parameters", "quarantine_reasons",
        "--exclude-resource-type", "unit_test", "--indirect-selection", "cautious",
        dbt_vars={"as_of_date": AS_OF.isoformat(), "load_time": LOAD_TIME,
                  "forecast_horizon_days": 7 * HOLDOUT_WEEKS},
    )  # fmt: skip
    return warehouse


def parameters(warehouse: Path, model_name: str) -> dict[str, float]:
    rows = query(
        warehouse,
        f"select parameter_name, parameter_value from marts.churn_model_parameters "
        f"where model_name = '{model_name}' and is_fitted",
    )
    return dict(rows)


def test_every_customer_is_a_buyer_with_the_logs_summary(warehouse: Path, transactions: pd.DataFrame) -> None:
    summary = summarise(transactions)
    rows = query(warehouse, "select count(*), count(*) filter (where repeat_purchase_days = 0) "
                            "from marts.user_value_forecast")  # fmt: skip
    assert rows == [(2357, int((summary["frequency"] == 0).sum()))]
    assert int((summary["frequency"] == 0).sum()) == 1411


def test_warehouse_fits_are_the_published_ones(warehouse: Path) -> None:
    """Pareto/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way", table 1.
    Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV", on the 946 repeat customers."""
    fitted = parameters(warehouse, "pareto_nbd")
    for name, published in {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}.items():
        assert fitted[name] == pytest.approx(published, abs=0.0051 if name in ("alpha", "beta") else 0.0006), name
    spend = parameters(warehouse, "gamma_gamma")
    for name, published in {"p": 6.25, "q": 3.74, "gamma_scale": 15.44}.items():
        assert spend[name] == pytest.approx(published, abs=0.006), name
    [(customers,)] = query(warehouse, "select distinct customers from marts.churn_model_parameters "
                                      "where model_name = 'gamma_gamma'")  # fmt: skip
    assert customers == 946


def test_p_alive_is_the_pareto_nbd_formula_for_every_buyer(warehouse: Path, transactions: pd.DataFrame) -> None:
    summary = summarise(transactions)
    expected = pareto_nbd.p_alive(
        parameters(warehouse, "pareto_nbd"), summary["frequency"], summary["recency"], summary["T"]
    )
    by_user = dict(query(warehouse, "select user_id, p_alive from marts.user_value_forecast"))
    got = np.array([by_user[f"c{customer}"] for customer in summary.index])
    one_time = summary["frequency"].to_numpy() == 0
    assert np.all(got[one_time] < 1) and np.all(got[~one_time] <= 1)
    np.testing.assert_allclose(got[one_time], expected[one_time], rtol=1e-9)
    np.testing.assert_allclose(got[~one_time], expected[~one_time], rtol=1e-9)


def test_expected_orders_over_the_holdout_add_up_to_the_published_backtest(warehouse: Path) -> None:
    """Pareto/NBD predicts 1,665.5 repeat purchase days in the 39 holdout weeks (1,882 happened)."""
    [(total,)] = query(warehouse, "select sum(expected_orders) from marts.user_value_forecast")
    assert total == pytest.approx(1665.5, abs=0.05)


def test_forecasts_are_null_where_a_model_is_not_fitted_and_revenue_is_orders_times_value() -> None:
    """buyer_forecasts without dbt: a missing purchase fit leaves p_alive, orders and revenue null
    and still gives values; a missing spend fit leaves values and revenue null; with both, revenue
    is orders x value (Pareto/NBD with r = alpha = s = beta = 1; Gamma-Gamma p = 2, q = 3,
    gamma_scale = 10: a one-time buyer's value is the population mean 2 * 10 / (3 - 1) = 10, a
    buyer with x = 2 and mean 40 gets (10 + 40 * 2) * 2 / (2 * 2 + 3 - 1) = 30)."""
    summary = pd.DataFrame(
        {"user_id": ["once", "twice"], "first_order_date": [AS_OF, AS_OF], "last_order_date": [AS_OF, AS_OF],
         "frequency": [0, 2], "recency_weeks": [0.0, 4.0], "age_weeks": [10.0, 6.0],
         "repeat_purchase_amount": [0.0, 80.0]}
    )  # fmt: skip
    purchase = {"r": 1.0, "alpha": 1.0, "s": 1.0, "beta": 1.0}
    spend = {"p": 2.0, "q": 3.0, "gamma_scale": 10.0}
    as_of = AS_OF

    both = buyer_forecasts(summary, "pareto_nbd", purchase, spend, 365, 0.0, as_of)
    np.testing.assert_allclose(both["expected_order_value"], [10.0, 30.0])
    np.testing.assert_allclose(both["predicted_revenue"], both["expected_orders"] * both["expected_order_value"])
    # At a zero discount rate the discounted revenue is the plain one.
    np.testing.assert_allclose(both["predicted_revenue_discounted"], both["predicted_revenue"])
    discounted = buyer_forecasts(summary, "pareto_nbd", purchase, spend, 365, 0.10, as_of)
    assert (discounted["predicted_revenue_discounted"] < discounted["predicted_revenue"]).all()

    no_purchase_fit = buyer_forecasts(summary, "pareto_nbd", None, spend, 365, 0.10, as_of)
    assert no_purchase_fit[["p_alive", "expected_orders", "predicted_revenue"]].isna().all().all()
    np.testing.assert_allclose(no_purchase_fit["expected_order_value"], [10.0, 30.0])
    no_spend_fit = buyer_forecasts(summary, "pareto_nbd", purchase, None, 365, 0.10, as_of)
    assert no_spend_fit[["expected_order_value", "predicted_revenue"]].isna().all().all()
    assert no_spend_fit["p_alive"].notna().all()
