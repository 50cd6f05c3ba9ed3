"""kit.reasons: one closed list of reason codes, each explained, and every code the kit writes in it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import kit
from kit.errors import KitError, Problem
from kit.guide import load_guide
from kit.reasons import CODES, Reason

KIT = Path(kit.__file__).parent
#: calls that take a reason code as their first argument (``_problem`` in the codec: second)
_MAKERS = {"Problem": 0, "error": 0, "warning": 0, "add": 0, "cells": 0, "fail": 0, "bad": 0,
           "problem": 0, "_seal_problem": 0, "_problem": 1}
_CODE_SHAPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$")


def _written_codes() -> dict[str, list[str]]:
    """Every literal passed as a code to a problem-making call in the kit's source."""
    found: dict[str, list[str]] = {}
    for path in sorted(KIT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            at = _MAKERS.get(name)
            if at is None or len(node.args) <= at:
                continue
            arg = node.args[at]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
                    and _CODE_SHAPE.match(arg.value):
                found.setdefault(arg.value, []).append(f"{path.relative_to(KIT)}:{node.lineno}")
    return found


def test_every_code_written_in_the_kit_is_in_the_registry() -> None:
    written = _written_codes()
    assert len(written) > 100  # the scan finds the kit's codes, not nothing
    unknown = {code: where for code, where in written.items() if code not in CODES}
    assert unknown == {}


def test_dynamic_codes_are_in_the_registry_too() -> None:
    for kind in ("bool", "class", "conclusion"):  # the register reader's f"bad_{kind}"
        assert f"bad_{kind}" in CODES
    for code in ("schema", "bad_range", "both", "workday_not_weekend", "bad_date", "wrong_year",
                 "yaml"):  # the holiday file's f"holidays.{code}"
        assert f"holidays.{code}" in CODES


def test_a_problem_with_an_unlisted_code_cannot_be_made() -> None:
    with pytest.raises(KitError, match="unknown reason code"):
        Problem("team.too_smal", "拼错的代码", "a typo")
    problem = Problem("team.too_small", "检查组不足2人", "too small")
    assert problem.code == "team.too_small"
    assert problem.reason is Reason.TEAM_TOO_SMALL
    assert "[team.too_small]" in str(problem)


def test_every_code_is_explained_in_both_languages() -> None:
    for reason in Reason:
        assert reason.zh.strip(), reason
        assert reason.en.strip(), reason
        assert _CODE_SHAPE.match(reason.value), reason


def test_every_rule_code_cites_a_clause_that_is_in_the_guide() -> None:
    labels = {c.label for c in load_guide().clauses()}
    rule_prefixes = ("team.", "division.", "notification.", "remote.", "scope.", "joint.",
                     "delegated.", "plan.", "company.", "licence.", "product.", "result.",
                     "finding.", "signatures.", "follow_up.", "review.", "extension.", "verdict.",
                     "extended.", "cross_region.", "past_products.", "inability.")
    for reason in Reason:
        if not reason.value.startswith(rule_prefixes):
            continue
        assert reason.clause, f"{reason.value} cites no clause"
        for part in reason.clause.split("；"):
            assert part in labels or f"{part}." in labels, f"{reason.value}: no clause {part}"
