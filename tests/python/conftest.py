"""Shared fixtures: run the strata runner as a user would, on generated or hand-made raw data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
RUNNER = PROJECT_DIR / "scripts" / "strata.py"
sys.path.insert(0, str(PROJECT_DIR / "scripts"))  # the runner's own modules (stratalib)

from stratalib.dbt_invoke import pii_key_path, restricted_path  # noqa: E402


def run_strata(
    *args: str | Path, check: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python scripts/strata.py ARGS` in a subprocess and capture its output; `env` adds to
    (or overrides) the environment."""
    completed = subprocess.run(
        [sys.executable, str(RUNNER), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        timeout=1800,
        env={**os.environ, **env} if env else None,
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            f"strata {args[0]} exited {completed.returncode}\n{completed.stdout[-4000:]}\n{completed.stderr[-2000:]}"
        )
    return completed


def copy_warehouse(warehouse: Path, folder: Path) -> Path:
    """A copy of a built warehouse in `folder`, with its restricted file and its pseudonym key (a
    copy without the key would get a new one, and new hashes, on its next build)."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in (warehouse, restricted_path(warehouse), pii_key_path(warehouse)):
        if source.exists():
            shutil.copy2(source, folder / source.name)
    return folder / warehouse.name


def query(warehouse: Path, sql: str) -> list[tuple]:
    """Rows of a query on the warehouse file, opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql(sql).fetchall()


@dataclass
class BuiltSample:
    """A generated raw export with its ground truth, built into a warehouse."""

    raw_dir: Path
    warehouse: Path
    truth: dict


@pytest.fixture(scope="session")
def dirty_sample(tmp_path_factory: pytest.TempPathFactory) -> BuiltSample:
    """2,000 generated users with 2% of every kind of bad row, built once per test session."""
    root = tmp_path_factory.mktemp("dirty_sample")
    raw_dir, warehouse = root / "raw", root / "strata.duckdb"
    run_strata("generate", "--out", raw_dir, "--users", 2000, "--seed", 7, "--bad-rate", 0.02, "--quiet", check=True)
    run_strata("build", "--raw-dir", raw_dir, "--warehouse", warehouse, check=True)
    truth = json.loads((raw_dir / "ground_truth.json").read_text())
    return BuiltSample(raw_dir, warehouse, truth)
