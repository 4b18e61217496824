"""Expected revenue of a customer over a horizon: purchases times value, plain and discounted.

The purchase model (BG/NBD or Pareto/NBD) gives E[X(t)], the expected purchases of a customer
in the next t weeks given their history; the spend model (Gamma-Gamma) gives E[Z], their
expected spend per purchase. The two are independent in these models, so

    expected revenue over H weeks = E[X(H)] * E[Z].

Discounted variant (a present value at an annual rate d). Purchases are spread over the horizon
as the model expects them, week by week, and each week's purchases are discounted from the end
of that week:

    sum over k = 1 .. ceil(H) of (E[X(t_k)] - E[X(t_(k-1))]) * E[Z] / (1 + d_week)^t_k,
    t_k = min(k, H), t_0 = 0,   d_week = (1 + d)^(7 / 365.25) - 1

i.e. the weekly rate equivalent to d over a year of 365.25 days, a last partial week when H is
not a whole number of weeks, and E[X(k)] - E[X(k - 1)] the expected purchases in week k taken
from the conditional expectation itself (so the undiscounted sum is exactly E[X(H)] * E[Z]).
Discounting at the end of each week rather than continuously undervalues by at most one week's
discount, (1 + d)^(7 / 365.25): 0.2 % at d = 10 %.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

DAYS_PER_YEAR = 365.25
DAYS_PER_WEEK = 7

CumulativePurchases = Callable[[float], np.ndarray]


def expected_revenue(expected_purchases, expected_value) -> np.ndarray:
    """E[X(H)] * E[Z] per customer: expected purchases over the horizon times expected spend per purchase."""
    return np.asarray(expected_purchases, dtype=float) * np.asarray(expected_value, dtype=float)


def weekly_discount_rate(annual_discount_rate: float) -> float:
    """The weekly rate equivalent to an annual one: (1 + d)^(7 / 365.25) - 1."""
    return (1.0 + annual_discount_rate) ** (DAYS_PER_WEEK / DAYS_PER_YEAR) - 1.0


def discounted_expected_revenue(
    cumulative_purchases: CumulativePurchases,
    expected_value,
    horizon_weeks: float,
    annual_discount_rate: float,
) -> np.ndarray:
    """Present value of the expected revenue over horizon_weeks at annual_discount_rate (see the module docstring).

    cumulative_purchases(t) returns E[X(t)] per customer for a horizon of t weeks, e.g.
    `lambda t: pareto_nbd.conditional_expected_purchases(parameters, t, x, t_x, T)`; it is called
    once per week of the horizon. expected_value is E[Z] per customer (or one number).
    """
    if horizon_weeks < 0 or annual_discount_rate <= -1:
        raise ValueError("the horizon must be >= 0 weeks and the discount rate > -100 %")
    value = np.asarray(expected_value, dtype=float)
    week_ends = np.minimum(np.arange(1, math.ceil(horizon_weeks) + 1, dtype=float), horizon_weeks)
    discount = (1.0 + weekly_discount_rate(annual_discount_rate)) ** -week_ends
    previous = np.asarray(cumulative_purchases(0.0), dtype=float)
    present_purchases = np.zeros_like(previous)
    for week_end, factor in zip(week_ends, discount):
        current = np.asarray(cumulative_purchases(float(week_end)), dtype=float)
        present_purchases = present_purchases + (current - previous) * factor
        previous = current
    return present_purchases * value
