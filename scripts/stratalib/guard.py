"""The guard rail's one-line message: which raw table was quarantined (almost) whole, and why.

The rule itself is the dbt test `quarantine_share_within_limit` on every staging model (see
macros/tests/quarantine_share_within_limit.sql): when it fails, `dbt build` skips everything
downstream, so the marts of the last good build stay. dbt reports only "Got 1 result"; this
module runs the failed test's compiled query again through dbt (`dbt show`, on the same
connection settings) to name the table, its rows and its top quarantine reason.
"""

from __future__ import annotations

from typing import Any, Callable

GUARD_TEST = "quarantine_share_within_limit"


def failed_guard_queries(results: Any) -> list[str]:
    """Compiled SQL of every failed guard test in dbt's run results."""
    queries = []
    for node_result in getattr(results, "results", []) or []:
        node = node_result.node
        metadata = getattr(node, "test_metadata", None)
        if str(node_result.status).lower() == "fail" and metadata is not None and metadata.name == GUARD_TEST:
            queries.append(node.compiled_code)
    return queries


def guard_line(row: list[Any], max_share: float) -> str:
    """'raw_orders: 150 of 150 rows quarantined (top reason invalid_timestamp) ...' for one failing row."""
    source_table, rows_read, rows_quarantined, top_reason = row
    return (
        f"{source_table}: {rows_quarantined:,} of {rows_read:,} rows quarantined (top reason {top_reason}), more "
        f"than max_quarantine_share {max_share:g}: the export looks broken, so no mart was rebuilt from it "
        f"(see marts.quarantine after fixing it, or raise the var)"
    )


def guard_message(results: Any, show: Callable[[str], list[list[Any]]], max_share: float) -> str | None:
    """One line naming each table the guard stopped, or None when no guard test failed.

    `show(sql)` runs a query through dbt and returns its rows.
    """
    lines = [guard_line(row, max_share) for sql in failed_guard_queries(results) for row in show(sql)]
    return "; ".join(lines) or None
