"""One row per campaign x variant x segment: each variant against control, with intervals and
p-values.

Inputs: int_campaign_groups_summarised (per campaign x segment x test_group: user_count, mean and
sample variance per user of three metrics: converted (0/1), orders, revenue) and
int_campaign_groups_declared (per campaign x declared group: its intended share, the source of
intended_control_share and intended_variant_share). The variants of
a campaign are its groups other than control, declared or seen in its sends (a campaign of
var('test_groups') has the one variant `treatment`); each is compared with the control group of
the same segment, the "treatment" columns holding the variant's figures. This is a dbt
Python model because the statistics need the Student t and normal quantiles and tail
probabilities, which portable SQL does not have; scipy.stats computes them. Everything else
(windows, costs, ROI, flags) is SQL, in the models around it.

The statistics (Welch intervals and p-values of the absolute lift, delta-method intervals of the
relative lift, Holm's correction across variants, the sample-ratio chi-square) are defined and
computed in stratalib.campaign_stats (its docstring has the formulas; tested without dbt in
tests/python/test_campaign_stats.py); this model only reads its two inputs and calls compare_all.

Python models may contain no Jinja, so the confidence level reaches this model as a config value
set from the var in _campaigns__models.yml. Portability: this model runs in-process on
dbt-duckdb. On the Spark target it is disabled (dbt_project.yml) and its stand-in of the same name,
spark/int_campaign_groups_compared.sql, calls the same compare_all through a Spark table function
(stratalib.spark_functions).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from stratalib.campaign_stats import DEFAULT_CONFIDENCE_LEVEL, compare_all


def read_exact(relation) -> pd.DataFrame:
    """The relation as a DataFrame whose DECIMAL columns stay exact (Decimal values, not floats)."""
    return relation.to_arrow_table().to_pandas(
        types_mapper=lambda arrow_type: pd.ArrowDtype(arrow_type) if pa.types.is_decimal(arrow_type) else None,
    )


def model(dbt, session) -> pd.DataFrame:
    # A plain call on its own line, so dbt sees the config key this model reads.
    configured_confidence = dbt.config.get("campaign_confidence_level")
    confidence = float(configured_confidence if configured_confidence not in (None, "") else DEFAULT_CONFIDENCE_LEVEL)
    summaries = read_exact(dbt.ref("int_campaign_groups_summarised"))
    declared = read_exact(dbt.ref("int_campaign_groups_declared"))
    return compare_all(summaries, confidence, declared)
