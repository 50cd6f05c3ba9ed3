"""``kit rectification``: what a company sees of its rectification (``show``), and a submission
(``submit``): the company's own, or one that came by mail recorded by an inspector of the team.

``show CODE`` prints the company's page as the portal shows it (the company's person: their own
company, without CODE); ``--json`` as data. ``submit ID FINDING --report TEXT --file F…`` makes a
new round (S1, S2…), frozen once made; a bad file, an empty submission, a finding not open to
one: exit 2 and nothing written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kit.cli._common import EXIT_OK, Subparsers, _door, _out
from kit.errors import KitError

__all__ = ["add_parsers", "cmd_rectification"]


def cmd_rectification(args: argparse.Namespace) -> int:
    """Dispatch ``kit rectification ACTION``."""
    action = getattr(args, "action", None)
    if action == "show":
        return _show(args)
    if action == "submit":
        return _submit(args)
    msg = "请给出 show 或 submit（kit rectification --help） / give show or submit"
    raise KitError(msg)


def _show(args: argparse.Namespace) -> int:
    from kit.dates import parse_date
    from kit.record import to_data

    today = parse_date(args.today) if args.today else None
    view = _door(args).company_view(args.code, today=today)
    if args.json:
        _out(json.dumps(to_data(view), ensure_ascii=False, indent=1))
        return EXIT_OK
    _out(f"{view.company}（{view.credit_code}）")
    for ins in view.inspections:
        _out(f"\n检查 {ins.id} {ins.type_label} {ins.start or ''}")
        for n in ins.notices:
            _out(f"  {n.title} {n.number} 送达 served {n.served_on}")
        for f in ins.findings:
            left = ("" if f.days_left is None else
                    f"剩余 {f.days_left} 个工作日" if f.days_left >= 0 else
                    f"已逾期 {-f.days_left} 个工作日 overdue")
            _out(f"  {f.key} {f.item_label}\n    要求 {f.requirement}\n    期限 {f.deadline or '-'}"
                 f" {left}  {f.state_label}")
            for r in f.reviews:
                _out(f"    复查 {r.round or '本轮'} {r.result} {r.reviewed_on} {r.note}")
            for s in f.submissions:
                _out(f"    提交 {s.key} {s.at:%Y-%m-%d %H:%M} {s.by}: {s.report[:60]} "
                     f"（{len(s.files)} 个文件）" if s.at else f"    提交 {s.key}")
    _out(f"\n{len(view.inspections)} 次检查 / inspections")
    return EXIT_OK


def _read(name: str, limit: int, what: str) -> bytes:
    """A file's bytes, refused (exit 2, naming it) when missing or over ``limit``."""
    from kit.errors import ValidationError
    from kit.files import size_problems

    path = Path(name)
    if not path.is_file():
        msg = f"找不到文件 {name} / no such file: {name}"
        raise KitError(msg)
    problems = size_problems(path, limit, what)
    if problems:
        raise ValidationError(problems, name)
    return path.read_bytes()


def _submit(args: argparse.Namespace) -> int:
    from kit.door import MAX_REPORT
    from kit.evidence import MAX_BYTES

    files = [(Path(name).name, _read(name, MAX_BYTES, "整改材料")) for name in args.file or ()]
    report = args.report
    if args.report_file:
        data = _read(args.report_file, 4 * MAX_REPORT, "整改报告")
        try:
            report = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            msg = (f"{args.report_file} 不是 UTF-8 文本，请另存为 UTF-8 / {args.report_file} is "
                   "not UTF-8 text")
            raise KitError(msg) from None
    key = _door(args).submit_rectification(args.id, args.finding, report or "", files,
                                           channel=args.channel)
    _out(f"已提交 {args.id} {args.finding} {key}（{len(files)} 个文件） / submitted as {key}")
    return EXIT_OK


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``rectification`` with its actions."""
    rc = sub.add_parser("rectification",
                        help="企业整改：企业所见、提交整改资料 / a company's rectification: what it "
                             "sees, and submitting")
    actions = rc.add_subparsers(dest="action", metavar="ACTION")
    sh = actions.add_parser("show", parents=[store_opts],
                            help="what the company sees: served notices, findings, deadlines, "
                                 "reviews, its submissions")
    sh.add_argument("code", nargs="?", help="the company's credit code (a company's person: "
                                            "their own)")
    sh.add_argument("--today", help="count the days left from this day (default: today)")
    sh.add_argument("--json", action="store_true", help="as JSON")
    sb = actions.add_parser("submit", parents=[store_opts],
                            help="submit a rectification for a finding (a new, frozen round)")
    sb.add_argument("id", help="the inspection's id")
    sb.add_argument("finding", help="the finding's key (F1)")
    sb.add_argument("--report", default="", help="the rectification report (text)")
    sb.add_argument("--report-file", help="the report from a text file (UTF-8)")
    sb.add_argument("--file", action="append", help="a PDF or photo (again for more)")
    sb.add_argument("--channel", choices=("mail", "workbook"), default=None,
                    help="how it came, when an inspector records it (default mail)")
    rc.set_defaults(handler=cmd_rectification)
