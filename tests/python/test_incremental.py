"""Daily incremental runs give the warehouse a full rebuild gives (doc block incremental_events).

One generated export (with late events, refunds and every kind of dirt) is cut to the export as
it stood on three days (stratalib.raw_slices). Three warehouses are built, each run with that
day's fixed load time:
- daily: `strata build` on day 1, 2, 3, as a user runs it every morning (incremental models
  read only the new days);
- reprocessed: the same three runs, but every incremental model that stores events is dropped
  before each run after the first, so it is rebuilt from all the raw rows (what every run did
  before the models were incremental);
- rebuilt: one `strata build` on day 3 into a new warehouse (a `--full-refresh`).
Every mart of `daily` must equal `reprocessed` (the accumulating ones too: user_layer_history,
user_tag_history and audience_members add one date per run, with what was known that day), and
every mart that describes the current state (not built on those three) must equal `rebuilt`.
Marts are compared by content fingerprints (stratalib.fingerprint).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from helpers import (
    COLUMNS,
    USER_COLUMNS,
    MakeFolder,
    copy_warehouse,
    event,
    failing_data_tests,
    query,
    run_build,
    run_dbt,
    run_strata,
    user,
    write_csv,
    write_minimal_raw,
)
from stratalib import publish as publishing
from stratalib.dbt_invoke import dbt_target_dir
from stratalib.fingerprint import mart_fingerprints
from stratalib.raw_slices import export_as_of

USERS = 1000
# The generated data covers 2024; late events arrive until early January 2025.
CUT_DAYS = ["2024-12-12 00:00:00", "2024-12-20 00:00:00"]
FINAL_LOAD_TIME = "2025-01-15 00:00:00"
# The models that add one snapshot date per run (their history is what was known that day).
ACCUMULATING = {"user_layer_history", "user_tag_history", "audience_members"}
# The incremental models that store events (raw, then identified, its change log and the models
# that follow it): what `reprocessed` drops before each run.
REPROCESSED = {
    "stg_raw__events": "staging",
    "int_events_identified": "intermediate",
    "int_events_identified_replaced": "intermediate",
    "int_sessions": "intermediate",
    "int_session_paths": "intermediate",
    "int_user_activity_days": "intermediate",
    "int_user_category_views": "intermediate",
    "int_funnel_step_events": "intermediate",
    "int_funnel_attempt_steps": "intermediate",
}
# One pseudonym key for every warehouse of the module, so their hashed contacts compare equal
# (each warehouse would otherwise get a key of its own).
SHARED_KEY = {"STRATA_PII_KEY": "ab" * 32}


def build(raw_dir: Path, warehouse: Path, load_time: str, *extra: str, check: bool = True):
    return run_build(raw_dir, warehouse, "--load-time", load_time, *extra, check=check, env=SHARED_KEY)


def run_staging(raw_dir: Path, warehouse: Path, load_time: str) -> None:
    """`dbt run` of stg_raw__events alone: what the tests of its re-read window look at, without
    the ~1,100 other nodes of a whole build (each whole build costs about 100 s)."""
    run_dbt(warehouse, raw_dir, "run", "--select", "stg_raw__events", dbt_vars={"load_time": load_time})


@pytest.fixture(scope="module")
def daily_exports(module_temp: MakeFolder) -> list[tuple[Path, str]]:
    """[(raw folder, load time)] of the three days: two cuts of one export, then the whole export."""
    root = module_temp("incremental_raw")
    run_strata(
        "generate", "--out", root / "whole", "--users", USERS, "--seed", 11, "--bad-rate", 0.02, "--quiet", check=True
    )
    days = []
    for load_time in CUT_DAYS:
        folder = root / load_time[:10]
        export_as_of(root / "whole", folder, datetime.fromisoformat(load_time))
        days.append((folder, load_time))
    return [*days, (root / "whole", FINAL_LOAD_TIME)]


def drop_reprocessed(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        for model, schema in REPROCESSED.items():
            connection.execute(f"drop table {schema}.{model}")


@pytest.fixture(scope="module")
def warehouses(daily_exports: list[tuple[Path, str]], module_temp: MakeFolder) -> dict[str, Path]:
    root = module_temp("incremental_warehouses")
    daily = root / "daily" / "strata.duckdb"
    daily.parent.mkdir()
    (first_raw, first_load), *later = daily_exports
    build(first_raw, daily, first_load)
    reprocessed = copy_warehouse(daily, root / "reprocessed")
    published = []
    for raw_dir, load_time in later:
        published += [line for line in build(raw_dir, daily, load_time).stdout.splitlines() if line.startswith("published")]
        drop_reprocessed(reprocessed)
        build(raw_dir, reprocessed, load_time)
    (daily.parent / "published.log").write_text("\n".join(published) + "\n")  # the daily publishes' lines
    rebuilt = root / "rebuilt" / "strata.duckdb"
    rebuilt.parent.mkdir()
    final_raw, final_load = daily_exports[-1]
    build(final_raw, rebuilt, final_load)
    return {"daily": daily, "reprocessed": reprocessed, "rebuilt": rebuilt}


def built_on_accumulating(manifest: dict) -> set[str]:
    """The models built on the accumulating ones (their descendants), by name."""
    children = manifest["child_map"]
    found: set[str] = set()
    pending = [f"model.strata.{name}" for name in ACCUMULATING]
    while pending:
        for child in children.get(pending.pop(), []):
            if child.startswith("model.") and child not in found:
                found.add(child)
                pending.append(child)
    return {unique_id.split(".")[-1] for unique_id in found} | ACCUMULATING


def manifest() -> dict:
    return json.loads((dbt_target_dir() / "manifest.json").read_text())


def test_the_reprocessed_models_are_the_incremental_event_stores(warehouses: dict[str, Path]) -> None:
    """A new incremental model must be listed here, so the test rebuilds it in `reprocessed`."""
    incremental = {
        node["name"]
        for node in manifest()["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    }
    assert incremental - ACCUMULATING == set(REPROCESSED)


def test_daily_runs_equal_reprocessing_every_run(warehouses: dict[str, Path]) -> None:
    daily, reprocessed = mart_fingerprints(warehouses["daily"]), mart_fingerprints(warehouses["reprocessed"])
    assert daily.keys() == reprocessed.keys()
    assert [mart for mart in daily if daily[mart] != reprocessed[mart]] == []


def test_daily_runs_equal_a_full_rebuild_for_the_current_state(warehouses: dict[str, Path]) -> None:
    daily, rebuilt = mart_fingerprints(warehouses["daily"]), mart_fingerprints(warehouses["rebuilt"])
    current_state = sorted(set(daily) - built_on_accumulating(manifest()))
    assert len(current_state) > 30  # the comparison covers most marts, not a few
    assert [mart for mart in current_state if daily[mart] != rebuilt[mart]] == []


def test_the_published_events_follow_the_daily_runs(warehouses: dict[str, Path], tmp_path: Path) -> None:
    """The daily builds' publishes wrote again only the events int_events_identified wrote again (a
    few days' worth), and the published file is what a full publish of the warehouse gives."""
    daily = warehouses["daily"]
    lines = (daily.parent / "published.log").read_text()
    written = [int(count.replace(",", "")) for count in re.findall(r"\(([\d,]+) events of fct_events written again\)", lines)]
    total = query(daily, "select count(*) from marts.fct_events")[0][0]
    assert len(written) == 2 and all(0 < count < total / 4 for count in written), (lines, total)
    full = tmp_path / "full.duckdb"
    assert publishing.write_published(daily, full)[1] is None  # no last publish to follow: every row
    assert mart_fingerprints(publishing.published_path(daily)) == mart_fingerprints(full)


def copy_with_publish_state(warehouse: Path, folder: Path) -> Path:
    """A copy of a built warehouse with its published file and the state of its last publish."""
    copied = copy_warehouse(warehouse, folder)
    for source in (publishing.published_path(warehouse), publishing.state_path(warehouse)):
        shutil.copy2(source, folder / source.name)
    return copied


def mark_an_event(warehouse: Path, page: str) -> str:
    """Set the page of one event of int_events_identified as a run after the last one would write
    it (written_at later than every stored row); return its event_id."""
    with duckdb.connect(str(warehouse)) as connection:
        event_id = connection.execute("select min(event_id) from intermediate.int_events_identified").fetchone()[0]
        connection.execute(
            "update intermediate.int_events_identified set page = ?, "
            "written_at = (select max(written_at) from intermediate.int_events_identified) + interval 1 second "
            "where event_id = ?",
            [page, event_id],
        )
    return event_id


def test_a_publish_follows_the_events_written_since_the_last_one(warehouses: dict[str, Path], tmp_path: Path) -> None:
    """An event written after the last publish is written again in the published file, and only it;
    a published file that is not the one the last publish wrote is copied whole instead."""
    warehouse = copy_with_publish_state(warehouses["daily"], tmp_path / "warehouse")
    event_id = mark_an_event(warehouse, "marked_by_the_test")
    assert publishing.publish(warehouse).events_written == 1
    published = publishing.published_path(warehouse)
    assert query(published, f"select page from marts.fct_events where event_id = '{event_id}'") == [("marked_by_the_test",)]
    full = tmp_path / "full.duckdb"
    publishing.write_published(warehouse, full)
    assert mart_fingerprints(published) == mart_fingerprints(full)
    # Another modification time: not the file the last publish wrote (a tool wrote to it).
    os.utime(published, ns=(published.stat().st_atime_ns, published.stat().st_mtime_ns + 1))
    assert publishing.publish(warehouse).events_written is None


def test_a_publish_that_would_miss_a_row_copies_every_row(warehouses: dict[str, Path], tmp_path: Path) -> None:
    """An event deleted behind the log's back: following the log would keep it in the published
    file, the row counts differ, and the publish copies every row instead."""
    warehouse = copy_with_publish_state(warehouses["daily"], tmp_path / "warehouse")
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "delete from intermediate.int_events_identified "
            "where event_id = (select min(event_id) from intermediate.int_events_identified)"
        )
    assert publishing.publish(warehouse).events_written is None
    count = "select count(*) from marts.fct_events"
    assert query(publishing.published_path(warehouse), count) == query(warehouse, count)


def test_a_contact_in_an_event_written_since_stops_the_publish(warehouses: dict[str, Path], tmp_path: Path) -> None:
    """A publish that follows the log scans the events it writes again, and a failed scan keeps the old file."""
    warehouse = copy_with_publish_state(warehouses["daily"], tmp_path / "warehouse")
    mark_an_event(warehouse, "mail li.lei@example.com")
    before = publishing.published_path(warehouse).read_bytes()
    with pytest.raises(publishing.ContactDataError, match="marts.fct_events.page"):
        publishing.publish(warehouse)
    assert publishing.published_path(warehouse).read_bytes() == before


GRAIN_TEST = "unique_combination_int_user_activity_days_user_id__activity_date"


def repeat_a_row(warehouse: Path, written: str) -> None:
    """Insert a second copy of one row of int_user_activity_days written by the last run
    (written='last') or by an earlier one ('earlier'): a repeat of its (user_id, activity_date)."""
    table = "intermediate.int_user_activity_days"
    latest = f"(select max(written_at) from {table})"
    condition = f"written_at = {latest}" if written == "last" else f"written_at < {latest}"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(f"insert into {table} select * from {table} where {condition} order by user_id, activity_date limit 1")


def test_grain_tests_check_the_keys_the_last_run_wrote(
    warehouses: dict[str, Path], daily_exports: list[tuple[Path, str]], tmp_path: Path
) -> None:
    """Doc block incremental_consumers: after the daily runs, int_user_activity_days holds users the
    last run wrote and users it did not. Its grain test sees a repeated row of a user the last
    run wrote; a repeat of a user written earlier only when scope_tests_to_last_run is false."""
    raw_dir = daily_exports[-1][0]
    [(last_run_rows, earlier_rows)] = query(
        warehouses["daily"],
        "select count(*) filter (where written_at = latest), count(*) filter (where written_at < latest) "
        "from intermediate.int_user_activity_days, "
        "(select max(written_at) as latest from intermediate.int_user_activity_days)",
    )
    assert last_run_rows > 0 and earlier_rows > 0
    earlier = copy_warehouse(warehouses["daily"], tmp_path / "earlier")
    repeat_a_row(earlier, "earlier")
    assert failing_data_tests(earlier, raw_dir, GRAIN_TEST) == []
    assert failing_data_tests(earlier, raw_dir, GRAIN_TEST, scope_tests_to_last_run=False) == [GRAIN_TEST]
    last = copy_warehouse(warehouses["daily"], tmp_path / "last")
    repeat_a_row(last, "last")
    assert failing_data_tests(last, raw_dir, GRAIN_TEST) == [GRAIN_TEST]


# The event tables whose unique test on event_id (unique_in_last_run) a daily run scopes to the
# event_ids it wrote, each with the table holding its rows, the rows the test reads and its name.
EVENT_TABLES = {
    "stg_raw__events": (
        "staging.stg_raw__events", "quarantine_reason is null", "unique_in_last_run_stg_raw__events_event_id"
    ),
    "fct_events": (
        "intermediate.int_events_identified", "1 = 1",
        "unique_in_last_run_fct_events_event_id__ref_int_events_identified_",
    ),
}  # fmt: skip


def repeat_an_event_id(warehouse: Path, model: str, written: str) -> None:
    """Give one event stored by an earlier run the event_id of another event: one the last run
    wrote (written='last') or one an earlier run wrote too ('earlier')."""
    table, tested, _ = EVENT_TABLES[model]
    latest = f"(select max(written_at) from {table})"
    copied = f"written_at = {latest}" if written == "last" else f"written_at < {latest}"
    with duckdb.connect(str(warehouse)) as connection:
        [(target, source)] = connection.execute(
            f"select (select min(event_id) from {table} where written_at < {latest} and {tested}), "
            f"(select max(event_id) from {table} where {copied} and {tested})"
        ).fetchall()
        connection.execute(f"update {table} set event_id = ? where event_id = ?", [source, target])


@pytest.mark.parametrize("model", EVENT_TABLES)
def test_event_unique_tests_check_the_event_ids_the_last_run_wrote(
    model: str, warehouses: dict[str, Path], daily_exports: list[tuple[Path, str]], tmp_path: Path
) -> None:
    """Doc block incremental_events: after the daily runs, the events hold rows the last run wrote
    and rows it did not. An old event given the id of one the last run wrote fails the unique
    test (the old copy is read too); an old event given another old one's id fails it only when
    scope_tests_to_last_run is false."""
    raw_dir = daily_exports[-1][0]
    table, tested, test_name = EVENT_TABLES[model]
    [(last_run_rows, earlier_rows)] = query(
        warehouses["daily"],
        f"select count(*) filter (where written_at = latest), count(*) filter (where written_at < latest) "
        f"from {table}, (select max(written_at) as latest from {table}) where {tested}",
    )
    assert last_run_rows > 0 and earlier_rows > 0
    assert failing_data_tests(warehouses["daily"], raw_dir, test_name) == []
    earlier = copy_warehouse(warehouses["daily"], tmp_path / "earlier")
    repeat_an_event_id(earlier, model, "earlier")
    assert failing_data_tests(earlier, raw_dir, test_name) == []
    assert failing_data_tests(earlier, raw_dir, test_name, scope_tests_to_last_run=False) == [test_name]
    last = copy_warehouse(warehouses["daily"], tmp_path / "last")
    repeat_an_event_id(last, model, "last")
    assert failing_data_tests(last, raw_dir, test_name) == [test_name]


def test_a_daily_run_rereads_only_the_lookback_window(
    warehouses: dict[str, Path], daily_exports: list[tuple[Path, str]], tmp_path: Path
) -> None:
    """Mark one stored event of an old day and one of the last day, then run the day again: the
    old day is not re-read (its mark stays), the last day is (its row is read again from raw)."""
    warehouse = copy_warehouse(warehouses["daily"], tmp_path / "warehouse")
    marked = "marked_by_the_test"
    with duckdb.connect(str(warehouse)) as connection:
        old_id, recent_id = (
            connection.execute(
                f"select min(event_id) from staging.stg_raw__events where received_date = "
                f"(select {day} from staging.stg_raw__events where received_date < date '9999-12-31')"
            ).fetchone()[0]
            for day in ("min(received_date)", "max(received_date)")
        )
        connection.execute(
            "update staging.stg_raw__events set event_name = ? where event_id in (?, ?)", [marked, old_id, recent_id]
        )
    final_raw, final_load = daily_exports[-1]
    run_staging(final_raw, warehouse, final_load)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = dict(
            connection.execute(
                "select event_id, event_name from staging.stg_raw__events where event_id in (?, ?)", [old_id, recent_id]
            ).fetchall()
        )
    assert names[old_id] == marked
    assert names[recent_id] != marked


def test_a_changed_export_fails_the_build_instead_of_mixing(
    warehouses: dict[str, Path], daily_exports: list[tuple[Path, str]], tmp_path: Path
) -> None:
    """Rows added to the export for a day before the re-read window are never read by a daily run:
    the build fails (test assert_stored_events_match_the_raw_export) and names the fix."""
    warehouse = copy_warehouse(warehouses["daily"], tmp_path / "warehouse")
    final_raw, final_load = daily_exports[-1]
    changed = tmp_path / "changed"
    shutil.copytree(final_raw, changed)
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * replace ('backfilled-' || event_id as event_id) "
            f"from read_parquet('{final_raw}/raw_events/*.parquet') where received_at < '2024-06-01' limit 5) "
            f"to '{changed}/raw_events/part-backfill.parquet' (format parquet)"
        )
    failed = build(changed, warehouse, final_load, check=False)
    assert failed.returncode == 1
    assert "assert_stored_events_match_the_raw_export" in failed.stdout + failed.stderr
    repaired = build(changed, warehouse, final_load, "--full-refresh", check=False)
    assert repaired.returncode == 0, repaired.stdout[-3000:]


# How a raw export may type received_at: text (CSV), or typed in Parquet, naive (UTC) or zoned. A
# daily run skips the older days of a typed column while it reads the files (macro
# received_on_or_after); text is read whole and filtered on the parsed day.
RECEIVED_AT_TYPES = {"csv": None, "parquet_timestamp": "timestamp", "parquet_timestamptz": "timestamptz"}


def write_events(raw_dir: Path, events: list[list[str]], received_at_type: str | None) -> None:
    """raw_events as CSV, or as Parquet with received_at typed (empty text becomes null)."""
    csv_path = write_csv(raw_dir / "raw_events.csv", COLUMNS["raw_events"], events)
    if received_at_type is None:
        return
    # A zoned value names its instant: written with +00 it is the same UTC time as the text.
    zone = " || '+00'" if received_at_type == "timestamptz" else ""
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * replace (cast(nullif(received_at, ''){zone} as {received_at_type}) as received_at) "
            f"from read_csv('{csv_path}', all_varchar = true)) to '{raw_dir / 'raw_events.parquet'}' (format parquet)"
        )
    csv_path.unlink()


@pytest.mark.parametrize("received_at_format", RECEIVED_AT_TYPES)
def test_a_copy_after_the_window_is_a_duplicate_of_the_stored_one(received_at_format: str, tmp_path: Path) -> None:
    """Hand-made: e1 arrives on 2024-02-01 and again on 2024-02-20, after a run stored days up to
    2024-02-15 (window from 2024-02-08 with the default 7 days). The second run re-reads e9 (in
    the window) and e8 (received at the window's first midnight: its name changed in the export,
    so the stored row shows whether it was read again), and reads e5, e6 (no received_at: day
    9999-12-31) and e1's late copy, which is a duplicate of the stored copy, as in a full build;
    e1's first copy, before the window, is not re-read (a dbt unit test cannot hold this case: it
    needs the table to exist already). The same with received_at as text and typed."""
    first = [
        event("e1", "u1", "page_view", "2024-02-01 10:00:00", "2024-02-01 10:00:01"),
        event("e8", "u1", "page_view", "2024-02-07 23:00:00", "2024-02-08 00:00:00"),
        event("e9", "u1", "page_view", "2024-02-15 08:00:00", "2024-02-15 08:00:01"),
    ]
    later = [
        event("e1", "u1", "page_view", "2024-02-01 10:00:00", "2024-02-20 09:00:00"),
        event("e5", "u1", "page_view", "2024-02-20 08:00:00", "2024-02-20 08:00:01"),
        event("e6", "u1", "page_view", "2024-02-20 08:01:00", ""),
    ]
    renamed_e8 = event("e8", "u1", "add_to_cart", "2024-02-07 23:00:00", "2024-02-08 00:00:00")
    staged = (
        "select event_id, cast(received_date as varchar), coalesce(quarantine_reason, 'kept'), event_name "
        "from staging.stg_raw__events order by 1, 2"
    )
    warehouse = tmp_path / "strata.duckdb"
    rows = {}
    for day, events in (("day1", first), ("day2", [first[0], renamed_e8, first[2], *later])):
        raw_dir = write_minimal_raw(tmp_path / day)
        write_events(raw_dir, events, RECEIVED_AT_TYPES[received_at_format])
        run_staging(raw_dir, warehouse, "2024-06-01 00:00:00")
        rows[day] = query(warehouse, staged)
    assert rows["day2"] == [
        ("e1", "2024-02-01", "kept", "page_view"),
        ("e1", "2024-02-20", "duplicate_event", "page_view"),
        ("e5", "2024-02-20", "kept", "page_view"),
        ("e6", "9999-12-31", "kept", "page_view"),
        ("e8", "2024-02-08", "kept", "add_to_cart"),
        ("e9", "2024-02-15", "kept", "page_view"),
    ]
    rebuilt = tmp_path / "rebuilt.duckdb"
    run_staging(tmp_path / "day2", rebuilt, "2024-06-01 00:00:00")
    assert query(rebuilt, staged) == rows["day2"]


# --- int_events_identified: what a daily run writes again (doc block incremental_identified_events) ---


def raw_event(
    event_id: str, user_id: str, device: str, session: str, occurred_at: str, received_at: str
) -> list[str]:
    return [event_id, user_id, device, session, "page_view", occurred_at, received_at, "app", "home", "", "", "", "{}"]


def stored_rows(warehouse: Path, model: str) -> list[tuple]:
    """The rows of an incremental intermediate model, without written_at (the run's own clock)."""
    return query(warehouse, f"select * exclude (written_at) from intermediate.{model} order by all")


# The models that follow int_events_identified in daily runs, with what they are built on.
FOLLOWERS = (
    "+int_sessions", "+int_session_paths", "+int_user_activity_days", "+int_user_category_views",
    "+int_funnel_step_events", "+int_funnel_attempt_steps",
)  # fmt: skip
FUNNEL_MODELS = ("int_funnel_step_events", "int_funnel_attempt_steps")


def written_by_last_run(warehouse: Path, model: str, key_column: str = "*") -> list[str]:
    """The keys of the rows of `model` the last run wrote, each once: key_column's, by default
    the first column's (the funnel models' key is identity_id)."""
    table = f"intermediate.{model}"
    rows = query(warehouse, f"select {key_column} from {table} where written_at = (select max(written_at) from {table})")
    return sorted({row[0] for row in rows})


def logged_by_last_run(warehouse: Path) -> list[str]:
    """The events int_events_identified_replaced holds for the last run: those it deleted and did
    not write again with the same values."""
    rows = query(
        warehouse,
        "select event_id from intermediate.int_events_identified_replaced where event_id is not null "
        "and replaced_at = (select max(replaced_at) from intermediate.int_events_identified_replaced) order by 1",
    )
    return [row[0] for row in rows]


def users_csv(raw_dir: Path, user_ids: list[str]) -> None:
    write_csv(raw_dir / "raw_users.csv", USER_COLUMNS, [user(user_id, "2024-01-01 10:00:00") for user_id in user_ids])


# Day 1 is loaded on 2024-02-16 and stores received days up to 2024-02-15, so day 2 re-reads from
# 2024-02-08: every event of 2024-02-01 below is before the re-read days.
OLD_EVENTS = [
    raw_event("a1", "", "d1", "s1", "2024-02-01 10:00:00", "2024-02-01 10:00:01"),
    raw_event("a2", "", "d2", "", "2024-02-01 10:00:00", "2024-02-01 10:00:01"),
    raw_event("a3", "", "d2", "", "2024-02-01 12:00:00", "2024-02-01 12:00:01"),
    raw_event("a4", "u1", "d4", "s4", "2024-02-01 10:00:00", "2024-02-01 10:00:01"),
    raw_event("a9", "u1", "d4", "s9", "2024-02-15 10:00:00", "2024-02-15 10:00:01"),
]
AS_OF_EVENTS = [
    raw_event("c1", "u1", "d4", "s7", "2024-02-03 10:00:00", "2024-02-03 10:00:01"),
    raw_event("c2", "u1", "d4", "s4", "2024-02-01 11:00:00", "2024-02-15 10:00:00"),
    raw_event("c3", "u1", "d4", "s4", "2024-02-01 11:30:00", "2024-02-05 10:00:00"),
]
U2_EVENT = raw_event("a5", "u2", "d5", "s3", "2024-02-01 10:00:00", "2024-02-01 10:00:01")
GONE_EVENTS = [
    raw_event("g1", "u1", "d4", "s5", "2024-02-10 10:00:00", "2024-02-10 10:00:01"),
    raw_event("g2", "u1", "d4", "s6", "2024-02-10 11:00:00", "2024-02-10 11:00:01"),
]
LATE_EVENING_EVENT = raw_event("z1", "u1", "d4", "s8", "2024-02-01 20:00:00", "2024-02-01 20:00:01")
EPOCH_EVENT = raw_event("e1", "", "d6", "s10", "1706781600", "2024-02-01 10:00:01")
SECOND_S4_EVENT = raw_event("t1", "u1", "d4", "s4", "2024-02-01 11:00:00", "2024-02-01 11:00:01")
DEVICE_TWO_LATE_EVENT = raw_event("x1", "", "d2", "", "2024-02-01 11:00:00", "2024-02-10 10:00:01")
# name: (day-1 users, day-1 events, day-2 users, day-2 events, day-1 and day-2 as-of dates)
IDENTIFIED_CASES = {
    # u1 signs in on d1 (a1 is now u1's) and d2 gets an earlier session-less event (a2, a3 are
    # numbered again): a daily run writes those events again and leaves a4 and u2's a5 as stored.
    "restitched_and_resessioned": (
        ["u1", "u2"], [*OLD_EVENTS, U2_EVENT], ["u1", "u2"],
        [*OLD_EVENTS, U2_EVENT,
         raw_event("b1", "u1", "d1", "s2", "2024-02-20 10:00:00", "2024-02-20 10:00:01"),
         raw_event("b2", "", "d2", "", "2024-02-01 09:00:00", "2024-02-20 10:00:01")],
        ("2024-02-29", "2024-02-29"),
    ),
    # Two events close the gap between d2's session-less a2 and a3: their derived sessions merge
    # into one (derived:d2:2 is gone); g1, received on a re-read day, is no longer in day 2's
    # export (g2 keeps that day in it), so its session s5 is gone.
    "sessions_merge_and_an_event_goes": (
        ["u1"], [*OLD_EVENTS, *GONE_EVENTS],
        ["u1"],
        [*OLD_EVENTS, GONE_EVENTS[1],
         *(raw_event(f"m{minute}", "", "d2", "", f"2024-02-01 {minute}:00", "2024-02-20 10:00:01")
           for minute in ("10:25", "10:55", "11:25", "11:55"))],
        ("2024-02-29", "2024-02-29"),
    ),
    # x1, d2's session-less event received on a re-read day, is no longer in day 2's export (g2
    # keeps that day in it): a3, an hour after it, is derived:d2:3 on day 1 and derived:d2:2 now,
    # though no raw event of d2 is read again. a2, before x1, keeps derived:d2:1 as stored.
    "a_derived_session_event_goes": (
        ["u1"], [*OLD_EVENTS, GONE_EVENTS[1], DEVICE_TWO_LATE_EVENT],
        ["u1"], [*OLD_EVENTS, GONE_EVENTS[1]],
        ("2024-02-29", "2024-02-29"),
    ),
    # u7's event of 2024-02-01 is quarantined on day 1 (unknown user); u7 is in day 2's users.
    "user_appears_late": (
        ["u1"], [*OLD_EVENTS, raw_event("c1", "u7", "d7", "s7", "2024-02-01 10:00:00", "2024-02-01 10:00:01")],
        ["u1", "u7"], [*OLD_EVENTS, raw_event("c1", "u7", "d7", "s7", "2024-02-01 10:00:00", "2024-02-01 10:00:01")],
        ("2024-02-29", "2024-02-29"),
    ),
    # u8 leaves the users export: its stored event is no longer kept.
    "user_leaves": (
        ["u1", "u8"], [*OLD_EVENTS, raw_event("c1", "u8", "d8", "s8", "2024-02-01 10:00:00", "2024-02-01 10:00:01")],
        ["u1"], [*OLD_EVENTS, raw_event("c1", "u8", "d8", "s8", "2024-02-01 10:00:00", "2024-02-01 10:00:01")],
        ("2024-02-29", "2024-02-29"),
    ),
    # c1 occurred after day 1's as-of date; day 2's as-of date is later, and c1 was received
    # before the re-read days: c2 and c3, events of 2024-02-01 received late, are stored on
    # 2024-02-15 (a9 is after day 1's as-of date too) and on 2024-02-05, the last day kept.
    "as_of_moves_past_an_old_event": (
        ["u1"], [*OLD_EVENTS, *AS_OF_EVENTS], ["u1"], [*OLD_EVENTS, *AS_OF_EVENTS], ("2024-02-02", "2024-02-29"),
    ),
    # Day 2 runs in Asia/Shanghai (UTC+8, DAY_TWO_VARS): z1, at 20:00 UTC on 2024-02-01, is on
    # 2024-02-02 there, though no event was re-read or restitched.
    "reporting_time_zone_changes": (
        ["u1"], [*OLD_EVENTS, LATE_EVENING_EVENT], ["u1"], [*OLD_EVENTS, LATE_EVENING_EVENT], ("2024-02-29", "2024-02-29"),
    ),
    # Day 2 reads whole-number timestamps from 1e9 on as milliseconds (DAY_TWO_VARS): e1's
    # 1706781600, 10:00 on 2024-02-01 in seconds, is in January 1970 and quarantined, though its
    # day is not re-read.
    "raw_event_settings_change": (
        ["u1"], [*OLD_EVENTS, EPOCH_EVENT], ["u1"], [*OLD_EVENTS, EPOCH_EVENT], ("2024-02-29", "2024-02-29"),
    ),
    # Day 2 ends a derived session after 3 hours of inactivity: a2 and a3, two hours apart, are one
    # session.
    "session_gap_changes": (
        ["u1"], OLD_EVENTS, ["u1"], OLD_EVENTS, ("2024-02-29", "2024-02-29"),
    ),
    # Day 2 caps a session's time spent at 30 minutes: s4 (a4, then t1 an hour later) spent 60
    # minutes on day 1. Only int_user_activity_days reads the cap.
    "time_spent_cap_changes": (
        ["u1"], [*OLD_EVENTS, SECOND_S4_EVENT], ["u1"], [*OLD_EVENTS, SECOND_S4_EVENT], ("2024-02-29", "2024-02-29"),
    ),
    # Day 2 ends a funnel's attempts after one day instead of 7: the funnel models write every
    # row again, though no event changed.
    "funnel_window_changes": (
        ["u1"], OLD_EVENTS, ["u1"], OLD_EVENTS, ("2024-02-29", "2024-02-29"),
    ),
    # Day 1 was stored by a strata without stg_raw__events' read_settings and written_at, the
    # log's settings and stored values and the funnel models' written_at and
    # funnel_definition_hash (dropped after day 1): day 2 adds the columns, re-reads every raw
    # row and writes every event and funnel row again.
    "stored_by_an_older_version": (
        ["u1"], OLD_EVENTS, ["u1"], OLD_EVENTS, ("2024-02-29", "2024-02-29"),
    ),
}
# Vars of day 2's run (and of the rebuild) beside its load time and as-of date, by case.
DAY_TWO_VARS = {
    "reporting_time_zone_changes": {"reporting_timezone": "Asia/Shanghai"},
    "raw_event_settings_change": {"epoch_milliseconds_from": 1000000000},
    "session_gap_changes": {"session_inactivity_minutes": 180},
    "time_spent_cap_changes": {"session_time_cap_minutes": 30},
    "funnel_window_changes": {"funnel_conversion_window_days": 1},
}
# The cases whose day 2 writes every stored event again.
EVERY_EVENT_AGAIN = {
    "reporting_time_zone_changes": ["a1", "a2", "a3", "a4", "a9", "z1"],
    "raw_event_settings_change": ["a1", "a2", "a3", "a4", "a9"],
    "session_gap_changes": ["a1", "a2", "a3", "a4", "a9"],
    "time_spent_cap_changes": ["a1", "a2", "a3", "a4", "a9", "t1"],
    "stored_by_an_older_version": ["a1", "a2", "a3", "a4", "a9"],
}


@pytest.mark.parametrize("case", IDENTIFIED_CASES)
def test_a_daily_run_of_the_identified_events_equals_a_rebuild(case: str, tmp_path: Path) -> None:
    """Hand-made: two daily runs of int_events_identified and the models that follow it (and what
    they are built on) give the rows one build of day 2's export gives, in each way a stored event
    can change after its day."""
    first_users, first_events, second_users, second_events, as_of_dates = IDENTIFIED_CASES[case]
    warehouse, rebuilt = tmp_path / "strata.duckdb", tmp_path / "rebuilt.duckdb"
    for day, (users, events, as_of_date, load_time) in enumerate(
        [(first_users, first_events, as_of_dates[0], "2024-02-16 00:00:00"),
         (second_users, second_events, as_of_dates[1], "2024-02-21 00:00:00")]
    ):  # fmt: skip
        raw_dir = write_minimal_raw(tmp_path / f"day{day + 1}")
        users_csv(raw_dir, users)
        write_csv(raw_dir / "raw_events.csv", COLUMNS["raw_events"], events)
        dbt_vars = {"load_time": load_time, "as_of_date": as_of_date, **(DAY_TWO_VARS.get(case, {}) if day else {})}
        if not day:
            run_dbt(warehouse, raw_dir, "seed", "--select", "funnels")
        run_dbt(warehouse, raw_dir, "run", "--select", *FOLLOWERS, dbt_vars=dbt_vars)
        if case == "stored_by_an_older_version" and not day:
            with duckdb.connect(str(warehouse)) as connection:
                for column in ("read_settings", "written_at"):
                    connection.execute(f"alter table staging.stg_raw__events drop column {column}")
                for column in ("run_settings", "stored_written_at", "stored_row_hash"):
                    connection.execute(f"alter table intermediate.int_events_identified_replaced drop column {column}")
                for model in FUNNEL_MODELS:
                    for column in ("written_at", "funnel_definition_hash"):
                        connection.execute(f"alter table intermediate.{model} drop column {column}")
        if not day:
            day_one_identities = query(warehouse, "select count(distinct identity_id) from intermediate.int_funnel_step_events")
    run_dbt(rebuilt, raw_dir, "seed", "--select", "funnels")
    run_dbt(rebuilt, raw_dir, "run", "--select", *FOLLOWERS, dbt_vars=dbt_vars)
    for model in ("int_events_identified", *(follower.removeprefix("+") for follower in FOLLOWERS)):
        assert stored_rows(warehouse, model) == stored_rows(rebuilt, model), model
    # Every identity has rows: the registration funnel's first step is each identity's first visit.
    assert day_one_identities[0][0] > 0
    if case in ("funnel_window_changes", *EVERY_EVENT_AGAIN):
        every_identity = sorted(row[0] for row in query(warehouse, "select distinct identity_id from intermediate.int_funnel_step_events"))
        for model in FUNNEL_MODELS:
            assert written_by_last_run(warehouse, model, "identity_id") == every_identity, model
    staged = "select * exclude (written_at) from staging.stg_raw__events order by all"
    assert query(warehouse, staged) == query(rebuilt, staged)
    if case in EVERY_EVENT_AGAIN:
        assert written_by_last_run(warehouse, "int_events_identified") == EVERY_EVENT_AGAIN[case]
    if case == "restitched_and_resessioned":
        # a1 is u1's now and d2's three session-less events are three sessions, b2 the first; the
        # second run wrote those events and sessions again and the new ones, and left a4 and its
        # session s4 as stored, and u2 (its activity days too). It wrote a9 (re-read) again too,
        # with the same values: a9 keeps its written_at and leaves the log, so s9 is left as stored.
        assert query(
            rebuilt,
            "select event_id, stitched_user_id, session_id from intermediate.int_events_identified "
            "where event_id in ('a1', 'a2', 'a3', 'b2') order by 1",
        ) == [("a1", "u1", "s1"), ("a2", None, "derived:d2:2"), ("a3", None, "derived:d2:3"), ("b2", None, "derived:d2:1")]
        assert written_by_last_run(warehouse, "int_events_identified") == ["a1", "a2", "a3", "b1", "b2"]
        assert logged_by_last_run(warehouse) == ["a1", "a2", "a3"]
        assert written_by_last_run(warehouse, "int_sessions") == [
            "derived:d2:1", "derived:d2:2", "derived:d2:3", "s1", "s2"
        ]
        assert written_by_last_run(warehouse, "int_user_activity_days") == ["u1"]
        # The funnel models wrote again u1 (a1, b1) and d2 (a2, a3, b2), and left u2 as stored; d1's
        # identity, whose one event a1 is u1's now, is gone.
        for model in FUNNEL_MODELS:
            assert written_by_last_run(warehouse, model, "identity_id") == ["anonymous:d2", "u1"], model
            identities = query(warehouse, f"select distinct identity_id from intermediate.{model} order by 1")
            assert identities == [("anonymous:d2",), ("u1",), ("u2",)], model
        # s1's path now counts for u1, a1's user since d1 signed in.
        assert query(warehouse, "select distinct person_id from intermediate.int_session_paths where session_id = 's1'") == [
            ("u1",)
        ]
    if case == "reporting_time_zone_changes":
        assert query(warehouse, "select event_date from intermediate.int_events_identified where event_id = 'z1'") == [
            (date(2024, 2, 2),)
        ]
    if case == "session_gap_changes":
        assert query(warehouse, "select distinct session_id from intermediate.int_events_identified where anonymous_id = 'd2'") == [
            ("derived:d2:1",)
        ]
    if case == "time_spent_cap_changes":
        assert query(warehouse, "select time_spent_seconds from intermediate.int_user_activity_days where activity_date = '2024-02-01'") == [
            (1800,)
        ]
    if case in ("restitched_and_resessioned", "sessions_merge_and_an_event_goes"):
        assert written_by_last_run(warehouse, "int_session_paths") == written_by_last_run(warehouse, "int_sessions")
    if case == "a_derived_session_event_goes":
        # The second run logged x1 (gone) and a3 (numbered again); a2 keeps its session.
        assert logged_by_last_run(warehouse) == ["a3", "x1"]
        assert query(
            warehouse,
            "select event_id, session_id from intermediate.int_events_identified where anonymous_id = 'd2' order by 1",
        ) == [("a2", "derived:d2:1"), ("a3", "derived:d2:2")]
    if case == "sessions_merge_and_an_event_goes":
        # Of the events the second run deleted, a3 (now in derived:d2:1) changed and g1 is gone;
        # a2, g2 and a9 were written again unchanged, so s6 and s9 are left as stored.
        assert logged_by_last_run(warehouse) == ["a3", "g1"]
        assert written_by_last_run(warehouse, "int_sessions") == ["derived:d2:1"]
        assert written_by_last_run(warehouse, "int_user_activity_days") == ["u1"]
        assert query(warehouse, "select session_id, event_count from intermediate.int_sessions order by 1") == [
            ("derived:d2:1", 6), ("s1", 1), ("s4", 1), ("s6", 1), ("s9", 1)
        ]
