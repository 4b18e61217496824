"""`dbt build` (or run, test, seed) on the Spark target (dbt-spark, method session) with the
warehouse's Python steps.

Usage (make spark-check): python -m stratalib.spark_build [build|run|test|seed] [dbt options common
to every dbt command, e.g. --profiles-dir, --vars] [-- options of that command only, e.g. --select]

dbt-spark's session mode runs SQL in a Spark session of this process and no dbt Python models. On
Spark the five Python models are SQL stand-ins that call table functions (stratalib.spark_functions)
which must be registered in that session before dbt runs them. dbt-spark gets its session with
SparkSession.builder...getOrCreate() on every statement, with the profile's settings, and never
stops it; so this runner, in one process:
1. runs a one-row `dbt show` on the target: dbt-spark creates the session with the profile's
   settings (warehouse and Derby folders, time zone, ...), so the profile stays their one place;
2. registers the table functions in that session;
3. runs `dbt build` (or the command given) with the same options: every statement of it gets the
   same session.
The Python workers Spark starts for the table functions run this interpreter (PYSPARK_PYTHON).
Exit codes as dbt's: 0 ok, 1 failed nodes, 2 error.
"""

from __future__ import annotations

import os
import sys

from stratalib.dbt_invoke import EXIT_CHECKS_FAILED, EXIT_OK, EXIT_USAGE


COMMANDS = ("build", "run", "test", "seed")


def split_arguments(arguments: list[str]) -> tuple[str, list[str], list[str]]:
    """(dbt command, options for every dbt command, options for that command only): an optional
    first word of COMMANDS (default build), then the parts before and after `--`."""
    command = "build"
    if arguments and arguments[0] in COMMANDS:
        command, arguments = arguments[0], arguments[1:]
    if "--" in arguments:
        position = arguments.index("--")
        return command, arguments[:position], arguments[position + 1:]
    return command, arguments, []


def exit_code(result) -> int:
    if result.success:
        return EXIT_OK
    return EXIT_USAGE if result.exception is not None else EXIT_CHECKS_FAILED


def main(arguments: list[str] | None = None) -> int:
    command, common, command_only = split_arguments(sys.argv[1:] if arguments is None else arguments)
    # The table functions' Python workers must import stratalib and its scipy: this interpreter.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("DO_NOT_TRACK", "1")

    from dbt.cli.main import dbtRunner  # slow import: only when dbt really runs
    from pyspark.sql import SparkSession

    from stratalib.spark_functions import register_table_functions

    runner = dbtRunner()
    opened = runner.invoke(["show", "--inline", "select 1 as session_ready", "--limit", "1", *common])
    if not opened.success:
        print("strata spark build: dbt could not open the Spark session", file=sys.stderr)
        return EXIT_USAGE
    # The session dbt-spark just created (getOrCreate returns it: one per process).
    names = register_table_functions(SparkSession.builder.getOrCreate())
    print(f"registered Spark table functions: {', '.join(names)}", flush=True)
    return exit_code(runner.invoke([command, *common, *command_only]))


if __name__ == "__main__":
    sys.exit(main())
