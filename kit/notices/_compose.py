"""What a notice says: the office's template filled from the record (pure; no file is written).

A :class:`NoticeText` is the notice as lines and a table, in the order it is printed; the
workbook lays it out on an A4 page (:func:`kit.workbook.write_notices`), the app shows it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from kit.errors import NotFoundError
from kit.guide import Guide, load_guide
from kit.notices._template import (
    SIGNER_ROLES,
    NoticeTemplate,
    NoticeTemplates,
    load_notice_templates,
)
from kit.policy import Policy, load_policy
from kit.record import Attachment, Finding, Inspection, NoticeKind, natural_key
from kit.workdays import ESTIMATE_MARK, CalendarEstimateWarning, WorkCalendar, load_calendar

#: the notices' table headers, per kind
TABLE_HEADERS: Mapping[str, tuple[str, ...]] = {
    "result": ("序号", "问题描述", "检查项", "处理方式"),
    "rectification": ("序号", "问题描述", "检查项及依据", "整改要求", "整改期限"),
    "suspension": ("序号", "问题描述", "检查项及依据", "处理方式", "要求"),
}
#: the result notice's header when the office grades findings: the grade beside the handling
GRADED_RESULT_HEADER = ("序号", "问题描述", "检查项", "等级及处理方式")


@dataclass(frozen=True)
class NoticeSigner:
    """A signature a notice carries: who (their role and name) and the picture they drew on
    the pad (by its SHA-256 in the store; empty when they have not signed), by whom and when."""

    role: str
    name: str
    picture: str = ""
    drawn_by: str = ""
    drawn_at: str = ""


@dataclass(frozen=True)
class NoticeText:
    """A notice as it is printed, top to bottom."""

    kind: NoticeKind
    letterhead: str
    title: str
    number: str
    addressee: str
    paragraphs: tuple[str, ...]
    table_intro: str
    table_header: tuple[str, ...]
    table_rows: tuple[tuple[str, ...], ...]
    closing: tuple[str, ...]
    office: str
    dated: str
    contact: str
    receipt_title: str
    receipt: tuple[str, ...]
    signers: tuple[NoticeSigner, ...] = ()


def cn_date(day: date | None) -> str:
    """A date as a notice writes it: ``2026年11月19日`` (blank spaces for one not yet known).

    >>> cn_date(date(2026, 3, 5)), cn_date(None)
    ('2026年3月5日', '　　　　年　　月　　日')
    """
    if day is None:
        return "　　　　年　　月　　日"
    return f"{day.year}年{day.month}月{day.day}日"


def _basis_names(ins: Inspection, guide: Guide) -> str:
    names = []
    for cid in ins.scope.bases:
        try:
            text = guide.item(cid).zh
        except LookupError:
            continue
        names.append(re.sub(r"（[^（）]*）$", "", text.strip()))
    return "、".join(names) or "有关规定"


def _dates(ins: Inspection) -> str:
    start, end = ins.scope.start_date, ins.scope.end_date
    if start and end and end != start:
        return f"{cn_date(start)}至{cn_date(end)}"
    return cn_date(start or end)


def _member_names(ins: Inspection, keys: tuple[str, ...]) -> str:
    return "、".join(ins.team[k].name for k in keys if k in ins.team and ins.team[k].name)


def issuer(ins: Inspection, templates: NoticeTemplates) -> NoticeTemplates:
    """The templates this record's notices are issued under: those of the authority that
    inspects (the team leader's, :attr:`Inspection.inspecting_authority`) where the file lists
    it, else the office's."""
    return templates.issuer(ins.inspecting_authority)


def office_name(ins: Inspection, templates: NoticeTemplates) -> str:
    """The sign-off: the issuing authority's name from the template, else the leader's
    authority."""
    return issuer(ins, templates).office or ins.inspecting_authority


def verdict_sentence(ins: Inspection, policy: Policy) -> str:
    """The verdict as the result notice states it, in the words of the scheme it was given
    under, with that scheme's name; '' when the office's scheme gives no verdict."""
    if not policy.scheme.verdicts:
        return ""
    scheme = policy.scheme_named(ins.opinion.scheme) or policy.scheme
    code = ins.opinion.verdict
    if not code:
        return "检查结论：（检查结论尚未确认）"
    term = scheme.verdict(code)
    return f"检查结论：{term.zh if term else code}（按“{scheme.zh}”评定）。"


def _warnings(ins: Inspection, keys: list[str]) -> str:
    """Each safety warning of 暂停生产并发布安全警示信息 (十、1): its date, channel and text,
    the finding by its number on this notice."""
    parts = []
    for key in sorted(ins.findings, key=natural_key):
        f = ins.findings[key]
        if f.handling != "suspend_and_warn":
            continue
        which = f"问题{keys.index(key) + 1}" if key in keys else f"问题 {key}"
        if f.warning_on is None and not f.warning_channel.strip() and not f.warning_text.strip():
            parts.append(f"{which}须发布安全警示信息（尚未记录发布日期、渠道和内容）")
            continue
        said = f"“{f.warning_text.strip()}”" if f.warning_text.strip() else "（内容未记录）"
        parts.append(f"{which}已于{cn_date(f.warning_on)}通过"
                     f"{f.warning_channel.strip() or '（渠道未记录）'}发布安全警示信息：{said}")
    return "安全警示信息：" + "；".join(parts) + "。" if parts else ""


def _resumption(ins: Inspection, policy: Policy) -> str:
    """What lets suspended production resume: the office's rule (templates/handling.yaml),
    with its source; '' when no finding of the record is under it."""
    rules = policy.handling
    if not any(f.handling in rules.resume_kinds for f in ins.findings.values()):
        return ""
    how = "经我局现场复查合格" if rules.recheck_on_site else "经我局复查合格"
    source = rules.resumption_source.strip().rstrip("。")
    cited = f"（依据：{source}）" if source else ""
    return f"你单位完成整改后，应将整改报告及相关证明材料报送我局，{how}后方可恢复生产{cited}。"


def _inability(ins: Inspection) -> str:
    """六、8: the inspection (or part of it) could not be carried out for the company's own
    reasons: why, and the inspectors who noted it and signed; '' when it was not so, or is not
    yet recorded as 六、8 wants (the rules name what is missing: no placeholder on a notice)."""
    if not ins.inability_holds:  # not recorded, or not yet as 六、8 wants it (the rules say)
        return ""
    why = ins.inability.reason.strip().rstrip("。；;.")
    who = _member_names(ins, ins.inability_noted_by)
    return (f"由于你单位自身原因，检查无法实施：{why}。检查人员{who}已注明情况并签字确认"
            f"（《北京市医疗器械生产监督检查指南》六、8）。")


def values(ins: Inspection, kind: NoticeKind, templates: NoticeTemplates, guide: Guide,
           findings: int, policy: Policy | None = None,
           listed: list[str] | None = None) -> dict[str, str]:
    """Each placeholder's text for this record (``listed``: the findings on this notice, by
    key, in its order)."""
    policy = policy or load_policy()
    kind_word = next((t.zh for t in guide.terms("inspection_types") if t.code == ins.scope.type),
                     ins.scope.type)
    return {
        "企业名称": ins.company.name,
        "统一社会信用代码": ins.company.credit_code,
        "生产地址": ins.company.production_address or ins.company.registered_address,
        "检查单位": office_name(ins, templates),
        "检查类型": kind_word + ("（飞行检查）" if ins.scope.unannounced else ""),
        "检查开始日期": cn_date(ins.scope.start_date),
        "检查结束日期": cn_date(ins.scope.ended_on),
        "检查日期": _dates(ins),
        "检查依据": _basis_names(ins, guide),
        "检查意见": ins.opinion.conclusion.strip() or "（检查意见尚未确定）",
        "检查组长": _member_names(ins, ins.leaders),
        "检查组成员": _member_names(ins, tuple(ins.team)),
        "问题数": str(findings),
        "文号": ins.notices[kind].number if kind in ins.notices else "",
        "检查结论": verdict_sentence(ins, policy),
        "安全警示信息": _warnings(ins, listed if listed is not None else []),
        "恢复生产条件": _resumption(ins, policy),
        "无法实施检查": _inability(ins),
    }


def _fill(text: str, vals: Mapping[str, str]) -> str:
    return re.sub(r"\{([^{}]*)\}", lambda m: vals.get(m.group(1), m.group(0)), text)


def listed_findings(ins: Inspection, kind: NoticeKind, guide: Guide,
                    policy: Policy | None = None) -> list[str]:
    """The findings a notice lists, by key: all of them on the result notice, those whose
    handling sets a deadline (十、1) on the rectification notice, those that suspend
    production (the kinds the office's rule gives the suspension notice, templates/handling.yaml)
    on the suspension notice."""
    keys = sorted(ins.findings, key=natural_key)
    if kind == "result":
        return keys
    if kind == "suspension":
        suspending = set((policy or load_policy()).handling.notice_kinds)
        return [k for k in keys if ins.findings[k].handling in suspending]
    needs = {t.code for t in guide.terms("handling_kinds") if t.needs_deadline}
    return [k for k in keys if ins.findings[k].handling in needs]


def _deadline(f: Finding, since: date | None, calendar: WorkCalendar) -> str:
    """The deadline in force (the last extension's, 延期整改), its working days from the visit's
    end (a count into a year whose official schedule is unknown marked as every estimate is,
    :data:`~kit.workdays.ESTIMATE_MARK`), and the first deadline when it was extended."""
    due = f.due
    if due is None:
        return ""
    text = cn_date(due)
    if since is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CalendarEstimateWarning)
            count = calendar.workdays_between(since, due, allow_estimate=True)
        text += f"\n（{count.days}个工作日）{ESTIMATE_MARK if count.estimated else ''}"
    if f.deadline is not None and due != f.deadline:
        text += f"\n已延期（原期限 {cn_date(f.deadline)}）"
    return text


def _row(kind: NoticeKind, n: int, f: Finding, ins: Inspection, guide: Guide,
         calendar: WorkCalendar, policy: Policy) -> tuple[str, ...]:
    try:
        label = guide.item(f.item).label if f.item else ""
    except LookupError:
        label = f.item
    handling = next((t.zh for t in guide.terms("handling_kinds") if t.code == f.handling),
                    f.handling)
    if kind == "result":
        scheme = policy.scheme
        if not scheme.grades_findings:
            return (str(n), f.description, label, handling)
        grade = scheme.grade(f.grade)
        graded = (grade.zh if grade else f.grade) if f.grade else "（尚未定级）"
        return (str(n), f.description, label, f"等级：{graded}\n处理：{handling}")
    where = label + (f"\n依据：{f.basis.strip()}" if f.basis.strip() else "")
    if kind == "suspension":
        return (str(n), f.description, where, handling, f.requirement)
    return (str(n), f.description, where, f.requirement,
            _deadline(f, ins.scope.ended_on, calendar))


def _receipt(ins: Inspection, kind: NoticeKind) -> tuple[str, ...]:
    notice = ins.notices.get(kind)
    if notice is None or notice.served_on is None:
        return ("签收人（签字）：", "签收日期：" + cn_date(None))
    served = "送达日期：" + cn_date(notice.served_on)
    if notice.refused:
        lines = [served, "企业拒绝签收。检查人员（签字）："
                 + (_member_names(ins, notice.witnesses) or "　")]
    else:
        lines = [served, "签收人（签字）：" + notice.received_by]
    if notice.note.strip():
        lines.append("说明：" + notice.note.strip())
    return tuple(lines)


def _signers(ins: Inspection, roles: tuple[str, ...]) -> tuple[NoticeSigner, ...]:
    """The signatures the template asks for, each with the latest picture drawn for them."""
    drawn: dict[str, Attachment] = {}
    for key in sorted(ins.attachments, key=natural_key):
        a = ins.attachments[key]
        if a.kind == "signature":
            drawn[a.target.partition("/")[2]] = a
    sig = ins.signatures
    who: list[tuple[str, str, str]] = []  # role, pad target, name
    for role in roles:
        label = SIGNER_ROLES[role]
        if role == "leader":
            who += [(label, k, ins.team[k].name) for k in ins.leaders if k in ins.team]
        elif role == "inspectors":
            who += [(label, k, ins.team[k].name) for k in ins.inspectors if k in ins.team]
        elif role == "company":
            who.append((label, "company", sig.company_signer))
        elif role == "witness" and (sig.witness_present or sig.witness_name):
            who.append((label, "witness", sig.witness_name))
    out: list[NoticeSigner] = []
    seen: set[str] = set()
    for label, target, name in who:
        if target in seen:  # the leader is an inspector too: signs once, as the leader
            continue
        seen.add(target)
        pad = drawn.get(target)
        if pad is None:
            out.append(NoticeSigner(label, name))
            continue
        out.append(NoticeSigner(label, name or pad.signer, pad.sha256 or pad.thumb_sha256,
                                pad.signer,
                                f"{cn_date(pad.at.date())} {pad.at:%H:%M}" if pad.at else ""))
    return tuple(out)


def _header(kind: NoticeKind, policy: Policy) -> tuple[str, ...]:
    if kind == "result" and policy.scheme.grades_findings:
        return GRADED_RESULT_HEADER
    return TABLE_HEADERS[kind]


def _lines(texts: tuple[str, ...], vals: Mapping[str, str]) -> tuple[str, ...]:
    """The texts filled in; one that fills to nothing (a sentence that does not apply) is
    left out."""
    return tuple(line for line in (_fill(t, vals) for t in texts) if line.strip())


def compose(ins: Inspection, kind: NoticeKind, *, templates: NoticeTemplates | None = None,
            guide: Guide | None = None, calendar: WorkCalendar | None = None,
            policy: Policy | None = None) -> NoticeText:
    """The notice of ``kind`` for this record, filled from the office's template (and the
    office's grading scheme and handling rules, ``policy``: the verdict and grades, what lets
    suspended production resume)."""
    templates = issuer(ins, templates or load_notice_templates())
    guide = guide or load_guide()
    calendar = calendar or load_calendar()
    policy = policy or load_policy()
    if kind not in templates.kinds:
        msg = (f"文书模板 {templates.source or 'notices.yaml'} 中没有 {kind}：请按 "
               f"templates/notices.yaml 补上 / the office's templates have no {kind!r} notice")
        raise NotFoundError(msg)
    tpl: NoticeTemplate = templates[kind]
    keys = listed_findings(ins, kind, guide, policy)
    vals = values(ins, kind, templates, guide, len(keys), policy, keys)
    notice = ins.notices.get(kind)
    rows = tuple(_row(kind, n, ins.findings[k], ins, guide, calendar, policy)
                 for n, k in enumerate(keys, 1))
    return NoticeText(
        kind=kind,
        letterhead=templates.letterhead,
        title=_fill(tpl.title, vals),
        number=notice.number if notice is not None else "",
        addressee=f"{ins.company.name}：",
        paragraphs=_lines(tpl.paragraphs, vals),
        table_intro=_fill(tpl.findings_intro if keys else tpl.no_findings, vals),
        table_header=_header(kind, policy) if keys else (),
        table_rows=rows,
        closing=_lines(tpl.closing, vals),
        office=vals["检查单位"],
        dated=cn_date(notice.issued_on if notice is not None else None),
        contact=templates.contact,
        receipt_title=_fill(tpl.receipt, vals),
        receipt=_receipt(ins, kind),
        signers=_signers(ins, tpl.signatures),
    )


def service_lines(ins: Inspection, kind: NoticeKind, pdf_sha256: str) -> tuple[str, tuple[str, ...]]:
    """A proof of service (送达回证) of the issued notice of ``kind``: its title and lines (the
    notice by number and the SHA-256 of its issued PDF, the date served, who signed for it or
    the refusal and the inspectors who noted it)."""
    templates = issuer(ins, load_notice_templates())
    notice = ins.notices[kind]
    title = _fill(templates[kind].title, values(ins, kind, templates, load_guide(), 0))
    lines = [f"受送达单位：{ins.company.name}",
             f"送达文书：{title}（{notice.number}）",
             f"出具日期：{cn_date(notice.issued_on)}",
             f"所送达文书 PDF 的 SHA-256：{pdf_sha256 or '（出具时未存证）'}",
             f"送达日期：{cn_date(notice.served_on)}"]
    if notice.refused:
        lines.append("企业拒绝签收。记录拒收的检查人员：" + _member_names(ins, notice.witnesses))
    else:
        lines.append(f"签收人：{notice.received_by}")
    if notice.note.strip():
        lines.append("说明：" + notice.note.strip())
    lines.append(f"送达机关：{office_name(ins, templates)}")
    return "送达回证", tuple(lines)
