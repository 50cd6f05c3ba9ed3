"""What a company sees of its inspections (六、9; 十、1): the notices served on it, each finding
it is to rectify with its requirement and deadline, the reviews' outcomes, and its own
submissions. Nothing else of the record: no inspector's notes, no checklist, no trail.

>>> from datetime import date
>>> from dataclasses import replace
>>> from kit.record import Finding, Notice, new_inspection
>>> from kit.workdays import load_calendar
>>> ins = replace(new_inspection(), id="I1", findings={
...     "F1": Finding(item="7.8.c1", description="记录不全", requirement="补全记录",
...                   deadline=date(2026, 3, 20)),
...     "F2": Finding(item="7.8.c2", handling="correct_on_site")},
...     notices={"rectification": Notice(number="京药监整〔2026〕1号", served_on=date(2026, 3, 2))})
>>> seen = company_inspection(ins, load_calendar(), date(2026, 3, 16))
>>> [(f.key, f.deadline, f.days_left, f.may_submit) for f in seen.findings]
[('F1', datetime.date(2026, 3, 20), 4, True)]
>>> [n.title for n in seen.notices]
['整改通知书']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from kit.errors import NotFoundError
from kit.guide import load_guide
from kit.labels import FINDING_STATES, NOTICE_KINDS, REVIEW_RESULTS, vocab, zh
from kit.policy import load_policy
from kit.record import Finding, Inspection, natural_key
from kit.workdays import UnknownYearError, WorkCalendar

__all__ = [
    "CompanyFinding",
    "CompanyInspection",
    "CompanyView",
    "FileSeen",
    "ReviewSeen",
    "ServedNotice",
    "SubmissionSeen",
    "company_inspection",
    "served",
    "submit_refusal",
    "to_rectify",
]


@dataclass(frozen=True)
class ServedNotice:
    """A notice served on the company: its kind, title, number and dates."""

    kind: str
    title: str
    number: str
    issued_on: date | None
    served_on: date | None


@dataclass(frozen=True)
class FileSeen:
    """A file the company submitted: its name, hash, type and size."""

    name: str
    sha256: str
    mime: str
    size: int


@dataclass(frozen=True)
class SubmissionSeen:
    """One of the company's submissions (S1, S2…): when, by whom, its report and files."""

    key: str
    at: datetime | None
    by: str
    channel: str
    report: str
    files: tuple[FileSeen, ...]


@dataclass(frozen=True)
class ReviewSeen:
    """A review's outcome: a kept round (R1…) or, with ``round`` empty, the one under way."""

    round: str
    result: str  # 合格 / 不合格
    reviewed_on: date | None
    note: str


@dataclass(frozen=True)
class CompanyFinding:
    """A finding the company is to rectify, as the company sees it."""

    key: str
    item_label: str
    description: str
    requirement: str
    handling_label: str
    deadline: date | None  # in force (the last extension's)
    days_left: int | None  # working days to the deadline; negative once it has passed
    estimated: bool  # the count crosses a year whose holidays are not yet published
    state: str
    state_label: str
    #: why the company cannot submit now ('' when it can)
    closed_reason: str
    reviews: tuple[ReviewSeen, ...]
    submissions: tuple[SubmissionSeen, ...]

    @property
    def may_submit(self) -> bool:
        return not self.closed_reason


@dataclass(frozen=True)
class CompanyInspection:
    """One inspection of the company, as the company sees it."""

    id: str
    type_label: str
    start: date | None
    end: date | None
    notices: tuple[ServedNotice, ...]
    findings: tuple[CompanyFinding, ...]


@dataclass(frozen=True)
class CompanyView:
    """Everything a company person sees: their company and its inspections."""

    company: str
    credit_code: str
    inspections: tuple[CompanyInspection, ...]

    def inspection(self, inspection_id: str) -> CompanyInspection | None:
        return next((i for i in self.inspections if i.id == inspection_id), None)


def to_rectify(ins: Inspection) -> tuple[str, ...]:
    """The findings the company rectifies and submits for, in the order of their keys (F2
    before F10): :meth:`kit.policy.HandlingRules.to_review` under the office's rules, the
    findings whose reviews the rules check."""
    return tuple(sorted(load_policy().handling.to_review(ins.findings), key=natural_key))


def served(ins: Inspection) -> tuple[ServedNotice, ...]:
    """The notices served on the company (a service date recorded, or a refusal noted)."""
    return tuple(ServedNotice(kind, zh(NOTICE_KINDS, kind), n.number, n.issued_on, n.served_on)
                 for kind, n in ins.notices.items() if n.number and n.served_on is not None)


def submit_refusal(ins: Inspection, key: str) -> str:
    """Why the company cannot submit a rectification for finding ``key`` now ('' if it can)."""
    f = ins.findings.get(key)
    if f is None or key not in to_rectify(ins):
        return ("检查记录中没有需要您整改的该问题 / there is no such finding for you to rectify")
    if ins.stage == "closed":
        return "该检查已结案，不能再提交 / the inspection is closed: nothing more is submitted"
    if f.state == "passed":
        return "该问题已复查合格，无需再提交 / this finding passed its review: nothing to submit"
    if f.state == "submitted":
        return ("已提交，等待复查；复查后如需补充可再次提交 / submitted and waiting for its "
                "review; after the review you may submit again")
    return ""


def _files(ins: Inspection, keys: Iterable[str]) -> tuple[FileSeen, ...]:
    out = []
    for k in keys:
        a = ins.attachments.get(k)
        if a is not None and a.sha256:
            out.append(FileSeen(a.name, a.sha256, a.mime, a.size))
    return tuple(out)


def _reviews(f: Finding) -> tuple[ReviewSeen, ...]:
    kept = [ReviewSeen(k, zh(REVIEW_RESULTS, r.result), r.reviewed_on, r.note)
            for k, r in sorted(f.reviews.items(), key=lambda kv: natural_key(kv[0]))]
    if f.state in ("passed", "failed") and f.reviewed_on is not None:
        kept.append(ReviewSeen("", zh(REVIEW_RESULTS, f.state), f.reviewed_on, ""))
    return tuple(kept)


def _days_left(calendar: WorkCalendar, today: date, due: date | None) -> tuple[int | None, bool]:
    if due is None:
        return None, False
    try:
        if due >= today:
            count = calendar.workdays_between(today, due, allow_estimate=True)
            return count.days, count.estimated
        count = calendar.workdays_between(due, today, allow_estimate=True)
        return -count.days, count.estimated
    except UnknownYearError:
        return None, True


def company_inspection(ins: Inspection, calendar: WorkCalendar, today: date
                       ) -> CompanyInspection:
    """What the company sees of ``ins`` on ``today``."""
    guide = load_guide()
    handlings = vocab("handling_kinds")
    findings = []
    for key in to_rectify(ins):
        f = ins.findings[key]
        due = f.due
        left, estimated = _days_left(calendar, today, due)
        try:
            clause = guide.item(f.item)
            label = f"{clause.label} {clause.zh}"
        except NotFoundError:
            label = f.item  # an office's own item (its profile)
        findings.append(CompanyFinding(
            key=key, item_label=label,
            description=f.description, requirement=f.requirement,
            handling_label=zh(handlings, f.handling), deadline=due, days_left=left,
            estimated=estimated, state=f.state, state_label=zh(FINDING_STATES, f.state),
            closed_reason=submit_refusal(ins, key), reviews=_reviews(f),
            submissions=tuple(
                SubmissionSeen(k, s.at, s.by, s.channel, s.report, _files(ins, s.files))
                for k, s in sorted(f.submissions.items(), key=lambda kv: natural_key(kv[0])))))
    types = vocab("inspection_types")
    return CompanyInspection(ins.id, zh(types, ins.scope.type), ins.scope.start_date,
                             ins.scope.end_date, served(ins), tuple(findings))
