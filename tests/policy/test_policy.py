"""The office's own rules in templates/: the grading scheme and verdict, and each handling's
outcome. Read, checked (a problem names the file and the field), chosen without code."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from kit.errors import ValidationError
from kit.policy import load_policy, policy_problems
from kit.resources import templates_dir


def office_templates(tmp_path: Path, *, scheme: str | None = None,
                     handling: dict[str, Any] | None = None,
                     grading: dict[str, Any] | None = None) -> Path:
    """A copy of the shipped templates folder with the office's choices changed (for a test to
    point KIT_TEMPLATES_DIR at)."""
    folder = tmp_path / "templates"
    if not folder.exists():
        shutil.copytree(templates_dir(), folder)
    g_path, h_path = folder / "grading.yaml", folder / "handling.yaml"
    g = yaml.safe_load(g_path.read_text(encoding="utf-8"))
    if scheme is not None:
        g["scheme"] = scheme
    g.update(grading or {})
    g_path.write_text(yaml.safe_dump(g, allow_unicode=True), encoding="utf-8")
    h = yaml.safe_load(h_path.read_text(encoding="utf-8"))
    for part, values in (handling or {}).items():
        h[part] = {**h[part], **values}
    h_path.write_text(yaml.safe_dump(h, allow_unicode=True), encoding="utf-8")
    return folder


def test_the_shipped_policy_is_the_guides_no_grading_and_an_on_site_recheck():
    policy = load_policy()
    assert policy.scheme.id == "none"
    assert not policy.scheme.grades
    assert {s.id for s in policy.schemes} == {"none", "nmpa2015", "n19", "fda"}
    assert policy.handling.recheck_on_site
    assert set(policy.handling.resume_kinds) == {"suspend_and_warn", "suspend_and_rectify"}
    assert "十、1" in policy.handling.resumption_source  # its source is cited
    for s in policy.schemes:
        assert s.source  # every scheme says where it comes from


def test_the_office_chooses_a_scheme_in_templates(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(office_templates(tmp_path, scheme="nmpa2015")))
    scheme = load_policy().scheme
    assert [g.code for g in scheme.grades] == ["key", "general_direct", "general"]
    assert scheme.propose([]) == "pass"
    assert scheme.propose(["general", "general"]) == "recheck"
    assert scheme.propose(["general", "general_direct"]) == "fail"
    assert scheme.propose(["general", ""]) == ""  # a finding not graded yet: no proposal


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"scheme": "iso"}, "scheme", "iso"),
    ({"schemes": {"none": {"zh": "x", "en": "x", "source": "x", "grades": [],
                           "verdicts": [], "propose": []},
                  "mine": {"zh": "x", "en": "x", "source": "x",
                           "grades": [{"code": "a", "zh": "甲", "en": "a"}],
                           "verdicts": [{"code": "ok", "zh": "好", "en": "ok"}],
                           "propose": [{"verdict": "bad", "any": ["a"]}, {"verdict": "ok"}]}}},
     "schemes/mine/propose/0/verdict", "bad"),
    ({"schemes": {"none": {"zh": "x", "en": "x", "source": "x", "grades": [],
                           "verdicts": [], "propose": []},
                  "mine": {"zh": "x", "en": "x", "source": "x",
                           "grades": [{"code": "a", "zh": "甲", "en": "a"}],
                           "verdicts": [{"code": "ok", "zh": "好", "en": "ok"}],
                           "propose": [{"verdict": "ok", "any": ["a"]}]}}},
     "schemes/mine/propose", "最后一条"),
])
def test_a_wrong_grading_file_names_the_file_and_the_field(tmp_path, change, field, words):
    folder = office_templates(tmp_path, grading=change)
    problems = policy_problems(folder)
    assert problems, change
    assert any(p.field == field and words in p.message for p in problems), problems
    assert all(p.file.endswith("grading.yaml") for p in problems)


def test_broken_yaml_and_a_missing_field_are_said_with_the_line(tmp_path):
    folder = office_templates(tmp_path)
    (folder / "grading.yaml").write_text("scheme: none\nschemes: [\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_policy(folder)
    assert info.value.problems[0].row is not None
    (folder / "grading.yaml").write_text("scheme: none\n", encoding="utf-8")
    assert any("schemes" in p.message for p in policy_problems(folder))
    h = folder / "handling.yaml"
    h.write_text("resumption: {recheck_on_site: maybe, kinds: [], source: x}\n"
                 "suspension_notice: {required: true, kinds: []}\n", encoding="utf-8")
    (folder / "grading.yaml").write_text(
        (templates_dir() / "grading.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    problems = policy_problems(folder)
    assert problems
    assert problems[0].field.startswith("resumption/recheck_on_site")
