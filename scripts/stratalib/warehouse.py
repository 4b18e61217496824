"""The embedded DuckDB warehouse file: path checks, the run lock and lock detection before dbt opens it.

Every problem found here is a WarehouseError with a one-line message: the runner reports it and
exits 2 before dbt starts, instead of letting dbt fail deep inside with a traceback.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WarehouseError(Exception):
    """The warehouse path or file cannot be used (a folder, not writable, not a DuckDB file)."""


class WarehouseLockedError(WarehouseError):
    """Another process holds the DuckDB file or the run lock."""


def locked_message(warehouse: Path) -> str:
    return (
        f"warehouse {warehouse} is locked by another process "
        "(another build, or a tool holding the file open); try again when it is done"
    )


def lock_path(warehouse: Path) -> Path:
    """The lock file next to the warehouse: `<warehouse>.lock`."""
    return warehouse.with_name(f"{warehouse.name}.lock")


def companion_paths(warehouse: Path) -> tuple[Path, ...]:
    """The warehouse file and the files DuckDB and the runner keep beside it (WAL, run lock, the
    restricted file of clear-text contacts and its WAL, the pseudonym key, the published file):
    none may be overwritten."""
    from stratalib.dbt_invoke import pii_key_path, restricted_path
    from stratalib.publish import published_path

    restricted = restricted_path(warehouse)
    return (
        warehouse,
        warehouse.with_name(f"{warehouse.name}.wal"),
        lock_path(warehouse),
        restricted,
        restricted.with_name(f"{restricted.name}.wal"),
        pii_key_path(warehouse),
        published_path(warehouse),
    )


def nearest_existing(path: Path) -> Path:
    """The path itself or its closest ancestor that exists (a file parent stops the walk too)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_warehouse_path(warehouse: Path, writable: bool) -> None:
    """Raise WarehouseError when `warehouse` cannot be the DuckDB file of this run.

    A folder at the path, a file where a parent folder should be, or (for a build, which writes
    the file, its WAL and the lock file) a folder or file the user may not write would otherwise
    surface as an OS error inside dbt.
    """
    if warehouse.is_dir():
        raise WarehouseError(f"warehouse {warehouse} is a folder; give the path of a DuckDB file")
    folder = nearest_existing(warehouse.parent)
    if not folder.is_dir():
        raise WarehouseError(f"warehouse {warehouse} is not a usable path: {folder} is a file, not a folder")
    if not writable:
        return
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WarehouseError(f"warehouse {warehouse} cannot be written: folder {folder} is not writable")
    if warehouse.exists() and not os.access(warehouse, os.W_OK):
        raise WarehouseError(f"warehouse {warehouse} cannot be written: the file is read-only")


def ensure_unlocked(warehouse: Path, read_only: bool = False) -> None:
    """Raise WarehouseLockedError when another process holds a lock on the warehouse file, and
    WarehouseError when the file is not a DuckDB database or cannot be opened.

    DuckDB allows one writing process per file; a second build, or a BI tool holding the file
    open, would otherwise fail deep inside dbt with a long traceback. `read_only` probes the way a
    reader opens the file (a reader may share it with other readers, never with a writer).
    """
    import duckdb

    if not warehouse.exists():
        return
    try:
        duckdb.connect(str(warehouse), read_only=read_only).close()
    except duckdb.Error as error:
        raise describe_duckdb_error(warehouse, error) from error


def describe_duckdb_error(warehouse: Path, error: Exception) -> WarehouseError:
    """The one-line WarehouseError for an error DuckDB raised opening the warehouse file."""
    text = str(error)
    if "lock" in text.lower():
        return WarehouseLockedError(locked_message(warehouse))
    if "not a valid duckdb database" in text.lower():
        return WarehouseError(f"warehouse {warehouse} is not a DuckDB database (give another --warehouse path)")
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(error).__name__)
    return WarehouseError(f"cannot open warehouse {warehouse}: {first}")


def open_lock_file(warehouse: Path, shared: bool) -> int | None:
    """A descriptor of the lock file, created if needed; None for a reader that may not create it.

    flock needs no write access, so a lock file another user created is opened read-only. A reader
    of a warehouse in a folder it may not write cannot create the lock file; no build of this
    runner has run there then (a build leaves the file behind), so reading without it is safe.
    """
    path = lock_path(warehouse)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        create_error = error
    try:
        return os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        if shared:
            return None
    except OSError:
        pass
    raise WarehouseError(f"cannot create the lock file {path}: {create_error.strerror}") from create_error


@contextmanager
def warehouse_lock(warehouse: Path, shared: bool = False) -> Iterator[None]:
    """Hold an advisory lock on `<warehouse>.lock` for the whole run, then check DuckDB's own lock.

    Checking DuckDB's lock alone leaves a gap: dbt opens the file only after parsing the project,
    so a second build started a few seconds after the first passes the check and dies inside dbt.
    The lock file closes the gap: a build (exclusive) holds it from before dbt starts to the end;
    readers (check, export) hold it shared, so they run side by side but never with a build. The
    DuckDB check still catches processes outside the runner (a BI tool holding the file). The lock
    is released when the descriptor closes, also when the process dies; the file stays (deleting
    it would let two processes lock two different files of the same name).
    """
    descriptor = open_lock_file(warehouse, shared)
    try:
        if descriptor is not None:
            try:
                fcntl.flock(descriptor, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise WarehouseLockedError(locked_message(warehouse)) from error
        ensure_unlocked(warehouse, read_only=shared)
        yield
    finally:
        if descriptor is not None:
            os.close(descriptor)


@contextmanager
def writing(warehouse: Path) -> Iterator[None]:
    """Check the path, create its folder and hold the exclusive run lock (build, backfill, docs)."""
    check_warehouse_path(warehouse, writable=True)
    try:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WarehouseError(f"cannot create the warehouse folder {warehouse.parent}: {error.strerror}") from error
    with warehouse_lock(warehouse):
        yield


@contextmanager
def reading(warehouse: Path) -> Iterator[None]:
    """Check the path and that the warehouse exists, and hold the shared run lock (check, export)."""
    check_warehouse_path(warehouse, writable=False)
    if not warehouse.is_file():
        raise WarehouseError(f"warehouse {warehouse} does not exist (run `strata build` first)")
    with warehouse_lock(warehouse, shared=True):
        yield
