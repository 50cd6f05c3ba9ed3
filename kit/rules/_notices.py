"""六、7-9: the written notices served on the company, and the company's receipt."""

from __future__ import annotations

from collections.abc import Iterator

from kit.errors import Problem, error
from kit.labels import NOTICE_KINDS as NOTICE_WORDS
from kit.record import NOTICE_KINDS, Inspection
from kit.rules._context import Context

_AFTER_REPORT = ("follow_up", "closed")
_WORDS = {code: words[0] for code, words in NOTICE_WORDS.items()}


def issue_problems(ctx: Context, kind: str) -> list[Problem]:
    """What stops a notice of ``kind`` being issued now: a result notice states the team's
    opinion; a rectification notice lists each finding to rectify with its requirement and
    deadline, and there must be one."""
    ins = ctx.inspection
    base = f"notices/{kind}"
    if kind not in NOTICE_KINDS:
        return [error("notices.unknown_kind", base,
                      f"没有这种文书：{kind}（可用：result 检查结果告知书、rectification 整改通知书、"
                      "suspension 暂停生产通知书）",
                      f"no such notice {kind!r} (result, rectification, suspension)")]
    out = []
    if ins.stage in ("preparation", "on_site"):
        out.append(error(
            "notices.too_early", base,
            f"{_WORDS[kind]}在现场检查结束、进入“检查文书与签字”后出具（六、7）",
            "a notice is issued once the visit is over, at the record-and-signatures stage (六.7)"))
    if kind == "result" and not ins.opinion.conclusion.strip():
        out.append(error(
            "notices.no_opinion", "opinion/conclusion",
            "检查结果告知书须写明检查意见：请检查组长先填写检查意见（六、7）",
            "the result notice states the team's opinion: the leader enters it first (六.7)"))
    if kind == "result" and ctx.policy.scheme.verdicts and not ins.opinion.verdict:
        out.append(error(
            "verdict.missing", "opinion/verdict",
            f"本局按“{ctx.policy.scheme.zh}”作出检查结论，检查结果告知书写明结论：请检查组长先确认检查结论",
            "the result notice states the verdict under the office's scheme: the leader "
            "confirms it first"))
    if kind == "suspension":
        if not ctx.to_suspend:
            out.append(error(
                "notices.nothing_to_suspend", base,
                "没有要求暂停生产的问题，无需暂停生产通知书（十、1）",
                "no finding suspends production: no suspension notice (十.1)"))
        for key in ctx.to_suspend:
            if not ins.findings[key].requirement.strip():
                out.append(error(
                    "notices.finding_incomplete", f"findings/{key}/requirement",
                    f"问题 {key} 要求暂停生产：暂停生产通知书须写明对企业的要求（十、1）",
                    f"finding {key} suspends production: the notice states what is required "
                    "(十.1)"))
    if kind == "rectification":
        if not ctx.to_rectify:
            out.append(error(
                "notices.nothing_to_rectify", base,
                "没有需限期整改的问题，无需整改通知书（十、1）",
                "no finding needs rectification by a deadline: no rectification notice (十.1)"))
        for key in ctx.to_rectify:
            f = ins.findings[key]
            if not f.requirement.strip() or f.deadline is None:
                out.append(error(
                    "notices.finding_incomplete", f"findings/{key}",
                    f"问题 {key} 缺少整改要求或整改期限，整改通知书须逐项写明（六、7；十、1）",
                    f"finding {key} lacks its requirement or deadline, which the notice lists "
                    "(六.7, 十.1)"))
    return out


def notices(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    for kind in ins.notices:
        if kind not in NOTICE_KINDS:
            yield error("notices.unknown_kind", f"notices/{kind}",
                        f"没有这种文书：{kind}（可用：result、rectification、suspension）",
                        f"no such notice {kind!r} (result, rectification, suspension)")
    if ins.stage in _AFTER_REPORT:
        yield from _missing(ctx)
    for kind in NOTICE_KINDS:
        if kind in ins.notices:
            yield from _one(ins, kind)


def _missing(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    wanted = [("result", "notices.result_missing", "六、7 将检查结果书面告知企业")]
    if ctx.to_rectify:
        wanted.append(("rectification", "notices.rectification_missing",
                       "六、9；十、1 书面明确整改要求及整改期限"))
    if ctx.to_suspend:
        wanted.append(("suspension", "notices.suspension_missing",
                       "十、1 要求企业暂停生产的紧急控制措施"))
    for kind, code, why in wanted:
        notice = ins.notices.get(kind)
        if notice is None or not notice.number:
            yield error(
                code, f"notices/{kind}/number",
                f"尚未出具{_WORDS[kind]}（{why}）",
                f"the {kind} notice has not been issued ({why.split()[0]})")
        elif notice.served_on is None:
            yield error(
                "notices.not_served", f"notices/{kind}/served_on",
                f"{_WORDS[kind]}已出具但未记录送达日期（六、7）",
                f"the {kind} notice is issued but not recorded as served (六.7)")


def _one(ins: Inspection, kind: str) -> Iterator[Problem]:
    n = ins.notices[kind]
    base = f"notices/{kind}"
    word = _WORDS[kind]
    if not n.number and (n.served_on or n.received_by.strip() or n.refused):
        yield error("notices.no_number", f"{base}/number",
                    f"{word}尚未出具（没有文号），不能记录送达或签收",
                    f"the {kind} notice has no number yet: issue it before recording service")
    start = ins.scope.start_date
    if n.issued_on and start and n.issued_on < start:
        yield error("notices.issued_before_visit", f"{base}/issued_on",
                    f"{word}的出具日期 {n.issued_on} 早于检查开始日期 {start}（六、7）",
                    "the notice is dated before the visit began (六.7)")
    if n.served_on and n.issued_on and n.served_on < n.issued_on:
        yield error("notices.served_before_issued", f"{base}/served_on",
                    f"{word}的送达日期 {n.served_on} 早于出具日期 {n.issued_on}",
                    "served before it was issued")
    if n.served_on and not n.received_by.strip() and not n.refused:
        yield error("notices.no_receipt", f"{base}/received_by",
                    f"{word}已送达：请记录企业签收人，或记录企业拒绝签收（六、7、六、8）",
                    "served: record who signed for it, or the company's refusal (六.7-8)")
    if n.refused and n.received_by.strip():
        yield error("notices.refused_but_received", f"{base}/received_by",
                    f"记录了企业拒绝签收，同时又记录了签收人 {n.received_by}：二者只能有一（六、8）",
                    "a refusal and a receiver are both recorded: it is one or the other (六.8)")
    for key in n.witnesses:
        if key not in ins.team:
            yield error("notices.unknown_witness", f"{base}/witnesses",
                        f"{key!r} 不是检查组成员", f"{key!r} is not on the team")
    if n.refused and len([k for k in n.witnesses if k in ins.inspectors]) < 2:
        yield error("notices.refusal_needs_two", f"{base}/witnesses",
                    f"企业拒绝签收{word}的，应由2名以上检查人员注明情况并签字确认（六、8）",
                    "on a refusal at least two inspectors note it and sign (六.8)")
    if kind == "result" and n.number and not ins.opinion.conclusion.strip():
        yield error("notices.no_opinion", "opinion/conclusion",
                    "已出具检查结果告知书，但没有检查意见（六、7 检查结果和意见应明确）",
                    "the result notice is issued but the record has no opinion (六.7)")
