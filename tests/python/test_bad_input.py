"""Bad input in a CSV export: text where a timestamp or number belongs is quarantined, not fatal.

dbt unit tests mock the raw tables with the types of the export at hand (typed in Parquet), so
values that only a text column can hold are tested here, end to end, on CSV files.
"""

from __future__ import annotations

from pathlib import Path

from helpers import MINI_ORDERS, query, run_build, write_minimal_raw

TEXT_IN_TYPED_COLUMNS = MINI_ORDERS + (
    "o2,u1,yesterday,paid,10.00,0,,app,2024-02-01 10:00:00\n"
    "o3,u1,2024-02-01 11:00:00,paid,ten,0,,app,2024-02-01 11:00:00\n"
    "o4,u1,2024-02-01 12:00:00,paid,10.00,lots,,app,2024-02-01 12:00:00\n"
    "o5,u1,2024-02-01 13:00:00, Completed ,10.00,,,app,2024-02-01 13:00:00\n"
)


def test_text_in_typed_columns_is_quarantined(tmp_path: Path) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    (raw_dir / "raw_orders.csv").write_text(TEXT_IN_TYPED_COLUMNS)
    warehouse = tmp_path / "w.duckdb"
    run_build(raw_dir, warehouse)
    reasons = dict(
        query(warehouse, "select row_key, quarantine_reason from marts.quarantine where source_table = 'raw_orders'")
    )
    assert reasons == {"o2": "invalid_timestamp", "o3": "invalid_amount", "o4": "invalid_amount"}
    kept = query(warehouse, "select order_id, status, discount_amount from marts.fct_orders order by order_id")
    assert [(order_id, status, float(discount)) for order_id, status, discount in kept] == [
        ("o1", "paid", 0.0),
        ("o5", "completed", 0.0),
    ]
