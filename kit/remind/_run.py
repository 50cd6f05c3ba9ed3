"""A reminder run: what is due today, to whom, sent and recorded at most once, through the door.

>>> from datetime import date
>>> from kit.door import Door, Identity
>>> from kit.record import Company, Finding, Inspection, Member
>>> from kit.workdays import load_calendar
>>> door = Door.connect("sqlite://", identity=Identity("提醒服务"))
>>> _ = door.create(Inspection(id="A1", stage="follow_up",
...     company=Company(name="甲公司", email="qa@jia.example.cn"),
...     team={"M1": Member("张明", "leader", sections=("7.3",), email="zm@office.example.cn")},
...     findings={"F1": Finding(item="7.3.m2", deadline=date(2026, 3, 13))}))
>>> sent = []
>>> report = remind(door, load_calendar(), date(2026, 3, 10), sent.append)
>>> [(o.status, o.due.kind, o.to) for o in report.outcomes]
[('sent', 'before', ('qa@jia.example.cn', 'zm@office.example.cn'))]
>>> [o.status for o in remind(door, load_calendar(), date(2026, 3, 10), sent.append).outcomes]
['already']
>>> len(sent)
1
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from kit.config import settings
from kit.door import Door
from kit.errors import KitError
from kit.guide import load_guide
from kit.record import Inspection, parse_doc
from kit.remind._due import Due, due_reminders, reach_of
from kit.remind._mail import compose, recipients
from kit.remind._office import MailOffice, load_mail
from kit.remind._smtp import MailSender, SendError
from kit.workdays import WorkCalendar

__all__ = ["Outcome", "RemindReport", "Status", "describe", "remind"]

log = logging.getLogger(__name__)

#: what became of a reminder due: sent now; would be sent (dry run); sent before (by an earlier
#: run, or one at the same moment); not sent: the mail did not go, or nobody has an address
Status = Literal["sent", "would_send", "already", "failed", "no_address"]


@dataclass(frozen=True)
class Outcome:
    """One reminder due today and what became of it."""

    due: Due
    status: Status
    company: str = ""
    to: tuple[str, ...] = ()
    reason: str = ""
    #: who has no usable address (the reminder went to the others)
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemindReport:
    """A run's reminders, in the order of inspections and findings."""

    today: date
    dry_run: bool
    outcomes: tuple[Outcome, ...]

    def having(self, *statuses: Status) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in statuses]

    @property
    def not_sent(self) -> list[Outcome]:
        """The reminders that should have gone and did not (the next run tries again)."""
        return self.having("failed", "no_address")


def remind(door: Door, calendar: WorkCalendar, today: date, sender: MailSender, *,
           office: MailOffice | None = None, base_url: str | None = None,
           dry_run: bool = False) -> RemindReport:
    """Send today's reminders of rectification deadlines through ``sender`` and record each.

    Due (:func:`~kit.remind.due_reminders`): N working days before a finding's deadline in
    force (``templates/mail.yaml``'s ``days_before``) up to the deadline, and from the first
    working day after it passed, for findings not passed on review. Each goes to the company's
    contact and the finding's inspector (:func:`~kit.remind.recipients`), at most once per
    finding, deadline and kind, even with another run at the same moment
    (:meth:`kit.door.Door.remind_once`). A mail that does not go (:class:`SendError`) is
    reported and not recorded, and the others still go. ``dry_run``: what would go, nothing
    sent or recorded. ``base_url``: the app's address for links (default ``KIT_BASE_URL``).
    """
    office = office if office is not None else load_mail()
    base = settings().base_url if base_url is None else base_url
    done = {r.key for r in door.reminders()}  # refused first to whoever may not send them
    reach = reach_of(office.days_before)  # only inspections with a deadline that near
    dues = due_reminders(door.deadlines(today - reach, today + reach), calendar, today,
                         office.days_before)
    log.info("%d reminder(s) due on %s, %d sent before in all", len(dues), today, len(done))
    opened = _parts(door, sorted({d.inspection_id for d in dues if d.key not in done}))
    outcomes = []
    for due in dues:
        if due.key in done:
            outcomes.append(Outcome(due, "already"))
            continue
        ins = opened.get(due.inspection_id, "检查记录无法读取 / the record cannot be read")
        if not isinstance(ins, str) and due.finding not in ins.findings:  # removed meanwhile
            ins = f"问题 {due.finding} 已不在记录中 / finding {due.finding} is no longer there"
        if isinstance(ins, str):
            outcomes.append(Outcome(due, "failed", reason=ins))
            continue
        outcomes.append(_one(door, ins, due, today, sender, office, base, dry_run,
                             settings().portal_url))
    return RemindReport(today, dry_run, tuple(outcomes))


def _one(door: Door, ins: Inspection, due: Due, today: date, sender: MailSender,
         office: MailOffice, base: str, dry_run: bool, portal: str = "") -> Outcome:
    finding = ins.findings[due.finding]
    to = recipients(ins, finding, lambda item: _section_of(door, ins, item))
    company = ins.company.name
    if not to.addresses:
        return Outcome(due, "no_address", company, reason="没有收件人的电子邮箱 / nobody to send "
                       "it to has an e-mail address", missing=to.missing)
    if dry_run:
        return Outcome(due, "would_send", company, to.addresses, missing=to.missing)
    message = compose(ins, due, to, office, base, portal)
    try:
        sent = door.remind_once(due.inspection_id, due.finding, due.deadline, due.kind,
                                sent_on=today, recipients=to.addresses,
                                send=lambda: sender(message))
    except SendError as exc:
        log.warning("not sent %s: %s", " ".join(due.key), exc)
        return Outcome(due, "failed", company, to.addresses, str(exc), to.missing)
    return Outcome(due, "sent" if sent else "already", company, to.addresses,
                   missing=to.missing)


#: what a reminder needs of an inspection (the checklist's results, notices and evidence not)
_PARTS = ("profile", "company", "team", "scope", "findings")


def _parts(door: Door, ids: Sequence[str]) -> dict[str, Inspection | str]:
    """The parts of these stored inspections a reminder needs, as model objects (the rest
    left at its defaults: parsing whole records costs several times more), each read on its
    own (by its key: cheaper than one query over the fields of them all); a record that
    cannot be read is its one-line reason, and the others go on."""
    out: dict[str, Inspection | str] = {}
    for iid in ids:
        try:
            doc = door.open(iid).doc
            out[iid] = parse_doc({**{k: doc[k] for k in _PARTS if k in doc}, "id": iid})[0]
        except KitError as exc:
            out[iid] = str(exc).splitlines()[0]
    return out


def _section_of(door: Door, ins: Inspection, item: str) -> str | None:
    """The checklist section an item belongs to: the guide's, else the office profile's."""
    try:
        return load_guide().item(item).parent_id
    except (KitError, KeyError, ValueError):
        profile = door.profile(ins.profile)
        extra = profile.extra(item) if profile is not None else None
        return extra.parent_id if extra is not None else None


def describe(outcomes: Sequence[Outcome]) -> list[str]:
    """Each outcome as one line of text (for the command)."""
    return [_line(o) for o in outcomes]


_WORDS: dict[str, str] = {"sent": "已发送 sent", "would_send": "将发送 would send",
                          "already": "此前已发送 sent before", "failed": "未能发送 not sent",
                          "no_address": "无收件地址 no address"}


def _line(o: Outcome) -> str:
    d = o.due
    days = (f"逾期 {d.days} 个工作日 {d.days} late" if d.kind == "after" else
            f"还有 {d.days} 个工作日 {d.days} left")
    kind = "期限前 before" if d.kind == "before" else "逾期 after"
    text = (f"{_WORDS[o.status]}\t{d.inspection_id}\t{d.finding}\t{kind}\t{d.deadline}"
            f"{'（估算）' if d.estimated else ''}\t{days}\t{o.company}\t{', '.join(o.to) or '-'}")
    if o.reason:
        text += f"\t{o.reason}"
    if o.missing:
        text += f"\t缺少邮箱 no address: {'；'.join(o.missing)}"
    return text
