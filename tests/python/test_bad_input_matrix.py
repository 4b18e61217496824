"""The bad-input matrix: every kind of bad raw input ends one of two ways.

Either the bad rows are quarantined with their reason (marts.quarantine), counted
(marts.data_quality_summary) and the good rows reach the marts; or, when the file itself cannot
be read as the contract says (a missing table or column, a ragged or non-UTF-8 CSV, an empty
folder), the run stops with exit code 2 and one line on stderr naming the table and file.

Row-level cases share one build per export format (CSV, Parquet) because they cannot interfere:
each bad row has its own key. Cases that stop the run get a build each. Covered elsewhere:
a missing table file, a missing raw_dir, a missing CSV column and header-only CSV tables in
test_runner.py; text in typed CSV columns in test_bad_input.py.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import (
    COLUMNS,
    HEADERS,
    MINI_ORDERS,
    ORDER_COLUMNS,
    USER_COLUMNS,
    Built,
    MakeFolder,
    assert_one_line_error,
    build_at_load_time,
    event,
    order,
    quarantined,
    query,
    send,
    summary,
    user,
    write_csv,
    write_minimal_raw,
)

# --- one CSV export holding every kind of bad row ------------------------------------------------

T = "2024-02-01 10:00:00"

DIRTY_USERS = [
    user("u1", "2024-01-01 10:00:00"),
    user("u2", "2024-01-02 10:00:00", city="Zürich"),
    user("u2", "2024-01-05 10:00:00", city="Basel", opt_in="false"),  # duplicate: the later row goes, its opt-out stays
    user("", "2024-01-03 10:00:00"),
    user("u3", "soon"),
    user("u4", "2999-01-01 00:00:00"),
    user("u5", "1999-12-31 23:59:59"),
    user("u6", ""),
]
EXPECTED_USERS = {
    "u2": ["duplicate_user_id"],
    "(missing)": ["missing_user_id"],
    "u3": ["invalid_timestamp"],
    "u4": ["future_timestamp"],
    "u5": ["timestamp_before_2000"],
    "u6": ["missing_registered_at"],
}

DIRTY_ORDERS = [
    order("o1", "u1", T),
    order("o2", "u1", "2024-02-02 10:00:00", status=" PAID ", amount="20.00"),
    order("o3", "u2", "2024-02-03 10:00:00", status="Completed", amount="30.00"),
    order("o4", "u1", T, status="pending_review"),
    order("o5", "u1", T, amount="-5.00"),
    order("o6", "u1", T, amount="5000000000.00"),
    order("o7", "u99", T),
    order("o8", "u3", T),  # u3 is quarantined, so its order has no known user
    order("o9", "u1", "2999-01-01 00:00:00"),
    order("o10", "u1", "1999-06-01 00:00:00"),
    order("o11", "u1", "not a date"),
    order("o12", "", T),
    order("", "u1", T),
]
EXPECTED_ORDERS = {
    "o4": ["unknown_status"],
    "o5": ["negative_amount"],
    "o6": ["amount_out_of_range"],
    "o7": ["unknown_user"],
    "o8": ["unknown_user"],
    "o9": ["future_timestamp"],
    "o10": ["timestamp_before_2000"],
    "o11": ["invalid_timestamp"],
    "o12": ["missing_user_id"],
    "(missing)": ["missing_order_id"],
}

DIRTY_ITEMS = [
    ["o1", "1", "p1", "Tea", "drinks", "2", "5.00"],
    ["o4", "1", "p1", "Tea", "drinks", "1", "5.00"],
]
EXPECTED_ITEMS = {"o4#1": ["unknown_order"]}

DIRTY_EVENTS = [
    event("e1", "u1", "page_view", T, "2024-02-01 10:00:05", '{"page": "home"}'),
    event("e2", "u1", "product_view", "2024-02-01 10:01:00", "2024-02-04 09:00:00"),  # second delivery, listed first
    event("e2", "u1", "product_view", "2024-02-01 10:01:00", "2024-02-01 10:01:02"),
    event("e3", "u1", "add_to_cart", "2024-02-01 10:02:00", "2024-02-05 10:02:00"),  # four days late
    event("e4", "u1", "product_view", T, T, '{"product_id": "p1"'),
    event("e5", "", "page_view", T, T),
    event("e6", "u99", "page_view", T, T),
    event("e7", "u1", "", T, T),
    # Events of an unknown user whose occurred_at reads as another text than its parsed value:
    # the quarantine shows it as read (test_event_row_detail_shows_occurred_at_as_read).
    event("e8", "u99", "page_view", "2024-02-01T10:00:00Z", T),
    event("e9", "u99", "page_view", "1706781600", T),
    event("e10", "u99", "page_view", "2024-02-01 18:00:00+08:00", T),
]
EXPECTED_EVENTS = {
    "e2": ["duplicate_event"],
    "e4": ["invalid_json"],
    "e6": ["unknown_user"],
    "e7": ["missing_event_name"],
    "e8": ["unknown_user"],
    "e9": ["unknown_user"],
    "e10": ["unknown_user"],
}

DIRTY_SPEND = [
    ["2024-02-01", "paid_search", "brand", "100.00", "1000", "10"],
    ["2024-02-01", "", "brand", "5.00", "1", "1"],
]

DIRTY_SENDS = [
    send("s1", "u1", " SMS ", "treatment"),
    send("s2", "u2", "email", " Control "),
    send("s3", "u1", "carrier_pigeon", "treatment"),
    send("s4", "u2", "email", "experiment"),
    send("s5", "u99", "push", "treatment"),
    send("", "u1", "sms", "treatment"),
]
EXPECTED_SENDS = {
    "s3": ["unknown_value"],
    "s4": ["unknown_value"],
    "s5": ["unknown_user"],
    "(missing)": ["missing_key"],
}

DIRTY_ROWS = {
    "raw_users": (DIRTY_USERS, EXPECTED_USERS),
    "raw_orders": (DIRTY_ORDERS, EXPECTED_ORDERS),
    "raw_order_items": (DIRTY_ITEMS, EXPECTED_ITEMS),
    "raw_events": (DIRTY_EVENTS, EXPECTED_EVENTS),
    # a key part is null: the key keeps the parts it has, with ? for the missing one
    "raw_marketing_spend": (DIRTY_SPEND, {"2024-02-01|?|brand": ["missing_key"]}),
    "raw_campaign_sends": (DIRTY_SENDS, EXPECTED_SENDS),
}


@pytest.fixture(scope="module")
def dirty_csv(module_temp: MakeFolder) -> Built:
    """Every row-level fault in one CSV export. raw_users also has a UTF-8 BOM and CRLF line ends."""
    root = module_temp("dirty_csv")
    raw_dir = root / "raw"
    raw_dir.mkdir()
    write_csv(raw_dir / "raw_users.csv", USER_COLUMNS, DIRTY_USERS, newline="\r\n", encoding="utf-8-sig")
    write_csv(raw_dir / "raw_orders.csv", ORDER_COLUMNS, DIRTY_ORDERS)
    for table in COLUMNS:
        write_csv(raw_dir / f"{table}.csv", COLUMNS[table], DIRTY_ROWS[table][0])
    build_at_load_time(raw_dir, root / "w.duckdb")
    return Built(raw_dir, root / "w.duckdb")


@pytest.mark.parametrize("table", sorted(DIRTY_ROWS))
def test_bad_rows_are_quarantined_with_their_reason(dirty_csv: Built, table: str) -> None:
    assert quarantined(dirty_csv.warehouse, table) == DIRTY_ROWS[table][1]


@pytest.mark.parametrize("table", sorted(DIRTY_ROWS))
def test_every_row_read_is_counted_kept_or_quarantined(dirty_csv: Built, table: str) -> None:
    rows, expected = DIRTY_ROWS[table]
    rows_read, rows_kept, per_reason = summary(dirty_csv.warehouse, table)
    assert rows_read == len(rows)  # nothing was dropped while reading the file
    expected_counts: dict[str, int] = {}
    for reasons in expected.values():
        for reason in reasons:
            expected_counts[reason] = expected_counts.get(reason, 0) + 1
    assert per_reason == expected_counts
    assert rows_kept == rows_read - sum(expected_counts.values())


def test_good_orders_flow_with_status_normalised(dirty_csv: Built) -> None:
    orders = query(dirty_csv.warehouse, "select order_id, status, order_amount from marts.fct_orders order by order_id")
    assert [(order_id, status, float(amount)) for order_id, status, amount in orders] == [
        ("o1", "paid", 10.0),
        ("o2", "paid", 20.0),
        ("o3", "completed", 30.0),
    ]
    items = query(dirty_csv.warehouse, "select order_id, line_number, quantity from marts.fct_order_items")
    assert items == [("o1", 1, 2)]


def test_bom_crlf_users_are_read_cleanly(dirty_csv: Built) -> None:
    """A BOM must not rename the first column; CRLF must not leave '\\r' in the last one."""
    users = query(dirty_csv.warehouse, "select user_id, city, marketing_opt_in from marts.dim_users order by user_id")
    assert users == [("u1", "Shanghai", True), ("u2", "Zürich", False)]  # u2's later copy withdrew consent


def test_duplicate_and_late_events(dirty_csv: Built) -> None:
    events = query(
        dirty_csv.warehouse,
        "select event_id, cast(received_at as varchar), is_late_arrival from marts.fct_events order by event_id",
    )
    assert events == [
        ("e1", "2024-02-01 10:00:05", False),
        ("e2", "2024-02-01 10:01:02", False),  # the earliest delivery is kept
        ("e3", "2024-02-05 10:02:00", True),
        ("e5", "2024-02-01 10:00:00", False),
    ]


def test_event_row_detail_shows_occurred_at_as_read(dirty_csv: Built) -> None:
    """An event staging keeps and int_events_validated quarantines (unknown_user) is described with
    its occurred_at as read, not as parsed, like an event staging rejects (e4)."""
    details = query(
        dirty_csv.warehouse,
        "select row_key, row_detail from marts.quarantine where source_table = 'raw_events'"
        " and row_key in ('e4', 'e6', 'e8', 'e9', 'e10') order by row_key",
    )
    assert details == [
        ("e10", f"event_name=page_view, occurred_at_raw=2024-02-01 18:00:00+08:00, received_at={T}"),
        ("e4", f"event_name=product_view, occurred_at_raw={T}, received_at={T}"),
        ("e6", f"event_name=page_view, occurred_at_raw={T}, received_at={T}"),
        ("e8", f"event_name=page_view, occurred_at_raw=2024-02-01T10:00:00Z, received_at={T}"),
        ("e9", f"event_name=page_view, occurred_at_raw=1706781600, received_at={T}"),
    ]
    # Staging stored the detail of e8..e10 (their text is not the parsed value's); e6's was
    # rebuilt from its values, like every kept event's (doc block event_row_detail).
    stored = query(
        dirty_csv.warehouse,
        "select event_id, row_detail is not null from staging.stg_raw__events"
        " where quarantine_reason is null order by event_id",
    )
    assert stored == [(e, e in {"e10", "e8", "e9"}) for e in ["e1", "e10", "e2", "e3", "e5", "e6", "e8", "e9"]]


def test_campaign_send_values_are_normalised(dirty_csv: Built) -> None:
    kept = query(
        dirty_csv.warehouse,
        "select send_id, channel, test_group from intermediate.int_campaign_sends_validated "
        "where quarantine_reason is null order by send_id",
    )
    assert kept == [("s1", "sms", "treatment"), ("s2", "email", "control")]


# --- a Parquet export: typed files, zero-row files, in a folder whose name needs quoting -----------


@pytest.fixture(scope="module")
def parquet_export(module_temp: MakeFolder) -> Built:
    """Parquet tables (one a folder of files) in a folder named with a space and a single quote.

    raw_orders.ordered_at is a string column with unparseable values; raw_order_items and the
    raw_campaign_sends folder are zero-row typed files; raw_events is a zero-row file of null-typed
    columns (what pandas writes for an empty frame); raw_marketing_spend is a header-only CSV.
    """
    root = module_temp("parquet")
    raw_dir = root / "it's a raw dir"
    raw_dir.mkdir()
    users = pa.table({
        "user_id": ["u1"],
        "registered_at": pa.array([datetime(2024, 1, 1, 10)], pa.timestamp("us")),
    })  # fmt: skip
    pq.write_table(users, raw_dir / "raw_users.parquet")
    orders = pa.table({
        "order_id": ["o1", "o2", "o3", "o4"],
        "user_id": ["u1", "u1", "u1", "u1"],
        "ordered_at": ["2024-02-01 10:00:00", "not a time", "2024-02-30 10:00:00", None],
        "status": ["paid"] * 4,
        "order_amount": pa.array([10.5, 11.0, 12.0, 13.0], pa.float64()),
    })  # fmt: skip
    pq.write_table(orders, raw_dir / "raw_orders.parquet")
    typed_items = pa.schema([("order_id", pa.string()), ("line_number", pa.int32()), ("product_id", pa.string())])
    pq.write_table(typed_items.empty_table(), raw_dir / "raw_order_items.parquet")
    null_events = pa.table({name: pa.array([], pa.null()) for name in COLUMNS["raw_events"]})
    pq.write_table(null_events, raw_dir / "raw_events.parquet")
    (raw_dir / "raw_marketing_spend.csv").write_text(HEADERS["raw_marketing_spend"])
    (raw_dir / "raw_campaign_sends").mkdir()
    typed_sends = pa.schema([(name, pa.string()) for name in COLUMNS["raw_campaign_sends"]])
    pq.write_table(typed_sends.empty_table(), raw_dir / "raw_campaign_sends" / "part-0.parquet")
    build_at_load_time(raw_dir, root / "w.duckdb")
    return Built(raw_dir, root / "w.duckdb")


def test_path_with_space_and_quote_builds(parquet_export: Built) -> None:
    assert " " in parquet_export.raw_dir.name and "'" in parquet_export.raw_dir.name
    (user_count,) = query(parquet_export.warehouse, "select count(*) from marts.dim_users")[0]
    assert user_count == 1


def test_parquet_text_timestamps_are_quarantined(parquet_export: Built) -> None:
    assert quarantined(parquet_export.warehouse, "raw_orders") == {
        "o2": ["invalid_timestamp"],
        "o3": ["invalid_timestamp"],
        "o4": ["missing_ordered_at"],
    }
    orders = query(parquet_export.warehouse, "select order_id, order_amount from marts.fct_orders")
    assert [(order_id, float(amount)) for order_id, amount in orders] == [("o1", 10.5)]


def test_zero_row_parquet_tables_give_empty_marts(parquet_export: Built) -> None:
    counts = query(
        parquet_export.warehouse,
        "select (select count(*) from marts.fct_events), (select count(*) from marts.fct_sessions), "
        "(select count(*) from marts.fct_order_items), "
        "(select sum(rows_read) from marts.data_quality_summary where source_table in "
        "('raw_events', 'raw_order_items', 'raw_marketing_spend', 'raw_campaign_sends'))",
    )
    assert counts == [(0, 0, 0, 0)]


# --- inputs that stop the run with one line -------------------------------------------------------


@pytest.fixture(scope="module")
def stop_paths(module_temp: MakeFolder) -> tuple[Path, Path]:
    """(raw folder, warehouse) shared by the builds below, one after the other: with the same paths
    dbt sees the same vars and profile, so every build after the first reuses the project it parsed
    (dbt's partial parsing) instead of parsing it again. Each of them stops before writing a model."""
    root = module_temp("stops")
    return root / "raw", root / "w.duckdb"


@pytest.fixture
def stop_raw(stop_paths: tuple[Path, Path]) -> Path:
    """The shared raw folder, emptied and filled with the minimal valid export."""
    shutil.rmtree(stop_paths[0], ignore_errors=True)
    return write_minimal_raw(stop_paths[0])


def build_stopping(stop_paths: tuple[Path, Path]) -> subprocess.CompletedProcess[str]:
    """The build of the shared raw folder into the shared warehouse, expected to stop."""
    raw_dir, warehouse = stop_paths
    return build_at_load_time(raw_dir, warehouse, check=False)


def test_parquet_missing_required_column_stops(stop_raw: Path, stop_paths: tuple[Path, Path]) -> None:
    raw_dir = stop_raw
    (raw_dir / "raw_events.csv").unlink()
    schema = pa.schema([(name, pa.string()) for name in COLUMNS["raw_events"] if name != "occurred_at"])
    pq.write_table(schema.empty_table(), raw_dir / "raw_events.parquet")
    completed = build_stopping(stop_paths)
    assert_one_line_error(completed, "raw table raw_events", "raw_events.parquet", "occurred_at")


def test_ragged_rows_stop_naming_the_first_line(stop_raw: Path, stop_paths: tuple[Path, Path]) -> None:
    """Line 3 has too few fields, line 4 too many: neither is padded, cut or skipped silently."""
    raw_dir = stop_raw
    ragged = "o2,u1,2024-02-01 11:00:00,paid\n" "o3,u1,2024-02-01 11:00:00,paid,10.00,0,,app,2024-02-01,extra\n"
    (raw_dir / "raw_orders.csv").write_text(MINI_ORDERS + ragged)
    completed = build_stopping(stop_paths)
    assert_one_line_error(
        completed, "raw table raw_orders", "raw_orders.csv", "line 3 has fewer fields", "2 bad lines in all"
    )


def test_semicolon_delimited_csv_stops(stop_raw: Path, stop_paths: tuple[Path, Path]) -> None:
    raw_dir = stop_raw
    header = HEADERS["raw_order_items"].replace(",", ";")
    (raw_dir / "raw_order_items.csv").write_text(header + "o1;1;p1;Tea;drinks;1;5,00\n")
    completed = build_stopping(stop_paths)
    assert_one_line_error(completed, "raw table raw_order_items", "raw_order_items.csv", "';'")


def test_non_utf8_csv_stops_naming_the_line(stop_raw: Path, stop_paths: tuple[Path, Path]) -> None:
    raw_dir = stop_raw
    rows = [user("u1", "2024-01-01 10:00:00"), user("u2", "2024-01-01 10:00:00", city="München")]
    write_csv(raw_dir / "raw_users.csv", USER_COLUMNS, rows, encoding="latin-1")
    completed = build_stopping(stop_paths)
    assert_one_line_error(completed, "raw table raw_users", "raw_users.csv", "line 3", "UTF-8")


def test_zero_byte_csv_stops(stop_raw: Path, stop_paths: tuple[Path, Path]) -> None:
    raw_dir = stop_raw
    (raw_dir / "raw_events.csv").write_bytes(b"")
    completed = build_stopping(stop_paths)
    assert_one_line_error(completed, "raw table raw_events", "raw_events.csv", "header")


def test_empty_raw_dir_stops(tmp_path: Path) -> None:
    raw_dir = tmp_path / "empty export"
    raw_dir.mkdir()
    completed = build_at_load_time(raw_dir, tmp_path / "w.duckdb", check=False)
    assert_one_line_error(completed, str(raw_dir), "no raw tables")
