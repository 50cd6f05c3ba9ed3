"""The ``kit`` command: everything the apps do, from a shell.

Exit codes: 0 done; 1 the command ran and found errors (``check``, ``verify``); 2 the command
could not do its work (bad input, unknown id) and changed nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kit import __version__
from kit._resources import shipped_dir
from kit.errors import KitError, NotFoundError, ValidationError
from kit.guide import Clause, Guide, load_guide
from kit.inspection import SUMMARY_PATHS
from kit.interchange import export_json, import_json, open_inspection
from kit.rules import check, errors
from kit.store import Store, current_user

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


# -- kit list / check / export / import ------------------------------------------------------
def _store(args: argparse.Namespace) -> Store:
    return Store(args.db_url, data_dir=args.data_dir)


def _user(args: argparse.Namespace) -> str:
    return current_user(args.user)


def cmd_list(args: argparse.Namespace) -> int:
    rows = _store(args).list(SUMMARY_PATHS)
    for row in rows:
        _out("\t".join(str(row.get(k) or "") for k in ("id", *SUMMARY_PATHS, "updated_at")))
    _out(f"{len(rows)} 条检查记录 / inspection(s)")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    inspection = open_inspection(_store(args), args.id)
    problems = check(inspection)
    for problem in problems:
        _out(str(problem))
    n_err = len(errors(problems))
    _out(
        f"{n_err} 个错误、{len(problems) - n_err} 个提示 / {n_err} error(s), "
        f"{len(problems) - n_err} warning(s)"
    )
    return EXIT_FINDINGS if n_err else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    fmt = args.format or ("json" if out.suffix.lower() == ".json" else "xlsx")
    if fmt == "json":
        export_json(_store(args), args.id, out)
    else:
        from kit.workbook import write_workbook

        store = _store(args)
        write_workbook(open_inspection(store, args.id), out, audit=store.audit(args.id))
    _out(f"已导出 exported {args.id} -> {out}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    store = _store(args)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from kit.workbook import apply_workbook

        iid, applied = apply_workbook(store, path, user=_user(args))
        _out(f"已应用 {applied} 处修改 / applied {applied} change(s)")
    else:
        iid = import_json(store, path, user=_user(args), as_new=args.as_new)
    _out(iid)
    return EXIT_OK


# -- kit serve -------------------------------------------------------------------------------
DEMO_ID = "demo-2026-1119"


def load_demo(store: Store, *, user: str) -> str:
    """Make sure the sample company's finished demo inspection is in the store; return its id."""
    try:
        store.load(DEMO_ID)
    except NotFoundError:
        return import_json(store, shipped_dir("sample_data") / "demo_inspection.json", user=user)
    return DEMO_ID


def cmd_serve(args: argparse.Namespace) -> int:
    from kit import serve

    open_id = load_demo(_store(args), user=_user(args)) if args.demo else None
    notebook = serve.notebook_path(args.app)
    env = serve.serve_env(data_dir=args.data_dir, db_url=args.db_url, open_id=open_id)
    argv = serve.voila_argv(notebook, port=args.port, ip=args.ip, token=args.token,
                            preheat=not args.no_preheat, open_browser=args.browser)
    where = f"http://{args.ip}:{args.port}/" + (f"?token={args.token}" if args.token else "")
    _out(f"检查工具包应用 {args.app} 在 {where} / serving {notebook.name} at {where}")
    return serve.run(argv, env)


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

    store_opts = argparse.ArgumentParser(add_help=False)
    store_opts.add_argument(
        "--data-dir",
        help="folder of the default SQLite store (else $KIT_DATA_DIR, else the user data folder)",
    )
    store_opts.add_argument("--db-url", help="any SQLAlchemy URL (else $KIT_DB_URL)")
    store_opts.add_argument(
        "--user", help="who makes the change (else $JUPYTERHUB_USER, else the login name)"
    )

    ls = sub.add_parser("list", parents=[store_opts], help="列出检查记录 / list inspections")
    ls.set_defaults(handler=cmd_list)
    ck = sub.add_parser(
        "check",
        parents=[store_opts],
        help="按指南规则检查记录 / check an inspection against the guide's rules",
    )
    ck.add_argument("id")
    ck.set_defaults(handler=cmd_check)
    ex = sub.add_parser(
        "export",
        parents=[store_opts],
        help="导出检查记录 / export an inspection (JSON or Excel workbook)",
    )
    ex.add_argument("id")
    ex.add_argument("--out", required=True, help="OUT.json or OUT.xlsx")
    ex.add_argument("--format", choices=("json", "xlsx"), help="default: from --out's suffix")
    ex.set_defaults(handler=cmd_export)
    im = sub.add_parser(
        "import",
        parents=[store_opts],
        help="导入检查记录（JSON）或手工填写的工作簿 / import JSON or a filled workbook",
    )
    im.add_argument("file")
    im.add_argument(
        "--as-new",
        action="store_true",
        help="import a JSON record under a new id even if its id exists",
    )
    im.set_defaults(handler=cmd_import)

    sv = sub.add_parser("serve", parents=[store_opts],
                        help="用 Voila 启动应用 / serve the app with Voila")
    sv.add_argument("--port", type=int, default=8866)
    sv.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: localhost)")
    sv.add_argument("--token", help="require this token in the URL")
    sv.add_argument("--demo", action="store_true",
                    help="load the sample company's demo inspection and open it")
    sv.add_argument("--app", default="app", help="app, training, analytics or a notebook path")
    sv.add_argument("--no-preheat", action="store_true", help="no preheated kernel")
    sv.add_argument("--browser", action="store_true", help="open a browser")
    sv.set_defaults(handler=cmd_serve)
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
