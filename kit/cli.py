"""The ``kit`` command: everything the apps do, from a shell.

Exit codes: 0 done; 1 the command ran and found errors (``check``, ``verify``); 2 the command
could not do its work (bad input, unknown id) and changed nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from kit import __version__
from kit.errors import KitError, ValidationError
from kit.guide import Clause, Guide, load_guide

EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


def _out(text: str = "") -> None:
    print(text)


# -- kit guide -----------------------------------------------------------------------------
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


# -- parser --------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kit",
        description="北京市医疗器械生产监督检查指南 inspection kit / 检查工具包",
    )
    parser.add_argument("--version", action="version", version=f"kit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    g = sub.add_parser("guide", help="浏览指南 / show the guide: outline, a section, search, JSON")
    what = g.add_mutually_exclusive_group()
    what.add_argument("--section", help="checklist section 1-14 of 七, or a full id such as 8.4")
    what.add_argument("--part", help="part 1-10 (一..十)")
    what.add_argument("--item", help="one clause by id, e.g. 7.8.m4")
    what.add_argument("--search", help="words to find in Chinese or English text")
    what.add_argument("--json", action="store_true", help="the whole guide as JSON")
    g.set_defaults(handler=cmd_guide)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_FAILED
    try:
        return handler(args)
    except ValidationError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except KitError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # `kit guide --json | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
