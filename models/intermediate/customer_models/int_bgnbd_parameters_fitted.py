"""One row: the BG/NBD churn model fitted by maximum likelihood on int_bgnbd_inputs.

Model: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to
the Pareto/NBD Model", Marketing Science 24(2), 275-284. The mathematics (likelihood, fit,
p_alive, conditional expected purchases) lives in the strata package, stratalib.clv.bgnbd, where
it is documented and tested without dbt (tests/python/test_bgnbd.py); this model only reads the
inputs, calls the fit and shapes the one-row table. On the CDNOW sample the fit reproduces the
paper's r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, log-likelihood = -9582.4.

Output: r, alpha, a, b, log_likelihood, customers, is_fitted, as_of_date, fit_note. With fewer
than var('bgnbd_min_buyers') buyers, or when the optimiser does not converge, the parameters
are null and is_fitted is false: the build never fails because of the fit.

Python models may contain no Jinja at all (not even in comments), so the var reaches this
model through its yml config (_customer_models__models.yml sets config bgnbd_min_buyers from the var),
read here with dbt.config.get. The package is importable because the project is installed
(editable) into the environment dbt runs in.

Portability: dbt-duckdb runs this Python model in-process. On the Spark target this model is
disabled (dbt_project.yml) and its stand-in of the same name in spark/ calls the same stratalib
function through a Spark table function (stratalib.spark_functions), so both engines fit with the
same code.
"""

from __future__ import annotations

import pandas as pd

from stratalib.clv.bgnbd import DEFAULT_MIN_BUYERS
from stratalib.clv.tables import bgnbd_fit_table, setting


def model(dbt, session) -> pd.DataFrame:
    dbt.config(materialized="table")
    # A plain call on its own line: dbt finds the config keys a Python model reads by walking its
    # syntax tree, and misses a dbt.config.get nested in an expression such as int(... or ...).
    configured_min_buyers = dbt.config.get("bgnbd_min_buyers")
    inputs = dbt.ref("int_bgnbd_inputs").df()
    as_of_date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]
    return bgnbd_fit_table(inputs, setting(configured_min_buyers, DEFAULT_MIN_BUYERS), as_of_date)
