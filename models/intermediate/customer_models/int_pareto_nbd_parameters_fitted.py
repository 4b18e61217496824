"""One row: the Pareto/NBD purchase model fitted by maximum likelihood on int_bgnbd_inputs.

Model: Schmittlein, Morrison & Colombo (1987), "Counting Your Customers: Who Are They and What
Will They Do Next?", Management Science 33(1), 1-24. While alive, a customer buys at a Poisson
rate lambda ~ Gamma(r, alpha) and has an exponential lifetime with rate mu ~ Gamma(s, beta), so
a customer may drop out before any repeat purchase: unlike BG/NBD, a one-time buyer's
probability of being alive falls as the silence grows. The mathematics lives in
stratalib.clv.pareto_nbd (tested without dbt in tests/python/test_pareto_nbd.py); on the CDNOW
sample the fit reproduces the published r = 0.553, alpha = 10.58, s = 0.606, beta = 11.67 (weeks).

Output: as_of_date, r, alpha, s, beta, log_likelihood, customers, is_fitted, fit_note. With
fewer than var('pareto_nbd_min_buyers') buyers, no repeat buyer, or no convergence, the
parameters are null and is_fitted is false: the build never fails because of the fit. The var
reaches this model as a config value set in _customer_models__models.yml (Python models have no
Jinja). dbt-duckdb runs it in-process. On the Spark target this model is disabled
(dbt_project.yml) and its stand-in of the same name in spark/ calls the same stratalib function
through a Spark table function (stratalib.spark_functions), so both engines fit with the same code.
"""

from __future__ import annotations

import pandas as pd

from stratalib.clv.pareto_nbd import DEFAULT_MIN_BUYERS
from stratalib.clv.tables import pareto_nbd_fit_table, setting


def model(dbt, session) -> pd.DataFrame:
    dbt.config(materialized="table")
    configured_min_buyers = dbt.config.get("pareto_nbd_min_buyers")
    inputs = dbt.ref("int_bgnbd_inputs").df()
    as_of_date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]
    return pareto_nbd_fit_table(inputs, setting(configured_min_buyers, DEFAULT_MIN_BUYERS), as_of_date)
