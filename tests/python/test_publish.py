"""The published analytics file (`strata publish`, and the end of every good build) and its Parquet
export: the marts and seeds only, the same rows as the warehouse, no clear contact data, a failed
build leaves it as it was, and a BI tool reads it through SQLAlchemy + duckdb-engine while a build
holds the warehouse.

The session's generated sample (conftest's dirty_sample) was built, and so published, once; the
tests read it or work on a copy of its folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import signal
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

from helpers import (
    EMAIL_PATTERN,
    LOAD_TIME,
    ORDER_COLUMNS,
    PHONE_PATTERN,
    PROJECT_DIR,
    SAMPLE_LOAD_TIME,
    BuiltSample,
    assert_one_line_error,
    build_at_load_time,
    copy_warehouse,
    held_lock,
    order,
    query,
    relations_with_personal_data,
    run_strata,
    start_build,
    wait_for_models,
    write_csv,
    write_minimal_raw,
)
from stratalib import publish as publishing
from stratalib.fingerprint import fingerprint_sql, mart_fingerprints
from stratalib.warehouse import WarehouseLockedError, warehouse_lock

PUBLISHED_SCHEMAS = {"marts", "reference"}
# Models the BI-during-build test lets the build create before it reads: dbt is writing by then.
MODELS_BEFORE_READ = 3
# The guard rail of staging (quarantine_share_within_limit) judges tables of at least this many rows.
GUARD_ORDERS = 150


def published_of(warehouse: Path) -> Path:
    return publishing.published_path(warehouse)


def copy_with_published(warehouse: Path, folder: Path) -> Path:
    """A copy of a built warehouse (see copy_warehouse) and of its published file."""
    copied = copy_warehouse(warehouse, folder)
    shutil.copy2(published_of(warehouse), published_of(copied))
    return copied


def file_state(path: Path) -> tuple[int, str]:
    """(inode, sha256 of the bytes): the same file, unchanged."""
    return path.stat().st_ino, hashlib.sha256(path.read_bytes()).hexdigest()


def all_fingerprints(database: Path) -> dict[str, str]:
    """'schema.relation' -> fingerprint of every relation of the published schemas."""
    return {
        f"{schema}.{relation}": value
        for schema in sorted(PUBLISHED_SCHEMAS)
        for relation, value in mart_fingerprints(database, schema).items()
    }


def leftovers(folder: Path) -> list[str]:
    """Temporary files or folders a publish left beside the published file."""
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def parquet_contact_columns(folder: Path) -> list[str]:
    """Columns of the Parquet files under `folder` where some text value is an e-mail or phone."""
    found = []
    with duckdb.connect() as connection:
        for path in sorted(folder.rglob("*.parquet")):
            for column, data_type in connection.execute(
                "select column_name, column_type from (describe select * from read_parquet(?))", [str(path)]
            ).fetchall():
                if "VARCHAR" not in data_type:
                    continue
                [(hits,)] = connection.execute(
                    f'select count(*) from read_parquet(?) where regexp_matches("{column}"::varchar, ?) '
                    f'or regexp_matches("{column}"::varchar, ?)',
                    [str(path), EMAIL_PATTERN, PHONE_PATTERN],
                ).fetchall()
                if hits:
                    found.append(f"{path.relative_to(folder)}:{column}")
    return found


# --- what is published -----------------------------------------------------------------------------


def test_published_file_holds_every_mart_and_seed_with_the_warehouse_rows(dirty_sample: BuiltSample) -> None:
    published = published_of(dirty_sample.warehouse)
    expected = all_fingerprints(dirty_sample.warehouse)

    assert published.is_file(), "the build did not publish"
    assert len([name for name in expected if name.startswith("marts.")]) > 30
    assert all_fingerprints(published) == expected
    relations = query(published, "select table_schema, table_type, count(*) from information_schema.tables group by all")
    assert {schema for schema, _, _ in relations} == PUBLISHED_SCHEMAS
    assert {kind for _, kind, _ in relations} == {"BASE TABLE"}  # views (fct_events) too are tables


def test_published_file_keeps_the_dbt_descriptions(dirty_sample: BuiltSample) -> None:
    published = published_of(dirty_sample.warehouse)
    [(table_comment,)] = query(published, "select comment from duckdb_tables() where table_name = 'user_facts'")
    column_comments = query(
        published, "select count(*), count(comment) from duckdb_columns() where schema_name = 'marts'"
    )
    [(seed_comment,)] = query(published, "select comment from duckdb_tables() where table_name = 'rfm_segments'")

    assert table_comment and "One row per" in table_comment
    assert column_comments[0][0] == column_comments[0][1] > 100
    assert seed_comment


# --- no clear contact data ---------------------------------------------------------------------------


def test_no_clear_contact_in_the_published_file_or_the_parquet_export(
    dirty_sample: BuiltSample, tmp_path: Path
) -> None:
    published = published_of(dirty_sample.warehouse)
    completed = run_strata("export-marts", "--out", tmp_path / "parquet", "--warehouse", dirty_sample.warehouse)

    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr
    files = sorted(path.relative_to(tmp_path / "parquet") for path in (tmp_path / "parquet").rglob("*.parquet"))
    assert [str(path) for path in files] == sorted(
        f"{name.replace('.', '/', 1)}.parquet" for name in all_fingerprints(published)
    )
    [(rows,)] = query(published, "select count(*) from marts.user_facts")
    [(exported,)] = duckdb.sql(f"select count(*) from '{tmp_path / 'parquet/marts/user_facts.parquet'}'").fetchall()
    assert exported == rows > 0
    assert relations_with_personal_data(published) == {}
    assert parquet_contact_columns(tmp_path / "parquet") == []


@pytest.mark.parametrize("contact", ["li.lei@example.com", "+86 138 0013 8000", "13800138000"])
def test_the_contact_scan_can_fail(tmp_path: Path, contact: str) -> None:
    """The scans of the test above find a planted contact, in a DuckDB file and in Parquet; so does
    the runner's own scan (an independent regex, the shapes staging masks)."""
    database = tmp_path / "planted.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.t as select 'u1' as user_id, ? as city", [contact])
        connection.execute(f"copy marts.t to '{tmp_path / 't.parquet'}' (format parquet)")
        assert publishing.contact_columns(connection, "planted") == ["marts.t.city"]
    assert relations_with_personal_data(database) == {"marts.t": ["city"]}
    assert parquet_contact_columns(tmp_path) == ["t.parquet:city"]


def test_publishing_copies_within_the_builds_duckdb_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The connection that copies the marts takes the build's memory limit, threads, insertion order
    and spill folder (DuckDB's own defaults would let it use 80% of the machine's memory)."""
    monkeypatch.setenv("STRATA_DUCKDB_MEMORY_LIMIT", "1GiB")
    monkeypatch.setenv("STRATA_DUCKDB_THREADS", "1")
    monkeypatch.delenv("STRATA_DUCKDB_PRESERVE_INSERTION_ORDER", raising=False)
    monkeypatch.setenv("STRATA_DUCKDB_TEMP_DIRECTORY", str(tmp_path / "spill"))
    settings = publishing.copy_settings(tmp_path / "strata.duckdb")
    with duckdb.connect(config=settings) as connection:
        applied = dict(connection.execute(
            "select name, value from duckdb_settings() where name in "
            "('memory_limit', 'threads', 'preserve_insertion_order', 'temp_directory')"
        ).fetchall())  # fmt: skip
    assert applied == {
        "memory_limit": "1.0 GiB", "threads": "1", "preserve_insertion_order": "false",
        "temp_directory": str(tmp_path / "spill"),
    }  # fmt: skip


def test_publishing_spills_beside_the_warehouse_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without STRATA_DUCKDB_TEMP_DIRECTORY the copy spills where profiles.yml lets the build spill."""
    monkeypatch.delenv("STRATA_DUCKDB_TEMP_DIRECTORY", raising=False)
    settings = publishing.copy_settings(tmp_path / "strata.duckdb")
    assert settings["temp_directory"] == str(tmp_path / "strata.duckdb.tmp")


@pytest.mark.parametrize("harmless", ["p13812345678", "o00012345", "1381234567890", "12.50", "derived:u1:2", "a@b"])
def test_ids_and_numbers_are_not_contacts(harmless: str) -> None:
    with duckdb.connect() as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.t as select ? as value", [harmless])
        assert publishing.contact_columns(connection, "memory") == []


def test_the_runner_scans_for_the_shapes_staging_masks() -> None:
    """publish.py repeats the patterns of macro contact_patterns: they must not drift apart."""
    macro = (PROJECT_DIR / "macros" / "personal_data.sql").read_text().replace("\\\\", "\\")
    mobile = publishing.PHONE_PATTERN.removeprefix("(^|[^A-Za-z0-9_+])").removesuffix("([^A-Za-z0-9_]|$)")
    for pattern in (publishing.EMAIL_PATTERN, publishing.INTERNATIONAL_PATTERN, mobile):
        assert f"'{pattern}'" in macro, pattern
    assert "'(^|[^A-Za-z0-9_+])' ~ mobile ~ '([^A-Za-z0-9_]|$)'" in macro


@pytest.mark.parametrize("contact", ["li.lei@example.com", "+86 138 0013 8000"])
def test_publish_refuses_clear_contact_data_and_keeps_the_old_file(
    dirty_sample: BuiltSample, tmp_path: Path, contact: str
) -> None:
    warehouse = copy_with_published(dirty_sample.warehouse, tmp_path)
    before = file_state(published_of(warehouse))
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "update marts.dim_users set city = ? where user_id = (select min(user_id) from marts.dim_users)", [contact]
        )

    completed = run_strata("publish", "--warehouse", warehouse)

    assert completed.returncode == 1, completed.stdout[-2000:] + completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "marts.dim_users.city" in lines[0] and "not replaced" in lines[0], completed.stderr
    assert file_state(published_of(warehouse)) == before
    assert leftovers(tmp_path) == []


def test_export_refuses_a_published_file_with_clear_contact_data(dirty_sample: BuiltSample, tmp_path: Path) -> None:
    warehouse = tmp_path / dirty_sample.warehouse.name  # only the published file is read
    shutil.copy2(published_of(dirty_sample.warehouse), published_of(warehouse))
    with duckdb.connect(str(published_of(warehouse))) as connection:
        connection.execute("update reference.rfm_segments set description = 'mail li.lei@example.com'")

    completed = run_strata("export-marts", "--out", tmp_path / "parquet", "--warehouse", warehouse)

    assert completed.returncode == 1, completed.stdout[-2000:] + completed.stderr
    assert "reference.rfm_segments.description" in completed.stderr
    assert not (tmp_path / "parquet").exists() or not any((tmp_path / "parquet").rglob("*.parquet"))


# --- when publishing happens ---------------------------------------------------------------------------


def test_publish_on_its_own_matches_the_build_and_shares_the_lock_with_readers(
    dirty_sample: BuiltSample, tmp_path: Path
) -> None:
    warehouse = copy_warehouse(dirty_sample.warehouse, tmp_path)  # no published file yet
    with held_lock(warehouse, fcntl.LOCK_EX):  # a build is running
        assert_one_line_error(run_strata("publish", "--warehouse", warehouse), "locked by another process")
    assert not published_of(warehouse).exists()

    with held_lock(warehouse, fcntl.LOCK_SH):  # a check or an export is reading
        completed = run_strata("publish", "--warehouse", warehouse)

    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr
    assert all_fingerprints(published_of(warehouse)) == all_fingerprints(published_of(dirty_sample.warehouse))
    assert leftovers(tmp_path) == []


def test_export_marts_without_a_published_file_is_one_line(tmp_path: Path) -> None:
    completed = run_strata("export-marts", "--out", tmp_path / "out", "--warehouse", tmp_path / "strata.duckdb")
    assert_one_line_error(completed, "no published file", "strata publish")


def test_a_failed_build_leaves_the_published_file_untouched(dirty_sample: BuiltSample, tmp_path: Path) -> None:
    warehouse = copy_with_published(dirty_sample.warehouse, tmp_path / "warehouse")
    before = file_state(published_of(warehouse))
    raw_dir = write_minimal_raw(tmp_path / "raw")
    # A date format nothing reads: every order quarantined, the guard's dbt test fails the build.
    rows = [order(f"o{number}", "u1", "02/01/2024 10:00") for number in range(GUARD_ORDERS)]
    write_csv(raw_dir / "raw_orders.csv", ORDER_COLUMNS, rows)

    completed = build_at_load_time(raw_dir, warehouse, check=False)

    assert completed.returncode == 1, completed.stdout[-3000:] + completed.stderr
    assert "raw_orders" in completed.stderr
    assert not re.search(r"published \d+ relations", completed.stdout)
    assert file_state(published_of(warehouse)) == before
    assert leftovers(warehouse.parent) == []


# --- a BI tool during a build ------------------------------------------------------------------------------


def bi_url(published: Path) -> str:
    """The SQLAlchemy URL of the README: duckdb-engine, absolute path, read-only."""
    return f"duckdb:///{published}?access_mode=read_only"


def fingerprints_through_sqlalchemy(connection: sqlalchemy.Connection, schema: str = "marts") -> dict[str, str]:
    """mart_fingerprints, read the way a BI tool reads: SQLAlchemy's inspector lists the tables and
    their columns, the fingerprint query runs on the same connection."""
    inspector = sqlalchemy.inspect(connection)
    found = {}
    for table in inspector.get_table_names(schema=schema):
        columns = [column["name"] for column in inspector.get_columns(table, schema=schema)]
        row_count, hash_sum = connection.exec_driver_sql(fingerprint_sql(schema, table, columns)).one()
        found[table] = f"{row_count}:{hash_sum}"
    return found


def test_the_bi_url_reads_marts_with_their_descriptions_and_cannot_write(dirty_sample: BuiltSample) -> None:
    published = published_of(dirty_sample.warehouse)
    expected = mart_fingerprints(published)  # before the engine opens the file (one configuration per process)
    engine = sqlalchemy.create_engine(bi_url(published))
    try:
        with engine.connect() as connection:
            columns = sqlalchemy.inspect(connection).get_columns("user_facts", schema="marts")
            assert fingerprints_through_sqlalchemy(connection) == expected
        with engine.connect() as connection, pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
            connection.exec_driver_sql("create table marts.written_by_bi as select 1 as x")
    finally:
        engine.dispose()
    assert columns and all(column["comment"] for column in columns)


def with_doubled_spend(raw_dir: Path, folder: Path) -> Path:
    """A copy of a raw export whose marketing spend is doubled: new input that changes the marts."""
    shutil.copytree(raw_dir, folder)
    spend = folder / "raw_marketing_spend.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * replace (cast(spend * 2 as decimal(18, 2)) as spend) from '{raw_dir / spend.name}') "
            f"to '{spend}' (format parquet)"
        )
    return folder


def test_a_bi_tool_reads_the_previous_published_data_while_a_build_runs(
    dirty_sample: BuiltSample, tmp_path: Path
) -> None:
    warehouse = copy_with_published(dirty_sample.warehouse, tmp_path / "warehouse")
    published = published_of(warehouse)
    before = mart_fingerprints(published)
    raw_dir = with_doubled_spend(dirty_sample.raw_dir, tmp_path / "raw")
    running = start_build(raw_dir, warehouse, "--load-time", SAMPLE_LOAD_TIME)
    engine = sqlalchemy.create_engine(bi_url(published))
    try:
        log = wait_for_models(running, MODELS_BEFORE_READ)
        # The build holds the run lock (a reader of the warehouse is refused) and writes the warehouse.
        with pytest.raises(WarehouseLockedError), warehouse_lock(warehouse, shared=True):
            pass
        with engine.connect() as connection:
            during = fingerprints_through_sqlalchemy(connection)
            still_running = running.poll() is None
            output, _ = running.communicate(timeout=1800)
            # A reader that opened the old file keeps reading it after the build replaced it.
            after_in_old_connection = fingerprints_through_sqlalchemy(connection)
    finally:
        engine.dispose()
        if running.poll() is None:
            os.killpg(running.pid, signal.SIGKILL)
            running.communicate()

    assert still_running, "the build ended before the BI read: nothing overlapped"
    assert during == before
    assert running.returncode == 0, "".join(log[-20:]) + output[-3000:]
    assert after_in_old_connection == before
    after = mart_fingerprints(published)
    assert after == mart_fingerprints(warehouse)
    assert after != before
    assert re.search(rf"published \d+ relations to {re.escape(str(published))}", output)
    assert leftovers(warehouse.parent) == []
