"""Content fingerprints of the marts: equal fingerprints mean equal contents of what a reader sees,
tables and views (a published view, e.g. fct_orders over int_orders_sequenced, is a mart too).

A mart's fingerprint is its row count and an order-independent hash aggregate: every column is
cast to text (nulls to a marker), each value is hashed, the row hash is the md5 of its value
hashes (so no separator can be confused with data), and the sum of the rows' hashes (first 64
bits) is taken. Summing, not xor-ing, keeps duplicate rows from cancelling out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MARTS_SCHEMA = "marts"
NULL_MARKER = "\\N"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def fingerprint_sql(schema: str, table: str, columns: list[str]) -> str:
    """SQL returning one row: row count and the sum of the 64-bit row hashes."""
    value_hashes = ", ".join(
        f"md5(coalesce(cast({quote_identifier(column)} as varchar), '{NULL_MARKER}'))" for column in columns
    )
    row_hash = f"md5(concat({value_hashes}, ''))"
    return (
        f"select count(*), coalesce(sum(cast(('0x' || left({row_hash}, 16)) as ubigint)::hugeint), 0) "
        f"from {quote_identifier(schema)}.{quote_identifier(table)}"
    )


def table_columns(connection: Any, schema: str = MARTS_SCHEMA, *, views: bool = False) -> dict[str, list[str]]:
    """Every table of `schema` (and its views if `views`) with its columns in order."""
    kinds = ["BASE TABLE", "VIEW"] if views else ["BASE TABLE"]
    columns_by_table: dict[str, list[str]] = {}
    for table, column in connection.execute(
        """
        select columns.table_name, columns.column_name
        from information_schema.columns as columns
        inner join information_schema.tables as tables
            on columns.table_schema = tables.table_schema and columns.table_name = tables.table_name
        where columns.table_schema = ? and list_contains(?, tables.table_type)
        order by columns.table_name, columns.ordinal_position
        """,
        [schema, kinds],
    ).fetchall():
        columns_by_table.setdefault(table, []).append(column)
    return columns_by_table


def mart_fingerprints(warehouse: Path, schema: str = MARTS_SCHEMA) -> dict[str, str]:
    """Map every table and view of `schema` to '<row count>:<hash sum>', reading the file read-only."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute("set enable_progress_bar = false")
        fingerprints = {}
        for table, columns in table_columns(connection, schema, views=True).items():
            row_count, hash_sum = connection.execute(fingerprint_sql(schema, table, columns)).fetchone()
            fingerprints[table] = f"{row_count}:{hash_sum}"
    return fingerprints
