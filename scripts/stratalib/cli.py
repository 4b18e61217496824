"""strata: the one entry point of the warehouse (the `strata` command of the venv, see pyproject.toml).

    strata generate --out DIR [--users N] [--days D] [--start DATE] [--seed S] [--bad-rate R]
    strata build [--raw-dir DIR] [--as-of DATE] [--timezone TZ] [--warehouse FILE] [--full-refresh]
                 [--skip-unit-tests]
    strata backfill --from DATE --to DATE [--every month|week|day] [--raw-dir DIR] [--warehouse FILE]
                    [--skip-unit-tests]
    strata docs [--warehouse FILE] [--serve [--port N]]
    strata export-audience NAME [--date DATE] --out FILE.csv [--force] [--warehouse FILE]
    strata check [--warehouse FILE] [--docs-dir DIR]
    strata publish [--warehouse FILE]
    strata export-marts --out DIR [--warehouse FILE]
    strata report [--lang en|zh] [--out DIR] [--warehouse FILE]
    strata metrics [--warehouse FILE] MF_COMMAND [MF_OPTIONS]   (MetricFlow's mf, e.g. query --metrics revenue)
    strata bench [--sizes 10000,200000] [--days D] [--peers duckdb,polars,chdb] [--steps core,builds]
                 [--out DIR] [--work DIR] [--keep]

Exit codes: 0 ok, 1 checks failed (a dbt test or a data check), 2 usage, input or runtime error
(one line on stderr, "strata <command>: <message>", never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import NoReturn

from stratalib.dbt_invoke import (
    DEFAULT_WAREHOUSE,
    DbtOutcome,
    EXIT_CHECKS_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    PROJECT_DIR,
    close_dbt_connections,
    dbt_target_dir,
    parse_project,
    prepare_environment,
    run_dbt,
)
from stratalib.publish import ContactDataError, PublishError, export_marts, publish
from stratalib.raw_files import RawInputError, default_raw_dir, detect_raw_formats
from stratalib.snapshots import EVERY, snapshot_dates
from stratalib.warehouse import WarehouseError, nearest_existing, reading, writing

DEFAULT_RAW_DIR = default_raw_dir(PROJECT_DIR)
# --load-time formats accepted; dbt gets the first (DuckDB and Spark both cast it to a timestamp).
LOAD_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
SKIP_UNIT_TESTS_HELP = (
    "build and run the data tests but not dbt's unit tests (they check the models' logic on fixed fixtures, "
    "the same whatever the raw data: one run of them per code change is enough, e.g. make test's)"
)


class UsageError(Exception):
    """Bad arguments or input: reported in one line, exit code 2."""


def parse_date(text: str) -> date:
    """argparse type for YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from error


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line ("strata build: argument --as-of: ..."),
    exit 2, like every other error of the runner (argparse's own prints the usage block first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="strata", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a synthetic raw export with planted answers")
    generate.add_argument("--out", type=Path, required=True, help="folder to write the six raw tables into")
    generate.add_argument("--users", type=int, default=10_000)
    generate.add_argument("--days", type=int, default=365)
    generate.add_argument("--start", type=parse_date, default=date(2024, 1, 1))
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--bad-rate", type=float, default=0.01, help="share of bad rows of each kind")
    generate.add_argument("--quiet", action="store_true", help="no progress bar")

    build = commands.add_parser("build", help="build and test the warehouse from a raw folder")
    build.add_argument("--raw-dir", type=Path, default=DEFAULT_RAW_DIR)
    build.add_argument("--as-of", type=parse_date, help="the day the marts describe (default: latest valid order)")
    build.add_argument("--timezone", help="reporting time zone, e.g. Asia/Shanghai (default UTC)")
    build.add_argument("--load-time", help="UTC 'YYYY-MM-DD HH:MM:SS' treated as now (default: run start)")
    build.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    build.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    build.add_argument("--skip-unit-tests", action="store_true", help=SKIP_UNIT_TESTS_HELP)

    backfill = commands.add_parser(
        "backfill", help="build past layer snapshots into user_layer_history, then the current one"
    )
    backfill.add_argument("--from", dest="start", type=parse_date, required=True, help="first snapshot date")
    backfill.add_argument("--to", dest="end", type=parse_date, required=True, help="last snapshot date")
    backfill.add_argument("--every", choices=EVERY, default="month")
    backfill.add_argument("--raw-dir", type=Path, default=DEFAULT_RAW_DIR)
    backfill.add_argument("--timezone", help="reporting time zone, e.g. Asia/Shanghai (default UTC)")
    backfill.add_argument("--load-time", help="UTC 'YYYY-MM-DD HH:MM:SS' treated as now (default: run start)")
    backfill.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    backfill.add_argument("--skip-unit-tests", action="store_true", help=SKIP_UNIT_TESTS_HELP)

    docs = commands.add_parser(
        "docs", help="write the lineage and column docs into target/ (static_index.html opens from disk)"
    )
    docs.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    docs.add_argument("--serve", action="store_true", help="then serve them on 127.0.0.1 until Ctrl-C")
    docs.add_argument("--port", type=int, default=8080, help="port for --serve (default 8080)")

    check = commands.add_parser("check", help="run the Great Expectations suites of expectations/ on the marts")
    check.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    check.add_argument("--docs-dir", type=Path, help="where to write the data docs (default: target/ge_docs)")

    export = commands.add_parser(
        "export-audience", help="write an audience's treatment group (user_id, channel, contact) to a CSV file"
    )
    export.add_argument("audience", metavar="NAME", help="audience_name of seeds/audiences.csv")
    export.add_argument("--date", type=parse_date, help="audience date (default: the latest built)")
    export.add_argument("--out", type=Path, required=True, help="CSV file to write (mode 0600)")
    export.add_argument("--force", action="store_true", help="replace --out if it exists")
    export.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)

    publish_command = commands.add_parser(
        "publish", help="write the marts and seeds into analytics.duckdb beside the warehouse (build does it too)"
    )
    publish_command.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)

    export_marts_command = commands.add_parser(
        "export-marts", help="write every relation of the published file as Parquet: DIR/<schema>/<relation>.parquet"
    )
    export_marts_command.add_argument("--out", type=Path, required=True, help="folder to write the Parquet files into")
    export_marts_command.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)

    report_command = commands.add_parser(
        "report", help="write the visual report, one HTML file that opens offline: DIR/report.<lang>.html"
    )
    report_command.add_argument(
        "--lang", default="en", help="language of the titles and names, a column of report_labels.csv (en, zh)"
    )
    report_command.add_argument("--out", type=Path, help="folder to write into (default: target/report)")
    report_command.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    metrics_command = commands.add_parser(
        "metrics",
        help="MetricFlow's mf command on the warehouse (semantic layer), e.g. metrics query --metrics revenue",
    )
    metrics_command.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    metrics_command.add_argument(
        "mf_arguments", nargs=argparse.REMAINDER, metavar="MF_COMMAND ...",
        help="the mf command and its options: query, list metrics, list dimensions --metrics M, validate-configs",
    )  # fmt: skip
    bench_command = commands.add_parser(
        "bench",
        help="time and measure a full build and a daily run per data size, and the four core results "
        "against hand-written DuckDB, polars and chDB (needs requirements-bench.lock: make bench)",
    )
    bench_command.add_argument(
        "--sizes", type=parse_sizes, default=",".join(str(size) for size in BENCH_SIZES),
        help="users to generate, comma-separated (default %(default)s; e.g. 10000,200000,1000000: the million "
        "takes an hour or more and most of 24 GB of memory)",
    )
    bench_command.add_argument("--days", type=int, default=365, help="days of generated data (default 365)")
    bench_command.add_argument("--seed", type=int, default=42)
    bench_command.add_argument(
        "--peers", type=names_parser(BENCH_PEERS, "peers", allow_empty=True), default=",".join(BENCH_PEERS),
        help="the engines to compare, comma-separated (default %(default)s)",
    )
    bench_command.add_argument(
        "--steps", type=names_parser(BENCH_STEPS, "steps", allow_empty=False), default=",".join(BENCH_STEPS),
        help="what to run per size, comma-separated (default %(default)s): core (the four core results against "
        "the peers), builds (a full build, then the daily runs); at a million users each takes an hour or more",
    )
    bench_command.add_argument(
        "--daily-runs", type=positive_int, default=1,
        help="daily runs after the full build, a day of the export each (default %(default)s): the first after a "
        "full build is one case, the mornings after it another",
    )
    bench_command.add_argument("--out", type=Path, help="folder for bench.json and bench.md (default target/bench)")
    bench_command.add_argument("--work", type=Path, help="folder for the data and warehouses (default: temporary)")
    bench_command.add_argument(
        "--keep", action="store_true", help="keep the data and warehouses (always kept with --work)"
    )
    bench_command.add_argument(
        "--with-unit-tests", action="store_true",
        help="run dbt's unit tests in the builds too (they do not read the data: by default they are skipped)",
    )
    return parser


# strata bench's defaults (kept here so --help needs no import of the bench's engines).
BENCH_SIZES = (10_000, 200_000)
BENCH_PEERS = ("duckdb", "polars", "chdb")
BENCH_STEPS = ("core", "builds")


def parse_sizes(text: str) -> list[int]:
    """argparse type for --sizes: positive whole numbers, comma-separated."""
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of user counts: {text}") from error
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of user counts: {text}")
    return sizes


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of at least 1: {text!r}")
    return int(text)


def names_parser(allowed: Sequence[str], what: str, allow_empty: bool) -> Callable[[str], list[str]]:
    """An argparse type: names from `allowed`, comma-separated; an empty list only when allow_empty."""

    def parse(text: str) -> list[str]:
        names = [part.strip() for part in text.split(",") if part.strip()]
        if any(name not in allowed for name in names) or not (names or allow_empty):
            raise argparse.ArgumentTypeError(f"not a comma-separated list of {what}: {text!r} (choose from "
                                             f"{', '.join(allowed)})")  # fmt: skip
        return names

    return parse


def check_output_folder(out: Path) -> None:
    """Stop with a usage error when `out` cannot be a folder (it, or a parent, is a file)."""
    folder = nearest_existing(out)
    if folder.is_dir():
        return
    if folder == out:
        raise UsageError(f"--out {out} is a file; give a folder")
    raise UsageError(f"--out {out} cannot be created: {folder} is a file, not a folder")


def command_generate(args: argparse.Namespace) -> int:
    from stratalib.generate import generate

    check_output_folder(args.out)
    try:
        truth = generate(
            args.out.resolve(),
            users=args.users,
            days=args.days,
            start=args.start,
            seed=args.seed,
            bad_rate=args.bad_rate,
            progress=not args.quiet,
        )
    except ValueError as error:
        raise UsageError(str(error)) from error
    except OSError as error:
        raise UsageError(f"cannot write {args.out}: {error.strerror or error}") from error
    print(f"wrote {sum(truth['rows_written'].values()):,} rows to {args.out} (ground truth in ground_truth.json)")
    return EXIT_OK


def check_timezone(name: str) -> str:
    """The --timezone value if it is an IANA zone; a usage error naming it otherwise.

    dbt would take any text and fail 60 models later on the first date conversion, without saying
    which option was wrong.
    """
    from zoneinfo import ZoneInfo

    if name == "UTC":
        return name
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError) as error:  # not found, malformed key, a tzdata folder
        raise UsageError(f"--timezone {name!r} is not an IANA time zone (e.g. UTC, Asia/Shanghai)") from error
    return name


def normalise_load_time(text: str) -> str:
    """The --load-time value as 'YYYY-MM-DD HH:MM:SS' (a 'T' separator is accepted), or a usage error."""
    for layout in LOAD_TIME_FORMATS:
        try:
            return datetime.strptime(text, layout).strftime(LOAD_TIME_FORMATS[0])
        except ValueError:
            continue
    raise UsageError(f"--load-time {text!r} is not a UTC time 'YYYY-MM-DD HH:MM:SS'")


def option_vars(args: argparse.Namespace) -> dict[str, object]:
    """The dbt vars of --as-of, --timezone and --load-time, each checked before dbt starts."""
    dbt_vars: dict[str, object] = {}
    if getattr(args, "as_of", None):
        dbt_vars["as_of_date"] = args.as_of.isoformat()
    if args.timezone:
        dbt_vars["reporting_timezone"] = check_timezone(args.timezone)
    if args.load_time:
        dbt_vars["load_time"] = normalise_load_time(args.load_time)
    return dbt_vars


def prepare_build(args: argparse.Namespace) -> dict[str, object]:
    """Check the options and the raw folder; return the dbt vars. Runs before dbt starts."""
    dbt_vars = option_vars(args)
    raw_dir = args.raw_dir.resolve()
    try:
        detect_raw_formats(raw_dir)
    except RawInputError as error:
        raise UsageError(str(error)) from error
    return {"raw_dir": str(raw_dir), **dbt_vars}


@contextmanager
def warehouse_for_writing(path: Path) -> Iterator[Path]:
    """Check the --warehouse path, take the exclusive run lock and point dbt at the file for the
    whole block (build, backfill, docs); every problem is a one-line usage error before dbt starts."""
    warehouse = path.resolve()
    try:
        with writing(warehouse):
            prepare_environment(warehouse)
            yield warehouse
    except WarehouseError as error:
        raise UsageError(str(error)) from error


@contextmanager
def warehouse_for_reading(path: Path) -> Iterator[Path]:
    """Check that the --warehouse file exists and is a DuckDB file nobody writes, and hold the
    shared run lock for the block (check, export-audience), so no build starts meanwhile."""
    warehouse = path.resolve()
    try:
        with reading(warehouse):
            yield warehouse
    except WarehouseError as error:
        raise UsageError(str(error)) from error


def report(command: str, outcome: DbtOutcome) -> int:
    if outcome.exit_code != EXIT_OK:
        print(f"strata {command}: {outcome.message}", file=sys.stderr)
    return outcome.exit_code


def dbt_build_command(args: argparse.Namespace, selector: str | None = None) -> list[str]:
    """`dbt build` (of a selector of selectors.yml, if given), without the unit tests when
    --skip-unit-tests, --as-of or --timezone is set.

    Unit tests check each model on hand-worked fixtures under the default settings (UTC, as-of
    from the data); a run with another time zone or as-of date would feed them that setting and
    fail them although the models are right. `make test` runs them under the defaults. They do
    not read the raw data, so a run that only needs the warehouse (a test fixture, a rebuild of
    the same code) can skip them with --skip-unit-tests.
    """
    command = ["build"]
    if selector:
        command += ["--selector", selector]
    if getattr(args, "full_refresh", False):
        command.append("--full-refresh")
    if getattr(args, "skip_unit_tests", False) or getattr(args, "as_of", None) or args.timezone:
        command += ["--exclude-resource-type", "unit_test"]
    return command


def publish_outcome(warehouse: Path) -> DbtOutcome:
    """Publish the warehouse (stratalib.publish); clear contact data in it is a failed check (exit 1)."""
    try:
        published = publish(warehouse)
    except ContactDataError as error:
        return DbtOutcome(EXIT_CHECKS_FAILED, str(error))
    except PublishError as error:
        return DbtOutcome(EXIT_USAGE, str(error))
    followed = "" if published.events_written is None else f" ({published.events_written:,} events of fct_events written again)"
    print(f"published {published.relations} relations to {published.path}{followed}", flush=True)
    return DbtOutcome(EXIT_OK)


def publish_if_passed(outcome: DbtOutcome, warehouse: Path) -> DbtOutcome:
    """After a build's last dbt run: publish only when it passed (every test too), so a failed
    build leaves the last good published file. Runs under the build's exclusive lock, after dbt
    has let go of the file."""
    if outcome.exit_code != EXIT_OK:
        return outcome
    close_dbt_connections()
    return publish_outcome(warehouse)


def command_build(args: argparse.Namespace) -> int:
    dbt_vars = prepare_build(args)
    with warehouse_for_writing(args.warehouse) as warehouse:
        return report("build", publish_if_passed(run_dbt(dbt_build_command(args), dbt_vars), warehouse))


# Models that depend on the as-of date and feed the layer or tag history: all a past snapshot needs.
SNAPSHOT_SELECTION = ["int_as_of_date+,+user_layer_history", "int_as_of_date+,+user_tag_history"]


def command_backfill(args: argparse.Namespace) -> int:
    try:
        dates = snapshot_dates(args.start, args.end, args.every)
    except ValueError as error:
        raise UsageError(str(error)) from error
    dbt_vars = prepare_build(args)
    with warehouse_for_writing(args.warehouse) as warehouse:
        return run_backfill(args, dates, dbt_vars, warehouse)


def run_backfill(args: argparse.Namespace, dates: list[date], dbt_vars: dict[str, object], warehouse: Path) -> int:
    """The backfill's dbt runs: snapshot inputs once, each snapshot date, then the rest.

    The project is parsed once and the runs before the last reuse that manifest (see
    parse_project); the last run parses again, which is quick (dbt's partial parsing: same vars as
    the first parse) and writes the full set of artifacts (manifest.json, run_results.json)."""
    outcome, manifest = parse_project(dbt_vars)
    if outcome.exit_code != EXIT_OK:
        return report("backfill", outcome)
    # Once: what the snapshots read and no as-of date changes (seeds, staging, core marts).
    outcome = run_dbt(dbt_build_command(args, "snapshot_inputs"), dbt_vars, manifest)
    if outcome.exit_code != EXIT_OK:
        return report("backfill", outcome)
    for snapshot in dates:
        print(f"strata backfill: snapshot {snapshot} ({dates.index(snapshot) + 1} of {len(dates)})", flush=True)
        snapshot_vars = {**dbt_vars, "as_of_date": snapshot.isoformat()}
        outcome = run_dbt(["run", "--select", *SNAPSHOT_SELECTION], snapshot_vars, manifest)
        if outcome.exit_code != EXIT_OK:
            return report("backfill", outcome)
    # The rest at the current as-of date: the marts describe it again, and every other test runs,
    # over every snapshot: the snapshot runs above test nothing, and a test scoped to the last
    # run (var scope_tests_to_last_run) would see only the current snapshot.
    print("strata backfill: building the current snapshot and the other marts", flush=True)
    every_snapshot = {**dbt_vars, "scope_tests_to_last_run": False}
    outcome = run_dbt(dbt_build_command(args, "after_snapshots"), every_snapshot)
    return report("backfill", publish_if_passed(outcome, warehouse))


def command_docs(args: argparse.Namespace) -> int:
    """dbt docs generate --static: target/index.html (served) and target/static_index.html (one
    file with the manifest and catalog inside, opens from disk). --serve then serves target/ on
    127.0.0.1 without the warehouse lock, until Ctrl-C."""
    with warehouse_for_writing(args.warehouse):
        exit_code = report("docs", run_dbt(["docs", "generate", "--static"]))
    if exit_code != EXIT_OK or not args.serve:
        return exit_code
    from stratalib.docs_server import DocsServerError, serve_docs

    try:
        serve_docs(dbt_target_dir(), args.port)
    except DocsServerError as error:
        raise UsageError(str(error)) from error
    return EXIT_OK


def command_check(args: argparse.Namespace) -> int:
    from stratalib.checks import DEFAULT_DOCS_DIR, run_checks

    with warehouse_for_reading(args.warehouse) as warehouse:
        result = run_checks(warehouse, (args.docs_dir or DEFAULT_DOCS_DIR).resolve())
    for note in result.notes:
        print(f"note: {note}")
    for failure in result.failures:
        print(failure.line())
    print(f"strata check: {result.expectations_run} expectations, {len(result.failures)} failed; data docs in {result.docs_index}")
    return EXIT_CHECKS_FAILED if result.failures else EXIT_OK


def command_export_audience(args: argparse.Namespace) -> int:
    from stratalib.export import ExportError, export_audience

    try:
        with warehouse_for_reading(args.warehouse) as warehouse:
            result = export_audience(warehouse, args.audience, args.out, args.date, force=args.force)
    except ExportError as error:
        raise UsageError(str(error)) from error
    print(f"wrote {result.written:,} contacts of audience {args.audience} for {result.audience_date} to {args.out}")
    print(f"left out {result.withdrawn:,} contacts of users who have since withdrawn consent or lost the contact")
    return EXIT_OK


def command_publish(args: argparse.Namespace) -> int:
    """Publish on its own under the shared run lock: it only reads the warehouse, so it runs beside
    check and export-audience but never during a build; two publishes write their own temporary
    files and the last rename wins, with the same content (no build can run between them)."""
    with warehouse_for_reading(args.warehouse) as warehouse:
        return report("publish", publish_outcome(warehouse))


def command_export_marts(args: argparse.Namespace) -> int:
    """No run lock: it reads only the published file, which a build replaces but never writes in place."""
    check_output_folder(args.out)
    try:
        written = export_marts(args.warehouse.resolve(), args.out)
    except ContactDataError as error:
        print(f"strata export-marts: {error}", file=sys.stderr)
        return EXIT_CHECKS_FAILED
    except PublishError as error:
        raise UsageError(str(error)) from error
    print(f"wrote {len(written)} Parquet files to {args.out}")
    return EXIT_OK


def command_report(args: argparse.Namespace) -> int:
    """No run lock: like export-marts it reads only the published file, which a build replaces
    but never writes in place."""
    from stratalib.report import DEFAULT_OUT_DIR, ReportError, write_report

    out = args.out or DEFAULT_OUT_DIR
    check_output_folder(out)
    try:
        written = write_report(args.warehouse.resolve(), args.lang, out)
    except ReportError as error:
        raise UsageError(str(error)) from error
    print(f"wrote {written}")
    return EXIT_OK


def command_metrics(args: argparse.Namespace) -> int:
    """MetricFlow's `mf` (stratalib.metrics) under the shared run lock: it reads, so no build runs
    meanwhile (it opens the file through dbt's adapter, so one mf at a time)."""
    from stratalib.metrics import metrics

    with warehouse_for_reading(args.warehouse) as warehouse:
        return report("metrics", metrics(warehouse, args.mf_arguments))


def missing_peer_engines(peers: list[str], steps: list[str]) -> list[str]:
    """The peers the bench would run whose engine is not installed. The engines besides DuckDB come
    from requirements-bench.lock, not requirements.lock; only the core step runs the peers, so the
    builds alone need none of them."""
    import importlib.util

    if "core" not in steps:
        return []
    return [peer for peer in peers if peer != "duckdb" and importlib.util.find_spec(peer) is None]


def command_bench(args: argparse.Namespace) -> int:
    """strata bench (stratalib.bench.run): the Markdown table printed and written with the JSON;
    exit 1 when a peer's answers differ from strata's."""
    missing = missing_peer_engines(args.peers, args.steps)
    if missing:
        raise UsageError(
            f"{' and '.join(missing)} not installed: run make bench (installs requirements-bench.lock), "
            "or leave them out with --peers"
        )
    from stratalib.bench.run import DEFAULT_OUT, BenchError, BenchOptions, all_agree, markdown, run_bench

    out = (args.out or DEFAULT_OUT).resolve()
    check_output_folder(out)
    options = BenchOptions(
        sizes=args.sizes, days=args.days, seed=args.seed, work=args.work.resolve() if args.work else None,
        keep=args.keep or args.work is not None, out=out, peers=tuple(args.peers), steps=tuple(args.steps),
        skip_unit_tests=not args.with_unit_tests, daily_runs=args.daily_runs,
        progress=lambda line: print(line, flush=True),
    )  # fmt: skip
    try:
        report = run_bench(options)
    except BenchError as error:
        raise UsageError(str(error)) from error
    print(markdown(report))
    print(f"wrote {out / 'bench.json'} and {out / 'bench.md'}")
    if not all_agree(report):
        print("strata bench: a peer's answers differ from strata's (see the table)", file=sys.stderr)
        return EXIT_CHECKS_FAILED
    return EXIT_OK


COMMANDS = {
    "generate": command_generate,
    "build": command_build,
    "backfill": command_backfill,
    "docs": command_docs,
    "check": command_check,
    "export-audience": command_export_audience,
    "publish": command_publish,
    "export-marts": command_export_marts,
    "report": command_report,
    "metrics": command_metrics,
    "bench": command_bench,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as error:
        print(f"strata {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:  # the last net for a runtime error no command foresaw: one line, no traceback
        print(f"strata {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE


def run() -> None:
    """The console script `strata` (pyproject.toml): main() with the process's arguments."""
    sys.exit(main())


if __name__ == "__main__":
    run()
