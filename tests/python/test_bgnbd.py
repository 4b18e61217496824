"""The BG/NBD fit of models/intermediate/int_bgnbd_parameters_fitted.py, without dbt.

The model file is imported with importlib (it is a dbt Python model, not a package module) and
its plain functions are called directly: the CDNOW benchmark of Fader, Hardie & Lee (2005),
recovery of simulated parameters, the too-few-buyers path, and hand-worked likelihood and
P(alive) values. Everything runs offline in a few seconds (the fixture is in tests/fixtures).
"""

from __future__ import annotations

import importlib.util
import math
from datetime import date
from pathlib import Path
from types import ModuleType, SimpleNamespace

import numpy as np
import pandas as pd
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
MODEL_FILE = PROJECT_DIR / "models" / "intermediate" / "int_bgnbd_parameters_fitted.py"
CDNOW_FILE = PROJECT_DIR / "tests" / "fixtures" / "cdnow_customers_summary.csv"

# Published maximum-likelihood estimates on the CDNOW sample (Fader, Hardie & Lee 2005, p. 280;
# also the lifetimes package's BetaGeoFitter on this file).
CDNOW_PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
CDNOW_LOG_LIKELIHOOD = -9582.4


@pytest.fixture(scope="module")
def bgnbd() -> ModuleType:
    spec = importlib.util.spec_from_file_location("int_bgnbd_parameters_fitted", MODEL_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(CDNOW_FILE)


def p_alive(x: float, t_x: float, t: float, r: float, alpha: float, a: float, b: float) -> float:
    """Reference P(alive | x, t_x, T) of Fader, Hardie & Lee (2005), eq. 13."""
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + t) / (alpha + t_x)) ** (r + x))


def test_cdnow_fixture_is_the_published_sample(cdnow: pd.DataFrame) -> None:
    assert len(cdnow) == 2357
    assert {"frequency", "recency", "T"} <= set(cdnow.columns)
    assert (cdnow["recency"] <= cdnow["T"]).all()


def test_cdnow_fit_reproduces_published_estimates(bgnbd: ModuleType, cdnow: pd.DataFrame) -> None:
    """Absolute tolerance 0.005 on each parameter (the paper prints 3 decimals), 0.1 on the LL."""
    fit = bgnbd.fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert fit["is_fitted"] is True
    assert fit["customers"] == 2357
    for name, published in CDNOW_PUBLISHED.items():
        assert fit[name] == pytest.approx(published, abs=0.005), name
    assert fit["log_likelihood"] == pytest.approx(CDNOW_LOG_LIKELIHOOD, abs=0.1)


def test_fit_is_deterministic(bgnbd: ModuleType, cdnow: pd.DataFrame) -> None:
    first = bgnbd.fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    second = bgnbd.fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert first == second


def simulate_bgnbd(customers: int, age_weeks: float, r: float, alpha: float, a: float, b: float, seed: int):
    """Purchase histories drawn from the BG/NBD story; all customers first buy at week 0."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(shape=r, scale=1.0 / alpha, size=customers)
    dropout = rng.beta(a, b, size=customers)
    frequency, recency = np.zeros(customers), np.zeros(customers)
    for customer in range(customers):
        now = 0.0
        while True:
            now += rng.exponential(1.0 / rates[customer])
            if now > age_weeks:
                break
            frequency[customer] += 1
            recency[customer] = now
            if rng.random() < dropout[customer]:
                break
    return frequency, recency, np.full(customers, age_weeks)


def test_fit_recovers_simulated_parameters(bgnbd: ModuleType) -> None:
    truth = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
    frequency, recency, age = simulate_bgnbd(10_000, 52.0, **truth, seed=20240101)
    fit = bgnbd.fit_bgnbd(frequency, recency, age)
    assert fit["is_fitted"] is True
    for name, value in truth.items():
        assert fit[name] == pytest.approx(value, rel=0.1), name


def test_too_few_buyers_is_not_fitted(bgnbd: ModuleType, cdnow: pd.DataFrame) -> None:
    few = cdnow.head(49)
    fit = bgnbd.fit_bgnbd(few["frequency"], few["recency"], few["T"], min_buyers=50)
    assert fit["is_fitted"] is False
    assert fit["customers"] == 49
    assert all(fit[name] is None for name in ("r", "alpha", "a", "b", "log_likelihood"))
    assert "fewer than bgnbd_min_buyers" in fit["fit_note"]


def test_degenerate_data_is_not_fitted(bgnbd: ModuleType) -> None:
    """Nobody ever repeats: r runs to 0 and a, b are not identified, so no parameters."""
    fit = bgnbd.fit_bgnbd(np.zeros(200), np.zeros(200), np.linspace(1.0, 40.0, 200))
    assert fit["is_fitted"] is False
    assert fit["r"] is None


class _Relation:
    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def df(self) -> pd.DataFrame:
        return self._frame


class _Config:
    def __init__(self, values: dict) -> None:
        self._values = values

    def __call__(self, **kwargs) -> None:
        pass

    def get(self, key: str, default=None):
        return self._values.get(key, default)


def _run_model(bgnbd: ModuleType, inputs: pd.DataFrame, min_buyers: str) -> pd.DataFrame:
    tables = {"int_bgnbd_inputs": inputs, "int_as_of_date": pd.DataFrame({"as_of_date": [date(2024, 12, 31)]})}
    dbt = SimpleNamespace(ref=lambda name: _Relation(tables[name]), config=_Config({"bgnbd_min_buyers": min_buyers}))
    return bgnbd.model(dbt, session=None)


def test_model_with_too_few_buyers_returns_one_unfitted_row(bgnbd: ModuleType, cdnow: pd.DataFrame) -> None:
    inputs = cdnow.head(10).rename(columns={"recency": "recency_weeks", "T": "age_weeks"})
    result = _run_model(bgnbd, inputs, min_buyers="50")
    assert len(result) == 1
    row = result.iloc[0]
    assert not row["is_fitted"]
    assert row["customers"] == 10
    assert result[["r", "alpha", "a", "b", "log_likelihood"]].isna().all(axis=None)
    assert row["as_of_date"] == date(2024, 12, 31)


def test_model_with_no_buyers_returns_one_unfitted_row(bgnbd: ModuleType) -> None:
    inputs = pd.DataFrame({"frequency": [], "recency_weeks": [], "age_weeks": []})
    result = _run_model(bgnbd, inputs, min_buyers="50")
    assert len(result) == 1 and not result.iloc[0]["is_fitted"] and result.iloc[0]["customers"] == 0


def test_model_fits_cdnow_row(bgnbd: ModuleType, cdnow: pd.DataFrame) -> None:
    inputs = cdnow.rename(columns={"recency": "recency_weeks", "T": "age_weeks"})
    row = _run_model(bgnbd, inputs, min_buyers="50").iloc[0]
    assert row["is_fitted"] and row["customers"] == 2357
    assert row["r"] == pytest.approx(CDNOW_PUBLISHED["r"], abs=0.005)


def test_log_likelihood_hand_cases(bgnbd: ModuleType) -> None:
    # r = alpha = a = b = 1.
    # x = 0, T = 1:  L = (alpha / (alpha + T))^r = 1/2.
    # x = 1, t_x = 1, T = 2:
    #   B(1, 2)/B(1, 1) * Gamma(2) 1^1 / (Gamma(1) 3^2) = (1/2)(1/9) = 1/18
    #   B(2, 1)/B(1, 1) * Gamma(2) 1^1 / (Gamma(1) 2^2) = (1/2)(1/4) = 1/8
    #   L = 1/18 + 1/8 = 13/72.
    # x = 0, T = 0 (bought only on the as-of date): L = 1, log L = 0.
    log_l = bgnbd.bgnbd_log_likelihood(
        np.array([1.0, 1.0, 1.0, 1.0]), np.array([0, 1, 0]), np.array([0.0, 1.0, 0.0]), np.array([1.0, 2.0, 0.0])
    )
    assert np.exp(log_l) == pytest.approx([1 / 2, 13 / 72, 1.0], rel=1e-12)


def test_p_alive_without_repeat_purchase_is_one() -> None:
    assert p_alive(0, 0.0, 30.0, **CDNOW_PUBLISHED) == 1.0
    assert p_alive(0, 0.0, 0.0, **CDNOW_PUBLISHED) == 1.0


def test_p_alive_hand_case() -> None:
    # r = 1, alpha = 1, a = 1, b = 2; x = 2 repeat purchases, t_x = 1 week, T = 3 weeks:
    #   a / (b + x - 1)                   = 1 / (2 + 2 - 1) = 1/3
    #   ((alpha + T) / (alpha + t_x))^(r+x) = (4 / 2)^3        = 8
    #   p_alive = 1 / (1 + 8/3)            = 3/11 = 0.272727...
    assert p_alive(2, 1.0, 3.0, r=1.0, alpha=1.0, a=1.0, b=2.0) == pytest.approx(3 / 11, rel=1e-12)
    # Buying at the very end of the window (t_x = T) leaves only the drop-out odds a / (b + x - 1).
    assert p_alive(2, 3.0, 3.0, r=1.0, alpha=1.0, a=1.0, b=2.0) == pytest.approx(3 / 4, rel=1e-12)
    assert math.isclose(p_alive(1, 1.0, 1.0, r=1.0, alpha=1.0, a=1.0, b=1.0), 0.5)
