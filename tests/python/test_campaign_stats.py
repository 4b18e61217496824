"""The statistics of campaign_results (stratalib.campaign_stats, which the model
int_campaign_groups_compared calls on DuckDB and its Spark stand-in calls through a table function),
checked against scipy's own tests on hand cases, without dbt.

The functions the model calls are tested: the Welch interval and p-value against
scipy.stats.ttest_ind(equal_var=False), the sample-ratio chi-square against
scipy.stats.chisquare, the delta-method interval of the relative lift against the formula worked
by hand and against its coverage on simulated data.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from stratalib import campaign_stats


@pytest.fixture(scope="module")
def compared() -> ModuleType:
    return campaign_stats


def summary(values: np.ndarray) -> tuple[int, float, float]:
    return len(values), float(np.mean(values)), float(np.var(values, ddof=1))


HAND_CASES = {
    # revenue-like values with very different variances and sizes
    "revenue": (np.array([0, 0, 120.5, 0, 80, 0, 0, 310, 0, 45.25]), np.array([0, 0, 0, 99.9, 0, 0, 15])),
    # 0/1 conversion indicators: the proportions get the Welch interval too
    "conversion": (np.array([1] * 12 + [0] * 88), np.array([1] * 4 + [0] * 46)),
    # control larger than treatment: a negative lift
    "negative": (np.array([1.0, 2.0, 1.5, 0.5]), np.array([3.0, 2.5, 4.0, 3.5, 2.0, 3.0])),
}


@pytest.mark.parametrize("case", sorted(HAND_CASES))
@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_welch_matches_scipy_ttest_ind(compared: ModuleType, case: str, confidence: float) -> None:
    treatment, control = HAND_CASES[case]
    result = compared.welch_difference(*summary(treatment), *summary(control), confidence)
    reference = stats.ttest_ind(treatment, control, equal_var=False)
    interval = reference.confidence_interval(confidence_level=confidence)
    assert result["lift"] == pytest.approx(treatment.mean() - control.mean(), rel=1e-12)
    assert result["ci_lower"] == pytest.approx(interval.low, rel=1e-9)
    assert result["ci_upper"] == pytest.approx(interval.high, rel=1e-9)
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
    assert result["df"] == pytest.approx(reference.df, rel=1e-9)


def test_welch_is_null_when_undefined(compared: ModuleType) -> None:
    one_user = compared.welch_difference(1, 5.0, float("nan"), 10, 1.0, 2.0)
    assert one_user["lift"] == 4.0 and one_user["ci_lower"] is None and one_user["p_value"] is None
    constant = compared.welch_difference(10, 0.0, 0.0, 10, 0.0, 0.0)
    assert constant["lift"] == 0.0 and constant["ci_lower"] is None and constant["p_value"] is None


@pytest.mark.parametrize(
    ("observed", "share"),
    [((800, 200), 0.2), ((820, 180), 0.2), ((4890, 1110), 0.2), ((52, 48), 0.5), ((10, 0), 0.3)],
)
def test_sample_ratio_matches_scipy_chisquare(compared: ModuleType, observed: tuple[int, int], share: float) -> None:
    treatment, control = observed
    total = treatment + control
    reference = stats.chisquare(observed, [total * (1 - share), total * share])
    result = compared.sample_ratio_test(treatment, control, share)
    assert result["chi_square"] == pytest.approx(reference.statistic, rel=1e-12, abs=1e-12)
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-9)


def test_sample_ratio_hand_case(compared: ModuleType) -> None:
    # 1000 users, intended 20 % control: expected 800 / 200, observed 760 / 240.
    # X2 = 40^2 / 800 + 40^2 / 200 = 2 + 8 = 10; P(chi2_1 > 10) = 0.0015654.
    result = compared.sample_ratio_test(760, 240, 0.2)
    assert result["chi_square"] == pytest.approx(10.0)
    assert result["p_value"] == pytest.approx(0.0015654022580025, rel=1e-9)
    assert compared.sample_ratio_test(760, 240, None)["p_value"] is None


def test_relative_lift_delta_method_hand_case(compared: ModuleType) -> None:
    # Treatment 120 of 1000 converted, control 40 of 500: m_t = 0.12, m_c = 0.08, ratio 1.5.
    # v = p (1 - p) n / (n - 1). se_log^2 = v_t / (n_t m_t^2) + v_c / (n_c m_c^2)
    #   = (0.12 * 0.88 * 1000/999) / (1000 * 0.0144) + (0.08 * 0.92 * 500/499) / (500 * 0.0064)
    #   = 0.0073407 + 0.0230461 = 0.0303868, se_log = 0.174318; z = 1.959964, z * se_log = 0.341658.
    # interval exp(0.405465 -/+ 0.341658) - 1 = [exp(0.063807), exp(0.747123)] - 1 = [0.06589, 1.11092].
    n_t, m_t, n_c, m_c = 1000, 0.12, 500, 0.08
    v_t, v_c = m_t * (1 - m_t) * n_t / (n_t - 1), m_c * (1 - m_c) * n_c / (n_c - 1)
    result = compared.log_ratio_interval(n_t, m_t, v_t, n_c, m_c, v_c, 0.95)
    se_log = math.sqrt(v_t / (n_t * m_t**2) + v_c / (n_c * m_c**2))
    z = stats.norm.ppf(0.975)
    assert result["relative_lift"] == pytest.approx(0.5)
    assert result["ci_lower"] == pytest.approx(math.exp(math.log(1.5) - z * se_log) - 1, rel=1e-12)
    assert result["ci_upper"] == pytest.approx(math.exp(math.log(1.5) + z * se_log) - 1, rel=1e-12)
    assert result["ci_lower"] == pytest.approx(0.06589, abs=5e-5)
    assert result["ci_upper"] == pytest.approx(1.11092, abs=5e-5)


def test_relative_lift_is_null_without_control_conversions(compared: ModuleType) -> None:
    assert compared.log_ratio_interval(100, 0.1, 0.09, 50, 0.0, 0.0)["relative_lift"] is None
    no_treatment = compared.log_ratio_interval(100, 0.0, 0.0, 50, 0.1, 0.09)
    assert no_treatment["relative_lift"] == -1.0 and no_treatment["ci_lower"] is None


def test_relative_lift_interval_covers_the_truth_about_95_percent(compared: ModuleType) -> None:
    """2,000 simulated experiments (p_c = 0.08, p_t = 0.12, 1,000 vs 4,000 users): the interval
    contains the true 0.5 in 95 % +/- 1.5 % of them."""
    rng = np.random.default_rng(11)
    n_t, n_c, repeats = 4000, 1000, 2000
    converted_t = rng.binomial(n_t, 0.12, repeats)
    converted_c = rng.binomial(n_c, 0.08, repeats)
    covered = 0
    for k_t, k_c in zip(converted_t, converted_c):
        m_t, m_c = k_t / n_t, k_c / n_c
        result = compared.log_ratio_interval(
            n_t, m_t, m_t * (1 - m_t) * n_t / (n_t - 1), n_c, m_c, m_c * (1 - m_c) * n_c / (n_c - 1), 0.95
        )
        covered += result["ci_lower"] <= 0.5 <= result["ci_upper"]
    assert abs(covered / repeats - 0.95) < 0.015


def test_compare_all_shapes_one_row_per_campaign_segment(compared: ModuleType) -> None:
    treatment, control = HAND_CASES["conversion"]
    rows = []
    for group, values in (("treatment", treatment), ("control", control)):
        n, mean, variance = summary(values)
        rows.append({
            "campaign_id": "c1", "segment": "overall", "test_group": group, "user_count": n,
            "converted_user_count": int(values.sum()), "converted_mean": mean, "converted_variance": variance,
            "orders_mean": mean, "orders_variance": variance, "revenue_mean": mean, "revenue_variance": variance,
            "order_count": int(values.sum()), "revenue_amount": float(values.sum()),
            "message_cost_amount": 1.0, "uncosted_messages": 0, "is_window_complete": True,
            "intended_control_share": 1 / 3,
        })
    frame = compared.compare_all(pd.DataFrame(rows))
    assert len(frame) == 1 and list(frame.columns) == compared.output_columns()
    row = frame.iloc[0]
    assert (row["treatment_users"], row["control_users"]) == (100, 50)
    assert row["srm_p_value"] == pytest.approx(1.0)  # 100 : 50 is exactly the intended 2 : 1
    reference = stats.ttest_ind(treatment, control, equal_var=False)
    assert row["conversion_rate_p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
    empty = compared.compare_all(pd.DataFrame(columns=list(rows[0])))
    assert len(empty) == 0 and list(empty.columns) == compared.output_columns()


@pytest.mark.parametrize(("p_values", "expected"), [
    # sorted 0.01, 0.03, 0.04 -> 3 x 0.01 = 0.03; 2 x 0.03 = 0.06; 1 x 0.04 = 0.04, raised to 0.06
    ([0.01, 0.04, 0.03], [0.03, 0.06, 0.06]),
    # a missing p-value does not count: m = 2 -> 2 x 0.02 = 0.04; 1 x 0.5 = 0.5
    ([0.02, None, 0.5], [0.04, None, 0.5]),
    # capped at 1: 2 x 0.6 = 1.2 -> 1; 0.7 -> raised to 1
    ([0.6, 0.7], [1.0, 1.0]),
    # one variant: the p-value itself
    ([0.0123], [0.0123]),
])
def test_holm_adjust_hand_worked(compared: ModuleType, p_values: list, expected: list) -> None:
    adjusted = compared.holm_adjust(p_values)
    assert adjusted == [None if value is None else pytest.approx(value, abs=1e-15) for value in expected]


def test_sample_ratio_test_of_three_groups_hand_worked(compared: ModuleType) -> None:
    # 500 users declared 0.2 / 0.4 / 0.4: expected 100, 200, 200; observed 90, 200, 210:
    # X2 = 100 / 100 + 0 + 100 / 200 = 1.5; chi2 with 2 df: P(> x) = exp(-x / 2) = exp(-0.75).
    result = compared.sample_ratio_test_groups(
        {"control": 90, "creative_a": 200, "creative_b": 210},
        {"control": 0.2, "creative_a": 0.4, "creative_b": 0.4},
    )
    assert result["chi_square"] == pytest.approx(1.5, rel=1e-12)
    assert result["p_value"] == pytest.approx(math.exp(-0.75), rel=1e-12)
    reference = stats.chisquare([90, 200, 210], [100, 200, 200])
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    # a declared group nobody was put in counts 0; an undeclared group makes the test undefined
    missing = compared.sample_ratio_test_groups({"control": 100, "creative_a": 400}, {
        "control": 0.2, "creative_a": 0.4, "creative_b": 0.4})
    assert missing["chi_square"] == pytest.approx(0 + 200**2 / 200 + 200**2 / 200)
    assert compared.sample_ratio_test_groups({"control": 1, "other": 1}, {"control": 0.5, "treatment": 0.5}) == {
        "chi_square": None, "p_value": None}


def test_two_group_sample_ratio_is_the_old_one_degree_test(compared: ModuleType) -> None:
    result = compared.sample_ratio_test(430, 70, 0.2)
    reference = stats.chisquare([430, 70], [400, 100])
    assert result["chi_square"] == pytest.approx(reference.statistic, rel=1e-12)
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)


def test_compare_all_one_row_per_variant_with_holm_and_k_group_srm(compared: ModuleType) -> None:
    """control and two variants: one row per variant, Holm over the two, SRM over the three groups."""
    groups = {
        "control": np.array([1] * 10 + [0] * 90),
        "creative_a": np.array([1] * 30 + [0] * 170),
        "creative_b": np.array([1] * 22 + [0] * 178),
    }
    rows = []
    for group, values in groups.items():
        n, mean, variance = summary(values)
        rows.append({
            "campaign_id": "c2", "segment": "overall", "test_group": group, "user_count": n,
            "converted_user_count": int(values.sum()), "converted_mean": mean, "converted_variance": variance,
            "orders_mean": mean, "orders_variance": variance, "revenue_mean": mean, "revenue_variance": variance,
            "order_count": int(values.sum()), "revenue_amount": float(values.sum()), "message_cost_amount": 1.0,
            "uncosted_messages": 0, "coupon_discount_amount": 2.5, "is_window_complete": True,
            "intended_control_share": 0.2,
        })
    declared = pd.DataFrame({"campaign_id": ["c2"] * 3, "test_group": list(groups), "intended_share": [0.2, 0.4, 0.4]})
    frame = compared.compare_all(pd.DataFrame(rows), 0.95, declared)
    assert list(frame["variant"]) == ["creative_a", "creative_b"]
    assert list(frame["treatment_users"]) == [200, 200] and list(frame["control_users"]) == [100, 100]
    assert list(frame["segment_users"]) == [500, 500]
    p_a = stats.ttest_ind(groups["creative_a"], groups["control"], equal_var=False).pvalue
    p_b = stats.ttest_ind(groups["creative_b"], groups["control"], equal_var=False).pvalue
    low, high = sorted([p_a, p_b])
    holm = {p_a: None, p_b: None}
    holm[low] = min(1.0, 2 * low)
    holm[high] = max(holm[low], min(1.0, high))
    assert list(frame["conversion_rate_p_value"]) == [pytest.approx(p_a, rel=1e-9), pytest.approx(p_b, rel=1e-9)]
    assert list(frame["conversion_rate_p_value_holm"]) == [
        pytest.approx(holm[p_a], rel=1e-9), pytest.approx(holm[p_b], rel=1e-9)]
    assert frame["conversion_rate_p_value_holm"].iloc[0] != pytest.approx(p_a)  # adjusted, not copied
    srm = stats.chisquare([100, 200, 200], [100, 200, 200])  # exactly the declared split
    assert list(frame["srm_p_value"]) == [pytest.approx(srm.pvalue), pytest.approx(srm.pvalue)]
    assert [str(value) for value in frame["treatment_coupon_discount_amount"]] == ["2.50", "2.50"]
