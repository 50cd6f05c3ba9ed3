"""``kit sample``: draw the record sample of 九 from the company's registers, write its tables
and keep the draw in an inspection's record."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kit.cli._common import EXIT_OK, Subparsers, _door, _out
from kit.errors import Problem, ValidationError

if TYPE_CHECKING:
    from kit.sampling import Register, SampleResult

__all__ = ["add_parsers", "cmd_sample"]

log = logging.getLogger("kit")


def _column_map(entries: Iterable[str]) -> dict[str, str]:
    """``--column-map HEADER=NAME`` entries as a mapping; refused at the first one misspelt."""
    column_map: dict[str, str] = {}
    for entry in entries:
        header, sep, name = entry.partition("=")
        if not sep or not header.strip() or not name.strip():
            raise ValidationError([Problem(
                "bad_column_map", f"列名对照“{entry}”应写成 表头=列名，例如 单据号=record_id",
                f"--column-map {entry!r} must read HEADER=NAME, e.g. 单据号=record_id",
                field="--column-map")], what="参数 arguments")
        column_map[header.strip()] = name.strip()
    return column_map


def _argument_problems(args: argparse.Namespace) -> list[Problem]:
    """What is wrong with where the draw goes and with the inspection date."""
    from kit.sampling import window_bounds

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
    return problems


def _read_registers(args: argparse.Namespace, column_map: dict[str, str],
                    problems: list[Problem]) -> tuple[Register, Register, Register | None]:
    """The registers of records, products and documents; every problem with them and with the
    arguments (``problems``) refused together."""
    from kit.sampling import load_registers

    try:
        registers = load_registers(args.records, args.products, args.documents,
                                   column_map=column_map)
    except ValidationError as exc:
        raise ValidationError([*problems, *exc.problems],
                              what="抽样输入 sampling input") from None
    if problems:
        raise ValidationError(problems, what="抽样输入 sampling input")
    records, products, _documents = registers
    log.info("registers read: %d records, %d products", len(records.frame),
             len(products.frame))
    return registers


def _draw(args: argparse.Namespace,
          registers: tuple[Register, Register, Register | None]) -> tuple[SampleResult, int]:
    """The draw and its seed (``--seed``, else a new one)."""
    import secrets

    from kit.sampling import sample

    records, products, documents = registers
    seed = args.seed if args.seed is not None else secrets.randbelow(1_000_000)
    result = sample(records.frame, products.frame, None if documents is None else documents.frame,
                    args.inspection_date, seed=seed, per_group=args.per_group,
                    max_products=args.max_products, discrepancy=args.discrepancy)
    log.info("drawn: %d records in %d groups (seed %d)", len(result.selection),
             len(result.groups), seed)
    return result, seed


def _keep(args: argparse.Namespace, result: SampleResult) -> list[Path]:
    """Keep the draw in the inspection's record (``--inspection``) and write its tables
    (``--out``); return the files written."""
    from kit.sampling import write_tables

    if args.inspection:
        from kit.draw import save_draw
        from kit.session import Session

        save_draw(Session(_door(args), args.inspection), result)
    return (write_tables(result.tables(), args.out, titles=result.TITLES)
            if args.out else [])


def _report(args: argparse.Namespace, result: SampleResult, seed: int,
            written: list[Path]) -> None:
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


def cmd_sample(args: argparse.Namespace) -> int:
    """Draw the records to inspect under 九 from the company's registers; write the tables."""
    from tqdm import tqdm

    column_map = _column_map(args.column_map or ())
    problems = _argument_problems(args)
    # the steps as a bar on stderr, in a terminal only (a script reads the lines printed)
    with tqdm(total=3, desc="读取登记表 reading", unit="步", leave=False, disable=None,
              file=sys.stderr) as steps:
        registers = _read_registers(args, column_map, problems)
        steps.update()
        steps.set_description("抽样 drawing")
        result, seed = _draw(args, registers)
        steps.update()
        steps.set_description("写出 writing")
        written = _keep(args, result)
        steps.update()
    _report(args, result, seed, written)
    return EXIT_OK


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``sample``."""
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
