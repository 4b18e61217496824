"""The statistics of int_campaign_groups_compared: each campaign variant against control, with
intervals and p-values, from the per-group summaries (int_campaign_groups_summarised) and the
declared groups (int_campaign_groups_declared).

Kept here, not in the dbt Python model, so every engine runs the same code: on DuckDB the model
int_campaign_groups_compared.py calls compare_all; on Spark the table function of
stratalib.spark_functions does (dbt-spark runs no Python models in session mode).

For each metric, with n, m, v the users, mean and sample variance (ddof 1) of a group
(t = treatment, c = control) and q = var('campaign_confidence_level'):

* absolute lift (Welch): d = m_t - m_c, se = sqrt(v_t / n_t + v_c / n_c),
  Welch-Satterthwaite df = se^4 / ((v_t / n_t)^2 / (n_t - 1) + (v_c / n_c)^2 / (n_c - 1)),
  interval d -/+ t_{(1 + q) / 2, df} * se, two-sided p-value 2 * P(T_df > |d / se|).
  This is exactly scipy.stats.ttest_ind(treatment, control, equal_var=False) and its
  confidence_interval(q), applied to the per-user values (for the conversion rate: the 0/1
  conversion indicator, so the proportions get the Welch interval too).
* relative lift (delta method on the log ratio): r = m_t / m_c - 1,
  se_log = sqrt(v_t / (n_t m_t^2) + v_c / (n_c m_c^2)),
  interval exp(log(m_t / m_c) -/+ z_{(1 + q) / 2} * se_log) - 1 (z the standard normal
  quantile). Null when m_t or m_c is 0 (the log ratio is undefined).
* Holm's correction, per metric, over the variants of one campaign and segment: with the m
  non-null p-values sorted p_(1) <= ... <= p_(m), the adjusted p_(i) =
  max over j <= i of min(1, (m - j + 1) p_(j)). With one variant it is the p-value itself.
* sample-ratio mismatch: Pearson chi-square goodness of fit of the observed user counts of all
  k declared groups of the campaign in the segment against the declared split (N s_g per group
  g, N the users of all groups): X2 = sum (observed - expected)^2 / expected, p-value =
  P(chi2_(k-1) > X2), which is scipy.stats.chisquare(observed, expected). For a campaign of
  treatment and control this is the 1-df test of (n_t, n_c) against (N (1 - s), N s). The same
  value on every variant row of the campaign and segment. Null when the split is unknown, a share
  is not strictly between 0 and 1, or a group was seen that is not declared.

A statistic is null when it is undefined: a group with fewer than 2 users, a standard error of
0 (both groups constant). tests/python/test_campaign_stats.py checks these functions against
scipy's own tests on hand cases.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import stats

DEFAULT_CONFIDENCE_LEVEL = 0.95
# metric prefix in the output -> column prefix in int_campaign_groups_summarised
METRICS = {"conversion_rate": "converted", "orders_per_user": "orders", "revenue_per_user": "revenue"}
STATISTICS = (
    "treatment", "control", "lift", "lift_ci_lower", "lift_ci_upper",
    "relative_lift", "relative_lift_ci_lower", "relative_lift_ci_upper", "p_value", "p_value_holm",
)
CONTROL = "control"
# output column suffix -> column of int_campaign_groups_summarised, per group
GROUP_COLUMNS = {
    "users": "user_count",
    "converted_users": "converted_user_count",
    "orders": "order_count",
    "revenue_amount": "revenue_amount",
    "message_cost_amount": "message_cost_amount",
    "uncosted_messages": "uncosted_messages",
    "coupon_discount_amount": "coupon_discount_amount",
}
# Money columns stay exact: DECIMAL(18, scale) in and out, never a float.
MONEY_SCALES = {"revenue_amount": 2, "message_cost_amount": 4, "coupon_discount_amount": 2}


def _usable(n: float | None, variance: float | None) -> bool:
    return n is not None and not pd.isna(n) and n >= 2 and variance is not None and not pd.isna(variance)


def welch_difference(
    n_t: float, mean_t: float, var_t: float, n_c: float, mean_c: float, var_c: float,
    confidence: float = DEFAULT_CONFIDENCE_LEVEL,
) -> dict[str, float | None]:
    """Welch's unequal-variance t interval and two-sided p-value for mean_t - mean_c."""
    result: dict[str, float | None] = {"lift": None, "ci_lower": None, "ci_upper": None, "p_value": None, "df": None}
    if n_t and n_c and not (pd.isna(mean_t) or pd.isna(mean_c)):
        result["lift"] = float(mean_t - mean_c)
    if not (_usable(n_t, var_t) and _usable(n_c, var_c)):
        return result
    part_t, part_c = var_t / n_t, var_c / n_c
    standard_error = math.sqrt(part_t + part_c)
    if standard_error == 0:
        return result
    df = (part_t + part_c) ** 2 / (part_t**2 / (n_t - 1) + part_c**2 / (n_c - 1))
    quantile = float(stats.t.ppf((1 + confidence) / 2, df))
    difference = float(mean_t - mean_c)
    result.update(
        ci_lower=difference - quantile * standard_error,
        ci_upper=difference + quantile * standard_error,
        p_value=float(2 * stats.t.sf(abs(difference / standard_error), df)),
        df=float(df),
    )
    return result


def log_ratio_interval(
    n_t: float, mean_t: float, var_t: float, n_c: float, mean_c: float, var_c: float,
    confidence: float = DEFAULT_CONFIDENCE_LEVEL,
) -> dict[str, float | None]:
    """Relative lift mean_t / mean_c - 1 with a delta-method interval on log(mean_t / mean_c)."""
    result: dict[str, float | None] = {"relative_lift": None, "ci_lower": None, "ci_upper": None}
    if not n_t or not n_c or pd.isna(mean_t) or pd.isna(mean_c) or mean_c <= 0 or mean_t < 0:
        return result
    result["relative_lift"] = float(mean_t / mean_c - 1)
    if mean_t == 0 or not (_usable(n_t, var_t) and _usable(n_c, var_c)):
        return result
    se_log = math.sqrt(var_t / (n_t * mean_t**2) + var_c / (n_c * mean_c**2))
    if se_log == 0:
        return result
    z = float(stats.norm.ppf((1 + confidence) / 2))
    log_ratio = math.log(mean_t / mean_c)
    result.update(ci_lower=math.exp(log_ratio - z * se_log) - 1, ci_upper=math.exp(log_ratio + z * se_log) - 1)
    return result


def sample_ratio_test_groups(counts: dict[str, float], shares: dict[str, float] | None) -> dict[str, float | None]:
    """Pearson chi-square (k - 1 df) of the user counts of k groups against their intended shares.

    counts: users per group seen; shares: the declared share of every group (a declared group
    not in counts has 0 users)."""
    result: dict[str, float | None] = {"chi_square": None, "p_value": None}
    if not shares or len(shares) < 2 or set(counts) - set(shares):
        return result
    if any(share is None or pd.isna(share) or not 0 < share < 1 for share in shares.values()):
        return result
    total = sum((counts.get(group) or 0) for group in shares)
    if total == 0:
        return result
    observed = np.array([counts.get(group) or 0 for group in shares], dtype=float)
    expected = np.array([total * share for share in shares.values()])
    chi_square = float(((observed - expected) ** 2 / expected).sum())
    return {"chi_square": chi_square, "p_value": float(stats.chi2.sf(chi_square, len(shares) - 1))}


def sample_ratio_test(n_t: float, n_c: float, control_share: float | None) -> dict[str, float | None]:
    """Pearson chi-square (1 df) of the group counts against the intended control share."""
    if control_share is None or pd.isna(control_share):
        return {"chi_square": None, "p_value": None}
    return sample_ratio_test_groups(
        {"treatment": n_t or 0, CONTROL: n_c or 0}, {"treatment": 1 - control_share, CONTROL: control_share},
    )


def holm_adjust(p_values: list[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values, in the order given; a missing p-value stays missing and
    does not count in m."""
    present = sorted(
        (p_value, position) for position, p_value in enumerate(p_values)
        if p_value is not None and not pd.isna(p_value)
    )
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p_value, position) in enumerate(present):
        running = max(running, min(1.0, (len(present) - rank) * p_value))
        adjusted[position] = running
    return adjusted


def compare_groups(treatment: dict, control: dict, control_share: float | None,
                   confidence: float = DEFAULT_CONFIDENCE_LEVEL) -> dict[str, float | None]:
    """All statistics of one campaign segment from its two group summaries (dicts of the
    int_campaign_groups_summarised columns; an absent group is an empty dict)."""
    n_t, n_c = treatment.get("user_count") or 0, control.get("user_count") or 0
    row: dict[str, float | None] = {}
    for metric, source in METRICS.items():
        mean_t, mean_c = treatment.get(f"{source}_mean"), control.get(f"{source}_mean")
        var_t, var_c = treatment.get(f"{source}_variance"), control.get(f"{source}_variance")
        absolute = welch_difference(n_t, mean_t, var_t, n_c, mean_c, var_c, confidence)
        relative = log_ratio_interval(n_t, mean_t, var_t, n_c, mean_c, var_c, confidence)
        row.update({
            f"{metric}_treatment": mean_t,
            f"{metric}_control": mean_c,
            f"{metric}_lift": absolute["lift"],
            f"{metric}_lift_ci_lower": absolute["ci_lower"],
            f"{metric}_lift_ci_upper": absolute["ci_upper"],
            f"{metric}_relative_lift": relative["relative_lift"],
            f"{metric}_relative_lift_ci_lower": relative["ci_lower"],
            f"{metric}_relative_lift_ci_upper": relative["ci_upper"],
            f"{metric}_p_value": absolute["p_value"],
        })
    srm = sample_ratio_test(n_t, n_c, control_share)
    row.update(srm_chi_square=srm["chi_square"], srm_p_value=srm["p_value"])
    return row


def output_columns() -> list[str]:
    group_columns = [f"{group}_{column}" for group in ("treatment", "control") for column in GROUP_COLUMNS]
    metric_columns = [f"{metric}_{statistic}" for metric in METRICS for statistic in STATISTICS]
    return ["campaign_id", "variant", "segment", "intended_control_share", "intended_variant_share",
            "segment_users", "is_window_complete", *group_columns, *metric_columns,
            "srm_chi_square", "srm_p_value"]


def declared_shares(summaries: pd.DataFrame, declared: pd.DataFrame | None) -> dict[str, dict[str, float]]:
    """campaign_id -> {test_group: intended share}: the declared groups, or (without them) the
    treatment / control split of an intended_control_share column of the summaries, if any."""
    shares: dict[str, dict[str, float]] = {}
    if declared is not None:
        for record in declared.to_dict("records"):
            shares.setdefault(record["campaign_id"], {})[record["test_group"]] = float(record["intended_share"])
        return shares
    if "intended_control_share" not in summaries.columns:
        return shares
    for campaign_id, rows in summaries.groupby("campaign_id", sort=True):
        control_shares = rows["intended_control_share"].dropna()
        if len(control_shares):
            control_share = float(control_shares.iloc[0])
            shares[campaign_id] = {"treatment": 1 - control_share, CONTROL: control_share}
    return shares


def campaign_variants(summaries: pd.DataFrame, shares: dict[str, dict[str, float]]) -> dict[str, list[str]]:
    """campaign_id -> its variants, sorted: every group but control, declared or seen."""
    variants: dict[str, set[str]] = {}
    for campaign_id, test_group in summaries[["campaign_id", "test_group"]].itertuples(index=False):
        variants.setdefault(campaign_id, set()).add(test_group)
    for campaign_id, groups in variants.items():
        groups.update(shares.get(campaign_id, {}))
    return {campaign_id: sorted(groups - {CONTROL}) or ["treatment"] for campaign_id, groups in variants.items()}


def _segment_rows(campaign_id: str, segment: str, segment_rows: pd.DataFrame, variants: list[str],
                  shares: dict[str, float] | None, confidence: float) -> list[dict]:
    """The rows of one campaign and segment: one per variant, Holm-adjusted across them."""
    groups = {record["test_group"]: record for record in segment_rows.to_dict("records")}
    control = groups.get(CONTROL, {})
    control_share = (shares or {}).get(CONTROL)
    counts = {group: record.get("user_count") or 0 for group, record in groups.items()}
    srm = sample_ratio_test_groups(counts, shares)
    rows = []
    for variant in variants:
        treatment = groups.get(variant, {})
        row = {
            "campaign_id": campaign_id,
            "variant": variant,
            "segment": segment,
            "intended_control_share": control_share,
            "intended_variant_share": (shares or {}).get(variant),
            "segment_users": sum(counts.values()),
            "is_window_complete": bool(segment_rows["is_window_complete"].fillna(False).all()),
        }
        for group, record in (("treatment", treatment), ("control", control)):
            for column, source in GROUP_COLUMNS.items():
                row[f"{group}_{column}"] = record.get(source, 0)
        row.update(compare_groups(treatment, control, control_share, confidence))
        row.update(srm_chi_square=srm["chi_square"], srm_p_value=srm["p_value"])
        rows.append(row)
    for metric in METRICS:
        adjusted = holm_adjust([row[f"{metric}_p_value"] for row in rows])
        for row, p_value_holm in zip(rows, adjusted):
            row[f"{metric}_p_value_holm"] = p_value_holm
    return rows


def compare_all(summaries: pd.DataFrame, confidence: float = DEFAULT_CONFIDENCE_LEVEL,
                declared: pd.DataFrame | None = None) -> pd.DataFrame:
    """One output row per (campaign_id, variant, segment) of the group summaries."""
    shares = declared_shares(summaries, declared)
    variants = campaign_variants(summaries, shares)
    rows = []
    for (campaign_id, segment), segment_rows in summaries.groupby(["campaign_id", "segment"], sort=True):
        rows.extend(_segment_rows(campaign_id, segment, segment_rows, variants[campaign_id],
                                  shares.get(campaign_id), confidence))
    frame = pd.DataFrame(rows, columns=output_columns())
    for column in frame.columns:
        if column in ("campaign_id", "variant", "segment"):
            # "string", not "object": an empty object column reaches DuckDB as type NULL.
            frame[column] = frame[column].astype("string")
        elif column == "is_window_complete":
            frame[column] = frame[column].astype(bool)
        elif column.endswith(tuple(MONEY_SCALES)):
            scale = next(scale for suffix, scale in MONEY_SCALES.items() if column.endswith(suffix))
            frame[column] = _money(frame[column], scale)
        elif column.endswith(("_users", "_orders", "_messages")):
            frame[column] = frame[column].fillna(0).astype("int64")
        else:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def _as_decimal(value: object) -> Decimal | None:
    """A money value as a Decimal (None stays None; a float is read as its shortest repr)."""
    if value is None or (not isinstance(value, Decimal) and pd.isna(value)):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _money(values: pd.Series, scale: int) -> pd.Series:
    decimal_type = pa.decimal128(18, scale)
    exact = [_as_decimal(value) for value in values]
    quantum = Decimal(1).scaleb(-scale)
    rounded = [None if value is None else value.quantize(quantum) for value in exact]
    return pd.Series(pa.array(rounded, type=decimal_type), index=values.index, dtype=pd.ArrowDtype(decimal_type))
