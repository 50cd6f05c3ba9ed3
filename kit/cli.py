"""The ``kit`` command: everything the apps do, from a shell.

Exit codes: 0 done; 1 the command ran and found errors (``check``, ``verify``); 2 the command
could not do its work (bad input, unknown id) and changed nothing.

Each command imports what it needs inside its handler: ``kit guide`` should not wait for the
database driver, openpyxl or pandas, which other commands load (the only place in the kit
where imports sit inside functions, and only for start-up time).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kit import __version__
from kit.errors import KitError, Problem, ValidationError
from kit.guide import Clause, Guide, load_guide

if TYPE_CHECKING:
    from kit.store import Store

__all__ = [
    "EXIT_FAILED",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "Handler",
    "build_parser",
    "cmd_advance",
    "cmd_audit",
    "cmd_check",
    "cmd_class",
    "cmd_credit_file",
    "cmd_db",
    "cmd_demo",
    "cmd_export",
    "cmd_guide",
    "cmd_import",
    "cmd_list",
    "cmd_notice",
    "cmd_plan",
    "cmd_quiz",
    "cmd_reasons",
    "cmd_sample",
    "cmd_serve",
    "cmd_verify",
    "main",
]

EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]
log = logging.getLogger("kit")


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


def cmd_reasons(args: argparse.Namespace) -> int:
    """Every reason code a problem can carry: code, clause, meaning in Chinese and English."""
    from kit.reasons import Reason

    shown = [r for r in Reason if not args.prefix or r.value.startswith(args.prefix)]
    for reason in shown:
        _out(f"{reason.value}\t{reason.clause or '-'}\t{reason.zh}\t{reason.en}")
    _out(f"{len(shown)} 个原因代码 / reason code(s)")
    return EXIT_OK


# -- kit list / check / export / import ------------------------------------------------------
def _store(args: argparse.Namespace) -> Store:
    from kit.store import Store

    return Store(args.db_url, data_dir=args.data_dir)


def _user(args: argparse.Namespace) -> str:
    from kit.store import current_user

    return current_user(args.user)


def cmd_list(args: argparse.Namespace) -> int:
    from kit.record import SUMMARY_PATHS

    rows = _store(args).list(SUMMARY_PATHS)
    for row in rows:
        _out("\t".join(str(row.get(k) or "") for k in ("id", *SUMMARY_PATHS, "updated_at")))
    _out(f"{len(rows)} 条检查记录 / inspection(s)")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from kit.rules import check, errors
    from kit.session import open_inspection

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


def cmd_advance(args: argparse.Namespace) -> int:
    """Move an inspection to a stage; the guide's rules' errors block it unless the leader
    gives ``--reason`` (kept in the trail). Exit 1 when blocked, every error listed."""
    from kit.access import Identity
    from kit.session import GateError, Session

    session = Session(_store(args), args.id, user=_user(args),
                      identity=Identity.from_environment(args.user))
    try:
        session.advance(args.stage, override=args.reason or "")
    except GateError as exc:
        for problem in exc.problems:
            _out(str(problem))
        return EXIT_FINDINGS
    how = "（组长注明理由推进 overridden by the leader）" if args.reason and \
        args.stage in session.inspection.gate_overrides else ""
    _out(f"{args.id} 已进入 {args.stage}{how} / moved to {args.stage}")
    return EXIT_OK


def cmd_notice(args: argparse.Namespace) -> int:
    """The written notices: issue one (its number), record its service, print it, or check
    the office's templates file."""
    if args.notice_command == "check-template":
        from kit.notices import load_notice_templates, notices_file

        path = Path(args.file) if args.file else notices_file()
        templates = load_notice_templates(path)  # a problem raises with file and field
        _out(f"{path}：文书模板无误（{len(templates.kinds)} 种文书） / the templates are fine")
        return EXIT_OK
    if args.notice_command == "print":
        from kit.interchange import export_notice

        out = export_notice(_store(args), args.id, args.kinds or ["result", "rectification"],
                            Path(args.out))
        _out(f"已生成 written {out}")
        return EXIT_OK
    from kit.access import Identity
    from kit.dates import parse_date
    from kit.session import Session

    session = Session(_store(args), args.id, user=_user(args),
                      identity=Identity.from_environment(args.user))
    try:
        on = parse_date(args.on) if args.on else None
    except KitError as exc:
        msg = f"--on：{exc}"
        raise KitError(msg) from None
    if args.notice_command == "issue":
        number = session.issue_notice(args.kind, on=on)
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
                         note=args.note or "")
    _out(f"{args.id} {args.kind}: 已记录送达 served {on}")
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


def cmd_db(args: argparse.Namespace) -> int:
    """The store's schema: where it stands, upgrade it, or grant the app role its rights."""
    from kit.store import migrate

    if args.db_command == "upgrade":
        before, after = migrate.upgrade(args.db_url, data_dir=args.data_dir)
        if before == after:
            _out(f"数据库已是最新结构（{after}），未作改动 / already at schema {after}")
        else:
            _out(f"数据库结构已从 {before} 升级到 {after} / upgraded from {before} to {after}")
        return EXIT_OK
    if args.db_command == "grant":
        for statement in migrate.grant_app_role(_store(args), args.role):
            _out(statement)
        return EXIT_OK
    current, needed = migrate.status(args.db_url, data_dir=args.data_dir)
    _out(f"数据库结构 schema: {current or '（空库 empty）'}；本工具需要 kit needs: {needed}")
    if current != needed:
        return EXIT_FINDINGS
    store = _store(args)
    for name in store.protection_problems:
        _out(f"缺少保护规则 missing protection: {name}")
    for zh, en in migrate.role_problems(store):  # fine to administer, not to run the apps
        _out(f"注意：{zh}，此连接不宜用于应用（kit db grant 角色名） / note: {en}; not for the "
             "apps (kit db grant ROLE)")
    return EXIT_FINDINGS if store.protection_problems else EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    from kit.dates import beijing

    store = _store(args)
    if args.verify:
        problems = store.verify(args.id)
        for problem in problems:
            _out(str(problem))
        what = args.id or "所有检查记录 every inspection"
        if problems:
            _out(f"{what}：审计记录核验未通过，{len(problems)} 处问题 / the trail does not "
                 f"verify: {len(problems)} problem(s)")
            return EXIT_FINDINGS
        _out(f"{what}：审计记录完整，当前值与记录一致 / the trail is intact and explains every "
             "current value")
        return EXIT_OK
    if args.id is None:
        msg = "请给出检查记录编号，或使用 --verify 核验全部 / give an inspection id (or --verify)"
        raise KitError(msg)
    entries = store.audit(args.id, args.path)
    for e in entries[-args.last:] if args.last else entries:
        _out("\t".join((beijing(e.at).isoformat(timespec="seconds"), e.user, e.action,
                        e.path or "",
                        e.old_json or "", e.new_json or "")))
    _out(f"{len(entries)} 条修改记录 / audit entries")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = out.suffix.lower()
    fmt = args.format or {".json": "json", ".pdf": "pdf"}.get(suffix, "xlsx")
    if fmt == "pdf":
        from kit.interchange import export_pdf

        export_pdf(_store(args), args.id, out, with_audit=args.with_audit)
    elif fmt == "json":
        from kit.interchange import export_json

        export_json(_store(args), args.id, out)
    else:
        from kit.interchange import export_workbook

        export_workbook(_store(args), args.id, out)
    _out(f"已导出 exported {args.id} -> {out}")
    return EXIT_OK


#: the parts of a record as ``kit import`` names them
PART_NAMES = {"results": "检查项结果", "findings": "问题", "follow_up": "跟踪整改",
              "signatures": "签字", "opinion": "检查意见", "sampling": "记录抽样",
              "notices": "文书", "team": "检查组", "scope": "检查范围", "company": "企业信息",
              "steps": "检查步骤", "background": "背景资料"}


def cmd_import(args: argparse.Namespace) -> int:
    from kit.interchange import import_json, import_workbook

    path = Path(args.file)
    store = _store(args)
    if path.suffix.lower() == ".xlsx":
        from tqdm import tqdm  # the steps, on stderr, only in a terminal

        from kit.interchange import IMPORT_STEPS

        with tqdm(total=len(IMPORT_STEPS), unit="步", leave=False, disable=None,
                  file=sys.stderr) as bar:
            started: list[str] = []

            def step(name: str) -> None:
                if started:
                    bar.update(1)  # the step before is done
                started.append(name)
                bar.set_description(name)

            iid, parts = import_workbook(store, path, user=_user(args), on_step=step)
            bar.update(bar.total - bar.n)
        applied = sum(parts.values())
        where = "、".join(f"{PART_NAMES.get(k, k)} {n} 处" for k, n in parts.items())
        _out(f"已导入 imported {path.name}：检查记录 {iid}，应用 {applied} 处修改"
             f"{f'（{where}）' if where else ''} / applied {applied} change(s)")
    else:
        iid = import_json(store, path, user=_user(args), as_new=args.as_new)
        kept = len(store.load(iid).doc.get("attachments") or {})
        _out(f"已导入 imported {path.name}：检查记录 {iid}，证据材料 {kept} 份 / "
             f"{kept} attachment(s)")
    _out(iid)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from kit.workbook import verify_workbook

    result = verify_workbook(Path(args.file))
    _out(str(result))
    return EXIT_OK if result.intact else EXIT_FINDINGS


# -- kit serve -------------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    from kit import server as serve
    from kit.interchange import load_demo

    serve.check_address(args.ip, args.token)  # before anything else is done
    open_id = None
    if args.demo:
        with _store(args) as store:  # closed before this process becomes the Voila server
            open_id = load_demo(store, user=_user(args))
    notebook = serve.notebook_path(args.app)
    env = serve.serve_env(data_dir=args.data_dir, db_url=args.db_url, open_id=open_id,
                          user=args.user)
    argv = serve.voila_argv(notebook, port=args.port, ip=args.ip, token=args.token,
                            preheat=not args.no_preheat, open_browser=args.browser,
                            max_kernels=args.max_kernels, max_tabs=args.max_tabs)
    where = f"http://{args.ip}:{args.port}/" + (f"?token={args.token}" if args.token else "")
    _out(f"检查工具包应用 {args.app} 在 {where} / serving {notebook.name} at {where}")
    return serve.run(argv, env)


# -- kit hub -------------------------------------------------------------------------------
def cmd_hub(args: argparse.Namespace) -> int:
    """The office server: JupyterHub serving the apps to signed-in people, on one store."""
    from kit import server as serve
    from kit.interchange import load_demo

    config = serve.prerequisites(args.config)  # every check before anything starts
    db_url = serve.check_store(args.db_url)
    serve.check_hub_address(args.ip)
    if args.demo:
        with _store(args) as store:
            load_demo(store, user=_user(args))
    state = Path(args.state) if args.state else serve.default_state_dir()
    env = serve.hub_env(db_url=db_url, ip=args.ip, port=args.port, state=state)
    where = f"http://{args.ip}:{args.port}/"
    _out(f"办公室服务器在 {where}（设置 {config}） / the office server at {where} ({config})")
    os.chdir(state)
    return serve.run(serve.hub_argv(config), env)


# -- kit credit-file -----------------------------------------------------------------------
def cmd_credit_file(args: argparse.Namespace) -> int:
    """六、10: per company every inspection, finding, rectification and measure."""
    from kit.analytics import credit_file, write_credit_file
    from kit.session import open_inspection

    store = _store(args)
    inspections = [open_inspection(store, row["id"]) for row in store.list(())]
    document = credit_file(inspections, company=args.company)
    if args.company and not document["companies"]:
        msg = (f"存储中没有企业“{args.company}”的检查记录（请填写统一社会信用代码或企业名称） / no "
               f"inspection of {args.company!r} in the store (give its credit code or name)")
        raise KitError(msg)
    for path in write_credit_file(document, args.out):
        _out(f"已写入 written: {path}")
    return EXIT_OK


# -- kit plan ------------------------------------------------------------------------------
def cmd_plan(args: argparse.Namespace) -> int:
    """五、1 分类分级: each company's level and the year's plan of inspections, to Excel."""
    from kit.analytics import load_tables
    from kit.dates import parse_date
    from kit.planning import load_supervision_rules, supervision_file, year_plan

    rules = load_supervision_rules(args.rules)
    if args.check:
        _out(f"分类分级监督文件无误：{args.rules or supervision_file()}（{len(rules.levels)} 个级别）"
             f" / the supervision rules are valid")
        return EXIT_OK
    if args.year is None or args.out is None:
        msg = "须给出 --year 和 --out（或只用 --check） / give --year and --out (or --check alone)"
        raise KitError(msg)
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        msg = f"计划须写入 .xlsx 文件，而不是 {out.name} / the plan is written to an .xlsx file"
        raise KitError(msg)
    as_of = parse_date(args.as_of) if args.as_of else None
    tables = load_tables(_store(args), progress=sys.stderr.isatty())
    plan = year_plan(tables, args.year, as_of=as_of, rules=rules,
                     inspectors=args.inspector or None, seed=args.seed)
    plan.to_excel(out)
    counts = plan.plan["level_zh"].value_counts()
    by_level = "、".join(f"{name} {counts[name]} 家" for name in
                         dict.fromkeys(plan.plan["level_zh"].dropna()))
    _out(f"{args.year} 年度监督检查计划：{len(plan.plan)} 家企业（{by_level or '无'}），其中逾期 "
         f"{int(plan.plan['overdue'].sum())} 家；截至 {plan.as_of}，依据 {rules.source[:40]}… / the "
         f"{args.year} plan: {len(plan.plan)} inspection(s), {int(plan.plan['overdue'].sum())} "
         f"overdue")
    _out(f"已写入 written: {out}")
    return EXIT_OK


# -- kit class -----------------------------------------------------------------------------
def cmd_class(args: argparse.Namespace) -> int:
    """The trainer's class view: every trainee's answers kept in the store, to Excel."""
    from kit.training import class_frames, class_to_excel

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        msg = f"须写入 .xlsx 文件，而不是 {out.name} / the class summary is an .xlsx file"
        raise KitError(msg)
    frames = class_frames(_store(args).answers())
    class_to_excel(frames, out)
    t = frames["trainees"]
    _out(f"{len(t)} 名学员，{int(t['answered'].sum()) if len(t) else 0} 次作答；已写入 {out} / "
         f"{len(t)} trainee(s); written: {out}")
    return EXIT_OK


# -- kit demo ------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    """Load the generated demo inspections (fictional companies, two years) into the store."""
    from tqdm import tqdm  # here: only this command draws a progress bar

    from kit.analytics import load_demo_data

    if args.inspections < 1 or args.companies < 1:
        msg = ("--inspections 和 --companies 须至少为 1 / --inspections and --companies must be "
               "at least 1")
        raise KitError(msg)
    store = _store(args)
    # the bar goes to stderr, and only to a terminal: scripts read the one line printed
    with tqdm(total=args.inspections, unit="条", desc="载入 loading", leave=False,
              disable=None, file=sys.stderr) as bar:
        n = load_demo_data(store, inspections=args.inspections, companies=args.companies,
                           seed=args.seed, user=_user(args), progress=bar.update)
    total = len(store.list(()))
    _out(f"已载入 {n} 条示例检查记录（{args.companies} 家虚构企业，种子 {args.seed}），"
         f"存储中共 {total} 条 / loaded {n} demo inspection(s); the store holds {total}")
    return EXIT_OK


# -- kit sample ----------------------------------------------------------------------------
def cmd_sample(args: argparse.Namespace) -> int:
    """Draw the records to inspect under 九 from the company's registers; write the tables."""
    import secrets

    from kit.sampling import SampleResult, load_registers, sample, window_bounds, write_tables

    column_map: dict[str, str] = {}
    for entry in args.column_map or ():
        header, sep, name = entry.partition("=")
        if not sep or not header.strip() or not name.strip():
            raise ValidationError([Problem(
                "bad_column_map", f"列名对照“{entry}”应写成 表头=列名，例如 单据号=record_id",
                f"--column-map {entry!r} must read HEADER=NAME, e.g. 单据号=record_id",
                field="--column-map")], what="参数 arguments")
        column_map[header.strip()] = name.strip()
    problems: list[Problem] = []
    if args.out is None and args.inspection is None:
        problems.append(Problem("no_output", "请给出 --out 或 --inspection（或两者）",
                                "give --out, --inspection or both", field="--out"))
    elif args.out is not None and Path(args.out).suffix.lower() not in (".csv", ".xlsx"):
        problems.append(Problem("unsupported_format", "--out 须为 .csv 或 .xlsx 文件",
                                "--out must be a .csv or .xlsx file", field="--out"))
    try:
        window_bounds(args.inspection_date)
    except ValidationError as exc:
        problems += exc.problems
    from tqdm import tqdm

    # the steps as a bar on stderr, in a terminal only (a script reads the lines printed)
    steps = tqdm(total=3, desc="读取登记表 reading", unit="步", leave=False, disable=None,
                 file=sys.stderr)
    try:
        records, products, documents = load_registers(
            args.records, args.products, args.documents, column_map=column_map)
    except ValidationError as exc:
        problems += exc.problems
    if problems:
        steps.close()
        raise ValidationError(problems, what="抽样输入 sampling input")
    log.info("registers read: %d records, %d products", len(records.frame),
             len(products.frame))
    steps.update()
    steps.set_description("抽样 drawing")
    seed = args.seed if args.seed is not None else secrets.randbelow(1_000_000)
    result = sample(records.frame, products.frame, None if documents is None else documents.frame,
                    args.inspection_date, seed=seed, per_group=args.per_group,
                    max_products=args.max_products, discrepancy=args.discrepancy)
    log.info("drawn: %d records in %d groups (seed %d)", len(result.selection),
             len(result.groups), seed)
    steps.update()
    steps.set_description("写出 writing")
    if args.inspection:
        from kit.draw import save_draw
        from kit.session import Session

        save_draw(Session(_store(args), args.inspection, user=_user(args)), result)
    written = (write_tables(result.tables(), args.out, titles=SampleResult.TITLES)
               if args.out else [])
    steps.update()
    steps.close()
    chosen = result.selection
    flagged = chosen["flags"].ne("").sum()
    _out(f"随机种子 seed {seed}；检查日期 {result.parameters.inspection_date}；"
         f"抽取 {len(chosen)} 份记录，{len(result.groups)} 个组，{flagged} 份带标记")
    for note in result.notes:
        _out(f"  - {note}")
    for path in written:
        _out(f"已写入 written: {path}")
    if args.inspection:
        _out(f"已保存到检查记录 saved into inspection {args.inspection}")
    return EXIT_OK


# -- parser --------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kit",
        description="北京市医疗器械生产监督检查指南 inspection kit / 检查工具包",
    )
    parser.add_argument("--version", action="version", version=f"kit {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="say what is done as it is done (-v), and more (-vv), on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

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
    adv = sub.add_parser(
        "advance", parents=[store_opts],
        help="推进检查阶段（按指南规则把关） / move an inspection to a stage, the rules deciding")
    adv.add_argument("id")
    adv.add_argument("stage", choices=["preparation", "on_site", "reporting", "follow_up",
                                       "closed"])
    adv.add_argument("--reason", help="the leader's reason to move on despite the rules' errors")
    adv.set_defaults(handler=cmd_advance)
    qz = sub.add_parser("quiz", help="练习题导出为 Moodle XML / a set of exercises as Moodle XML")
    qz.add_argument("--part", required=True, help="the guide's part, 1-10")
    qz.add_argument("--seed", type=int, default=1, help="the same seed gives the same file")
    qz.add_argument("--per-kind", type=int, default=2, help="exercises of each kind (default 2)")
    qz.add_argument("--lang", choices=("both", "zh", "en"), default="both")
    qz.add_argument("--out", required=True, help="F.xml")
    qz.set_defaults(handler=cmd_quiz)
    nt = sub.add_parser(
        "notice", parents=[store_opts],
        help="书面告知文书：出具、送达、打印 / the written notices: issue, serve, print")
    nt_sub = nt.add_subparsers(dest="notice_command", metavar="ACTION", required=True)
    kinds = ("result", "rectification")
    issue = nt_sub.add_parser("issue", parents=[store_opts],
                              help="give the notice its number in the office's scheme")
    issue.add_argument("id")
    issue.add_argument("kind", choices=kinds, help="result 检查结果告知书, rectification 整改通知书")
    issue.add_argument("--on", help="the date issued (default today), e.g. 2026-11-20")
    serve = nt_sub.add_parser("serve", parents=[store_opts],
                              help="record the date served and the company's receipt or refusal")
    serve.add_argument("id")
    serve.add_argument("kind", choices=kinds)
    serve.add_argument("--on", help="the date served")
    serve.add_argument("--received-by", help="who signed for it at the company")
    serve.add_argument("--refused", action="store_true", help="the company refused to sign")
    serve.add_argument("--witness", action="append",
                       help="a team member id (M1) who noted the refusal; twice or more")
    serve.add_argument("--note", help="what happened")
    pr = nt_sub.add_parser("print", parents=[store_opts],
                           help="write the notices to F.pdf (LibreOffice) or F.xlsx")
    pr.add_argument("id")
    pr.add_argument("kinds", nargs="*", metavar="KIND",
                    help="result and/or rectification (default both)")
    pr.add_argument("--out", required=True)
    tpl = nt_sub.add_parser("check-template",
                            help="check templates/notices.yaml (or FILE); exit 2 on a problem")
    tpl.add_argument("file", nargs="?")
    nt.set_defaults(handler=cmd_notice)
    db = sub.add_parser("db", parents=[store_opts],
                        help="数据库结构：状态、升级、应用角色 / the store's schema: status, upgrade, role")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("status", parents=[store_opts],
                      help="the schema revision and the protections (exit 1 when not current)")
    db_sub.add_parser("upgrade", parents=[store_opts],
                      help="bring the database to this kit's schema (back it up first)")
    grant = db_sub.add_parser("grant", parents=[store_opts],
                              help="PostgreSQL: give the kit's own role what it needs, no more")
    grant.add_argument("role", help="the role the apps connect as (never the owner)")
    db.set_defaults(handler=cmd_db)

    au = sub.add_parser(
        "audit", parents=[store_opts],
        help="修改记录：谁、何时、改了什么 / the audit trail of an inspection",
    )
    au.add_argument("id", nargs="?")
    au.add_argument("--verify", action="store_true",
                    help="replay the trail, check its chain and the current values (every "
                         "inspection without an id); exit 1 on any problem")
    au.add_argument("--path", help="only this field or subtree, e.g. results/7.8.m4")
    au.add_argument("--last", type=int, default=0, help="only the last N entries")
    au.set_defaults(handler=cmd_audit)
    ex = sub.add_parser(
        "export",
        parents=[store_opts],
        help="导出检查记录 / export an inspection (JSON or Excel workbook)",
    )
    ex.add_argument("id")
    ex.add_argument("--out", required=True, help="OUT.json, OUT.xlsx or OUT.pdf (LibreOffice)")
    ex.add_argument("--format", choices=("json", "xlsx", "pdf"), help="default: from --out's suffix")
    ex.add_argument("--with-audit", action="store_true",
                    help="PDF: print the audit trail too, as an appendix")
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

    vf = sub.add_parser("verify", help="核验导出的工作簿是否被改动 / check an exported workbook "
                        "for changes since export (exit 1 when changed)")
    vf.add_argument("file")
    vf.set_defaults(handler=cmd_verify)

    sv = sub.add_parser("serve", parents=[store_opts],
                        help="用 Voila 启动应用 / serve the app with Voila")
    sv.add_argument("--port", type=int, default=8866)
    sv.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: localhost)")
    sv.add_argument("--token", help="require this token in the URL")
    sv.add_argument("--demo", action="store_true",
                    help="load the sample company's demo inspection and open it")
    sv.add_argument("--app", default="app", help="app, training, analytics or a notebook path")
    sv.add_argument("--no-preheat", action="store_true", help="no preheated kernel")
    sv.add_argument("--max-kernels", type=int, default=12,
                    help="open pages in all (about 130 MiB each; default 12)")
    sv.add_argument("--max-tabs", type=int, default=6,
                    help="open pages per client address (default 6)")
    sv.add_argument("--browser", action="store_true", help="open a browser")
    sv.set_defaults(handler=cmd_serve)

    hb = sub.add_parser("hub", parents=[store_opts],
                        help="办公室服务器（JupyterHub + PostgreSQL） / the office server")
    hb.add_argument("--port", type=int, default=8000, help="default 8000")
    hb.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: localhost)")
    hb.add_argument("--config", help="the office's settings (default templates/jupyterhub_config.py)")
    hb.add_argument("--state", help="folder for the Hub's own files (default: the user data folder)")
    hb.add_argument("--demo", action="store_true", help="load the demo inspection into the store")
    hb.set_defaults(handler=cmd_hub)

    cf = sub.add_parser("credit-file", parents=[store_opts],
                        help="信用档案：每家企业的检查、问题、整改与措施（六、10） / the credit file")
    cf.add_argument("--out", required=True, help="F.json (schema kit/data/credit_file.schema.json) "
                                                 "or F.xlsx")
    cf.add_argument("--company", help="one company: its credit code or name")
    cf.set_defaults(handler=cmd_credit_file)
    pl = sub.add_parser("plan", parents=[store_opts],
                        help="年度监督检查计划（五、1 分类分级） / the year's supervision plan")
    pl.add_argument("--year", type=int, help="the plan's year, e.g. 2027")
    pl.add_argument("--out", help="F.xlsx: the plan, each inspector's months, every level")
    pl.add_argument("--as-of", help="the day the history is read to (default: today, at most "
                                    "the end of the year before)")
    pl.add_argument("--inspector", action="append", help="the office's inspectors, one each "
                    "(default: everyone on a team in the last years)")
    pl.add_argument("--seed", type=int, help="seed of the spot checks' draw (default: the year)")
    pl.add_argument("--rules", help="the supervision rules (default templates/supervision.yaml)")
    pl.add_argument("--check", action="store_true", help="only check the rules file")
    pl.set_defaults(handler=cmd_plan)
    cl = sub.add_parser("class", parents=[store_opts],
                        help="培训班级情况：每名学员、每部分、每条款的作答 / the class's answers")
    cl.add_argument("--out", required=True, help="F.xlsx: trainees, parts, clauses, answers")
    cl.set_defaults(handler=cmd_class)
    dm = sub.add_parser("demo", parents=[store_opts],
                        help="载入示例检查数据（虚构企业，两年） / load generated demo inspections")
    dm.add_argument("--inspections", type=int, default=30, help="how many (default 30)")
    dm.add_argument("--companies", type=int, default=10, help="fictional companies (default 10)")
    dm.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    dm.set_defaults(handler=cmd_demo)

    sa = sub.add_parser("sample", parents=[store_opts],
                        help="选取记录样本（九） / draw the record sample of section 九")
    sa.add_argument("--records", required=True, help="records register, .xlsx or .csv")
    sa.add_argument("--products", required=True, help="products register, .xlsx or .csv")
    sa.add_argument("--documents", help="documents register (versions in force), .xlsx or .csv")
    sa.add_argument("--inspection-date", required=True, help="YYYY-MM-DD")
    sa.add_argument("--seed", type=int, help="random seed (default: a new one, printed)")
    sa.add_argument("--per-group", type=int, default=2, help="records per group (default 2)")
    sa.add_argument("--max-products", type=int, help="only the top K products (9.3)")
    sa.add_argument("--discrepancy", type=float, default=0.2,
                    help="relative difference that widens a group (default 0.2)")
    sa.add_argument("--column-map", action="append", metavar="HEADER=NAME",
                    help="read the column HEADER as NAME (e.g. 单据号=record_id); repeatable")
    sa.add_argument("--out", help="OUT.csv or OUT.xlsx")
    sa.add_argument("--inspection", metavar="ID",
                    help="also keep the draw in this inspection's record (for its workbook)")
    sa.set_defaults(handler=cmd_sample)
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
    if args.verbose:
        logging.basicConfig(level=logging.INFO if args.verbose == 1 else logging.DEBUG,
                            format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S",
                            stream=sys.stderr)
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
    except KeyboardInterrupt:
        print("已中断 interrupted", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a bug: say what broke in one line, never a traceback
        if os.environ.get("KIT_DEBUG"):
            raise
        print(f"内部错误 internal error: {type(exc).__name__}: {exc} (KIT_DEBUG=1 shows the "
              "traceback)", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
