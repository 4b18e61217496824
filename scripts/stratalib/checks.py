"""`strata check`: Great Expectations suites on the marts, adding to the dbt tests.

Each suite is a JSON file in `expectations/` (one per mart, plus `row_counts.json`):

    suite          name of the suite (and of its page in the data docs)
    mart           the table in schema marts it reads; a mart not built yet is skipped with a note
    query          optional SQL giving the frame to validate, `{relation}` standing for the mart
                   (default: the whole mart)
    source         "row_counts" instead of mart/query: one row per mart with its row count now and
                   at the previous check (kept in `<warehouse>.check_state.json`)
    index_columns  columns that identify a failing row in the report
    parameters     named thresholds, used in expectations as {"$PARAMETER": "<name>"} and in the
                   query as {<name>}; a value {"$VAR": "<var>"} is the dbt var of dbt_project.yml,
                   so a threshold the dbt tests share is written once
    expectations   [{"type": "expect_...", "kwargs": {...}, "only_if": {"sql": ..., "otherwise": ...}}]
                   `only_if`: SQL returning one boolean; when false the expectation is skipped and
                   `otherwise` is printed as a note

Frames are read from the warehouse opened read-only into pandas (the SQL route through
duckdb-engine does not work with Great Expectations), validated in an ephemeral context, and the
results written as HTML data docs that open offline (stratalib.offline_docs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stratalib.dbt_invoke import PROJECT_DIR, project_vars
from stratalib.fingerprint import MARTS_SCHEMA, quote_identifier, table_columns
from stratalib.offline_docs import MissingAssetsError, localize_data_docs

EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
DEFAULT_DOCS_DIR = PROJECT_DIR / "target" / "ge_docs"
ROW_COUNTS_SOURCE = "row_counts"


@dataclass(frozen=True)
class SuiteSpec:
    """One suite as written in expectations/<name>.json."""

    name: str
    description: str
    mart: str | None
    query: str | None
    source: str | None
    index_columns: list[str]
    parameters: dict[str, Any]
    expectations: list[dict[str, Any]]

    @classmethod
    def from_file(cls, path: Path) -> SuiteSpec:
        spec = json.loads(path.read_text())
        return cls(
            name=spec["suite"],
            description=spec.get("description", ""),
            mart=spec.get("mart"),
            query=spec.get("query"),
            source=spec.get("source"),
            index_columns=spec.get("index_columns", []),
            parameters={name: resolve_parameter(value) for name, value in spec.get("parameters", {}).items()},
            expectations=spec["expectations"],
        )


def resolve_parameter(value: Any) -> Any:
    """A suite parameter's value: {"$VAR": name} is that var of dbt_project.yml, else the value."""
    if isinstance(value, dict) and "$VAR" in value:
        return project_vars()[value["$VAR"]]
    return value


@dataclass(frozen=True)
class Failure:
    """A failed expectation, printed as one line."""

    suite: str
    expectation: str
    column: str
    observed: str

    def line(self) -> str:
        return f"FAILED {self.suite}: {self.expectation} on {self.column}: observed {self.observed}"


@dataclass
class CheckReport:
    """What a check found: failed expectations, notes (skips), and where the docs are."""

    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    expectations_run: int = 0
    docs_index: Path | None = None


@dataclass
class PreparedSuite:
    """A suite with its frame and the expectations that apply to it."""

    spec: SuiteSpec
    frame: Any  # pandas.DataFrame
    expectations: list[dict[str, Any]]


def load_suites(folder: Path = EXPECTATIONS_DIR) -> list[SuiteSpec]:
    return [SuiteSpec.from_file(path) for path in sorted(folder.glob("*.json"))]


def state_path(warehouse: Path) -> Path:
    """Where the previous check's row counts of this warehouse are kept."""
    return warehouse.with_name(f"{warehouse.stem}.check_state.json")


def read_previous_row_counts(warehouse: Path) -> dict[str, int] | None:
    path = state_path(warehouse)
    if not path.exists():
        return None
    return json.loads(path.read_text())["row_counts"]


def write_row_counts(warehouse: Path, row_counts: dict[str, int]) -> None:
    state_path(warehouse).write_text(json.dumps({"row_counts": row_counts}, indent=2, sort_keys=True) + "\n")


def mart_row_counts(connection: Any) -> dict[str, int]:
    """Row count of every table and view in schema marts (fct_orders and fct_events are views)."""
    return {
        table: connection.execute(f"select count(*) from {MARTS_SCHEMA}.{quote_identifier(table)}").fetchone()[0]
        for table in table_columns(connection, MARTS_SCHEMA, views=True)
    }


def row_count_frame(row_counts: dict[str, int], previous: dict[str, int]) -> Any:
    """One row per mart counted both times with a non-empty previous count: the ratio now / before."""
    import pandas as pd

    rows = [
        {
            "mart": mart,
            "row_count": count,
            "previous_row_count": previous[mart],
            "row_count_ratio": count / previous[mart],
        }
        for mart, count in sorted(row_counts.items())
        if previous.get(mart)
    ]
    return pd.DataFrame(rows, columns=["mart", "row_count", "previous_row_count", "row_count_ratio"])


def prepare_suites(
    connection: Any, specs: list[SuiteSpec], row_counts: dict[str, int], previous: dict[str, int] | None
) -> tuple[list[PreparedSuite], list[str]]:
    """Read each suite's frame and evaluate its only_if conditions; return the suites and notes."""
    prepared, notes = [], []
    for spec in specs:
        if spec.source == ROW_COUNTS_SOURCE:
            if previous is None:
                notes.append(f"{spec.name}: first check of this warehouse, no previous row counts to compare")
                continue
            prepared.append(PreparedSuite(spec, row_count_frame(row_counts, previous), spec.expectations))
            continue
        if spec.mart not in row_counts:
            notes.append(f"{spec.name}: skipped, mart {MARTS_SCHEMA}.{spec.mart} does not exist (yet)")
            continue
        relation = f"{MARTS_SCHEMA}.{quote_identifier(spec.mart)}"
        query = (spec.query or "select * from {relation}").format(relation=relation, **spec.parameters)
        expectations = []
        for expectation in spec.expectations:
            condition = expectation.get("only_if")
            if condition and not connection.execute(condition["sql"].format(relation=relation)).fetchone()[0]:
                column = expectation["kwargs"].get("column", "")
                notes.append(f"{spec.name}: {expectation['type']} on {column} skipped: {condition['otherwise']}")
                continue
            expectations.append(expectation)
        prepared.append(PreparedSuite(spec, connection.execute(query).df(), expectations))
    return prepared, notes


def describe_observed(result: dict[str, Any]) -> str:
    """The observed value of an aggregate expectation, or the unexpected rows of a row-wise one."""
    if "observed_value" in result:
        return str(result["observed_value"])
    count = result.get("unexpected_count", 0)
    examples = result.get("partial_unexpected_index_list") or result.get("partial_unexpected_list") or []
    shown = "; ".join(
        ", ".join(f"{key}={value}" for key, value in example.items()) if isinstance(example, dict) else str(example)
        for example in examples[:3]
    )
    total = result.get("element_count")
    return f"{count} of {total} rows unexpected" + (f", e.g. {shown}" if shown else "")


def failures_of(suite: str, validation: Any) -> list[Failure]:
    """The failed expectations of one suite's validation result."""
    failures = []
    for expectation_result in validation.results:
        if expectation_result.success:
            continue
        config = expectation_result.expectation_config
        column = config.kwargs.get("column", "(table)")
        exception = expectation_result.exception_info or {}
        if exception.get("raised_exception"):
            observed = "error: " + str(exception.get("exception_message", "")).splitlines()[0]
        else:
            observed = describe_observed(expectation_result.result)
        failures.append(Failure(suite, config.type, column, observed))
    return failures


def run_suites(prepared: list[PreparedSuite], docs_dir: Path) -> tuple[list[Failure], int, Path]:
    """Validate every prepared suite in an ephemeral GX context and write the data docs."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name="strata",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    source = context.data_sources.add_pandas("strata_marts")
    failures: list[Failure] = []
    expectations_run = 0
    for suite_input in prepared:
        spec = suite_input.spec
        suite = context.suites.add(
            gx.ExpectationSuite(
                name=spec.name,
                expectations=[
                    ExpectationConfiguration(type=item["type"], kwargs=item["kwargs"]).to_domain_obj()
                    for item in suite_input.expectations
                ],
                meta={"description": spec.description},
            )
        )
        batch = source.add_dataframe_asset(spec.name).add_batch_definition_whole_dataframe(spec.name)
        validation = context.validation_definitions.add(gx.ValidationDefinition(name=spec.name, data=batch, suite=suite))
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=spec.name,
                validation_definitions=[validation],
                result_format={"result_format": "SUMMARY", "unexpected_index_column_names": spec.index_columns},
            )
        )
        result = checkpoint.run(
            batch_parameters={"dataframe": suite_input.frame}, expectation_parameters=spec.parameters
        )
        for validation_result in result.run_results.values():
            failures += failures_of(spec.name, validation_result)
        expectations_run += len(suite_input.expectations)
    context.build_data_docs(site_names=["strata"])
    return failures, expectations_run, docs_dir / "index.html"


def offline_notes(docs_dir: Path) -> list[str]:
    """Point the data docs at local copies of their scripts; a note for what still needs a network."""
    try:
        remaining = localize_data_docs(docs_dir)
    except MissingAssetsError as error:
        return [str(error)]
    return [f"data docs still load {url}" for url in remaining]


def run_checks(warehouse: Path, docs_dir: Path = DEFAULT_DOCS_DIR, suites_dir: Path = EXPECTATIONS_DIR) -> CheckReport:
    """Run every suite on the warehouse; keep its row counts for the next check when they pass."""
    import duckdb

    specs = load_suites(suites_dir)
    previous = read_previous_row_counts(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        row_counts = mart_row_counts(connection)
        prepared, notes = prepare_suites(connection, specs, row_counts, previous)
    failures, expectations_run, docs_index = run_suites(prepared, docs_dir)
    notes += offline_notes(docs_dir)
    # A flagged change stays flagged until the counts are accepted (by deleting the state file).
    row_count_suites = {spec.name for spec in specs if spec.source == ROW_COUNTS_SOURCE}
    if not any(failure.suite in row_count_suites for failure in failures):
        write_row_counts(warehouse, row_counts)
    return CheckReport(failures, notes, expectations_run, docs_index)
