"""Parity of the two engines: the same generated sample, built on DuckDB and on Spark, gives the
same marts, row by row.

A dirty generated sample (STRATA_PARITY_USERS users, default 2,000, 2% bad rows of every kind) is
built on DuckDB and on Spark (every seed, model and snapshot), with the same vars and the
same personal-data key. Every model under models/marts that the Spark build made is compared with
DuckDB's (parity.py: counts, ids, texts and dates equal, money equal to the cent, rates within
1e-9, after sorting by the grain). A mart Spark did not build fails the test unless it is listed
in NOT_YET_ON_SPARK. The second build runs the same comparison on a local standalone cluster
(standalone.py: a master and a worker on 127.0.0.1) with a smaller sample, so the path a user
takes with a real cluster (executors outside the driver) is covered too.

Run with the Spark venv (make spark-parity; .ci/run does): it needs pyspark and Java 17. Without
them the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from parity import compare_marts, mart_grains
from standalone import Cluster, standalone_cluster

# The marts under models/marts that the Spark build does not make: none since every model runs
# there (stratalib.spark_build). A mart added to models/marts that Spark cannot build fails the
# test unless it is listed here with the reason.
NOT_YET_ON_SPARK: frozenset[str] = frozenset()

PROJECT_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
USERS = int(os.environ.get("STRATA_PARITY_USERS", "2000"))
CLUSTER_USERS = int(os.environ.get("STRATA_PARITY_CLUSTER_USERS", "500"))
# Fixed inputs both engines get: the load time (what counts as a future timestamp) and the
# personal-data key (DuckDB reads STRATA_PII_KEY, Spark the var pii_salt), a test value.
LOAD_TIME = "2025-01-15 00:00:00"
PII_KEY = "5a" * 32
# The singular tests of the rules that decide engine differences (the shared RFC 8259 strings, the
# rounding of money), run on both engines.
RULE_TESTS = ("assert_json_validity_cases", "assert_divide_money_cases")
TIMEOUT_SECONDS = 3600


def spark_missing() -> str | None:
    """Why Spark cannot run here (no pyspark in this interpreter, no Java), or None."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return f"no pyspark in {sys.executable} (make spark-parity installs requirements-spark.lock)"
    java = Path(os.environ["JAVA_HOME"]) / "bin" / "java" if os.environ.get("JAVA_HOME") else shutil.which("java")
    if not java or not Path(java).exists():
        return "no Java (Spark needs Java 17: apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="module", autouse=True)
def spark_available() -> None:
    """Skip without Spark, except under CI=true: there a missing Java or pyspark fails the run."""
    missing = spark_missing()
    if missing and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and Spark cannot run: {missing}")
    if missing:
        pytest.skip(missing)


def run(command: list[str | Path], env: dict[str, str], what: str) -> float:
    """Run a command in the project; raise with its output's tail on failure; return its seconds."""
    started = time.monotonic()
    completed = subprocess.run(
        [str(part) for part in command], cwd=PROJECT_DIR, env={**os.environ, "DO_NOT_TRACK": "1", **env},
        capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
    )  # fmt: skip
    if completed.returncode != 0:
        output = f"{completed.stdout[-6000:]}\n{completed.stderr[-3000:]}"
        raise AssertionError(f"{what} exited {completed.returncode}\n{output}")
    seconds = time.monotonic() - started
    print(f"{what}: {seconds:.0f} s")
    return seconds


def dbt(*args: str, folder: Path, env: dict[str, str], dbt_vars: dict[str, str], what: str) -> None:
    run([BIN / "dbt", *args, "--profiles-dir", PROJECT_DIR / "profiles",
         "--target-path", folder / "target", "--log-path", folder / "logs", "--vars", json.dumps(dbt_vars)],
        env, what)  # fmt: skip


@dataclass
class Builds:
    """One raw sample built on both engines, Spark's marts exported to Parquet."""

    duck_warehouse: Path
    manifest: Path
    spark_export: Path
    rule_test_results: dict[str, dict[str, str]]


def dbt_test_status(folder: Path, test_name: str) -> str:
    """The status of a test in the run_results.json of the last dbt command run in `folder`."""
    results = json.loads((folder / "target" / "run_results.json").read_text())["results"]
    return next(result["status"] for result in results if result["unique_id"].split(".")[-1] == test_name)


def build_both(folder: Path, users: int, master: str | None = None) -> Builds:
    """Generate `users` users, build them on DuckDB and on Spark (`master`: spark.master, default
    in-process), run the rules' cases on both, export Spark's marts."""
    raw = folder / "raw"
    run([BIN / "strata", "generate", "--out", raw, "--users", str(users), "--seed", "7", "--bad-rate", "0.02",
         "--quiet"], {}, f"generate {users} users")  # fmt: skip
    dbt_vars = {"raw_dir": str(raw), "load_time": LOAD_TIME}
    duck = folder / "duckdb"
    duck_env = {
        "STRATA_TARGET": "dev", "STRATA_WAREHOUSE": str(duck / "strata.duckdb"),
        "STRATA_RESTRICTED": str(duck / "strata.restricted.duckdb"), "STRATA_PII_KEY": PII_KEY,
        "STRATA_SCRIPTS_DIR": str(PROJECT_DIR / "scripts"),
    }  # fmt: skip
    # Seeds, models and snapshots, and of the tests only the rules' (make test runs the rest on DuckDB).
    nodes = [f"resource_type:{kind}" for kind in ("seed", "model", "snapshot")]
    dbt("build", "--select", *nodes, *RULE_TESTS, "--indirect-selection", "empty", "--exclude-resource-type",
        "unit_test", folder=duck, env=duck_env, dbt_vars=dbt_vars, what=f"DuckDB build, {users} users")  # fmt: skip
    duck_rules = {test: dbt_test_status(duck, test) for test in RULE_TESTS}

    spark = folder / "spark"
    spark_env = {"STRATA_TARGET": "spark", "STRATA_SPARK_DIR": str(spark), "SPARK_LOCAL_IP": "127.0.0.1"}
    if master:
        spark_env["STRATA_SPARK_MASTER"] = master
    spark_vars = {**dbt_vars, "pii_salt": PII_KEY}
    where = f"on {master}" if master else "in-process"
    # The same nodes, in one run of the Spark runner (it registers the Python table functions the
    # stand-ins of the Python models call, then runs dbt in the same process and Spark session).
    spark_env["PYTHONPATH"] = str(PROJECT_DIR / "scripts")
    run([BIN / "python", "-m", "stratalib.spark_build", "build", "--profiles-dir", PROJECT_DIR / "profiles",
         "--target-path", spark / "target", "--log-path", spark / "logs", "--vars", json.dumps(spark_vars),
         "--", "--select", *nodes, *RULE_TESTS, "--indirect-selection", "empty",
         "--exclude-resource-type", "unit_test"],
        spark_env, f"Spark build {where}, {users} users")  # fmt: skip
    spark_rules = {test: dbt_test_status(spark, test) for test in RULE_TESTS}

    manifest = duck / "target" / "manifest.json"
    export = folder / "spark_marts"
    run([sys.executable, Path(__file__).parent / "export_spark_marts.py", spark, export, *mart_grains(manifest)],
        {"SPARK_LOCAL_IP": "127.0.0.1"}, "export of Spark's marts")  # fmt: skip
    return Builds(duck / "strata.duckdb", manifest, export, {"DuckDB": duck_rules, "Spark": spark_rules})


def assert_marts_match(builds: Builds) -> None:
    """Every mart Spark built equals DuckDB's; the marts it did not build are NOT_YET_ON_SPARK."""
    grains = mart_grains(builds.manifest)
    missing = {mart for mart in grains if not (builds.spark_export / mart).exists()}
    assert not missing - NOT_YET_ON_SPARK, f"marts not built on Spark: {sorted(missing - NOT_YET_ON_SPARK)}"
    assert not NOT_YET_ON_SPARK - missing, (
        f"now built on Spark, remove from NOT_YET_ON_SPARK: {sorted(NOT_YET_ON_SPARK - missing)}"
    )
    compared = {mart: grain for mart, grain in grains.items() if mart not in missing}
    started = time.monotonic()
    diffs = [diff for diff in compare_marts(builds.duck_warehouse, builds.spark_export, compared) if diff]
    print(f"compared {len(compared)} marts in {time.monotonic() - started:.0f} s")
    assert not diffs, f"{len(diffs)} of {len(compared)} marts differ between DuckDB and Spark:\n" + "\n".join(
        diff.report() for diff in diffs
    )


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    return build_both(tmp_path_factory.mktemp("parity"), USERS)


@pytest.fixture(scope="module")
def on_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Builds, Cluster, dict]]:
    """The smaller sample built on a standalone cluster, with the master's status after the build."""
    folder = tmp_path_factory.mktemp("cluster")
    with standalone_cluster(folder / "cluster") as cluster:
        builds = build_both(folder, CLUSTER_USERS, cluster.master_url)
        yield builds, cluster, cluster.status()


def test_rule_cases_pass_on_both_engines(in_process: Builds) -> None:
    """The shared RFC 8259 cases (seed json_validity_cases) get the seed's verdict, and money
    divides to the hand-worked cents, on each engine."""
    passed = {test: "pass" for test in RULE_TESTS}
    assert in_process.rule_test_results == {"DuckDB": passed, "Spark": passed}


def test_marts_match_in_process(in_process: Builds) -> None:
    assert_marts_match(in_process)


def test_marts_match_on_standalone_cluster(on_cluster: tuple[Builds, Cluster, dict]) -> None:
    builds, cluster, status = on_cluster
    # The build's Spark applications ran on the cluster: the master lists them as completed, and
    # the worker kept a folder per executor it ran for them.
    applications = [app["id"] for app in status.get("completedapps", [])]
    assert applications, f"no application ran on the standalone cluster: {status}"
    executors = [path for app in applications for path in (cluster.folder / "work" / app).glob("*/stderr")]
    assert executors, f"the worker ran no executor for {applications}"
    passed = {test: "pass" for test in RULE_TESTS}
    assert builds.rule_test_results == {"DuckDB": passed, "Spark": passed}
    assert_marts_match(builds)
