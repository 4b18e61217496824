"""The BG/NBD purchase model: fit, probability alive, conditional expected purchases.

Model: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
Pareto/NBD Model", Marketing Science 24(2), 275-284. While alive, a customer buys at a Poisson rate
lambda ~ Gamma(r, alpha); after each purchase they drop out with probability p ~ Beta(a, b). A
customer is summarised by x (repeat purchases), t_x (time of the last purchase since the first)
and T (time observed since the first purchase), all durations in the same unit (weeks here).

The likelihood (eq. 6 of the paper) is

    L(r, alpha, a, b | x, t_x, T) =
          B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
        + [x > 0] * B(a + 1, b + x - 1) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + t_x)^(r + x))

computed on the log scale with gammaln / betaln and logaddexp (no overflow for large x or T),
vectorised over customers. The fit (see _fitting) starts Nelder-Mead at r = alpha = a = b = 1 and
stops on a tolerance that grows with the number of customers (fatol_for). On
the CDNOW sample (2,357 customers) it reproduces the paper's r = 0.243, alpha = 4.414,
a = 0.793, b = 2.426, log-likelihood = -9582.4 (tests/python/test_bgnbd.py).

A customer who never repeated cannot have dropped out in this model (drop-out happens only right
after a purchase), so p_alive is 1 for x = 0: the Pareto/NBD model (pareto_nbd.py) is the one that
gives one-time buyers a probability below 1.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, expit, gammaln, hyp2f1

from stratalib.clv._fitting import (
    as_float_array,
    distinct_rows,
    fit_result,
    maximise_likelihood,
    summary_problem,
    unfitted,
)

DEFAULT_MIN_BUYERS = 50
MIN_BUYERS_SETTING = "bgnbd_min_buyers"
# Nelder-Mead starts here (log of r, alpha, a, b = 1), as the lifetimes package does.
START_LOG_PARAMETERS = np.zeros(4)
PARAMETER_NAMES = ("r", "alpha", "a", "b")
# Eq. 10 divides by a - 1; within this distance of a = 1 it is evaluated at a = 1 + this
# (the relative change of the result is of the same order, far below what the data resolve).
A_NEAR_ONE = 1e-6


def bgnbd_log_likelihood(
    parameters: np.ndarray, frequency: np.ndarray, recency: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """Log of eq. 6 per customer, for parameters (r, alpha, a, b), durations in weeks."""
    r, alpha, a, b = parameters
    x = as_float_array(frequency)
    t_x = as_float_array(recency)
    t = as_float_array(age)
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


def unfitted_bgnbd(customers: int, note: str) -> dict:
    """The result of a BG/NBD fit that did not happen: r, alpha, a, b, log_likelihood None."""
    return unfitted(PARAMETER_NAMES, customers, note)


def fit_bgnbd(frequency, recency, age, min_buyers: int = DEFAULT_MIN_BUYERS) -> dict:
    """Maximum-likelihood BG/NBD fit. frequency = x, recency = t_x, age = T (weeks), one per buyer.

    Returns r, alpha, a, b, log_likelihood, customers, is_fitted, fit_note; the parameters and
    log_likelihood are None (is_fitted False) when there are fewer than min_buyers buyers or
    the optimiser does not converge to an interior optimum.
    """
    x, t_x, t = as_float_array(frequency), as_float_array(recency), as_float_array(age)
    customers = int(x.size)
    problem = summary_problem(x, t_x, t, min_buyers, MIN_BUYERS_SETTING)
    if problem is not None:
        return unfitted_bgnbd(customers, problem)

    columns, weight = distinct_rows(x, t_x, t)
    optimum = maximise_likelihood(bgnbd_log_likelihood, START_LOG_PARAMETERS, weight, *columns)
    return fit_result(PARAMETER_NAMES, optimum, customers)


def _parameters(parameters: dict) -> tuple[float, float, float, float]:
    return tuple(float(parameters[name]) for name in PARAMETER_NAMES)  # type: ignore[return-value]


def _log_dropout_odds(r: float, alpha: float, a: float, b: float, x, t_x, t) -> np.ndarray:
    """log of a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x) where x > 0; -inf where x = 0."""
    has_repeat = x > 0
    safe_x = np.where(has_repeat, x, 1.0)
    odds = np.log(a) - np.log(b + safe_x - 1) + (r + x) * (np.log(alpha + t) - np.log(alpha + t_x))
    return np.where(has_repeat, odds, -np.inf)


def p_alive(parameters: dict, x, t_x, T) -> np.ndarray:
    """P(alive | x, t_x, T), eq. 13 of Fader, Hardie & Lee (2005):

        1 / (1 + [x > 0] * a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x))

    1 for x = 0 (no purchase to drop out after). `parameters` holds r, alpha, a, b (a fit's dict).
    Evaluated as expit(-log odds), so no overflow for large x or T.
    """
    r, alpha, a, b = _parameters(parameters)
    x, t_x, t = as_float_array(x), as_float_array(t_x), as_float_array(T)
    return expit(-_log_dropout_odds(r, alpha, a, b, x, t_x, t))


def conditional_expected_purchases(parameters: dict, t, x, t_x, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next t time units, eq. 10 of Fader, Hardie & Lee (2005):

        (a + b + x - 1) / (a - 1)
        * [1 - ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))]
        / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))

    The 2F1 is taken through Euler's transformation 2F1(A, B; C; z) = (1 - z)^(C - A - B)
    2F1(C - A, C - B; C; z), which turns the bracket into

        1 - ((alpha + T) / (alpha + T + t))^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z)

    with small upper parameters, so the series stays accurate for large x (up to hundreds) and
    the power no longer overflows. The last factor is p_alive. a = 1 is a removable singularity:
    within A_NEAR_ONE of it, a = 1 + A_NEAR_ONE is used.
    """
    r, alpha, a, b = _parameters(parameters)
    if abs(a - 1.0) < A_NEAR_ONE:
        a = 1.0 + A_NEAR_ONE
    x, t_x, age = as_float_array(x), as_float_array(t_x), as_float_array(T)
    horizon = as_float_array(t)
    z = horizon / (alpha + age + horizon)
    log_one_minus_z = np.log(alpha + age) - np.log(alpha + age + horizon)
    bracket = 1.0 - np.exp((a - 1) * log_one_minus_z) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * bracket * p_alive(parameters, x, t_x, age)
