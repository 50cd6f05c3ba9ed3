"""六、7-9: signatures or the refusal, the inability to inspect, and the follow-up."""

from __future__ import annotations

from collections.abc import Iterator

from kit.errors import Problem, error, warning
from kit.rules._context import PAST_ON_SITE, REQUIRED_STEPS, Context


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
    if sig.refused and sig.company_signer.strip():
        yield error(
            "signatures.refused_but_signed",
            "signatures/company_signer",
            f"记录了企业拒绝签字，同时又记录了企业签字人 {sig.company_signer}：二者只能有一（六、7、六、8）",
            "a refusal and a company signer are both recorded: it is one or the other (六.7-8)",
        )
    if sig.refused and sig.witness_present and not (sig.witness_name.strip()
                                                    and sig.witness_signed):
        yield error(
            "signatures.witness",
            "signatures/witness_signed",
            "企业拒绝签字、现场有见证人的，需要由见证人签字（六、8）",
            "on a refusal, a witness who was present must sign (六.8)",
        )
    if not sig.witness_present and (sig.witness_name.strip() or sig.witness_signed):
        yield error(
            "signatures.witness_absent",
            "signatures/witness_present",
            "记录了见证人姓名或签字，但未记录现场有见证人（六、8）",
            "a witness is named or signed although none is recorded as present (六.8)",
        )
    if ins.stage in ("follow_up", "closed") and not (sig.company_signer.strip() or sig.refused):
        yield error(
            "signatures.missing",
            "signatures/company_signer",
            "检查记录须由企业相关人员签字确认，或记录拒绝签字情况（六、7、六、8）",
            "the record needs the company's signature or a recorded refusal",
        )


def inability(ctx: Context) -> Iterator[Problem]:
    """六、8 由于企业自身原因而无法实施检查: its reason, two or more inspectors noting it, and a
    witness present signing."""
    ins = ctx.inspection
    unable = ins.inability
    if not unable.recorded:
        return
    noted = ctx.inability_noted_by
    if len(noted) < 2:
        yield error(
            "inability.needs_two",
            "inability/noted_by",
            "由于企业自身原因而无法实施检查的，应由2名以上（包括2名）检查人员注明情况并签字确认"
            f"（六、8），现有 {len(noted)} 名",
            f"when the inspection cannot be carried out for the company's own reasons, two or "
            f"more inspectors note it and sign (六.8); {len(noted)} did",
        )
    if not unable.reason.strip():
        yield error(
            "inability.no_reason",
            "inability/reason",
            "记录了由于企业自身原因而无法实施检查，须注明情况（原因）（六、8）",
            "the inability to inspect is recorded: say what happened (六.8)",
        )
    sig = ins.signatures
    if sig.witness_present and not (sig.witness_name.strip() and sig.witness_signed):
        yield error(
            "inability.witness",
            "signatures/witness_signed",
            "无法实施检查、现场有见证人的，需要由见证人签字（六、8）",
            "the inspection could not be carried out and a witness was present: the witness "
            "signs (六.8)",
        )


def follow_up(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    fu = ins.follow_up
    if ins.stage == "closed" and ctx.to_review:
        if fu.reviewed_on is None or not fu.reviewer.strip() or not fu.review_mode:
            yield error(
                "follow_up.not_closed",
                "follow_up/reviewed_on",
                "有限期整改的问题，结案前须完成跟踪检查：记录审查方式、审查日期和审查人（六、9；十、3）",
                "rectification must be reviewed before the record is closed: the review's mode, "
                "date and reviewer (六.9, 十.3)",
            )
        if fu.closed_on is None:
            yield error(
                "follow_up.no_closing_date",
                "follow_up/closed_on",
                "已结案的记录须有结案日期（六、9）",
                "a closed record has its closing date (六.9)",
            )
    if fu.closed_on is not None and fu.reviewed_on is not None and fu.closed_on < fu.reviewed_on:
        yield error(
            "follow_up.closed_before_review",
            "follow_up/closed_on",
            f"结案日期 {fu.closed_on} 早于跟踪审查日期 {fu.reviewed_on}（六、9）",
            f"closed ({fu.closed_on}) before the review ({fu.reviewed_on}) (六.9)",
        )
    if fu.reviewed_on is not None and fu.submitted_on is None and fu.review_mode == "written":
        yield warning(
            "follow_up.no_submission",
            "follow_up/submitted_on",
            "书面审查前应记录企业提交整改资料的日期（六、9）",
            "record when the rectification report was submitted",
        )


def steps_done(ctx: Context) -> Iterator[Problem]:
    """六: a closed record has done the visit's steps (六、8 on a refusal, 六、9 when something
    is to be rectified; 六、4 as needed)."""
    ins = ctx.inspection
    if ins.stage != "closed":
        return
    required = list(REQUIRED_STEPS)
    if ins.signatures.refused:
        required.append("6.8")
    if ctx.to_review:
        required.append("6.9")
    for step in sorted(required, key=lambda s: int(s.split(".")[1])):
        if not (done := ins.steps.get(step)) or not done.done:
            yield error(
                "steps.undone",
                f"steps/{step}/done",
                f"记录已结案，但六、{step.split('.')[1]} 尚未完成",
                f"the record is closed but step 六.{step.split('.')[1]} is not done",
            )


def opinion(ctx: Context) -> Iterator[Problem]:
    """六、5-6: once the record is written, the team's opinion is in it."""
    ins = ctx.inspection
    if ins.stage in PAST_ON_SITE and not ins.opinion.conclusion.strip():
        yield error(
            "opinion.missing",
            "opinion/conclusion",
            "检查组应讨论确定检查意见，由组长填写后方可出具检查文书（六、5、六、6）",
            "the team's opinion, entered by its leader, comes before the record (六.5-6)",
        )
