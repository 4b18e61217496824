"""`strata.py check`: the Great Expectations suites pass on a good warehouse and name what broke."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from helpers import BuiltSample, MakeFolder, replace_mart, run_strata

pytest.importorskip("great_expectations")


def copy_warehouse(sample: BuiltSample, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(sample.warehouse, folder / "strata.duckdb"))


@pytest.fixture(scope="module")
def checked_good(dirty_sample: BuiltSample, module_temp: MakeFolder) -> tuple[Path, Path, str]:
    """A copy of the dirty sample's warehouse, checked once: (warehouse, docs dir, output)."""
    root = module_temp("checked_good")
    warehouse, docs_dir = copy_warehouse(dirty_sample, root), root / "ge_docs"
    completed = run_strata("check", "--warehouse", warehouse, "--docs-dir", docs_dir)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    return warehouse, docs_dir, completed.stdout


def test_good_warehouse_passes_and_writes_data_docs(checked_good: tuple[Path, Path, str]) -> None:
    warehouse, docs_dir, output = checked_good
    assert (docs_dir / "index.html").is_file()
    assert "user_rfm" in (docs_dir / "index.html").read_text()
    assert "FAILED" not in output
    assert "row_counts: first check" in output
    assert warehouse.with_name("strata.check_state.json").is_file()


def test_broken_warehouse_fails_naming_suite_expectation_and_rows(
    checked_good: tuple[Path, Path, str], tmp_path: Path
) -> None:
    good, _, _ = checked_good
    warehouse = Path(shutil.copy(good, tmp_path / "strata.duckdb"))
    shutil.copy(good.with_name("strata.check_state.json"), tmp_path / "strata.check_state.json")
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("update marts.user_rfm set r_score = 7 where user_id = (select min(user_id) from marts.user_rfm)")
        # A third of the orders vanish: below the 50% bound of the row-count suite.
        replace_mart(connection, "fct_orders", "select * from marts.fct_orders where hash(order_id) % 3 = 0")
        connection.execute("drop table marts.data_quality_summary")

    completed = run_strata("check", "--warehouse", warehouse, "--docs-dir", tmp_path / "ge_docs")

    assert completed.returncode == 1, completed.stdout[-4000:] + completed.stderr[-2000:]
    failed = [line for line in completed.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 2, completed.stdout
    rfm_line = next(line for line in failed if line.startswith("FAILED user_rfm:"))
    assert "expect_column_values_to_be_between on r_score" in rfm_line and "r_score=7" in rfm_line
    row_count_line = next(line for line in failed if line.startswith("FAILED row_counts:"))
    assert "mart=fct_orders" in row_count_line
    assert "data_quality_summary: skipped, mart marts.data_quality_summary does not exist" in completed.stdout
    assert (tmp_path / "ge_docs" / "index.html").is_file()


def test_quarantine_share_above_threshold_fails(checked_good: tuple[Path, Path, str], tmp_path: Path) -> None:
    good, _, _ = checked_good
    warehouse = Path(shutil.copy(good, tmp_path / "strata.duckdb"))
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "update marts.data_quality_summary set rows_quarantined_total = duplicates_removed + rows_read * 0.25 "
            "where source_table = 'raw_events'"
        )

    completed = run_strata("check", "--warehouse", warehouse, "--docs-dir", tmp_path / "ge_docs")

    assert completed.returncode == 1, completed.stdout[-4000:] + completed.stderr[-2000:]
    failed = [line for line in completed.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and failed[0].startswith("FAILED data_quality_summary:"), completed.stdout
    assert "source_table=raw_events" in failed[0]


def test_missing_warehouse_is_a_usage_error(tmp_path: Path) -> None:
    completed = run_strata("check", "--warehouse", tmp_path / "none.duckdb")
    assert completed.returncode == 2
    assert "does not exist" in completed.stderr
