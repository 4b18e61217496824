"""Find the six raw tables of the input contract in a raw-data folder.

Each table is `<raw_dir>/<table>.parquet`, a folder `<raw_dir>/<table>/` of Parquet files (read
recursively: Hive-style subfolders such as `dt=2024-12/` included), or `<raw_dir>/<table>.csv`,
looked for in that order. A raw folder whose path has a glob character (`* ? [ ]`) is refused:
the lookups are glob patterns, and `exp[1]` would read a sibling folder `exp1`. The dbt hook `register_raw_tables` applies the
same rule on DuckDB; this module lets the runner stop early with a one-line message, and tells the
Spark target which format each table has.
"""

from __future__ import annotations

from pathlib import Path

GLOB_CHARACTERS = "*?[]"

RAW_TABLES = (
    "raw_users",
    "raw_orders",
    "raw_order_items",
    "raw_events",
    "raw_marketing_spend",
    "raw_campaign_sends",
)


class RawInputError(Exception):
    """The raw-data folder does not hold what the contract asks for."""


def table_format(raw_dir: Path, table: str) -> str | None:
    """Return 'parquet', 'parquet_dir' or 'csv' for the first form of `table` found, else None."""
    if (raw_dir / f"{table}.parquet").is_file():
        return "parquet"
    folder = raw_dir / table
    if folder.is_dir() and any(folder.rglob("*.parquet")):
        return "parquet_dir"
    if (raw_dir / f"{table}.csv").is_file():
        return "csv"
    return None


def detect_raw_formats(raw_dir: Path) -> dict[str, str]:
    """Map each raw table to its format, raising RawInputError naming what is missing."""
    if not raw_dir.is_dir():
        raise RawInputError(f"raw_dir {raw_dir} does not exist or is not a folder")
    glob_characters = sorted(set(GLOB_CHARACTERS) & set(str(raw_dir)))
    if glob_characters:
        raise RawInputError(
            f"raw_dir {raw_dir} has the glob character(s) {' '.join(glob_characters)} in its path, which "
            "would match other folders; rename or link it without * ? [ ]"
        )
    found = {table: table_format(raw_dir, table) for table in RAW_TABLES}
    if not any(found.values()):
        raise RawInputError(
            f"raw_dir {raw_dir} holds no raw tables: expected {', '.join(RAW_TABLES)}, "
            "each as <table>.parquet, <table>/**/*.parquet or <table>.csv"
        )
    formats: dict[str, str] = {}
    for table, table_found in found.items():
        if table_found is None:
            raise RawInputError(
                f"raw table {table} not found: expected {raw_dir}/{table}.parquet, "
                f"{raw_dir}/{table}/**/*.parquet or {raw_dir}/{table}.csv"
            )
        formats[table] = table_found
    return formats
