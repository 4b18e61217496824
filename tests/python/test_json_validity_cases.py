"""The shared JSON test strings (seeds/json_validity_cases.csv) carry RFC 8259's verdicts.

The singular dbt test assert_json_validity_cases runs the macro is_valid_json on these cases on
each engine; this test checks the verdicts themselves against an independent reader, Python's json
module made strict (no NaN/Infinity, no control characters in strings), so a wrong label in the
seed cannot make both engines agree on a wrong answer. Python's reader differs from the rule
(doc json_validity_rule) only where the rule sets its own limits, listed in RULE_LIMITS."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "seeds" / "json_validity_cases.csv"
# The cases the rule rejects by its own limits (RFC 8259 sections 8.2 and 9) that Python accepts:
# a lone surrogate escape, and nesting deeper than var json_max_nesting_depth.
RULE_LIMITS = {"lone_surrogate_escape", "nesting_beyond_limit"}


def strict_python_verdict(text: str) -> bool:
    """True when Python's json module, made strict, reads the text as one JSON value."""

    def reject_constant(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    try:
        json.loads(text, strict=True, parse_constant=reject_constant)
    except ValueError:  # json.JSONDecodeError is a ValueError
        return False
    return True


def seed_cases() -> list[dict[str, str]]:
    with SEED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("case", seed_cases(), ids=lambda case: case["case_name"])
def test_seed_verdict_is_rfc_8259s(case: dict[str, str]) -> None:
    text = bytes.fromhex(case["json_text_hex"]).decode("utf-8")
    seed_verdict = case["is_valid_json"] == "true"
    if case["case_name"] in RULE_LIMITS:
        assert strict_python_verdict(text) and not seed_verdict, "a limit of the rule: Python accepts, the rule rejects"
    else:
        assert seed_verdict == strict_python_verdict(text)


def test_cases_cover_both_verdicts_and_the_generators_broken_json() -> None:
    """Both verdicts occur, and every broken properties text the generator writes is a case."""
    from stratalib.generate.catalogues import BROKEN_JSON

    cases = seed_cases()
    texts = {bytes.fromhex(case["json_text_hex"]).decode("utf-8"): case["is_valid_json"] for case in cases}
    assert {case["is_valid_json"] for case in cases} == {"true", "false"}
    assert all(texts.get(text) == "false" for text in BROKEN_JSON)
    limit = next(case for case in cases if case["case_name"] == "nesting_at_limit")
    depth = bytes.fromhex(limit["json_text_hex"]).decode().count("[")
    project = (SEED.parents[1] / "dbt_project.yml").read_text()
    assert f"json_max_nesting_depth: {depth}\n" in project
