"""Keyed pseudonyms of personal data: HMAC-SHA-256 with a secret key that no file but its own holds.

dim_users (and staging) keep `email_hash` / `phone_hash` so that analysts can count and join users
by contact without seeing it. A plain or publicly salted hash of a phone number is reversed by
trying every number (10^7 candidates take seconds), so the hash is an HMAC under a secret key:

- the key is the environment variable STRATA_PII_KEY (64 hex characters) when set, else the key
  file STRATA_PII_KEY_FILE (default: the default warehouse's, warehouse/strata.pii.key), created with mode 0600 and a
  random key on the first build; rebuilding with another key changes every hash;
- the key never enters SQL: this module is a dbt-duckdb plugin (profiles.yml) that registers the
  SQL function strata_pii_hash(text) on each connection, so neither compiled SQL in target/ nor
  dbt's logs hold the key.

The same plugin creates the restricted file (the database attached as `restricted`, where the
clear-text contacts live) with mode 0600 before DuckDB attaches it: DuckDB itself would create it
readable by everyone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from stratalib.dbt_invoke import DEFAULT_WAREHOUSE, pii_key_path

KEY_ENV = "STRATA_PII_KEY"
KEY_FILE_ENV = "STRATA_PII_KEY_FILE"
DEFAULT_KEY_FILE = pii_key_path(DEFAULT_WAREHOUSE)
SQL_FUNCTION = "strata_pii_hash"
RESTRICTED_ALIAS = "restricted"


class PiiKeyError(Exception):
    """The key in the environment or the key file is not 32 bytes of hex."""


def key_file_path() -> Path:
    return Path(os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE)


def load_or_create_key(path: Path) -> bytes:
    """The key in `path`; a new random key written there with mode 0600 when the file is missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: read theirs
            return parse_key(path.read_text(), str(path))
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    return parse_key(path.read_text(), str(path))


def parse_key(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError as error:
        raise PiiKeyError(f"the personal-data key in {where} is not hex") from error
    if len(key) != 32:
        raise PiiKeyError(f"the personal-data key in {where} must be 32 bytes (64 hex characters)")
    return key


def current_key() -> bytes:
    """The key from STRATA_PII_KEY, else from the key file (created when missing)."""
    if os.environ.get(KEY_ENV):
        return parse_key(os.environ[KEY_ENV], f"${KEY_ENV}")
    return load_or_create_key(key_file_path())


def create_private_database(path: Path) -> None:
    """An empty DuckDB file at `path` with mode 0600; an existing file only gets its mode tightened."""
    import duckdb

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(path)):
            pass
    os.chmod(path, 0o600)


def pii_hash(value: str | None, key: bytes) -> str | None:
    """Lower-case hex HMAC-SHA-256 of the UTF-8 text under `key`; null stays null."""
    if value is None:
        return None
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


try:  # the plugin needs dbt-duckdb; the rest of this module does not
    from dbt.adapters.duckdb.plugins import BasePlugin
except ImportError:  # pragma: no cover - only without dbt-duckdb installed
    BasePlugin = object  # type: ignore[assignment,misc]


class Plugin(BasePlugin):  # type: ignore[misc,valid-type]
    """dbt-duckdb plugin: registers strata_pii_hash(varchar) -> varchar on every connection."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.key = current_key()
        for attachment in getattr(self.creds, "attach", None) or []:
            if attachment.alias == RESTRICTED_ALIAS:
                create_private_database(Path(attachment.path))

    def configure_connection(self, conn: Any) -> None:
        import duckdb

        from duckdb import sqltypes

        key = self.key
        try:
            conn.create_function(
                SQL_FUNCTION,
                lambda value: pii_hash(value, key),
                [sqltypes.VARCHAR],
                sqltypes.VARCHAR,
                null_handling="special",
                side_effects=False,
            )
        except duckdb.CatalogException:  # dbt-duckdb configures each new cursor of one database
            pass
