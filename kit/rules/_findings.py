"""六、7 and 十: results and findings, their handling, requirement and deadline."""

from __future__ import annotations

from collections.abc import Iterator

from kit.errors import Problem, error, warning
from kit.rules._context import Context


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
                f"{item_id} 判定为不符合，但尚未记录问题及处理",
                f"{item_id} does not conform but has no finding",
            )
