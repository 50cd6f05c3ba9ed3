"""十、1-3 carried to their ends: each handling's outcome, every review round and extension, the
review unit told (十、2), the findings' grades and the verdict (the office's scheme), 延伸检查
(六、5) and the duties across authorities (五、8; 八、5（3）（4））."""

from __future__ import annotations

from collections.abc import Iterator

from kit.errors import Problem, error, warning
from kit.labels import zh as words
from kit.record import natural_key
from kit.rules._context import PAST_ON_SITE, PAST_REPORT, Context

_EXTENDED_ROLES = ("supplier", "service_provider")
_NOTIFY_REVIEW_UNIT = "notify_review_unit"


def outcomes(ctx: Context) -> Iterator[Problem]:
    """十、1: a correction on site is confirmed (by whom, when) once the visit is over; a
    suspension's safety warning (date, channel, text) and a case opened or transferred (its
    number, or the department, date and what was handed over) are recorded before the record
    moves to follow-up."""
    ins = ctx.inspection
    for key, f in ins.findings.items():
        where = f"findings/{key}"
        if f.handling == "correct_on_site" and ins.stage in PAST_ON_SITE and (
                not f.corrected_by or f.corrected_at is None):
            yield error("finding.correction_unconfirmed", f"{where}/corrected_by",
                        f"问题 {key} 为现场监督立即纠正：请记录由哪位检查人员、何时确认已纠正（十、1）",
                        f"finding {key} was to be corrected on site: record which inspector "
                        "confirmed it and when (十.1)")
        if f.handling == "suspend_and_warn" and ins.stage in PAST_REPORT and (
                f.warning_on is None or not f.warning_channel.strip()
                or not f.warning_text.strip()):
            yield error("finding.warning_missing", f"{where}/warning_on",
                        f"问题 {key} 要求暂停生产并发布安全警示信息：请记录警示信息的发布日期、渠道和内容（十、1）",
                        f"finding {key}: record the safety warning's date, channel and text (十.1)")
        if f.handling == "file_case" and ins.stage in PAST_REPORT and not f.case_number.strip() \
                and not (f.transferred_to.strip() and f.transferred_on and f.handed_over.strip()):
            yield error("finding.case_unrecorded", f"{where}/case_number",
                        f"问题 {key} 涉嫌违法：请记录立案的案件编号，或移交的部门、日期和移交的材料（十、1）",
                        f"finding {key}: record the case number, or the department it was "
                        "transferred to, when and what was handed over (十.1)")


def rounds_and_extensions(ctx: Context) -> Iterator[Problem]:
    """六、9; 十、3: each kept review round says how, when, by whom and what it concluded; an
    extension (延期整改) has its later deadline, reason, approver and date."""
    for key, f in ctx.inspection.findings.items():
        for r_key, r in f.reviews.items():
            if not r.mode or r.reviewed_on is None or not r.reviewer.strip():
                yield error("review.round_incomplete", f"findings/{key}/reviews/{r_key}",
                            f"问题 {key} 的第 {r_key} 轮复查缺少复查方式、日期或复查人（六、9）",
                            f"review round {r_key} of finding {key} lacks its mode, date or "
                            "reviewer (六.9)")
        before = f.deadline
        for e_key in sorted(f.extensions, key=natural_key):
            ext = f.extensions[e_key]
            where = f"findings/{key}/extensions/{e_key}"
            if ext.new_deadline is None or not ext.reason.strip() \
                    or not ext.approved_by.strip() or ext.approved_on is None:
                yield error("extension.incomplete", where,
                            f"问题 {key} 的延期整改 {e_key} 须写明新的整改期限、理由、批准人和批准日期",
                            f"extension {e_key} of finding {key} needs its new deadline, reason, "
                            "approver and date")
            if ext.new_deadline is not None and before is not None \
                    and ext.new_deadline <= before:
                yield error("extension.not_later", f"{where}/new_deadline",
                            f"延期后的整改期限 {ext.new_deadline} 不晚于此前的期限 {before}",
                            f"the extended deadline {ext.new_deadline} is not after {before}")
            before = ext.new_deadline or before


def review_unit_told(ctx: Context) -> Iterator[Problem]:
    """十、2 通报相关审查单位: which unit, who told it, when."""
    past = ctx.inspection.past_products
    if _NOTIFY_REVIEW_UNIT in past.measures and (
            not past.notified_unit.strip() or not past.notified_by.strip()
            or past.notified_on is None) and ctx.inspection.stage in PAST_REPORT:
        yield error("past_products.notification", "past_products/notified_unit",
                    "已选择通报相关审查单位：请写明通报的单位、通报人和日期（十、2）",
                    "the review unit is to be told: record which unit, who told it and when "
                    "(十.2)")


def grading(ctx: Context) -> Iterator[Problem]:
    """The office's scheme (templates/grading.yaml): once the visit is over every finding has
    one of its grades; before follow-up the leader has confirmed a verdict, and one differing
    from the proposal says why. Under ``none`` (the guide's way) nothing is graded."""
    ins = ctx.inspection
    scheme = ctx.policy.scheme
    for key, f in ins.findings.items():
        where = f"findings/{key}/grade"
        if f.grade and scheme.grade(f.grade) is None:
            codes = "、".join(g.code for g in scheme.grades) or "不分级"
            make = error if scheme.grades_findings else warning
            yield make("finding.unknown_grade", where,
                       f"问题 {key} 的等级 {f.grade!r} 不是本局分级办法“{scheme.zh}”的等级（{codes}）",
                       f"grade {f.grade!r} of finding {key} is not one of the scheme {scheme.id!r}")
        elif not f.grade and scheme.grades_findings and ins.stage in PAST_ON_SITE:
            yield error("finding.no_grade", where,
                        f"本局按“{scheme.zh}”给问题定级：问题 {key} 尚未定级",
                        f"the office grades findings ({scheme.en}): finding {key} has no grade")
    op = ins.opinion
    if not scheme.verdicts:
        return
    proposed = ctx.proposed_verdict
    if op.verdict and op.scheme and op.scheme != scheme.id:
        yield warning("verdict.scheme_changed", "opinion/scheme",
                      f"检查结论按分级办法 {op.scheme!r} 确认，本局现行办法为“{scheme.zh}”：请重新确认",
                      f"the verdict was given under {op.scheme!r}, the office now uses "
                      f"{scheme.id!r}: confirm it again")
    if op.verdict and scheme.verdict(op.verdict) is None:
        yield error("verdict.unknown", "opinion/verdict",
                    f"检查结论 {op.verdict!r} 不是“{scheme.zh}”的结论",
                    f"{op.verdict!r} is not a verdict of {scheme.id!r}")
    elif not op.verdict and ins.stage in PAST_REPORT:
        yield error("verdict.missing", "opinion/verdict",
                    f"本局按“{scheme.zh}”作出检查结论：请检查组长确认检查结论"
                    + (f"（建议：{_verdict_words(ctx, proposed)}）" if proposed else ""),
                    "the office's scheme asks for a verdict: the leader confirms one")
    elif op.verdict and proposed and op.verdict != proposed and not op.verdict_reason.strip():
        yield error("verdict.no_reason", "opinion/verdict_reason",
                    f"检查结论“{_verdict_words(ctx, op.verdict)}”与按问题等级建议的"
                    f"“{_verdict_words(ctx, proposed)}”不同：请写明理由",
                    f"the verdict {op.verdict!r} differs from the proposed {proposed!r}: say why")


def _verdict_words(ctx: Context, code: str) -> str:
    term = ctx.policy.scheme.verdict(code)
    return term.zh if term else code


def extended(ctx: Context) -> Iterator[Problem]:
    """六、5 延伸检查: a supplier or service provider is inspected only as an extension of an
    inspection it names, and poses as nothing else; an extension names its principal."""
    ins = ctx.inspection
    is_extended = ins.scope.type == "extended"
    party = ins.company.role in _EXTENDED_ROLES
    if is_extended and not ins.scope.principal.strip():
        yield error("extended.no_principal", "scope/principal",
                    "延伸检查须关联所延伸的检查（填写被延伸检查的记录编号）（六、5）",
                    "an extended inspection names the inspection it extends (六.5)")
    if ins.scope.principal and ins.id and ins.scope.principal == ins.id:
        yield error("extended.self", "scope/principal", "延伸检查不能关联自身",
                    "an extended inspection cannot extend itself")
    if is_extended != party:
        role = words(_roles(ctx), ins.company.role)
        yield error("extended.role", "company/role",
                    "延伸检查的对象是为医疗器械生产活动提供产品或者服务的单位或个人（六、5），"
                    f"其身份只用于延伸检查：现为{words(_types(ctx), ins.scope.type)}，"
                    f"企业类型为{role}",
                    "an extended inspection inspects a supplier or service provider, and such a "
                    "party is inspected only by an extended inspection (六.5)")


def _roles(ctx: Context) -> dict[str, tuple[str, str]]:
    return {t.code: (t.zh, t.en) for t in ctx.guide.terms("roles")}


def _types(ctx: Context) -> dict[str, tuple[str, str]]:
    return {t.code: (t.zh, t.en) for t in ctx.guide.terms("inspection_types")}


def cross_region(ctx: Context) -> Iterator[Problem]:
    """五、8 the prior communication with the other authority before a joint or delegated
    inspection of contract manufacturing; 八、5（3）a joint inspection's report to both
    authorities; 八、5（4）the advance report to the 市药监局 before an authority outside
    Beijing is told of a problem."""
    ins = ctx.inspection
    cr = ins.cross_region
    start = ins.scope.start_date
    if ins.scope.cooperation in ("joint", "delegated"):
        if ins.stage != "preparation" and (not cr.communicated_with.strip()
                                           or cr.communicated_on is None):
            yield error("cross_region.no_communication", "cross_region/communicated_with",
                        "涉及委托生产的联合或委托检查，应提前与对方所属辖区药品监督管理部门沟通："
                        "请记录与哪个部门、何时沟通（五、8）",
                        "record the prior communication with the other authority: with whom and "
                        "when (五.8)")
        elif cr.communicated_on and start and cr.communicated_on > start:
            yield error("cross_region.late_communication", "cross_region/communicated_on",
                        f"事先沟通日期 {cr.communicated_on} 晚于检查开始日期 {start}（五、8“提前”）",
                        "the communication came after the visit began (五.8)")
    if ins.scope.cooperation == "joint" and ins.stage in PAST_REPORT \
            and cr.report_to_both_on is None:
        yield error("cross_region.report_both", "cross_region/report_to_both_on",
                    "联合检查的检查报告应同时报送注册人、备案人所在地和受托生产企业所在地监管部门："
                    "请记录报送日期（八、5.（3））",
                    "record when the joint inspection's report went to both authorities (八.5(3))")
    if cr.notify_outside and (cr.advance_report_on is None or not cr.outside_authority.strip()
                              or (cr.notified_outside_on is not None
                                  and cr.advance_report_on > cr.notified_outside_on)):
        yield error("cross_region.advance_report", "cross_region/advance_report_on",
                    "需通报外埠监管部门的，应写明通报的部门，并在通报前提前报告市药监局（八、5.（4））",
                    "name the outside authority, and report to the 市药监局 before notifying it "
                    "(八.5(4))")
