"""One row: the BG/NBD churn model fitted by maximum likelihood on int_bgnbd_inputs.

Model: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to
the Pareto/NBD Model", Marketing Science 24(2), 275-284. While alive, a customer buys at a
Poisson rate lambda ~ Gamma(r, alpha); after each purchase they drop out with probability
p ~ Beta(a, b). For a customer with x repeat purchases, the last at t_x, observed for T weeks
since the first purchase, the likelihood (eq. 6 of the paper) is

    L(r, alpha, a, b | x, t_x, T) =
          B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
        + [x > 0] * B(a + 1, b + x - 1) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + t_x)^(r + x))

computed here on the log scale with scipy.special.gammaln / betaln and logaddexp (no
overflow for large x or T), vectorised over customers. The fit minimises the negative
log-likelihood summed over buyers, over log(r), log(alpha), log(a), log(b) (so every parameter
stays > 0), with Nelder-Mead from (1, 1, 1, 1) polished by L-BFGS-B: deterministic, no
random start. On the CDNOW sample (2,357 customers) it reproduces the paper's r = 0.243,
alpha = 4.414, a = 0.793, b = 2.426, log-likelihood = -9582.4 (tests/python/test_bgnbd.py).

Output: r, alpha, a, b, log_likelihood, customers, is_fitted, as_of_date, fit_note. With fewer
than var('bgnbd_min_buyers') buyers, or when the optimiser does not converge, the parameters
are null and is_fitted is false: the build never fails because of the fit.

Python models may contain no Jinja at all (not even in comments), so the var reaches this
model through its yml config (_bgnbd__models.yml sets config bgnbd_min_buyers from the var),
read here with dbt.config.get.

Portability: dbt-duckdb runs this Python model in-process. Python models are NOT supported on
the Spark target (profile `spark`, method session) without extra setup (dbt-spark runs Python
models only through Databricks / a submission method); on Spark, disable this model or supply
the parameters another way.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln

DEFAULT_MIN_BUYERS = 50
# Nelder-Mead starts here (log of r, alpha, a, b = 1), as the lifetimes package does.
START_LOG_PARAMETERS = np.zeros(4)
# Fits whose log-parameters leave this box are degenerate (a parameter at 0 or infinity).
MAX_ABS_LOG_PARAMETER = 15.0
PARAMETER_NAMES = ("r", "alpha", "a", "b")
SUMMARY_COLUMNS = ["frequency", "recency_weeks", "age_weeks"]  # the fit's inputs, also its sort order


def bgnbd_log_likelihood(
    parameters: np.ndarray, frequency: np.ndarray, recency: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """Log of eq. 6 per customer, for parameters (r, alpha, a, b), durations in weeks."""
    r, alpha, a, b = parameters
    x = np.asarray(frequency, dtype=float)
    t_x = np.asarray(recency, dtype=float)
    t = np.asarray(age, dtype=float)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    still_alive = betaln(a, b + x) - (r + x) * np.log(alpha + t)
    has_repeat = x > 0
    # b + x - 1 > 0 only where x > 0; elsewhere the term is absent (-inf in log space).
    safe_x = np.where(has_repeat, x, 1.0)
    dropped_out = np.where(
        has_repeat,
        betaln(a + 1, b + safe_x - 1) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    return common + np.logaddexp(still_alive, dropped_out)


def _negative_log_likelihood(
    log_parameters: np.ndarray,
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
    weight: np.ndarray,
) -> float:
    if np.any(np.abs(log_parameters) > 2 * MAX_ABS_LOG_PARAMETER):
        return math.inf
    value = -float(np.dot(weight, bgnbd_log_likelihood(np.exp(log_parameters), frequency, recency, age)))
    return value if math.isfinite(value) else math.inf


def _unfitted(customers: int, note: str) -> dict:
    return {
        "r": None,
        "alpha": None,
        "a": None,
        "b": None,
        "log_likelihood": None,
        "customers": customers,
        "is_fitted": False,
        "fit_note": note,
    }


def fit_bgnbd(frequency, recency, age, min_buyers: int = DEFAULT_MIN_BUYERS) -> dict:
    """Maximum-likelihood BG/NBD fit. frequency = x, recency = t_x, age = T (weeks), one per buyer.

    Returns r, alpha, a, b, log_likelihood, customers, is_fitted, fit_note; the parameters and
    log_likelihood are None (is_fitted False) when there are fewer than min_buyers buyers or
    the optimiser does not converge to an interior optimum.
    """
    x = np.asarray(frequency, dtype=float)
    t_x = np.asarray(recency, dtype=float)
    t = np.asarray(age, dtype=float)
    customers = int(x.size)
    if customers < min_buyers:
        return _unfitted(customers, f"not fitted: {customers} buyers, fewer than bgnbd_min_buyers = {min_buyers}")
    if np.any(~np.isfinite(x) | ~np.isfinite(t_x) | ~np.isfinite(t)) or np.any((x < 0) | (t_x < 0) | (t_x > t)):
        return _unfitted(customers, "not fitted: inputs outside 0 <= recency <= age, frequency >= 0")

    # Customers with the same (x, t_x, T) contribute the same term: fit on the distinct rows.
    distinct, weight = np.unique(np.column_stack([x, t_x, t]), axis=0, return_counts=True)
    arguments = (distinct[:, 0], distinct[:, 1], distinct[:, 2], weight.astype(float))

    coarse = minimize(
        _negative_log_likelihood,
        START_LOG_PARAMETERS,
        args=arguments,
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 20_000, "maxfev": 40_000},
    )
    polished = minimize(_negative_log_likelihood, coarse.x, args=arguments, method="L-BFGS-B")
    best = polished if polished.success and polished.fun <= coarse.fun else coarse
    converged = (coarse.success or polished.success) and math.isfinite(best.fun)
    if not converged:
        return _unfitted(customers, f"not fitted: optimiser did not converge ({coarse.message})")
    if np.any(np.abs(best.x) > MAX_ABS_LOG_PARAMETER):
        return _unfitted(customers, "not fitted: a parameter ran to 0 or infinity (degenerate data)")

    parameters = dict(zip(PARAMETER_NAMES, (float(value) for value in np.exp(best.x))))
    return {
        **parameters,
        "log_likelihood": -float(best.fun),
        "customers": customers,
        "is_fitted": True,
        "fit_note": f"fitted by maximum likelihood on {customers} buyers",
    }


def model(dbt, session) -> pd.DataFrame:
    dbt.config(materialized="table")
    # A plain call on its own line: dbt finds the config keys a Python model reads by walking its
    # syntax tree, and misses a dbt.config.get nested in an expression such as int(... or ...).
    configured_min_buyers = dbt.config.get("bgnbd_min_buyers")
    min_buyers = int(configured_min_buyers if configured_min_buyers not in (None, "") else DEFAULT_MIN_BUYERS)
    # Sorted, so the optimiser sees the same sums in the same order on every run (idempotent builds).
    inputs = dbt.ref("int_bgnbd_inputs").df().sort_values(SUMMARY_COLUMNS, ignore_index=True)
    as_of_date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]

    try:
        fit = fit_bgnbd(inputs["frequency"], inputs["recency_weeks"], inputs["age_weeks"], min_buyers)
    except (ArithmeticError, ValueError) as error:  # never fail the build because of the fit
        fit = _unfitted(len(inputs), f"not fitted: {type(error).__name__}: {error}")

    row = {
        "as_of_date": pd.Timestamp(as_of_date).date(),
        **{name: fit[name] for name in PARAMETER_NAMES},
        "log_likelihood": fit["log_likelihood"],
        "customers": fit["customers"],
        "is_fitted": fit["is_fitted"],
        # No wall-clock time here: the same input must give the same table (idempotent builds).
        "fit_note": fit["fit_note"],
    }
    frame = pd.DataFrame([row])
    for column in (*PARAMETER_NAMES, "log_likelihood"):
        frame[column] = frame[column].astype("float64")
    frame["customers"] = frame["customers"].astype("int64")
    frame["is_fitted"] = frame["is_fitted"].astype(bool)
    return frame
