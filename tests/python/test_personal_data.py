"""Clear-text personal data: only the intake layers and schema restricted may hold it.

Scans every string column of every relation (tables and views) in the built sample warehouse
for email addresses and for phone numbers shaped like the generator's ("+86 13X XXXX XXXX", also
without spaces or with dashes) and compares the relations with a hit against the allow-list:
raw.raw_users (the export itself), staging.stg_raw__users (the cleaned copy the marts
pseudonymise), and restricted.audience_contacts (the audience export, the only place downstream
of staging with clear-text contacts). Any other relation with a hit fails the test, whatever its
schema (marts, intermediate, reference, a new one). Numbers in other columns (ids like
u0000123, amounts, hex digests) do not look like phones: a phone needs a mobile prefix 1[3-9], 11
digits and a word boundary on both sides.
"""

from __future__ import annotations

from pathlib import Path

from conftest import BuiltSample

import duckdb

EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
# \b on both ends: an 11-digit run inside a longer token (a sha256 hex digest in dim_users) is
# not a phone number.
PHONE_PATTERN = r"\b(\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}\b"
ALLOWED = {"raw.raw_users", "staging.stg_raw__users", "restricted.audience_contacts"}


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


def test_patterns_match_the_generators_contacts() -> None:
    import re

    for phone in ("+86 138 0000 0123", "+8613800000123", "138-0000-0123"):
        assert re.search(PHONE_PATTERN, phone), phone
    assert re.search(EMAIL_PATTERN, "u0000123@example.com")
    harmless_values = ("u0000123", "snd00000123", "o00012345", "2024-12-31 10:00:00", "1234.56", "d00000246",
                       "9f3a13812345678e0c")  # the last: a hex digest with an 11-digit run
    for harmless in harmless_values:
        assert not re.search(PHONE_PATTERN, harmless) and not re.search(EMAIL_PATTERN, harmless), harmless


def test_only_intake_layers_and_restricted_hold_clear_text_contacts(dirty_sample: BuiltSample) -> None:
    hits = relations_with_personal_data(dirty_sample.warehouse)
    assert set(hits) - ALLOWED == set(), {name: hits[name] for name in set(hits) - ALLOWED}
    # The scanner sees personal data where it is: the raw export and the audience export.
    assert "raw.raw_users" in hits and "restricted.audience_contacts" in hits, hits
    assert hits["restricted.audience_contacts"] == ["contact"]
