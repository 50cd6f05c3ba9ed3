"""十、1-3 to their ends, 延伸检查 and the duties across authorities: each rule with a record that
breaks it and one that keeps it, and the clause (or the office's rule) it cites."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from kit.policy import load_policy
from kit.reasons import Reason
from kit.record import CrossRegion, Extension, Finding, Inspection, Notice, Review
from kit.rules import check, errors, notice_problems

TODAY = date(2026, 12, 1)


def codes(ins: Inspection, **kw: object) -> set[str]:
    return {p.code for p in check(ins, today=TODAY, **kw)}  # type: ignore[arg-type]


def problem(ins: Inspection, code: str, **kw: object):
    found = [p for p in check(ins, today=TODAY, **kw) if p.code == code]  # type: ignore[arg-type]
    assert found, f"{code} not raised"
    return found[0]


def with_finding(ins: Inspection, key: str, **changes: object) -> Inspection:
    return replace(ins, findings={**ins.findings, key: replace(ins.findings[key], **changes)})


def add_finding(ins: Inspection, key: str, finding: Finding) -> Inspection:
    return replace(ins, findings={**ins.findings, key: finding})


def test_every_new_rule_code_cites_its_clause():
    cites = {"finding.correction_unconfirmed": "十、1", "finding.warning_missing": "十、1",
             "finding.case_unrecorded": "十、1", "finding.not_resumed": "十、1",
             "review.round_incomplete": "六、9", "extension.incomplete": "十、3",
             "past_products.notification": "十、2", "extended.no_principal": "六、5",
             "cross_region.no_communication": "五、8", "cross_region.report_both": "八、5.（3）",
             "cross_region.advance_report": "八、5.（4）"}
    for code, clause in cites.items():
        assert Reason(code).clause == clause


# -- 十、1 correct on site ------------------------------------------------------------------
def test_a_correction_on_site_is_confirmed_by_an_inspector_and_when(demo):
    assert "finding.correction_unconfirmed" not in codes(demo)
    unconfirmed = with_finding(demo, "F2", corrected_by="", corrected_at=None)
    p = problem(unconfirmed, "finding.correction_unconfirmed")
    assert p.field == "findings/F2/corrected_by"
    assert "十、1" in p.message
    no_time = with_finding(demo, "F2", corrected_at=None)
    assert "finding.correction_unconfirmed" in codes(no_time)
    # still on site: not yet asked
    assert "finding.correction_unconfirmed" not in codes(replace(unconfirmed, stage="on_site"))


# -- 十、1 suspension with a safety warning -------------------------------------------------
def _warned(demo: Inspection, **changes: object) -> Inspection:
    f = Finding(item="7.9.m5", description="产品造成人体伤害", handling="suspend_and_warn",
                requirement="立即暂停生产相关产品", warning_on=date(2026, 11, 21),
                warning_channel="北京市药监局官网", warning_text="暂停使用批号S2608-03注射器",
                state="passed", submitted_on=date(2026, 11, 23), review_mode="on_site",
                reviewed_on=date(2026, 11, 24), reviewer="张明")
    return add_finding(demo, "F5", replace(f, **changes))


def test_a_suspension_with_warning_records_the_warning_before_follow_up(demo):
    ins = _warned(demo)
    assert errors(check(ins, today=TODAY)) == []
    for gap in ({"warning_on": None}, {"warning_channel": " "}, {"warning_text": ""}):
        p = problem(_warned(demo, **gap), "finding.warning_missing")
        assert p.field == "findings/F5/warning_on"
    reporting = replace(_warned(demo, warning_on=None), stage="reporting")
    assert "finding.warning_missing" not in codes(reporting)


def test_suspended_production_resumes_only_after_an_on_site_recheck_that_passed(demo):
    written = _warned(demo, review_mode="written")
    p = problem(written, "finding.recheck_on_site")
    assert "本局规定" in p.message  # the office's rule, cited as such: 十、1 does not say it
    assert load_policy().handling.resumption_source in p.message
    still = _warned(demo, state="submitted", review_mode="", reviewed_on=None, reviewer="")
    p = problem(still, "finding.not_resumed")
    assert p.field == "findings/F5/state"
    assert "finding.not_resumed" not in codes(replace(still, stage="follow_up"))


def test_a_suspension_alone_still_needs_the_follow_up_review_before_closing(demo):
    only = replace(_warned(demo), findings={"F2": demo.findings["F2"],
                                            "F5": _warned(demo).findings["F5"]})
    assert "follow_up.not_closed" not in codes(only)
    unreviewed = replace(only, follow_up=replace(only.follow_up, reviewed_on=None))
    assert "follow_up.not_closed" in codes(unreviewed)
    steps = {k: v for k, v in only.steps.items() if k != "6.9"}
    assert "steps.undone" in codes(replace(only, steps=steps))


def test_the_resumption_rule_is_the_offices_and_can_be_turned_off(demo, tmp_path, monkeypatch):
    from tests.policy.test_policy import office_templates
    folder = office_templates(tmp_path, handling={"resumption": {"recheck_on_site": False}})
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(folder))
    assert "finding.recheck_on_site" not in codes(_warned(demo, review_mode="written"))


def test_a_suspension_needs_its_notice_issued_and_served(demo):
    no_notice = replace(demo, notices={k: v for k, v in demo.notices.items()
                                       if k != "suspension"})
    p = problem(no_notice, "notices.suspension_missing")
    assert p.field == "notices/suspension/number"
    unserved = replace(demo, notices={**demo.notices, "suspension": replace(
        demo.notices["suspension"], served_on=None)})
    assert "notices.not_served" in codes(unserved)
    assert not {"notices.suspension_missing", "notices.not_served"} & codes(demo)


def test_a_suspension_notice_is_issued_only_with_a_finding_that_suspends(demo):
    reporting = replace(demo, stage="reporting")
    assert notice_problems(reporting, "suspension", today=TODAY) == []
    nothing = replace(reporting, findings={k: f for k, f in demo.findings.items() if k != "F3"})
    assert [p.code for p in notice_problems(nothing, "suspension", today=TODAY)] == [
        "notices.nothing_to_suspend"]


# -- 十、1 case opened or transferred -------------------------------------------------------
def _case(demo: Inspection, **changes: object) -> Inspection:
    f = Finding(item="7.7.m5", description="涉嫌使用无资质供应商的原材料", handling="file_case",
                case_number="京药监械立〔2026〕015号")
    return add_finding(demo, "F6", replace(f, **changes))


def test_a_case_is_recorded_by_its_number_or_its_transfer(demo):
    assert "finding.case_unrecorded" not in codes(_case(demo))
    nothing = _case(demo, case_number="")
    p = problem(nothing, "finding.case_unrecorded")
    assert p.field == "findings/F6/case_number"
    transferred = _case(demo, case_number="", transferred_to="北京市公安局环食药旅总队",
                        transferred_on=date(2026, 11, 25), handed_over="检查记录、采购凭证复印件")
    assert "finding.case_unrecorded" not in codes(transferred)
    half = replace(transferred.findings["F6"], handed_over="")
    assert "finding.case_unrecorded" in codes(add_finding(demo, "F6", half))


# -- rounds and extensions ------------------------------------------------------------------
def test_a_kept_round_says_how_when_by_whom(demo):
    assert "review.round_incomplete" not in codes(demo)
    f1 = demo.findings["F1"]
    bad = replace(f1, reviews={"R1": replace(f1.reviews["R1"], reviewer="")})
    p = problem(with_finding(demo, "F1", reviews=bad.reviews), "review.round_incomplete")
    assert p.field == "findings/F1/reviews/R1"


def test_an_extension_has_its_approval_and_a_later_deadline(demo):
    assert not {"extension.incomplete", "extension.not_later"} & codes(demo)
    f4 = demo.findings["F4"]
    assert f4.due == date(2026, 12, 18)
    assert f4.deadline == date(2026, 12, 11)
    unapproved = {"E1": replace(f4.extensions["E1"], approved_by="")}
    assert "extension.incomplete" in codes(with_finding(demo, "F4", extensions=unapproved))
    earlier = {"E1": replace(f4.extensions["E1"], new_deadline=date(2026, 12, 10))}
    p = problem(with_finding(demo, "F4", extensions=earlier), "extension.not_later")
    assert p.field == "findings/F4/extensions/E1/new_deadline"


def test_overdue_counts_from_the_deadline_in_force(demo):
    open_f4 = with_finding(replace(demo, stage="follow_up"), "F4", state="open")
    late = date(2026, 12, 14)  # after the first deadline, before the extended one
    assert "finding.overdue" not in {p.code for p in check(open_f4, today=late)}
    no_ext = with_finding(open_f4, "F4", extensions={})
    assert "finding.overdue" in {p.code for p in check(no_ext, today=late)}
    second = {**demo.findings["F4"].extensions,
              "E2": Extension(date(2027, 1, 8), "再次延期", "王建国（科长）", date(2026, 12, 15))}
    assert with_finding(demo, "F4", extensions=second).findings["F4"].due == date(2027, 1, 8)


# -- 十、2 the review unit told -------------------------------------------------------------
def test_telling_the_review_unit_says_which_who_and_when(demo):
    pp = replace(demo.past_products, measures=(*demo.past_products.measures, "notify_review_unit"))
    told = replace(demo, past_products=pp)
    p = problem(told, "past_products.notification")
    assert p.field == "past_products/notified_unit"
    assert "十、2" in p.message
    done = replace(told, past_products=replace(pp, notified_unit="国家药监局医疗器械技术审评中心",
                                               notified_by="张明", notified_on=date(2026, 11, 25)))
    assert "past_products.notification" not in codes(done)


# -- 延伸检查 ------------------------------------------------------------------------------
def _extension(demo: Inspection, **scope: object) -> Inspection:
    company = replace(demo.company, name="北京某灭菌服务有限公司", role="service_provider")
    return replace(demo, id="ext-1", company=company,
                   scope=replace(demo.scope, type="extended", **scope))


def test_an_extended_inspection_names_its_principal_and_inspects_a_supplier(demo):
    ins = _extension(demo, principal=demo.id)
    assert not {c for c in codes(ins) if c.startswith("extended.")}
    p = problem(_extension(demo), "extended.no_principal")
    assert p.field == "scope/principal"
    assert "六、5" in p.message
    assert "extended.self" in codes(_extension(demo, principal="ext-1"))
    posing = replace(ins, company=replace(ins.company, role="registrant"))
    assert "extended.role" in codes(posing)
    supplier_outside = replace(demo, company=replace(demo.company, role="supplier"))
    assert "extended.role" in codes(supplier_outside)
    # the principal's products it sterilises are registered to the principal: no mismatch
    assert "product.holder_mismatch" not in codes(ins)
    assert "product.holder_mismatch" in codes(replace(ins, company=replace(
        ins.company, role="registrant")))


# -- across authorities -------------------------------------------------------------------
def _joint(demo: Inspection, **cr: object) -> Inspection:
    base = CrossRegion(communicated_with="天津市药品监督管理局", communicated_by="张明",
                       communicated_on=date(2026, 11, 10), report_to_both_on=date(2026, 11, 27))
    return replace(demo, scope=replace(demo.scope, cooperation="joint",
                                       partner_authority="天津市药品监督管理局"),
                   cross_region=replace(base, **cr))


def test_a_joint_inspection_communicates_first_and_reports_to_both(demo):
    fine = _joint(demo)
    assert not {c for c in codes(fine) if c.startswith("cross_region.")}
    p = problem(_joint(demo, communicated_on=None), "cross_region.no_communication")
    assert p.field == "cross_region/communicated_with"
    assert "五、8" in p.message
    assert "cross_region.late_communication" in codes(
        _joint(demo, communicated_on=date(2026, 11, 20)))
    assert "cross_region.report_both" in codes(_joint(demo, report_to_both_on=None))
    assert "cross_region.report_both" not in codes(
        replace(_joint(demo, report_to_both_on=None), stage="reporting"))
    assert "cross_region.no_communication" not in codes(
        replace(_joint(demo, communicated_on=None), stage="preparation"))


def test_a_problem_told_outside_beijing_is_reported_to_the_city_first(demo):
    told = replace(demo, cross_region=CrossRegion(
        notify_outside=True, outside_authority="河北省药品监督管理局",
        advance_report_on=date(2026, 11, 25), notified_outside_on=date(2026, 11, 26)))
    assert "cross_region.advance_report" not in codes(told)
    for gap in ({"advance_report_on": None}, {"outside_authority": ""},
                {"advance_report_on": date(2026, 11, 27)}):
        bad = replace(told, cross_region=replace(told.cross_region, **gap))
        assert "cross_region.advance_report" in codes(bad), gap


# -- grades and the verdict under a scheme ------------------------------------------------
@pytest.fixture
def nmpa(tmp_path, monkeypatch):
    from tests.policy.test_policy import office_templates
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(office_templates(tmp_path, scheme="nmpa2015")))
    return load_policy()


def _graded(demo: Inspection, grades: dict[str, str], **opinion: object) -> Inspection:
    findings = {k: replace(f, grade=grades.get(k, "")) for k, f in demo.findings.items()}
    return replace(demo, findings=findings, opinion=replace(demo.opinion, **opinion))


def test_under_the_guide_nothing_is_graded(demo):
    assert load_policy().scheme.id == "none"
    assert not {c for c in codes(demo) if c.startswith(("verdict.", "finding.no_grade"))}
    graded = _graded(demo, {"F1": "key"})
    p = problem(graded, "finding.unknown_grade")
    assert p.severity == "warning"


def test_under_nmpa_2015_every_finding_is_graded_and_a_verdict_confirmed(demo, nmpa):
    all_general = {"F1": "general", "F2": "general", "F3": "general", "F4": "general"}
    assert nmpa.scheme.propose(all_general.values()) == "recheck"
    ungraded = _graded(demo, {"F1": "general"})
    assert {p.field for p in check(ungraded, today=TODAY) if p.code == "finding.no_grade"} == {
        "findings/F2/grade", "findings/F3/grade", "findings/F4/grade"}
    graded = _graded(demo, all_general)
    p = problem(graded, "verdict.missing")
    assert "整改后复查" in p.message  # the proposal is named
    confirmed = _graded(demo, all_general, verdict="recheck", scheme="nmpa2015",
                        verdict_by="张明", verdict_at=datetime(2026, 11, 20, 16, 0))
    assert errors(check(confirmed, today=TODAY)) == []
    changed = _graded(demo, all_general, verdict="pass", scheme="nmpa2015")
    p = problem(changed, "verdict.no_reason")
    assert p.field == "opinion/verdict_reason"
    reasoned = _graded(demo, all_general, verdict="pass", scheme="nmpa2015",
                       verdict_reason="问题均已现场纠正，经研究不需复查")
    assert "verdict.no_reason" not in codes(reasoned)
    key = _graded(demo, {**all_general, "F3": "key"}, verdict="recheck", scheme="nmpa2015")
    assert "verdict.no_reason" in codes(key)  # the proposal moved to 未通过检查
    assert "verdict.unknown" in codes(_graded(demo, all_general, verdict="NAI"))
    assert "finding.unknown_grade" in codes(_graded(demo, {**all_general, "F1": "3"}))
    elsewhere = _graded(demo, all_general, verdict="recheck", scheme="n19")
    assert problem(elsewhere, "verdict.scheme_changed").severity == "warning"


def test_the_result_notice_waits_for_the_verdict_under_a_scheme(demo, nmpa):
    reporting = _graded(replace(demo, stage="reporting"), dict.fromkeys(demo.findings, "general"))
    assert "verdict.missing" in [p.code for p in notice_problems(reporting, "result", today=TODAY)]
    done = replace(reporting, opinion=replace(reporting.opinion, verdict="recheck",
                                              scheme="nmpa2015"))
    assert notice_problems(done, "result", today=TODAY) == []


def test_n19_proposes_from_grades_as_its_file_says(nmpa):
    n19 = nmpa.scheme_named("n19")
    assert n19 is not None
    assert n19.propose([]) == "conform"
    assert n19.propose(["1", "3"]) == "minor"
    assert n19.propose(["4", "4"]) == "minor"
    assert n19.propose(["4", "4", "4"]) == "serious"
    assert n19.propose(["2", "5"]) == "serious"
    fda = nmpa.scheme_named("fda")
    assert fda is not None
    assert [fda.propose(g) for g in ([], ["minor"], ["minor", "significant"])] == [
        "NAI", "VAI", "OAI"]


def test_a_kept_round_and_notice_of_the_demo_are_what_the_rules_read(demo):
    assert isinstance(demo.findings["F1"].reviews["R1"], Review)
    assert isinstance(demo.notices["suspension"], Notice)
