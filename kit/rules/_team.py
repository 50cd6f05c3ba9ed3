"""四 and 五、4: the team, its leader, qualifications and the division of labour."""

from __future__ import annotations

from collections.abc import Iterator

from kit.errors import Problem, error, warning
from kit.rules._context import Context


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
            yield warning(
                "division.shared",
                "scope/sections",
                f"{title} 同时分配给了 {names}：检查员一般负责不同检查内容（五、4），"
                "请在检查项上注明各自的检查员",
                f"section {sid} is shared by several inspectors: each usually has their own "
                "part (五.4); name the inspector on each item",
            )
    owners_of: dict[str, list[str]] = {}
    for key, member in ins.team.items():
        for sid in member.sections:
            owners_of.setdefault(sid, []).append(key)
    for item_id, result in ins.results.items():
        who = result.inspector
        if not who:
            continue
        section = item_id.rsplit(".", 1)[0]
        item_owners = owners_of.get(section, [])
        if who in ins.team and item_owners and who not in item_owners:
            title = ctx.guide.section(section).label if section in ctx.guide else section
            owner_names = "、".join(ins.team[k].name or k for k in item_owners)
            yield warning(
                "division.item_inspector",
                f"results/{item_id}/inspector",
                f"{ctx.label(item_id)} 由 {ins.team[who].name or who} 检查，但 {title} 分工给了 "
                f"{owner_names}（四、1；五、4）",
                f"{ctx.label(item_id)} was checked by {ins.team[who].name or who}, not by "
                f"the owner of {title} ({owner_names}) (四.1, 五.4)",
            )
        elif who not in ins.team:
            yield error(
                "division.item_inspector",
                f"results/{item_id}/inspector",
                f"{ctx.label(item_id)} 的检查员 {who!r} 不是检查组成员",
                f"{ctx.label(item_id)}'s inspector {who!r} is not on the team",
            )
    for key, member in ins.team.items():
        for sid in member.sections:
            if sid not in ins.scope.sections:
                title = ctx.guide.section(sid).label if sid in ctx.guide else sid
                yield warning(
                    "division.out_of_scope",
                    f"team/{key}/sections",
                    f"{member.name or key} 分到的 {title} 不在检查范围内",
                    f"{sid} is assigned but not in scope",
                )
