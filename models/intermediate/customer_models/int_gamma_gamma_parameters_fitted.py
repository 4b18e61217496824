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
this model as a config value set in _customer_models__models.yml. Runs on dbt-duckdb only.
"""

from __future__ import annotations

import pandas as pd

from stratalib.clv.gamma_gamma import DEFAULT_MIN_CUSTOMERS, PARAMETER_NAMES, fit_gamma_gamma, unfitted_gamma_gamma
from stratalib.clv.tables import guarded_fit, setting

SORT_COLUMNS = ["frequency", "repeat_purchase_amount"]


def model(dbt, session) -> pd.DataFrame:
    dbt.config(materialized="table")
    configured_min_customers = dbt.config.get("gamma_gamma_min_customers")
    min_customers = int(setting(configured_min_customers, DEFAULT_MIN_CUSTOMERS))
    inputs = dbt.ref("int_bgnbd_inputs").df().sort_values(SORT_COLUMNS, ignore_index=True)
    as_of_date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]
    repeat = inputs[inputs["frequency"] > 0]
    mean_value = repeat["repeat_purchase_amount"].astype(float) / repeat["frequency"].astype(float)

    return guarded_fit(
        lambda: fit_gamma_gamma(repeat["frequency"], mean_value, min_customers, "gamma_gamma_min_customers"),
        unfitted_gamma_gamma,
        len(repeat),
        PARAMETER_NAMES,
        as_of_date,
    )
