"""strata bench: the machinery once on a small sample, and the daily export cut on hand-made files.

The bench is run once (300 users) with the peers that are installed (DuckDB always; polars and
chDB when requirements-bench.lock is installed, `make bench`): every peer must give strata's
answers, and the JSON and Markdown must carry a figure for every stage of both builds. No time is
asserted: benchmarks print figures, tests check what they compute.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import MakeFolder, run_strata

from stratalib.bench.compare import compare_all
from stratalib.bench.run import (
    DBT_OWN_WORK, PUBLISHING, BenchOptions, all_agree, daily_shares, markdown, run_bench, stage_intervals,
)
from stratalib.cli import missing_peer_engines
from stratalib.dbt_invoke import FIRST_ATTEMPT_RESULTS
from stratalib.raw_slices import export_as_of

INSTALLED_PEERS = tuple(
    peer for peer in ("duckdb", "polars", "chdb") if peer == "duckdb" or importlib.util.find_spec(peer)
)
# Stages every build of the project has (each holds models or nodes of that kind); a row for
# snapshots appears too once builds run them.
BUILD_STAGES = [
    "staging", "intermediate", "layering", "behaviour", "campaigns", "other marts", "seeds", "tests", "hooks",
    DBT_OWN_WORK, PUBLISHING, "total (process)",
]
FIGURES = ["wall_seconds", "peak_mib", "events_per_second"]
# A peer whose run fails (stratalib.bench.peers has no such engine), as chDB does when it runs
# out of memory: the bench records it and goes on.
FAILING_PEER = "no_such_engine"
# Two daily runs: the first after the full build, and one after it (the report names them).
DAILY_RUNS = ("daily_run", "daily_run_2")
# dbt's threads for the bench's builds (STRATA_DBT_THREADS; the profile's default is 2): a value
# of its own shows that the setting reaches dbt and that the report states it.
DBT_THREADS = 3


@pytest.fixture(scope="module")
def bench(module_temp: MakeFolder) -> tuple[dict, Path]:
    folder = module_temp("bench")
    options = BenchOptions(
        sizes=[300], work=folder / "work", keep=True, out=folder / "out", peers=(*INSTALLED_PEERS, FAILING_PEER),
        daily_runs=len(DAILY_RUNS), progress=lambda line: None,
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STRATA_DBT_THREADS", str(DBT_THREADS))
        return run_bench(options), folder


def test_the_builds_run_with_the_dbt_threads_the_report_states(bench: tuple[dict, Path]) -> None:
    report, folder = bench
    assert report["settings"]["dbt_threads"] == DBT_THREADS
    assert f"dbt threads {DBT_THREADS};" in (folder / "out" / "bench.md").read_text()
    for log in ("full_build.log", *(f"{name}.log" for name in DAILY_RUNS)):
        text = (folder / "work" / "users_300" / log).read_text()
        assert f"Concurrency: {DBT_THREADS} threads" in text, log


def test_every_peer_gives_strata_answers(bench: tuple[dict, Path]) -> None:
    report, _ = bench
    peers = report["sizes"][0]["core_results"]["peers"][: len(INSTALLED_PEERS)]
    assert [peer["engine"] for peer in peers] == list(INSTALLED_PEERS)
    for peer in peers:
        assert peer["agrees"], (peer["engine"], peer["results"])
        # Every result was compared, on rows that exist: a peer returning nothing would not agree.
        assert len(peer["results"]) == 4
        assert all("rows agree" in line and not line.split(": ")[1].startswith("0 rows") for line in peer["results"])


def test_report_has_every_stage_of_both_builds(bench: tuple[dict, Path]) -> None:
    report, folder = bench
    size = report["sizes"][0]
    written = json.loads((folder / "out" / "bench.json").read_text())
    assert written == json.loads(json.dumps(report))
    assert list(size["runs"]) == ["full_build", *DAILY_RUNS]
    for run in size["runs"].values():
        stages = {row["stage"]: row for row in run["stages"]}
        assert set(BUILD_STAGES) <= set(stages), set(BUILD_STAGES) - set(stages)
        for row in stages.values():
            assert all(row[figure] is not None and row[figure] > 0 for figure in FIGURES), row
    core = size["core_results"]
    assert core["strata"]["work_seconds"] > core["strata"]["nodes_seconds"] > 0
    text = (folder / "out" / "bench.md").read_text()
    assert text == markdown(report)
    for run_name in ("full build", "daily run", "daily run 2"):
        for stage in BUILD_STAGES:
            assert f"| {run_name} | {stage} |" in text
    for engine in INSTALLED_PEERS:
        assert f"| {engine} |" in text


def test_a_failing_peer_is_reported_and_the_bench_goes_on(bench: tuple[dict, Path]) -> None:
    """The failed peer is the last row of the comparison, with its error and log; the builds after
    it still ran (test_report_has_every_stage_of_both_builds) and a failure is no disagreement."""
    report, folder = bench
    failed = report["sizes"][0]["core_results"]["peers"][-1]
    assert failed["engine"] == FAILING_PEER and failed["agrees"] is None
    assert "peer_no_such_engine.log" in failed["failed"]
    assert f"| {FAILING_PEER} | | | | | | failed: " in (folder / "out" / "bench.md").read_text()
    assert all_agree(report)
    assert not all_agree({"sizes": [{"core_results": {"peers": [*report["sizes"][0]["core_results"]["peers"],
                                                                 {"engine": "x", "agrees": False}]}}]})


def test_each_daily_run_reads_a_day_more_of_the_export(bench: tuple[dict, Path]) -> None:
    """The full build reads the export cut two days before its end, the first daily run the export
    a day later, the second the whole export: the events each adds are the difference, and the
    cuts are a day apart."""
    size = bench[0]["sizes"][0]
    runs, daily = size["runs"], size["daily_runs"]
    assert list(daily) == list(DAILY_RUNS)
    before = "full_build"
    for name in DAILY_RUNS:
        added = runs[name]["raw_events"] - runs[before]["raw_events"]
        assert added == daily[name]["changes"]["events"] > 0, name
        before = name
    assert runs[DAILY_RUNS[-1]]["raw_events"] == size["raw_events"]
    cuts = [datetime.fromisoformat(daily[name]["cut"]) for name in DAILY_RUNS]
    assert cuts[1] - cuts[0] == timedelta(days=1)
    assert size["daily_cut"] == daily["daily_run"]["cut"]
    assert size["daily_changes"] == daily["daily_run"]["changes"]


def test_each_daily_run_is_given_as_a_share_of_the_full_build() -> None:
    """The report says what each daily run cost against the full build (incremental / full), on
    figures worked out by hand; the bench's report is markdown() of its JSON
    (test_report_has_every_stage_of_both_builds), so it carries this line."""
    runs = {"full_build": {"wall_seconds": 200.0}, "daily_run": {"wall_seconds": 50.0},
            "daily_run_2": {"wall_seconds": 21.5}}  # fmt: skip
    assert daily_shares(runs) == [
        "", "Daily runs against the full build (200.0 s, whole process): the daily run 50.0 s, 25%; "
        "the daily run 2 21.5 s, 11%.",
    ]  # fmt: skip
    assert daily_shares({"full_build": {"wall_seconds": 200.0}}) == []


def node_run(unique_id: str, status: str, start: int | None = None, end: int | None = None) -> dict:
    """A result of dbt's run_results.json: executed from second start to end of one minute, or
    skipped (no timing)."""
    timing = [] if start is None else [{"name": "execute", "started_at": f"2024-12-30T10:00:{start:02d}Z",
                                        "completed_at": f"2024-12-30T10:00:{end:02d}Z"}]  # fmt: skip
    return {"unique_id": unique_id, "status": status, "timing": timing,
            "execution_time": 0.0 if start is None else float(end - start)}  # fmt: skip


def test_a_run_built_again_one_node_at_a_time_counts_both_attempts(tmp_path: Path) -> None:
    """When nodes ran out of memory side by side, strata builds them again with dbt retry, whose
    run_results.json holds only those: the stages add the first attempt's results (kept beside
    it), the failed attempt's time included, so no stage loses its nodes to "dbt itself"."""
    manifest = {"nodes": {"model.strata.a": {"original_file_path": "models/staging/a.sql"},
                          "model.strata.b": {"original_file_path": "models/intermediate/b.sql"}}}  # fmt: skip
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / FIRST_ATTEMPT_RESULTS).write_text(json.dumps({"results": [
        node_run("model.strata.a", "success", 0, 10), node_run("model.strata.b", "error", 10, 15),
        node_run("test.strata.unique_b_id", "skipped"),
    ]}))  # fmt: skip
    (tmp_path / "run_results.json").write_text(json.dumps({"results": [
        node_run("model.strata.b", "success", 20, 27), node_run("test.strata.unique_b_id", "pass", 27, 28),
    ]}))  # fmt: skip
    stages = stage_intervals(tmp_path)
    assert {name: stage["node_seconds"] for name, stage in stages.items()} == {
        "staging": 10.0, "intermediate": 12.0, "tests": 1.0,
    }
    assert len(stages["intermediate"]["intervals"]) == 2
    (tmp_path / FIRST_ATTEMPT_RESULTS).unlink()
    assert {name: stage["node_seconds"] for name, stage in stage_intervals(tmp_path).items()} == {
        "intermediate": 7.0, "tests": 1.0,
    }


def test_the_daily_run_parses_only_what_changed(bench: tuple[dict, Path]) -> None:
    """Every build reads one export folder into one warehouse, as a user's daily runs do, so each
    daily run reuses the parse of the run before (dbt's partial parsing) and its "dbt itself" is a
    morning run's; with a raw folder of its own it would parse the whole project again."""
    logs = bench[1] / "work" / "users_300"
    assert "Unable to do partial parsing" in (logs / "full_build.log").read_text()
    for name in DAILY_RUNS:
        assert "Unable to do partial parsing" not in (logs / f"{name}.log").read_text(), name


def test_a_step_runs_on_its_own(tmp_path: Path) -> None:
    """--steps core: the four core results (here strata's lineage alone, no peer) and no build, so
    a million users can be measured in two sittings."""
    options = BenchOptions(
        sizes=[300], work=tmp_path / "work", out=tmp_path / "out", peers=(), steps=("core",), progress=lambda line: None
    )  # fmt: skip
    size = run_bench(options)["sizes"][0]
    assert size["runs"] == {}
    assert size["core_results"]["strata"]["nodes"] > 0
    assert size["core_results"]["peers"] == []
    written = (tmp_path / "out" / "bench.md").read_text()
    assert "Four core results" in written and "| full build |" not in written


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--steps", "", "not a comma-separated list of steps: ''"),
        ("--steps", "core,nope", "not a comma-separated list of steps: 'core,nope'"),
        ("--peers", "spark", "not a comma-separated list of peers"),
        ("--daily-runs", "0", "not a whole number of at least 1: '0'"),
        ("--daily-runs", "two", "not a whole number of at least 1: 'two'"),
    ],
)
def test_an_unknown_or_missing_name_is_a_usage_error(option: str, value: str, problem: str) -> None:
    """--steps needs at least one known step, --peers only known peers (none is allowed),
    --daily-runs one run or more: anything else stops with exit 2 before any data is generated."""
    completed = run_strata("bench", option, value)
    assert completed.returncode == 2
    assert problem in completed.stderr


def test_only_the_core_step_needs_the_peers_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no engine installed but DuckDB, the core step is missing polars and chDB; the builds
    alone (which run no peer) miss nothing, so they do not stop for requirements-bench.lock."""
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    peers = ["duckdb", "polars", "chdb"]
    assert missing_peer_engines(peers, ["core", "builds"]) == ["polars", "chdb"]
    assert missing_peer_engines(peers, ["core"]) == ["polars", "chdb"]
    assert missing_peer_engines(peers, ["builds"]) == []


def test_a_wrong_answer_is_reported(bench: tuple[dict, Path]) -> None:
    """The comparison fails on a changed value, a missing row and an extra row."""
    _, folder = bench
    peer_dir = folder / "work" / "users_300" / "peer_duckdb"
    results = {path.stem: pq.read_table(path) for path in peer_dir.glob("*.parquet")}
    funnel = results["funnel_conversion"].to_pylist()
    funnel[1]["users"] += 1
    facts = results["user_facts"].slice(1)
    cohorts = results["cohort_retention_monthly"].to_pylist()
    cohorts.append({**cohorts[0], "period_number": 999})
    tampered = {
        **results,
        "funnel_conversion": pa.Table.from_pylist(funnel, schema=results["funnel_conversion"].schema),
        "user_facts": facts,
        "cohort_retention_monthly": pa.Table.from_pylist(cohorts, schema=results["cohort_retention_monthly"].schema),
    }
    agreements = {agreement.result: agreement for agreement in compare_all(results, tampered)}
    assert agreements["user_rfm"].agrees
    assert agreements["funnel_conversion"].different_count == 1
    assert len(agreements["user_facts"].missing) == 1
    assert len(agreements["cohort_retention_monthly"].extra) == 1


def write_parquet(path: Path, sql: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"copy ({sql}) to '{path}' (format parquet)")


def test_export_as_of_keeps_what_the_export_held_then(tmp_path: Path) -> None:
    """Worked by hand: cut at 2024-03-10 00:00."""
    src = tmp_path / "src"
    write_parquet(src / "raw_users.parquet", """
        select * from (values ('u1', timestamp '2024-01-01 08:00:00'), ('u2', timestamp '2024-03-10 00:00:01'))
        as t(user_id, registered_at)
    """)
    # o1 refunded after the cut: back to paid as ordered; o2 completed before the cut: as is;
    # o3 placed after the cut: left out, with its line.
    write_parquet(src / "raw_orders.parquet", """
        select * from (values
            ('o1', 'u1', timestamp '2024-03-01 10:00:00', 'refunded', 12.50, timestamp '2024-03-12 09:00:00'),
            ('o2', 'u1', timestamp '2024-03-02 10:00:00', 'completed', 20.00, timestamp '2024-03-05 09:00:00'),
            ('o3', 'u1', timestamp '2024-03-10 00:00:01', 'paid', 5.00, timestamp '2024-03-10 00:00:01'))
        as t(order_id, user_id, ordered_at, status, order_amount, updated_at)
    """)
    write_parquet(src / "raw_order_items.parquet", """
        select * from (values ('o1', 1), ('o2', 1), ('o2', 2), ('o3', 1)) as t(order_id, line_number)
    """)
    # e2 occurred before the cut but arrived after it (late); e3 has no received_at: its occurred_at counts.
    write_parquet(src / "raw_events" / "part-00000.parquet", """
        select * from (values
            ('e1', timestamp '2024-03-09 23:00:00', timestamp '2024-03-09 23:00:01'),
            ('e2', timestamp '2024-03-08 12:00:00', timestamp '2024-03-11 12:00:00'),
            ('e3', timestamp '2024-03-09 12:00:00', null),
            ('e4', timestamp '2024-03-10 00:30:00', timestamp '2024-03-10 00:30:01'))
        as t(event_id, occurred_at, received_at)
    """)
    # Spend rows are per day: at 2024-03-10 00:00 only the day 2024-03-09 has ended.
    write_parquet(src / "raw_marketing_spend.parquet", """
        select * from (values (date '2024-03-09', 'x'), (date '2024-03-10', 'x'), (date '2024-03-11', 'x'))
        as t(spend_date, channel)
    """)
    write_parquet(src / "raw_campaign_sends.parquet", """
        select * from (values ('s1', timestamp '2024-03-09 09:00:00'), ('s2', timestamp '2024-03-10 09:00:00'))
        as t(send_id, sent_at)
    """)
    dst = tmp_path / "dst"
    written = export_as_of(src, dst, datetime(2024, 3, 10))
    assert written == {
        "raw_events": 2, "raw_orders": 2, "raw_order_items": 3, "raw_users": 1, "raw_marketing_spend": 1,
        "raw_campaign_sends": 1,
    }  # fmt: skip
    orders = duckdb.sql(
        f"select order_id, status, updated_at from '{dst}/raw_orders.parquet' order by order_id"
    ).fetchall()
    assert orders == [
        ("o1", "paid", datetime(2024, 3, 1, 10)),
        ("o2", "completed", datetime(2024, 3, 5, 9)),
    ]
    events = duckdb.sql(f"select event_id from '{dst}/raw_events/*.parquet' order by 1").fetchall()
    assert events == [("e1",), ("e3",)]
