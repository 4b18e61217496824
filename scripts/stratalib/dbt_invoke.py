"""Run dbt in-process (dbtRunner) against this project with absolute paths and no tracking."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]
PROFILES_DIR = PROJECT_DIR / "profiles"
DEFAULT_WAREHOUSE = PROJECT_DIR / "warehouse" / "strata.duckdb"

EXIT_OK, EXIT_CHECKS_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass
class DbtOutcome:
    """What a dbt command ended with, mapped to the runner's exit codes."""

    exit_code: int
    message: str = ""


def prepare_environment(warehouse: Path, target: str = "dev") -> None:
    """Point the profile at the warehouse file and switch off dbt's usage tracking."""
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ["STRATA_WAREHOUSE"] = str(warehouse)
    os.environ["STRATA_TARGET"] = target
    warehouse.parent.mkdir(parents=True, exist_ok=True)


def run_dbt(command: list[str], dbt_vars: dict[str, Any] | None = None) -> DbtOutcome:
    """Invoke `dbt <command>` for this project; exit code 0 ok, 1 failed checks, 2 error."""
    from dbt.cli.main import dbtRunner  # slow import: only when dbt really runs

    args = [
        *command,
        "--project-dir", str(PROJECT_DIR),
        "--profiles-dir", str(PROFILES_DIR),
    ]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    result = dbtRunner().invoke(args)
    if result.success:
        return DbtOutcome(EXIT_OK)
    if result.exception is not None:
        # dbt's CompilationError keeps the bare message in .msg; str() adds a macro call stack.
        message = getattr(result.exception, "msg", None) or str(result.exception)
        return DbtOutcome(EXIT_USAGE, first_line(str(message)))
    return DbtOutcome(EXIT_CHECKS_FAILED, failure_summary(result.result))


def first_line(text: str) -> str:
    """The first non-empty line of an error text."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return "dbt failed"


def failure_summary(results: Any) -> str:
    """One line naming the nodes that errored or failed, from dbt's run results."""
    failed = []
    for node_result in getattr(results, "results", []) or []:
        status = str(getattr(node_result, "status", "")).lower()
        if status in {"error", "fail", "runtimeerror"}:
            failed.append(f"{node_result.node.name} ({status})")
    if not failed:
        return "dbt reported a failure (see the log above)"
    shown = ", ".join(failed[:5])
    more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
    return f"{len(failed)} node(s) failed: {shown}{more}"
