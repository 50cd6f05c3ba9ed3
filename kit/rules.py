"""The guide's rules as plain functions over an inspection record.

Each rule takes a :class:`Context` and yields every :class:`~kit.errors.Problem` it finds, with
a reason code, a message in Chinese (and English) that cites the guide, and the field of the
record it concerns (the record's document path, e.g. ``team/M2/sections``). :func:`check` runs
them all and returns every problem at once; nothing here raises for a broken record.

>>> from kit.inspection import new_inspection
>>> sorted({p.code for p in check(new_inspection())})[:2]
['company.credit_code_missing', 'team.no_leader']
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from kit.errors import KitError, Problem, error, warning
from kit.guide import Guide, load_guide
from kit.inspection import Inspection
from kit.licences import credit_code_problems, licence_problems
from kit.profiles import Profile, items_in_scope, resolve_profile
from kit.workdays import WorkCalendar, load_calendar

DELEGATED_FEEDBACK_WORKDAYS = 10  # 八、5.（3）
SECTION_14 = "7.14"


@dataclass(frozen=True)
class Context:
    """What the rules read: the record, the guide, its profile, the calendar and today."""

    inspection: Inspection
    guide: Guide
    profile: Profile | None
    calendar: WorkCalendar
    today: date
    known_items: frozenset[str] = field(default=frozenset())

    @property
    def reference_date(self) -> date:
        """The day licences must be valid on: the inspection's start, or today."""
        return self.inspection.scope.start_date or self.today


Rule = Callable[[Context], Iterable[Problem]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


# -- 四 team -------------------------------------------------------------------------------
@rule
def team_size_and_leader(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    if len(ins.inspectors) < 2:
        yield error(
            "team.too_small",
            "team",
            f"检查组应至少由2名检查人员组成（四、1），现有 {len(ins.inspectors)} 名",
            f"the team needs at least 2 inspectors (四.1); it has {len(ins.inspectors)}",
        )
    leaders = ins.leaders
    if not leaders:
        yield error(
            "team.no_leader",
            "team",
            "检查组未指定检查组长（四、1 检查组长负责制）",
            "no team leader (四.1)",
        )
    elif len(leaders) > 1:
        names = "、".join(ins.team[k].name for k in leaders)
        yield error(
            "team.many_leaders",
            "team",
            f"检查组只能有一名组长，现有：{names}",
            "a team has exactly one leader",
        )


@rule
def qualifications(ctx: Context) -> Iterator[Problem]:
    required = [c.id for c in ctx.guide.item("4.2").children]
    leader_required = [c.id for c in ctx.guide.item("4.3").children]
    for key, member in ctx.inspection.team.items():
        if member.role == "expert":
            continue
        need = required + (leader_required if member.role == "leader" else [])
        missing = [q for q in need if q not in member.qualifications]
        if missing:
            labels = "、".join(ctx.guide.item(q).label for q in missing)
            yield warning(
                "team.qualification",
                f"team/{key}/qualifications",
                f"{member.name or key} 尚未确认符合：{labels}",
                f"{member.name or key}: not yet confirmed against {', '.join(missing)}",
            )


@rule
def division_of_labour(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    for sid in ins.scope.sections:
        owners = [k for k in ins.owners(sid) if ins.team[k].role != "expert"]
        title = ctx.guide.section(sid).label if sid in ctx.guide else sid
        if not owners:
            yield error(
                "division.unowned",
                "scope/sections",
                f"{title} 在检查范围内，但没有分配检查员（五、4 检查分工）",
                f"section {sid} is in scope but no inspector owns it",
            )
        elif len(owners) > 1:
            names = "、".join(ins.team[k].name or k for k in owners)
            yield error(
                "division.shared",
                "scope/sections",
                f"{title} 同时分配给了 {names}，每节应由一名检查员负责",
                f"section {sid} is owned by more than one inspector",
            )
    for key, member in ins.team.items():
        for sid in member.sections:
            if sid not in ins.scope.sections:
                yield warning(
                    "division.out_of_scope",
                    f"team/{key}/sections",
                    f"{member.name or key} 分到的 {sid} 不在检查范围内",
                    f"{sid} is assigned but not in scope",
                )


# -- 五 preparation, 八 means --------------------------------------------------------------
@rule
def notification(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    note = ins.notification
    if ins.scope.unannounced and (note.planned or note.sent_on is not None):
        yield error(
            "notification.unannounced",
            "notification",
            "飞行检查不通知被检查企业（五、6 飞行检查方式不适用）",
            "an unannounced inspection is never notified (五.6)",
        )


@rule
def remote_inspection(ctx: Context) -> Iterator[Problem]:
    scope = ctx.inspection.scope
    if scope.remote and (scope.type == "for_cause" or scope.unannounced):
        yield error(
            "remote.not_allowed",
            "scope/remote",
            "远程检查不适用于有因（飞行）检查（八、4.（1））",
            "remote inspection is not for for-cause or unannounced inspections (八.4)",
        )
    if scope.remote and ctx.inspection.stage == "closed" and not scope.remote_confirmed:
        yield warning(
            "remote.unconfirmed",
            "scope/remote_confirmed",
            "远程检查结果需经检查单位和被检查企业确认（八、4.（2））",
            "the remote result must be confirmed by both sides (八.4)",
        )


@rule
def contract_manufacturing_scope(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    company = ins.company
    entrusts = any(p.relation == "contract_manufacturer" for p in company.partners.values())
    if (company.role == "contract_manufacturer" or entrusts) and SECTION_14 not in (
        ins.scope.sections
    ):
        yield error(
            "scope.section14_missing",
            "scope/sections",
            "企业涉及委托生产，检查范围应包括七、14 委托生产情形",
            "the company is in contract manufacturing: section 七.14 must be in scope",
        )


def _registrant_authority(ins: Inspection) -> str:
    if ins.company.role != "contract_manufacturer":
        return ins.company.authority
    clients = [p.authority for p in ins.company.partners.values() if p.relation == "client"]
    return clients[0] if clients else ""


@rule
def joint_inspection_lead(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    if ins.scope.cooperation != "joint" or not ins.leaders:
        return
    expected = _registrant_authority(ins)
    leader = ins.team[ins.leaders[0]]
    if not expected or not leader.authority:
        yield warning(
            "joint.authority_unknown",
            f"team/{ins.leaders[0]}/authority",
            "联合检查：请填写组长所属部门和注册人、备案人所在地监管部门",
            "joint inspection: enter the leader's and the registrant's authority",
        )
    elif leader.authority != expected:
        yield error(
            "joint.wrong_lead",
            f"team/{ins.leaders[0]}/authority",
            f"联合检查的组长原则上由注册人、备案人所在地监管部门（{expected}）人员担任"
            f"（八、5.（3）），现为 {leader.authority}",
            "a joint inspection is led from the registrant's authority (八.5(3))",
        )


@rule
def delegated_feedback(ctx: Context) -> Iterator[Problem]:
    scope = ctx.inspection.scope
    if scope.cooperation != "delegated" or scope.end_date is None:
        return
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            due = ctx.calendar.add_workdays(
                scope.end_date, DELEGATED_FEEDBACK_WORKDAYS, allow_estimate=True
            )
    except KitError as exc:  # a calendar that cannot answer is a problem to show, not a crash
        yield warning("calendar.unknown", "scope/end_date", str(exc), str(exc))
        return
    estimate = "（按工作日估算，日历未覆盖该年度）" if due.estimated or caught else ""
    if scope.delegated_result_date is not None:
        if scope.delegated_result_date > due.date:
            yield error(
                "delegated.late",
                "scope/delegated_result_date",
                f"委托检查结果应于检查结束后10个工作日内反馈（八、5.（3）），"
                f"最迟 {due.date}{estimate}，实际 {scope.delegated_result_date}",
                f"delegated result due within 10 working days, by {due.date}",
            )
    elif ctx.today > due.date:
        yield warning(
            "delegated.overdue",
            "scope/delegated_result_date",
            f"委托检查结果已超过反馈期限 {due.date}{estimate}，尚未记录反馈",
            f"delegated result overdue since {due.date}",
        )


@rule
def plan_review(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    if not ins.plan.review_required:
        return
    if ins.stage != "preparation" and ins.plan.state != "approved":
        yield error(
            "plan.not_approved",
            "plan/state",
            "检查方案须经检查派出机构审核（五、5），现场检查前尚未批准",
            "the plan must be approved by the dispatching office before the visit",
        )
    for key, adj in ins.adjustments.items():
        if not adj.approved_by:
            yield error(
                "plan.adjustment_unapproved",
                f"adjustments/{key}/approved_by",
                "检查方案经审核的，调整须经原派出机构批准（六、4）",
                "a reviewed plan may only be adjusted with the office's approval (六.4)",
            )


# -- 七.1 licences and identifiers ---------------------------------------------------------
@rule
def credit_codes(ctx: Context) -> Iterator[Problem]:
    yield from credit_code_problems(ctx.inspection.company)


@rule
def licences_valid(ctx: Context) -> Iterator[Problem]:
    """七、1.检查方法（1）-（3） on the licences entered, as of the inspection's first day."""
    yield from licence_problems(ctx.inspection.company, ctx.reference_date)


@rule
def findings(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    handling = {t.code: t for t in ctx.guide.terms("handling_kinds")}
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
    found_items = {f.item for f in ins.findings.values()}
    for item_id, result in ins.results.items():
        if item_id not in ctx.known_items:
            yield error("result.unknown_item", f"results/{item_id}",
                         f"结果对应的检查项 {item_id!r} 不在本次检查表中",
                         f"{item_id!r} is not an item of this inspection's checklist")
        if result.result == "nonconform" and item_id not in found_items:
            yield warning(
                "result.no_finding",
                f"results/{item_id}/result",
                f"{item_id} 判定为不符合，但尚未记录问题及处理",
                f"{item_id} does not conform but has no finding",
            )


@rule
def signatures(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    sig = ins.signatures
    if sig.refused:
        signers = [s for s in sig.inspector_signers if s in ins.inspectors]
        if len(signers) < 2:
            yield error(
                "signatures.refusal_needs_two",
                "signatures/inspector_signers",
                "企业拒绝签字的，应由2名以上检查人员注明情况并签字确认（六、8）",
                "on refusal at least two inspectors sign (六.8)",
            )
        if not sig.refusal_note.strip():
            yield error(
                "signatures.refusal_note",
                "signatures/refusal_note",
                "企业拒绝签字的，应注明情况（六、8）",
                "record what happened on refusal",
            )
    for signer in sig.inspector_signers:
        if signer not in ins.team:
            yield error(
                "signatures.unknown_signer",
                "signatures/inspector_signers",
                f"签字人 {signer!r} 不是检查组成员",
                f"{signer!r} is not on the team",
            )
    if sig.witness_present and not (sig.witness_name.strip() and sig.witness_signed):
        yield error(
            "signatures.witness",
            "signatures/witness_signed",
            "现场有见证人的，需要由见证人签字（六、8）",
            "a witness who was present must sign (六.8)",
        )
    if ins.stage in ("follow_up", "closed") and not (sig.company_signer.strip() or sig.refused):
        yield error(
            "signatures.missing",
            "signatures/company_signer",
            "检查记录须由企业相关人员签字确认，或记录拒绝签字情况（六、7、六、8）",
            "the record needs the company's signature or a recorded refusal",
        )


@rule
def follow_up(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    handling = {t.code: t for t in ctx.guide.terms("handling_kinds")}
    needs = [
        k
        for k, f in ins.findings.items()
        if (h := handling.get(f.handling)) is not None and h.needs_deadline
    ]
    fu = ins.follow_up
    if ins.stage == "closed" and needs and fu.closed_on is None:
        yield error(
            "follow_up.not_closed",
            "follow_up/closed_on",
            "有限期整改的问题，结案前须完成跟踪检查（六、9）",
            "rectification must be reviewed before the record is closed (六.9)",
        )
    if fu.reviewed_on is not None and fu.submitted_on is None and fu.review_mode == "written":
        yield warning(
            "follow_up.no_submission",
            "follow_up/submitted_on",
            "书面审查前应记录企业提交整改资料的日期（六、9）",
            "record when the rectification report was submitted",
        )


RULE_NAMES = tuple(r.__name__ for r in RULES)


def check(
    inspection: Inspection,
    *,
    guide: Guide | None = None,
    profile: Profile | None = None,
    calendar: WorkCalendar | None = None,
    today: date | None = None,
) -> list[Problem]:
    """Every problem the guide's rules find in ``inspection``, errors first."""
    guide = guide or load_guide()
    profile = profile or resolve_profile(inspection.profile)
    known = frozenset(i.id for i in items_in_scope(profile, inspection.scope.sections, guide))
    ctx = Context(
        inspection=inspection,
        guide=guide,
        profile=profile,
        calendar=calendar or load_calendar(),
        today=today or date.today(),
        known_items=known,
    )
    problems = [p for r in RULES for p in r(ctx)]
    return sorted(problems, key=lambda p: p.severity != "error")


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
