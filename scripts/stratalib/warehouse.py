"""The embedded DuckDB warehouse file: lock detection before dbt opens it."""

from __future__ import annotations

from pathlib import Path


class WarehouseLockedError(Exception):
    """Another process holds the DuckDB file."""


def ensure_unlocked(warehouse: Path) -> None:
    """Raise WarehouseLockedError when another process holds a lock on the warehouse file.

    DuckDB allows one writing process per file; a second build, or a BI tool holding the file
    open, would otherwise fail deep inside dbt with a long traceback.
    """
    import duckdb

    if not warehouse.exists():
        return
    try:
        duckdb.connect(str(warehouse)).close()
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseLockedError(
                f"warehouse {warehouse} is locked by another process "
                "(another build, or a tool holding the file open); try again when it is done"
            ) from error
        raise
