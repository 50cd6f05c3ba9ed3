"""One reminder as a mail, Chinese first: which company, which finding and its requirement,
which deadline, the working days left or late, and a link to the finding in the app.

It goes to the company's contact (``company/email`` of the record) and to the finding's
inspector: the team members whose share of the division of labour holds the finding's section
(their ``email``), else the team's leader. Whoever has no address is left out; a reminder with
no address at all is not sent (:func:`recipients` says so).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Final
from urllib.parse import quote

from kit.guide import load_guide
from kit.record import Finding, Inspection
from kit.remind._due import Due
from kit.remind._office import MailOffice
from kit.workdays import ESTIMATE_MARK

__all__ = ["REMINDER_HEADER", "Recipients", "app_link", "compose", "recipients"]

#: the header naming the reminder a mail is (inspection, finding, deadline, kind)
REMINDER_HEADER: Final = "X-Kit-Reminder"
_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


@dataclass(frozen=True)
class Recipients:
    """Who a reminder goes to: the company (To) and the inspectors (Cc), each (name, address);
    ``missing`` says who has no usable address."""

    company: tuple[tuple[str, str], ...]
    inspectors: tuple[tuple[str, str], ...]
    missing: tuple[str, ...] = ()

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(a for _n, a in (*self.company, *self.inspectors))


def _usable(address: str) -> str:
    address = address.strip()
    return address if _ADDRESS.fullmatch(address) else ""


def recipients(ins: Inspection, finding: Finding,
               section_of: Callable[[str], str | None]) -> Recipients:
    """The company's contact and the finding's inspector (owners of its section, else the
    leader), each with a usable address; ``section_of`` gives an item's section."""
    missing = []
    company = _usable(ins.company.email)
    if not company:
        missing.append(f"企业 {ins.company.name or '?'}（company/email）")
    section = section_of(finding.item) if finding.item else None
    keys = [k for k in (ins.owners(section) if section else ()) if ins.team[k].role != "expert"]
    if not keys:
        keys = list(ins.leaders)
    inspectors = []
    for k in keys:
        member = ins.team[k]
        address = _usable(member.email)
        if address:
            inspectors.append((member.name, address))
        else:
            missing.append(f"检查员 {member.name or k}（team/{k}/email）")
    if not keys:
        missing.append("检查员（检查组没有负责该章节的成员或组长） / no inspector")
    return Recipients(((ins.company.name, company),) if company else (), tuple(inspectors),
                      tuple(missing))


def app_link(base_url: str, inspection_id: str) -> str:
    """The app's page of the inspection's findings (``?id=ID&stage=findings``)."""
    if not base_url:
        return ""
    joiner = "&" if "?" in base_url else "?"
    return f"{base_url}{joiner}id={quote(inspection_id, safe='')}&stage=findings"


def _when(due: Due) -> tuple[str, str]:
    mark = ESTIMATE_MARK if due.estimated else ""
    if due.kind == "after":
        return (f"已逾期 {due.days} 个工作日{mark}",
                f"{due.days} working day(s) late{' (estimate)' if mark else ''}")
    if due.days == 0:
        return "今天是整改期限", "the deadline is today"
    return (f"距整改期限还有 {due.days} 个工作日{mark}",
            f"{due.days} working day(s) left{' (estimate)' if mark else ''}")


def compose(ins: Inspection, due: Due, to: Recipients, office: MailOffice,
            base_url: str, portal_url: str = "") -> EmailMessage:
    """The reminder ``due`` on ``ins`` as a mail from the office's sender to ``to``; with
    ``portal_url``, where the company submits its rectification online."""
    finding = ins.findings[due.finding]
    guide = load_guide()
    company = ins.company.name or "（企业名称未填）"
    try:
        kind = guide.term("inspection_types", ins.scope.type).zh
    except Exception:  # an unknown type never stops a reminder
        kind = "检查"
    try:
        item = f"{guide.item(finding.item).label}（{finding.item}）" if finding.item else "-"
    except Exception:  # an office's own item: its id
        item = finding.item
    started = ins.scope.start_date.isoformat() if ins.scope.start_date else "（日期未填）"
    deadline = due.deadline.isoformat() + (ESTIMATE_MARK if due.estimated else "")
    extended = f"（原期限 {due.first_deadline}，已延期）" if due.first_deadline else ""
    when_zh, when_en = _when(due)
    link = app_link(base_url, ins.id)
    names = "、".join(n for n, _a in to.inspectors) or "-"
    title_zh = "整改逾期提醒" if due.kind == "after" else "整改期限提醒"
    title_en = "Rectification overdue" if due.kind == "after" else "Rectification deadline"
    ask = ("请尽快提交整改报告和相关证明材料，或与检查组联系。" if due.kind == "after" else
           "请在整改期限内提交整改报告和相关证明材料。")
    lines = [
        f"{company}：",
        "",
        f"贵单位 {started} 接受的{kind}（检查记录 {ins.id}）发现的问题 {due.finding}，"
        f"整改期限为 {deadline}{extended}，{when_zh}。",
        "",
        f"问题 finding：{finding.description or '-'}",
        f"检查项目 item：{item}",
        f"整改要求 requirement：{finding.requirement or '-'}",
        f"整改期限 deadline：{deadline}{extended}",
        f"负责检查员 inspector：{names}",
        "",
        ask + "（指南六、9）",
    ]
    if portal_url and to.company:
        lines.append(f"企业在线提交整改资料 / the company submits online: {portal_url}")
    if link:
        lines.append(f"检查员查看 / inspectors open: {link}" if to.company else
                     f"查看 / open: {link}")
    lines += ["", *office.signature, "", "--",
              f"{title_en}: {company}, finding {due.finding} of inspection {ins.id}, "
              f"deadline {due.deadline.isoformat()}: {when_en}. Please submit the "
              "rectification report and its evidence" +
              (" as soon as possible." if due.kind == "after" else " by the deadline.")]
    msg = EmailMessage()
    msg["Subject"] = (f"【{title_zh}】{company}：问题 {due.finding} 整改期限 {deadline}，{when_zh}"
                      f" / {title_en}")
    msg["From"] = formataddr((office.sender_name, office.sender_address))
    if to.company:
        msg["To"] = ", ".join(formataddr(p) for p in to.company)
        if to.inspectors:
            msg["Cc"] = ", ".join(formataddr(p) for p in to.inspectors)
    else:
        msg["To"] = ", ".join(formataddr(p) for p in to.inspectors)
    if office.reply_to:
        msg["Reply-To"] = office.reply_to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid("kit-remind", office.sender_address.rpartition("@")[2])
    msg[REMINDER_HEADER] = " ".join(due.key)
    msg.set_content("\n".join(lines) + "\n", charset="utf-8")
    return msg
