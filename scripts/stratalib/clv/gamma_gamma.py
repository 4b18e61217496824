"""The Gamma-Gamma model of spend per purchase: fit and conditional expected value.

Model: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
Analysis", Journal of Marketing Research 42(4), 415-430, as written out in Fader & Hardie (2013),
"The Gamma-Gamma Model of Monetary Value" (http://brucehardie.com/notes/025/). The amount of each
purchase of a customer is z ~ Gamma(p, nu) (shape p, rate nu: mean p / nu); nu varies across
customers as Gamma(q, gamma) (shape q, rate gamma). The amounts are independent of the purchase
process, so the model is fitted on the customers' mean amounts alone.

The data per customer are x (the number of purchases the mean is taken over: the repeat
purchases, so only customers with x > 0 enter) and m_x (their mean amount). The likelihood is

    f(m_x | p, q, gamma, x) = Gamma(p x + q) / (Gamma(p x) Gamma(q))
                              * gamma^q m_x^(p x - 1) x^(p x) / (gamma + m_x x)^(p x + q)

evaluated on the log scale in the regrouped form

    log f = -log B(p x, q) - log m_x - q log(1 + m_x x / gamma) - p x log(1 + gamma / (m_x x))

(betaln and log1p: no cancellation between large terms when p x is large, where the plain form
loses digits). The third parameter is returned as `gamma_scale` (gamma in the
papers; renamed so it does not shadow the Gamma function and reads as the scale of the
heterogeneity: the mean of nu is q / gamma_scale, in 1 / money units). On CDNOW's 946 repeat
customers (mean of their repeat purchase days in the 39 calibration weeks, same-day purchases
merged) the fit gives p = 6.25, q = 3.74, gamma = 15.44 as published
(tests/python/test_gamma_gamma.py).

The mean spend per purchase across customers is p gamma / (q - 1), finite only for q > 1: a fit
with q <= 1 has no finite expected value and is returned unfitted.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln

from stratalib.clv._fitting import (
    INITIAL_LOG_STEP,
    as_float_array,
    distinct_rows,
    fit_result,
    maximise_likelihood,
    too_few_note,
    unfitted,
)

DEFAULT_MIN_CUSTOMERS = 50
MIN_CUSTOMERS_SETTING = "min_customers"
PARAMETER_NAMES = ("p", "q", "gamma_scale")
# Nelder-Mead starts at p = 1, q = 2 and gamma = the mean of the customers' mean amounts, so the
# starting population mean p gamma / (q - 1) is the observed one, whatever the currency (a start
# at gamma = 1 can be far off in money units), with a first simplex of INITIAL_LOG_STEP. Started
# badly, the simplex creeps onto one of the model's ridges, p -> inf with gamma -> 0 (no spread
# of spend within a customer) or q, gamma -> inf (no spread across customers), and stops there,
# far below the maximum.
START_P, START_Q = 1.0, 2.0


def start_log_parameters(monetary_value: np.ndarray) -> np.ndarray:
    """The deterministic starting point of the fit (log p, log q, log gamma), scaled to the data."""
    return np.log([START_P, START_Q, float(np.mean(monetary_value)) * (START_Q - 1) / START_P])


def gamma_gamma_log_likelihood(parameters: np.ndarray, frequency: np.ndarray, monetary_value: np.ndarray) -> np.ndarray:
    """Log of f(m_x | p, q, gamma, x) per customer (x > 0, m_x > 0), for parameters (p, q, gamma_scale)."""
    p, q, gamma_scale = parameters
    x, m = as_float_array(frequency), as_float_array(monetary_value)
    px = p * x
    spend = m * x
    # The same expression regrouped so nothing cancels when p x is large: the Gamma ratio is
    # -log B(p x, q), and the powers become log1p of ratios (see the module docstring).
    return -betaln(px, q) - np.log(m) - q * np.log1p(spend / gamma_scale) - px * np.log1p(gamma_scale / spend)


def unfitted_gamma_gamma(customers: int, note: str) -> dict:
    """The result of a Gamma-Gamma fit that did not happen: p, q, gamma_scale, log_likelihood None."""
    return unfitted(PARAMETER_NAMES, customers, note)


def fit_gamma_gamma(
    frequency,
    monetary_value,
    min_customers: int = DEFAULT_MIN_CUSTOMERS,
    min_customers_setting: str = MIN_CUSTOMERS_SETTING,
) -> dict:
    """Maximum-likelihood Gamma-Gamma fit on the repeat customers among the given ones.

    frequency = x (repeat purchases), monetary_value = m_x (mean amount of those x purchases),
    one per customer; customers with x = 0 are left out (they have no repeat amount), so
    `customers` counts those with x > 0. Returns p, q, gamma_scale, log_likelihood, customers,
    is_fitted, fit_note; the parameters are None (is_fitted False) when fewer than min_customers
    repeat customers remain, an amount is not positive, the optimiser does not converge, a
    parameter runs to 0 or infinity, or q <= 1 (no finite mean spend).
    """
    x, m = as_float_array(frequency), as_float_array(monetary_value)
    repeat = x > 0
    x, m = x[repeat], m[repeat]
    customers = int(x.size)
    if customers < min_customers:
        return unfitted_gamma_gamma(
            customers, too_few_note(customers, min_customers, min_customers_setting, what="repeat customers")
        )
    if np.any(~np.isfinite(x) | ~np.isfinite(m)) or np.any(m <= 0):
        return unfitted_gamma_gamma(customers, "not fitted: a repeat customer's mean amount is not a positive number")

    columns, weight = distinct_rows(x, m)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        optimum = maximise_likelihood(
            gamma_gamma_log_likelihood,
            start_log_parameters(m),
            weight,
            *columns,
            initial_step=INITIAL_LOG_STEP,
        )
    result = fit_result(PARAMETER_NAMES, optimum, customers, what="repeat customers")
    if result["is_fitted"] and result["q"] <= 1:
        return unfitted_gamma_gamma(customers, f"not fitted: q = {result['q']:.4g} <= 1, no finite mean spend")
    return result


def population_mean_value(parameters: dict) -> float:
    """E[Z] = p gamma / (q - 1): the mean spend per purchase across customers (q > 1)."""
    p, q, gamma_scale = (float(parameters[name]) for name in PARAMETER_NAMES)
    return p * gamma_scale / (q - 1)


def conditional_expected_value(parameters: dict, x, m) -> np.ndarray:
    """E[Z | p, q, gamma, m_x, x]: the expected spend per purchase of a customer (Fader & Hardie 2013):

        (gamma + m_x x) p / (p x + q - 1)
        = (q - 1) / (p x + q - 1) * p gamma / (q - 1) + p x / (p x + q - 1) * m_x

    a weighted mean of the population mean and the customer's own mean, the weight on the own
    mean growing with x. For x = 0 it is the population mean p gamma / (q - 1) (m is ignored).
    """
    p, q, gamma_scale = (float(parameters[name]) for name in PARAMETER_NAMES)
    x = as_float_array(x)
    m = np.where(x > 0, as_float_array(m), 0.0)
    return (gamma_scale + m * x) * p / (p * x + q - 1)
