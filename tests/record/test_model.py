"""The inspection record: document form, parsing with every problem, shipped schema."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import jsonschema
import pytest

from kit.errors import ValidationError
from kit.record import (
    Finding,
    Inspection,
    Member,
    from_doc,
    inspection_schema,
    new_inspection,
    parse_doc,
    to_doc,
)
from kit.resources import DATA_DIR


def test_new_inspection_is_under_the_current_guide_with_all_sections():
    ins = new_inspection(type="focused", start_date=date(2026, 11, 20))
    assert ins.guide_id == "beijing-production-inspection"
    assert ins.guide_version
    assert len(ins.scope.sections) == 14
    assert ins.scope.type == "focused"
    assert ins.stage == "preparation"


def test_document_round_trip_is_exact(demo_doc):
    ins = from_doc(demo_doc)
    assert to_doc(ins) == demo_doc
    assert from_doc(json.loads(json.dumps(to_doc(ins)))) == ins


def test_documents_use_codes_dates_and_keyed_collections(demo_doc):
    assert demo_doc["scope"]["start_date"] == "2026-11-19"
    assert demo_doc["findings"]["F3"]["handling"] == "suspend_and_rectify"
    assert isinstance(demo_doc["team"], dict)
    assert demo_doc["results"]["7.8.m4"]["result"] in ("conform", "nonconform")


def test_every_problem_is_reported_with_its_path():
    doc = to_doc(new_inspection())
    doc["scope"]["start_date"] = "2026/11/20"
    doc["scope"]["remote"] = "yes"
    doc["team"]["M1"] = {"name": "张明", "role": "boss"}
    doc["findings"]["F1"] = {"item": "7.1.m1", "deadline": 20261201}
    doc["surprise"] = 1
    with pytest.raises(ValidationError) as info:
        from_doc(doc)
    found = {(p.field, p.code) for p in info.value.problems}
    assert found == {
        ("/scope/start_date", "json.date"),
        ("/scope/remote", "json.type"),
        ("/team/M1/role", "json.choice"),
        ("/findings/F1/deadline", "json.date"),
        ("/surprise", "json.unknown_field"),
    }


def test_lenient_parse_keeps_the_good_fields():
    doc = to_doc(new_inspection())
    doc["company"]["name"] = "北京示例"
    doc["company"]["credit_code"] = 12345
    ins, problems = parse_doc(doc)
    assert ins.company.name == "北京示例"
    assert ins.company.credit_code == ""
    assert [p.field for p in problems] == ["/company/credit_code"]


@pytest.mark.parametrize("bad", [None, [], "x", 3])
def test_a_document_that_is_not_an_object_is_refused(bad):
    with pytest.raises(ValidationError):
        from_doc(bad)


def test_ids_with_slashes_are_refused():
    doc = to_doc(new_inspection())
    doc["findings"]["a/b"] = {}
    with pytest.raises(ValidationError, match="may not contain /"):
        from_doc(doc)


def test_shipped_schema_is_current_and_accepts_the_demo(demo_doc):
    shipped = json.loads((DATA_DIR / "inspection.schema.json").read_text(encoding="utf-8"))
    assert shipped == inspection_schema()
    jsonschema.Draft202012Validator.check_schema(shipped)
    jsonschema.validate(demo_doc, shipped)
    broken = dict(demo_doc, stage="archived")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, shipped)


def test_views_of_the_team():
    ins = replace(
        new_inspection(),
        team={
            "M1": Member("张明", "leader", sections=("7.1",)),
            "M2": Member("李华", "inspector", sections=("7.1", "7.2")),
            "E1": Member("赵工", "expert"),
        },
        findings={"F1": Finding("7.1.m1", "x")},
    )
    assert ins.leaders == ("M1",)
    assert ins.inspectors == ("M1", "M2")
    assert ins.owners("7.1") == ("M1", "M2")
    assert ins.result("7.9.m1").result == "unchecked"
    assert isinstance(ins, Inspection)


def test_the_inspecting_authority_is_the_leaders_else_the_companys():
    from kit.record import Company, Member

    ins = replace(new_inspection(), company=Company(name="甲", authority="北京市药品监督管理局第三分局"))
    assert ins.inspecting_authority == "北京市药品监督管理局第三分局"  # no leader yet
    ins = replace(ins, team={"M1": Member(name="张明", role="inspector", authority="某区局"),
                             "M2": Member(name="李华", role="leader", authority="")})
    assert ins.inspecting_authority == "北京市药品监督管理局第三分局"  # the leader names none
    ins = replace(ins, team={**ins.team, "M2": Member(name="李华", role="leader",
                                                      authority="北京市药品监督管理局")})
    assert ins.inspecting_authority == "北京市药品监督管理局"  # the leader's, not a member's
