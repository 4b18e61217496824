"""Row-by-row comparison of the marts of a DuckDB build with the same marts of a Spark build.

Both sides are read through DuckDB (the DuckDB warehouse file, and the Parquet files that
export_spark_marts.py wrote from Spark), sorted by the mart's grain (its unique or
unique_combination test in the manifest), then compared cell by cell:

- counts, ids, texts, booleans, dates and timestamps: equal;
- money (decimal columns): equal to the cent, and the same scale on both engines;
- rates and probabilities (double columns): within FLOAT_TOLERANCE.

A column that is decimal on one engine and floating point on the other is a difference too.
Nothing here loosens a rule for one mart: an engine difference is fixed in a dispatched macro.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

FLOAT_TOLERANCE = 1e-9
# How many differing rows of a column a report shows.
SHOWN_ROWS = 5


@dataclass
class MartDiff:
    """What differs in one mart; empty lists when the engines agree."""

    mart: str
    grain: list[str]
    problems: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def report(self) -> str:
        return "\n".join([f"{self.mart} (sorted by {', '.join(self.grain)}):", *("  " + p for p in self.problems)])


def mart_grains(manifest_path: Path) -> dict[str, list[str]]:
    """Every model under models/marts with its grain: the columns of its unique_combination test,
    else the column of its unique test, else every column (an empty list: no grain test)."""
    manifest = json.loads(manifest_path.read_text())
    grains: dict[str, list[str]] = {
        node["name"]: []
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/")
    }
    by_id = {node_id: node["name"] for node_id, node in manifest["nodes"].items()}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        model = by_id.get(node.get("attached_node") or "")
        if node["resource_type"] != "test" or model not in grains:
            continue
        kwargs = metadata.get("kwargs", {})
        if metadata.get("name") == "unique_combination":
            grains[model] = list(kwargs["combination_of_columns"])
        elif metadata.get("name") == "unique" and not grains[model]:
            grains[model] = [kwargs["column_name"]]
    return grains


def column_kind(duckdb_type: str) -> str:
    """How a column compares: 'decimal(s)' (money, exact with its scale), 'float' or 'exact'."""
    upper = duckdb_type.upper()
    if upper.startswith("DECIMAL"):
        return f"decimal scale {upper.rstrip(')').split(',')[-1].strip()}"
    if upper in {"DOUBLE", "FLOAT", "REAL"}:
        return "float"
    if upper in {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}:
        return "integer"
    return "exact"


def normalised(value: Any) -> Any:
    """Timestamps with a zone as UTC wall-clock time (Spark writes UTC instants, DuckDB keeps
    zone-less UTC timestamps); everything else as it is."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def cells_equal(kind: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if kind == "float":
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return abs(float(left) - float(right)) <= FLOAT_TOLERANCE
    if kind.startswith("decimal"):
        return Decimal(left) == Decimal(right)
    return normalised(left) == normalised(right)


def describe(connection: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {name: kind for name, kind, *_ in connection.sql(f"describe select * from {relation}").fetchall()}


def compare_mart(connection: duckdb.DuckDBPyConnection, mart: str, grain: list[str], spark_parquet: Path) -> MartDiff:
    """Compare marts.<mart> of the attached DuckDB warehouse `duck` with the Parquet export."""
    in_marts = connection.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = 'duck' and table_schema = 'marts' and table_name = ?",
        [mart],
    ).fetchall()[0][0]
    duck_relation = f"duck.marts.{mart}" if in_marts else f"duck_restricted.main.{mart}"
    spark_relation = f"read_parquet('{spark_parquet}/*.parquet')"
    duck_columns, spark_columns = describe(connection, duck_relation), describe(connection, spark_relation)
    diff = MartDiff(mart, grain or ["every column (no grain test)"])
    if set(duck_columns) != set(spark_columns):
        diff.problems.append(
            f"columns only on DuckDB: {sorted(set(duck_columns) - set(spark_columns))}, "
            f"only on Spark: {sorted(set(spark_columns) - set(duck_columns))}"
        )
        return diff
    columns = list(duck_columns)
    kinds = {}
    for column in columns:
        duck_kind, spark_kind = column_kind(duck_columns[column]), column_kind(spark_columns[column])
        if duck_kind != spark_kind:  # integer widths may differ: both are "integer"
            diff.problems.append(
                f"column {column}: {duck_columns[column]} on DuckDB, {spark_columns[column]} on Spark"
            )
        kinds[column] = duck_kind
    if diff:
        return diff
    order = ", ".join(f'"{c}" nulls first' for c in (grain or []) + [c for c in columns if c not in grain])
    select = ", ".join(f'"{c}"' for c in columns)
    duck_rows = connection.sql(f"select {select} from {duck_relation} order by {order}").fetchall()
    spark_rows = connection.sql(f"select {select} from {spark_relation} order by {order}").fetchall()
    if len(duck_rows) != len(spark_rows):
        diff.problems.append(f"row count: {len(duck_rows)} on DuckDB, {len(spark_rows)} on Spark")
        key_positions = [columns.index(c) for c in grain] if grain else list(range(len(columns)))
        duck_keys = {tuple(normalised(row[i]) for i in key_positions) for row in duck_rows}
        spark_keys = {tuple(normalised(row[i]) for i in key_positions) for row in spark_rows}
        for side, only in (("DuckDB", duck_keys - spark_keys), ("Spark", spark_keys - duck_keys)):
            if only:
                shown = sorted(only, key=repr)[:SHOWN_ROWS]
                diff.problems.append(f"  {len(only)} grain keys only on {side}, e.g. {shown}")
        return diff
    key_positions = [columns.index(c) for c in grain]
    for position, column in enumerate(columns):
        differing = [
            (tuple(duck[i] for i in key_positions), duck[position], spark[position])
            for duck, spark in zip(duck_rows, spark_rows)
            if not cells_equal(kinds[column], duck[position], spark[position])
        ]
        if differing:
            diff.problems.append(
                f"column {column} ({duck_columns[column]}): {len(differing)} of {len(duck_rows)} rows differ"
            )
            diff.problems.extend(
                f"    at {dict(zip(grain, key))}: DuckDB {duck!r}, Spark {spark!r}"
                for key, duck, spark in differing[:SHOWN_ROWS]
            )
    return diff


def compare_marts(duck_warehouse: Path, spark_export: Path, grains: dict[str, list[str]]) -> list[MartDiff]:
    """The differences of every mart in `grains` (each must have been exported from Spark)."""
    restricted = duck_warehouse.with_name(duck_warehouse.name.replace(".duckdb", ".restricted.duckdb"))
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(f"attach '{duck_warehouse}' as duck (read_only)")
        # The marts of clear-text contacts (audience_contacts) live in the restricted file.
        if restricted.exists():
            connection.execute(f"attach '{restricted}' as duck_restricted (read_only)")
        return [compare_mart(connection, mart, grain, spark_export / mart) for mart, grain in sorted(grains.items())]
