"""六、7-9: signatures or the refusal, and the follow-up."""

from __future__ import annotations

from collections.abc import Iterator

from kit.errors import Problem, error, warning
from kit.rules._context import Context


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
