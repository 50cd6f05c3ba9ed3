"""The demo's cases carried to their legal ends (十、1-3), as an office would record them.

Each handling kind of 十、1 reaches its outcome: a correction on site confirmed by the inspector
who saw it, a suspension with its safety warning and its notice and production resumed only
after an on-site recheck that passed (the office's rule, ``templates/handling.yaml``), a case
opened or transferred. Some rectifications fail a first review and pass a second, some are
given more time (延期整改); some inspections extend another (延伸检查 of a supplier, 六、5),
some are joint or delegated with the duties across authorities recorded (五、8; 八、5（3）).
Under a grading scheme (``templates/grading.yaml``) findings are graded and the leader
confirms the verdict proposed.

:class:`Quota` makes a small demo show each of these at least once: the first inspection that
can show one that is still missing does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import NamedTuple

from kit.guide import Guide
from kit.policy import Policy, Scheme
from kit.record import (
    Company,
    Cooperation,
    CrossRegion,
    Extension,
    Finding,
    FollowUp,
    Opinion,
    Review,
    Role,
    Scope,
)
from kit.workdays import load_calendar

WARNING_CHANNEL = "北京市药品监督管理局网站"
TRANSFERRED_TO = "北京市公安局环境食品药品和旅游安全保卫总队"
HANDED_OVER = "检查记录、现场照片和相关证据材料复印件"
APPROVER = "王处长"
#: the authority on the other side of a joint or delegated inspection with no partner's own
OTHER_AUTHORITY = "天津市药品监督管理局"


@dataclass
class Quota:
    """What the demo has yet to show once; the first inspection that can show one does."""

    kinds: list[str] = field(default_factory=list)  # handling kinds of 十、1 not yet seen
    failed_round: bool = True
    extension: bool = True
    extended: bool = True
    joint: bool = True
    delegated: bool = True

    @classmethod
    def of(cls, guide: Guide) -> Quota:
        return cls(kinds=[t.code for t in guide.terms("handling_kinds")])

    def handling(self, drawn: str) -> str:
        """The kind drawn, or one not seen yet while some are missing."""
        if drawn in self.kinds:
            self.kinds.remove(drawn)
        elif self.kinds:
            return self.kinds.pop(0)
        return drawn


def outcome(f: Finding, key: str, iid: str, owner: str, day: date, finish: date,
            company: str, rng: random.Random) -> Finding:
    """十、1: the finding's handling carried to its outcome, as recorded by the team."""
    if f.handling == "correct_on_site":  # seen corrected by the inspector of its section
        at = datetime.combine(day, datetime.min.time()) + timedelta(hours=10)
        return replace(f, corrected_by=owner,
                       corrected_at=at + timedelta(minutes=20 * int(key[1:] or 0)))
    if f.handling == "suspend_and_warn":
        return replace(f, warning_on=finish, warning_channel=WARNING_CHANNEL,
                       warning_text=f"{company}暂停相关产品生产，已上市的相关批次产品暂停销售和使用，"
                       "请使用单位停止使用并联系企业。")
    if f.handling == "file_case":
        if rng.random() < 0.5:
            return replace(f, case_number=f"示例立案〔{finish.year}〕{iid}-{key}号")
        return replace(f, transferred_to=TRANSFERRED_TO,
                       transferred_on=finish + timedelta(days=3), handed_over=HANDED_OVER)
    return f


def review_due(findings: dict[str, Finding], finish: date, policy: Policy) -> date | None:
    """The last day the company has for the findings reviewed before they end: the latest
    deadline; a suspension without one is rechecked about four weeks after the visit."""
    days = [f.deadline for f in findings.values() if f.deadline is not None]
    if any(f.handling in policy.handling.resume_kinds and f.deadline is None
           for f in findings.values()):
        days.append(load_calendar().add_workdays(finish, 20).date)
    return max(days) if days else None


def with_failed_round(f: Finding, fu: FollowUp, quota: Quota, rng: random.Random) -> Finding:
    """A rectification that failed its first review and passed the second (六、9; 十、3（1））:
    the first round kept as R1, the second the finding's own."""
    if fu.submitted_on is None or fu.reviewed_on is None \
            or (fu.reviewed_on - fu.submitted_on).days < 3:
        return f
    if not quota.failed_round and rng.random() >= 0.12:
        return f
    quota.failed_round = False
    first = Review(fu.submitted_on, "整改报告（初稿）", f.review_mode,
                   fu.submitted_on + timedelta(days=1), f.reviewer, "failed",
                   "整改证据不充分，未进行原因分析，退回补充。")
    return replace(f, submitted_on=fu.submitted_on + timedelta(days=2), reviews={"R1": first})


def with_extension(findings: dict[str, Finding], finish: date, quota: Quota,
                   rng: random.Random) -> dict[str, Finding]:
    """延期整改: the first finding with a deadline given ten more working days, approved before
    its deadline."""
    key = next((k for k, f in findings.items() if f.deadline is not None), None)
    if key is None or (not quota.extension and rng.random() >= 0.08):
        return findings
    quota.extension = False
    f = findings[key]
    assert f.deadline is not None
    later = load_calendar().add_workdays(f.deadline, 10).date
    approved = max(finish + timedelta(days=1), f.deadline - timedelta(days=5))
    ext = Extension(later, "企业申请：整改所需设备采购和验证周期较长", APPROVER, approved)
    return {**findings, key: replace(f, extensions={"E1": ext})}


def extended_company(company: Company, sterile: bool) -> Company:
    """The firm inspected as a supplier of another's production (延伸检查, 六、5): a
    sterilisation service when it sterilises, else a supplier of products; never 注册人. What
    it supplies is the principal's, so none of its own registered products is inspected."""
    role: Role = "service_provider" if sterile else "supplier"
    licences = {k: lic for k, lic in company.licences.items()
                if lic.kind != "contract_production_filing"}
    return replace(company, role=role, partners={}, products={}, licences=licences)


def cross_region(scope: Scope, company: Company, leader: str, finish: date,
                 rng: random.Random, quota: Quota) -> tuple[Scope, CrossRegion]:
    """Now and then (and once each, first) a joint or delegated inspection, with the prior
    communication with the other authority (五、8), the report to both (八、5（3））and a
    delegated inspection's result fed back within ten working days."""
    if scope.type == "extended":
        return scope, CrossRegion()
    kind: Cooperation
    if quota.joint:
        kind = "joint"
    elif quota.delegated:
        kind = "delegated"
    else:
        draw = rng.random()
        kind = "joint" if draw < 0.04 else "delegated" if draw < 0.07 else "none"
    if kind == "none":
        return scope, CrossRegion()
    if kind == "joint":
        quota.joint = False
    else:
        quota.delegated = False
    start = scope.start_date or finish
    other = next((p.authority for p in company.partners.values()
                  if p.authority and p.authority != company.authority), OTHER_AUTHORITY)
    cr = CrossRegion(communicated_with=other, communicated_by=leader,
                     communicated_on=start - timedelta(days=7),
                     report_to_both_on=finish + timedelta(days=3) if kind == "joint" else None)
    feedback = load_calendar().add_workdays(finish, 5).date if kind == "delegated" else None
    return replace(scope, cooperation=kind, partner_authority=other,
                   delegated_result_date=feedback), cr


def _severity(scheme: Scheme, grade: str) -> int:
    codes = [t.code for t in scheme.verdicts]
    proposed = scheme.propose([grade])
    return codes.index(proposed) if proposed in codes else 0


def graded(findings: dict[str, Finding], scheme: Scheme, serious: tuple[str, ...],
           rng: random.Random) -> dict[str, Finding]:
    """Each finding's grade under the office's scheme: the gravest for a serious handling,
    the lightest for a correction on site, mostly light otherwise (none when it grades
    nothing)."""
    if not scheme.grades_findings:
        return findings
    ranked = sorted((t.code for t in scheme.grades), key=lambda g: _severity(scheme, g))
    light, grave = ranked[0], ranked[-1]
    out = {}
    for key, f in findings.items():
        if f.handling in serious:
            grade = grave
        elif f.handling == "correct_on_site":
            grade = light
        else:
            grade = light if rng.random() < 0.75 else rng.choice(ranked)
        out[key] = replace(f, grade=grade)
    return out


def with_verdict(opinion: Opinion, findings: dict[str, Finding], scheme: Scheme,
                 leader: str, finish: date) -> Opinion:
    """The verdict the scheme proposes from the grades, confirmed by the leader when the
    opinion is written."""
    if not scheme.verdicts or not opinion.conclusion:
        return opinion
    at = datetime.combine(finish, datetime.min.time()) + timedelta(hours=15)
    return replace(opinion, verdict=scheme.propose(f.grade for f in findings.values()),
                   scheme=scheme.id, verdict_by=leader, verdict_at=at)


class Earlier(NamedTuple):
    """What the demo keeps of an inspection it has made: enough to extend it later."""

    firm: int
    id: str
    type: str
    start: date | None


def principal_of(ins_day: date, firm: int, earlier: list[Earlier], rng: random.Random) -> str:
    """An earlier inspection of another company this one may extend ('' if none)."""
    others: list[str] = []  # the last five, read from the end: linear in a demo
    for e in reversed(earlier):
        if e.firm != firm and e.type != "extended" and e.start is not None and e.start < ins_day:
            others.append(e.id)
            if len(others) == 5:
                break
    return rng.choice(others[::-1]) if others else ""
