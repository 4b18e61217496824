"""Builds are idempotent and crash-safe, and a BI reader never sees a half-written mart.

The session's generated sample (conftest's dirty_sample, built once with a fixed load time) is the
clean build; the tests copy that warehouse, rebuild or kill a rebuild, and compare mart
fingerprints (row count + order-independent content hash) with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import (
    SAMPLE_LOAD_TIME,
    BuiltSample,
    copy_warehouse,
    query,
    replace_mart,
    run_build,
    run_strata,
    start_build,
    wait_for_models,
)
from stratalib.fingerprint import mart_fingerprints

# Kill the build once this many models are done: past staging, well before the last marts.
MODELS_DONE_BEFORE_KILL = 16
# The suffix of the old copy of a relation dbt keeps while it swaps in the new one.
BACKUP_SUFFIX = "__dbt_backup"
LOCK_PROBE = (
    "import duckdb, sys\n"
    "try:\n"
    "    duckdb.connect(sys.argv[1], read_only=True).sql('select count(*) from marts.fct_orders').fetchall()\n"
    "    print('read')\n"
    "except duckdb.IOException as error:\n"
    "    print('locked' if 'lock' in str(error).lower() else f'error: {error}')\n"
)


@pytest.fixture(scope="module")
def clean_build(dirty_sample: BuiltSample) -> tuple[Path, Path, dict[str, str]]:
    """(raw dir, warehouse, fingerprints) of the clean build: the session's sample (read-only)."""
    return dirty_sample.raw_dir, dirty_sample.warehouse, mart_fingerprints(dirty_sample.warehouse)


def build(raw_dir: Path, warehouse: Path) -> subprocess.CompletedProcess[str]:
    return run_build(raw_dir, warehouse, "--load-time", SAMPLE_LOAD_TIME)


def copy_of(warehouse: Path, folder: Path) -> Path:
    return copy_warehouse(warehouse, folder)


def leftover_relations(warehouse: Path) -> list[tuple]:
    return query(
        warehouse,
        "select table_schema, table_name from information_schema.tables "
        f"where table_name like '%__dbt_tmp%' or table_name like '%{BACKUP_SUFFIX}%'",
    )


def test_rebuild_on_the_same_input_gives_identical_marts(
    clean_build: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    raw_dir, clean_warehouse, clean_fingerprints = clean_build
    warehouse = copy_of(clean_warehouse, tmp_path)

    build(raw_dir, warehouse)

    assert len(clean_fingerprints) > 10
    assert mart_fingerprints(warehouse) == clean_fingerprints


def test_fingerprint_sees_a_changed_value(clean_build: tuple[Path, Path, dict[str, str]], tmp_path: Path) -> None:
    import duckdb

    _, clean_warehouse, clean_fingerprints = clean_build
    warehouse = copy_of(clean_warehouse, tmp_path)
    with duckdb.connect(str(warehouse)) as connection:
        replace_mart(connection, "fct_orders", "select * replace (order_amount + case when order_id = "
                     "(select min(order_id) from marts.fct_orders) then 0.01 else 0 end as order_amount) "
                     "from marts.fct_orders")  # fmt: skip
    changed = mart_fingerprints(warehouse)
    assert {mart for mart in changed if changed[mart] != clean_fingerprints[mart]} == {"fct_orders"}


def test_killed_build_leaves_complete_marts_and_a_rerun_ends_like_a_clean_build(
    clean_build: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    raw_dir, clean_warehouse, clean_fingerprints = clean_build
    warehouse = copy_of(clean_warehouse, tmp_path)
    running = start_build(raw_dir, warehouse, "--load-time", SAMPLE_LOAD_TIME)
    try:
        wait_for_models(running, MODELS_DONE_BEFORE_KILL)
        # While dbt writes, another process cannot open the file at all: no partial reads.
        probe = subprocess.run([sys.executable, "-c", LOCK_PROBE, str(warehouse)], capture_output=True, text=True)
        # A second build stops at once with the one-line lock message.
        second = run_strata("build", "--raw-dir", raw_dir, "--warehouse", warehouse)
        assert running.poll() is None, "the build finished before the kill: raise MODELS_DONE_BEFORE_KILL"
        os.killpg(running.pid, signal.SIGKILL)
    finally:
        if running.poll() is None:
            os.killpg(running.pid, signal.SIGKILL)
        running.wait()
        if running.stdout is not None:
            running.stdout.close()

    assert probe.stdout.strip() == "locked", probe.stdout + probe.stderr
    assert second.returncode == 2, second.stdout[-2000:] + second.stderr
    stderr_lines = [line for line in second.stderr.splitlines() if line.strip()]
    assert len(stderr_lines) == 1 and "locked by another process" in stderr_lines[0], second.stderr

    # After SIGKILL the previous marts are all there and complete (same content as before). A kill
    # between dbt's commit of a table swap and its drop of the old copy leaves that copy behind as
    # <mart>__dbt_backup: it must be complete too, and the rerun drops it (checked below).
    after_kill = mart_fingerprints(warehouse)
    backed_up = [name.removesuffix(BACKUP_SUFFIX) for name in after_kill if name.endswith(BACKUP_SUFFIX)]
    assert after_kill == clean_fingerprints | {mart + BACKUP_SUFFIX: clean_fingerprints[mart] for mart in backed_up}

    build(raw_dir, warehouse)

    assert mart_fingerprints(warehouse) == clean_fingerprints
    assert leftover_relations(warehouse) == []
