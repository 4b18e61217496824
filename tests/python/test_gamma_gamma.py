"""The Gamma-Gamma spend model of stratalib.clv.gamma_gamma and the revenue functions of stratalib.clv.revenue.

The CDNOW benchmark (the published estimates on the 946 repeat customers), hand-worked and
numerically integrated values of the likelihood, the conditional expected value, the paths where
the fit declines (q <= 1 among them), and expected revenue plain and discounted. Offline, about
a second.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from stratalib.clv import cdnow, gamma_gamma, pareto_nbd, revenue

PROJECT_DIR = Path(__file__).resolve().parents[2]
CDNOW_LOG_FILE = PROJECT_DIR / "tests" / "fixtures" / "CDNOW_sample.txt"

# Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis",
# Journal of Marketing Research 42(4), and Fader & Hardie (2013), "The Gamma-Gamma Model of
# Monetary Value": on CDNOW's 946 repeat customers (mean amount of their repeat purchase days in
# the 39 calibration weeks, same-day purchases merged) p = 6.25, q = 3.74, gamma = 15.44.
CDNOW_PUBLISHED = {"p": 6.25, "q": 3.74, "gamma_scale": 15.44}
# Half a unit of the last printed digit.
PUBLISHED_TOLERANCE = 0.005
CDNOW_REPEAT_CUSTOMERS = 946

HAND = {"p": 2.0, "q": 3.0, "gamma_scale": 4.0}


@pytest.fixture(scope="module")
def log_summary() -> pd.DataFrame:
    return cdnow.load_summary(CDNOW_LOG_FILE)


@pytest.fixture(scope="module")
def cdnow_fit(log_summary: pd.DataFrame) -> dict:
    return gamma_gamma.fit_gamma_gamma(log_summary["frequency"], log_summary["monetary_value"])


def simulate_mean_spend(customers: int, p: float, q: float, gamma_scale: float, seed: int):
    """x repeat purchases each ~ Gamma(p, rate nu), nu ~ Gamma(q, rate gamma): their mean is
    Gamma(p x, rate x nu)."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(q, 1.0 / gamma_scale, customers)
    x = rng.integers(1, 8, customers).astype(float)
    return x, rng.gamma(p * x, 1.0 / (x * rate))


# --- the fit ----------------------------------------------------------------------------------------


def test_cdnow_repeat_customers_and_their_mean_amounts(log_summary: pd.DataFrame) -> None:
    repeat = log_summary[log_summary["frequency"] > 0]
    assert len(repeat) == CDNOW_REPEAT_CUSTOMERS
    assert (repeat["monetary_value"] > 0).all()
    assert (log_summary.loc[log_summary["frequency"] == 0, "monetary_value"] == 0).all()
    # Customer 1 (master id 4): purchase days 1997-01-01 (29.33), 01-18 (29.73), 08-02 (14.96) in
    # calibration; the first day is left out of the mean: (29.73 + 14.96) / 2.
    assert log_summary.loc[1, "monetary_value"] == pytest.approx((29.73 + 14.96) / 2, abs=1e-9)


def test_cdnow_fit_reproduces_published_estimates(cdnow_fit: dict) -> None:
    assert cdnow_fit["is_fitted"] is True
    assert cdnow_fit["customers"] == CDNOW_REPEAT_CUSTOMERS
    for name, published in CDNOW_PUBLISHED.items():
        assert cdnow_fit[name] == pytest.approx(published, abs=PUBLISHED_TOLERANCE), name


def test_fit_is_deterministic(log_summary: pd.DataFrame, cdnow_fit: dict) -> None:
    shuffled = log_summary.sample(frac=1.0, random_state=5)
    assert gamma_gamma.fit_gamma_gamma(shuffled["frequency"], shuffled["monetary_value"]) == cdnow_fit


def test_fit_recovers_simulated_parameters() -> None:
    """The mean spend p gamma / (q - 1) and q are well determined by 5,000 customers; p and gamma
    trade off against each other (a larger p with a smaller gamma fits almost as well), so they
    come back within 25 %."""
    truth = {"p": 6.0, "q": 3.7, "gamma_scale": 15.0}
    fit = gamma_gamma.fit_gamma_gamma(*simulate_mean_spend(5_000, **truth, seed=20240103))
    assert fit["is_fitted"] is True
    assert gamma_gamma.population_mean_value(fit) == pytest.approx(gamma_gamma.population_mean_value(truth), rel=0.03)
    assert fit["q"] == pytest.approx(truth["q"], rel=0.05)
    for name in ("p", "gamma_scale"):
        assert fit[name] == pytest.approx(truth[name], rel=0.25), name


@pytest.mark.parametrize(
    "customers, truth, seed",
    [
        (10_000, {"p": 6.0, "q": 3.7, "gamma_scale": 15.0}, 20240103),
        (3_000, {"p": 6.0, "q": 8.0, "gamma_scale": 1.0}, 7),
        (3_000, {"p": 6.0, "q": 8.0, "gamma_scale": 15.0}, 7),
    ],
)
def test_fit_does_not_stop_on_a_ridge(customers: int, truth: dict, seed: int) -> None:
    """Samples on which a fit started at p = q = gamma = 1 with scipy's default first simplex (or
    at p = 1, q = 2 with it) creeps onto the ridge p -> inf, gamma -> 0 or q, gamma -> inf and
    stops there, far below the maximum; the start scaled to the data with a wide first simplex
    reaches the maximum."""
    fit = gamma_gamma.fit_gamma_gamma(*simulate_mean_spend(customers, **truth, seed=seed))
    assert fit["is_fitted"] is True, fit["fit_note"]
    assert fit["q"] == pytest.approx(truth["q"], rel=0.15)
    assert gamma_gamma.population_mean_value(fit) == pytest.approx(gamma_gamma.population_mean_value(truth), rel=0.05)


def test_fit_does_not_depend_on_the_currency(log_summary: pd.DataFrame, cdnow_fit: dict) -> None:
    """Amounts in cents instead of dollars: gamma is 100 times larger, p and q are the same."""
    in_cents = gamma_gamma.fit_gamma_gamma(log_summary["frequency"], 100 * log_summary["monetary_value"])
    assert in_cents["p"] == pytest.approx(cdnow_fit["p"], rel=1e-4)
    assert in_cents["q"] == pytest.approx(cdnow_fit["q"], rel=1e-4)
    assert in_cents["gamma_scale"] == pytest.approx(100 * cdnow_fit["gamma_scale"], rel=1e-4)


def test_heavy_tailed_spend_without_finite_mean_is_not_fitted() -> None:
    """q <= 1: the mean spend p gamma / (q - 1) does not exist, so no parameters."""
    fit = gamma_gamma.fit_gamma_gamma(*simulate_mean_spend(3_000, p=6.0, q=0.6, gamma_scale=15.0, seed=11))
    assert fit["is_fitted"] is False and fit["q"] is None
    assert "<= 1, no finite mean spend" in fit["fit_note"]


def test_too_few_repeat_customers_is_not_fitted(log_summary: pd.DataFrame) -> None:
    """One-time buyers do not count: 120 customers of whom fewer than 50 repeated."""
    head = log_summary.head(120)
    repeaters = int((head["frequency"] > 0).sum())
    assert repeaters < 50
    fit = gamma_gamma.fit_gamma_gamma(head["frequency"], head["monetary_value"], min_customers=50)
    assert fit["is_fitted"] is False and fit["customers"] == repeaters
    assert all(fit[name] is None for name in (*gamma_gamma.PARAMETER_NAMES, "log_likelihood"))
    assert f"{repeaters} repeat customers, fewer than min_customers = 50" in fit["fit_note"]


def test_non_positive_amounts_are_not_fitted() -> None:
    x, m = simulate_mean_spend(200, p=6.0, q=3.7, gamma_scale=15.0, seed=12)
    m[3] = 0.0
    fit = gamma_gamma.fit_gamma_gamma(x, m)
    assert fit["is_fitted"] is False and "not a positive number" in fit["fit_note"]


# --- likelihood and expected value: hand-worked cases -------------------------------------------------


def test_log_likelihood_hand_cases() -> None:
    # p = q = gamma = 1, x = 1, m = 1: Gamma(2) / (Gamma(1) Gamma(1)) * 1 * 1^0 * 1^1 / 2^2 = 1/4.
    # p = 2, q = 3, gamma = 4, x = 2, m = 3 (p x = 4):
    #   Gamma(7) / (Gamma(4) Gamma(3)) = 720 / 12 = 60;  gamma^q = 64;  m^(px - 1) = 27;
    #   x^(px) = 16;  (gamma + m x)^(px + q) = 10^7;  f = 60 * 64 * 27 * 16 / 10^7 = 0.165888.
    ones = gamma_gamma.gamma_gamma_log_likelihood(np.ones(3), np.array([1.0]), np.array([1.0]))
    hand = gamma_gamma.gamma_gamma_log_likelihood(np.array([2.0, 3.0, 4.0]), np.array([2.0]), np.array([3.0]))
    assert np.exp(ones) == pytest.approx([1 / 4], rel=1e-12)
    assert np.exp(hand) == pytest.approx([0.165888], rel=1e-12)


@pytest.mark.parametrize("x, m", [(1.0, 5.0), (3.0, 12.5), (10.0, 40.0)])
def test_density_matches_integration_over_the_spend_rate(x: float, m: float) -> None:
    """f(m_x) = integral over nu of Gamma(m_x; p x, rate x nu) Gamma(nu; q, rate gamma), and it
    integrates to 1 over m_x."""
    p, q, gamma_scale = 6.25, 3.74, 15.44

    def joint(rate: float) -> float:
        return stats.gamma.pdf(m, p * x, scale=1.0 / (x * rate)) * stats.gamma.pdf(rate, q, scale=1.0 / gamma_scale)

    expected = integrate.quad(joint, 0.0, np.inf, epsabs=0.0, epsrel=1e-11, limit=200)[0]
    log_f = gamma_gamma.gamma_gamma_log_likelihood(np.array([p, q, gamma_scale]), np.array([x]), np.array([m]))
    assert math.exp(log_f[0]) == pytest.approx(expected, rel=1e-8)

    def density(amount: float) -> float:
        log_f = gamma_gamma.gamma_gamma_log_likelihood(np.array([p, q, gamma_scale]), np.array([x]), np.array([amount]))
        return math.exp(log_f[0])

    assert integrate.quad(density, 0.0, np.inf, limit=200)[0] == pytest.approx(1.0, abs=1e-7)


def test_conditional_expected_value_hand_cases() -> None:
    # p = 2, q = 3, gamma = 4: population mean p gamma / (q - 1) = 8 / 2 = 4.
    # x = 2, m = 3: (gamma + m x) p / (p x + q - 1) = 10 * 2 / 6 = 10/3
    #             = 2/6 * 4 (population) + 4/6 * 3 (own mean).
    assert gamma_gamma.population_mean_value(HAND) == pytest.approx(4.0, rel=1e-12)
    values = gamma_gamma.conditional_expected_value(HAND, [2, 0, 0], [3.0, 0.0, np.nan])
    assert values == pytest.approx([10 / 3, 4.0, 4.0], rel=1e-12)


def test_expected_value_moves_from_the_population_mean_to_the_own_mean(cdnow_fit: dict) -> None:
    own = 80.0
    x = np.array([1, 2, 5, 20, 200, 20_000])
    values = gamma_gamma.conditional_expected_value(cdnow_fit, x, np.full(x.size, own))
    population = gamma_gamma.population_mean_value(cdnow_fit)
    assert population < values[0] and np.all(np.diff(values) > 0) and values[-1] == pytest.approx(own, rel=1e-3)


# --- expected revenue ---------------------------------------------------------------------------------


def test_expected_revenue_is_purchases_times_value() -> None:
    assert revenue.expected_revenue([2.0, 3.0, 0.0], [10.0, 5.0, 7.0]) == pytest.approx([20.0, 15.0, 0.0])


def test_weekly_rate_compounds_to_the_annual_one() -> None:
    weekly = revenue.weekly_discount_rate(0.10)
    assert (1 + weekly) ** (365.25 / 7) == pytest.approx(1.10, rel=1e-12)
    assert revenue.weekly_discount_rate(0.0) == 0.0


def test_discounted_revenue_hand_cases() -> None:
    # Two purchases every four weeks (E[X(t)] = 0.5 t), 10 per purchase: 5 per week, each week
    # discounted from its end. H = 2: 5 (v + v^2); H = 1.5: 5 v + 2.5 v^1.5; v = 1 / (1 + d_week).
    v = 1.0 / (1.0 + revenue.weekly_discount_rate(0.10))

    def steady(horizon: float) -> np.ndarray:
        return np.array([0.5 * horizon])

    assert revenue.discounted_expected_revenue(steady, 10.0, 2.0, 0.10) == pytest.approx([5 * (v + v**2)], rel=1e-12)
    partial_week = revenue.discounted_expected_revenue(steady, 10.0, 1.5, 0.10)
    assert partial_week == pytest.approx([5 * v + 2.5 * v**1.5], rel=1e-12)
    assert revenue.discounted_expected_revenue(steady, 10.0, 0.0, 0.10) == pytest.approx([0.0])
    with pytest.raises(ValueError):
        revenue.discounted_expected_revenue(steady, 10.0, -1.0, 0.10)


def test_discounted_revenue_on_cdnow(log_summary: pd.DataFrame, cdnow_fit: dict) -> None:
    """Pareto/NBD purchases times Gamma-Gamma value over a year: at a zero rate exactly the plain
    product (the weekly increments add up to E[X(H)]); at 10 % a little less, never more."""
    purchases_fit = {"r": 0.5533, "alpha": 10.578, "s": 0.6062, "beta": 11.668}
    x, t_x, age = log_summary["frequency"], log_summary["recency"], log_summary["T"]
    horizon = 365 / 7

    def cumulative(weeks: float) -> np.ndarray:
        return pareto_nbd.conditional_expected_purchases(purchases_fit, weeks, x, t_x, age)

    value = gamma_gamma.conditional_expected_value(cdnow_fit, x, log_summary["monetary_value"])
    plain = revenue.expected_revenue(cumulative(horizon), value)
    undiscounted = revenue.discounted_expected_revenue(cumulative, value, horizon, 0.0)
    discounted = revenue.discounted_expected_revenue(cumulative, value, horizon, 0.10)
    assert undiscounted == pytest.approx(plain, rel=1e-10)
    assert np.all(discounted < plain) and np.all(discounted > plain / 1.10)
