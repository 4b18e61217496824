"""Cut a raw-data folder to the export as it stood at an earlier instant (daily runs, benchmarks).

A company's export grows day by day: events arrive (some days late), orders are placed and later
completed or refunded, users register. `export_as_of(src, dst, cut)` writes to `dst` what `src`
would have held at `cut`, so a test or benchmark can replay daily loads from one generated folder:
- raw_events: rows received by `cut` (received_at <= cut; a row without received_at, by occurred_at);
- raw_orders: orders placed by `cut`; an order whose row changed after `cut` (completed or refunded
  later) is restored to the state it had before: status 'paid', updated_at = ordered_at (how
  the generator and the raw contract describe a new order);
- raw_order_items: the lines of the orders kept;
- raw_users: registered by `cut`; raw_campaign_sends: sent by `cut`;
- raw_marketing_spend: the days that ended by `cut`.
A row whose cut column is null is kept in every slice (it is dirt the build quarantines either way).
Every table is written as one Parquet file, raw_events as a folder (one of the contract's forms).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from stratalib.raw_files import detect_raw_formats, raw_file_rule

# Per table: the SQL filter (and, for orders, the projection) of the export at $cut.
KEPT_BY_TIMESTAMP = {
    "raw_events": "coalesce(received_at, occurred_at) is null or coalesce(received_at, occurred_at) <= $cut",
    "raw_users": "registered_at is null or registered_at <= $cut",
    "raw_campaign_sends": "sent_at is null or sent_at <= $cut",
    "raw_marketing_spend": "spend_date is null or spend_date + interval 1 day <= $cut",
    "raw_orders": "ordered_at is null or ordered_at <= $cut",
}
ORDERS_AT_CUT = """
    select * replace (
        case when updated_at > $cut then 'paid' else status end as status,
        case when updated_at > $cut then ordered_at else updated_at end as updated_at
    )
    from raw_orders
    where {kept}
"""


def reader(src: Path, table: str, file_format: str) -> str:
    """The DuckDB table function reading `table` in the form it has in `src`."""
    form = next(form for form in raw_file_rule().forms if form.format == file_format)
    path = str(src / form.pattern(table)).replace("'", "''")
    return f"read_csv('{path}', header = true)" if file_format == "csv" else f"read_parquet('{path}')"


def export_as_of(src: Path, dst: Path, cut: datetime) -> dict[str, int]:
    """Write the export of `src` as it stood at `cut` into `dst`; return the rows written per table."""
    dst.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    connection.execute("set enable_progress_bar = false")
    formats = detect_raw_formats(src)
    for table, file_format in formats.items():
        connection.execute(f"create or replace view {table} as select * from {reader(src, table, file_format)}")
    written: dict[str, int] = {}
    parameters = {"cut": cut}
    for table in formats:
        if table == "raw_orders":
            query = ORDERS_AT_CUT.format(kept=KEPT_BY_TIMESTAMP[table])
        elif table == "raw_order_items":
            query = f"""
                select items.* from raw_order_items as items
                where items.order_id not in (
                    select order_id from raw_orders
                    where order_id is not null and not ({KEPT_BY_TIMESTAMP['raw_orders']})
                )
            """
        else:
            query = f"select * from {table} where {KEPT_BY_TIMESTAMP[table]}"
        if table == "raw_events":
            (dst / table).mkdir(exist_ok=True)
            target = dst / table / "part-00000.parquet"
        else:
            target = dst / f"{table}.parquet"
        connection.execute(f"create or replace temp table slice_rows as {query}", parameters)
        connection.execute(f"copy slice_rows to '{target}' (format parquet)")
        written[table] = connection.execute("select count(*) from slice_rows").fetchone()[0]
    connection.close()
    return written
