"""The year's plan as saved, and inspections made from it: ``kit new`` (from a plan line or a
company of the register), and what ``kit plan --save``, ``--show`` and ``--trail`` print.

A refusal (an unknown line, one already done or withdrawn, a company not in the register) is
one line on stderr with exit code 2, and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import logging
from datetime import date
from typing import TYPE_CHECKING

from kit.cli._common import EXIT_OK, Subparsers, _door, _out
from kit.errors import KitError
from kit.record.terms import INSPECTION_TYPES

if TYPE_CHECKING:
    from kit.door import Door, PlanChange, SavedLine

__all__ = ["add_parsers", "cmd_new", "show_lines", "show_trail"]

log = logging.getLogger("kit.cli")

#: the inspection types ``kit new --type`` takes (五、2)
TYPES: tuple[str, ...] = INSPECTION_TYPES


def cmd_new(args: argparse.Namespace) -> int:
    """Make an inspection from a saved plan line, or from a company of the register."""
    from kit.dates import parse_date

    if bool(args.plan_line) == bool(args.company):
        msg = ("请给出 --plan-line 计划行编号 或 --company 统一社会信用代码（二者之一） / give "
               "--plan-line ID or --company CODE (one of them)")
        raise KitError(msg)
    if args.plan_line and (args.type or args.member):
        msg = ("--type 和 --member 只用于 --company；计划行的检查类别和检查组以计划为准 / --type and "
               "--member go with --company: a plan line's type and team are the plan's")
        raise KitError(msg)
    start = parse_date(args.start) if args.start else None
    door = _door(args)
    log.info("making an inspection from %s", f"plan line {args.plan_line}" if args.plan_line
             else f"the register's {args.company}")
    if args.plan_line:
        made = door.new_from_line(args.plan_line.strip(), start=start)
        line = made.line.line
        when = f"{made.start}" + ("（估算 estimate：该年度放假安排尚未公布）" if made.estimated else "")
        if start is not None and (start.year, start.month) != (line.year, line.month):
            when += f"（不在计划月份 {line.year}-{line.month:02d} / not in the planned month）"
        _describe(door, made.inspection_id, when)
        _out(f"计划行 {made.line.id} 已完成，记为检查记录 {made.inspection_id} / plan line "
             f"{made.line.id} is done: inspection {made.inspection_id}")
        return EXIT_OK
    iid = door.new_for_company(args.company, type=args.type or "supervisory",
                               start=start or _today(), members=args.member or ())
    _describe(door, iid, str(door.inspection(iid).scope.start_date))
    return EXIT_OK


def _today() -> date:
    from kit.dates import beijing_today

    return beijing_today()


def _describe(door: Door, iid: str, when: str) -> None:
    from kit.guide import load_guide

    ins = door.inspection(iid)
    kind = load_guide().term("inspection_types", ins.scope.type).zh
    sections = ins.scope.sections
    span = f"七、{sections[0].split('.')[1]}-{sections[-1].split('.')[1]}" if sections else "-"
    team = "、".join(f"{m.name}（组长）" if m.role == "leader" else m.name
                     for m in ins.team.values()) or "未定 none yet"
    _out(f"已新建检查记录 {iid}：{ins.company.name}（{ins.company.credit_code}），{kind}，{span}，"
         f"{when} 开始，检查组 {team}；产品 {len(ins.company.products)} 个 / made inspection "
         f"{iid}")


def show_lines(door: Door, year: int, *, as_json: bool) -> int:
    """Print the saved lines of ``year``, each done or not with its inspection."""
    lines = door.plan_lines(year)
    log.info("read %d saved line(s) of %d", len(lines), year)
    if as_json:
        _out(json.dumps([_line_json(s) for s in lines], ensure_ascii=False, indent=1))
        return EXIT_OK
    if not lines:
        msg = (f"{year} 年度计划尚未保存（kit plan --year {year} --save） / no saved plan for "
               f"{year}")
        raise KitError(msg)
    for s in lines:
        ln = s.line
        _out("\t".join((s.id, f"{ln.year}-{ln.month:02d}", ln.company, ln.credit_code or "-",
                        ln.level_zh, ln.kind, "、".join(ln.members) or "-", s.state,
                        s.inspection_id or "")))
    done = sum(s.done for s in lines)
    withdrawn = sum(s.withdrawn and not s.done for s in lines)
    _out(f"{year} 年度计划 {len(lines)} 行：已建检查 {done} 行、未开始 {len(lines) - done - withdrawn}"
         f" 行、已撤销 {withdrawn} 行 / {len(lines)} line(s): {done} done, "
         f"{len(lines) - done - withdrawn} not done, {withdrawn} withdrawn")
    return EXIT_OK


def _line_json(s: SavedLine) -> dict[str, object]:
    return {"id": s.id, **s.line.to_doc(), "done": s.done, "withdrawn": s.withdrawn,
            "inspection_id": s.inspection_id, "updated_at": s.updated_at,
            "updated_by": s.updated_by}


def show_trail(door: Door, year: int, line: str | None, *, as_json: bool) -> int:
    """Print every change to the year's saved plan (or one line's)."""
    entries = door.plan_trail(year=None if line else year, line=line)
    if as_json:
        _out(json.dumps([_entry_json(e) for e in entries], ensure_ascii=False, indent=1))
        return EXIT_OK
    for e in entries:
        _out(f"{e.seq}\t{e.at[:19].replace('T', ' ')}\t{e.user}\t{e.line_id}\t{_what(e)}")
    _out(f"{len(entries)} 条修改记录 / entries")
    return EXIT_OK


def _entry_json(e: PlanChange) -> dict[str, object]:
    return {"seq": e.seq, "at": e.at, "user": e.user, "action": e.action, "year": e.year,
            "line_id": e.line_id, "old": e.old, "new": e.new, "inspection_id": e.inspection_id}


def _what(e: PlanChange) -> str:
    if e.action == "add":
        return f"新增 added: {(e.new or {}).get('company', '')}"
    if e.action == "done":
        return f"建立检查记录 done: {e.inspection_id}"
    if e.action == "withdraw":
        return "撤销 withdrawn"
    old, new = e.old or {}, e.new or {}
    keys = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
    return "更新 changed: " + ", ".join(f"{k}: {_short(old.get(k))} -> {_short(new.get(k))}"
                                        for k in keys)


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``new``."""
    nw = sub.add_parser("new", parents=[store_opts],
                        help="新建检查记录：按年度计划行或企业名录 / make an inspection from a "
                             "plan line or the register")
    nw.add_argument("--plan-line", metavar="ID", help="a saved plan line, e.g. 2027-014")
    nw.add_argument("--company", metavar="CODE",
                    help="ad hoc: a company of the register, by its credit code")
    nw.add_argument("--type", choices=TYPES,
                    help="with --company: the inspection type (default supervisory)")
    nw.add_argument("--start", help="the start date (default: a plan line's first working day "
                                    "of its month; with --company, today)")
    nw.add_argument("--member", action="append", metavar="NAME",
                    help="with --company: the team by name, the leader first (repeat)")
    nw.set_defaults(handler=cmd_new)
