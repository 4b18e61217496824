"""Helpers for the campaign tests: run plain dbt on a selection, as an engineer would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
sys.path.insert(0, str(PROJECT_DIR / "scripts"))
from stratalib.dbt_invoke import pii_key_path, restricted_path  # noqa: E402


def run_dbt(warehouse: Path, raw_dir: Path, *args: str, dbt_vars: dict | None = None) -> None:
    """`dbt ARGS` on the warehouse file with raw_dir (and dbt_vars); raise with the log tail on failure.
    Target and log paths are private, so concurrent runs in the project do not collide."""
    env = {**os.environ, "DO_NOT_TRACK": "1", "STRATA_WAREHOUSE": str(warehouse), "STRATA_TARGET": "dev",
           "STRATA_RESTRICTED": str(restricted_path(warehouse)), "STRATA_PII_KEY_FILE": str(pii_key_path(warehouse))}
    with tempfile.TemporaryDirectory() as scratch:
        completed = subprocess.run(
            [str(DBT), *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR / "profiles"),
             "--target-path", str(Path(scratch) / "target"), "--log-path", str(Path(scratch) / "logs"),
             "--vars", json.dumps({"raw_dir": str(raw_dir), **(dbt_vars or {})})],
            capture_output=True, text=True, cwd=PROJECT_DIR, env=env, timeout=1800,
        )
    if completed.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} exited {completed.returncode}\n{completed.stdout[-4000:]}")
