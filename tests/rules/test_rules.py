"""The guide's rules: each with a record that passes and one that fails."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from kit.record import (
    Adjustment,
    Company,
    Finding,
    Inspection,
    Licence,
    Member,
    Partner,
    Product,
    new_inspection,
)
from kit.rules import RULE_NAMES, check, errors

TODAY = date(2026, 11, 24)


def codes(ins: Inspection, today: date = TODAY) -> set[str]:
    return {p.code for p in check(ins, today=today)}


def test_the_finished_demo_inspection_has_no_errors(demo):
    assert errors(check(demo, today=TODAY)) == []


def test_every_problem_names_a_field_and_speaks_chinese():
    problems = check(new_inspection(), today=TODAY)
    assert problems
    for p in problems:
        assert p.field
        assert any("\u4e00" <= ch <= "\u9fff" for ch in p.message), p
    assert [p.severity for p in problems] == sorted(
        (p.severity for p in problems), key=lambda s: s != "error"
    )


def test_rules_are_all_registered():
    assert {"team_size_and_leader", "division_of_labour", "notification", "remote_inspection",
            "contract_manufacturing_scope", "joint_inspection_lead", "delegated_feedback",
            "licences_valid", "findings", "signatures", "credit_codes"} <= set(RULE_NAMES)


# -- team ----------------------------------------------------------------------------------
def test_fewer_than_two_inspectors(demo):
    assert "team.too_small" not in codes(demo)
    alone = {"M1": demo.team["M1"], "E1": demo.team["E1"]}  # an expert is not an inspector
    assert "team.too_small" in codes(replace(demo, team=alone))


def test_leader_required_and_only_one(demo):
    no_leader = {k: replace(m, role="inspector") if m.role == "leader" else m
                 for k, m in demo.team.items()}
    assert "team.no_leader" in codes(replace(demo, team=no_leader))
    two = dict(demo.team, M2=replace(demo.team["M2"], role="leader"))
    assert "team.many_leaders" in codes(replace(demo, team=two))
    assert not {"team.no_leader", "team.many_leaders"} & codes(demo)


def test_qualifications_are_a_warning_naming_the_clause(demo):
    unqualified = dict(demo.team, M2=replace(demo.team["M2"], qualifications=("4.2.1",)))
    problems = [p for p in check(replace(demo, team=unqualified), today=TODAY)
                if p.code == "team.qualification"]
    assert len(problems) == 1
    assert problems[0].severity == "warning"
    assert "四、2.（2）" in problems[0].message


def test_every_section_in_scope_has_exactly_one_owner(demo):
    m1 = demo.team["M1"]
    without = dict(demo.team, M1=replace(m1, sections=tuple(s for s in m1.sections
                                                            if s != "7.14")))
    problems = [p for p in check(replace(demo, team=without), today=TODAY)
                if p.code == "division.unowned"]
    assert len(problems) == 1
    assert "七、14." in problems[0].message
    shared = dict(demo.team, M2=replace(demo.team["M2"],
                                        sections=(*demo.team["M2"].sections, "7.1")))
    assert "division.shared" in codes(replace(demo, team=shared))
    assert not {"division.unowned", "division.shared"} & codes(demo)


# -- preparation and means -----------------------------------------------------------------
def test_no_notification_for_an_unannounced_inspection(demo):
    flying = replace(demo, scope=replace(demo.scope, unannounced=True))
    assert "notification.unannounced" in codes(flying)
    quiet = replace(flying, notification=replace(demo.notification, planned=False, sent_on=None))
    assert "notification.unannounced" not in codes(quiet)


@pytest.mark.parametrize(("type_", "unannounced", "allowed"), [
    ("supervisory", False, True),
    ("for_cause", False, False),
    ("supervisory", True, False),
])
def test_remote_inspection_not_for_cause_or_unannounced(demo, type_, unannounced, allowed):
    scope = replace(demo.scope, type=type_, unannounced=unannounced, remote=True,
                    remote_confirmed=True)
    ins = replace(demo, scope=scope, notification=replace(demo.notification, planned=False,
                                                          sent_on=None))
    assert ("remote.not_allowed" not in codes(ins)) is allowed


def test_contract_manufacturing_needs_section_14(demo):
    assert "scope.section14_missing" not in codes(demo)
    scope = replace(demo.scope, sections=tuple(s for s in demo.scope.sections if s != "7.14"))
    assert "scope.section14_missing" in codes(replace(demo, scope=scope))
    plain = replace(demo.company, partners={})
    assert "scope.section14_missing" not in codes(replace(demo, scope=scope, company=plain))
    contractor = replace(plain, role="contract_manufacturer")
    assert "scope.section14_missing" in codes(replace(demo, scope=scope, company=contractor))


def test_joint_inspection_led_from_the_registrants_authority(demo):
    joint = replace(demo, scope=replace(demo.scope, cooperation="joint"))
    assert "joint.wrong_lead" not in codes(joint)
    led_by_partner = dict(demo.team, M1=replace(demo.team["M1"], authority="北京市药品监督管理局第八分局"))
    assert "joint.wrong_lead" in codes(replace(joint, team=led_by_partner))
    # At a contract manufacturer, the registrant's authority is the client's.
    contractor = replace(demo.company, role="contract_manufacturer", authority="第八分局",
                         partners={"C": Partner("注册人", relation="client",
                                                authority=demo.team["M1"].authority)})
    assert "joint.wrong_lead" not in codes(replace(joint, company=contractor))


def test_delegated_feedback_within_ten_working_days(demo):
    # Ends Friday 2026-11-20: ten working days later is Friday 2026-12-04.
    on_time = replace(demo.scope, cooperation="delegated", delegated_result_date=date(2026, 12, 4))
    assert "delegated.late" not in codes(replace(demo, scope=on_time))
    late = replace(on_time, delegated_result_date=date(2026, 12, 7))
    problems = [p for p in check(replace(demo, scope=late), today=TODAY)
                if p.code == "delegated.late"]
    assert len(problems) == 1
    assert "2026-12-04" in problems[0].message
    pending = replace(on_time, delegated_result_date=None)
    assert "delegated.overdue" in codes(replace(demo, scope=pending), today=date(2026, 12, 8))
    assert "delegated.overdue" not in codes(replace(demo, scope=pending), today=TODAY)


def test_delegated_feedback_over_national_day_counts_the_holiday(demo):
    # Ends 2025-09-30: 10-01..10-08 are holidays and 10-11 a make-up working Saturday, so
    # the tenth working day is 10-21 (weekday counting would say 10-14).
    scope = replace(demo.scope, cooperation="delegated", start_date=date(2025, 9, 29),
                    end_date=date(2025, 9, 30), delegated_result_date=date(2025, 10, 21))
    ins = replace(demo, scope=scope, findings={})
    assert "delegated.late" not in codes(ins, today=date(2025, 10, 22))
    late = replace(scope, delegated_result_date=date(2025, 10, 22))
    assert "delegated.late" in codes(replace(ins, scope=late), today=date(2025, 10, 22))


def test_plan_adjustments_need_approval_when_the_plan_was_reviewed(demo):
    unapproved = {"A2": Adjustment("增加检查项目")}
    assert "plan.adjustment_unapproved" in codes(replace(demo, adjustments=unapproved))
    free = replace(demo, adjustments=unapproved, plan=replace(demo.plan, review_required=False))
    assert "plan.adjustment_unapproved" not in codes(free)
    draft = replace(demo, stage="on_site", plan=replace(demo.plan, state="submitted"))
    assert "plan.not_approved" in codes(draft)


# -- 七.1 licences -------------------------------------------------------------------------
def test_expired_licence_and_certificate(demo):
    lic = dict(demo.company.licences, L2=replace(demo.company.licences["L2"],
                                                 expires=date(2026, 11, 18)))
    problems = check(replace(demo, company=replace(demo.company, licences=lic)), today=TODAY)
    expired = [p for p in problems if p.code == "licence.expired"]
    assert [p.field for p in expired] == ["company/licences/L2/expires"]
    assert "七、1.检查方法（1）" in expired[0].message
    prods = dict(demo.company.products, P3=replace(demo.company.products["P3"],
                                                   expires=date(2026, 1, 1)))
    assert "product.expired" in codes(replace(demo, company=replace(demo.company, products=prods)))


def test_names_and_addresses_must_agree(demo):
    lic = dict(demo.company.licences, L2=replace(demo.company.licences["L2"],
                                                 holder="北京示例医疗器械有限公司"))
    assert "licence.name_mismatch" in codes(replace(demo, company=replace(demo.company,
                                                                          licences=lic)))
    lic = dict(demo.company.licences, L2=replace(demo.company.licences["L2"],
                                                 production_address="北京市海淀区某路1号"))
    problems = check(replace(demo, company=replace(demo.company, licences=lic)), today=TODAY)
    assert [p.field for p in problems if p.code == "licence.address_mismatch"] == [
        "company/licences/L2/production_address"
    ]


def test_registered_products_within_the_production_licence_scope(demo):
    prods = dict(demo.company.products, P3=replace(demo.company.products["P3"],
                                                   category_code="06-01"))
    problems = check(replace(demo, company=replace(demo.company, products=prods)), today=TODAY)
    outside = [p for p in problems if p.code == "product.outside_scope"]
    assert [p.field for p in outside] == ["company/products/P3/category_code"]
    # A contract-made product is in the contract manufacturer's scope, not this licence's.
    assert demo.company.products["P4"].category_code not in demo.company.licences["L2"].scope
    assert "product.outside_scope" not in codes(demo)


def test_credit_code(demo):
    assert "company.credit_code" not in codes(demo)
    bad = replace(demo.company, credit_code=demo.company.credit_code[:-1] + "0")
    assert "company.credit_code" in codes(replace(demo, company=bad))
    assert "company.credit_code_missing" in codes(replace(demo, company=Company(name="x")))


# -- findings, signatures, follow-up -------------------------------------------------------
def test_a_finding_whose_handling_needs_a_deadline(demo):
    f = demo.findings["F1"]
    missing = dict(demo.findings, F1=replace(f, deadline=None))
    problems = check(replace(demo, findings=missing), today=TODAY)
    assert [p.field for p in problems if p.code == "finding.deadline_missing"] == [
        "findings/F1/deadline"
    ]
    on_site = dict(demo.findings, F1=replace(f, handling="correct_on_site", deadline=None))
    assert "finding.deadline_missing" not in codes(replace(demo, findings=on_site))


def test_findings_on_unknown_items_or_before_the_visit(demo):
    bad = {"F9": Finding("7.1.m99", "x", "rectify_by_deadline", "y", date(2026, 11, 1))}
    found = codes(replace(demo, findings=dict(demo.findings, **bad)))
    assert {"finding.unknown_item", "finding.deadline_past"} <= found


def test_a_nonconforming_item_without_a_finding_is_flagged(demo):
    findings = {k: f for k, f in demo.findings.items() if k != "F4"}
    problems = check(replace(demo, findings=findings), today=TODAY)
    assert [p.field for p in problems if p.code == "result.no_finding"] == ["results/7.10.m6/result"]


def test_a_closed_record_needs_a_signature_or_a_refusal(demo):
    unsigned = replace(demo.signatures, company_signer="")
    assert "signatures.missing" in codes(replace(demo, signatures=unsigned))
    assert "signatures.missing" not in codes(replace(demo, stage="on_site", signatures=unsigned))
    refused = replace(unsigned, refused=True, refusal_note="企业负责人拒绝签字",
                      inspector_signers=("M1",))
    found = codes(replace(demo, signatures=refused))
    assert "signatures.missing" not in found
    assert "signatures.refusal_needs_two" in found
    two = replace(refused, inspector_signers=("M1", "M2"))
    assert "signatures.refusal_needs_two" not in codes(replace(demo, signatures=two))
    expert = replace(refused, inspector_signers=("M1", "E1"))  # an expert is not an inspector
    assert "signatures.refusal_needs_two" in codes(replace(demo, signatures=expert))


def test_on_a_refusal_a_present_witness_signs(demo):
    """六、8: the witness's signature belongs to a refusal; without one it is not asked for."""
    sig = replace(demo.signatures, witness_present=True, witness_name="社区工作人员")
    assert "signatures.witness" not in codes(replace(demo, signatures=sig))
    refused = replace(sig, refused=True, company_signer="", refusal_note="企业负责人拒绝签字")
    assert "signatures.witness" in codes(replace(demo, signatures=refused))
    assert "signatures.witness" not in codes(
        replace(demo, signatures=replace(refused, witness_signed=True)))


def test_a_witness_needs_to_have_been_there(demo):
    named = replace(demo.signatures, witness_present=False, witness_name="路人")
    assert "signatures.witness_absent" in codes(replace(demo, signatures=named))
    signed = replace(demo.signatures, witness_present=False, witness_signed=True)
    assert "signatures.witness_absent" in codes(replace(demo, signatures=signed))
    assert "signatures.witness_absent" not in codes(demo)


def test_a_refusal_and_a_company_signer_exclude_each_other(demo):
    both = replace(demo.signatures, refused=True, refusal_note="拒签")
    assert demo.signatures.company_signer
    assert "signatures.refused_but_signed" in codes(replace(demo, signatures=both))
    assert "signatures.refused_but_signed" not in codes(
        replace(demo, signatures=replace(both, company_signer="")))


def test_closing_needs_the_follow_up_closed(demo):
    open_fu = replace(demo.follow_up, closed_on=None)
    assert "follow_up.no_closing_date" in codes(replace(demo, follow_up=open_fu))
    assert "follow_up.no_closing_date" not in codes(replace(demo, stage="follow_up",
                                                            follow_up=open_fu))


def test_a_closing_date_alone_is_not_a_review(demo):
    """六、9: closing needs the review itself (mode, date, reviewer), then a date not before."""
    unreviewed = replace(demo.follow_up, reviewed_on=None, reviewer="", review_mode="")
    assert "follow_up.not_closed" in codes(replace(demo, follow_up=unreviewed))
    no_reviewer = replace(demo.follow_up, reviewer="")
    assert "follow_up.not_closed" in codes(replace(demo, follow_up=no_reviewer))
    early = replace(demo.follow_up, closed_on=date(2026, 11, 23))
    assert demo.follow_up.reviewed_on == date(2026, 11, 24)
    assert "follow_up.closed_before_review" in codes(replace(demo, follow_up=early))
    assert not {"follow_up.not_closed", "follow_up.closed_before_review"} & codes(demo)


def test_new_inspection_problems_are_what_a_blank_form_lacks():
    ins = new_inspection(start_date=date(2026, 12, 1))
    ins = replace(ins, team={"M1": Member("张明", "leader", sections=("7.1",))},
                  company=Company(licences={"L": Licence("production_licence")},
                                  products={"P": Product("x", category_code="14-01")}))
    found = codes(ins)
    assert {"team.too_small", "division.unowned", "product.outside_scope"} <= found
    assert "signatures.missing" not in found


def test_results_for_items_not_on_the_checklist(demo):
    from kit.record import ItemResult

    results = dict(demo.results, **{"99.99": ItemResult("conform")})
    problems = check(replace(demo, results=results), today=TODAY)
    assert [p.field for p in problems if p.code == "result.unknown_item"] == ["results/99.99"]
    assert "result.unknown_item" not in codes(demo)


def test_a_section_added_beyond_the_profile_brings_its_items(demo):
    from kit.record import ItemResult

    focused = replace(demo, profile="sterile-focus",
                      results={"7.14.f1": ItemResult("conform"), "x.bj-sterile.1":
                               ItemResult("conform"), "7.9.m1": ItemResult("conform")},
                      findings={})
    found = [p for p in check(focused, today=TODAY) if p.code == "result.unknown_item"]
    assert found == []  # 7.14 is in the scope; the office item belongs to 7.3 in scope
    narrow = replace(focused, scope=replace(demo.scope, sections=("7.3",)))
    fields = [p.field for p in check(narrow, today=TODAY) if p.code == "result.unknown_item"]
    assert fields == ["results/7.14.f1", "results/7.9.m1"]


def test_after_the_visit_every_item_in_scope_has_a_result(demo):
    """七: a record past the visit with items 未检查 is not "no problems" (the review found 102
    of 145 unchecked with a green tick)."""
    results = dict(demo.results)
    first = sorted(results)[0]
    del results[first]
    gap = replace(demo, results=results)
    found = check(gap, today=TODAY)
    assert [p.field for p in found if p.code == "result.unchecked"] == [
        f"results/{first}/result"]
    assert "result.unchecked" not in codes(replace(gap, stage="on_site"))  # still checking
    out_of_scope = replace(gap, scope=replace(gap.scope, sections=tuple(
        s for s in gap.scope.sections if not first.startswith(s + "."))))
    assert "result.unchecked" not in codes(out_of_scope)


def test_not_applicable_says_why(demo):
    item = sorted(demo.results)[0]
    bare = replace(demo.results[item], result="not_applicable", notes="")
    broken = replace(demo, results={**demo.results, item: bare})
    assert "result.not_applicable_reason" in codes(broken)
    given = replace(bare, notes="企业无此工序")
    assert "result.not_applicable_reason" not in codes(
        replace(demo, results={**demo.results, item: given}))


def test_the_end_is_not_before_the_start(demo):
    wrong = replace(demo.scope, end_date=date(2026, 11, 18))
    assert "scope.end_before_start" in codes(replace(demo, scope=wrong))
    assert "scope.end_before_start" not in codes(demo)


def test_the_notice_comes_before_the_visit(demo):
    late = replace(demo.notification, sent_on=date(2026, 11, 20))
    assert "notification.after_start" in codes(replace(demo, notification=late))
    assert "notification.after_start" not in codes(demo)
    flight = replace(demo, scope=replace(demo.scope, unannounced=True))
    assert "notification.unannounced" in codes(flight)


def test_an_approval_has_an_approver_and_comes_before_the_visit(demo):
    nobody = replace(demo.plan, approved_by="")
    assert "plan.no_approver" in codes(replace(demo, plan=nobody))
    late = replace(demo.plan, approved_at=datetime(2026, 11, 20, 9, 0))
    assert "plan.approved_late" in codes(replace(demo, plan=late))
    assert not {"plan.no_approver", "plan.approved_late"} & codes(demo)


def test_a_closed_record_has_done_the_steps_of_six(demo):
    steps = dict(demo.steps)
    steps["6.6"] = replace(steps["6.6"], done=False)
    del steps["6.10"]
    found = check(replace(demo, steps=steps), today=TODAY)
    assert sorted(p.field for p in found if p.code == "steps.undone") == [
        "steps/6.10/done", "steps/6.6/done"]
    assert "steps.undone" not in codes(replace(demo, steps=steps, stage="follow_up"))
    optional = {k: v for k, v in demo.steps.items() if k != "6.4"}  # as needed only
    assert "steps.undone" not in codes(replace(demo, steps=optional))


def test_a_remote_result_is_confirmed_before_the_record_is_written(demo):
    remote = replace(demo.scope, remote=True, remote_confirmed=False)
    assert "remote.unconfirmed" in errors_of(replace(demo, scope=remote, stage="reporting"))
    assert "remote.unconfirmed" not in codes(replace(demo, scope=remote, stage="on_site"))
    confirmed = replace(remote, remote_confirmed=True)
    assert "remote.unconfirmed" not in codes(replace(demo, scope=confirmed, stage="reporting"))


def test_sharing_a_section_is_a_warning_and_each_item_names_its_inspector(demo):
    """五、4 says a section is "一般" one inspector's: sharing it is noted, not refused; an
    item checked by someone who does not own its section is noted on the item."""
    item = next(k for k in sorted(demo.results) if k.startswith("7.8."))
    owner = demo.owners("7.8")[0]
    other = next(k for k in demo.team if k != owner)
    team = dict(demo.team)
    team[other] = replace(team[other], sections=(*team[other].sections, "7.8"))
    shared = replace(demo, team=team)
    assert "division.shared" in codes(shared)
    assert "division.shared" not in errors_of(shared)
    by_other = replace(demo.results[item], inspector=other)
    moved = replace(demo, results={**demo.results, item: by_other})
    found = check(moved, today=TODAY)
    assert [p.field for p in found if p.code == "division.item_inspector"] == [
        f"results/{item}/inspector"]
    assert "division.item_inspector" not in codes(demo)


def test_an_item_checked_outside_the_division_names_its_own_section_by_label(demo):
    """四、1 and 五、4: the record that showed the bug: 七、8 given to 张明, its first item
    checked by 李华, and 七、4 the last section in scope. The warning named 7.4 (a stale loop
    variable) and raw ids; it names 七、8 and the item by their labels, the people by name."""
    team = dict(demo.team)
    team["M1"] = replace(team["M1"], sections=(*team["M1"].sections, "7.8"))
    team["M2"] = replace(team["M2"], sections=tuple(s for s in team["M2"].sections
                                                    if s != "7.8"))
    scope = replace(demo.scope, sections=(*(s for s in demo.scope.sections if s != "7.4"),
                                          "7.4"))
    by_lihua = replace(demo.results["7.8.c1"], inspector="M2")
    record = replace(demo, team=team, scope=scope,
                     results={**demo.results, "7.8.c1": by_lihua})
    (warned,) = [p for p in check(record, today=TODAY)
                 if p.code == "division.item_inspector" and p.field == "results/7.8.c1/inspector"]
    assert warned.severity == "warning"
    assert "七、8.检查内容（1） 由 李华 检查，但 七、8. 分工给了 张明" in warned.message
    for raw in ("7.4", "七、4", "7.8.c1", "M1", "M2"):
        assert raw not in warned.message
    # the same item checked by its section's owner is no warning
    by_zhang = replace(by_lihua, inspector="M1")
    valid = replace(record, results={**record.results, "7.8.c1": by_zhang})
    assert "results/7.8.c1/inspector" not in {
        p.field for p in check(valid, today=TODAY) if p.code == "division.item_inspector"}


def test_a_finding_that_affects_past_products_needs_a_measure(demo):
    key = next(iter(demo.findings))
    affects = replace(demo.findings[key], affects_past_products=True)
    no_measure = replace(demo, findings={**demo.findings, key: affects},
                         past_products=replace(demo.past_products, measures=()))
    assert "past_products.no_measure" in codes(no_measure)
    assert "past_products.no_measure" not in codes(
        replace(no_measure, past_products=demo.past_products))


def errors_of(ins: Inspection) -> set[str]:
    return {p.code for p in errors(check(ins, today=TODAY))}


def test_the_record_is_written_with_the_teams_opinion(demo):
    """六、5-6: the leader enters the team's conclusion before the record is written."""
    assert demo.opinion.conclusion
    none = replace(demo, opinion=replace(demo.opinion, conclusion="  "))
    found = [p for p in check(none, today=TODAY) if p.code == "opinion.missing"]
    assert [p.field for p in found] == ["opinion/conclusion"]
    assert found[0].severity == "error"
    assert "opinion.missing" not in codes(replace(none, stage="on_site"))


def _with(demo: Inspection, key: str, **changes: object) -> Inspection:
    return replace(demo, findings={**demo.findings, key: replace(demo.findings[key], **changes)})


def test_every_finding_is_tracked_to_its_end(demo):
    """六、9, 十、1, 十、3: state, submission, review; a suspension passes only on site."""
    assert "finding.not_passed" not in codes(demo)
    still_open = _with(demo, "F1", state="open")
    assert [p.field for p in check(still_open, today=TODAY)
            if p.code == "finding.not_passed"] == ["findings/F1/state"]
    assert "finding.not_passed" not in codes(replace(still_open, stage="follow_up"))
    unreviewed = _with(demo, "F4", reviewer="")
    assert "finding.review_incomplete" in codes(unreviewed)
    unsubmitted = _with(demo, "F4", submitted_on=None)
    assert "finding.no_submission" in codes(unsubmitted)
    assert demo.findings["F3"].handling == "suspend_and_rectify"
    on_paper = _with(demo, "F3", review_mode="written")
    assert "finding.recheck_on_site" in errors_of(on_paper)
    early = _with(demo, "F1", reviewed_on=date(2026, 11, 22))
    assert "finding.reviewed_before_submission" in codes(early)


def test_an_overdue_finding_is_flagged_in_working_days(demo):
    late = replace(_with(demo, "F1", state="open"), stage="follow_up")
    found = [p for p in check(late, today=date(2026, 12, 18)) if p.code == "finding.overdue"]
    assert [p.field for p in found] == ["findings/F1/state"]
    assert found[0].severity == "warning"
    assert "5 个工作日" in found[0].message  # 12-11 (Fri) to 12-18 (Fri): five working days
    assert not [p for p in check(late, today=date(2026, 12, 11)) if p.code == "finding.overdue"]


def test_a_remote_inspection_says_why(demo):
    remote = replace(demo.scope, remote=True, remote_confirmed=True)
    assert "remote.no_reason" in errors_of(replace(demo, scope=remote))
    why = replace(remote, remote_reason="年度检查有时限要求，疫情防控期间不宜线下检查")
    assert "remote.no_reason" not in codes(replace(demo, scope=why))


def contract_product(demo, **changes):
    products = dict(demo.company.products)
    products["P4"] = replace(products["P4"], **changes)
    return replace(demo, company=replace(demo.company, products=products))


def test_a_contract_product_certificate_shows_the_makers_address_marked(demo):
    assert not {c for c in codes(demo) if c.startswith("contract.")}
    unmarked = contract_product(demo, production_address="北京市大兴区受托路16号")
    assert "contract.address_mark" in codes(unmarked)
    assert "contract.address_not_partner" not in codes(unmarked)
    own_plant = contract_product(demo, production_address="北京市北京经济技术开发区示例路8号（委托生产）")
    assert codes(own_plant) & {"contract.address_mark", "contract.address_not_partner"} == {
        "contract.address_not_partner"}
    # a contract manufacturer's own record is checked from the other side: not here
    maker = replace(unmarked, company=replace(unmarked.company, role="contract_manufacturer"))
    assert "contract.address_mark" not in codes(maker)


def test_the_contract_filing_lists_the_product_and_has_a_term(demo):
    changed = contract_product(demo, registration_no="京械注准20262140099", category_code="14-15")
    assert "contract.filing_scope" in errors_of(changed)
    licences = dict(demo.company.licences)
    licences["L3"] = replace(licences["L3"], scope=("京械注准20222140004",), expires=None)
    by_number = replace(demo, company=replace(demo.company, licences=licences))
    assert "contract.filing_scope" not in codes(by_number)
    assert "contract.filing_term" in codes(by_number)
    expired = dict(demo.company.licences)
    expired["L3"] = replace(expired["L3"], expires=date(2026, 6, 30))
    assert "licence.expired" in errors_of(replace(demo, company=replace(demo.company,
                                                                        licences=expired)))
    without = {k: v for k, v in demo.company.licences.items() if k != "L3"}
    assert "contract.filing_missing" in codes(replace(demo, company=replace(
        demo.company, licences=without)))


def test_a_product_left_out_of_the_inspection_needs_its_reason(demo):
    products = dict(demo.company.products)
    products["P2"] = replace(products["P2"], in_scope=False, scope_reason="")
    left_out = replace(demo, company=replace(demo.company, products=products))
    assert "products.excluded_without_reason" in errors_of(left_out)
    products["P2"] = replace(products["P2"], scope_reason="检查时间有限，选取产量最大和安全性要求最高的产品")
    assert "products.excluded_without_reason" not in codes(
        replace(demo, company=replace(demo.company, products=products)))
    none = {k: replace(p, in_scope=False, scope_reason="停产") for k, p in products.items()}
    assert "products.none_in_scope" in errors_of(
        replace(demo, company=replace(demo.company, products=none)))


# -- 六、8 由于企业自身原因而无法实施检查 ------------------------------------------------------------
def _unable(demo, **inability):
    """The demo past the visit with nothing checked: the company kept the team out."""
    from kit.record import Inability

    return replace(demo, stage="reporting", results={}, findings={},
                   inability=Inability(**inability))


def test_an_inability_recorded_and_noted_by_two_inspectors_accounts_for_the_unchecked(demo):
    """六、8: recorded with its reason and noted by two inspectors, the inability is why the
    checklist's items were not checked: they are no errors."""
    valid = _unable(demo, recorded=True, reason="企业负责人拒绝检查人员进入生产现场",
                    noted_by=("M1", "M2"))
    found = codes(valid)
    assert "result.unchecked" not in found
    assert not {c for c in found if c.startswith("inability.")}
    # without it, every item in scope is unchecked
    assert "result.unchecked" in codes(_unable(demo))


def test_an_inability_needs_two_inspectors_noting_it(demo):
    """六、8 应由2名以上（包括2名）检查人员注明情况并签字确认: an expert is no inspector."""
    for noted_by in ((), ("M1",), ("M1", "E1"), ("M1", "M1")):
        record = _unable(demo, recorded=True, reason="企业拒绝提供文件", noted_by=noted_by)
        problems = [p for p in check(record, today=TODAY) if p.code == "inability.needs_two"]
        assert [(p.severity, p.field) for p in problems] == [("error", "inability/noted_by")]
        assert "六、8" in problems[0].message
        assert "result.unchecked" in codes(record)  # an invalid inability accounts for nothing


def test_an_inability_needs_its_reason(demo):
    record = _unable(demo, recorded=True, reason="  ", noted_by=("M1", "M2"))
    (problem,) = [p for p in check(record, today=TODAY) if p.code == "inability.no_reason"]
    assert problem.field == "inability/reason"
    assert "六、8" in problem.message
    assert "result.unchecked" in codes(record)


def test_a_witness_present_at_an_inability_signs(demo):
    """六、8 现场有见证人的情形需要由见证人签字 (the record's witness, drawn at the pad)."""
    unsigned = replace(demo.signatures, witness_present=True, witness_name="王五",
                       witness_signed=False)
    record = replace(_unable(demo, recorded=True, reason="企业停产，无法实施检查",
                             noted_by=("M1", "M2")), signatures=unsigned)
    (problem,) = [p for p in check(record, today=TODAY) if p.code == "inability.witness"]
    assert "六、8" in problem.message
    signed = replace(record, signatures=replace(unsigned, witness_signed=True))
    assert "inability.witness" not in codes(signed)
    assert "result.unchecked" not in codes(signed)


def test_no_inability_recorded_is_no_problem(demo):
    assert not {c for c in codes(demo) if c.startswith("inability.")}
