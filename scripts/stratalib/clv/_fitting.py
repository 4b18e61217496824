"""What the maximum-likelihood fits of the customer models share.

Every fit (BG/NBD, Pareto/NBD, Gamma-Gamma) works the same way, so the way is written once here:
the parameters are optimised on the log scale (each stays > 0), Nelder-Mead from a fixed start
polished by L-BFGS-B (deterministic: no random start, the same input gives the same numbers),
customers with identical inputs are fitted once with a weight, and a fit that cannot be trusted
is returned as "unfitted" (parameters None, is_fitted False, a note saying why) instead of raising,
so that a warehouse build never fails because of a model fit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

# Fits whose log-parameters leave this box are degenerate (a parameter ran to 0 or infinity).
MAX_ABS_LOG_PARAMETER = 15.0
# Nelder-Mead's fatol (its tolerance on the negative log-likelihood) is not fixed here: see fatol_for.
NELDER_MEAD_OPTIONS = {"xatol": 1e-8, "maxiter": 20_000, "maxfev": 40_000}
# Nelder-Mead's fatol is absolute, but rounding in a sum over n customers is about n times larger:
# a fixed 1e-10 cannot be met once the log-likelihood is in the tens of thousands (the simplex
# collapses onto one point whose evaluations still differ in the last bits, until maxfev). A
# tolerance per customer keeps the stopping rule meaningful at any size. Every fit uses it: with
# the fixed 1e-10 a BG/NBD fit on 74,266 buyers ran to maxfev (four minutes) and came back unfitted.
FATOL_PER_CUSTOMER = 1e-11
# scipy's default first simplex moves each coordinate by 5 % of its value, or by 0.00025 where it
# is 0, which is every log-parameter of a start at 1: the simplex begins too small to see the
# shape of the likelihood and can creep onto a ridge (for Gamma-Gamma, p -> inf with gamma -> 0,
# or q, gamma -> inf). The newer fits start from a simplex of this size on the log scale instead
# (a factor e^0.5 = 1.65 per parameter); BG/NBD keeps scipy's, unchanged.
INITIAL_LOG_STEP = 0.5

LogLikelihood = Callable[..., np.ndarray]


@dataclass(frozen=True)
class LogScaleOptimum:
    """The best point the optimiser found, on the log scale, and whether it can be trusted."""

    log_parameters: np.ndarray
    negative_log_likelihood: float
    converged: bool
    message: str

    @property
    def is_degenerate(self) -> bool:
        """A parameter ran to 0 or infinity: the data do not identify the model."""
        return bool(np.any(np.abs(self.log_parameters) > MAX_ABS_LOG_PARAMETER))


def as_float_array(values) -> np.ndarray:
    """Any sequence (list, numpy array, pandas Series) as a float numpy array."""
    return np.asarray(values, dtype=float)


def unfitted(parameter_names: Sequence[str], customers: int, note: str) -> dict:
    """The result of a fit that did not happen or cannot be trusted: every parameter None."""
    return {
        **{name: None for name in parameter_names},
        "log_likelihood": None,
        "customers": customers,
        "is_fitted": False,
        "fit_note": note,
    }


def fitted(parameter_names: Sequence[str], optimum: LogScaleOptimum, customers: int, note: str) -> dict:
    """The result of a trusted fit: parameters back on their natural scale, plain floats."""
    parameters = dict(zip(parameter_names, (float(value) for value in np.exp(optimum.log_parameters))))
    return {
        **parameters,
        "log_likelihood": -float(optimum.negative_log_likelihood),
        "customers": customers,
        "is_fitted": True,
        "fit_note": note,
    }


def too_few_note(customers: int, minimum: int, setting_name: str, what: str = "buyers") -> str:
    """The note of a fit skipped for lack of data."""
    return f"not fitted: {customers} {what}, fewer than {setting_name} = {minimum}"


def summary_is_invalid(frequency: np.ndarray, recency: np.ndarray, age: np.ndarray) -> bool:
    """True when a purchase summary is impossible: non-finite, x < 0, t_x < 0 or t_x > T."""
    not_finite = ~np.isfinite(frequency) | ~np.isfinite(recency) | ~np.isfinite(age)
    impossible = (frequency < 0) | (recency < 0) | (recency > age)
    return bool(np.any(not_finite) or np.any(impossible))


def summary_problem(
    frequency: np.ndarray, recency: np.ndarray, age: np.ndarray, min_buyers: int, setting_name: str
) -> str | None:
    """Why a purchase model cannot be fitted on these buyers before trying (too few, impossible
    inputs), as the fit note; None when it can be tried."""
    if frequency.size < min_buyers:
        return too_few_note(int(frequency.size), min_buyers, setting_name)
    if summary_is_invalid(frequency, recency, age):
        return "not fitted: inputs outside 0 <= recency <= age, frequency >= 0"
    return None


def fit_result(parameter_names: Sequence[str], optimum: LogScaleOptimum, customers: int, what: str = "buyers") -> dict:
    """The fit's dict: unfitted when the optimiser did not converge or a parameter ran to 0 or
    infinity, else the parameters."""
    if not optimum.converged:
        return unfitted(parameter_names, customers, f"not fitted: optimiser did not converge ({optimum.message})")
    if optimum.is_degenerate:
        return unfitted(parameter_names, customers, "not fitted: a parameter ran to 0 or infinity (degenerate data)")
    return fitted(parameter_names, optimum, customers, f"fitted by maximum likelihood on {customers} {what}")


def distinct_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of the given columns and how often each occurs.

    Customers with the same inputs contribute the same likelihood term, so a fit on the distinct
    rows weighted by their counts is the same fit, several times cheaper (np.unique also sorts,
    so the sums come in the same order whatever the order of the input)."""
    distinct, counts = np.unique(np.column_stack(columns), axis=0, return_counts=True)
    return [distinct[:, index] for index in range(distinct.shape[1])], counts.astype(float)


def weighted_negative_log_likelihood(
    log_parameters: np.ndarray, log_likelihood: LogLikelihood, weight: np.ndarray, *columns: np.ndarray
) -> float:
    """-sum(weight * log L(exp(log_parameters) | columns)); +inf outside the search box or when not finite,
    which Nelder-Mead treats as a wall."""
    if np.any(np.abs(log_parameters) > 2 * MAX_ABS_LOG_PARAMETER):
        return math.inf
    value = -float(np.dot(weight, log_likelihood(np.exp(log_parameters), *columns)))
    return value if math.isfinite(value) else math.inf


def fatol_for(weight: np.ndarray) -> float:
    """Nelder-Mead's absolute tolerance on the negative log-likelihood for this many customers."""
    return FATOL_PER_CUSTOMER * max(1.0, float(np.sum(weight)))


def initial_simplex(start: np.ndarray, step: float = INITIAL_LOG_STEP) -> np.ndarray:
    """Nelder-Mead's first simplex: the start and, for each parameter, the start moved by `step`."""
    start = np.asarray(start, dtype=float)
    return np.vstack([start, start + step * np.eye(start.size)])


def maximise_likelihood(
    log_likelihood: LogLikelihood,
    start: np.ndarray,
    weight: np.ndarray,
    *columns: np.ndarray,
    initial_step: float | None = None,
) -> LogScaleOptimum:
    """Maximum likelihood over the log-parameters: Nelder-Mead from `start`, stopping at
    fatol_for(weight), polished by L-BFGS-B; the better of the two when both finished.
    initial_step replaces scipy's first simplex by initial_simplex(start, initial_step)."""
    arguments = (log_likelihood, weight, *columns)
    options = {**NELDER_MEAD_OPTIONS, "fatol": fatol_for(weight)}
    if initial_step is not None:
        options["initial_simplex"] = initial_simplex(start, initial_step)
    coarse = minimize(weighted_negative_log_likelihood, start, args=arguments, method="Nelder-Mead", options=options)
    polished = minimize(weighted_negative_log_likelihood, coarse.x, args=arguments, method="L-BFGS-B")
    best = polished if polished.success and polished.fun <= coarse.fun else coarse
    converged = bool((coarse.success or polished.success) and math.isfinite(best.fun))
    return LogScaleOptimum(np.asarray(best.x, dtype=float), float(best.fun), converged, str(coarse.message))
