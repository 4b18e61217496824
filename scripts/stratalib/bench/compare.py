"""Compare a peer's four results with strata's marts, row by row on the columns they share."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stratalib.bench.peers import FUNNEL_NAME, RESULT_COLUMNS, RESULT_KEYS

if TYPE_CHECKING:
    import pyarrow as pa

# Rates and medians are doubles computed in different orders by different engines.
RELATIVE_TOLERANCE = 1e-9
# Money is compared in cents.
MONEY_DIGITS = 2
EXAMPLES_SHOWN = 3

STRATA_QUERIES = {
    name: f"select {', '.join(columns)} from marts.{name}"
    for name, columns in RESULT_COLUMNS.items()
}
STRATA_QUERIES["funnel_conversion"] += f" where funnel_name = '{FUNNEL_NAME}' and breakdown = 'overall'"


@dataclass
class Agreement:
    """How one result of one peer compares with strata's: rows on each side and the differences."""

    result: str
    strata_rows: int
    peer_rows: int
    missing: list[str] = field(default_factory=list)  # keys strata has and the peer not
    extra: list[str] = field(default_factory=list)  # keys the peer has and strata not
    different: list[str] = field(default_factory=list)  # "key column: strata vs peer"
    different_count: int = 0

    @property
    def agrees(self) -> bool:
        return not (self.missing or self.extra or self.different_count)

    def summary(self) -> str:
        if self.agrees:
            return f"{self.result}: {self.strata_rows} rows agree"
        parts = [f"{self.result}: strata {self.strata_rows} rows, peer {self.peer_rows}"]
        if self.missing:
            parts.append(f"{len(self.missing)} missing (e.g. {', '.join(self.missing[:EXAMPLES_SHOWN])})")
        if self.extra:
            parts.append(f"{len(self.extra)} extra (e.g. {', '.join(self.extra[:EXAMPLES_SHOWN])})")
        if self.different_count:
            parts.append(f"{self.different_count} values differ (e.g. {'; '.join(self.different[:EXAMPLES_SHOWN])})")
        return ", ".join(parts)


def normalised(value: Any) -> Any:
    """A value in a form both sides share: money and other decimals as floats rounded to cents,
    dates and timestamps as ISO text, NaN as None."""
    if isinstance(value, Decimal):
        return round(float(value), MONEY_DIGITS)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool):
        return value
    return value


def same(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, (int, float)) and isinstance(right, (int, float)) and not isinstance(left, bool):
        return math.isclose(left, right, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-6)
    return left == right


def keyed_rows(table: pa.Table, key: list[str]) -> dict[tuple, dict[str, Any]]:
    rows = {}
    for row in table.to_pylist():
        values = {column: normalised(value) for column, value in row.items()}
        rows[tuple(values[column] for column in key)] = values
    return rows


def compare_result(name: str, strata: pa.Table, peer: pa.Table) -> Agreement:
    key, columns = RESULT_KEYS[name], RESULT_COLUMNS[name]
    strata_rows, peer_rows = keyed_rows(strata, key), keyed_rows(peer, key)
    agreement = Agreement(name, len(strata_rows), len(peer_rows))
    agreement.missing = [str(k) for k in strata_rows if k not in peer_rows]
    agreement.extra = [str(k) for k in peer_rows if k not in strata_rows]
    for row_key, expected in strata_rows.items():
        got = peer_rows.get(row_key)
        if got is None:
            continue
        for column in columns:
            if not same(expected[column], got.get(column)):
                agreement.different_count += 1
                if len(agreement.different) < EXAMPLES_SHOWN:
                    agreement.different.append(f"{row_key} {column}: {expected[column]!r} vs {got.get(column)!r}")
    return agreement


def strata_results(warehouse: Path) -> dict[str, pa.Table]:
    """strata's four results, read from a built warehouse."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return {name: connection.sql(query).to_arrow_table() for name, query in STRATA_QUERIES.items()}


def compare_all(strata: dict[str, pa.Table], peer: dict[str, pa.Table]) -> list[Agreement]:
    return [compare_result(name, strata[name], peer[name]) for name in RESULT_COLUMNS]
