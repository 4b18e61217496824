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

`export-marts` writes the same relations from the published file as Parquet, one file per
relation: `<out>/<schema>/<relation>.parquet` (e.g. `marts/user_facts.parquet`).
"""

from __future__ import annotations

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
    """Where the relations went and how many."""

    path: Path
    relations: int


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


def copy_relations(connection: DuckDBPyConnection, source: str) -> int:
    """Copy the analyst-facing relations of catalog `source` into TARGET_ALIAS as tables, with
    their comments; return how many."""
    relations = analyst_relations(connection, source)
    for schema in sorted({schema for schema, _, _ in relations}):
        connection.execute(f"create schema {name(TARGET_ALIAS, schema)}")
    for schema, table, comment in relations:
        target = name(TARGET_ALIAS, schema, table)
        connection.execute(f"create table {target} as select * from {name(source, schema, table)}")
        if comment:
            connection.execute(f"comment on table {target} is {sql_literal(comment)}")
    for schema, table, column, _, comment in column_rows(connection, source):
        if comment:
            connection.execute(f"comment on column {name(TARGET_ALIAS, schema, table, column)} is {sql_literal(comment)}")
    return len(relations)


def contact_columns(connection: DuckDBPyConnection, catalog: str) -> list[str]:
    """`schema.table.column` of every text column of the published schemas of `catalog` in which
    some value holds a clear e-mail address or phone number (nested and JSON values as text)."""
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
        hits = connection.execute(f"select {counts} from {name(catalog, schema, table)}", {"pattern": CONTACT_PATTERN})
        found += [f"{schema}.{table}.{column}" for column, hit in zip(columns, hits.fetchone()) if hit]
    return found


def check_no_contacts(connection: DuckDBPyConnection, catalog: str, what: str) -> None:
    """Raise ContactDataError naming the columns of `catalog` that hold clear contact data."""
    found = contact_columns(connection, catalog)
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


def write_published(warehouse: Path, new_file: Path) -> int:
    """Write the analyst-facing relations of `warehouse` into `new_file` and check them; return how many."""
    import duckdb

    with duckdb.connect(config=copy_settings(warehouse)) as connection:
        connection.execute("set enable_progress_bar = false")
        connection.execute(f"attach {sql_literal(str(warehouse))} as {quote_identifier(warehouse.stem)} (read_only)")
        connection.execute(f"attach {sql_literal(str(new_file))} as {TARGET_ALIAS}")
        relations = copy_relations(connection, warehouse.stem)
        check_no_contacts(connection, TARGET_ALIAS, "the published file was not replaced")
        connection.execute(f"detach {TARGET_ALIAS}")
    return relations


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
        relations = write_published(warehouse, new_file)
        sync(new_file)
        os.replace(new_file, target)
        sync(target.parent)
    except duckdb.Error as error:
        raise PublishError(f"cannot publish warehouse {warehouse}: {first_line(error)}") from error
    except OSError as error:
        raise PublishError(f"cannot write {target}: {error.strerror or error}") from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Published(target, relations)


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
