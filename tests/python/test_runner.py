"""The runner's contract: exit codes 0 / 1 / 2 and one-line messages for bad input."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import MINI_ORDERS, assert_one_line_error, query, run_build, run_strata, write_minimal_raw


def test_missing_raw_dir_is_a_usage_error(tmp_path: Path) -> None:
    completed = run_strata("build", "--raw-dir", tmp_path / "nope", "--warehouse", tmp_path / "w.duckdb")
    assert_one_line_error(completed, "does not exist", "nope")


def test_missing_table_names_the_expected_files(tmp_path: Path) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    (raw_dir / "raw_events.csv").unlink()
    completed = run_strata("build", "--raw-dir", raw_dir, "--warehouse", tmp_path / "w.duckdb")
    assert_one_line_error(completed, "raw_events", "raw_events.parquet", "raw_events.csv")


def test_missing_required_column_names_table_and_column(tmp_path: Path) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    (raw_dir / "raw_orders.csv").write_text(MINI_ORDERS.replace("ordered_at,", "when,"))
    completed = run_strata("build", "--raw-dir", raw_dir, "--warehouse", tmp_path / "w.duckdb")
    assert_one_line_error(completed, "raw_orders", "ordered_at")


def test_bad_generate_arguments_are_usage_errors(tmp_path: Path) -> None:
    completed = run_strata("generate", "--out", tmp_path / "g", "--users", 0)
    assert_one_line_error(completed)


def test_empty_tables_build_and_marts_are_empty_where_they_should_be(tmp_path: Path) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    warehouse = tmp_path / "w.duckdb"
    run_build(raw_dir, warehouse)
    counts = query(
        warehouse,
        "select (select count(*) from marts.fct_orders), (select count(*) from marts.fct_events), "
        "(select count(*) from marts.fct_order_items), (select count(*) from marts.quarantine)",
    )
    assert counts == [(1, 0, 0, 0)]


@pytest.mark.skipif(shutil.which("true") is None, reason="needs a POSIX system")
def test_locked_warehouse_gets_a_one_line_message(tmp_path: Path) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    warehouse = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        completed = run_strata("build", "--raw-dir", raw_dir, "--warehouse", warehouse)
        assert time.monotonic() - started < 60
    finally:
        holder.kill()
        holder.wait()
    assert_one_line_error(completed, "locked by another process")
