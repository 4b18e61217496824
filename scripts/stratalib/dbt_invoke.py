"""Run dbt in-process (dbtRunner) against this project with absolute paths and no tracking."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stratalib.guard import guard_message

PROJECT_DIR = Path(__file__).resolve().parents[2]
PROFILES_DIR = PROJECT_DIR / "profiles"
DEFAULT_WAREHOUSE = PROJECT_DIR / "warehouse" / "strata.duckdb"

EXIT_OK, EXIT_CHECKS_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass
class DbtOutcome:
    """What a dbt command ended with, mapped to the runner's exit codes."""

    exit_code: int
    message: str = ""


def restricted_path(warehouse: Path) -> Path:
    """The restricted file of a warehouse (clear-text contacts): `<stem>.restricted.duckdb` beside it."""
    return warehouse.with_name(f"{warehouse.stem}.restricted.duckdb")


def pii_key_path(warehouse: Path) -> Path:
    """The secret key file of a warehouse's personal-data pseudonyms: `<stem>.pii.key` beside it."""
    return warehouse.with_name(f"{warehouse.stem}.pii.key")


def prepare_environment(warehouse: Path, target: str = "dev") -> None:
    """Point the profile at the warehouse file, its restricted file and key file (see
    stratalib.pii, which creates both with mode 0600), default DuckDB's thread count to the
    machine's cores, and switch off dbt's usage tracking."""
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ["STRATA_WAREHOUSE"] = str(warehouse)
    os.environ["STRATA_RESTRICTED"] = str(restricted_path(warehouse))
    os.environ.setdefault("STRATA_PII_KEY_FILE", str(pii_key_path(warehouse)))
    os.environ["STRATA_SCRIPTS_DIR"] = str(PROJECT_DIR / "scripts")
    os.environ["STRATA_TARGET"] = target
    # DuckDB's threads setting (profiles.yml): every core unless the user chose a number.
    os.environ.setdefault("STRATA_DUCKDB_THREADS", str(default_threads()))
    warehouse.parent.mkdir(parents=True, exist_ok=True)


def profile_default(variable: str) -> str:
    """The default the profile gives an environment variable (profiles.yml: env_var('NAME', 'default'))."""
    text = (PROFILES_DIR / "profiles.yml").read_text()
    found = re.search(rf"env_var\('{variable}', '([^']*)'\)", text)
    if not found:
        raise ValueError(f"profiles.yml sets no default for {variable}")
    return found.group(1)


def default_threads() -> int:
    """DuckDB's threads when STRATA_DUCKDB_THREADS is unset: the machine's cores."""
    return os.cpu_count() or 1


def profile_setting(variable: str) -> str:
    """A setting the profile reads from an environment variable: the variable, else its default."""
    return os.environ.get(variable) or profile_default(variable)


def dbt_threads() -> int:
    """dbt's threads (models built side by side) as the profile gives them (STRATA_DBT_THREADS)."""
    return int(profile_setting("STRATA_DBT_THREADS"))


def spill_folder(warehouse: Path) -> str:
    """DuckDB's temp_directory for a warehouse, as profiles.yml gives it to dbt:
    STRATA_DUCKDB_TEMP_DIRECTORY, else `<warehouse>.tmp` beside the file."""
    return os.environ.get("STRATA_DUCKDB_TEMP_DIRECTORY") or f"{warehouse}.tmp"


def duckdb_settings() -> dict[str, Any]:
    """DuckDB's memory_limit, threads and preserve_insertion_order as the profile gives them to dbt
    (the environment, else the profile's defaults; threads: default_threads, as
    prepare_environment sets). The connections strata opens itself to copy whole tables
    (publishing) take them too, with spill_folder, so they stay within the memory the build is
    given. The spill folder is apart because it belongs to one warehouse, these to the machine."""
    return {
        "memory_limit": profile_setting("STRATA_DUCKDB_MEMORY_LIMIT"),
        "threads": int(os.environ.get("STRATA_DUCKDB_THREADS") or default_threads()),
        "preserve_insertion_order": profile_setting("STRATA_DUCKDB_PRESERVE_INSERTION_ORDER").lower() == "true",
    }


def dbt_target_dir() -> Path:
    """Where dbt writes its artifacts and docs: DBT_TARGET_PATH when set (the tests give every
    worker its own; a relative path is relative to the project, as dbt reads it), else target/."""
    return PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", "target")


def common_arguments(dbt_vars: dict[str, Any] | None) -> list[str]:
    """The arguments every dbt command of the runner gets: this project, its profiles, the vars."""
    common = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROFILES_DIR)]
    if dbt_vars:
        common += ["--vars", json.dumps(dbt_vars)]
    return common


def exception_message(exception: BaseException | None) -> str:
    """The text of a dbt exception: dbt's CompilationError keeps the bare message in .msg (str()
    adds a macro call stack); "" when there is none."""
    if exception is None:
        return ""
    return str(getattr(exception, "msg", None) or exception)


def parse_project(dbt_vars: dict[str, Any] | None = None) -> tuple[DbtOutcome, Any]:
    """`dbt parse` once: (outcome, the parsed manifest, or None when parsing failed).

    A process that runs dbt several times (strata backfill: one run per snapshot date) hands the
    manifest to each run_dbt, which then skips parsing. dbt parses the whole project again whenever
    the vars change, so without this every snapshot date would pay a full parse. Parsing reads the
    vars only for node configs; none depends on the as-of or audience date, which is all a
    backfill changes between its runs: each run compiles its SQL with its own vars.
    """
    from dbt.cli.main import dbtRunner  # slow import: only when dbt really runs

    result = dbtRunner().invoke(["parse", *common_arguments(dbt_vars)])
    if result.success:
        return DbtOutcome(EXIT_OK), result.result
    return DbtOutcome(EXIT_USAGE, first_line(exception_message(result.exception) or "dbt parse failed")), None


def run_dbt(command: list[str], dbt_vars: dict[str, Any] | None = None, manifest: Any = None) -> DbtOutcome:
    """Invoke `dbt <command>` for this project; exit code 0 ok, 1 failed checks, 2 error.

    With a manifest from parse_project, dbt skips parsing (and writes no manifest.json)."""
    from dbt.cli.main import dbtRunner  # slow import: only when dbt really runs

    common = common_arguments(dbt_vars)
    target = dbt_target_dir()
    first_attempt = target / FIRST_ATTEMPT_RESULTS
    first_attempt.unlink(missing_ok=True)
    result = dbtRunner(manifest=manifest).invoke([*command, *common])
    out_of_memory = [] if result.success or result.exception is not None else nodes_out_of_memory(result.result)
    if out_of_memory and dbt_threads() > 1:
        print(
            f"strata: {', '.join(out_of_memory)} ran out of DuckDB's memory_limit while another node was "
            "being built beside it; building the failed and skipped nodes again, one at a time (dbt retry)",
            file=sys.stderr,
        )
        # The retry's run_results.json holds only the nodes it builds again: the first attempt's
        # is kept beside it, so the two together tell what the run did (strata bench adds them up).
        if (target / "run_results.json").exists():
            shutil.copy(target / "run_results.json", first_attempt)
        result = dbtRunner().invoke(["retry", "--threads", "1", *common])
    if result.success:
        return DbtOutcome(EXIT_OK)
    if result.exception is not None:
        message = exception_message(result.exception)
        return DbtOutcome(EXIT_USAGE, disk_full_message(message) if is_disk_full(message) else first_line(message))
    guard = guard_message(result.result, lambda sql: show_rows(sql, common), project_vars()["max_quarantine_share"])
    if guard:
        return DbtOutcome(EXIT_CHECKS_FAILED, guard)
    summary = failure_summary(result.result)
    # A full disk is a runtime error (exit 2), not a failed check: nothing is wrong with the data.
    return DbtOutcome(EXIT_USAGE if is_disk_full(summary) else EXIT_CHECKS_FAILED, summary)


# The first attempt's run_results.json of a run built again one node at a time (run_dbt), in
# dbt's target folder beside the retry's own; removed when the next run starts.
FIRST_ATTEMPT_RESULTS = "run_results_first_attempt.json"

# How DuckDB words a query that found no more memory under its memory_limit.
OUT_OF_MEMORY_MARKER = "out of memory error"


def nodes_out_of_memory(results: Any) -> list[str]:
    """The nodes that failed because DuckDB ran out of memory, when every failure of the run is
    one of those; [] when none is, or when anything else failed too (a failed test, another error).

    dbt builds STRATA_DBT_THREADS nodes side by side and they share one memory_limit. DuckDB
    spills most sorts, joins and groupings to disk, but two big queries at once can still hold
    every block: in two daily runs at a million users, churn_reasons and fct_funnel_attempt_steps,
    started seconds apart, both failed so, though each builds alone, and the two side by side in a
    run of their own, within the limit. run_dbt then builds the failed and skipped nodes again
    one at a time (dbt retry), as a user would by running again: the incremental models follow
    what changed since their own last run, so a second run catches up.
    """
    failed = failed_nodes(results)
    out_of_memory = [name for name, _, message in failed if OUT_OF_MEMORY_MARKER in message.lower()]
    return out_of_memory if out_of_memory and len(out_of_memory) == len(failed) else []


def failed_nodes(results: Any) -> list[tuple[str, str, str]]:
    """(name, status, message) of each node dbt's run results say errored or failed."""
    failed = []
    for node_result in getattr(results, "results", []) or []:
        status = str(getattr(node_result, "status", "")).lower()
        if status in {"error", "fail", "runtimeerror"}:
            failed.append((node_result.node.name, status, str(getattr(node_result, "message", None) or "")))
    return failed


def close_dbt_connections() -> None:
    """Close the warehouse connection dbt-duckdb keeps open in this process after a run.

    Until it is closed, DuckDB refuses any other opening of the file from this process (read-only,
    or attached by another connection), e.g. the publish step at the end of a build."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    try:
        environment = DuckDBConnectionManager.env()
    except Exception:  # no run of this process opened the warehouse (dbt raises a bare Exception)
        return
    environment.close()
    DuckDBConnectionManager.close_all_connections()


def show_rows(sql: str, common: list[str]) -> list[list[Any]]:
    """The rows of a query run through `dbt show` (same profile and connection settings as the run)."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(["show", "--inline", sql, "--limit", "-1", "--quiet", *common])
    if not result.success:
        return []
    return [list(row) for row in result.result.results[0].agate_table.rows]


def project_vars() -> dict[str, Any]:
    """The vars of dbt_project.yml (their defaults)."""
    import yaml

    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def first_line(text: str) -> str:
    """The first non-empty line of an error text."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return "dbt failed"


# What a write to a full disk says, from the OS (ENOSPC), DuckDB and SQLite-style drivers.
DISK_FULL_MARKERS = ("no space left on device", "enospc", "[errno 28]", "disk is full")
# DuckDB's generic write failure: a full disk unless the text names another cause.
WRITE_FAILED_MARKER = "could not write"
OTHER_WRITE_CAUSES = ("permission denied", "read-only file system", "is a directory")


def is_disk_full(text: str) -> bool:
    """Whether an error text says a write failed because the disk is full."""
    lowered = text.lower()
    if any(marker in lowered for marker in DISK_FULL_MARKERS):
        return True
    return WRITE_FAILED_MARKER in lowered and not any(cause in lowered for cause in OTHER_WRITE_CAUSES)


def disk_full_line(text: str) -> str:
    """The line of an error text that says the disk is full (dbt puts "Runtime Error in model" first)."""
    return next((line.strip() for line in text.splitlines() if is_disk_full(line)), first_line(text))


def disk_full_message(text: str, nodes: list[str] | None = None) -> str:
    """The one-line message for a full disk, naming the nodes it stopped.

    A full disk makes every later node fail too; "N node(s) failed" would send the reader to the
    models, when what needs doing is to free space (the warehouse, its WAL and DuckDB's spill
    files) and run again.
    """
    where = ""
    if nodes:
        more = f" (and {len(nodes) - 1} more node(s))" if len(nodes) > 1 else ""
        where = f" while building {nodes[0]}{more}"
    return f"the disk is full{where}: {disk_full_line(text)}; free space and run again"


def failure_summary(results: Any) -> str:
    """One line naming the nodes that errored or failed, from dbt's run results; a full disk is
    named as such, with the first node it stopped."""
    failed, disk_full, disk_message = [], [], ""
    for name, status, message in failed_nodes(results):
        failed.append(f"{name} ({status})")
        if is_disk_full(message):
            disk_full.append(name)
            disk_message = disk_message or message
    if disk_full:
        return disk_full_message(disk_message, disk_full)
    if not failed:
        return "dbt reported a failure (see the log above)"
    shown = ", ".join(failed[:5])
    more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
    return f"{len(failed)} node(s) failed: {shown}{more}"
