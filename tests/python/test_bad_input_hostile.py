"""The bad-input matrix, continued: inputs a hostile user found that built a wrong warehouse.

Each case has its own inputs and fails on a build that ignores it:
- timestamps with an offset are the instant they name; integer timestamps are Unix epoch
  seconds or milliseconds (told apart by magnitude); Parquet timestamps with a time zone give
  the same warehouse whatever the TZ of the machine;
- a raw folder whose name has a glob character is refused, not read as a pattern; Parquet files
  in subfolders of a table folder (Hive layout) are read and counted;
- rows of one user that disagree on consent resolve to opt-out;
- an order re-sent with another user is quarantined as a conflict, not moved;
- an order line or spend row too large for the money type is quarantined, not a crash;
- spend dates before 2000 or in the future are quarantined; money with digits past the cents is
  rounded and counted (rows_amount_rounded), not rounded silently;
- e-mail addresses and phone numbers in event pages and properties are masked, ids survive;
- a table quarantined (almost) whole stops the build, naming the table and its top reason, and
  the marts of the last good build stay.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import (
    COLUMNS,
    HEADERS,
    ORDER_COLUMNS,
    USER_COLUMNS,
    LOAD_TIME,
    Built,
    MakeFolder,
    assert_one_line_error,
    build_at_load_time,
    order,
    quarantined,
    query,
    relations_with_personal_data,
    run_build,
    summary,
    user,
    write_csv,
    write_minimal_raw,
)
from stratalib.fingerprint import mart_fingerprints

T = "2024-02-01 10:00:00"


def order_version(order_id: str, user_id: str, updated_at: str) -> list[str]:
    return [order_id, user_id, T, "paid", "10.00", "0", "", "app", updated_at]


def event_row(event_id: str, occurred_at: str, received_at: str, page: str, properties: str) -> list[str]:
    return [event_id, "u1", "device-1", "s1", "page_view", occurred_at, received_at, "app", page, "", "", "", properties]


HOSTILE_USERS = [
    user("u1", "2024-01-01 10:00:00"),
    user("u2", "2024-01-01 10:00:00", opt_in="true"),
    user("u2", "2024-01-01 10:00:00", opt_in="false"),  # equal but for consent: opt-out wins
    user("u3", "2024-01-01T23:30:00-05:00"),  # 04:30 UTC the next day
    user("u4", "1704067200"),  # epoch seconds: 2024-01-01 00:00:00 UTC
    user("u5", "1704067200000"),  # epoch milliseconds: the same instant
    user("u6", "2024-01-01 12:00:00+08:00"),  # 04:00 UTC
]
HOSTILE_ORDERS = [
    order("o1", "u1", T, amount="10.005"),  # past the cents: kept, rounded, counted
    order("o2", "u1", "2024-02-01T23:30:00-05:00"),
    order("o3", "u1", "1706745600"),
    order_version("o4", "u1", "2024-02-01 10:00:00"),
    order_version("o4", "u2", "2024-02-03 10:00:00"),  # the same order re-sent with another user
]
HOSTILE_ITEMS = [
    ["o1", "1", "p1", "Tea", "drinks", "2", "5.00"],
    ["o1", "2", "p2", "Gold", "luxury", "1000", "9000000000000000.00"],  # overflowed DECIMAL(18,2)
    ["o1", "3", "p3", "Tea", "drinks", "2", "600000.00"],  # 1.2 million: above max_line_amount
]
PAGE = "/contact?email=Li.Lei@example.com&tel=+86 138 0000 0123"
PROPERTIES = (
    '{"phone": "13800000123", "note": "mail me at li.lei@example.com", "product_id": "p13812345678", '
    '"order_id": "o1", "price": 12.5, "id": 1234567890123}'
)
HOSTILE_EVENTS = [
    event_row("e1", T, T, PAGE, PROPERTIES),
    event_row("e2", T, T, "home", '{"tel": 13800000123, "n": 3}'),
    event_row("e3", "2024-02-01T10:00:00+08:00", "1706752800000", "home", "{}"),
]
HOSTILE_SPEND = [
    ["2024-02-01", "paid_search", "brand", "100.00", "1000", "10"],
    ["1970-01-01", "paid_search", "brand", "5.00", "1", "1"],
    ["2999-01-01", "paid_search", "brand", "5.00", "1", "1"],
    ["2024-02-02", "paid_search", "brand", "9000000000000000.00", "1", "1"],  # two of these overflowed the sum
    ["2024-02-03", "paid_search", "brand", "9000000000000000.00", "1", "1"],
]
HOSTILE_ROWS = {
    "raw_users": (HOSTILE_USERS, {"u2": ["duplicate_user_id"]}),
    "raw_orders": (HOSTILE_ORDERS, {"o4": ["conflicting_user_id", "superseded_version"]}),
    "raw_order_items": (HOSTILE_ITEMS, {"o1#2": ["amount_out_of_range"], "o1#3": ["amount_out_of_range"]}),
    "raw_events": (HOSTILE_EVENTS, {}),
    "raw_marketing_spend": (HOSTILE_SPEND, {
        "1970-01-01|paid_search|brand": ["timestamp_before_2000"],
        "2999-01-01|paid_search|brand": ["future_timestamp"],
        "2024-02-02|paid_search|brand": ["amount_out_of_range"],
        "2024-02-03|paid_search|brand": ["amount_out_of_range"],
    }),
}


@pytest.fixture(scope="module")
def hostile_csv(module_temp: MakeFolder) -> Built:
    """One CSV export with every row-level case (each row has its own key, so they cannot interfere)."""
    root = module_temp("hostile_csv")
    raw_dir = root / "raw"
    raw_dir.mkdir()
    write_csv(raw_dir / "raw_users.csv", USER_COLUMNS, HOSTILE_USERS)
    write_csv(raw_dir / "raw_orders.csv", ORDER_COLUMNS, HOSTILE_ORDERS)
    for table in ("raw_order_items", "raw_events", "raw_marketing_spend"):
        write_csv(raw_dir / f"{table}.csv", COLUMNS[table], HOSTILE_ROWS[table][0])
    (raw_dir / "raw_campaign_sends.csv").write_text(HEADERS["raw_campaign_sends"])
    build_at_load_time(raw_dir, root / "w.duckdb")
    return Built(raw_dir, root / "w.duckdb")


@pytest.mark.parametrize("table", sorted(HOSTILE_ROWS))
def test_hostile_rows_are_quarantined_with_their_reason(hostile_csv: Built, table: str) -> None:
    rows, expected = HOSTILE_ROWS[table]
    assert quarantined(hostile_csv.warehouse, table) == expected
    rows_read, rows_kept, _ = summary(hostile_csv.warehouse, table)
    assert (rows_read, rows_kept) == (len(rows), len(rows) - sum(len(reasons) for reasons in expected.values()))


def test_offsets_and_epochs_are_the_instants_they_name(hostile_csv: Built) -> None:
    users = query(hostile_csv.warehouse, "select user_id, cast(registered_at as varchar) from marts.dim_users order by 1")
    assert users == [
        ("u1", "2024-01-01 10:00:00"),
        ("u2", "2024-01-01 10:00:00"),
        ("u3", "2024-01-02 04:30:00"),
        ("u4", "2024-01-01 00:00:00"),
        ("u5", "2024-01-01 00:00:00"),
        ("u6", "2024-01-01 04:00:00"),
    ]
    orders = query(
        hostile_csv.warehouse,
        "select order_id, cast(ordered_at as varchar), cast(order_date as varchar) from marts.fct_orders order by 1",
    )
    assert orders == [
        ("o1", "2024-02-01 10:00:00", "2024-02-01"),
        ("o2", "2024-02-02 04:30:00", "2024-02-02"),
        ("o3", "2024-02-01 00:00:00", "2024-02-01"),
    ]
    events = query(
        hostile_csv.warehouse,
        "select cast(occurred_at as varchar), cast(received_at as varchar) from marts.fct_events where event_id = 'e3'",
    )
    assert events == [("2024-02-01 02:00:00", "2024-02-01 02:00:00")]


def test_amounts_past_the_cents_are_rounded_and_counted(hostile_csv: Built) -> None:
    rounded = dict(query(
        hostile_csv.warehouse,
        "select distinct source_table, rows_amount_rounded from marts.data_quality_summary",
    ))  # fmt: skip
    assert rounded == {
        "raw_users": 0, "raw_orders": 1, "raw_order_items": 0, "raw_events": 0,
        "raw_marketing_spend": 0, "raw_campaign_sends": 0,
    }  # fmt: skip
    (amount,) = query(hostile_csv.warehouse, "select order_amount from marts.fct_orders where order_id = 'o1'")[0]
    assert float(amount) == 10.01


def test_duplicate_rows_resolve_consent_towards_opt_out(hostile_csv: Built) -> None:
    consent = dict(query(hostile_csv.warehouse, "select user_id, marketing_opt_in from marts.dim_users"))
    assert consent["u1"] is True and consent["u2"] is False


def test_oversized_lines_and_spend_never_reach_the_marts(hostile_csv: Built) -> None:
    items = query(hostile_csv.warehouse, "select order_id, line_number from marts.fct_order_items")
    assert items == [("o1", 1)]
    spend = query(
        hostile_csv.warehouse,
        "select cast(month_date as varchar), spend_amount from marts.channel_performance where spend_amount > 0",
    )
    assert [(month, float(amount)) for month, amount in spend] == [("2024-02-01", 100.0)]


def test_contacts_in_events_are_masked_and_ids_survive(hostile_csv: Built) -> None:
    events = dict(
        (event_id, (page, properties))
        for event_id, page, properties in query(
            hostile_csv.warehouse, "select event_id, page, properties from marts.fct_events"
        )
    )
    assert events["e1"][0] == "/contact?email=[email]&tel=[phone]"
    assert json.loads(events["e1"][1]) == {
        "phone": "[phone]",
        "note": "mail me at [email]",
        "product_id": "p13812345678",
        "order_id": "o1",
        "price": 12.5,
        "id": 1234567890123,
    }
    assert json.loads(events["e2"][1]) == {"tel": "[phone]", "n": 3}  # still valid JSON
    hits = relations_with_personal_data(hostile_csv.warehouse)
    assert {name for name in hits if not name.startswith("raw.")} == set(), hits


# --- the raw folder: glob characters, Hive subfolders, the machine's time zone ---------------------


def test_glob_characters_in_the_raw_folder_are_refused(tmp_path: Path) -> None:
    write_minimal_raw(tmp_path / "exp1")  # what the pattern exp[1] would match
    raw_dir = write_minimal_raw(tmp_path / "exp[1]")
    completed = build_at_load_time(raw_dir, tmp_path / "w.duckdb", check=False)
    assert_one_line_error(completed, "exp[1]", "glob character")
    assert "Running with dbt" not in completed.stdout  # refused before dbt starts


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def write_zoned_parquet_export(raw_dir: Path) -> Path:
    """Parquet tables whose timestamps carry a time zone, raw_events in Hive-style subfolders.

    raw_users.registered_at is integer epoch seconds; raw_orders.ordered_at is stored in
    Asia/Shanghai (an instant late on 31 January UTC, 1 February in Shanghai).
    """
    raw_dir.mkdir(parents=True)
    users = pa.table({
        "user_id": ["u1"],
        "registered_at": pa.array([1704103200], pa.int64()),  # 2024-01-01 10:00:00 UTC
        "marketing_opt_in": [True],
    })  # fmt: skip
    pq.write_table(users, raw_dir / "raw_users.parquet")
    zoned = pa.timestamp("us", tz="Asia/Shanghai")
    orders = pa.table({
        "order_id": ["o1", "o2"],
        "user_id": ["u1", "u1"],
        "ordered_at": pa.array([utc(2024, 1, 31, 20), utc(2024, 2, 10, 1)], zoned),
        "status": ["paid", "paid"],
        "order_amount": pa.array([10.0, 20.0], pa.float64()),
        "updated_at": pa.array([utc(2024, 1, 31, 20), utc(2024, 2, 10, 1)], zoned),
    })  # fmt: skip
    pq.write_table(orders, raw_dir / "raw_orders.parquet")
    events_dir = raw_dir / "raw_events"
    for folder, event_id, occurred in (("dt=2024-01", "e1", utc(2024, 1, 31, 20)),
                                       ("dt=2024-02", "e2", utc(2024, 2, 10, 1)),
                                       (".", "e3", utc(2024, 2, 10, 0, 30))):  # fmt: skip
        (events_dir / folder).mkdir(parents=True, exist_ok=True)
        events = pa.table({
            "event_id": [event_id],
            "user_id": ["u1"],
            "event_name": ["page_view"],
            "occurred_at": pa.array([occurred], pa.timestamp("us", tz="UTC")),
        })  # fmt: skip
        pq.write_table(events, events_dir / folder / f"part-{event_id}.parquet")
    for table in ("raw_order_items", "raw_marketing_spend", "raw_campaign_sends"):
        (raw_dir / f"{table}.csv").write_text(HEADERS[table])
    return raw_dir


@pytest.fixture(scope="module")
def zoned_builds(module_temp: MakeFolder) -> dict[str, Path]:
    """The same Parquet export built on a machine in UTC and on one in Asia/Shanghai."""
    root = module_temp("zoned")
    raw_dir = write_zoned_parquet_export(root / "raw")
    warehouses = {}
    for machine_zone in ("UTC", "Asia/Shanghai"):
        warehouse = root / machine_zone.replace("/", "_") / "w.duckdb"
        run_build(raw_dir, warehouse, "--load-time", LOAD_TIME, env={"TZ": machine_zone})
        warehouses[machine_zone] = warehouse
    return warehouses


def test_zoned_parquet_timestamps_are_utc_instants(zoned_builds: dict[str, Path]) -> None:
    warehouse = zoned_builds["Asia/Shanghai"]
    orders = query(
        warehouse, "select order_id, cast(ordered_at as varchar), cast(order_date as varchar) from marts.fct_orders order by 1"
    )
    assert orders == [("o1", "2024-01-31 20:00:00", "2024-01-31"), ("o2", "2024-02-10 01:00:00", "2024-02-10")]
    assert query(warehouse, "select cast(registered_at as varchar) from marts.dim_users") == [("2024-01-01 10:00:00",)]


def test_the_machines_time_zone_changes_no_mart(zoned_builds: dict[str, Path]) -> None:
    in_utc = mart_fingerprints(zoned_builds["UTC"])
    assert len(in_utc) > 10
    assert mart_fingerprints(zoned_builds["Asia/Shanghai"]) == in_utc


def test_hive_style_subfolders_are_read_and_counted(zoned_builds: dict[str, Path]) -> None:
    warehouse = zoned_builds["UTC"]
    rows_read, rows_kept, _ = summary(warehouse, "raw_events")
    assert (rows_read, rows_kept) == (3, 3)
    assert query(warehouse, "select event_id from marts.fct_events order by 1") == [("e1",), ("e2",), ("e3",)]


# --- the guard rail: a table quarantined (almost) whole stops the build ---------------------------

GUARD_ORDERS = 150


def write_orders(raw_dir: Path, ordered_at: str, copies: int = 1) -> None:
    rows = [order(f"o{number}", "u1", ordered_at) for number in range(GUARD_ORDERS)]
    write_csv(raw_dir / "raw_orders.csv", ORDER_COLUMNS, rows * copies)


def test_a_table_quarantined_whole_stops_the_build_and_keeps_the_last_marts(tmp_path: Path) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    warehouse = tmp_path / "w.duckdb"
    write_orders(raw_dir, T, copies=2)  # half the rows are exact copies: duplicates do not count
    build_at_load_time(raw_dir, warehouse)
    assert query(warehouse, "select count(*) from marts.fct_orders") == [(GUARD_ORDERS,)]

    write_orders(raw_dir, "02/01/2024 10:00")  # a date format nothing reads: every row quarantined
    completed = build_at_load_time(raw_dir, warehouse, check=False)

    assert completed.returncode == 1, completed.stdout[-3000:] + completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, completed.stderr
    assert "raw_orders" in lines[0] and "invalid_timestamp" in lines[0] and "150 of 150" in lines[0], lines[0]
    assert query(warehouse, "select count(*) from marts.fct_orders") == [(GUARD_ORDERS,)]
