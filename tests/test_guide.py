"""The guide as data: complete, verbatim, valid, searchable."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from kit.errors import NotFoundError, ValidationError
from kit.guide import (
    GUIDE_FILE,
    SOURCE_TEXT_FILE,
    guide_from_data,
    load_guide,
    validate_guide_data,
)

SHARED_GUIDE = (
    Path(__file__).resolve().parents[2] / "shared/guide/beijing-production-inspection-guide.zh.txt"
)


@pytest.fixture(scope="module")
def guide():
    return load_guide()


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(GUIDE_FILE.read_text(encoding="utf-8"))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_data_file_is_valid_against_its_schema(raw):
    assert validate_guide_data(raw) == []


def test_schema_rejects_a_clause_without_text(raw):
    broken = yaml.safe_load(yaml.safe_dump(raw, allow_unicode=True))
    del broken["parts"][8]["children"][0]["zh"]
    problems = validate_guide_data(broken)
    assert problems
    assert any(p.field.startswith("parts/8/children/0") for p in problems)


def test_load_guide_from_a_path_reports_schema_problems(tmp_path, raw):
    broken = dict(raw, format_version=2)
    path = tmp_path / "guide.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_guide(path)
    assert any("format_version" in p.field for p in info.value.problems)


def test_every_text_is_the_guides_own_words(guide):
    source = _squash(SOURCE_TEXT_FILE.read_text(encoding="utf-8"))
    missing = []
    for clause in guide.clauses():
        for text in (clause.zh, clause.title.zh if clause.title else ""):
            if text and _squash(text) not in source:
                missing.append((clause.id, text))
    assert missing == []


@pytest.mark.skipif(not SHARED_GUIDE.exists(), reason="shared/ is not beside this checkout")
def test_shipped_source_text_is_the_shared_guide():
    assert SOURCE_TEXT_FILE.read_bytes() == SHARED_GUIDE.read_bytes()


def test_no_empty_text_and_every_clause_translated(guide):
    for clause in guide.clauses():
        text = clause.text
        assert text.zh.strip(), clause.id
        assert text.en.strip(), clause.id
        assert not re.search(r"[\u4e00-\u9fff]", text.en), f"Chinese left in English of {clause.id}"


def test_ids_unique_and_shaped(raw):
    ids = []

    def walk(node):
        ids.append(node["id"])
        for child in node.get("children", ()):
            walk(child)

    for part in raw["parts"]:
        walk(part)
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert all(re.fullmatch(r"\d+(\.[0-9a-z]+)*", i) for i in ids)


def test_duplicate_ids_are_refused(raw):
    broken = yaml.safe_load(yaml.safe_dump(raw, allow_unicode=True))
    section = broken["parts"][6]["children"][0]
    section["children"][1]["id"] = section["children"][0]["id"]
    with pytest.raises(ValidationError, match="duplicate clause id"):
        guide_from_data(broken)


def test_ten_parts_in_the_guides_order(guide):
    labels = [p.label for p in guide.parts]
    assert labels == ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
    assert [p.title.zh for p in guide.parts if p.title][:3] == ["适用范围", "检查原则", "检查依据"]


def test_checklist_sections_and_item_counts(guide):
    sections = guide.sections
    assert len(sections) == 14
    kinds = Counter(i.kind for s in sections[:13] for i in s.items())
    assert kinds["content"] == 64
    assert kinds["method"] == 74
    assert [i.kind for i in sections[13].items("focus")] == ["focus"] * 7
    assert len(guide.checklist_items()) == 64 + 74 + 7
    per_section = {s.id: len(s.items("content", "method")) for s in sections[:13]}
    assert per_section["7.2"] == 8 + 9
    assert per_section["7.6"] == 3 + 10


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("3", 9),  # nine legal bases
        ("6", 10),  # ten implementation steps
        ("9", 6),  # six sampling rules
    ],
)
def test_numbered_items_per_part(guide, part, expected):
    assert len(guide.part(part).items("item")) == expected


def test_people_preparation_and_handling_structure(guide):
    assert len(guide.item("4.2").children) == 7
    assert len(guide.item("4.3").children) == 2
    assert len(guide.item("5.1").children) == 8
    assert len(guide.part(5).items("item")) == 8
    assert len(guide.item("10.1").children) == 5
    assert len(guide.item("10.3").children) == 8
    assert [len(guide.section(f"8.{n}").items("item")) for n in range(1, 6)] == [3, 5, 3, 2, 4]


def test_vocabularies_point_at_clauses(guide):
    for name, terms in guide.vocabularies.items():
        codes = [t.code for t in terms]
        assert len(codes) == len(set(codes)), name
        for term in terms:
            assert term.source in guide, (name, term.code)
    assert [t.zh for t in guide.terms("inspection_types")] == [
        "监督检查", "重点检查", "跟踪检查", "有因检查", "专项检查", "延伸检查",
    ]
    # 一's three parties, and 六、5's suppliers and service providers (延伸检查 only)
    assert [t.zh for t in guide.terms("roles")][:3] == ["注册人", "备案人", "受托生产企业"]
    assert {t.code: t.source for t in guide.terms("roles")[3:]} == {
        "supplier": "6.5", "service_provider": "6.5"}
    needs = {t.code for t in guide.terms("handling_kinds") if t.needs_deadline}
    assert needs == {"suspend_and_rectify", "rectify_by_deadline"}
    assert len(guide.terms("follow_up_measures")) == 8


def test_lookup_by_id_label_and_section(guide):
    item = guide.item("7.8.m4")
    assert item.kind == "method"
    assert item.label == "七、8.检查方法（4）"
    assert item.zh.startswith("查看关键工序和特殊过程重要参数的验证或确认方案")
    assert item.parent_id == "7.8"
    assert guide.section(8) is guide.item("7.8")
    assert guide.section("8.4").title.zh == "远程检查"
    assert guide.item("9.4").zh.startswith("当同次检查中涉及一个产品的多个过程记录时")


def test_unknown_ids_say_what_is_near(guide):
    with pytest.raises(NotFoundError, match=r"7\.8\.m4"):
        guide.item("7.8.m99")
    with pytest.raises(NotFoundError):
        guide.section(15)
    with pytest.raises(NotFoundError, match="not a section"):
        guide.section("7.8.m4")
    with pytest.raises(NotFoundError, match="rectify_by_deadline"):
        guide.term("handling_kinds", "nope")


def test_search_chinese_english_and_several_words(guide):
    assert [c.id for c in guide.search("劳动合同")] == ["7.2.m9"]
    hits = {c.id for c in guide.search("记录")}
    assert {"9.1", "9.5", "7.8.m8"} <= hits
    assert "7.1.m1" not in hits
    english = [c.id for c in guide.search("CALIBRATION")]
    assert "7.4.m3" in english
    both = [c.id for c in guide.search("记录 追溯")]
    assert "8.2.5" in both
    assert all("记录" in guide.item(i).zh and "追溯" in guide.item(i).zh for i in both)
    assert guide.search("   ") == []
    assert [c.id for c in guide.search("远程", kinds=("section",))] == ["8.4"]


def test_to_dict_round_trips(guide):
    assert guide_from_data(guide.to_dict()) == guide


def test_guide_is_frozen(guide):
    with pytest.raises(AttributeError):
        guide.item("9.1").zh = "changed"
