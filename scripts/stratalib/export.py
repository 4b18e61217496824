"""export-audience: write an audience's treatment group (user_id, channel, contact) to a CSV file.

Reads restricted.audience_contacts, the only relation with clear-text contacts, from the DuckDB
warehouse opened read-only (a build holding the file makes it locked: a one-line error). The
audience itself is built by the dbt models (audience_members); this module only copies rows.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

CONTACTS_RELATION = "restricted.audience_contacts"
MEMBERS_RELATION = "marts.audience_members"
COLUMNS = ("user_id", "channel", "contact")


class ExportError(Exception):
    """An unknown audience, a date without an audience, or an unreadable warehouse (exit 2)."""


def connect_read_only(warehouse: Path):
    import duckdb

    if not warehouse.exists():
        raise ExportError(f"warehouse {warehouse} does not exist (run `strata.py build` first)")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise ExportError(
                f"warehouse {warehouse} is locked by another process (a build?); try again when it is done"
            ) from error
        raise ExportError(f"cannot open warehouse {warehouse}: {str(error).splitlines()[0]}") from error


def export_audience(warehouse: Path, audience: str, out: Path, audience_date: date | None = None) -> tuple[date, int]:
    """Write the treatment group of `audience` on `audience_date` (default: the latest date built)
    to `out` as CSV with the header user_id,channel,contact; return (date, rows written)."""
    import duckdb

    with connect_read_only(warehouse) as connection:
        try:
            dates = [row[0] for row in connection.execute(
                f"select distinct audience_date from {MEMBERS_RELATION} where audience_name = ? order by 1",
                [audience],
            ).fetchall()]
            known = {row[0] for row in connection.execute(
                "select audience_name from reference.audiences"
            ).fetchall()}
        except duckdb.CatalogException as error:
            raise ExportError(f"warehouse {warehouse} has no audiences (run `strata.py build` first)") from error
        if audience not in known:
            raise ExportError(f"unknown audience {audience!r}; known: {', '.join(sorted(known))}")
        if audience_date is None:
            if not dates:
                raise ExportError(f"audience {audience!r} has not been built for any date")
            audience_date = dates[-1]
        elif audience_date not in dates:
            built = ", ".join(str(day) for day in dates) or "none"
            raise ExportError(f"no audience {audience!r} for {audience_date} (built dates: {built})")
        rows = connection.execute(
            f"select {', '.join(COLUMNS)} from {CONTACTS_RELATION} "
            "where audience_name = ? and audience_date = ? order by user_id",
            [audience, audience_date],
        ).fetchall()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return audience_date, len(rows)
