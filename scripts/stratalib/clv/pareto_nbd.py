"""The Pareto/NBD purchase model: fit, probability alive, conditional expected purchases.

Model: Schmittlein, Morrison & Colombo (1987), "Counting Your Customers: Who Are They and What
Will They Do Next?", Management Science 33(1), 1-24; expressions as derived in Fader & Hardie
(2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions"
(http://brucehardie.com/notes/009/). While alive a customer buys at a Poisson rate
lambda ~ Gamma(r, alpha); their lifetime is exponential with rate mu ~ Gamma(s, beta),
independent of lambda. Unlike BG/NBD, a customer can die before any repeat purchase, so a
one-time buyer who has been silent for long gets a probability alive well below 1.

A customer is summarised by x (repeat purchases), t_x (time of the last purchase since the
first) and T (time observed since the first purchase), in weeks here. The likelihood is

    L = Gamma(r + x) alpha^r beta^s / Gamma(r)
        * { 1 / ((alpha + T)^(r + x) (beta + T)^s) + s / (r + s + x) * A0 }

(Fader & Hardie 2005, section "The likelihood function") where A0 = F(t_x) - F(T) and, for alpha >= beta,

    F(u) = 2F1(r + s + x, s + 1; r + s + x + 1; (alpha - beta) / (alpha + u)) / (alpha + u)^(r + s + x)

and for alpha < beta the same with the roles swapped:

    F(u) = 2F1(r + s + x, r + x; r + s + x + 1; (beta - alpha) / (beta + u)) / (beta + u)^(r + s + x)

The case split keeps the 2F1 argument z in [0, 1), where its series converges. (A0 is
(r + s + x) times the integral over the death time tau in (t_x, T] of
(alpha + tau)^-(r + x) (beta + tau)^-(s + 1): the chance of x purchases by tau and death at tau.)

Numerics. Both the power and the 2F1 overflow for large x or T, and A0 is a difference of two
close numbers when t_x is near T. So every term is carried on the log scale relative to the
"alive" term 1 / ((alpha + T)^(r + x) (beta + T)^s). With Euler's transformation
2F1(a, b; a + 1; z) = (1 - z)^(1 - b) 2F1(1, a + 1 - b; a + 1; z),

    F(u) = H(u) / ((alpha + u)^(r + x) (beta + u)^s)   with
    H(u) = 2F1(1, r + x; r + s + x + 1; (alpha - beta) / (alpha + u))                         (alpha >= beta)
    H(u) = (alpha + u) / (beta + u) * 2F1(1, s + 1; r + s + x + 1; (beta - alpha) / (beta + u))  (alpha < beta)

a 2F1 with first parameter 1 whose series has positive terms falling at least geometrically
(ratio below z), bounded by 1 / (1 - z), and for alpha >= beta even by (r + s + x) / s. Then

    log odds(dead : alive) = log(s / (r + s + x)) + log(exp(g1) - exp(g2))
    g1 = log H(t_x) + (r + x) log((alpha + T) / (alpha + t_x)) + s log((beta + T) / (beta + t_x))
    g2 = log H(T)

with the difference of exponentials taken as g1 + log(-expm1(g2 - g1)) (g1 >= g2 always). The
log-likelihood is log of the common factor - (r + x) log(alpha + T) - s log(beta + T)
+ log(1 + odds), and p_alive = 1 / (1 + odds): no overflow for x in the hundreds and T in the
thousands of weeks, and exactly 1 when t_x = T (no time left to have died unseen).

The fit (see _fitting) starts Nelder-Mead at r = alpha = s = beta = 1 with a first simplex a
factor e^0.5 wide in each parameter, polishes with L-BFGS-B, and works on the distinct
(x, t_x, T) rows with weights. On the CDNOW sample (2,357 customers, 39 weeks) it reproduces
the estimates Fader, Hardie & Lee (2005) report for Pareto/NBD: r = 0.553, alpha = 10.58,
s = 0.606, beta = 11.67, log-likelihood = -9595.0 (tests/python/test_pareto_nbd.py).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, gammaln, hyp2f1

from stratalib.clv._fitting import (
    INITIAL_LOG_STEP,
    as_float_array,
    distinct_rows,
    fit_result,
    maximise_likelihood,
    summary_problem,
    unfitted,
)

DEFAULT_MIN_BUYERS = 50
MIN_BUYERS_SETTING = "min_buyers"
START_LOG_PARAMETERS = np.zeros(4)  # r = alpha = s = beta = 1
PARAMETER_NAMES = ("r", "alpha", "s", "beta")
# Within this distance of s = 1 the expected-purchases factor takes its limit log(1 + t / (beta + T)).
S_NEAR_ONE = 1e-10
# The smallest positive double: a probability alive too small to represent is reported as this,
# so p_alive stays in (0, 1] as the model says (the model never gives exactly 0).
SMALLEST_PROBABILITY = np.finfo(float).tiny


def _log_h(r: float, alpha: float, s: float, beta: float, x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """log H(u), the Euler-transformed 2F1 factor of F(u) (see the module docstring)."""
    c = r + s + x + 1
    if alpha >= beta:
        return np.log(hyp2f1(1.0, r + x, c, (alpha - beta) / (alpha + u)))
    return np.log(alpha + u) - np.log(beta + u) + np.log(hyp2f1(1.0, s + 1, c, (beta - alpha) / (beta + u)))


def _log_dead_odds(r: float, alpha: float, s: float, beta: float, x, t_x, t) -> np.ndarray:
    """log of s / (r + s + x) * A0 * (alpha + T)^(r + x) (beta + T)^s: the odds of having died
    unseen in (t_x, T] against being alive at T; -inf when t_x = T."""
    g1 = (
        _log_h(r, alpha, s, beta, x, t_x)
        + (r + x) * (np.log(alpha + t) - np.log(alpha + t_x))
        + s * (np.log(beta + t) - np.log(beta + t_x))
    )
    g2 = _log_h(r, alpha, s, beta, x, t)
    # g1 >= g2 in exact arithmetic; rounding can put g2 a hair above g1 when t_x ~ T.
    gap = np.minimum(g2 - g1, 0.0)
    with np.errstate(divide="ignore"):  # gap = 0 (t_x = T): log 0 = -inf, odds 0, alive for sure
        log_difference = g1 + np.log(-np.expm1(gap))
    return np.log(s) - np.log(r + s + x) + log_difference


def pareto_nbd_log_likelihood(
    parameters: np.ndarray, frequency: np.ndarray, recency: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """Log of the Pareto/NBD likelihood per customer, for parameters (r, alpha, s, beta)."""
    r, alpha, s, beta = parameters
    x, t_x, t = as_float_array(frequency), as_float_array(recency), as_float_array(age)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + t) - s * np.log(beta + t)
    return common + alive + np.logaddexp(0.0, _log_dead_odds(r, alpha, s, beta, x, t_x, t))


def unfitted_pareto_nbd(customers: int, note: str) -> dict:
    """The result of a Pareto/NBD fit that did not happen: r, alpha, s, beta, log_likelihood None."""
    return unfitted(PARAMETER_NAMES, customers, note)


def fit_pareto_nbd(
    frequency, recency, age, min_buyers: int = DEFAULT_MIN_BUYERS, min_buyers_setting: str = MIN_BUYERS_SETTING
) -> dict:
    """Maximum-likelihood Pareto/NBD fit. frequency = x, recency = t_x, age = T (weeks), one per buyer.

    Returns r, alpha, s, beta, log_likelihood, customers, is_fitted, fit_note; the parameters and
    log_likelihood are None (is_fitted False) when there are fewer than min_buyers buyers, the
    inputs are impossible, nobody repeats, or the optimiser does not converge to an interior
    optimum (a parameter running to 0 or infinity). min_buyers_setting is the
    name the note gives the minimum (the caller's var).
    """
    x, t_x, t = as_float_array(frequency), as_float_array(recency), as_float_array(age)
    customers = int(x.size)
    problem = summary_problem(x, t_x, t, min_buyers, min_buyers_setting)
    if problem is not None:
        return unfitted_pareto_nbd(customers, problem)
    if not np.any(x > 0):  # the likelihood grows as r -> 0 without bound on s, beta: no optimum
        return unfitted_pareto_nbd(customers, "not fitted: no buyer has a repeat purchase (degenerate data)")

    columns, weight = distinct_rows(x, t_x, t)
    with np.errstate(over="ignore", invalid="ignore"):  # trial points far out give inf / nan: walls
        optimum = maximise_likelihood(
            pareto_nbd_log_likelihood,
            START_LOG_PARAMETERS,
            weight,
            *columns,
            initial_step=INITIAL_LOG_STEP,
        )
    return fit_result(PARAMETER_NAMES, optimum, customers)


def _parameters(parameters: dict) -> tuple[float, float, float, float]:
    return tuple(float(parameters[name]) for name in PARAMETER_NAMES)  # type: ignore[return-value]


def p_alive(parameters: dict, x, t_x, T) -> np.ndarray:
    """P(alive at T | x, t_x, T) = 1 / (1 + odds of having died unseen in (t_x, T]).

    Fader & Hardie (2005), section "P(alive)": the alive term of the likelihood over the likelihood. For every
    buyer, one-time buyers (x = 0, t_x = 0) included: below 1 as soon as T > t_x, falling as T
    grows; exactly 1 when t_x = T. `parameters` holds r, alpha, s, beta (a fit's dict). In (0, 1]
    for any valid input (values below the smallest positive double are reported as that).
    """
    r, alpha, s, beta = _parameters(parameters)
    x, t_x, t = as_float_array(x), as_float_array(t_x), as_float_array(T)
    return np.maximum(expit(-_log_dead_odds(r, alpha, s, beta, x, t_x, t)), SMALLEST_PROBABILITY)


def conditional_expected_purchases(parameters: dict, t, x, t_x, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next t time units (Schmittlein,
    Morrison & Colombo 1987; Fader & Hardie 2005, section "Conditional expectations"):

        (r + x) (beta + T) / ((alpha + T) (s - 1)) * [1 - ((beta + T) / (beta + T + t))^(s - 1)] * p_alive

    The bracket over (s - 1) is taken as -expm1(-(s - 1) log1p(t / (beta + T))) / (s - 1), which
    stays accurate near s = 1 and tends to log1p(t / (beta + T)) there (the s = 1 limit, used
    within S_NEAR_ONE of it).
    """
    r, alpha, s, beta = _parameters(parameters)
    x, t_x, age = as_float_array(x), as_float_array(t_x), as_float_array(T)
    horizon = as_float_array(t)
    log_growth = np.log1p(horizon / (beta + age))
    if abs(s - 1.0) < S_NEAR_ONE:
        lifetime_factor = log_growth
    else:
        lifetime_factor = -np.expm1(-(s - 1) * log_growth) / (s - 1)
    return (r + x) * (beta + age) / (alpha + age) * lifetime_factor * p_alive(parameters, x, t_x, age)
