"""Find the raw tables of the input contract in a raw-data folder, before dbt starts.

The lookup rule is not written here: it is data in the dbt project, read from
`models/staging/raw/_raw__sources.yml` (the tables of source `raw`, the ordered file forms of its
meta `raw_file_forms`, the characters refused in a raw folder's path). The dbt hook
`register_raw_tables` applies the same data on every engine; this module lets the runner stop
early with a one-line message (and the same wording) and names the form each table has.
The default raw folder is the var `raw_dir` of `dbt_project.yml` (see `default_raw_dir`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
SOURCES_YML = PROJECT_DIR / "models" / "staging" / "raw" / "_raw__sources.yml"
TABLE_PLACEHOLDER = "{table}"


class RawInputError(Exception):
    """The raw-data folder does not hold what the contract asks for."""


@dataclass(frozen=True)
class FileForm:
    """One way a raw table may be stored: `path` is a glob pattern under raw_dir with {table}."""

    format: str
    path: str

    def pattern(self, table: str) -> str:
        return self.path.replace(TABLE_PLACEHOLDER, table)


@dataclass(frozen=True)
class RawFileRule:
    tables: tuple[str, ...]  # in declared order
    forms: tuple[FileForm, ...]  # in lookup order
    refused_characters: tuple[str, ...]


@cache
def raw_file_rule(sources_yml: Path = SOURCES_YML) -> RawFileRule:
    """The rule as declared for source `raw` in the sources yml."""
    document = yaml.safe_load(sources_yml.read_text(encoding="utf-8"))
    source = next(source for source in document["sources"] if source["name"] == "raw")
    meta = source.get("config", {}).get("meta") or source.get("meta") or {}
    return RawFileRule(
        tables=tuple(table["name"] for table in source["tables"]),
        forms=tuple(FileForm(form["format"], form["path"]) for form in meta["raw_file_forms"]),
        refused_characters=tuple(meta["raw_dir_refused_characters"]),
    )


RAW_TABLES = raw_file_rule().tables


def default_raw_dir(project_dir: Path = PROJECT_DIR) -> Path:
    """The var raw_dir of dbt_project.yml (the bundled sample), relative to the project folder."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return project_dir / project["vars"]["raw_dir"]


def alternatives(paths: list[str]) -> str:
    """'a, b or c'."""
    return ", ".join(paths[:-1]) + (" or " if len(paths) > 1 else "") + paths[-1]


def table_format(raw_dir: Path, table: str) -> str | None:
    """The format of the first form of `table` with at least one file in raw_dir, else None."""
    for form in raw_file_rule().forms:
        if any(path.is_file() for path in raw_dir.glob(form.pattern(table))):
            return form.format
    return None


def detect_raw_formats(raw_dir: Path) -> dict[str, str]:
    """Map each raw table to its format, raising RawInputError naming what is missing."""
    rule = raw_file_rule()
    if not raw_dir.is_dir():
        raise RawInputError(f"raw_dir {raw_dir} does not exist or is not a folder")
    refused = [character for character in rule.refused_characters if character in str(raw_dir)]
    if refused:
        raise RawInputError(
            f"raw_dir {raw_dir} has the glob character(s) {' '.join(refused)} in its path, which "
            f"would match other folders; rename or link it without {' '.join(rule.refused_characters)}"
        )
    found = {table: table_format(raw_dir, table) for table in sorted(rule.tables)}  # the hook's order
    if not any(found.values()):
        raise RawInputError(
            f"raw_dir {raw_dir} holds no raw tables: expected {', '.join(found)}, "
            f"each as {alternatives([form.pattern('<table>') for form in rule.forms])}"
        )
    for table, table_found in found.items():
        if table_found is None:
            expected = alternatives([f"{raw_dir}/{form.pattern(table)}" for form in rule.forms])
            raise RawInputError(f"raw table {table} not found: expected {expected}")
    return {table: str(found[table]) for table in rule.tables}
