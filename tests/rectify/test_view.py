"""What the company is to rectify is what the rules review: one definition (kit.policy), under
the office's own handling rules (templates/handling.yaml)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kit.guide import load_guide
from kit.policy import load_policy
from kit.record import Finding, Inspection, Notice, natural_key, new_inspection
from kit.rectify import company_inspection, submit_refusal
from kit.resources import shipped_dir
from kit.rules import Context
from kit.workdays import load_calendar

TODAY = date(2026, 3, 16)


def _every_kind() -> tuple[Inspection, dict[str, str]]:
    """A record served a notice, with one finding of each of 十、1's handling kinds (and one
    not yet handled), keyed so that key order and insertion order differ (F10 before F2)."""
    kinds = [t.code for t in load_guide().terms("handling_kinds")] + [""]
    keys = [f"F{n}" for n in (2, 10, *range(3, 3 + len(kinds) - 2))]
    findings = {key: Finding(item="7.8.c1", handling=kind, requirement="整改",
                             deadline=date(2026, 3, 20)) for key, kind in zip(keys, kinds,
                                                                              strict=True)}
    ins = replace(new_inspection(), id="I1", findings=findings,
                  notices={"rectification": Notice(number="N1", served_on=date(2026, 3, 2))})
    return ins, {key: f.handling for key, f in findings.items()}


def _both(ins: Inspection) -> tuple[list[str], list[str]]:
    """(the findings the company sees, the findings the rules review), each as a sorted list."""
    seen = [f.key for f in company_inspection(ins, load_calendar(), TODAY).findings]
    ctx = Context(inspection=ins, guide=load_guide(), profile=None,
                  calendar=load_calendar(), today=TODAY, policy=load_policy())
    return seen, sorted(ctx.to_review)


def test_the_company_sees_the_findings_the_rules_review_in_key_order() -> None:
    ins, kinds = _every_kind()
    seen, reviewed = _both(ins)
    assert sorted(seen) == reviewed
    # the guide's deadlines and the office's resumption after a review (shipped rules)
    assert {kinds[k] for k in seen} == {"rectify_by_deadline", "suspend_and_rectify",
                                        "suspend_and_warn"}
    assert seen == sorted(seen, key=natural_key)  # F3 … F10, as the company reads them
    assert seen[-1] == "F10"
    assert all(submit_refusal(ins, k) == "" for k in seen)
    assert all(submit_refusal(ins, k) for k in kinds if k not in seen)


def test_an_office_s_own_resumption_rule_changes_both_alike(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(shipped_dir("templates"), folder)
    rules = folder / "handling.yaml"
    text = rules.read_text("utf-8")
    old = "  kinds: [suspend_and_warn, suspend_and_rectify]\n  source:"
    assert old in text
    rules.write_text(text.replace(old, "  kinds: [suspend_and_rectify]\n  source:"), "utf-8")
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(folder))
    ins, kinds = _every_kind()
    seen, reviewed = _both(ins)
    assert sorted(seen) == reviewed
    # a suspension with a warning no longer resumes after a review: nothing to submit for it
    assert {kinds[k] for k in seen} == {"rectify_by_deadline", "suspend_and_rectify"}
