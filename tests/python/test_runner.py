"""The runner's contract: exit codes 0 / 1 / 2 and one-line messages for bad input."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import run_strata

MINI_USERS = """user_id,registered_at,acquisition_channel,acquisition_campaign,gender,birth_year,city,city_tier,email,phone,marketing_opt_in
u1,2024-01-01 10:00:00,organic,,female,1990,Shanghai,1,a@example.com,,true
"""
MINI_ORDERS = """order_id,user_id,ordered_at,status,order_amount,discount_amount,coupon_code,platform,updated_at
o1,u1,2024-02-01 10:00:00,paid,10.00,0,,app,2024-02-01 10:00:00
"""
HEADERS = {
    "raw_order_items": "order_id,line_number,product_id,product_name,category,quantity,unit_price\n",
    "raw_events": "event_id,user_id,anonymous_id,session_id,event_name,occurred_at,received_at,platform,page,"
    "utm_source,utm_medium,utm_campaign,properties\n",
    "raw_marketing_spend": "spend_date,channel,campaign,spend,impressions,clicks\n",
    "raw_campaign_sends": "send_id,campaign_id,user_id,channel,test_group,sent_at,target_layer\n",
}


def write_minimal_raw(raw_dir: Path) -> Path:
    """One user with one order; every other table present but empty."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    (raw_dir / "raw_users.csv").write_text(MINI_USERS)
    (raw_dir / "raw_orders.csv").write_text(MINI_ORDERS)
    for table, header in HEADERS.items():
        (raw_dir / f"{table}.csv").write_text(header)
    return raw_dir


def assert_one_line_error(completed: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert completed.returncode == 2, completed.stdout[-2000:] + completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout
    for fragment in fragments:
        assert fragment in lines[0]


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
    from conftest import query

    raw_dir = write_minimal_raw(tmp_path / "raw")
    warehouse = tmp_path / "w.duckdb"
    run_strata("build", "--raw-dir", raw_dir, "--warehouse", warehouse, check=True)
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
