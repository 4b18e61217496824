"""strata bench: how long strata takes and how much memory it needs, by data size, and against
what a user would write instead.

For each size (users of `strata generate`):

1. generate the raw folder (the full export);
2. the four core results (user facts, RFM scores, monthly order-cohort retention, the purchase
   funnel): strata's whole lineage from the raw files (stratalib.bench.child.run_lineage) into a
   fresh warehouse, then each peer of stratalib.bench.peers on the same files, each checked
   against strata's marts;
3. full build: `strata build` of the export as it stood `daily_runs` days before its end
   (stratalib.raw_slices.export_as_of), into a new warehouse;
4. daily runs: `strata build` of the export one day later each, into the same warehouse, the
   last one of the full export (each a day of new rows, late events of earlier days, refunds and
   completions of earlier orders). The first daily run after a full build is one case; the runs
   after it (--daily-runs 2 or more) are the mornings of a warehouse kept up to date.

Each step runs in its own process (stratalib.bench.child); its wall time and the peak memory of
its process tree (resident set size, sampled every SAMPLE_SECONDS, and never below the process's own
peak, VmHWM) are measured from outside. The builds are broken down by stage
from dbt's run_results.json and manifest.json: the folder of each model, seeds, tests, hooks,
dbt's own work between nodes (parsing, scheduling), and the publishing of the analytics file.

Figures are printed (a Markdown table) and written to OUT/bench.json and OUT/bench.md; nothing
is asserted about them. Peers that disagree with strata are a failed check (exit 1); a peer that
fails (out of memory, say) is reported with its error and the bench goes on.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from stratalib.dbt_invoke import FIRST_ATTEMPT_RESULTS, PROJECT_DIR, dbt_threads, duckdb_settings
from stratalib.raw_slices import export_as_of

DEFAULT_SIZES = (10_000, 200_000)
DEFAULT_OUT = PROJECT_DIR / "target" / "bench"
PEERS = ("duckdb", "polars", "chdb")
STEPS = ("core", "builds")
SAMPLE_SECONDS = 0.1
MIB = 2**20
# Stages of a build, in the order shown: models by folder (first matching prefix), then the rest.
MODEL_STAGES = (
    ("models/staging/", "staging"),
    ("models/intermediate/", "intermediate"),
    ("models/marts/layering/", "layering"),
    ("models/marts/behaviour/", "behaviour"),
    ("models/marts/campaigns/", "campaigns"),
    ("models/marts/", "other marts"),
)
NODE_STAGES = {"seed": "seeds", "test": "tests", "unit_test": "tests", "operation": "hooks", "snapshot": "snapshots"}
DBT_OWN_WORK = "dbt itself"
PUBLISHING = "publishing"
STAGE_ORDER = [stage for _, stage in MODEL_STAGES] + ["seeds", "snapshots", "tests", "hooks", DBT_OWN_WORK, PUBLISHING]


class BenchError(Exception):
    """A step of the bench failed (exit 2); the message names it and its log."""


# --- measuring a process ----------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    """The child processes of pid (from /proc/<pid>/task/*/children)."""
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                found += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    except OSError:
        pass
    return found


def status_bytes(pid: int | str, field_name: str) -> int:
    """A memory field of /proc/<pid>/status in bytes (VmRSS: resident now; VmHWM: the peak since
    the process started its program); 0 when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_resident_bytes(pid: int) -> int:
    """Resident memory of pid and all its descendants, summed."""
    pending, total = [pid], 0
    while pending:
        current = pending.pop()
        total += status_bytes(current, "VmRSS")
        pending += children_of(current)
    return total


@dataclass
class Measured:
    """A finished process: wall time, peak memory of its tree, memory samples and its result."""

    wall_seconds: float
    peak_bytes: int
    samples: list[tuple[float, int]]
    result: dict[str, Any]
    log: Path

    def peak_between(self, start: float, end: float) -> int | None:
        """The largest sample taken from start to end (the last one before start for a short span)."""
        inside = [rss for at, rss in self.samples if start <= at <= end]
        if inside:
            return max(inside)
        before = [rss for at, rss in self.samples if at <= start]
        return before[-1] if before else None


def measure(argv: list[str], env: dict[str, str], log: Path, result_path: Path | None = None) -> Measured:
    """Run argv, sampling its process tree's memory; raise BenchError (naming the log) if it fails."""
    samples: list[tuple[float, int]] = []
    done = threading.Event()
    started = time.time()
    with log.open("w") as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, env=env)

    own_peak = [0]

    def sample() -> None:
        while not done.is_set():
            samples.append((time.time(), tree_resident_bytes(process.pid)))
            own_peak[0] = max(own_peak[0], status_bytes(process.pid, "VmHWM"))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status = os.waitpid(process.pid, 0)
    wall = time.time() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    result = json.loads(result_path.read_text()) if result_path and result_path.exists() else {}
    if process.returncode != 0:
        tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
        raise BenchError(f"{' '.join(argv[-2:])} failed ({result.get('message') or tail}); log: {log}")
    # The sampled sum covers the whole tree; the process's own peak (VmHWM, exact, reported by a
    # child at its end and sampled here) covers a peak between two samples. (wait4's ru_maxrss is
    # not used: Linux carries it over from the forking parent, so a child would show the bench's
    # own memory.)
    peak = max([own_peak[0], result.get("own_peak_bytes", 0)] + [rss for _, rss in samples])
    return Measured(wall, peak, samples, result, log)


def run_child(kind: str, spec: dict[str, Any], folder: Path, env: dict[str, str]) -> Measured:
    """A run of stratalib.bench.child in its own process (its spec and result beside its log)."""
    name = spec.get("name", kind)
    spec_path, result_path = folder / f"{name}.spec.json", folder / f"{name}.result.json"
    spec_path.write_text(json.dumps({**spec, "kind": kind, "result": str(result_path)}))
    return measure([sys.executable, "-m", "stratalib.bench.child", str(spec_path)], env, folder / f"{name}.log",
                   result_path)


# --- dbt's run results, by stage ----------------------------------------------------------------


def parse_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def node_stage(unique_id: str, manifest: dict[str, Any]) -> str:
    kind = unique_id.split(".")[0]
    if kind != "model":
        return NODE_STAGES.get(kind, "other")
    path = manifest["nodes"][unique_id]["original_file_path"]
    return next((stage for prefix, stage in MODEL_STAGES if path.startswith(prefix)), "other")


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of the intervals (nodes of a stage may run side by side)."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def stage_intervals(target_dir: Path) -> dict[str, dict[str, Any]]:
    """Per stage: the nodes' time intervals (compile to end of execution) and summed seconds. A
    run built again one node at a time (out of memory side by side) counts both attempts: the
    first's results are kept in FIRST_ATTEMPT_RESULTS, the retry's in run_results.json."""
    attempts = [target_dir / FIRST_ATTEMPT_RESULTS] if (target_dir / FIRST_ATTEMPT_RESULTS).exists() else []
    attempts.append(target_dir / "run_results.json")
    results = [result for attempt in attempts for result in json.loads(attempt.read_text())["results"]]
    manifest = json.loads((target_dir / "manifest.json").read_text())
    stages: dict[str, dict[str, Any]] = {}
    for result in results:
        timing = [step for step in result.get("timing") or [] if step.get("started_at")]
        if not timing:
            continue
        stage = stages.setdefault(node_stage(result["unique_id"], manifest), {"intervals": [], "node_seconds": 0.0})
        stage["intervals"].append((min(parse_time(step["started_at"]) for step in timing),
                                   max(parse_time(step["completed_at"]) for step in timing)))
        stage["node_seconds"] += result.get("execution_time") or 0.0
    return stages


def stage_rows(measured: Measured, target_dir: Path, events: int) -> list[dict[str, Any]]:
    """One row per stage: wall seconds (union of its nodes' spans), summed node seconds, the peak
    memory sampled during it and raw events per second of its wall time."""
    stages = stage_intervals(target_dir)
    rows = []
    every_interval = [span for stage in stages.values() for span in stage["intervals"]]
    dbt_started, dbt_ended = measured.result["dbt_started"], measured.result["dbt_ended"]
    for name in STAGE_ORDER:
        if name == DBT_OWN_WORK:
            wall = (dbt_ended - dbt_started) - union_seconds(every_interval)
            peak, node_seconds = measured.peak_between(dbt_started, dbt_ended), None
        elif name == PUBLISHING:
            wall = measured.result.get("publish_seconds")
            if wall is None:
                continue
            peak, node_seconds = measured.peak_between(dbt_ended, dbt_ended + wall), None
        elif name in stages:
            spans = stages[name]["intervals"]
            wall, node_seconds = union_seconds(spans), stages[name]["node_seconds"]
            peak = max((measured.peak_between(start, end) or 0) for start, end in spans)
        else:
            continue
        rows.append(stage_row(name, wall, peak, events, node_seconds))
    rows.append(stage_row("total (process)", measured.wall_seconds, measured.peak_bytes, events, None))
    return rows


def stage_row(stage: str, wall: float, peak: int | None, events: int, node_seconds: float | None) -> dict[str, Any]:
    return {
        "stage": stage,
        "wall_seconds": round(wall, 3),
        "node_seconds": None if node_seconds is None else round(node_seconds, 3),
        "peak_mib": None if peak is None else round(peak / MIB, 1),
        "events_per_second": round(events / wall) if wall > 0 else None,
    }


# --- the bench ------------------------------------------------------------------------------------


@dataclass
class BenchOptions:
    sizes: list[int]
    days: int = 365
    start: date = date(2024, 1, 1)
    seed: int = 42
    work: Path | None = None
    keep: bool = False
    out: Path = DEFAULT_OUT
    peers: tuple[str, ...] = PEERS
    # "core": the four core results against the peers; "builds": the full build and the daily runs.
    # A million users take hours for both, so each can run on its own (in two sittings).
    steps: tuple[str, ...] = STEPS
    skip_unit_tests: bool = True
    # Daily runs after the full build, one day of the export each (the full build reads the export
    # as it stood that many days before its end).
    daily_runs: int = 1
    progress: Any = field(default=print)


def raw_event_rows(raw_dir: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(path).metadata.num_rows for path in (raw_dir / "raw_events").glob("*.parquet"))


def daily_changes(raw_dir: Path, cut: datetime) -> dict[str, int]:
    """What the last day adds to the export: events received after the cut (late ones among them:
    occurred before it), orders placed after it and earlier orders changed after it."""
    import duckdb

    stamp = f"timestamp '{cut.isoformat(sep=' ')}'"
    with duckdb.connect() as connection:
        connection.execute("set enable_progress_bar = false")  # strata bench's output is its table
        events = connection.execute(f"""
            select count(*), count(*) filter (where occurred_at <= {stamp})
            from read_parquet('{raw_dir}/raw_events/*.parquet') where coalesce(received_at, occurred_at) > {stamp}
        """).fetchone()
        orders = connection.execute(f"""
            select count(*) filter (where ordered_at > {stamp}),
                count(*) filter (where ordered_at <= {stamp} and updated_at > {stamp})
            from read_parquet('{raw_dir}/raw_orders.parquet')
        """).fetchone()
    return {"events": events[0], "late_events": events[1], "new_orders": orders[0], "changed_orders": orders[1]}


# The folder this stratalib is imported from: the children import the same one.
STRATALIB_PARENT = str(Path(__file__).resolve().parents[2])


def child_env(folder: Path, name: str, threads: int) -> dict[str, str]:
    """A child's environment: its own dbt target and log folders, this stratalib first on its path."""
    env = {**os.environ, "DO_NOT_TRACK": "1", "POLARS_MAX_THREADS": str(threads)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [STRATALIB_PARENT, os.environ.get("PYTHONPATH")]))
    env["DBT_TARGET_PATH"], env["DBT_LOG_PATH"] = str(folder / f"target_{name}"), str(folder / f"logs_{name}")
    return env


def bench_size(users: int, options: BenchOptions, work: Path, settings: dict[str, Any], entry: dict[str, Any],
               save: Callable[[], None]) -> None:
    """Generate `users`, time the four core results, then the full build and the daily run; the
    figures go into `entry` as they come, and save() writes the report after each step (a long
    run interrupted leaves what it measured)."""
    say = options.progress
    folder = work / f"users_{users}"
    folder.mkdir(parents=True, exist_ok=True)
    raw_full = folder / "raw"
    say(f"strata bench: {users:,} users: generating")
    generated = measure(
        [sys.executable, "-m", "stratalib.cli", "generate", "--out", str(raw_full), "--users", str(users),
         "--days", str(options.days), "--start", options.start.isoformat(), "--seed", str(options.seed), "--quiet"],
        child_env(folder, "generate", settings["threads"]), folder / "generate.log",
    )  # fmt: skip
    # The exports the builds read: as of the cut of each daily run (the full build reads the
    # first), and the whole export last.
    last_cut = datetime.combine(options.start + timedelta(days=options.days - 1), datetime.min.time())
    cuts = [last_cut - timedelta(days=days_before) for days_before in reversed(range(options.daily_runs))]
    exports = [folder / f"raw_as_of_{cut:%Y%m%d}" for cut in cuts] + [raw_full]
    for cut, export in zip(cuts, exports):
        export_as_of(raw_full, export, cut)
    builds = [("full_build", exports[0])] + [(daily_run_name(number), exports[number])
                                             for number in range(1, options.daily_runs + 1)]
    entry.update({
        "raw_events": raw_event_rows(raw_full),
        "generate_seconds": round(generated.wall_seconds, 3),
        "generate_peak_mib": round(generated.peak_bytes / MIB, 1),
        # What each daily run adds to the export the run before it read.
        "daily_runs": {name: {"cut": cut.isoformat(sep=" "), "changes": daily_changes(export, cut)}
                       for (name, export), cut in zip(builds[1:], cuts)},
        "runs": {},
    })
    # The first daily run's, under the names the report had before --daily-runs.
    entry["daily_cut"] = entry["daily_runs"]["daily_run"]["cut"]
    entry["daily_changes"] = entry["daily_runs"]["daily_run"]["changes"]
    save()
    # The four core results come first: they are the cheaper step, so a long run stopped early
    # still has the comparison with the peers.
    if "core" in options.steps:
        core_results(users, options, folder, settings, raw_full, entry, save)
    if "builds" in options.steps:
        build_runs(users, options, folder, settings, builds, entry["runs"], save)


def daily_run_name(number: int) -> str:
    """The report's name of the nth daily run after the full build: daily_run, daily_run_2, ..."""
    return "daily_run" if number == 1 else f"daily_run_{number}"


def place_export(raw_dir: Path, export: Path) -> None:
    """Make `export` hold the files of `raw_dir` (hard links: no copy of the data)."""
    shutil.rmtree(export, ignore_errors=True)
    shutil.copytree(raw_dir, export, copy_function=os.link)


def build_runs(users: int, options: BenchOptions, folder: Path, settings: dict[str, Any],
               runs: list[tuple[str, Path]], measured_runs: dict[str, Any], save: Callable[[], None]) -> None:
    """`strata build` of each (name, raw folder) in turn into one warehouse, broken down by stage
    into measured_runs[name]."""
    warehouse = folder / "warehouse" / "strata.duckdb"
    # The builds share one dbt target folder and read one export folder, as a user's daily runs
    # do (the export lands in the same place every day): same warehouse, same vars, so a run
    # parses only what changed. Each run's artifacts are copied aside before the next.
    env = child_env(folder, "builds", settings["threads"])
    export = folder / "export"
    for name, raw_dir in runs:
        options.progress(f"strata bench: {users:,} users: {name.replace('_', ' ')}")
        place_export(raw_dir, export)
        spec = {"name": name, "raw_dir": str(export), "warehouse": str(warehouse),
                "skip_unit_tests": options.skip_unit_tests}
        measured = run_child("build", spec, folder, env)
        artifacts = folder / f"artifacts_{name}"
        artifacts.mkdir(exist_ok=True)
        for artifact in ("run_results.json", "manifest.json"):
            shutil.copy(Path(env["DBT_TARGET_PATH"]) / artifact, artifacts / artifact)
        # The first attempt's results exist only after a retry (run_dbt); none may stay from before.
        first_attempt = Path(env["DBT_TARGET_PATH"]) / FIRST_ATTEMPT_RESULTS
        (artifacts / FIRST_ATTEMPT_RESULTS).unlink(missing_ok=True)
        if first_attempt.exists():
            shutil.copy(first_attempt, artifacts / FIRST_ATTEMPT_RESULTS)
        events = raw_event_rows(raw_dir)
        measured_runs[name] = {
            "raw_events": events,
            "wall_seconds": round(measured.wall_seconds, 3),
            "peak_mib": round(measured.peak_bytes / MIB, 1),
            "warehouse_mib": round(warehouse.stat().st_size / MIB, 1),
            "stages": stage_rows(measured, artifacts, events),
        }
        save()


def core_results(users: int, options: BenchOptions, folder: Path, settings: dict[str, Any], raw_dir: Path,
                 entry: dict[str, Any], save: Callable[[], None]) -> None:
    """strata's lineage of the four core results, then each peer on the same files, checked
    against it: entry["core_results"]."""
    import pyarrow.parquet as pq

    from stratalib.bench.compare import compare_all, strata_results

    options.progress(f"strata bench: {users:,} users: the four core results, strata's lineage")
    lineage_warehouse = folder / "lineage" / "strata.duckdb"
    env = child_env(folder, "lineage", settings["threads"])
    lineage = run_child("lineage", {"name": "lineage", "raw_dir": str(raw_dir), "warehouse": str(lineage_warehouse)},
                        folder, env)
    strata_seconds = lineage.result["dbt_ended"] - lineage.result["dbt_started"]
    lineage_stages = stage_intervals(Path(env["DBT_TARGET_PATH"]))
    nodes_seconds = union_seconds([span for stage in lineage_stages.values() for span in stage["intervals"]])
    expected = strata_results(lineage_warehouse)
    entry["core_results"] = core = {
        "strata": {
            "work_seconds": round(strata_seconds, 3),
            "nodes_seconds": round(nodes_seconds, 3),
            "process_seconds": round(lineage.wall_seconds, 3),
            "peak_mib": round(lineage.peak_bytes / MIB, 1),
            "nodes": count_nodes(Path(env["DBT_TARGET_PATH"])),
        },
        "peers": [],
    }
    save()
    for engine in options.peers:
        options.progress(f"strata bench: {users:,} users: the four core results, {engine}")
        out = folder / f"peer_{engine}"
        spec = {"name": f"peer_{engine}", "engine": engine, "raw_dir": str(raw_dir), "out": str(out), **settings}
        try:
            measured = run_child("peer", spec, folder, child_env(folder, f"peer_{engine}", settings["threads"]))
        except BenchError as error:
            # A peer that fails (chDB runs out of memory at a million users: it does not spill)
            # is a figure of the comparison, not the end of the bench: the builds still run.
            options.progress(f"strata bench: {users:,} users: {engine} failed: {error}")
            core["peers"].append({"engine": engine, "failed": str(error), "agrees": None})
            save()
            continue
        seconds = measured.result["work_ended"] - measured.result["work_started"]
        agreements = compare_all(expected, {path.stem: pq.read_table(path) for path in out.glob("*.parquet")})
        core["peers"].append({
            "engine": engine,
            "work_seconds": round(seconds, 3),
            "process_seconds": round(measured.wall_seconds, 3),
            "peak_mib": round(measured.peak_bytes / MIB, 1),
            "strata_to_peer": round(strata_seconds / seconds, 2) if seconds > 0 else None,
            "strata_nodes_to_peer": round(nodes_seconds / seconds, 2) if seconds > 0 else None,
            "agrees": all(agreement.agrees for agreement in agreements),
            "results": [agreement.summary() for agreement in agreements],
        })
        save()


def memory_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def count_nodes(target_dir: Path) -> int:
    return len(json.loads((target_dir / "run_results.json").read_text())["results"])


def run_bench(options: BenchOptions) -> dict[str, Any]:
    """Every size in turn; returns the report (also written to options.out)."""
    settings = duckdb_settings()
    work = options.work or Path(tempfile.mkdtemp(prefix="strata-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "memory_gib": round(memory_bytes() / 2**30, 1)},
        "settings": {**settings, "dbt_threads": dbt_threads(), "days": options.days,
                     "start": options.start.isoformat(), "seed": options.seed,
                     "unit_tests": not options.skip_unit_tests},
        "sizes": [],
    }
    keep = options.keep
    try:
        for users in options.sizes:
            entry: dict[str, Any] = {"users": users}
            report["sizes"].append(entry)
            bench_size(users, options, work, settings, entry, lambda: write_report(report, options.out))
    except BenchError:
        keep = True  # the message names a log in the work folder
        raise
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return report


# --- the report -------------------------------------------------------------------------------------


def number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def markdown(report: dict[str, Any]) -> str:
    settings = report["settings"]
    lines = [
        "# strata bench",
        "",
        f"{report['generated_at']}; {report['machine']['cpus']} CPUs, {report['machine']['memory_gib']} GiB; "
        f"dbt threads {settings['dbt_threads']}; DuckDB threads {settings['threads']}, memory_limit "
        f"{settings['memory_limit']}; {settings['days']} days of data from {settings['start']}, seed "
        f"{settings['seed']}; dbt unit tests {'included' if settings['unit_tests'] else 'skipped'}.",
        "Wall seconds of a stage: the time any of its nodes ran (they may run side by side); node seconds: their "
        "sum. Peak memory: resident set of the whole process tree, sampled. Events per second: raw event rows of "
        "the run's input over the stage's wall seconds.",
    ]
    for size in report["sizes"]:
        if "daily_changes" not in size:
            continue
        added = "; ".join(daily_run_adds(name, daily) for name, daily in size["daily_runs"].items())
        lines += [
            "",
            f"## {size['users']:,} users, {size['raw_events']:,} raw events",
            "",
            f"Generated in {size['generate_seconds']:.1f} s. Full build: the export as of {size['daily_cut']}. "
            f"Each daily run reads the export a day later, the last one the whole export: {added}.",
            "",
            "| run | stage | wall s | node s | peak MiB | events/s |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for run_name, run in size["runs"].items():
            for row in run["stages"]:
                lines.append(
                    f"| {run_name.replace('_', ' ')} | {row['stage']} | {number(row['wall_seconds'])} | "
                    f"{number(row['node_seconds'])} | {number(row['peak_mib'], 0)} | "
                    f"{number(row['events_per_second'], 0)} |"
                )
        lines += daily_shares(size["runs"])
        if "core_results" not in size:
            continue
        core = size["core_results"]
        strata = core["strata"]
        lines += [
            "",
            "Four core results (user facts, RFM, monthly order-cohort retention, purchase funnel) from the raw "
            f"files: strata = `dbt build` of the four marts and everything they are built from ({strata['nodes']} "
            "nodes: staging, validation, de-duplication, the intermediate models, seeds, hooks; no tests) into a "
            "fresh warehouse and target folder; each peer reads the same files and does the same cleaning. Work "
            "seconds exclude starting Python; for strata they include dbt parsing the project, which its nodes' "
            f"own time ({number(strata['nodes_seconds'])} s) does not.",
            "",
            "| engine | work s | process s | peak MiB | strata / engine | strata nodes / engine | agrees with strata |",
            "|---|---:|---:|---:|---:|---:|---|",
            f"| strata | {number(strata['work_seconds'])} | {number(strata['process_seconds'])} | "
            f"{number(strata['peak_mib'], 0)} | 1.0 | | |",
        ]
        for peer in core["peers"]:
            if "failed" in peer:
                lines.append(f"| {peer['engine']} | | | | | | failed: {peer['failed']} |")
                continue
            verdict = "yes" if peer["agrees"] else "NO: " + "; ".join(peer["results"])
            lines.append(
                f"| {peer['engine']} | {number(peer['work_seconds'])} | {number(peer['process_seconds'])} | "
                f"{number(peer['peak_mib'], 0)} | {number(peer['strata_to_peer'])} | "
                f"{number(peer['strata_nodes_to_peer'])} | {verdict} |"
            )
    return "\n".join(lines) + "\n"


def daily_run_adds(name: str, daily: dict[str, Any]) -> str:
    """What a daily run adds to the export the run before it read, in words."""
    changes = daily["changes"]
    return (f"the {name.replace('_', ' ')} adds {changes['events']:,} events ({changes['late_events']:,} of them "
            f"late, occurred before {daily['cut']}), {changes['new_orders']:,} orders and "
            f"{changes['changed_orders']:,} changes (refunds, completions) of earlier orders")  # fmt: skip


def daily_shares(runs: dict[str, Any]) -> list[str]:
    """A line with each daily run's total as a share of the full build's (none without both)."""
    totals = {name: run["wall_seconds"] for name, run in runs.items()}
    full = totals.pop("full_build", None)
    if not full or not totals:
        return []
    shares = "; ".join(f"the {name.replace('_', ' ')} {seconds:,.1f} s, {seconds / full:.0%}"
                       for name, seconds in totals.items())  # fmt: skip
    return ["", f"Daily runs against the full build ({full:,.1f} s, whole process): {shares}."]


def write_report(report: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "bench.md").write_text(markdown(report))


def all_agree(report: dict[str, Any]) -> bool:
    """No peer that finished gave other answers than strata's (a peer that failed is reported in
    the table with its error, and is no disagreement)."""
    return all(peer["agrees"] is not False
               for size in report["sizes"] for peer in size.get("core_results", {}).get("peers", []))
