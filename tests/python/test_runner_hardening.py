"""The runner's edges: options, warehouse paths, the run lock, the export file and a full disk each
end in exit 2 with one line on stderr, before dbt starts where the input alone shows the problem;
an export of a past audience date honours the consent and contacts of the current build."""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import subprocess
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from helpers import (
    LOAD_TIME,
    BuiltSample,
    assert_one_line_error,
    copy_warehouse,
    held_lock,
    query,
    run_build,
    run_strata,
    write_minimal_raw,
)
from stratalib import cli as strata
from stratalib import dbt_invoke
from stratalib.dbt_invoke import DbtOutcome, failure_summary, nodes_out_of_memory
from stratalib.warehouse import warehouse_lock

DBT_STARTED = "Running with dbt"


def assert_dbt_not_started(completed: subprocess.CompletedProcess[str]) -> None:
    assert DBT_STARTED not in completed.stdout, completed.stdout[-2000:]


@pytest.fixture
def fake_dbt(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Run the runner in-process with dbt replaced by a recorder: each call's vars, exit 0 (and no
    publish step: there is no warehouse to publish)."""
    calls: list[dict] = []

    def run_dbt(command: list[str], dbt_vars: dict | None = None) -> DbtOutcome:
        calls.append({"command": command, **(dbt_vars or {})})
        return DbtOutcome(0)

    monkeypatch.setattr(strata, "run_dbt", run_dbt)
    monkeypatch.setattr(strata, "prepare_environment", lambda warehouse: None)  # keep os.environ as it is
    monkeypatch.setattr(strata, "publish_outcome", lambda warehouse: DbtOutcome(0))
    return calls


def stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


# --- 1. options checked before dbt starts ---------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [("--timezone", "Mars/Olympus"), ("--timezone", "asia/shanghai "), ("--load-time", "yesterday"),
     ("--load-time", "2024-06-01"), ("--load-time", "2024-13-01 00:00:00")],
)
def test_bad_timezone_or_load_time_stops_before_dbt(tmp_path: Path, option: str, value: str) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    completed = run_strata("build", "--raw-dir", raw_dir, "--warehouse", tmp_path / "w.duckdb", option, value)
    assert_one_line_error(completed, option, repr(value))
    assert_dbt_not_started(completed)
    assert not (tmp_path / "w.duckdb").exists()


def test_backfill_checks_the_timezone_too(tmp_path: Path) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    completed = run_strata("backfill", "--from", "2024-01-31", "--to", "2024-02-29", "--raw-dir", raw_dir,
                           "--warehouse", tmp_path / "w.duckdb", "--timezone", "Nowhere/Town")
    assert_one_line_error(completed, "--timezone", "Nowhere/Town")
    assert_dbt_not_started(completed)


def test_backfill_tests_every_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The backfill's snapshot runs test nothing, so its last build (which runs the tests) checks
    every snapshot: it turns off the scoping of tests to the last run's snapshot."""
    calls: list[dict] = []

    def run_dbt(command: list[str], dbt_vars: dict | None = None, manifest: object = None) -> DbtOutcome:
        calls.append({"command": command, **(dbt_vars or {})})
        return DbtOutcome(0)

    monkeypatch.setattr(strata, "parse_project", lambda dbt_vars: (DbtOutcome(0), None))
    monkeypatch.setattr(strata, "run_dbt", run_dbt)
    monkeypatch.setattr(strata, "publish_if_passed", lambda outcome, warehouse: outcome)
    args = SimpleNamespace(skip_unit_tests=False, as_of=None, timezone=None, full_refresh=False)
    dates = [date(2024, 1, 31), date(2024, 2, 29)]
    assert strata.run_backfill(args, dates, {"raw_dir": "raw"}, tmp_path / "w.duckdb") == 0
    assert [call["command"][0] for call in calls] == ["build", "run", "run", "build"]
    assert [call.get("as_of_date") for call in calls[1:3]] == ["2024-01-31", "2024-02-29"]
    assert [call.get("scope_tests_to_last_run") for call in calls] == [None, None, None, False]


@pytest.mark.parametrize("load_time", ["2024-06-01T00:00:00", "2024-06-01 00:00:00"])
def test_good_timezone_and_load_time_reach_dbt_normalised(
    tmp_path: Path, fake_dbt: list[dict], load_time: str
) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    for timezone in ("UTC", "Asia/Shanghai"):
        code = strata.main(["build", "--raw-dir", str(raw_dir), "--warehouse", str(tmp_path / "w.duckdb"),
                            "--timezone", timezone, "--load-time", load_time])
        assert code == 0
        assert fake_dbt[-1]["reporting_timezone"] == timezone
        assert fake_dbt[-1]["load_time"] == LOAD_TIME


def test_argparse_errors_are_one_line(tmp_path: Path) -> None:
    completed = run_strata("build", "--as-of", "31/12/2024", "--warehouse", tmp_path / "w.duckdb")
    assert_one_line_error(completed, "strata build:", "--as-of", "31/12/2024")


# --- 2. the --warehouse path ------------------------------------------------------------------------


def command_arguments(command: str, raw_dir: Path) -> list[str | Path]:
    """The arguments each command needs besides --warehouse."""
    return {
        "build": ["build", "--raw-dir", raw_dir],
        "backfill": ["backfill", "--from", "2024-01-31", "--to", "2024-02-29", "--raw-dir", raw_dir],
        "docs": ["docs"],
        "check": ["check", "--docs-dir", raw_dir.parent / "ge_docs"],
        "export-audience": ["export-audience", "win_back_silent_buyers", "--out", raw_dir.parent / "out.csv"],
    }[command]


WAREHOUSE_COMMANDS = ["build", "backfill", "docs", "check", "export-audience"]


def bad_warehouse(tmp_path: Path, kind: str) -> Path:
    if kind == "folder":
        (tmp_path / "a_folder.duckdb").mkdir()
        return tmp_path / "a_folder.duckdb"
    if kind == "file parent":
        (tmp_path / "plain_file").write_text("not a folder\n")
        return tmp_path / "plain_file" / "w.duckdb"
    (tmp_path / "notes.duckdb").write_text("these are my notes, not a database\n")
    return tmp_path / "notes.duckdb"


@pytest.mark.parametrize("command", WAREHOUSE_COMMANDS)
@pytest.mark.parametrize(
    ("kind", "fragment"),
    [("folder", "is a folder"), ("file parent", "is a file, not a folder"), ("not duckdb", "not a DuckDB database")],
)
def test_unusable_warehouse_path_is_one_line_before_dbt(tmp_path: Path, command: str, kind: str, fragment: str) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    warehouse = bad_warehouse(tmp_path, kind)
    before = warehouse.read_bytes() if warehouse.is_file() else None
    completed = run_strata(*command_arguments(command, raw_dir), "--warehouse", warehouse)
    assert_one_line_error(completed, "warehouse", fragment)
    assert_dbt_not_started(completed)
    if before is not None:
        assert warehouse.read_bytes() == before
    assert not (tmp_path / "out.csv").exists()


def deny_writes_to(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    """os.access says `target` is not writable (as for a non-root user; root writes anyway)."""
    real_access = os.access

    def access(path: str | os.PathLike[str], mode: int, *args: object, **kwargs: object) -> bool:
        if mode & os.W_OK and Path(path).resolve() == target.resolve():
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


@pytest.mark.parametrize("command", ["build", "backfill", "docs"])
@pytest.mark.parametrize("read_only", ["folder", "file"])
def test_read_only_warehouse_is_one_line_before_dbt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake_dbt: list[dict],
    command: str, read_only: str,
) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    folder = tmp_path / "shared"
    folder.mkdir()
    warehouse = folder / "w.duckdb"
    if read_only == "file":
        duckdb.connect(str(warehouse)).close()
    deny_writes_to(monkeypatch, folder if read_only == "folder" else warehouse)
    code = strata.main([str(part) for part in command_arguments(command, raw_dir)] + ["--warehouse", str(warehouse)])
    lines = stderr_lines(capsys)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"strata {command}: warehouse ")
    assert "not writable" in lines[0] or "read-only" in lines[0], lines[0]
    assert fake_dbt == []


# --- 3. export-audience --out -----------------------------------------------------------------------


TINY_CONTACTS = """
    create table {relation} as
        select * from (values
            (date '2024-06-02', 'win_back_silent_buyers', 'u1', 'sms', '+86 13800000001'),
            (date '2024-06-02', 'win_back_silent_buyers', 'u2', 'sms', '+86 13800000002'),
            (date '2024-06-02', 'win_back_silent_buyers', 'u3', 'push', 'u3'),
            (date '2024-06-02', 'win_back_silent_buyers', 'u4', 'email', 'u4@example.com')
        ) as t(audience_date, audience_name, user_id, channel, contact)
"""


@pytest.fixture(params=["restricted file", "restricted schema"])
def tiny_audience_warehouse(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A hand-made warehouse with just the relations the export reads: one audience, one date, four
    treatment contacts, of which u2 (sms, no phone any more) and u4 (no consent any more) are out.
    The contacts are in the restricted file beside it, or (older builds) in its schema restricted."""
    warehouse = tmp_path / "tiny.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("""
            create schema marts; create schema reference;
            create table reference.audiences as select 'win_back_silent_buyers' as audience_name;
            create table marts.audience_members as
                select date '2024-06-02' as audience_date, 'win_back_silent_buyers' as audience_name,
                    'u' || i as user_id, 'treatment' as test_group from range(1, 5) as t(i);
            create table marts.dim_users as
                select * from (values
                    ('u1', true, false, true), ('u2', true, true, false),
                    ('u3', true, false, false), ('u4', false, true, true)
                ) as t(user_id, marketing_opt_in, has_email, has_phone);
        """)
        if request.param == "restricted schema":
            connection.execute("create schema restricted")
            connection.execute(TINY_CONTACTS.format(relation="restricted.audience_contacts"))
    if request.param == "restricted file":
        with duckdb.connect(str(tmp_path / "tiny.restricted.duckdb")) as connection:
            connection.execute(TINY_CONTACTS.format(relation="main.audience_contacts"))
    return warehouse


def export(warehouse: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_strata("export-audience", "win_back_silent_buyers", "--out", out, "--warehouse", warehouse, *extra)


def test_export_file_is_private(tiny_audience_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    completed = export(tiny_audience_warehouse, out)
    assert completed.returncode == 0, completed.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text().splitlines() == ["user_id,channel,contact", "u1,sms,+86 13800000001", "u3,push,u3"]
    assert "left out 2 " in completed.stdout
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]


def test_export_refuses_an_existing_out_unless_forced(tiny_audience_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    out.write_text("last week's list\n")
    out.chmod(0o644)
    refused = export(tiny_audience_warehouse, out)
    assert_one_line_error(refused, "exists", "--force")
    assert out.read_text() == "last week's list\n"

    forced = export(tiny_audience_warehouse, out, "--force")
    assert forced.returncode == 0, forced.stderr
    assert out.read_text().startswith("user_id,channel,contact\n")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith((".contacts", "contacts"))) == [
        "contacts.csv"
    ]


@pytest.mark.parametrize("force", [[], ["--force"]])
@pytest.mark.parametrize("alias", ["same path", "symlink", "hard link", "restricted file", "published file"])
def test_export_never_overwrites_the_warehouse(
    tiny_audience_warehouse: Path, tmp_path: Path, force: list[str], alias: str
) -> None:
    out = {"same path": tiny_audience_warehouse, "symlink": tmp_path / "link.csv", "hard link": tmp_path / "hard.csv",
           "restricted file": tmp_path / "tiny.restricted.duckdb", "published file": tmp_path / "analytics.duckdb"}[alias]
    if alias == "symlink":
        out.symlink_to(tiny_audience_warehouse)
    elif alias == "hard link":
        os.link(tiny_audience_warehouse, out)
    before = tiny_audience_warehouse.read_bytes()
    completed = export(tiny_audience_warehouse, out, *force)
    assert_one_line_error(completed, "warehouse")
    assert tiny_audience_warehouse.read_bytes() == before
    assert query(tiny_audience_warehouse, "select count(*) from marts.audience_members") == [(4,)]


def test_export_refuses_a_folder_out(tiny_audience_warehouse: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    for extra in ([], ["--force"]):
        assert_one_line_error(export(tiny_audience_warehouse, folder, *extra), "is a folder")
    assert list(folder.iterdir()) == []


def test_export_under_a_file_is_one_line(tiny_audience_warehouse: Path, tmp_path: Path) -> None:
    (tmp_path / "plain_file").write_text("x\n")
    assert_one_line_error(export(tiny_audience_warehouse, tmp_path / "plain_file" / "out.csv"), "is a file")


# --- 4. generate --out --------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["under a file", "a file"])
def test_generate_into_a_file_is_one_line(tmp_path: Path, where: str) -> None:
    (tmp_path / "plain_file").write_text("x\n")
    out = tmp_path / "plain_file" / "raw" if where == "under a file" else tmp_path / "plain_file"
    completed = run_strata("generate", "--out", out, "--users", 10, "--quiet")
    assert_one_line_error(completed, "--out", "is a file")
    assert (tmp_path / "plain_file").read_text() == "x\n"


# --- 5. consent at export time -------------------------------------------------------------------------


def withdraw_consent(raw_dir: Path, users: set[str]) -> None:
    """Rewrite raw_users (as `generate` writes it, Parquet) with marketing_opt_in false for `users`."""
    path = raw_dir / "raw_users.parquet"
    table = pq.read_table(path)
    withdrawn = pc.is_in(table["user_id"], value_set=pa.array(sorted(users)))
    opt_in = pc.if_else(withdrawn, pa.scalar(False), table["marketing_opt_in"])
    column = table.schema.get_field_index("marketing_opt_in")
    pq.write_table(table.set_column(column, table.schema.field(column), opt_in), path)


def test_export_of_a_past_audience_leaves_out_withdrawn_consent(dirty_sample: BuiltSample, tmp_path: Path) -> None:
    """Build day A (audience A+1), withdraw the consent of every user of one exported audience in the
    raw export, build day A+1 (audience A+2): the audience of A+1 is still in the warehouse with its
    contacts, but exporting it now must leave those users out.

    Day A's build is (a copy of) the session's dirty sample: its as-of date is the default, the
    latest valid order (test_end_to_end), and its raw export is copied before it is changed."""
    raw_dir = tmp_path / "raw"
    shutil.copytree(dirty_sample.raw_dir, raw_dir)
    warehouse = copy_warehouse(dirty_sample.warehouse, tmp_path / "warehouse")
    as_of = date.fromisoformat(dirty_sample.truth["default_as_of_date"])
    audience_date = as_of + timedelta(days=1)

    before = tmp_path / "before.csv"
    completed = export(warehouse, before, "--date", str(audience_date))
    assert completed.returncode == 0, completed.stderr
    exported = {line.split(",")[0] for line in before.read_text().splitlines()[1:]}
    assert len(exported) >= 10, "the audience must have contacts for the test to mean anything"
    withdraw_consent(raw_dir, exported)

    later = as_of + timedelta(days=1)
    run_build(raw_dir, warehouse, "--as-of", later)
    # The old audience is still in the warehouse (audience_members keeps every date), so it can be exported.
    [(still_there,)] = query(warehouse, f"""
        select count(*) from marts.audience_members
        where audience_name = 'win_back_silent_buyers' and audience_date = '{audience_date}'
            and test_group = 'treatment'
    """)
    assert still_there == len(exported)
    assert query(warehouse, "select count(*) from marts.dim_users where marketing_opt_in and user_id in ("
                 + ", ".join(f"'{user}'" for user in sorted(exported)) + ")") == [(0,)]

    after = tmp_path / "after.csv"
    completed = export(warehouse, after, "--date", str(audience_date))
    assert completed.returncode == 0, completed.stderr
    assert after.read_text().splitlines() == ["user_id,channel,contact"]
    assert f"left out {len(exported):,} " in completed.stdout
    assert stat.S_IMODE(after.stat().st_mode) == 0o600


# --- 6. the run lock -----------------------------------------------------------------------------------


def test_a_held_run_lock_stops_a_build_before_dbt(tmp_path: Path) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    warehouse = tmp_path / "w.duckdb"
    with held_lock(warehouse, fcntl.LOCK_EX):
        completed = run_strata("build", "--raw-dir", raw_dir, "--warehouse", warehouse, "--load-time", LOAD_TIME)
    assert_one_line_error(completed, "locked by another process")
    assert_dbt_not_started(completed)
    assert not warehouse.exists()


@pytest.mark.parametrize("command", ["backfill", "docs"])
def test_a_reader_holding_the_lock_stops_backfill_and_docs(tmp_path: Path, command: str) -> None:
    raw_dir = write_minimal_raw(tmp_path / "raw")
    warehouse = tmp_path / "w.duckdb"
    with held_lock(warehouse, fcntl.LOCK_SH):  # an export or check is reading
        completed = run_strata(*command_arguments(command, raw_dir), "--warehouse", warehouse)
    assert_one_line_error(completed, "locked by another process")
    assert_dbt_not_started(completed)


def test_readers_wait_for_no_build_but_share_with_each_other(tiny_audience_warehouse: Path, tmp_path: Path) -> None:
    with held_lock(tiny_audience_warehouse, fcntl.LOCK_EX):  # a build is starting (dbt still parsing)
        assert_one_line_error(export(tiny_audience_warehouse, tmp_path / "a.csv"), "locked by another process")
    assert not (tmp_path / "a.csv").exists()
    with held_lock(tiny_audience_warehouse, fcntl.LOCK_SH):  # another export is reading
        assert export(tiny_audience_warehouse, tmp_path / "b.csv").returncode == 0


def test_the_run_lock_is_released_when_the_run_ends(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with warehouse_lock(warehouse):
        with pytest.raises(BlockingIOError), held_lock(warehouse, fcntl.LOCK_EX):
            pass
    with held_lock(warehouse, fcntl.LOCK_EX):
        pass
    with pytest.raises(RuntimeError), warehouse_lock(warehouse):
        raise RuntimeError("dbt crashed")
    with held_lock(warehouse, fcntl.LOCK_EX):
        pass


# --- 7. a full disk --------------------------------------------------------------------------------------


def node_result(name: str, status: str, message: str) -> SimpleNamespace:
    return SimpleNamespace(node=SimpleNamespace(name=name), status=status, message=message)


@pytest.mark.parametrize(
    "error",
    [
        'Runtime Error in model fct_orders (models/marts/core/fct_orders.sql)\n'
        '  IO Error: Could not write file "/w/strata.duckdb.wal": No space left on device',
        "OSError: [Errno 28] No space left on device: '/w/target/run/fct_orders.sql'",
        'IO Error: Could not write file "/tmp/duckdb_temp_storage-0.tmp"',
        "database or disk is full",
    ],
)
def test_a_full_disk_is_named_with_its_node(error: str) -> None:
    results = SimpleNamespace(results=[
        node_result("stg_raw__users", "success", "OK"),
        node_result("fct_orders", "error", error),
        node_result("fct_order_items", "error", "Database Error: Could not write: No space left on device"),
        node_result("not_null_fct_orders_order_id", "skipped", ""),
        node_result("user_facts", "error", "disk is full"),
    ])
    summary = failure_summary(results)
    assert "disk is full" in summary and "fct_orders" in summary, summary
    assert "node(s) failed" not in summary and "\n" not in summary


def test_other_failures_are_still_counted() -> None:
    results = SimpleNamespace(results=[
        node_result("fct_orders", "error", 'IO Error: Could not write file "/w/x": Permission denied'),
        node_result("unique_dim_users_user_id", "fail", "Got 2 results, configured to fail if != 0"),
    ])
    summary = failure_summary(results)
    assert summary.startswith("2 node(s) failed: fct_orders (error), unique_dim_users_user_id (fail)"), summary
    assert "disk" not in summary



# --- 8. nodes side by side that ran out of memory ------------------------------------------------

OUT_OF_MEMORY = (
    "Runtime Error in model churn_reasons (models/marts/behaviour/churn_reasons.sql)\n"
    "  Out of Memory Error: could not allocate block of size 256.0 KiB (5.5 GiB/5.5 GiB used)"
)


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([node_result("churn_reasons", "error", OUT_OF_MEMORY),
          node_result("fct_funnel_attempt_steps", "error", "Out of Memory Error: failed to pin block"),
          node_result("funnel_conversion", "skipped", ""), node_result("user_facts", "success", "OK")],
         ["churn_reasons", "fct_funnel_attempt_steps"]),
        # A failed test is about the data: running again one at a time would not change it.
        ([node_result("churn_reasons", "error", OUT_OF_MEMORY),
          node_result("unique_dim_users_user_id", "fail", "Got 2 results, configured to fail if != 0")], []),
        ([node_result("churn_reasons", "error", OUT_OF_MEMORY),
          node_result("fct_orders", "error", "Binder Error: column x not found")], []),
        ([node_result("fct_orders", "error", "Binder Error: column x not found")], []),
        ([node_result("user_facts", "success", "OK")], []),
    ],
)
def test_only_a_run_whose_every_failure_is_out_of_memory_is_retried(results: list, expected: list[str]) -> None:
    assert nodes_out_of_memory(SimpleNamespace(results=results)) == expected


class FakeDbtRunner:
    """dbt's dbtRunner replaced by a recorder: each invoke returns the next prepared result."""

    invocations: list[list[str]] = []
    results: list[SimpleNamespace] = []

    def __init__(self, manifest: object = None) -> None:
        pass

    def invoke(self, args: list[str]) -> SimpleNamespace:
        FakeDbtRunner.invocations.append(args)
        return FakeDbtRunner.results.pop(0)


def dbt_result(success: bool, *node_results: SimpleNamespace) -> SimpleNamespace:
    return SimpleNamespace(success=success, exception=None, result=SimpleNamespace(results=list(node_results)))


@pytest.mark.parametrize(("dbt_threads", "retried"), [("2", True), ("1", False)])
def test_nodes_out_of_memory_side_by_side_are_built_again_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, dbt_threads: str,
    retried: bool,
) -> None:
    """Built again one at a time with dbt retry when dbt builds two nodes at once; the first
    attempt's run_results.json is kept beside the retry's (a stale copy of an earlier run goes)."""
    import dbt.cli.main

    monkeypatch.setenv("STRATA_DBT_THREADS", dbt_threads)
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    first_attempt = tmp_path / dbt_invoke.FIRST_ATTEMPT_RESULTS
    first_attempt.write_text("an earlier run's")
    (tmp_path / "run_results.json").write_text('{"results": ["the first attempt"]}')
    monkeypatch.setattr(dbt.cli.main, "dbtRunner", FakeDbtRunner)
    monkeypatch.setattr(dbt_invoke, "guard_message", lambda *args: "")
    FakeDbtRunner.invocations = []
    FakeDbtRunner.results = [
        dbt_result(False, node_result("churn_reasons", "error", OUT_OF_MEMORY),
                   node_result("funnel_conversion", "skipped", "")),
        dbt_result(True, node_result("churn_reasons", "success", "OK")),
    ]
    outcome = dbt_invoke.run_dbt(["build"], {"raw_dir": "/data"})
    commands = [invocation[:3] for invocation in FakeDbtRunner.invocations]
    if retried:
        assert outcome == DbtOutcome(0)
        assert commands == [["build", "--project-dir", str(dbt_invoke.PROJECT_DIR)], ["retry", "--threads", "1"]]
        # The retry gets the same project, profiles and vars as the run it repeats.
        assert FakeDbtRunner.invocations[1][3:] == FakeDbtRunner.invocations[0][1:]
        assert "churn_reasons ran out of DuckDB's memory_limit" in capsys.readouterr().err
        assert first_attempt.read_text() == '{"results": ["the first attempt"]}'
    else:
        assert outcome == DbtOutcome(1, "1 node(s) failed: churn_reasons (error)")
        assert len(commands) == 1
        assert not first_attempt.exists()
