"""The Pareto/NBD model of stratalib.clv.pareto_nbd, and the CDNOW loader and backtest of stratalib.clv.cdnow.

The CDNOW benchmark of Fader, Hardie & Lee (2005) (estimates, log-likelihood, the 39-week
holdout backtest), closed-form and numerically integrated values of the likelihood, P(alive) and
the conditional expectation, extreme inputs, and the paths where the fit declines. Offline, a
few seconds (the fixtures are in tests/fixtures).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import hyp2f1

from stratalib.clv import cdnow, pareto_nbd

PROJECT_DIR = Path(__file__).resolve().parents[2]
CDNOW_SUMMARY_FILE = PROJECT_DIR / "tests" / "fixtures" / "cdnow_customers_summary.csv"
CDNOW_LOG_FILE = PROJECT_DIR / "tests" / "fixtures" / "CDNOW_sample.txt"

# Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
# Pareto/NBD Model", Marketing Science 24(2), p. 280: the Pareto/NBD estimates on the CDNOW
# sample (2,357 customers, 39 calibration weeks, weeks as the time unit) and its log-likelihood.
CDNOW_PUBLISHED = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}
CDNOW_LOG_LIKELIHOOD = -9595.0
# Half a unit of the last printed digit: the tightest tolerance the printed numbers allow.
PUBLISHED_TOLERANCE = {"r": 0.0005, "alpha": 0.005, "s": 0.0005, "beta": 0.005}
# Same paper, the 39-week holdout: the conditional expected repeat purchases of the 2,357
# customers sum to 1,665.5 under Pareto/NBD, against 1,882 actual repeat purchase days.
CDNOW_HOLDOUT_PREDICTED = 1665.5
CDNOW_HOLDOUT_ACTUAL = 1882
CDNOW_CUSTOMERS = 2357
HOLDOUT_WEEKS = 39.0
DAYS_PER_WEEK = 7

# Parameters for the hand-worked and integrated cases: the CDNOW fit (alpha < beta) and a set
# with alpha > beta, so both branches of the 2F1 are exercised.
ALPHA_BELOW_BETA = {"r": 0.5533, "alpha": 10.578, "s": 0.6062, "beta": 11.668}
ALPHA_ABOVE_BETA = {"r": 0.8, "alpha": 14.0, "s": 1.3, "beta": 6.0}
# Scales four orders of magnitude apart, both ways round: 2F1 arguments close to 1.
ALPHA_FAR_BELOW_BETA = {"r": 0.5, "alpha": 0.01, "s": 0.5, "beta": 100.0}
ALPHA_FAR_ABOVE_BETA = {"r": 2.0, "alpha": 100.0, "s": 3.0, "beta": 0.01}


@pytest.fixture(scope="module")
def published_summary() -> pd.DataFrame:
    return pd.read_csv(CDNOW_SUMMARY_FILE)


@pytest.fixture(scope="module")
def log_summary() -> pd.DataFrame:
    return cdnow.load_summary(CDNOW_LOG_FILE)


@pytest.fixture(scope="module")
def published_fit(published_summary: pd.DataFrame) -> dict:
    return pareto_nbd.fit_pareto_nbd(
        published_summary["frequency"], published_summary["recency"], published_summary["T"]
    )


@pytest.fixture(scope="module")
def calibration_fit(log_summary: pd.DataFrame) -> dict:
    return pareto_nbd.fit_pareto_nbd(log_summary["frequency"], log_summary["recency"], log_summary["T"])


def as_vector(parameters: dict) -> np.ndarray:
    return np.array([parameters[name] for name in pareto_nbd.PARAMETER_NAMES])


# --- reference computations, independent of the hypergeometric closed form ------------------------


def posterior_integrals(parameters: dict, x: float, t_x: float, age: float, horizon: float = 0.0):
    """Integrals over (lambda, mu) of the individual-level likelihood times the Gamma mixing
    densities (Schmittlein, Morrison & Colombo 1987):

        alive = lambda^x e^{-(lambda + mu) T}
        dead  = lambda^x mu / (lambda + mu) (e^{-(lambda + mu) t_x} - e^{-(lambda + mu) T})
        more  = alive * lambda / mu (1 - e^{-mu t})   (expected purchases in (T, T + t] if alive)

    by 2-D quadrature over log lambda and log mu (the Gamma constants cancel in every ratio
    taken from them, so they are left out)."""
    r, alpha, s, beta = as_vector(parameters)

    def weight(u: float, v: float) -> tuple[float, float]:
        rate, death = math.exp(u), math.exp(v)
        return rate, death, math.exp(r * u - alpha * rate + s * v - beta * death)

    def alive(v: float, u: float) -> float:
        rate, death, density = weight(u, v)
        return rate**x * math.exp(-(rate + death) * age) * density

    def dead(v: float, u: float) -> float:
        rate, death, density = weight(u, v)
        survival = math.exp(-(rate + death) * t_x) - math.exp(-(rate + death) * age)
        return rate**x * death / (rate + death) * survival * density

    def more(v: float, u: float) -> float:
        rate, death, _ = weight(u, v)
        return alive(v, u) * rate / death * -math.expm1(-death * horizon)

    bounds = [(-45.0, 4.0), (-45.0, 4.0)]  # log mu, log lambda: the mass outside is below 1e-10
    options = {"epsabs": 1e-250, "epsrel": 1e-10, "limit": 200}  # epsabs: subnormal tails

    def mass(integrand) -> float:
        return integrate.nquad(integrand, bounds, opts=[options, options])[0]

    return mass(alive), mass(dead), mass(more) if horizon > 0 else 0.0


def log_dead_odds_by_quadrature(parameters: dict, x: float, t_x: float, age: float) -> float:
    """log of s (alpha + T)^(r + x) (beta + T)^s * integral over tau in (t_x, T] of
    (alpha + tau)^-(r + x) (beta + tau)^-(s + 1): the odds of death in (t_x, T] against alive at T,
    by 1-D quadrature scaled at tau = t_x, so it works for x in the hundreds."""
    r, alpha, s, beta = as_vector(parameters)

    def scaled(tau: float) -> float:
        rate_part = (r + x) * math.log((alpha + tau) / (alpha + t_x))
        death_part = (s + 1) * math.log((beta + tau) / (beta + t_x))
        return math.exp(-rate_part - death_part)

    decay_scale = (alpha + t_x) / (r + x)  # the integrand falls by e over about this many weeks
    breaks = [t_x + k * decay_scale for k in (1, 5, 20, 100) if t_x + k * decay_scale < age]
    integral = integrate.quad(scaled, t_x, age, points=breaks or None, limit=500, epsabs=0.0, epsrel=1e-12)[0]
    return (
        math.log(s)
        + math.log(integral)
        + (r + x) * math.log((alpha + age) / (alpha + t_x))
        + s * math.log((beta + age) / (beta + t_x))
        - math.log(beta + t_x)
    )


# --- the CDNOW log and its summary ----------------------------------------------------------------


def test_cdnow_log_is_the_published_sample() -> None:
    transactions = cdnow.read_transactions(CDNOW_LOG_FILE)
    assert len(transactions) == 6919
    assert transactions["customer_id"].nunique() == CDNOW_CUSTOMERS
    assert transactions["purchase_date"].min() == pd.Timestamp("1997-01-01")
    assert transactions["purchase_date"].max() == pd.Timestamp("1998-06-30")


def test_cdnow_log_reproduces_the_published_summary(log_summary: pd.DataFrame, published_summary: pd.DataFrame) -> None:
    """Same-day purchases merged, the calibration ending on 1997-09-30 included, weeks of 7 days:
    the summary file (rounded to 0.01 week) comes out identical, customer by customer."""
    published = published_summary.set_index("ID")
    assert list(log_summary.index) == list(published.index)
    assert (log_summary["frequency"] == published["frequency"]).all()
    for column in ("recency", "T"):
        assert (log_summary[column].round(2) == published[column]).all(), column
    # The other end convention (the day after the calibration as its end) does not: a customer
    # who first bought on 1997-01-01 has T = 272 / 7 = 38.86 weeks, not 273 / 7 = 39.
    assert published.loc[1, "T"] == round(272 / 7, 2) != round(273 / 7, 2)


def test_cdnow_holdout_counts(log_summary: pd.DataFrame) -> None:
    """1,882 = repeat purchase DAYS in the 39 holdout weeks (1997-10-01 .. 1998-06-30, same-day
    purchases merged); counting transaction lines instead gives 1,959."""
    assert cdnow.holdout_end_date() == pd.Timestamp("1998-06-30").date()
    assert log_summary["holdout_frequency"].sum() == CDNOW_HOLDOUT_ACTUAL
    assert log_summary["holdout_transactions"].sum() == 1959
    assert (log_summary["frequency"] > 0).sum() == 946


# --- the fit ----------------------------------------------------------------------------------------


def test_cdnow_fit_reproduces_published_estimates(published_fit: dict) -> None:
    assert published_fit["is_fitted"] is True
    assert published_fit["customers"] == CDNOW_CUSTOMERS
    for name, published in CDNOW_PUBLISHED.items():
        assert published_fit[name] == pytest.approx(published, abs=PUBLISHED_TOLERANCE[name]), name
    assert published_fit["log_likelihood"] == pytest.approx(CDNOW_LOG_LIKELIHOOD, abs=0.05)


def test_fit_on_the_unrounded_log_matches_too(calibration_fit: dict) -> None:
    for name, published in CDNOW_PUBLISHED.items():
        assert calibration_fit[name] == pytest.approx(published, abs=PUBLISHED_TOLERANCE[name]), name
    assert calibration_fit["log_likelihood"] == pytest.approx(CDNOW_LOG_LIKELIHOOD, abs=0.05)


def test_fit_is_deterministic_and_order_free(published_summary: pd.DataFrame, published_fit: dict) -> None:
    shuffled = published_summary.sample(frac=1.0, random_state=3)
    again = pareto_nbd.fit_pareto_nbd(shuffled["frequency"], shuffled["recency"], shuffled["T"])
    assert again == published_fit


def simulate_pareto_nbd(customers: int, age_weeks: float, r: float, alpha: float, s: float, beta: float, seed: int):
    """Histories drawn from the Pareto/NBD story; all customers first buy at week 0. Given the
    time alive in the window, the repeat purchases are Poisson and the last one is the largest
    of x uniform times, truncated to whole days."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(shape=r, scale=1.0 / alpha, size=customers)
    deaths = rng.gamma(shape=s, scale=1.0 / beta, size=customers)
    alive_for = np.minimum(rng.exponential(1.0 / deaths), age_weeks)
    frequency = rng.poisson(rates * alive_for).astype(float)
    last = np.where(frequency > 0, alive_for * rng.random(customers) ** (1.0 / np.maximum(frequency, 1.0)), 0.0)
    recency = np.floor(last * DAYS_PER_WEEK) / DAYS_PER_WEEK  # whole days, as in order data
    return frequency, recency, np.full(customers, age_weeks)


def test_fit_recovers_simulated_parameters() -> None:
    truth = {"r": 0.6, "alpha": 8.0, "s": 0.8, "beta": 12.0}
    fit = pareto_nbd.fit_pareto_nbd(*simulate_pareto_nbd(20_000, 52.0, **truth, seed=20240102))
    assert fit["is_fitted"] is True
    for name, value in truth.items():
        assert fit[name] == pytest.approx(value, rel=0.15), name


def test_too_few_buyers_is_not_fitted(published_summary: pd.DataFrame) -> None:
    few = published_summary.head(49)
    fit = pareto_nbd.fit_pareto_nbd(few["frequency"], few["recency"], few["T"], min_buyers=50)
    assert fit["is_fitted"] is False and fit["customers"] == 49
    assert all(fit[name] is None for name in (*pareto_nbd.PARAMETER_NAMES, "log_likelihood"))
    assert "fewer than min_buyers = 50" in fit["fit_note"]
    named = pareto_nbd.fit_pareto_nbd([], [], [], min_buyers=1, min_buyers_setting="churn_min_buyers")
    assert named["customers"] == 0 and "fewer than churn_min_buyers = 1" in named["fit_note"]


def test_impossible_inputs_are_not_fitted() -> None:
    age = np.linspace(1.0, 40.0, 100)
    recency = age.copy()
    recency[7] = age[7] + 1.0  # last purchase after the end of the window
    fit = pareto_nbd.fit_pareto_nbd(np.ones(100), recency, age)
    assert fit["is_fitted"] is False and "inputs outside" in fit["fit_note"]
    fit = pareto_nbd.fit_pareto_nbd(np.full(100, np.nan), np.zeros(100), age)
    assert fit["is_fitted"] is False


def test_degenerate_data_is_not_fitted() -> None:
    """Nobody ever repeats: r runs to 0 and s, beta are not identified, so no parameters."""
    fit = pareto_nbd.fit_pareto_nbd(np.zeros(200), np.zeros(200), np.linspace(1.0, 40.0, 200))
    assert fit["is_fitted"] is False and "no buyer has a repeat purchase" in fit["fit_note"]
    assert fit["r"] is None and fit["log_likelihood"] is None


# --- likelihood and P(alive): hand-worked cases -----------------------------------------------------


def test_log_likelihood_hand_cases() -> None:
    # r = alpha = s = beta = 1: common factor Gamma(1 + x) / Gamma(1) = x!, alive term
    # (1 + T)^-(1 + x) (1 + T)^-1, dead term s * integral over (t_x, T] of (1 + tau)^-(x + 3).
    #   x = 0, T = 1:            1/4 + [1/8 .. 1/2 of -(1 + tau)^-2 / 2]  = 1/4 + 3/8 = 5/8
    #   x = 1, t_x = 1, T = 2:   1/27 + (1/8 - 1/27) / 3 = 24/648 + 19/648 = 43/648
    #   x = 0, T = 0:            1 (nothing to explain)
    log_l = pareto_nbd.pareto_nbd_log_likelihood(
        np.ones(4), np.array([0, 1, 0]), np.array([0.0, 1.0, 0.0]), np.array([1.0, 2.0, 0.0])
    )
    assert np.exp(log_l) == pytest.approx([5 / 8, 43 / 648, 1.0], rel=1e-12)


def test_p_alive_hand_cases() -> None:
    ones = {"r": 1.0, "alpha": 1.0, "s": 1.0, "beta": 1.0}
    # From the likelihood cases above: alive term / likelihood.
    assert pareto_nbd.p_alive(ones, 0, 0.0, 1.0) == pytest.approx((1 / 4) / (5 / 8), rel=1e-12)
    assert pareto_nbd.p_alive(ones, 1, 1.0, 2.0) == pytest.approx(24 / 43, rel=1e-12)
    # r = s = 1, x = 0, t_x = 0, T = 1, alpha != beta (partial fractions):
    #   alpha = 2, beta = 1: alive 1/6; dead = integral_0^1 (2 + tau)^-1 (1 + tau)^-2 = ln(3/4) + 1/2
    #   alpha = 1, beta = 2: alive 1/6; dead = integral_0^1 (1 + tau)^-1 (2 + tau)^-2 = ln(4/3) - 1/6
    above = {"r": 1.0, "alpha": 2.0, "s": 1.0, "beta": 1.0}
    below = {"r": 1.0, "alpha": 1.0, "s": 1.0, "beta": 2.0}
    dead_above, dead_below = math.log(3 / 4) + 1 / 2, math.log(4 / 3) - 1 / 6
    assert pareto_nbd.p_alive(above, 0, 0.0, 1.0) == pytest.approx((1 / 6) / (1 / 6 + dead_above), rel=1e-12)
    assert pareto_nbd.p_alive(below, 0, 0.0, 1.0) == pytest.approx((1 / 6) / (1 / 6 + dead_below), rel=1e-12)
    # alpha = beta: no 2F1 at all, odds = s / (r + s + x) (((alpha + T) / (alpha + t_x))^(r + s + x) - 1).
    equal = {"r": 0.5, "alpha": 3.0, "s": 0.7, "beta": 3.0}
    odds = 0.7 / 3.2 * (((3 + 20) / (3 + 5)) ** 3.2 - 1)
    assert pareto_nbd.p_alive(equal, 2, 5.0, 20.0) == pytest.approx(1 / (1 + odds), rel=1e-12)


@pytest.mark.parametrize("parameters", [ALPHA_BELOW_BETA, ALPHA_ABOVE_BETA], ids=["alpha<beta", "alpha>beta"])
@pytest.mark.parametrize("x, t_x, age", [(0, 0.0, 38.86), (1, 20.0, 38.0), (5, 30.0, 38.0), (10, 2.0, 38.0)])
def test_p_alive_matches_integration_over_lambda_and_mu(parameters: dict, x: int, t_x: float, age: float) -> None:
    alive_mass, dead_mass, _ = posterior_integrals(parameters, x, t_x, age)
    expected = alive_mass / (alive_mass + dead_mass)
    assert pareto_nbd.p_alive(parameters, x, t_x, age) == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize("parameters", [ALPHA_BELOW_BETA, ALPHA_ABOVE_BETA], ids=["alpha<beta", "alpha>beta"])
def test_conditional_expectation_matches_integration(parameters: dict) -> None:
    x, t_x, age, horizon = 3, 25.0, 38.0, 39.0
    alive_mass, dead_mass, more_mass = posterior_integrals(parameters, x, t_x, age, horizon)
    expected = more_mass / (alive_mass + dead_mass)
    predicted = pareto_nbd.conditional_expected_purchases(parameters, horizon, x, t_x, age)
    assert predicted == pytest.approx(expected, rel=1e-8)


def test_one_time_buyers_are_not_certainly_alive() -> None:
    ages = np.array([0.5, 1.0, 5.0, 13.0, 39.0, 52.0, 104.0, 520.0])
    alive = pareto_nbd.p_alive(ALPHA_BELOW_BETA, np.zeros(ages.size), np.zeros(ages.size), ages)
    assert np.all(alive < 1) and np.all(alive > 0)
    assert np.all(np.diff(alive) < 0)  # the longer the silence, the less likely alive
    # Bought only on the as-of date: nothing observed yet, alive for sure.
    assert pareto_nbd.p_alive(ALPHA_BELOW_BETA, 0, 0.0, 0.0) == 1.0


@pytest.mark.parametrize("x", [0, 1, 7, 500])
def test_buying_at_the_end_of_the_window_means_alive(x: int) -> None:
    for age in (0.0, 1.0, 38.86, 1000.0):
        assert pareto_nbd.p_alive(ALPHA_BELOW_BETA, x, age, age) == 1.0
        assert pareto_nbd.p_alive(ALPHA_ABOVE_BETA, x, age, age) == 1.0


def test_p_alive_is_a_probability_for_extreme_inputs() -> None:
    grid = [(x, t_x, age) for x in (0, 1, 50, 500) for age in (0.0, 1.0, 39.0, 1000.0) for t_x in (0.0, age / 2, age)]
    x, t_x, age = (np.array(column, dtype=float) for column in zip(*grid))
    for parameters in (ALPHA_BELOW_BETA, ALPHA_ABOVE_BETA):
        alive = pareto_nbd.p_alive(parameters, x, t_x, age)
        assert np.all(np.isfinite(alive)) and np.all(alive > 0) and np.all(alive <= 1)
        log_l = pareto_nbd.pareto_nbd_log_likelihood(as_vector(parameters), x, t_x, age)
        assert np.all(np.isfinite(log_l))
        assert np.all(np.isfinite(pareto_nbd.conditional_expected_purchases(parameters, 52.0, x, t_x, age)))


def test_hypergeometric_argument_stays_in_zero_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The alpha >= beta / alpha < beta split keeps the 2F1 argument in [0, 1), where its series
    converges (a 2F1 on the other side of 0 gives the same number through scipy's analytic
    continuation, so only the argument shows which branch ran)."""
    arguments: list[np.ndarray] = []

    def recording_hyp2f1(a, b, c, z):
        arguments.append(np.atleast_1d(z))
        return hyp2f1(a, b, c, z)

    monkeypatch.setattr(pareto_nbd, "hyp2f1", recording_hyp2f1)
    x, t_x, age = np.array([0.0, 3.0, 500.0]), np.array([0.0, 10.0, 999.0]), np.array([39.0, 39.0, 1000.0])
    for parameters in (ALPHA_BELOW_BETA, ALPHA_ABOVE_BETA, {"r": 0.5, "alpha": 0.01, "s": 0.5, "beta": 100.0}):
        pareto_nbd.p_alive(parameters, x, t_x, age)
        pareto_nbd.pareto_nbd_log_likelihood(as_vector(parameters), x, t_x, age)
    seen = np.concatenate(arguments)
    assert seen.size > 0 and np.all((seen >= 0) & (seen < 1))


@pytest.mark.parametrize(
    "parameters",
    [ALPHA_BELOW_BETA, ALPHA_ABOVE_BETA, ALPHA_FAR_BELOW_BETA, ALPHA_FAR_ABOVE_BETA],
    ids=["alpha<beta", "alpha>beta", "alpha<<beta", "alpha>>beta"],
)
@pytest.mark.parametrize(
    "x, t_x, age",
    [(500, 995.0, 1000.0), (500, 900.0, 1000.0), (200, 30.0, 39.0), (60, 1.0, 2.0), (0, 0.0, 1000.0), (1, 5.0, 39.0)],
)
def test_p_alive_for_large_x_matches_quadrature(parameters: dict, x: int, t_x: float, age: float) -> None:
    """Up to far past where the terms overflow a double, and for scales far apart: compared as
    log p_alive = -log(1 + odds)."""
    log_odds = log_dead_odds_by_quadrature(parameters, x, t_x, age)
    expected_log_alive = -np.logaddexp(0.0, log_odds)
    log_alive = math.log(pareto_nbd.p_alive(parameters, x, t_x, age))
    assert log_alive == pytest.approx(expected_log_alive, rel=1e-7, abs=1e-12)


def test_expected_purchases_is_continuous_at_s_equal_one() -> None:
    near = [{**ALPHA_BELOW_BETA, "s": 1.0 + offset} for offset in (-1e-7, 0.0, 1e-7)]
    values = [float(pareto_nbd.conditional_expected_purchases(p, 39.0, 2, 20.0, 38.0)) for p in near]
    assert values[1] == pytest.approx(values[0], rel=1e-6) and values[1] == pytest.approx(values[2], rel=1e-6)


# --- the backtest ------------------------------------------------------------------------------------


def test_cdnow_backtest_reproduces_published_total(log_summary: pd.DataFrame, calibration_fit: dict) -> None:
    predicted = pareto_nbd.conditional_expected_purchases(
        calibration_fit, HOLDOUT_WEEKS, log_summary["frequency"], log_summary["recency"], log_summary["T"]
    )
    assert predicted.sum() == pytest.approx(CDNOW_HOLDOUT_PREDICTED, abs=0.05)
    table = cdnow.backtest_by_frequency(log_summary["frequency"], predicted, log_summary["holdout_frequency"])
    assert list(table["frequency_group"]) == ["0", "1", "2", "3", "4", "5", "6", "7+", "all"]
    groups = table.set_index("frequency_group")
    assert list(groups["customers"].iloc[:-1]) == [1411, 439, 214, 100, 62, 38, 29, 64]
    assert groups.loc["all", "customers"] == CDNOW_CUSTOMERS
    assert groups.loc["all", "sum_actual"] == CDNOW_HOLDOUT_ACTUAL
    assert groups["sum_predicted"].iloc[:-1].sum() == pytest.approx(groups.loc["all", "sum_predicted"], rel=1e-12)
    # The model under-predicts one-time buyers and tracks the frequent ones (the paper's figure).
    assert groups.loc["0", "mean_predicted"] < groups.loc["0", "mean_actual"]
    assert groups.loc["7+", "mean_predicted"] == pytest.approx(groups.loc["7+", "mean_actual"], rel=0.05)


def test_backtest_table_hand_case() -> None:
    table = cdnow.backtest_by_frequency([0, 0, 1, 3, 9], [0.5, 1.5, 2.0, 3.0, 4.0], [1, 0, 2, 5, 6], top_group=2)
    groups = table.set_index("frequency_group")
    assert list(groups.index) == ["0", "1", "2+", "all"]
    assert list(groups["customers"]) == [2, 1, 2, 5]
    assert list(groups["mean_predicted"]) == [1.0, 2.0, 3.5, 2.2]
    assert list(groups["mean_actual"]) == [0.5, 2.0, 5.5, 2.8]
    # A group nobody falls in is listed with 0 customers.
    empty = cdnow.backtest_by_frequency([0, 3], [1.0, 2.0], [1, 2], top_group=2).set_index("frequency_group")
    assert empty.loc["1", "customers"] == 0 and math.isnan(empty.loc["1", "mean_predicted"])
