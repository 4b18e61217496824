"""`strata metrics`: MetricFlow's `mf` command on a warehouse file, with the project's profile set up.

The semantic models, metrics and saved queries are in the model yml (doc block semantic_metrics).
`mf` reads the dbt profile (profiles/profiles.yml, which takes the warehouse from environment
variables) and the semantic manifest that `dbt parse` writes to `<project>/target/` (MetricFlow's
CLI looks only there, whatever DBT_TARGET_PATH says). This module sets the variables, re-parses
when a yml file is newer than that manifest, and runs `mf` in-process:

    strata metrics [--warehouse FILE] query --metrics revenue --group-by metric_time__month
    strata metrics list metrics
"""

from __future__ import annotations

import os
from pathlib import Path

from stratalib.dbt_invoke import (
    EXIT_OK,
    EXIT_USAGE,
    PROFILES_DIR,
    PROJECT_DIR,
    DbtOutcome,
    first_line,
    prepare_environment,
)

SEMANTIC_MANIFEST = PROJECT_DIR / "target" / "semantic_manifest.json"
# What the semantic manifest is parsed from: the yml of the models and the project file.
DEFINITION_GLOBS = ("models/**/*.yml", "dbt_project.yml")


def manifest_is_stale(manifest: Path = SEMANTIC_MANIFEST) -> bool:
    """Whether the semantic manifest is missing or older than a yml file it is parsed from."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(path.stat().st_mtime > built for pattern in DEFINITION_GLOBS for path in PROJECT_DIR.glob(pattern))


def parse_semantic_manifest() -> DbtOutcome:
    """`dbt parse` into <project>/target/, where `mf` reads the semantic manifest."""
    from dbt.cli.main import dbtRunner  # slow import: only when dbt really runs

    result = dbtRunner().invoke(
        ["parse", "--quiet", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROFILES_DIR),
         "--target-path", str(SEMANTIC_MANIFEST.parent)]
    )  # fmt: skip
    if result.success:
        return DbtOutcome(EXIT_OK)
    return DbtOutcome(EXIT_USAGE, first_line(str(result.exception or "dbt parse failed")))


class _NoUpdateCheck:
    """Stands in for update_checker.UpdateChecker: `mf` would ask PyPI for a newer release on every
    start; the versions are pinned in requirements.lock, so the answer is never acted on."""

    def check(self, package_name: str, package_version: str) -> None:
        return None


def run_mf(arguments: list[str]) -> int:
    """Run the `mf` command line in this process; its exit code."""
    import dbt_metricflow.cli.main as mf_main

    mf_main.UpdateChecker = _NoUpdateCheck  # type: ignore[assignment, misc]
    try:
        mf_main.cli.main(args=arguments, prog_name="strata metrics", standalone_mode=True)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (EXIT_OK if exit_.code is None else EXIT_USAGE)
    return EXIT_OK


def metrics(warehouse: Path, arguments: list[str]) -> DbtOutcome:
    """`mf ARGUMENTS` on the warehouse file (the caller holds its run lock)."""
    prepare_environment(warehouse)
    os.environ["DBT_PROJECT_DIR"] = str(PROJECT_DIR)
    os.environ["DBT_PROFILES_DIR"] = str(PROFILES_DIR)
    if manifest_is_stale():
        outcome = parse_semantic_manifest()
        if outcome.exit_code != EXIT_OK:
            return outcome
    exit_code = run_mf(arguments or ["--help"])
    return DbtOutcome(exit_code, "" if exit_code == EXIT_OK else "mf failed (see its message above)")
