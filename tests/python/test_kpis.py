"""The KPI and DAU-diagnosis marts on the session's dirty sample (conftest.py `dirty_sample`): the
generator plants a DAU dip on one platform (ground_truth.json dau_dip) and the diagnosis must
name that platform; the KPI totals agree with the planted answers. Year-over-year figures need two
years of data: a small two-year sample is built for them (the KPI models and their parents only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import SAMPLE_LOAD_TIME, BuiltSample, MakeFolder, query, run_dbt, run_strata


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


@pytest.fixture(scope="module")
def two_years(module_temp: MakeFolder) -> Path:
    """1,000 users over 730 days, the seeds, the KPI marts and their parents built (no unit tests)."""
    root = module_temp("two_years")
    run_strata("generate", "--out", root / "raw", "--users", "1000", "--days", "730", "--start", "2023-01-01",
               "--seed", "5", "--quiet", check=True)  # fmt: skip
    warehouse = root / "strata.duckdb"
    run_dbt(warehouse, root / "raw", "build", "--select", "+kpi_daily", "+kpi_monthly", "resource_type:seed",
            "--exclude-resource-type", "unit_test", "--indirect-selection", "cautious",
            dbt_vars={"load_time": SAMPLE_LOAD_TIME})  # fmt: skip
    return warehouse


@pytest.mark.parametrize(("mart", "period"), [("kpi_monthly", "month_date"), ("kpi_daily", "kpi_date")])
def test_year_over_year_reads_the_same_period_a_year_earlier(two_years: Path, mart: str, period: str) -> None:
    """Every last_year_value is the mart's own value a year earlier (29 February: 28 February), and
    the second year has them: an independent self-join over the published rows."""
    [(compared, mismatched, second_year_rows)] = query(two_years, f"""
        select
            count(*) filter (where this_year.last_year_value is not null),
            count(*) filter (where this_year.last_year_value is distinct from earlier.metric_value
                and earlier.{period} is not null),
            count(*) filter (where earlier.{period} is not null)
        from marts.{mart} as this_year
        left join marts.{mart} as earlier
            on earlier.{period} = cast(this_year.{period} - interval 1 year as date)
            and earlier.breakdown = this_year.breakdown
            and earlier.breakdown_value = this_year.breakdown_value
            and earlier.metric_name = this_year.metric_name
    """)
    assert mismatched == 0
    assert second_year_rows > 0 and compared > 0
    [(changes_wrong,)] = query(two_years, f"""
        select count(*) from marts.{mart}
        where last_year_value is not null
            and abs(year_over_year_change - (metric_value - last_year_value)) > 1e-9
    """)
    assert changes_wrong == 0
