#!/usr/bin/env python3
"""strata: the one entry point of the warehouse.

    python scripts/strata.py generate --out DIR [--users N] [--days D] [--start DATE] [--seed S] [--bad-rate R]
    python scripts/strata.py build [--raw-dir DIR] [--as-of DATE] [--timezone TZ] [--warehouse FILE] [--full-refresh]
    python scripts/strata.py docs [--warehouse FILE]

Exit codes: 0 ok, 1 checks failed (a dbt test or a data check), 2 usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stratalib.dbt_invoke import (  # noqa: E402
    DEFAULT_WAREHOUSE,
    EXIT_OK,
    EXIT_USAGE,
    PROJECT_DIR,
    prepare_environment,
    run_dbt,
)
from stratalib.raw_files import RawInputError, detect_raw_formats  # noqa: E402
from stratalib.warehouse import WarehouseLockedError, ensure_unlocked  # noqa: E402

DEFAULT_RAW_DIR = PROJECT_DIR / "data" / "sample"


class UsageError(Exception):
    """Bad arguments or input: reported in one line, exit code 2."""


def parse_date(text: str) -> date:
    """argparse type for YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from error


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="strata", description=__doc__.splitlines()[0])
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

    docs = commands.add_parser("docs", help="write the lineage and column docs site into target/")
    docs.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    return parser


def command_generate(args: argparse.Namespace) -> int:
    from stratalib.generate import generate

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
    print(f"wrote {sum(truth['rows_written'].values()):,} rows to {args.out} (ground truth in ground_truth.json)")
    return EXIT_OK


def build_vars(args: argparse.Namespace, raw_dir: Path, formats: dict[str, str]) -> dict[str, object]:
    dbt_vars: dict[str, object] = {"raw_dir": str(raw_dir), "raw_formats": formats}
    if args.as_of:
        dbt_vars["as_of_date"] = args.as_of.isoformat()
    if args.timezone:
        dbt_vars["reporting_timezone"] = args.timezone
    if args.load_time:
        dbt_vars["load_time"] = args.load_time
    return dbt_vars


def command_build(args: argparse.Namespace) -> int:
    raw_dir = args.raw_dir.resolve()
    warehouse = args.warehouse.resolve()
    try:
        formats = detect_raw_formats(raw_dir)
        ensure_unlocked(warehouse)
    except (RawInputError, WarehouseLockedError) as error:
        raise UsageError(str(error)) from error
    prepare_environment(warehouse)
    command = ["build", "--full-refresh"] if args.full_refresh else ["build"]
    outcome = run_dbt(command, build_vars(args, raw_dir, formats))
    if outcome.exit_code != EXIT_OK:
        print(f"strata build: {outcome.message}", file=sys.stderr)
    return outcome.exit_code


def command_docs(args: argparse.Namespace) -> int:
    warehouse = args.warehouse.resolve()
    try:
        ensure_unlocked(warehouse)
    except WarehouseLockedError as error:
        raise UsageError(str(error)) from error
    prepare_environment(warehouse)
    outcome = run_dbt(["docs", "generate"])
    if outcome.exit_code != EXIT_OK:
        print(f"strata docs: {outcome.message}", file=sys.stderr)
    return outcome.exit_code


COMMANDS = {"generate": command_generate, "build": command_build, "docs": command_docs}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as error:
        print(f"strata {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
