"""publish and export-marts: the analysts' copy of the warehouse, for BI tools and file readers.

`publish` copies every relation of the analyst-facing schemas (`marts`, and `reference`: the
seeds, small configuration tables such as rfm_segments) into `analytics.duckdb` beside the
warehouse, views included, all as tables under the same schema and names (`marts.user_facts`),
with the dbt descriptions the build stored as DuckDB comments (persist_docs), which BI tools show.
`raw`, `staging`, `intermediate` and the restricted file of clear contacts are never copied.

The copy is written to a new file in a temporary folder beside the published one, checked for
clear contact data, and renamed over the old file (os.replace): a reader never sees half a file,
a reader that has the old file open keeps reading it, and a build never locks a BI tool out (the
tool opens only the published file, which no build opens). A check that fails leaves the old file.

`marts.fct_events`, one row per event and most of the file, follows the warehouse's change log in
a daily run instead of being copied whole (doc block incremental_consumers): the new file starts
as a copy of the last one, the events `int_events_identified` wrote or deleted since the last
publish are deleted from it, and those it wrote are copied in and scanned. This holds only while
the last published file is the one this module wrote (its size and modification time, kept in
`<warehouse>.publish_state.json` with the log's run it covers), that run is still in the log, no
run since wrote every event, and the columns are the same; else, and when the row counts differ
after all, every relation is copied. Every other relation is copied whole each time.

`export-marts` writes the same relations from the published file as Parquet, one file per
relation: `<out>/<schema>/<relation>.parquet` (e.g. `marts/user_facts.parquet`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stratalib.dbt_invoke import duckdb_settings, spill_folder
from stratalib.fingerprint import quote_identifier

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

PUBLISHED_NAME = "analytics.duckdb"
PUBLISHED_SCHEMAS = ("marts", "reference")
TARGET_ALIAS = "published"
PREVIOUS_ALIAS = "previous"
# The relation that follows the change log, and the tables of the warehouse it follows.
EVENTS = ("marts", "fct_events")
IDENTIFIED = ("intermediate", "int_events_identified")
IDENTIFIED_LOG = ("intermediate", "int_events_identified_replaced")
# The temporary table of the events a publish that follows the log writes again (and scans).
WRITTEN_EVENTS = "written_events"
# The contact shapes of macro contact_patterns (macros/personal_data.sql), the ones staging masks
# in free text: an e-mail address, a mobile number of the default region, a number in
# international form. A number touched by a letter, digit or underscore (an id, a hash) is none.
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PHONE_PATTERN = r"(^|[^A-Za-z0-9_+])((\+|00)?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}([^A-Za-z0-9_]|$)"
INTERNATIONAL_PATTERN = r"(^|[^A-Za-z0-9_])\+[1-9][0-9]([ -]?[0-9]){6,13}([^A-Za-z0-9_]|$)"
CONTACT_PATTERN = "|".join(f"(?:{pattern})" for pattern in (EMAIL_PATTERN, PHONE_PATTERN, INTERNATIONAL_PATTERN))

RELATIONS_QUERY = """
    select schema_name, table_name, comment from duckdb_tables()
    where database_name = $catalog and list_contains($schemas, schema_name)
    union all
    select schema_name, view_name, comment from duckdb_views()
    where database_name = $catalog and list_contains($schemas, schema_name)
    order by all
"""
COLUMNS_QUERY = """
    select schema_name, table_name, column_name, data_type, comment from duckdb_columns()
    where database_name = $catalog and list_contains($schemas, schema_name)
    order by schema_name, table_name, column_index
"""


class PublishError(Exception):
    """The warehouse or the published file cannot be read or written (exit 2)."""


class ContactDataError(PublishError):
    """A published column holds a clear e-mail address or phone number (a failed check, exit 1)."""


@dataclass(frozen=True)
class Published:
    """Where the relations went, how many, and how many events were written again when
    marts.fct_events followed the change log (None: it was copied whole)."""

    path: Path
    relations: int
    events_written: int | None = None


def published_path(warehouse: Path) -> Path:
    """The published file of a warehouse: `analytics.duckdb` in the warehouse's folder."""
    return warehouse.with_name(PUBLISHED_NAME)


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def first_line(error: Exception) -> str:
    return next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)


def analyst_relations(connection: DuckDBPyConnection, catalog: str) -> list[tuple[str, str, str | None]]:
    """(schema, name, comment) of every table and view of the published schemas of `catalog`."""
    return connection.execute(RELATIONS_QUERY, {"catalog": catalog, "schemas": list(PUBLISHED_SCHEMAS)}).fetchall()


def column_rows(connection: DuckDBPyConnection, catalog: str) -> list[tuple[str, str, str, str, str | None]]:
    """(schema, table, column, type, comment) of every column of the published schemas of `catalog`."""
    return connection.execute(COLUMNS_QUERY, {"catalog": catalog, "schemas": list(PUBLISHED_SCHEMAS)}).fetchall()


def name(*parts: str) -> str:
    return ".".join(quote_identifier(part) for part in parts)


def copy_relations(connection: DuckDBPyConnection, source: str, kept: tuple[str, str] | None = None) -> int:
    """Copy the analyst-facing relations of catalog `source` into TARGET_ALIAS as tables, with
    their comments; return how many. `kept` (schema, name) is already in TARGET_ALIAS and is left
    as it is, but for its comments; every other relation there is replaced or dropped."""
    relations = analyst_relations(connection, source)
    for schema, table, _ in analyst_relations(connection, TARGET_ALIAS):
        if (schema, table) != kept:
            connection.execute(f"drop table {name(TARGET_ALIAS, schema, table)}")
    connection.execute(f"checkpoint {TARGET_ALIAS}")  # the dropped tables' space is reused below
    for schema in sorted({schema for schema, _, _ in relations}):
        connection.execute(f"create schema if not exists {name(TARGET_ALIAS, schema)}")
    for schema, table, comment in relations:
        target = name(TARGET_ALIAS, schema, table)
        if (schema, table) != kept:
            connection.execute(f"create table {target} as select * from {name(source, schema, table)}")
        if comment:
            connection.execute(f"comment on table {target} is {sql_literal(comment)}")
    for schema, table, column, _, comment in column_rows(connection, source):
        if comment:
            connection.execute(f"comment on column {name(TARGET_ALIAS, schema, table, column)} is {sql_literal(comment)}")
    return len(relations)


def contact_columns(
    connection: DuckDBPyConnection, catalog: str, instead: dict[tuple[str, str], str] | None = None
) -> list[str]:
    """`schema.table.column` of every text column of the published schemas of `catalog` in which
    some value holds a clear e-mail address or phone number (nested and JSON values as text).
    `instead` maps a (schema, table) to the relation scanned in its place (its new rows only)."""
    text_columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column, data_type, _ in column_rows(connection, catalog):
        if "VARCHAR" in data_type or "JSON" in data_type:
            text_columns.setdefault((schema, table), []).append(column)
    found = []
    for (schema, table), columns in text_columns.items():
        counts = ", ".join(
            f"count(*) filter (where regexp_matches(cast({quote_identifier(column)} as varchar), $pattern))"
            for column in columns
        )
        relation = (instead or {}).get((schema, table), name(catalog, schema, table))
        hits = connection.execute(f"select {counts} from {relation}", {"pattern": CONTACT_PATTERN})
        found += [f"{schema}.{table}.{column}" for column, hit in zip(columns, hits.fetchone()) if hit]
    return found


def check_no_contacts(
    connection: DuckDBPyConnection, catalog: str, what: str, instead: dict[tuple[str, str], str] | None = None
) -> None:
    """Raise ContactDataError naming the columns of `catalog` that hold clear contact data."""
    found = contact_columns(connection, catalog, instead)
    if found:
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        raise ContactDataError(
            f"clear contact data (an e-mail address or phone number) in {', '.join(found[:3])}{more}: {what}"
        )


def sync(path: Path) -> None:
    """fsync a file or folder, so a rename never points at data still only in memory."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def copy_settings(warehouse: Path) -> dict[str, str]:
    """DuckDB settings of the connection that copies the marts: the build's memory_limit, threads
    and preserve_insertion_order (DuckDB's own default memory limit, 80% of the machine, let it
    hold 13.7 GB copying a million users' events), spilling where the build spills."""
    settings = duckdb_settings()
    return {
        "memory_limit": settings["memory_limit"],
        "threads": str(settings["threads"]),
        "preserve_insertion_order": str(settings["preserve_insertion_order"]).lower(),
        "temp_directory": spill_folder(warehouse),
    }


def state_path(warehouse: Path) -> Path:
    """What the last publish of `warehouse` wrote (see the module docstring)."""
    return warehouse.with_name(f"{warehouse.stem}.publish_state.json")


def file_stamp(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns]


def previous_run(warehouse: Path, target: Path) -> str | None:
    """The log's run the last published file covers, when that file is still the one written then."""
    try:
        state = json.loads(state_path(warehouse).read_text())
        return state["events_run"] if state["published"] == file_stamp(target) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def latest_run(connection: DuckDBPyConnection, source: str) -> str | None:
    """The start of the latest logged run of int_events_identified in catalog `source`, as text
    (None without a log: a warehouse of an earlier strata, or none yet)."""
    exists = connection.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        [source, *IDENTIFIED_LOG],
    ).fetchone()[0]
    if not exists:
        return None
    return connection.execute(
        f"select cast(max(replaced_at) as varchar) from {name(source, *IDENTIFIED_LOG)} where event_id is null"
    ).fetchone()[0]


def can_follow(connection: DuckDBPyConnection, source: str, target: Path, since: str | None) -> bool:
    """Whether marts.fct_events of the published file `target` can follow the change log of
    `source` from run `since`: that run is still logged, no run since wrote every event, and the
    published columns are the warehouse's."""
    if since is None:
        return False
    log = name(source, *IDENTIFIED_LOG)
    followable = connection.execute(
        f"""
        select
            exists (select 1 from {log} where event_id is null and replaced_at = cast($since as timestamp))
            and not exists (
                select 1 from {log} where event_id is null and is_everything and replaced_at > cast($since as timestamp)
            )
        """,
        {"since": since},
    ).fetchone()[0]
    if not followable:
        return False
    columns = (
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index"
    )
    connection.execute(f"attach {sql_literal(str(target))} as {PREVIOUS_ALIAS} (read_only)")
    try:
        published = connection.execute(columns, [PREVIOUS_ALIAS, *EVENTS]).fetchall()
    finally:
        connection.execute(f"detach {PREVIOUS_ALIAS}")
    return bool(published) and published == connection.execute(columns, [source, *EVENTS]).fetchall()


def follow_events(connection: DuckDBPyConnection, source: str, since: str) -> int:
    """Bring marts.fct_events of TARGET_ALIAS (the last published copy) to the warehouse's: delete
    the events int_events_identified wrote or deleted after run `since`, then copy in those it
    wrote, kept in temporary table WRITTEN_EVENTS for the contact scan. Return how many it wrote."""
    events, published = name(source, *EVENTS), name(TARGET_ALIAS, *EVENTS)
    identified, log = name(source, *IDENTIFIED), name(source, *IDENTIFIED_LOG)
    after = "cast($since as timestamp)"
    connection.execute(
        f"""
        create temp table {WRITTEN_EVENTS} as
        select * from {events}
        where event_id in (select event_id from {identified} where written_at > {after})
        """,
        {"since": since},
    )
    connection.execute(
        f"""
        delete from {published}
        where event_id in (
            select event_id from {log} where event_id is not null and replaced_at > {after}
            union all
            select event_id from {WRITTEN_EVENTS}
        )
        """,
        {"since": since},
    )
    connection.execute(f"insert into {published} select * from {WRITTEN_EVENTS}")
    return connection.execute(f"select count(*) from {WRITTEN_EVENTS}").fetchone()[0]


def same_row_count(connection: DuckDBPyConnection, source: str) -> bool:
    count = "select count(*) from {}"
    return (
        connection.execute(count.format(name(source, *EVENTS))).fetchone()
        == connection.execute(count.format(name(TARGET_ALIAS, *EVENTS))).fetchone()
    )


def write_published(warehouse: Path, new_file: Path, since: str | None = None) -> tuple[int, int | None, str | None]:
    """Write the analyst-facing relations of `warehouse` into `new_file` and check them, following
    the change log from run `since` when the published file allows it (see the module docstring);
    return how many relations, how many events were written again (None: every row copied) and
    the log's latest run, which the new file covers."""
    import duckdb

    source = warehouse.stem
    with duckdb.connect(config=copy_settings(warehouse)) as connection:
        connection.execute("set enable_progress_bar = false")
        connection.execute(f"attach {sql_literal(str(warehouse))} as {quote_identifier(source)} (read_only)")
        latest = latest_run(connection, source)
        follow = latest is not None and can_follow(connection, source, published_path(warehouse), since)
        if follow:
            shutil.copyfile(published_path(warehouse), new_file)
        connection.execute(f"attach {sql_literal(str(new_file))} as {TARGET_ALIAS}")
        written = follow_events(connection, source, since) if follow else None
        relations = copy_relations(connection, source, kept=EVENTS if follow else None)
        complete = not follow or same_row_count(connection, source)
        if complete:
            instead = {EVENTS: WRITTEN_EVENTS} if follow else None
            check_no_contacts(connection, TARGET_ALIAS, "the published file was not replaced", instead)
        connection.execute(f"detach {TARGET_ALIAS}")
    if not complete:  # following the log did not give the warehouse's rows: copy every row instead
        new_file.unlink()
        return write_published(warehouse, new_file)
    return relations, written, latest


def publish(warehouse: Path) -> Published:
    """Publish the analyst-facing relations of `warehouse` into its published file, replacing it
    at once (see the module docstring). The caller holds the warehouse's run lock."""
    import duckdb

    target = published_path(warehouse)
    if target == warehouse:
        raise PublishError(f"warehouse {warehouse} has the name of the published file; rename it")
    if not warehouse.is_file():
        raise PublishError(f"warehouse {warehouse} does not exist (run `strata build` first)")
    scratch = Path(tempfile.mkdtemp(prefix=f".{PUBLISHED_NAME}.", suffix=".tmp", dir=target.parent))
    try:
        new_file = scratch / PUBLISHED_NAME
        relations, written, latest = write_published(warehouse, new_file, previous_run(warehouse, target))
        sync(new_file)
        state_path(warehouse).unlink(missing_ok=True)
        os.replace(new_file, target)
        sync(target.parent)
        if latest is not None:
            write_state(warehouse, {"published": file_stamp(target), "events_run": latest})
    except duckdb.Error as error:
        raise PublishError(f"cannot publish warehouse {warehouse}: {first_line(error)}") from error
    except OSError as error:
        raise PublishError(f"cannot write {target}: {error.strerror or error}") from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Published(target, relations, written)


def write_state(warehouse: Path, state: dict) -> None:
    """Write the publish state through a temporary name (a reader sees the old state or the new)."""
    path = state_path(warehouse)
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(partial, path)


def export_marts(warehouse: Path, out: Path) -> list[Path]:
    """Write every relation of the published file of `warehouse` to `<out>/<schema>/<relation>.parquet`,
    each through a temporary name, after checking it holds no clear contact data; return the files."""
    import duckdb

    source = published_path(warehouse)
    if not source.is_file():
        raise PublishError(f"no published file {source} (run `strata build` or `strata publish` first)")
    written = []
    try:
        with duckdb.connect(str(source), read_only=True) as connection:
            connection.execute("set enable_progress_bar = false")
            catalog = connection.execute("select current_database()").fetchone()[0]
            check_no_contacts(connection, catalog, "nothing was exported")
            for schema, table, _ in analyst_relations(connection, catalog):
                written.append(export_relation(connection, schema, table, out / schema / f"{table}.parquet"))
    except duckdb.Error as error:
        raise PublishError(f"cannot export {source}: {first_line(error)}") from error
    except OSError as error:
        raise PublishError(f"cannot write --out {out}: {error.strerror or error}") from error
    return written


def export_relation(connection: DuckDBPyConnection, schema: str, table: str, path: Path) -> Path:
    """COPY one relation to a Parquet file; a reader of `path` never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.tmp")
    try:
        connection.execute(f"copy {name(schema, table)} to {sql_literal(str(partial))} (format parquet)")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
