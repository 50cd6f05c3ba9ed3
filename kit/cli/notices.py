"""``kit notice``: the written notices (检查结果告知书, 整改通知书, 暂停生产通知书) — issue one
under its number, record its service or refusal, print it, or check the office's templates
file."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from kit.cli._common import EXIT_OK, Subparsers, _door, _out, store_options
from kit.errors import KitError

__all__ = ["add_parsers", "cmd_notice"]

log = logging.getLogger("kit.cli")


def cmd_notice(args: argparse.Namespace) -> int:
    """The written notices: issue one (its number), record its service, print it, or check
    the office's templates file."""
    if args.notice_command == "check-template":
        from kit.notices import load_notice_templates, notices_file

        path = Path(args.file) if args.file else notices_file()
        templates = load_notice_templates(path)  # a problem raises with file and field
        _out(f"{path}：文书模板无误（{len(templates.kinds)} 种文书，另有 "
             f"{len(templates.authorities)} 个出具机关的专用模板） / the templates are fine "
             f"({len(templates.authorities)} authorities with their own)")
        return EXIT_OK
    if args.notice_command == "print":
        from kit.interchange import export_notice

        door, out = _door(args), Path(args.out)
        kinds = list(dict.fromkeys(args.kinds or ["result", "rectification"]))
        log.info("printing %s of %s to %s", ", ".join(kinds), args.id, out)
        if out.suffix.lower() == ".pdf" and len(kinds) > 1:  # each PDF signed on its own
            for kind in kinds:
                _out(f"已生成 written {export_notice(door, args.id, [kind], _each(out, kind))}")
        else:
            _out(f"已生成 written {export_notice(door, args.id, kinds, out)}")
        return EXIT_OK
    from kit.dates import parse_date
    from kit.interchange import notary_from_environment
    from kit.session import Session

    door = _door(args)
    notary = notary_from_environment(door)
    session = Session(door, args.id)
    log.info("%s: %s of %s (%s)", args.notice_command, args.kind, args.id,
             session.inspection.company.name)
    try:
        on = parse_date(args.on) if args.on else None
    except KitError as exc:
        msg = f"--on：{exc}"
        raise KitError(msg) from None
    if args.notice_command == "issue":
        number = session.issue_notice(args.kind, on=on, notary=notary)
        _out(f"{args.id} {args.kind}: {number}")
        return EXIT_OK
    if on is None:
        msg = "请用 --on 给出送达日期 / give the date served with --on"
        raise KitError(msg)
    if bool(args.received_by) == bool(args.refused):
        msg = ("请给出 --received-by 签收人，或 --refused 及至少两个 --witness（检查人员编号）"
               " / give --received-by, or --refused with two --witness")
        raise KitError(msg)
    session.serve_notice(args.kind, on=on, received_by=args.received_by or "",
                         refused=args.refused, witnesses=tuple(args.witness or ()),
                         note=args.note or "", notary=notary)
    _out(f"{args.id} {args.kind}: 已记录送达 served {on}")
    return EXIT_OK


def _each(out: Path, kind: str) -> Path:
    """Where one kind's PDF goes when several are printed: ``F-result.pdf``,
    ``F-rectification.pdf`` beside ``F.pdf``."""
    return out.with_name(f"{out.stem}-{kind}{out.suffix}")


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``notice`` and its actions ``issue``, ``serve``, ``print`` and ``check-template``."""
    nt = sub.add_parser(
        "notice", parents=[store_opts],
        help="书面告知文书：出具、送达、打印 / the written notices: issue, serve, print")
    nt_sub = nt.add_subparsers(dest="notice_command", metavar="ACTION", required=True)
    store_opts = store_options(nested=True)  # `kit notice --data-dir D issue …` keeps D
    kinds = ("result", "rectification", "suspension")
    issue = nt_sub.add_parser("issue", parents=[store_opts],
                              help="give the notice its number in the issuing authority's "
                                   "scheme (the team leader's authority in "
                                   "templates/notices.yaml, else the office's)")
    issue.add_argument("id", help="the inspection's id (kit list)")
    issue.add_argument("kind", choices=kinds, help="result 检查结果告知书, rectification 整改通知书, "
                                                   "suspension 暂停生产通知书 (十、1)")
    issue.add_argument("--on", help="the date issued (default today), e.g. 2026-11-20")
    serve = nt_sub.add_parser("serve", parents=[store_opts],
                              help="record the date served and the company's receipt or refusal")
    serve.add_argument("id", help="the inspection's id (kit list)")
    serve.add_argument("kind", choices=kinds, help="the notice served: result, rectification or "
                                                   "suspension")
    serve.add_argument("--on", help="the date served")
    serve.add_argument("--received-by", help="who signed for it at the company")
    serve.add_argument("--refused", action="store_true", help="the company refused to sign")
    serve.add_argument("--witness", action="append",
                       help="a team member id (M1) who noted the refusal; twice or more")
    serve.add_argument("--note", help="what happened")
    pr = nt_sub.add_parser("print", parents=[store_opts],
                           help="write the notices to F.xlsx, or to PDF: one kind to F.pdf, "
                                "several each to its own file (F-result.pdf, "
                                "F-rectification.pdf), an issued one as the signed PDF kept when "
                                "it was issued")
    pr.add_argument("id", help="the inspection's id (kit list)")
    pr.add_argument("kinds", nargs="*", metavar="KIND",
                    help="result, rectification and/or suspension (default: result and "
                         "rectification)")
    pr.add_argument("--out", required=True, help="F.pdf or F.xlsx")
    tpl = nt_sub.add_parser("check-template",
                            help="check templates/notices.yaml (or FILE), its authorities' "
                                 "sections too; exit 2 on a problem")
    tpl.add_argument("file", nargs="?", help="the notices' templates file (default "
                                             "templates/notices.yaml)")
    nt.set_defaults(handler=cmd_notice)
