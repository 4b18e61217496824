"""Benchmark generate + build at several sizes: wall time and peak memory of each step.

    .venv/bin/python scripts/bench.py [--users 10000 200000] [--days 365] [--work DIR] [--keep]

Each step runs as its own process (the venv's `strata` command, as a user runs it), so its peak RSS
is its own.
After the sizes, the build time of the watched models (funnels, retention, growth, paths) and of
the slowest models per size, from dbt's run_results.json, with the ratio to the smallest size.
Figures are printed, not asserted: shared machines are noisy, so compare sizes within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The console script of pyproject.toml, beside this interpreter in the venv.
STRATA = Path(sys.executable).parent / "strata"
# The marts of the funnel, retention, growth and paths, and the shared models they now read
# (the funnel pipeline, activity days, the retention cells): a mart's time alone would hide the
# work moved upstream.
WATCHED_MODELS = [
    "int_funnel_steps", "int_funnel_step_events", "int_funnel_attempt_steps", "funnel_conversion",
    "int_user_activity_days", "int_user_order_days", "int_user_period_activity", "int_cohort_members",
    "int_cohort_retention_periods", "int_cohort_retention_rates", "int_purchase_cohort_retention",
    "cohort_retention_monthly", "cohort_retention_weekly", "cohort_retention_breakdowns",
    "activity_retention_monthly", "user_growth_accounting", "daily_active_users", "event_paths",
]
SLOWEST_SHOWN = 8


def run_measured(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run the runner with `args`; return (seconds, peak RSS in MiB). Raises on failure."""
    started = time.perf_counter()
    process = subprocess.Popen([str(STRATA), *args], stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"strata {' '.join(args)} failed")
    return seconds, usage.ru_maxrss / 1024


def model_seconds(target_dir: Path) -> dict[str, float]:
    """Seconds per model (not tests) of the last dbt run whose results are in target_dir."""
    results = json.loads((target_dir / "run_results.json").read_text())["results"]
    return {
        result["unique_id"].split(".")[-1]: result["execution_time"]
        for result in results
        if result["unique_id"].startswith("model.")
    }


def bench_size(users: int, days: int, work: Path) -> dict[str, object]:
    raw_dir, warehouse = work / f"raw_{users}", work / f"warehouse_{users}.duckdb"
    target_dir = work / f"target_{users}"
    generate_s, generate_mib = run_measured(
        ["generate", "--out", str(raw_dir), "--users", str(users), "--days", str(days), "--quiet"]
    )
    env = {**os.environ, "DBT_TARGET_PATH": str(target_dir), "DBT_LOG_PATH": str(target_dir / "logs")}
    build_s, build_mib = run_measured(["build", "--raw-dir", str(raw_dir), "--warehouse", str(warehouse)], env)
    return {
        "users": users,
        "generate_s": generate_s,
        "generate_mib": generate_mib,
        "build_s": build_s,
        "build_mib": build_mib,
        "warehouse_mib": warehouse.stat().st_size / 2**20,
        "models": model_seconds(target_dir),
    }


def print_model_times(rows: list[dict[str, object]]) -> None:
    """Watched models, then the slowest others of the largest size: seconds per size and ratio."""
    largest = rows[-1]["models"]
    slowest = sorted((name for name in largest if name not in WATCHED_MODELS), key=largest.get, reverse=True)
    header = "".join(f"{row['users']:>12,}" for row in rows)
    print(f"\n{'model build seconds':<30}{header}{'ratio':>8}")
    for name in WATCHED_MODELS + slowest[:SLOWEST_SHOWN]:
        seconds = [row["models"].get(name) for row in rows]
        if any(value is None for value in seconds):
            continue
        ratio = seconds[-1] / seconds[0] if seconds[0] else float("nan")
        print(f"{name:<30}" + "".join(f"{value:>12.2f}" for value in seconds) + f"{ratio:>8.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10_000, 200_000])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--work", type=Path, help="folder for data and warehouses (default: temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the data and warehouses")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="strata-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{'users':>10} {'generate s':>11} {'gen MiB':>8} {'build s':>8} {'build MiB':>10} {'db MiB':>7}")
    rows = []
    try:
        for users in args.users:
            row = bench_size(users, args.days, work)
            rows.append(row)
            print(
                f"{row['users']:>10,} {row['generate_s']:>11.1f} {row['generate_mib']:>8.0f} "
                f"{row['build_s']:>8.1f} {row['build_mib']:>10.0f} {row['warehouse_mib']:>7.0f}",
                flush=True,
            )
        print_model_times(rows)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
