"""The office's own tools over the whole store: ``kit credit-file`` (六、10), ``kit plan``
(五、1; its saved lines: :mod:`kit.cli.plan_lines`), ``kit class`` (the trainer's view),
``kit demo`` (generated demo inspections) and ``kit tables`` (the analysts' tables as Parquet,
CSV or Excel with their data dictionary)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kit.cli._common import EXIT_OK, Subparsers, _door, _out, show_progress, steps
from kit.cli.plan_lines import show_lines, show_trail
from kit.errors import KitError

__all__ = ["add_parsers", "cmd_class", "cmd_credit_file", "cmd_demo", "cmd_plan", "cmd_tables"]


def cmd_credit_file(args: argparse.Namespace) -> int:
    """六、10: per company every inspection, finding, rectification and measure."""
    from kit.analytics import credit_file, write_credit_file

    door = _door(args)
    inspections = [door.inspection(row["id"]) for row in door.list(())]
    document = credit_file(inspections, company=args.company)
    if args.company and not document["companies"]:
        msg = (f"存储中没有企业“{args.company}”的检查记录（请填写统一社会信用代码或企业名称） / no "
               f"inspection of {args.company!r} in the store (give its credit code or name)")
        raise KitError(msg)
    for path in write_credit_file(document, args.out):
        _out(f"已写入 written: {path}")
    return EXIT_OK


def cmd_plan(args: argparse.Namespace) -> int:
    """五、1 分类分级: each company's level and the year's plan of inspections, to Excel and
    (``--save``) into the store, a stable id per line; ``--show`` the saved lines, done or
    not; ``--trail`` their changes."""
    if args.year is not None and (args.show or args.trail):  # the saved plan: no pandas
        door = _door(args)
        if args.trail:
            return show_trail(door, args.year, args.line, as_json=args.json)
        return show_lines(door, args.year, as_json=args.json)
    from kit.analytics import load_plan_tables
    from kit.dates import parse_date
    from kit.planning import (
        load_supervision_rules,
        office_year_plan,
        save_year_plan,
        supervision_file,
    )

    rules = load_supervision_rules(args.rules)
    if args.check:
        _out(f"分类分级监督文件无误：{args.rules or supervision_file()}（{len(rules.levels)} 个级别）"
             f" / the supervision rules are valid")
        return EXIT_OK
    if args.year is None or not (args.out or args.save or args.show or args.trail):
        msg = ("须给出 --year 和 --out、--save、--show 或 --trail（或只用 --check） / give --year "
               "and --out, --save, --show or --trail (or --check alone)")
        raise KitError(msg)
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() != ".xlsx":
        msg = f"计划须写入 .xlsx 文件，而不是 {out.name} / the plan is written to an .xlsx file"
        raise KitError(msg)
    as_of = parse_date(args.as_of) if args.as_of else None
    door, show = _door(args), show_progress(args)
    with steps(["读取检查记录 reading", "排定计划 planning",
                *(["写出 writing"] if out else []), *(["保存 saving"] if args.save else [])],
               show=show) as next_step:
        tables = load_plan_tables(door)  # what the plan reads, no more
        next_step()
        plan = office_year_plan(door, tables, args.year, as_of=as_of, rules=rules,
                                inspectors=args.inspector or None, seed=args.seed)
        if out is not None:
            next_step()
            plan.to_excel(out)
        saved = None
        if args.save:
            next_step()
            saved = save_year_plan(door, plan)
    counts = plan.plan["level_zh"].value_counts()
    by_level = "、".join(f"{name} {counts[name]} 家" for name in
                         dict.fromkeys(plan.plan["level_zh"].dropna()))
    _out(f"{args.year} 年度监督检查计划：{len(plan.plan)} 家企业（{by_level or '无'}），其中逾期 "
         f"{int(plan.plan['overdue'].sum())} 家；截至 {plan.as_of}，依据 {rules.source[:40]}… / the "
         f"{args.year} plan: {len(plan.plan)} inspection(s), {int(plan.plan['overdue'].sum())} "
         f"overdue")
    registered = int(plan.levels["in_register"].sum()) if "in_register" in plan.levels else 0
    if registered:
        never = int((plan.levels["in_register"] & plan.levels["last_inspection"].isna()).sum())
        _out(f"企业名录 {registered} 家，其中从未检查 {never} 家 / the register: "
             f"{registered} companies, {never} never inspected")
    if saved is not None:
        _out(saved.summary())
    if out is not None:
        _out(f"已写入 written: {out}")
    return EXIT_OK


def cmd_class(args: argparse.Namespace) -> int:
    """The trainer's class view: every trainee's answers kept in the store, to Excel."""
    from kit.training import class_frames, class_to_excel

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        msg = f"须写入 .xlsx 文件，而不是 {out.name} / the class summary is an .xlsx file"
        raise KitError(msg)
    frames = class_frames(_door(args).answers())
    class_to_excel(frames, out)
    t = frames["trainees"]
    _out(f"{len(t)} 名学员，{int(t['answered'].sum()) if len(t) else 0} 次作答；已写入 {out} / "
         f"{len(t)} trainee(s); written: {out}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Load the generated demo inspections (fictional companies, two years) into the store."""
    from tqdm import tqdm  # here, not at the top: only a few commands draw a progress bar

    from kit.analytics import load_demo_data

    if args.inspections < 1 or args.companies < 1:
        msg = ("--inspections 和 --companies 须至少为 1 / --inspections and --companies must be "
               "at least 1")
        raise KitError(msg)
    door = _door(args)
    # the bar goes to stderr, and only to a terminal: scripts read the one line printed
    with tqdm(total=args.inspections, unit="条", desc="载入 loading", leave=False,
              disable=None, file=sys.stderr) as bar:
        n = load_demo_data(door, inspections=args.inspections, companies=args.companies,
                           seed=args.seed, progress=bar.update)
    total = len(door.list(()))
    _out(f"已载入 {n} 条示例检查记录（{args.companies} 家虚构企业，种子 {args.seed}），"
         f"存储中共 {total} 条 / loaded {n} demo inspection(s); the store holds {total}")
    return EXIT_OK


def cmd_tables(args: argparse.Namespace) -> int:
    """Every table of the store for any tool, with the data dictionary beside it; or
    (``--describe``) the dictionary itself."""
    from kit.analytics import (
        check_format,
        data_dictionary,
        describe,
        dictionary_markdown,
        load_tables,
        write_tables,
    )

    if args.describe is not None:
        if args.markdown:
            print(dictionary_markdown(), end="")
            return EXIT_OK
        names = [args.describe] if args.describe else list(data_dictionary())
        for name, rows in describe(tables=names).groupby("table", sort=False):
            doc = data_dictionary()[str(name)]
            _out(f"{doc.zh} / {name}: {doc.en}; 键 key: {doc.key}")
            for r in rows.itertuples(index=False):
                unit = f" [{r.unit}]" if isinstance(r.unit, str) else ""  # else missing
                clause = f"（{r.clause}）" if isinstance(r.clause, str) else ""
                _out(f"  {r.column:<24} {r.type:<9}{unit} {r.zh}{clause} / {r.en}; "
                     f"来源 source: {r.source}")
            _out()
        return EXIT_OK
    if args.markdown:
        msg = "--markdown 须与 --describe 一起使用 / --markdown goes with --describe"
        raise KitError(msg)
    if not args.out:
        msg = "须给出 --out 文件夹（或 --describe） / give --out DIR (or --describe)"
        raise KitError(msg)
    check_format(args.format)  # before reading the store: pyarrow for Parquet
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        msg = f"--out {out} 不是文件夹 / --out {out} is not a folder"
        raise KitError(msg)
    tables = load_tables(_door(args), progress=sys.stderr.isatty())
    for iid, why in tables.skipped:
        print(f"未读取 left out {iid}: {why}", file=sys.stderr)
    for path in write_tables(tables, out, args.format):
        _out(f"已写入 written: {path}")
    _out(f"{len(tables.inspections)} 次检查、{len(tables.findings)} 个问题、{len(tables.results)} "
         f"条检查项结果 / {len(tables.inspections)} inspection(s), {len(tables.findings)} "
         f"finding(s)")
    return EXIT_OK


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``credit-file``, ``plan``, ``class``, ``demo`` and ``tables``."""
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
    pl.add_argument("--save", action="store_true", help="keep the plan in the store, a stable "
                    "id per line (2027-014); saved again, lines that remain keep their ids")
    pl.add_argument("--show", action="store_true",
                    help="list the saved lines of --year: done or not, and the inspection")
    pl.add_argument("--trail", action="store_true",
                    help="every change to the saved plan of --year (or of --line)")
    pl.add_argument("--line", metavar="ID", help="with --trail: one line's changes")
    pl.add_argument("--json", action="store_true", help="with --show or --trail: as JSON")
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
    tb = sub.add_parser("tables", parents=[store_opts],
                        help="分析数据表及数据字典：Parquet、CSV 或 Excel / the analysts' tables "
                             "for any tool, with the data dictionary")
    tb.add_argument("--out", metavar="DIR", help="the folder to write every table to, with "
                    "dictionary.csv and dictionary.json")
    tb.add_argument("--format", choices=("parquet", "csv", "xlsx"), default="parquet",
                    help="parquet (default; needs pyarrow: the kit's 'tables' extra), csv "
                         "(UTF-8 with BOM, one file a table) or xlsx (tables.xlsx, a sheet a "
                         "table and 数据字典)")
    tb.add_argument("--describe", nargs="?", const="", metavar="TABLE",
                    help="print the data dictionary (of TABLE, e.g. findings) instead; no "
                         "store is read")
    tb.add_argument("--markdown", action="store_true",
                    help="with --describe: the whole dictionary as Markdown "
                         "(docs/data-dictionary.md)")
    tb.set_defaults(handler=cmd_tables)
