"""Shared test helpers: run the `strata` command (or plain dbt) as a user would, write small raw
exports by hand, read the warehouse. Test modules import them from here (`from helpers import ...`);
conftest.py holds only the fixtures.

Builds in tests pass --skip-unit-tests (see `build_args`): dbt's unit tests check the models on
fixed fixtures whatever the raw data, so they run once per session, in the build of the shared
`dirty_sample` fixture (conftest.py), not again in every small build.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from stratalib.dbt_invoke import dbt_target_dir, pii_key_path, restricted_path
from stratalib.warehouse import lock_path

PROJECT_DIR = Path(__file__).resolve().parents[2]
# The venv's console scripts: `strata` (pyproject.toml) and dbt.
STRATA = Path(sys.executable).parent / "strata"
DBT = Path(sys.executable).parent / "dbt"
TIMEOUT_SECONDS = 1800
SKIP_UNIT_TESTS = "--skip-unit-tests"

# What the fixture `module_temp` gives: a new temporary folder of the given name.
MakeFolder = Callable[[str], Path]


# --- running strata and dbt --------------------------------------------------------------------------


def run_strata(
    *args: str | Path, check: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `strata ARGS` in a subprocess and capture its output; `env` adds to (or overrides) the
    environment."""
    completed = subprocess.run(
        [str(STRATA), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        timeout=TIMEOUT_SECONDS,
        env={**os.environ, **env} if env else None,
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            f"strata {args[0]} exited {completed.returncode}\n{completed.stdout[-4000:]}\n{completed.stderr[-2000:]}"
        )
    return completed


def build_args(raw_dir: Path, warehouse: Path, *extra: str | Path) -> list[str | Path]:
    """The arguments of `strata build` of a test: the raw folder, the warehouse, no unit tests."""
    return ["build", "--raw-dir", raw_dir, "--warehouse", warehouse, SKIP_UNIT_TESTS, *extra]


def run_build(
    raw_dir: Path, warehouse: Path, *extra: str | Path, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`strata build --skip-unit-tests` of `raw_dir` into `warehouse` (every data test still runs)."""
    return run_strata(*build_args(raw_dir, warehouse, *extra), check=check, env=env)


def start_build(raw_dir: Path, warehouse: Path, *extra: str | Path) -> subprocess.Popen[str]:
    """`strata build --skip-unit-tests` started in its own process group, its dbt log readable line
    by line (stdout and stderr together)."""
    return subprocess.Popen(
        [str(STRATA), *map(str, build_args(raw_dir, warehouse, *extra))],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )


def wait_for_models(process: subprocess.Popen[str], count: int, timeout: float = 900) -> list[str]:
    """Read a started build's log until `count` models are created; return the lines read."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if sum("OK created" in seen for seen in lines) >= count:
            return lines
    raise AssertionError(f"the build ended or stalled before {count} models were created:\n" + "".join(lines[-40:]))


# The load time of the builds of the shared generated sample (conftest's dirty_sample): after the
# last day the generator writes by default, fixed so that rebuilds of the sample compare equal.
SAMPLE_LOAD_TIME = "2025-01-15 00:00:00"

# The load time of the builds of hand-made exports (their rows are of early 2024): what counts as a
# future timestamp does not move with the day the tests run.
LOAD_TIME = "2024-06-01 00:00:00"


def build_at_load_time(raw_dir: Path, warehouse: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`strata build --skip-unit-tests` with the fixed LOAD_TIME."""
    return run_build(raw_dir, warehouse, "--load-time", LOAD_TIME, check=check)


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
            capture_output=True, text=True, cwd=PROJECT_DIR, env=env, timeout=TIMEOUT_SECONDS,
        )  # fmt: skip
    if completed.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} exited {completed.returncode}\n{completed.stdout[-4000:]}")


def failing_data_tests(warehouse: Path, raw_dir: Path, *test_names: str, **dbt_vars: object) -> list[str]:
    """Which of the data tests test_names dbt reports failing on the warehouse (with dbt_vars),
    sorted; an error when dbt fails any other way (a compile error)."""
    try:
        run_dbt(warehouse, raw_dir, "test", "--select", *test_names, dbt_vars=dbt_vars)
    except AssertionError as error:
        failed = sorted(name for name in test_names if re.search(rf" FAIL \d+ {name} ", str(error)))
        if not failed:
            raise
        return failed
    return []


def assert_one_line_error(completed: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit code 2, one line on stderr holding every fragment, no traceback."""
    assert completed.returncode == 2, completed.stdout[-2000:] + completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout
    for fragment in fragments:
        assert fragment in lines[0]


# --- warehouses ----------------------------------------------------------------------------------------


@dataclass
class BuiltSample:
    """A generated raw export with its ground truth, built into a warehouse (`build_log`: the
    build's output, when the fixture keeps it)."""

    raw_dir: Path
    warehouse: Path
    truth: dict
    build_log: str = field(default="", repr=False)


@dataclass
class Built:
    """A hand-made raw export built into a warehouse."""

    raw_dir: Path
    warehouse: Path


def copy_warehouse(warehouse: Path, folder: Path) -> Path:
    """A copy of a built warehouse in `folder`, with its restricted file and its pseudonym key (a
    copy without the key would get a new one, and new hashes, on its next build)."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in (warehouse, restricted_path(warehouse), pii_key_path(warehouse)):
        if source.exists():
            shutil.copy2(source, folder / source.name)
    return folder / warehouse.name


@contextmanager
def held_lock(warehouse: Path, operation: int) -> Iterator[None]:
    """Hold flock(operation) on the warehouse's run lock from this process, as a running build
    (LOCK_EX) or a reader (LOCK_SH) would."""
    with lock_path(warehouse).open("a") as handle:
        fcntl.flock(handle, operation | fcntl.LOCK_NB)
        yield


def query(warehouse: Path, sql: str) -> list[tuple]:
    """Rows of a query on the warehouse file, opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def replace_mart(connection: duckdb.DuckDBPyConnection, mart: str, select: str) -> None:
    """Replace marts.<mart>, a table or a view (fct_orders is a view of an intermediate table), by
    a table of the rows of `select` (which may read the mart itself): how a test breaks a mart."""
    [(kind,)] = connection.execute(
        "select table_type from information_schema.tables where table_schema = 'marts' and table_name = ?", [mart]
    ).fetchall()
    connection.execute(f"create table marts.{mart}__replaced as {select}")
    connection.execute(f"drop {'view' if kind == 'VIEW' else 'table'} marts.{mart}")
    connection.execute(f"alter table marts.{mart}__replaced rename to {mart}")


def quarantined(warehouse: Path, table: str) -> dict[str, list[str]]:
    """row_key -> sorted quarantine reasons of one raw table."""
    found: dict[str, list[str]] = {}
    for row_key, reason in query(
        warehouse,
        f"select row_key, quarantine_reason from marts.quarantine where source_table = '{table}' order by all",
    ):
        found.setdefault(row_key, []).append(reason)
    return found


def summary(warehouse: Path, table: str) -> tuple[int, int, dict[str, int]]:
    """rows_read, rows_kept and the non-zero rows_quarantined per reason of one raw table."""
    rows = query(
        warehouse,
        "select rows_read, rows_kept, quarantine_reason, rows_quarantined from marts.data_quality_summary "
        f"where source_table = '{table}'",
    )
    assert rows, f"{table} missing from data_quality_summary"
    per_reason = {reason: count for _, _, reason, count in rows if count}
    return rows[0][0], rows[0][1], per_reason


EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
# \b on both ends: an 11-digit run inside a longer token (a sha256 hex digest in dim_users) is
# not a phone number.
PHONE_PATTERN = r"\b(\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}\b"


def relations_with_personal_data(warehouse: Path) -> dict[str, list[str]]:
    """relation -> its string columns holding an email or phone number in some row."""
    hits: dict[str, list[str]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        columns = connection.sql(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_catalog = current_database() order by 1, 2, 3"
        ).fetchall()
        for schema, table, column in columns:
            found = connection.execute(
                f'select count(*) from "{schema}"."{table}" '
                f'where regexp_matches("{column}", ?) or regexp_matches("{column}", ?)',
                [EMAIL_PATTERN, PHONE_PATTERN],
            ).fetchone()[0]
            if found:
                hits.setdefault(f"{schema}.{table}", []).append(column)
    return hits


# --- hand-made raw exports ----------------------------------------------------------------------------

MINI_USERS = """user_id,registered_at,acquisition_channel,acquisition_campaign,gender,birth_year,city,city_tier,email,phone,marketing_opt_in
u1,2024-01-01 10:00:00,organic,,female,1990,Shanghai,1,a@example.com,,true
"""
MINI_ORDERS = """order_id,user_id,ordered_at,status,order_amount,discount_amount,coupon_code,platform,updated_at
o1,u1,2024-02-01 10:00:00,paid,10.00,0,,app,2024-02-01 10:00:00
"""
HEADERS = {
    "raw_order_items": "order_id,line_number,product_id,product_name,category,quantity,unit_price\n",
    "raw_events": "event_id,user_id,anonymous_id,session_id,event_name,occurred_at,received_at,platform,page,"
    "utm_source,utm_medium,utm_campaign,properties\n",
    "raw_marketing_spend": "spend_date,channel,campaign,spend,impressions,clicks\n",
    "raw_campaign_sends": "send_id,campaign_id,user_id,channel,test_group,sent_at,target_layer\n",
}
USER_COLUMNS = MINI_USERS.splitlines()[0].split(",")
ORDER_COLUMNS = MINI_ORDERS.splitlines()[0].split(",")
COLUMNS = {table: header.strip().split(",") for table, header in HEADERS.items()}


def write_minimal_raw(raw_dir: Path) -> Path:
    """One user with one order; every other table present but empty."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    (raw_dir / "raw_users.csv").write_text(MINI_USERS)
    (raw_dir / "raw_orders.csv").write_text(MINI_ORDERS)
    for table, header in HEADERS.items():
        (raw_dir / f"{table}.csv").write_text(header)
    return raw_dir


def write_csv(
    path: Path,
    columns: list[str],
    rows: list[list[str]],
    *,
    newline: str = "\n",
    encoding: str = "utf-8",
) -> Path:
    """Write a CSV with a header (quoted where needed); every row must have one value per column."""
    for row in rows:
        assert len(row) == len(columns), row
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def user(user_id: str, registered_at: str, city: str = "Shanghai", opt_in: str = "true") -> list[str]:
    return [user_id, registered_at, "organic", "", "female", "1990", city, "1", f"{user_id}@example.com", "", opt_in]


def order(order_id: str, user_id: str, ordered_at: str, status: str = "paid", amount: str = "10.00") -> list[str]:
    return [order_id, user_id, ordered_at, status, amount, "0", "", "app", ordered_at]


def event(
    event_id: str, user_id: str, name: str, occurred_at: str, received_at: str, properties: str = "{}"
) -> list[str]:
    return [event_id, user_id, "device-1", "s1", name, occurred_at, received_at, "app", "home", "", "", "", properties]


def send(send_id: str, user_id: str, channel: str, test_group: str) -> list[str]:
    return [send_id, "c1", user_id, channel, test_group, "2024-02-10 09:00:00", "champions"]


# --- a headless browser (Debian's chromium driven by Playwright; conftest's `browser` fixture) ----------

CHROMIUM = Path("/usr/bin/chromium")
# Schemes a page may load offline; every other request is aborted and recorded.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
# A second guard under the routing: no host name resolves.
CHROMIUM_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost"]


def browser_missing() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (make .venv/.installed)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: scripts/setup_browser.sh installs it (apt-get, as root)"
    return None


@dataclass
class OfflinePage:
    """A page opened with the network cut: what it logged as errors and what failed to load."""

    page: Any  # playwright.sync_api.Page
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, failed and blocked requests: empty when it rendered cleanly."""
        return self.console_errors + self.failed_requests + [f"blocked {url}" for url in self.blocked_requests]


@contextmanager
def offline_page(browser: Any, url: str, width: int = 1280, height: int = 900) -> Iterator[OfflinePage]:
    """Open `url` (file://) in a new context of `browser` with every non-local request aborted;
    yield it once loaded and the network idle, recording console errors and failed requests."""
    context = browser.new_context(viewport={"width": width, "height": height})
    opened = OfflinePage(context.new_page())

    def route(route: Any) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            opened.blocked_requests.append(route.request.url)
            route.abort()

    def console(message: Any) -> None:
        if message.type == "error":
            opened.console_errors.append(message.text)

    context.route("**/*", route)
    opened.page.on("console", console)
    opened.page.on("pageerror", lambda error: opened.console_errors.append(f"uncaught: {error}"))
    opened.page.on("requestfailed", lambda request: opened.failed_requests.append(f"{request.url}: {request.failure}"))
    try:
        opened.page.goto(url, wait_until="networkidle")
        yield opened
    finally:
        context.close()


def save_screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    """A PNG of the page in the `screenshots/` folder of dbt's target path (the run's own under
    pytest, see conftest's private_dbt_paths); returns its path."""
    folder = dbt_target_dir() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def platform_fonts(page: Any, selector: str) -> dict[str, int]:
    """The fonts Chromium drew the text of the first element matching `selector` with, and how many
    glyphs each drew (DevTools' CSS.getPlatformFontsForNode): a CJK label drawn as boxes shows a
    font without CJK glyphs here, not "Noto Sans CJK"."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    session.detach()
    return {font["familyName"]: font["glyphCount"] for font in fonts}
