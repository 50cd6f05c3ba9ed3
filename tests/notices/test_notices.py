"""The written notices (六、7-9): the office's templates, numbering, issuing and serving."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from kit.door import Door, Identity
from kit.errors import ConflictError, NotFoundError, ValidationError
from kit.notices import (
    PLACEHOLDERS,
    compose,
    follows_scheme,
    load_notice_templates,
    next_number,
    notices_file,
)
from kit.policy import Policy, load_policy
from kit.record import Inspection, Notice
from kit.resources import shipped_dir
from kit.rules import check
from kit.session import Session
from kit.store import NumberTakenError, Store

DAY = date(2026, 11, 20)


@pytest.fixture
def store(any_store_url: str) -> Iterator[Store]:
    """A new store, once on SQLite and once on PostgreSQL."""
    with Store(any_store_url) as s:
        yield s


def reporting(demo: Inspection, iid: str) -> Inspection:
    """The demo as it stood when its notices were drawn up: at the report, none issued."""
    return replace(demo, id=iid, stage="reporting", notices={})


# -- the office's templates ------------------------------------------------------------------
def test_the_shipped_templates_load_with_the_three_notices() -> None:
    t = load_notice_templates()
    assert set(t.kinds) == {"result", "rectification", "suspension"}
    assert t["rectification"].title == "医疗器械生产监督检查整改通知书"


def test_every_placeholder_is_documented_in_the_files_header() -> None:
    header = "".join(line for line in notices_file().read_text(encoding="utf-8").splitlines()
                     if line.startswith("#"))
    for name in PLACEHOLDERS:
        assert f"{{{name}}}" in header, name
    assert {"检查结论", "安全警示信息", "恢复生产条件"} <= set(PLACEHOLDERS)


def write(tmp_path: Path, change: dict) -> Path:
    data = yaml.safe_load(notices_file().read_text(encoding="utf-8"))
    for path, value in change.items():
        node = data
        *parents, last = path.split("/")
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        node[last] = value
    out = tmp_path / "notices.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"notices/result/paragraphs": ["致{公司名}："]}, "notices/result/paragraphs/0", "{公司名}"),
    ({"notices/rectification/number": "京整〔2026〕{seq}号"}, "notices/rectification/number",
     "{year}"),
    ({"notices/result/number": "京检〔{year}〕{seq}-{seq}号"}, "notices/result/number", "{seq}"),
    ({"notices/result/title": 3}, "notices/result/title", "文本"),
    ({"notices/suspension/closing": ["{恢复条件}"]}, "notices/suspension/closing/0", "{恢复条件}"),
])
def test_a_broken_template_is_reported_with_its_field(tmp_path: Path, change: dict, field: str,
                                                      words: str) -> None:
    path = write(tmp_path, change)
    with pytest.raises(ValidationError) as err:
        load_notice_templates(path)
    (problem,) = err.value.problems
    assert (problem.code, problem.field, problem.file) == ("notices.template", field,
                                                           str(path.resolve()))
    assert words in problem.message


def test_yaml_errors_and_a_missing_file_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("office: [\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_notice_templates(bad)
    assert err.value.problems[0].row == 2
    with pytest.raises(NotFoundError, match="no notice templates"):
        load_notice_templates(tmp_path / "none.yaml")


def test_numbers_run_per_year_in_the_office_scheme() -> None:
    scheme = "京药监械整改〔{year}〕{seq:03d}号"
    used = {"京药监械整改〔2026〕009号", "京药监械整改〔2026〕010号", "京药监械整改〔2025〕077号",
            "手写 12 号", "京药监械检告〔2026〕500号"}
    assert next_number(scheme, 2026, used) == "京药监械整改〔2026〕011号"
    assert next_number(scheme, 2027, used) == "京药监械整改〔2027〕001号"
    assert next_number("整〔{year}〕{seq}号", 2026, ["整〔2026〕9号"]) == "整〔2026〕10号"
    assert follows_scheme("京药监械整改〔2026〕011号", scheme, 2026)
    assert not follows_scheme("京药监械整改〔2026〕011号", scheme, 2025)


# -- what a notice says ----------------------------------------------------------------------
def test_the_rectification_notice_lists_each_finding_with_its_deadline_in_working_days(
        demo: Inspection) -> None:
    text = compose(demo, "rectification")
    assert text.number == "京药监械整改〔2026〕064号"
    assert text.title == "医疗器械生产监督检查整改通知书"
    # F2 was corrected on site: it has no deadline and is not on this notice (十、1)
    assert [r[0] for r in text.table_rows] == ["1", "2", "3"]
    first = text.table_rows[0]
    assert first[1].startswith("洁净车间2026年9月的环境监测记录")
    assert first[2] == "七、3.检查方法（2）\n依据：《医疗器械生产质量管理规范附录无菌医疗器械》"
    assert first[4] == "2026年12月11日\n（15个工作日）"  # from the last visit day, official calendar
    assert text.table_rows[1][4] == "2026年12月4日\n（10个工作日）"
    # F4's deadline was extended (延期整改 E1): the one in force, and that it was extended
    assert text.table_rows[2][4] == "2026年12月18日\n（20个工作日）\n已延期（原期限 2026年12月11日）"
    assert "2026年11月19日至2026年11月20日" in text.paragraphs[0]
    assert text.receipt == ("送达日期：2026年11月20日", "签收人（签字）：陈示例")


def test_the_result_notice_states_the_opinion_and_every_finding(demo: Inspection) -> None:
    text = compose(demo, "result")
    assert len(text.table_rows) == 4
    assert any("企业质量管理体系总体运行正常" in p for p in text.paragraphs)
    assert "《医疗器械监督管理条例》" in text.paragraphs[0]
    assert text.table_rows[1][3] == "现场监督立即纠正"
    # the guide grades nothing (scheme: none): no verdict, no grade, nothing left blank
    assert not any("检查结论" in p for p in text.paragraphs)
    assert text.table_header == ("序号", "问题描述", "检查项", "处理方式")


def office_policy(tmp_path: Path, scheme: str) -> Policy:
    folder = tmp_path / "templates"
    shutil.copytree(shipped_dir("templates"), folder)
    grading = folder / "grading.yaml"
    grading.write_text(grading.read_text("utf-8").replace("\nscheme: none\n",
                                                          f"\nscheme: {scheme}\n"), "utf-8")
    return load_policy(folder)


def graded(demo: Inspection, grades: dict[str, str], **opinion: str) -> Inspection:
    findings = {k: replace(f, grade=grades.get(k, "")) for k, f in demo.findings.items()}
    return replace(demo, findings=findings, opinion=replace(demo.opinion, **opinion))


def test_the_result_notice_states_the_verdict_and_each_grade_under_the_offices_scheme(
        tmp_path: Path, demo: Inspection) -> None:
    policy = office_policy(tmp_path, "nmpa2015")
    ins = graded(demo, {"F1": "general", "F2": "general", "F3": "key", "F4": "general"},
                 verdict="recheck", scheme="nmpa2015", verdict_reason="关键项已当场纠正")
    text = compose(ins, "result", policy=policy)
    assert "检查结论：整改后复查（按“现场检查指导原则（2015）关键项/一般项”评定）。" in text.paragraphs
    assert text.table_header[3] == "等级及处理方式"
    assert text.table_rows[2][3] == "等级：关键项（*）不符合\n处理：暂停生产并立即开始整改"
    assert text.table_rows[0][3].startswith("等级：一般项不符合\n")
    draft = compose(graded(demo, {"F1": "general"}), "result", policy=policy)
    assert "检查结论：（检查结论尚未确认）" in draft.paragraphs
    assert draft.table_rows[1][3].startswith("等级：（尚未定级）")


def test_a_verdict_is_stated_in_the_words_of_the_scheme_it_was_given_under(
        tmp_path: Path, demo: Inspection) -> None:
    policy = office_policy(tmp_path, "fda")
    ins = graded(demo, dict.fromkeys(demo.findings, "minor"), verdict="VAI", scheme="fda")
    assert "检查结论：企业自行纠正（VAI）（按“FDA 检查分类（NAI/VAI/OAI）”评定）。" in compose(
        ins, "result", policy=policy).paragraphs


def test_a_refusal_prints_the_inspectors_who_noted_it(demo: Inspection) -> None:
    refused = replace(demo.notices["result"], received_by="", refused=True,
                      witnesses=("M1", "M2"), note="企业负责人拒绝签收")
    text = compose(replace(demo, notices={**demo.notices, "result": refused}), "result")
    assert text.receipt[1:] == ("企业拒绝签收。检查人员（签字）：张明、李华", "说明：企业负责人拒绝签收")


def test_an_office_template_changes_the_wording_without_code(tmp_path: Path,
                                                            demo: Inspection) -> None:
    path = write(tmp_path, {"office/name": "北京市药品监督管理局第七分局",
                            "notices/result/closing": ["请于{检查结束日期}起十日内反馈。"]})
    text = compose(demo, "result", templates=load_notice_templates(path))
    assert text.office == "北京市药品监督管理局第七分局"
    assert text.closing == ("请于2026年11月20日起十日内反馈。",)


# -- issuing and serving ---------------------------------------------------------------------
def test_issuing_numbers_each_notice_in_turn_across_the_office(store: Store,
                                                               demo: Inspection) -> None:
    a = Session.create(Door(store, Identity("张明")), reporting(demo, "a"))
    b = Session.create(Door(store, Identity("李华")), reporting(demo, "b"))
    assert a.issue_notice("result", on=DAY) == "京药监械检告〔2026〕001号"
    assert b.issue_notice("result", on=DAY) == "京药监械检告〔2026〕002号"
    assert a.issue_notice("rectification", on=DAY) == "京药监械整改〔2026〕001号"
    assert a.issue_notice("result", on=date(2026, 12, 1)) == "京药监械检告〔2026〕001号"  # kept
    assert a.inspection.notices["result"].issued_on == DAY
    (entry,) = store.audit("a", "notices/result/number")
    assert (entry.user, entry.action, entry.new) == ("张明", "issue", "京药监械检告〔2026〕001号")
    assert store.notice_numbers() == {"京药监械检告〔2026〕001号", "京药监械检告〔2026〕002号",
                                      "京药监械整改〔2026〕001号"}


def test_the_store_never_gives_one_number_twice(store: Store, demo: Inspection) -> None:
    a = Session.create(Door(store, Identity("张明")), reporting(demo, "a"))
    b = Session.create(Door(store, Identity("李华")), reporting(demo, "b"))
    a.issue_notice("result", on=DAY)
    with pytest.raises(NumberTakenError, match="already another notice"):
        b.set("notices/result/number", "京药监械检告〔2026〕001号")
    assert "result" not in b.inspection.notices or not b.inspection.notices["result"].number


def test_two_issuing_at_once_get_two_numbers(store: Store, demo: Inspection,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    a = Session.create(Door(store, Identity("张明")), reporting(demo, "a"))
    b = Session.create(Door(store, Identity("李华")), reporting(demo, "b"))
    seen = store.notice_numbers()  # b read the numbers before a wrote its own
    a.issue_notice("result", on=DAY)
    real, reads = store.notice_numbers, []

    def stale_then_real() -> set[str]:
        reads.append(1)
        return seen if len(reads) == 1 else real()

    monkeypatch.setattr(store, "notice_numbers", stale_then_real)
    assert b.issue_notice("result", on=DAY) == "京药监械检告〔2026〕002号"
    assert len(reads) == 2  # the first try met a's number and took the next


def test_what_a_notice_states_must_be_there_before_it_is_issued(store: Store,
                                                                demo: Inspection) -> None:
    on_site = Session.create(Door(store, Identity("张明")), replace(reporting(demo, "a"), stage="on_site"))
    with pytest.raises(ValidationError) as err:
        on_site.issue_notice("result", on=DAY)
    assert [p.code for p in err.value.problems] == ["notices.too_early"]
    no_opinion = Session.create(Door(store, Identity("张明")), replace(reporting(demo, "b"), opinion=replace(
        demo.opinion, conclusion="")))
    with pytest.raises(ValidationError) as err:
        no_opinion.issue_notice("result", on=DAY)
    assert [p.field for p in err.value.problems] == ["opinion/conclusion"]
    findings = {k: replace(f, requirement="") if k == "F4" else f
                for k, f in demo.findings.items()}
    gap = Session.create(Door(store, Identity("张明")), replace(reporting(demo, "c"), findings=findings))
    with pytest.raises(ValidationError) as err:
        gap.issue_notice("rectification", on=DAY)
    assert [(p.code, p.field) for p in err.value.problems] == [
        ("notices.finding_incomplete", "findings/F4")]
    only_on_site = {k: f for k, f in demo.findings.items() if k == "F2"}
    none = Session.create(Door(store, Identity("张明")), replace(reporting(demo, "d"), findings=only_on_site))
    with pytest.raises(ValidationError) as err:
        none.issue_notice("rectification", on=DAY)
    assert [p.code for p in err.value.problems] == ["notices.nothing_to_rectify"]
    assert store.notice_numbers() == set()  # nothing was numbered


def test_serving_records_the_receipt_or_a_refusal_noted_by_two(store: Store,
                                                               demo: Inspection) -> None:
    s = Session.create(Door(store, Identity("张明")), reporting(demo, "a"))
    with pytest.raises(ValidationError) as err:
        s.serve_notice("result", on=DAY, received_by="陈示例")
    assert err.value.problems[0].code == "notices.no_number"
    s.issue_notice("result", on=DAY)
    with pytest.raises(ValidationError) as err:
        s.serve_notice("result", on=DAY, refused=True, witnesses=("M1", "E1"))  # E1: expert
    assert [p.code for p in err.value.problems] == ["notices.refusal_needs_two"]
    with pytest.raises(ValidationError) as err:
        s.serve_notice("result", on=date(2026, 11, 18), received_by="陈示例")
    assert [p.code for p in err.value.problems] == ["notices.served_before_issued"]
    assert s.inspection.notices["result"].served_on is None  # nothing was saved
    s.serve_notice("result", on=DAY, refused=True, witnesses=("M1", "M2"), note="拒绝签收")
    kept = Session(Door(store, Identity("x")), "a").inspection.notices["result"]
    assert (kept.served_on, kept.refused, kept.witnesses) == (DAY, True, ("M1", "M2"))


# -- the rules -------------------------------------------------------------------------------
def codes(ins: Inspection) -> set[str]:
    return {p.code for p in check(ins) if p.code.startswith("notices.")}


def test_the_demo_has_both_notices_served(demo: Inspection) -> None:
    assert codes(demo) == set()


@pytest.mark.parametrize(("notices", "code"), [
    ({}, "notices.result_missing"),
    ({"result": Notice("N1", DAY, DAY, "陈示例")}, "notices.rectification_missing"),
    ({"result": Notice("N1", DAY), "rectification": Notice("N2", DAY, DAY, "陈示例")},
     "notices.not_served"),
    ({"result": Notice("N1", DAY, DAY), "rectification": Notice("N2", DAY, DAY, "陈示例")},
     "notices.no_receipt"),
    ({"result": Notice("N1", date(2026, 11, 1), DAY, "陈示例"),
      "rectification": Notice("N2", DAY, DAY, "陈示例")}, "notices.issued_before_visit"),
    ({"result": Notice("N1", DAY, DAY, "陈示例", True, ("M1", "M2")),
      "rectification": Notice("N2", DAY, DAY, "陈示例")}, "notices.refused_but_received"),
    ({"result": Notice("N1", DAY, DAY, "", True, ("M1", "M9")),
      "rectification": Notice("N2", DAY, DAY, "陈示例")}, "notices.unknown_witness"),
    ({"result": Notice("", None, DAY, "陈示例"),
      "rectification": Notice("N2", DAY, DAY, "陈示例")}, "notices.no_number"),
    ({**{"result": Notice("N1", DAY, DAY, "陈示例"),
         "rectification": Notice("N2", DAY, DAY, "陈示例")}, "warning": Notice("N3")},
     "notices.unknown_kind"),
])
def test_each_notice_rule_fires_on_its_breach(demo: Inspection, notices: dict, code: str
                                              ) -> None:
    assert code in codes(replace(demo, notices=notices))


def test_no_notice_is_asked_for_before_the_report(demo: Inspection) -> None:
    assert codes(replace(demo, stage="reporting", notices={})) == set()
    no_deadlines = {k: f for k, f in demo.findings.items() if k == "F2"}
    served = {"result": demo.notices["result"]}
    assert codes(replace(demo, findings=no_deadlines, notices=served)) == set()


def test_conflicts_are_conflicts(store: Store, demo: Inspection) -> None:
    assert issubclass(NumberTakenError, ConflictError)


def test_the_result_notice_says_when_the_company_kept_the_inspection_from_being_done(
        demo: Inspection) -> None:
    """六、8: 由于企业自身原因而无法实施检查 — the notice says why and who noted it, and says
    nothing of it otherwise."""
    plain = compose(demo, "result")
    assert not any("无法实施" in line for line in plain.paragraphs)
    two = tuple(demo.team)[:2]
    held = replace(demo, inability=replace(demo.inability, recorded=True, noted_by=two,
                                           reason="企业负责人拒绝开放洁净车间"))
    said = [line for line in compose(held, "result").paragraphs if "无法实施" in line]
    assert len(said) == 1
    # noted by one inspector only (六、8 wants two): nothing half-said on an official notice
    alone = replace(held, inability=replace(held.inability, noted_by=two[:1]))
    assert not any("无法实施" in line for line in compose(alone, "result").paragraphs)
    assert "企业负责人拒绝开放洁净车间" in said[0]
    assert "、".join(held.team[k].name for k in two) in said[0]
    assert "六、8" in said[0]
