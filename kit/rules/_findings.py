"""六、7 and 十: results and findings, their handling, requirement and deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from kit.errors import KitError, Problem, error, warning
from kit.rules._context import PAST_ON_SITE, Context


def findings(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    handling = ctx.handling_kinds
    for key, finding in ins.findings.items():
        where = f"findings/{key}"
        if finding.item not in ctx.known_items:
            yield error(
                "finding.unknown_item",
                f"{where}/item",
                f"问题对应的检查项 {finding.item!r} 不在检查表中",
                f"item {finding.item!r} is not on the checklist",
            )
        if not finding.description.strip():
            yield error(
                "finding.no_description",
                f"{where}/description",
                "问题描述不能为空（六、7 详细记录）",
                "a finding needs a description",
            )
        kind = handling.get(finding.handling)
        if kind is None:
            yield error(
                "finding.unknown_handling",
                f"{where}/handling",
                f"未知的处理方式 {finding.handling!r}",
                "unknown handling kind",
            )
            continue
        if kind.needs_deadline and finding.deadline is None:
            yield error(
                "finding.deadline_missing",
                f"{where}/deadline",
                f"处理方式“{kind.zh}”须明确整改要求及整改时限（六、7，十、1）",
                f"handling '{kind.en}' needs a rectification deadline",
            )
        if kind.needs_deadline and not finding.requirement.strip():
            yield error(
                "finding.requirement_missing",
                f"{where}/requirement",
                "须书面明确整改要求（十、1）",
                "the rectification requirement is missing",
            )
        start = ins.scope.start_date
        if finding.deadline is not None and start is not None and finding.deadline < start:
            yield error(
                "finding.deadline_past",
                f"{where}/deadline",
                f"整改期限 {finding.deadline} 早于检查日期 {start}",
                "the deadline is before the inspection",
            )
    unfound = set(ins.unfound_nonconformities)
    for item_id in ins.results:
        if item_id not in ctx.known_items:
            yield error("result.unknown_item", f"results/{item_id}",
                        f"结果对应的检查项 {item_id!r} 不在本次检查表中",
                        f"{item_id!r} is not an item of this inspection's checklist")
        if item_id in unfound:
            yield warning(
                "result.no_finding",
                f"results/{item_id}/result",
                f"{ctx.label(item_id)} 判定为不符合，但尚未记录问题及处理",
                f"{ctx.label(item_id)} does not conform but has no finding",
            )


def checklist_complete(ctx: Context) -> Iterator[Problem]:
    """Once the record is past the visit, every item in scope has a result (七), and 不适用
    says why; unless the inspection could not be carried out (六、8, recorded and valid)."""
    ins = ctx.inspection
    if ins.stage not in PAST_ON_SITE:
        return
    results = ins.results
    unable = ctx.inability_holds  # 六、8: what was not checked follows from it
    for item_id in ctx.checklist:
        result = results.get(item_id)
        if result is None or result.result == "unchecked":
            if unable:
                continue
            yield error(
                "result.unchecked",
                f"results/{item_id}/result",
                f"{ctx.label(item_id)} 尚未检查：现场检查结束后，检查范围内的每一项都应有结果（七；六、7）",
                f"{ctx.label(item_id)} has no result: after the visit every item in scope has one",
            )
        elif result.result == "not_applicable" and not result.notes.strip():
            yield error(
                "result.not_applicable_reason",
                f"results/{item_id}/notes",
                f"{ctx.label(item_id)} 判为不适用，须注明理由",
                f"{ctx.label(item_id)} is marked not applicable: say why",
            )


def past_products(ctx: Context) -> Iterator[Problem]:
    """十、2: a finding that may affect products already made needs a measure for them."""
    ins = ctx.inspection
    affected = [k for k, f in ins.findings.items() if f.affects_past_products]
    if affected and not ins.past_products.measures:
        yield error(
            "past_products.no_measure",
            "past_products/measures",
            f"问题 {'、'.join(affected)} 可能影响已生产的产品，须选择对已生产产品的处理措施（十、2）",
            f"findings {', '.join(affected)} may affect products already made: choose a "
            "measure for them (十.2)",
        )



def rectification(ctx: Context) -> Iterator[Problem]:
    """Every finding to be rectified, or whose suspended production is to resume, tracked to
    its end (六、9; 十、1; 十、3), under its deadline in force (the last extension's)."""
    ins = ctx.inspection
    resume = ctx.policy.handling
    for key in ctx.to_review:
        f = ins.findings[key]
        kind = ctx.handling_kinds[f.handling]
        suspended = f.handling in resume.resume_kinds
        where = f"findings/{key}"
        if f.state in ("submitted", "passed", "failed") and f.submitted_on is None:
            yield error("finding.no_submission", f"{where}/submitted_on",
                        "已提交或已复查的问题须记录企业提交整改资料的日期（六、9）",
                        "record when the company submitted its rectification (六.9)")
        if f.state in ("passed", "failed") and (
                f.reviewed_on is None or not f.reviewer.strip() or not f.review_mode):
            yield error("finding.review_incomplete", f"{where}/reviewed_on",
                        "复查结论须有复查方式、复查日期和复查人（六、9）",
                        "a review's result needs its mode, date and reviewer (六.9)")
        if (f.state == "passed" and suspended and resume.recheck_on_site
                and f.review_mode != "on_site"):
            yield error("finding.recheck_on_site", f"{where}/review_mode",
                        f"“{kind.zh}”的问题须经现场复查合格后方可恢复生产（本局规定：{resume.resumption_source}）",
                        "production resumes only after an on-site recheck that passed (the "
                        "office's rule, templates/handling.yaml)")
        if f.reviewed_on and f.submitted_on and f.reviewed_on < f.submitted_on:
            yield error("finding.reviewed_before_submission", f"{where}/reviewed_on",
                        f"复查日期 {f.reviewed_on} 早于企业提交整改资料的日期 {f.submitted_on}",
                        "reviewed before the company submitted")
        due = f.due
        if f.state in ("open", "failed") and due is not None and ctx.today > due:
            late = _workdays_late(ctx, due)
            extended = "（已延期）" if due != f.deadline else ""
            yield warning("finding.overdue", f"{where}/state",
                          f"问题 {key} 已逾期{late}（整改期限 {due}{extended}），尚未整改合格（十、3）",
                          f"finding {key} is overdue since {due} (十.3)")
        if ins.stage == "closed" and f.state != "passed":
            if suspended:
                yield error("finding.not_resumed", f"{where}/state",
                            f"问题 {key}（{kind.zh}）尚未复查合格、未恢复生产，记录不能结案（十、1）",
                            f"finding {key} suspended production and no recheck has passed: "
                            "the record cannot close (十.1)")
            else:
                yield error("finding.not_passed", f"{where}/state",
                            f"问题 {key} 尚未复查合格，记录不能结案（六、9；十、3）",
                            f"finding {key} has not passed its review: the record cannot close")


def _workdays_late(ctx: Context, deadline: date) -> str:
    try:
        n = ctx.calendar.workdays_between(deadline, ctx.today).days
    except KitError:  # a year the calendar does not know: say the date only
        return ""
    return f" {n} 个工作日"
