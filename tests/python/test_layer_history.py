"""Layer history: backfilled snapshots, migrations between them, and rebuilds that change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers import BuiltSample, query, run_build, run_strata

from stratalib.snapshots import snapshot_dates

HISTORY_FINGERPRINT = """
    select count(*), count(distinct as_of_date), md5(string_agg(
        concat_ws('|', as_of_date, user_id, value_tier, spend_band, lifecycle_stage, activity_tier,
                  churn_risk, rfm_segment, preferred_category, p_alive, order_count, revenue_amount),
        ',' order by as_of_date, user_id))
    from marts.user_layer_history
"""


def test_month_end_snapshots_stay_on_month_ends() -> None:
    assert snapshot_dates(date(2024, 1, 31), date(2024, 4, 30), "month") == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]
    assert snapshot_dates(date(2024, 1, 15), date(2024, 3, 14), "month") == [date(2024, 1, 15), date(2024, 2, 15)]
    assert snapshot_dates(date(2024, 1, 1), date(2024, 1, 15), "week") == [
        date(2024, 1, 1),
        date(2024, 1, 8),
        date(2024, 1, 15),
    ]
    with pytest.raises(ValueError):
        snapshot_dates(date(2024, 2, 1), date(2024, 1, 1), "day")


@pytest.fixture(scope="module")
def backfilled(dirty_sample: BuiltSample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new warehouse (backfill needs no earlier build) with monthly snapshots over the last 160 days."""
    warehouse = tmp_path_factory.mktemp("backfill") / "strata.duckdb"
    as_of = date.fromisoformat(dirty_sample.truth["default_as_of_date"])
    first = as_of - timedelta(days=160)
    run_strata(
        "backfill", "--from", str(first), "--to", str(as_of), "--every", "month",
        "--raw-dir", dirty_sample.raw_dir, "--warehouse", warehouse, "--skip-unit-tests", check=True,
    )
    return warehouse


def test_backfill_writes_one_snapshot_per_date(backfilled: Path, dirty_sample: BuiltSample) -> None:
    rows = query(backfilled, "select as_of_date, count(*) from marts.user_layer_history group by 1 order by 1")
    dates = [row[0] for row in rows]
    assert len(dates) >= 6
    assert dates[-1].isoformat() == dirty_sample.truth["default_as_of_date"]
    users_per_date = [count for _, count in rows]
    assert users_per_date == sorted(users_per_date), "users only register, so snapshots only grow"


def test_migration_matrix_is_not_trivial(backfilled: Path) -> None:
    [(moved, stayed)] = query(
        backfilled,
        "select sum(users) filter (where not is_same_layer and from_layer <> '(new user)'), "
        "sum(users) filter (where is_same_layer) "
        "from marts.layer_migrations where dimension = 'lifecycle_stage'",
    )
    assert moved > 0 and stayed > 0
    transitions = query(
        backfilled,
        "select distinct from_layer, to_layer from marts.layer_migrations "
        "where dimension = 'lifecycle_stage' and not is_same_layer and from_layer <> '(new user)'",
    )
    assert len(transitions) >= 3, transitions


def test_rebuilding_the_same_date_leaves_history_unchanged(backfilled: Path, dirty_sample: BuiltSample) -> None:
    before = query(backfilled, HISTORY_FINGERPRINT)
    run_build(dirty_sample.raw_dir, backfilled)
    after = query(backfilled, HISTORY_FINGERPRINT)
    assert after == before
