"""The KPI and DAU-diagnosis marts on the session's dirty sample (conftest.py `dirty_sample`): the
generator plants a DAU dip on one platform (ground_truth.json dau_dip) and the diagnosis must
name that platform; the KPI totals agree with the planted answers."""

from __future__ import annotations

from helpers import BuiltSample, query


def test_the_planted_dau_dip_is_explained_by_its_platform(dirty_sample: BuiltSample) -> None:
    dip = dirty_sample.truth["dau_dip"]
    for comparison in ("day_over_day", "week_over_week"):
        rows = query(dirty_sample.warehouse, f"""
            select breakdown_value, active_users_change, total_change from marts.active_users_change
            where activity_date = '{dip["date"]}' and comparison = '{comparison}' and breakdown = 'platform'
            order by active_users_change, breakdown_value
        """)
        total = rows[0][2]
        assert total < 0, (comparison, rows)
        # The dip's platform lost the most users, more than the whole drop: the others did not fall.
        assert rows[0][0] == dip["platform"] and rows[0][1] <= total, (comparison, rows)
        assert sum(change for _, change, _ in rows) == total


def test_kpi_totals_match_the_planted_answers(dirty_sample: BuiltSample) -> None:
    """Valid orders, net revenue and buyers over the whole period, as the generator counted them."""
    totals = dict(query(dirty_sample.warehouse, """
        select metric_name, sum(metric_value) from marts.kpi_daily
        where breakdown = 'overall' and metric_name in ('orders', 'net_revenue', 'new_buyers')
        group by metric_name
    """))
    assert round(totals["net_revenue"] * 100) == dirty_sample.truth["revenue_cents"]
    assert totals["orders"] == dirty_sample.truth["valid_orders"]
    assert totals["new_buyers"] == dirty_sample.truth["buyers"]
