"""Clear-text personal data: only the raw input and the restricted file may hold it.

Scans every string column of every relation (tables and views) of every DuckDB file a build
writes, except the raw views (the export itself, read where it lies) and the restricted file,
for email addresses and for phone numbers shaped like the generator's ("+86 13X XXXX XXXX",
also without spaces or with dashes). Any relation with a hit fails the test, whatever its schema
(staging, marts, intermediate, reference, a new one). Numbers in other columns (ids like
u0000123, amounts, hex digests) do not look like phones: a phone needs a mobile prefix 1[3-9],
11 digits and a word boundary on both sides. The restricted file does hold the contacts the
audience export needs, and is readable by its owner only. The pseudonyms are keyed: the key is
in its own file (mode 0600) and in no file the build writes under target/ or logs/.
"""

from __future__ import annotations

import hashlib
import hmac
import stat

import duckdb

from helpers import EMAIL_PATTERN, PHONE_PATTERN, PROJECT_DIR, BuiltSample, query, relations_with_personal_data
from stratalib.dbt_invoke import pii_key_path, restricted_path


def test_patterns_match_the_generators_contacts() -> None:
    import re

    for phone in ("+86 138 0000 0123", "+8613800000123", "138-0000-0123"):
        assert re.search(PHONE_PATTERN, phone), phone
    assert re.search(EMAIL_PATTERN, "u0000123@example.com")
    harmless_values = ("u0000123", "snd00000123", "o00012345", "2024-12-31 10:00:00", "1234.56", "d00000246",
                       "9f3a13812345678e0c")  # the last: a hex digest with an 11-digit run
    for harmless in harmless_values:
        assert not re.search(PHONE_PATTERN, harmless) and not re.search(EMAIL_PATTERN, harmless), harmless


def test_only_the_raw_views_and_the_restricted_file_hold_clear_text_contacts(dirty_sample: BuiltSample) -> None:
    hits = relations_with_personal_data(dirty_sample.warehouse)
    # The scanner sees personal data where it is: the raw export, read through the raw views.
    assert "raw.raw_users" in hits, hits
    assert {name: columns for name, columns in hits.items() if not name.startswith("raw.")} == {}

    restricted = restricted_path(dirty_sample.warehouse)
    assert stat.S_IMODE(restricted.stat().st_mode) == 0o600
    restricted_hits = relations_with_personal_data(restricted)
    assert restricted_hits == {"main.audience_contacts": ["contact"], "main.stg_raw__user_contacts": ["email", "phone"]}


def test_the_pseudonym_key_is_secret_and_in_no_file_of_the_build(dirty_sample: BuiltSample) -> None:
    """The build's own target/ and logs/ are beside its warehouse (conftest.py); the project's too."""
    key_file = pii_key_path(dirty_sample.warehouse)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) == 64
    leaks = [
        path
        for folder in (PROJECT_DIR / "target", PROJECT_DIR / "logs", dirty_sample.warehouse.parent)
        if folder.is_dir()
        for path in folder.rglob("*")
        if path.is_file() and path != key_file and key.encode() in path.read_bytes()
    ]
    assert leaks == []


def test_phone_hashes_are_keyed_not_a_public_salt(dirty_sample: BuiltSample) -> None:
    """A phone's pseudonym is the HMAC of its E.164 form under the key: recomputable with the key,
    and not the SHA-256 of any public salt and the number (what a brute force over numbers tries)."""
    key = bytes.fromhex(pii_key_path(dirty_sample.warehouse).read_text().strip())
    with duckdb.connect(str(restricted_path(dirty_sample.warehouse)), read_only=True) as connection:
        user_id, phone, phone_hash = connection.execute(
            "select user_id, phone, phone_hash from main.stg_raw__user_contacts where phone is not null "
            "and user_id in (select user_id from main.stg_raw__user_contacts group by user_id having count(*) = 1) "
            "order by user_id limit 1"
        ).fetchone()
    assert phone.startswith("+") and phone[1:].isdigit()
    assert phone_hash == hmac.new(key, phone.encode(), hashlib.sha256).hexdigest()
    (dim_hash,) = query(dirty_sample.warehouse, f"select phone_hash from marts.dim_users where user_id = '{user_id}'")[0]
    assert dim_hash == phone_hash
    for unkeyed in (phone, "strata:" + phone, phone[3:]):
        assert hashlib.sha256(unkeyed.encode()).hexdigest() != dim_hash
