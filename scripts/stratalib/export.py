"""export-audience: write an audience's treatment group (user_id, channel, contact) to a CSV file.

Reads restricted.audience_contacts, the only relation with clear-text contacts, from the DuckDB
warehouse opened read-only, with the restricted file beside it (`<stem>.restricted.duckdb`)
attached read-only when the build keeps the contacts there (a build holding either file makes it
locked: a one-line error). The audience itself is built by the dbt models (audience_members); this
module only copies rows, leaving out users who, in the current build, no longer consent or no
longer have the contact.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from stratalib.dbt_invoke import restricted_path
from stratalib.warehouse import companion_paths, describe_duckdb_error, nearest_existing

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

# audience_contacts in the restricted file attached as `restricted`, or (warehouses built before
# the contacts moved there) in schema `restricted` of the warehouse itself.
RESTRICTED_ALIAS = "restricted"
CONTACTS_RELATION = f"{RESTRICTED_ALIAS}.main.audience_contacts"
LEGACY_CONTACTS_RELATION = f"{RESTRICTED_ALIAS}.audience_contacts"
MEMBERS_RELATION = "marts.audience_members"
USERS_RELATION = "marts.dim_users"
COLUMNS = ("user_id", "channel", "contact")
# A contacts file holds personal data: readable and writable by its owner only.
CONTACTS_FILE_MODE = 0o600

# The contacts of one audience date, each flagged whether the user may still be contacted on the
# channel according to the CURRENT build: an audience of a past date was drawn with the consent
# and contacts of that day, and a user may have withdrawn consent or lost the contact since.
# push and wechat reach the logged-in user; they need consent only.
CONTACTS_QUERY = """
    select
        contacts.user_id,
        contacts.channel,
        contacts.contact,
        coalesce(users.marketing_opt_in, false)
        and contacts.contact is not null
        and case contacts.channel
            when 'sms' then coalesce(users.has_phone, false)
            when 'email' then coalesce(users.has_email, false)
            else true
        end as is_reachable
    from {contacts} as contacts
    left join {users} as users
        on contacts.user_id = users.user_id
    where contacts.audience_name = ? and contacts.audience_date = ?
    order by contacts.user_id
"""
# Treatment members of the date: those the export leaves out are the difference, whether the
# build (audience_contacts) or the consent check of CONTACTS_QUERY dropped them.
TREATMENT_QUERY = f"""
    select count(*) from {MEMBERS_RELATION}
    where audience_name = ? and audience_date = ? and test_group = 'treatment'
"""


class ExportError(Exception):
    """An unknown audience, a date without an audience, an unusable --out or an unreadable
    warehouse (exit 2)."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the audience date, the contacts written and those left out because
    the user has since withdrawn consent or lost the contact."""

    audience_date: date
    written: int
    withdrawn: int


def is_warehouse_file(out: Path, warehouse: Path) -> bool:
    """Whether `out` is the warehouse or a file kept beside it (WAL, lock, restricted file, key), by resolved path
    or, for existing files, by identity (a hard link or a symlink pointing at it)."""
    targets = companion_paths(warehouse)
    if out.resolve() in {target.resolve() for target in targets}:
        return True
    if not out.exists():
        return False
    return any(target.exists() and os.path.samefile(out, target) for target in targets)


def check_out(out: Path, warehouse: Path, force: bool) -> None:
    """Raise ExportError for an --out that must not be written, before the warehouse is read.

    Overwriting the warehouse would destroy it, --force or not; an existing file is replaced only
    with --force, so last week's send list is never lost by a typo.
    """
    if out.is_dir():
        raise ExportError(f"--out {out} is a folder; give the path of a CSV file")
    if is_warehouse_file(out, warehouse):
        raise ExportError(f"--out {out} is the warehouse {warehouse} or a file it keeps beside it; give another path")
    if (out.exists() or out.is_symlink()) and not force:
        raise ExportError(f"--out {out} exists; pass --force to replace it")
    folder = nearest_existing(out.parent)
    if not folder.is_dir():
        raise ExportError(f"--out {out} cannot be created: {folder} is a file, not a folder")


def connect_read_only(warehouse: Path) -> DuckDBPyConnection:
    """The warehouse opened read-only; a one-line ExportError when it is missing, locked or not DuckDB."""
    import duckdb

    if not warehouse.exists():
        raise ExportError(f"warehouse {warehouse} does not exist (run `strata build` first)")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        raise ExportError(str(describe_duckdb_error(warehouse, error))) from error


def contacts_relation(connection: DuckDBPyConnection, warehouse: Path) -> str:
    """Attach the restricted file read-only when it exists; return the contacts relation to read."""
    import duckdb

    restricted = restricted_path(warehouse)
    if not restricted.is_file():
        return LEGACY_CONTACTS_RELATION
    literal = str(restricted).replace("'", "''")
    try:
        connection.execute(f"attach '{literal}' as {RESTRICTED_ALIAS} (read_only)")
    except duckdb.Error as error:
        raise ExportError(str(describe_duckdb_error(restricted, error))) from error
    return CONTACTS_RELATION


def built_dates(connection: DuckDBPyConnection, warehouse: Path, audience: str) -> list[date]:
    """The audience dates built for `audience`; ExportError for an unknown audience or no audiences."""
    import duckdb

    try:
        dates = [row[0] for row in connection.execute(
            f"select distinct audience_date from {MEMBERS_RELATION} where audience_name = ? order by 1",
            [audience],
        ).fetchall()]
        known = {row[0] for row in connection.execute("select audience_name from reference.audiences").fetchall()}
    except duckdb.CatalogException as error:
        raise ExportError(f"warehouse {warehouse} has no audiences (run `strata build` first)") from error
    if audience not in known:
        raise ExportError(f"unknown audience {audience!r}; known: {', '.join(sorted(known))}")
    return dates


def pick_date(audience: str, dates: list[date], audience_date: date | None) -> date:
    """The requested audience date, or the latest built; ExportError when it was not built."""
    if audience_date is None:
        if not dates:
            raise ExportError(f"audience {audience!r} has not been built for any date")
        return dates[-1]
    if audience_date not in dates:
        built = ", ".join(str(day) for day in dates) or "none"
        raise ExportError(f"no audience {audience!r} for {audience_date} (built dates: {built})")
    return audience_date


@contextmanager
def private_file(out: Path, force: bool) -> Iterator[TextIO]:
    """A text handle on `out` created with mode 0600; removed again if writing fails.

    Without --force the file is created exclusively (O_EXCL), so a file that appeared since the
    check is never overwritten. With --force the rows go to a 0600 temporary file in the same
    folder that then replaces `out` at once: the old file's looser mode is not inherited, and a
    reader never sees half a file.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    if force:
        descriptor, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        written = Path(name)
    else:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, CONTACTS_FILE_MODE)
        written = out
    try:
        os.fchmod(descriptor, CONTACTS_FILE_MODE)
        with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
            yield handle
        if force:
            os.replace(written, out)
    except BaseException:
        written.unlink(missing_ok=True)
        raise


def write_contacts(out: Path, rows: Iterable[tuple], force: bool) -> None:
    """Write the CSV (header user_id,channel,contact); OS errors become one-line ExportErrors."""
    try:
        with private_file(out, force) as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
    except FileExistsError as error:
        raise ExportError(f"--out {out} exists; pass --force to replace it") from error
    except OSError as error:
        raise ExportError(f"cannot write --out {out}: {error.strerror or error}") from error


def read_contacts(
    connection: DuckDBPyConnection, warehouse: Path, audience: str, audience_date: date
) -> tuple[list[tuple], int]:
    """(contacts that may still be written, treatment members left out) of one audience date."""
    import duckdb

    query = CONTACTS_QUERY.format(contacts=contacts_relation(connection, warehouse), users=USERS_RELATION)
    try:
        rows = connection.execute(query, [audience, audience_date]).fetchall()
        [(treatment,)] = connection.execute(TREATMENT_QUERY, [audience, audience_date]).fetchall()
    except duckdb.Error as error:
        first = next((line for line in str(error).splitlines() if line.strip()), type(error).__name__)
        raise ExportError(f"cannot read the contacts of warehouse {warehouse}: {first}") from error
    reachable = [row[:len(COLUMNS)] for row in rows if row[len(COLUMNS)]]
    return reachable, max(treatment - len(reachable), 0)


def export_audience(
    warehouse: Path, audience: str, out: Path, audience_date: date | None = None, force: bool = False
) -> ExportResult:
    """Write the treatment group of `audience` on `audience_date` (default: the latest date built)
    to `out` as CSV with the header user_id,channel,contact, leaving out users who no longer
    consent or have the contact in the current build."""
    check_out(out, warehouse, force)
    with connect_read_only(warehouse) as connection:
        audience_date = pick_date(audience, built_dates(connection, warehouse, audience), audience_date)
        reachable, withdrawn = read_contacts(connection, warehouse, audience, audience_date)
    write_contacts(out, reachable, force)
    return ExportResult(audience_date, len(reachable), withdrawn)
