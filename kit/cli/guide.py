"""``kit guide``, ``kit reasons`` and ``kit quiz``: the guide, the reason codes a problem can
carry, and the training's exercises for an LMS. None of them opens the store."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from kit.cli._common import EXIT_OK, Subparsers, _out
from kit.errors import KitError

if TYPE_CHECKING:
    from kit.guide import Clause, Guide

__all__ = ["add_parsers", "cmd_guide", "cmd_quiz", "cmd_reasons"]


def _clause_line(clause: Clause, indent: int) -> str:
    pad = "  " * indent
    if clause.title is not None:
        return f"{pad}{clause.label} {clause.title.zh} / {clause.title.en}  [{clause.id}]"
    return f"{pad}[{clause.id}] {clause.label} {clause.zh}\n{pad}    {clause.en}"


def _print_outline(guide: Guide) -> None:
    _out(f"{guide.title.zh} / {guide.title.en} ({guide.version})")
    for part in guide.parts:
        _out(_clause_line(part, 0))
        for sec in part.items("section"):
            n = len(sec.items())
            title = sec.text
            _out(f"  {sec.label} {title.zh} / {title.en}  [{sec.id}, {n} 条 items]")


def _print_tree(clause: Clause) -> None:
    def rec(c: Clause, depth: int) -> None:
        _out(_clause_line(c, depth))
        for child in c.children:
            rec(child, depth + 1)

    rec(clause, 0)


def cmd_guide(args: argparse.Namespace) -> int:
    from kit.guide import load_guide

    guide = load_guide()
    if args.json:
        _out(json.dumps(guide.to_dict(), ensure_ascii=False, indent=1))
    elif args.search:
        hits = guide.search(args.search)
        for clause in hits:
            _out(_clause_line(clause, 0))
        _out(f"{len(hits)} 条匹配 / {len(hits)} match(es) for {args.search!r}")
    elif args.section:
        _print_tree(guide.section(args.section))
    elif args.part:
        _print_tree(guide.part(args.part))
    elif args.item:
        _print_tree(guide.item(args.item))
    else:
        _print_outline(guide)
    return EXIT_OK


def cmd_reasons(args: argparse.Namespace) -> int:
    """Every reason code a problem can carry: code, clause, meaning in Chinese and English."""
    from kit.reasons import Reason

    shown = [r for r in Reason if not args.prefix or r.value.startswith(args.prefix)]
    for reason in shown:
        _out(f"{reason.value}\t{reason.clause or '-'}\t{reason.zh}\t{reason.en}")
    _out(f"{len(shown)} 个原因代码 / reason code(s)")
    return EXIT_OK


def cmd_quiz(args: argparse.Namespace) -> int:
    """A set of exercises on one part of the guide as Moodle XML, the same file for the same
    part and seed."""
    from kit.training import PARTS, exercises, write_moodle_xml

    part = str(args.part)
    if part not in PARTS:
        msg = (f"没有第 {part} 部分的练习；可用：{'、'.join(PARTS)} / no exercises for part "
               f"{part!r}; parts: {', '.join(PARTS)}")
        raise KitError(msg)
    items = exercises(part, seed=args.seed, per_kind=args.per_kind)
    out = write_moodle_xml(items, Path(args.out), part=part, lang=args.lang)
    _out(f"已写出 {len(items)} 道题 / wrote {len(items)} question(s) -> {out}")
    return EXIT_OK


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``guide``, ``reasons`` and ``quiz`` (none takes the store options)."""
    g = sub.add_parser("guide", help="浏览指南 / show the guide: outline, a section, search, JSON")
    what = g.add_mutually_exclusive_group()
    what.add_argument("--section", help="checklist section 1-14 of 七, or a full id such as 8.4")
    what.add_argument("--part", help="part 1-10 (一..十)")
    what.add_argument("--item", help="one clause by id, e.g. 7.8.m4")
    what.add_argument("--search", help="words to find in Chinese or English text")
    what.add_argument("--json", action="store_true", help="the whole guide as JSON")
    g.set_defaults(handler=cmd_guide)

    rs = sub.add_parser("reasons", help="问题原因代码表 / every reason code a problem can carry")
    rs.add_argument("--prefix", help="only codes starting with this, e.g. signatures.")
    rs.set_defaults(handler=cmd_reasons)

    qz = sub.add_parser("quiz", help="练习题导出为 Moodle XML / a set of exercises as Moodle XML")
    qz.add_argument("--part", required=True, help="the guide's part, 1-10")
    qz.add_argument("--seed", type=int, default=1, help="the same seed gives the same file")
    qz.add_argument("--per-kind", type=int, default=2, help="exercises of each kind (default 2)")
    qz.add_argument("--lang", choices=("both", "zh", "en"), default="both",
                    help="the questions' language: both (default), zh or en")
    qz.add_argument("--out", required=True, help="F.xml")
    qz.set_defaults(handler=cmd_quiz)
