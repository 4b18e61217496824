"""The measured processes of `strata bench`: one run each, started by stratalib.bench.run.

    python -m stratalib.bench.child SPEC.json

SPEC (written by the parent) names the kind of run and where to write its result (JSON):

- build: what `strata build --raw-dir R --warehouse W` does (the same functions of stratalib.cli,
  in the same order), with the dbt run and the publishing step timed apart;
- lineage: `dbt build` of the four core results and everything they are built from (models and
  seeds, no tests) into a fresh warehouse, timed;
- peer: one peer of stratalib.bench.peers, timed; its four results written as Parquet.

Each runs in its own process so the parent can measure its wall time and the peak memory of its
process tree. Times here are of the work only (after Python and the imports have started).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

# The four core results' marts; user_facts is built as a parent of user_rfm.
CORE_MARTS = ["user_facts", "user_rfm", "cohort_retention_monthly", "funnel_conversion"]
LINEAGE_SELECTION = [f"+{mart}" for mart in CORE_MARTS]


def run_build(spec: dict[str, Any]) -> dict[str, Any]:
    from stratalib.cli import UsageError, build_parser, dbt_build_command, prepare_build, publish_if_passed, \
        warehouse_for_writing
    from stratalib.dbt_invoke import EXIT_OK, run_dbt

    argv = ["build", "--raw-dir", spec["raw_dir"], "--warehouse", spec["warehouse"]]
    if spec.get("skip_unit_tests"):
        argv.append("--skip-unit-tests")
    args = build_parser().parse_args(argv)
    try:
        dbt_vars = prepare_build(args)
        with warehouse_for_writing(args.warehouse) as warehouse:
            dbt_started = time.time()
            outcome = run_dbt(dbt_build_command(args), dbt_vars)
            dbt_ended = time.time()
            published = publish_if_passed(outcome, warehouse)
            publish_ended = time.time()
    except UsageError as error:
        return {"exit_code": 2, "message": str(error)}
    return {
        "exit_code": published.exit_code,
        "message": published.message,
        "dbt_started": dbt_started,
        "dbt_ended": dbt_ended,
        "publish_seconds": publish_ended - dbt_ended if outcome.exit_code == EXIT_OK else None,
    }


def run_lineage(spec: dict[str, Any]) -> dict[str, Any]:
    from stratalib.cli import UsageError, build_parser, prepare_build, warehouse_for_writing
    from stratalib.dbt_invoke import run_dbt

    args = build_parser().parse_args(["build", "--raw-dir", spec["raw_dir"], "--warehouse", spec["warehouse"]])
    try:
        dbt_vars = prepare_build(args)
        with warehouse_for_writing(args.warehouse):
            started = time.time()
            outcome = run_dbt(
                ["build", "--select", *LINEAGE_SELECTION, "--exclude-resource-type", "test", "unit_test"], dbt_vars
            )
            ended = time.time()
    except UsageError as error:
        return {"exit_code": 2, "message": str(error)}
    return {"exit_code": outcome.exit_code, "message": outcome.message, "dbt_started": started, "dbt_ended": ended}


def run_peer(spec: dict[str, Any]) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from stratalib.bench import peers

    compute = getattr(peers, f"{spec['engine']}_peer")
    started = time.time()
    results = compute(Path(spec["raw_dir"]), spec["memory_limit"], spec["threads"])
    ended = time.time()
    out = Path(spec["out"])
    out.mkdir(parents=True, exist_ok=True)
    for name, table in results.items():
        pq.write_table(table, out / f"{name}.parquet")
    return {"exit_code": 0, "message": "", "work_started": started, "work_ended": ended}


def own_peak_bytes() -> int:
    """This process's peak resident memory since it started (VmHWM of /proc/self/status)."""
    from stratalib.bench.run import status_bytes

    return status_bytes("self", "VmHWM")


KINDS = {"build": run_build, "lineage": run_lineage, "peer": run_peer}


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    result = KINDS[spec["kind"]](spec)
    result["own_peak_bytes"] = own_peak_bytes()
    Path(spec["result"]).write_text(json.dumps(result))
    return 0 if result["exit_code"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
