"""One row: the Gamma-Gamma spend model fitted by maximum likelihood on the repeat buyers.

Model: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
Analysis", Journal of Marketing Research 42(4), 415-430 (and Fader & Hardie's note "The
Gamma-Gamma Model of Monetary Value", 2013). A customer's spend per purchase varies around their
own mean, which varies across customers; the model is fitted on each repeat buyer's mean value
of a repeat purchase day (repeat_purchase_amount / frequency of int_bgnbd_inputs: the first
purchase left out, same-day orders merged). The mathematics lives in stratalib.clv.gamma_gamma
(tested without dbt in tests/python/test_gamma_gamma.py); on CDNOW's 946 repeat customers the fit
reproduces the published p = 6.25, q = 3.74, gamma = 15.44.

Output: as_of_date, p, q, gamma_scale, log_likelihood, customers (repeat buyers), is_fitted,
fit_note. With fewer than var('gamma_gamma_min_customers') repeat buyers, no convergence or
q <= 1 (no finite mean spend), the parameters are null and is_fitted is false. The var reaches
this model as a config value set in _customer_models__models.yml. dbt-duckdb runs it in-process.
On the Spark target this model is disabled (dbt_project.yml) and its stand-in of the same
name in spark/ calls the same stratalib function through a Spark table function
(stratalib.spark_functions), so both engines fit with the same code.
"""

from __future__ import annotations

import pandas as pd

from stratalib.clv.gamma_gamma import DEFAULT_MIN_CUSTOMERS
from stratalib.clv.tables import gamma_gamma_fit_table, setting


def model(dbt, session) -> pd.DataFrame:
    dbt.config(materialized="table")
    configured_min_customers = dbt.config.get("gamma_gamma_min_customers")
    inputs = dbt.ref("int_bgnbd_inputs").df()
    as_of_date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]
    return gamma_gamma_fit_table(inputs, setting(configured_min_customers, DEFAULT_MIN_CUSTOMERS), as_of_date)
