"""Layer history: backfilled snapshots, migrations between them, and rebuilds that change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from helpers import (
    PROJECT_DIR,
    SAMPLE_LOAD_TIME,
    BuiltSample,
    copy_warehouse,
    failing_data_tests,
    query,
    run_build,
    run_dbt,
)

from stratalib.snapshots import snapshot_dates

HISTORY_FINGERPRINT = """
    select count(*), count(distinct as_of_date), md5(string_agg(
        concat_ws('|', as_of_date, user_id, value_tier, engagement_tier, spend_band, lifecycle_stage,
                  behaviour_tier, churn_risk, rfm_segment, preferred_category, p_alive, order_count,
                  revenue_amount),
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
def backfilled(backfilled_sample: Path) -> Path:
    """The session's backfilled sample (conftest.py): monthly snapshots over the last 160 days."""
    return backfilled_sample


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


def test_rebuilding_the_same_date_leaves_history_unchanged(
    backfilled: Path, dirty_sample: BuiltSample, tmp_path: Path
) -> None:
    warehouse = copy_warehouse(backfilled, tmp_path)
    before = query(warehouse, HISTORY_FINGERPRINT)
    run_build(dirty_sample.raw_dir, warehouse, "--load-time", SAMPLE_LOAD_TIME)
    after = query(warehouse, HISTORY_FINGERPRINT)
    assert after == before


def test_engagement_tier_is_the_181_rule_in_every_snapshot(backfilled: Path) -> None:
    """Every snapshot splits all its users into core / normal / marginal at the configured shares,
    to the nearest user (the singular test checks the current one; this checks the past ones)."""
    shares = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    core_share, marginal_share = shares["engagement_core_share"], shares["engagement_marginal_share"]
    rows = query(
        backfilled,
        "select as_of_date, count(*), count(*) filter (where engagement_tier = 'core'), "
        "count(*) filter (where engagement_tier = 'marginal') "
        "from marts.user_layer_history group by 1 order by 1",
    )
    for as_of_date, users, core, marginal in rows:
        assert abs(core - users * core_share) <= 0.5, (as_of_date, users, core)
        assert abs(marginal - users * marginal_share) <= 0.5, (as_of_date, users, marginal)


def test_history_without_a_layer_dimension_stops_the_build_until_rebuilt(
    backfilled: Path, dirty_sample: BuiltSample, tmp_path: Path
) -> None:
    """A history table written before a layer dimension existed (here: behaviour_tier dropped, as a
    warehouse of the release before it has it) stops the build with a message naming the
    dimension and the way out, and leaves the table as it was; once the table is dropped, the
    build writes the snapshot with every dimension."""
    warehouse = copy_warehouse(backfilled, tmp_path / "old_release")
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("alter table marts.user_layer_history drop column behaviour_tier")
    dates_before = query(warehouse, "select distinct as_of_date from marts.user_layer_history order by 1")

    completed = run_build(dirty_sample.raw_dir, warehouse, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert "behaviour_tier" in output and "strata backfill" in output and "drop table" in output
    assert query(warehouse, "select distinct as_of_date from marts.user_layer_history order by 1") == dates_before

    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("drop table marts.user_layer_history")
    # Everything else is built already: the history model alone writes the snapshot again.
    run_dbt(warehouse, dirty_sample.raw_dir, "run", "--select", "user_layer_history",
            dbt_vars={"load_time": SAMPLE_LOAD_TIME})  # fmt: skip
    [(dates, missing)] = query(
        warehouse,
        "select count(distinct as_of_date), count(*) filter (where behaviour_tier is null) "
        "from marts.user_layer_history",
    )
    assert (dates, missing) == (1, 0)


# Tests of the accumulating layer history that a run scopes to its own snapshot
# (macro snapshot_of_last_run).
SNAPSHOT_TESTS = (
    "unique_combination_user_layer_history_as_of_date__user_id",
    "assert_every_user_in_one_layer_per_dimension",
)


def repeat_a_snapshot_row(warehouse: Path, snapshot: str) -> None:
    """Insert a second copy of one user's row of the first snapshot ('first') or of the current one."""
    latest = "min" if snapshot == "first" else "max"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "insert into marts.user_layer_history select * from marts.user_layer_history "
            f"where as_of_date = (select {latest}(as_of_date) from marts.user_layer_history) order by user_id limit 1"
        )


def test_history_tests_check_the_snapshot_the_run_wrote(
    backfilled: Path, dirty_sample: BuiltSample, tmp_path: Path
) -> None:
    """A user twice in an earlier snapshot is left to the run that wrote it (every snapshot is
    checked with scope_tests_to_last_run false, and by a backfill); twice in the current snapshot,
    the run's own, fails the grain test and the one-layer-per-dimension check."""
    assert failing_data_tests(backfilled, dirty_sample.raw_dir, *SNAPSHOT_TESTS) == []
    first = copy_warehouse(backfilled, tmp_path / "first")
    repeat_a_snapshot_row(first, "first")
    assert failing_data_tests(first, dirty_sample.raw_dir, *SNAPSHOT_TESTS) == []
    every_snapshot = failing_data_tests(first, dirty_sample.raw_dir, *SNAPSHOT_TESTS, scope_tests_to_last_run=False)
    assert every_snapshot == sorted(SNAPSHOT_TESTS)
    current = copy_warehouse(backfilled, tmp_path / "current")
    repeat_a_snapshot_row(current, "current")
    assert failing_data_tests(current, dirty_sample.raw_dir, *SNAPSHOT_TESTS) == sorted(SNAPSHOT_TESTS)
