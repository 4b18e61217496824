"""Shared fixtures, built once per test session; the helpers they use are in helpers.py.

`make test` runs pytest with two pytest-xdist workers (`-n 2 --dist loadfile`: a module stays on
one worker, so its module fixtures are built once). Each worker has its own session: the shared
`dirty_sample` is built by the first worker that needs it, under a file lock, and the other one
reads the same files (tests open it read-only or work on a copy)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers import CHROMIUM, CHROMIUM_ARGS, SAMPLE_LOAD_TIME, BuiltSample, MakeFolder, browser_missing, run_strata

BUILD_LOG = "build.log"


def shared_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of the whole run: the session's own, or under pytest-xdist the one
    that holds every worker's."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def private_dbt_paths(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """dbt's target and log folders of the runs this session starts, per worker (DBT_TARGET_PATH,
    DBT_LOG_PATH): two concurrent builds never write the same target/ (or the project's own)."""
    folder = tmp_path_factory.mktemp("dbt")
    saved = {name: os.environ.get(name) for name in ("DBT_TARGET_PATH", "DBT_LOG_PATH")}
    os.environ["DBT_TARGET_PATH"], os.environ["DBT_LOG_PATH"] = str(folder / "target"), str(folder / "logs")
    yield folder
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def module_temp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeFolder]:
    """`tmp_path_factory.mktemp` for a module's fixtures, whose folders go when the module's tests
    end. With pytest's `tmp_path_retention_policy = "failed"` (pyproject.toml: a passed test's
    `tmp_path` goes when it ends), a run holds about two modules' files at a time, not the whole
    suite's 4 GB: a CI machine may have little disk."""
    made: list[Path] = []

    def make(name: str) -> Path:
        made.append(tmp_path_factory.mktemp(name))
        return made[-1]

    yield make
    for folder in made:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def dirty_sample(tmp_path_factory: pytest.TempPathFactory) -> BuiltSample:
    """2,000 generated users with 2% of every kind of bad row, built once per test run at the fixed
    SAMPLE_LOAD_TIME (so a rebuild of the same raw files must give the same warehouse).

    The one build of the run that includes dbt's unit tests (the others pass --skip-unit-tests):
    a failing unit test fails this fixture, with the node named in the message."""
    shared = shared_temp(tmp_path_factory)
    root = shared / "dirty_sample"
    raw_dir, warehouse = root / "raw", root / "strata.duckdb"
    with (shared / "dirty_sample.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (root / BUILD_LOG).exists():
            shutil.rmtree(root, ignore_errors=True)  # what a failed attempt of another worker left
            root.mkdir()
            run_strata(
                "generate", "--out", raw_dir, "--users", 2000, "--seed", 7, "--bad-rate", 0.02, "--quiet", check=True
            )
            # Its target/ and logs/ beside the warehouse, where test_personal_data looks for the key.
            dbt_paths = {"DBT_TARGET_PATH": str(root / "target"), "DBT_LOG_PATH": str(root / "logs")}
            built = run_strata(
                "build", "--raw-dir", raw_dir, "--warehouse", warehouse, "--load-time", SAMPLE_LOAD_TIME,
                check=True, env=dbt_paths,
            )  # fmt: skip
            (root / BUILD_LOG).write_text(built.stdout)
    truth = json.loads((raw_dir / "ground_truth.json").read_text())
    return BuiltSample(raw_dir, warehouse, truth, build_log=(root / BUILD_LOG).read_text())


# Snapshots of the backfilled sample: monthly, over this many days up to the sample's as-of date.
BACKFILL_DAYS = 160


@pytest.fixture(scope="session")
def backfilled_sample(dirty_sample: BuiltSample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's sample backfilled into a new warehouse (backfill needs no earlier build):
    monthly layer snapshots over the BACKFILL_DAYS days up to its as-of date, then the current
    build, at SAMPLE_LOAD_TIME. Built once per run under a file lock like dirty_sample; tests read
    it or work on a copy."""
    shared = shared_temp(tmp_path_factory)
    root = shared / "backfilled_sample"
    warehouse = root / "strata.duckdb"
    with (shared / "backfilled_sample.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / BUILD_LOG).exists():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            as_of = date.fromisoformat(dirty_sample.truth["default_as_of_date"])
            built = run_strata(
                "backfill", "--from", as_of - timedelta(days=BACKFILL_DAYS), "--to", as_of, "--every", "month",
                "--raw-dir", dirty_sample.raw_dir, "--warehouse", warehouse, "--skip-unit-tests",
                "--load-time", SAMPLE_LOAD_TIME, check=True,
                env={"DBT_TARGET_PATH": str(root / "target"), "DBT_LOG_PATH": str(root / "logs")},
            )  # fmt: skip
            (root / BUILD_LOG).write_text(built.stdout)
    return warehouse



@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian chromium driven by Playwright (a playwright.sync_api.Browser), one per test
    module; open pages with helpers.offline_page. Skipped when chromium or playwright is missing,
    except under CI=true, where that fails (scripts/setup_browser.sh installs chromium)."""
    missing = browser_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and no browser: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
