"""Reading the three registers that record sampling (九) works on.

A company keeps its records, products and controlled documents in spreadsheets whose headers
are in Chinese or English and whose cells hold whatever people typed. This module turns such a
sheet into a typed frame with the kit's canonical column names, or raises one
:class:`~kit.errors.ValidationError` listing every bad cell with its file, sheet, row and
column: a register is loaded whole or not at all.

Rows are numbered as the user sees them in Excel or in a CSV opened in Excel (the header is
row 1 unless title rows sit above it), and the returned frame keeps that number as its index,
named ``row``. Every step is vectorized: the cost of a load is a few column operations on top of
reading the file, never a Python loop per row (text is cleaned once per distinct value).

Public: :func:`read_register`, :func:`load_registers` (all three, one error for all),
:func:`normalize_register` (a frame already in memory), :func:`parse_dates` (every common
Chinese date form, for any module), :func:`write_tables` (tables out to .xlsx or .csv, text
never turned into formulas), and the column specs :data:`RECORDS`, :data:`PRODUCTS`,
:data:`DOCUMENTS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from kit.dates import HINT_EN, HINT_ZH, PLAUSIBLE_YEARS
from kit.errors import Problem, ValidationError
from kit.labels import REGISTER_COLUMNS, zh
from kit.sampling import _io as io
from kit.sampling._dates import parse_dates

ColumnKind = Literal["text", "date", "number", "bool", "class", "conclusion"]
RegisterKind = Literal["records", "products", "documents"]

#: more rows than this in one register is refused (``max_rows`` raises or lowers it)
MAX_ROWS = 5_000_000
PASS, FAIL = "合格", "不合格"


@dataclass(frozen=True)
class Column:
    """One column a register may hold: canonical name, Chinese label, accepted headers, type."""

    name: str
    label: str
    aliases: tuple[str, ...]
    kind: ColumnKind = "text"
    required: bool = False


@dataclass(frozen=True)
class RegisterSpec:
    """The columns of one register, the key that must be unique, and the sheet names it uses."""

    kind: RegisterKind
    title: str
    title_en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    sheet_names: tuple[str, ...]
    numeric_extras: bool = False  # records: extra all-numeric columns become data columns
    allow_empty: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Register:
    """A loaded register: the typed frame (index = row number in the file) and where it came from."""

    kind: RegisterKind
    frame: pd.DataFrame
    file: str = ""
    sheet: str = ""
    warnings: tuple[Problem, ...] = ()




def _C(name: str, aliases: tuple[str, ...], kind: ColumnKind = "text",
       required: bool = False) -> Column:
    """A column whose Chinese label is the one :mod:`kit.labels` gives every screen."""
    return Column(name, zh(REGISTER_COLUMNS, name), aliases, kind, required)


RECORDS = RegisterSpec(
    "records", "记录登记表", "records register", (
        _C("record_id", ("记录号", "record id", "record no", "record number"),
           required=True),
        _C("record_type", ("记录种类", "记录名称", "type"), required=True),
        _C("product", ("产品名称", "product name"), required=True),
        _C("batch", ("序列号", "批号/序列号", "生产批号", "lot", "lot no", "batch no",
                           "serial", "serial no", "serial number"), required=True),
        _C("record_date", ("日期", "date"), "date", required=True),
        _C("condition", ("生产条件", "相似条件")),
        _C("stage", ("环节", "工序/环节", "process")),
        _C("doc_id", ("文件号", "document", "document id")),
        _C("doc_version", ("版本", "版本号", "version")),
        _C("lower", ("lower limit",), "number"),
        _C("upper", ("upper limit",), "number"),
        _C("conclusion", ("判定", "检验结论", "判定结果", "result"), "conclusion"),
    ), key=("record_id",), sheet_names=("记录", "记录登记表", "records"), numeric_extras=True)
PRODUCTS = RegisterSpec(
    "products", "产品登记表", "products register", (
        _C("product", ("产品名称", "product name"), required=True),
        _C("registration_no", ("注册证编号", "备案号", "注册证号/备案号",
                                        "registration", "registration number")),
        _C("volume", ("年产量", "生产量", "output"), "number"),
        _C("class", ("类别", "分类", "category", "class"), "class"),
        _C("high_risk", ("高风险产品", "high risk"), "bool"),
    ), key=("product",), sheet_names=("产品", "产品登记表", "products"))
DOCUMENTS = RegisterSpec(
    "documents", "文件登记表", "documents register", (
        _C("doc_id", ("文件号", "document", "document id"), required=True),
        _C("version", ("版本号", "文件版本", "doc_version"), required=True),
        _C("effective_from", ("实施日期", "effective date", "valid from"), "date",
           required=True),
        _C("effective_to", ("废止日期", "expiry date", "valid to"), "date"),
        _C("title", ("名称", "document title")),
    ), key=("doc_id", "version"), sheet_names=("文件", "文件登记表", "documents"),
    allow_empty=True)
SPECS: dict[str, RegisterSpec] = {s.kind: s for s in (RECORDS, PRODUCTS, DOCUMENTS)}

_BOOL = {"是": True, "否": False, "y": True, "n": False, "yes": True, "no": False, "true": True,
         "false": False, "1": True, "0": False, "高": True, "低": False, "√": True, "✓": True,
         "×": False, "x": False}
_CLASS = {"i": 1, "ii": 2, "iii": 3, "1": 1, "2": 2, "3": 3, "一": 1, "二": 2, "三": 3}
_CONCLUSION = {"合格": PASS, "不合格": FAIL, "符合": PASS, "不符合": FAIL, "符合规定": PASS,
               "不符合规定": FAIL, "通过": PASS, "不通过": FAIL, "pass": PASS, "passed": PASS,
               "fail": FAIL, "failed": FAIL, "ok": PASS, "ng": FAIL, "accept": PASS,
               "reject": FAIL, "conforming": PASS, "nonconforming": FAIL}


# -- reading -------------------------------------------------------------------------------
def read_register(
    path: str | Path,
    kind: RegisterKind,
    *,
    column_map: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
    max_rows: int = MAX_ROWS,
) -> Register:
    """Read one register from .csv or .xlsx (python-calamine through pandas) and type it.

    ``column_map`` maps the file's own header to a canonical name (``{"单据号": "record_id"}``;
    the other direction is understood too). ``sheet`` picks a worksheet by name or position; by
    default the sheet named after the register (记录, 产品, 文件) when there is one, else the
    first. CSV may be UTF-8 (with or without BOM) or GB18030, comma-, tab- or
    semicolon-separated. Raises :class:`ValidationError` with every problem found.
    """
    spec = SPECS[kind]
    path = Path(path)
    grid, sheet_name, problems = io.read_grid(path, spec.sheet_names, sheet, max_rows)
    if grid is None:
        raise ValidationError(problems, what=f"{spec.title} {path.name}")
    known = {a for c in spec.columns for a in (c.name, c.label, *c.aliases)}
    found = io.frame_from_grid(grid, known, path.name, sheet_name, max_rows)
    if isinstance(found, Problem):
        raise ValidationError([found], what=f"{spec.title} {path.name}")
    frame, rows, letters = found
    return _normalize(frame, spec, column_map or {}, path.name, sheet_name, rows, letters)


def load_registers(
    records: str | Path,
    products: str | Path,
    documents: str | Path | None = None,
    *,
    column_map: Mapping[str, str] | None = None,
) -> tuple[Register, Register, Register | None]:
    """Read the three registers, collecting the problems of all of them into one error.

    One ``column_map`` serves all three; each register takes the entries aimed at its columns.
    """
    problems: list[Problem] = []
    loaded: dict[str, Register] = {}
    jobs: tuple[tuple[str | Path | None, RegisterKind], ...] = (
        (records, "records"),
        (products, "products"),
        (documents, "documents"),
    )
    for path, kind in jobs:
        if path is None:
            continue
        try:
            loaded[kind] = read_register(path, kind, column_map=column_map)
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems, what="登记表 registers")
    return loaded["records"], loaded["products"], loaded.get("documents")


# -- writing -------------------------------------------------------------------------------
def write_tables(tables: Mapping[str, pd.DataFrame], path: str | Path, *,
                 titles: Mapping[str, str] | None = None) -> list[Path]:
    """Write named tables to .xlsx (one sheet each, in order) or .csv; return the files written.

    In .xlsx each sheet is titled ``titles[name]`` (default: the name). For .csv the first table
    goes to ``path`` and each other one beside it as ``<stem>_<name>.csv``. Text is written as text: .xlsx cells never become formulas, and in
    .csv a text starting with = + - @ gets a leading ' so that Excel shows it instead of running
    it. CSV is UTF-8 with BOM so Excel opens Chinese correctly.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationError([Problem("unsupported_format",
                                       f"输出文件须为 .csv 或 .xlsx，不能是“{suffix}”",
                                       f"the output must be .csv or .xlsx, not {suffix!r}",
                                       file=path.name)], what="输出 output")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        io.write_xlsx({(titles or {}).get(k, k): v for k, v in tables.items()}, path)
        return [path]
    written = []
    for i, (name, frame) in enumerate(tables.items()):
        target = path if i == 0 else path.with_name(f"{path.stem}_{name}.csv")
        io.write_csv(frame, target)
        written.append(target)
    return written


# -- typing --------------------------------------------------------------------------------
def normalize_register(
    frame: pd.DataFrame,
    kind: RegisterKind,
    *,
    column_map: Mapping[str, str] | None = None,
    file: str = "",
    sheet: str = "",
    rows: np.ndarray | None = None,
) -> Register:
    """Rename a frame's own headers to canonical names and type every column, or raise.

    For anything that already holds a frame (an upload in the app, a test). ``rows`` gives each
    row's number in the source; by default the header is row 1 and data starts on row 2.
    """
    if rows is None:
        rows = np.arange(2, len(frame) + 2)
    letters = {str(c): io.letter(i) for i, c in enumerate(frame.columns)}
    return _normalize(
        frame.reset_index(drop=True), SPECS[kind], column_map or {}, file, sheet, rows, letters
    )


def _normalize(
    frame: pd.DataFrame,
    spec: RegisterSpec,
    column_map: Mapping[str, str],
    file: str,
    sheet: str,
    rows: np.ndarray,
    letters: dict[str, str],
) -> Register:
    ctx = io.Context(file, sheet, rows, letters)
    what = f"{spec.title} {file}".strip()
    renamed = _rename(frame, spec, column_map, ctx)
    if renamed is None:
        raise ValidationError(ctx.problems, what=what)
    if len(renamed) == 0 and not spec.allow_empty:
        ctx.add(
            "no_data_rows",
            f"{spec.title}只有表头，没有数据行",
            f"the {spec.title_en} has a header but no data rows",
        )
    out: dict[str, pd.Series] = {}
    for name in renamed.columns:
        known = next((c for c in spec.columns if c.name == name), None)
        col = renamed[name]
        if known is not None:
            out[name] = _typed(col, known, ctx)
            continue
        out[name], not_numbers = io.extra(col, spec.numeric_extras)
        if not_numbers is not None:
            ctx.cells("bad_number", not_numbers, name, "数据列中有非数字：“{v}”",
                      "not a number in a data column: {v}", col)
    typed = pd.DataFrame(out)
    _check_rows(typed, spec, ctx)
    if ctx.errors:
        raise ValidationError(ctx.problems, what=what)
    typed.index = pd.Index(rows, name="row")
    return Register(spec.kind, typed, file, sheet, tuple(ctx.problems))


def _user_map(column_map: Mapping[str, str], spec: RegisterSpec, ctx: io.Context) -> dict[str, str]:
    """The user's column map as {header key: canonical name} for this register's columns."""
    mine = {c.name for c in spec.columns}
    out: dict[str, str] = {}
    for header, target in column_map.items():
        if target in _ALL_CANONICAL:
            if target in mine:
                out[io.header_key(header)] = target
        elif header in _ALL_CANONICAL:  # written the other way round: canonical -> header
            if header in mine:
                out[io.header_key(target)] = header
        else:
            names = "、".join(sorted(_ALL_CANONICAL))
            ctx.add(
                "bad_column_map",
                f"列名对照“{header}→{target}”无效：目标须为 {names} 之一",
                f"column map entry {header!r}: {target!r} is not one of {names}",
            )
    return out


def _rename(
    frame: pd.DataFrame, spec: RegisterSpec, column_map: Mapping[str, str], ctx: io.Context
) -> pd.DataFrame | None:
    lookup = {io.header_key(a): c.name for c in spec.columns for a in (c.name, c.label, *c.aliases)}
    user = _user_map(column_map, spec, ctx)
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    for i, header in enumerate(map(str, frame.columns)):
        key = io.header_key(header)
        target = user.get(key) or lookup.get(key) or header
        if target in seen:
            ctx.add(
                "duplicate_column",
                f"表头“{header}”与“{seen[target]}”都对应列 {target}，请删去或改名其一",
                f"headers {header!r} and {seen[target]!r} both give column {target!r}",
                column=ctx.where(header) if header in ctx.letters else header,
            )
            continue
        seen[target] = header
        mapping[i] = target
    ctx.headers = dict(seen)
    for col in spec.columns:
        if col.required and col.name not in seen:
            names = dict.fromkeys((col.label, col.name, *col.aliases))
            accepted, accepted_en = "、".join(names), ", ".join(names)
            ctx.add(
                "missing_column",
                f"缺少必需列“{col.label}”（可用表头：{accepted}）",
                f"required column {col.name!r} is missing (accepted headers: {accepted_en})",
                column=col.label,
            )
    if ctx.errors:
        return None
    kept = frame.iloc[:, list(mapping)]
    kept.columns = pd.Index(list(mapping.values()), dtype=object)
    return kept


def _typed(col: pd.Series, spec: Column, ctx: io.Context) -> pd.Series:
    if spec.kind == "date":
        value = parse_dates(col)
        present = io.present(col, value.notna())
    elif spec.kind == "number":
        value = io.numbers(col)
        present = io.present(col, value.notna())
    else:
        text = io.as_text(col)
        present = text.notna()
    if spec.required:
        ctx.cells(
            "missing_value",
            ~present,
            spec.name,
            f"必填项“{spec.label}”为空",
            f"required value {spec.name!r} is empty",
        )
    if spec.kind == "text":
        return text
    if spec.kind == "date":
        ctx.cells(
            "bad_date",
            present & value.isna(),
            spec.name,
            f"无法识别的日期“{{v}}”（{HINT_ZH}，或 Excel 日期）",
            f"unrecognised date {{v!s}} ({HINT_EN}, or an Excel date)",
            col,
        )
        years = value.dt.year
        odd = value.notna() & ((years < PLAUSIBLE_YEARS[0]) | (years > PLAUSIBLE_YEARS[1]))
        ctx.cells(
            "date_out_of_range",
            odd,
            spec.name,
            "日期“{v}”（即 {o}）不在合理范围内，请核对",
            "implausible date {v} ({o}); please check",
            col,
            value,
        )
        return value.mask(odd)
    if spec.kind == "number":
        ctx.cells(
            "bad_number",
            present & value.isna(),
            spec.name,
            "不是数字：“{v}”",
            "not a number: {v}",
            col,
        )
        return value
    key = io.by_unique(text, lambda u: u.astype("str").str.normalize("NFKC").str.casefold()
                       .str.replace(r"\s+", "", regex=True)).astype("str")
    if spec.kind == "bool":
        value = key.map(_BOOL)
        accepted, accepted_en = "是/否", "是/否, yes/no, true/false, 1/0"
    elif spec.kind == "class":
        key = io.by_unique(key, lambda u: u.astype("str").str.replace(
            r"^(?:第|class)|类别?$", "", regex=True)).astype("str")
        value = key.map(_CLASS)
        accepted, accepted_en = "Ⅰ/Ⅱ/Ⅲ、一类/二类/三类、1/2/3", "I/II/III, 1/2/3"
    else:
        value = key.map(_CONCLUSION)
        accepted, accepted_en = f"{PASS}/{FAIL}", f"{PASS}/{FAIL}, pass/fail"
    ctx.cells(
        f"bad_{spec.kind}",
        present & value.isna(),
        spec.name,
        f"“{spec.label}”应填 {accepted}，不能填“{{v}}”",
        f"{spec.name} must be {accepted_en}, not {{v}}",
        text,
    )
    if spec.kind == "bool":
        return value.astype("boolean")
    if spec.kind == "class":
        return value.astype("Int64")
    return value.astype("str")


def _check_rows(typed: pd.DataFrame, spec: RegisterSpec, ctx: io.Context) -> None:
    """Checks across cells: unique key, limits in order, dates in order, overlapping versions."""
    key = [k for k in spec.key if k in typed]
    if len(key) == len(spec.key) and len(typed):
        dup = typed.duplicated(key, keep="first") & typed[key].notna().all(axis=1)
        if dup.any():
            involved = typed.duplicated(key, keep=False)
            rows = pd.Series(ctx.rows, index=typed.index)[involved]
            first = (
                rows.groupby([typed.loc[involved, k] for k in key], sort=False)
                .transform("min")
                .reindex(typed.index, fill_value=0)
                .astype("int64")
            )
            label = typed[key[0]].astype(str)
            for k in key[1:]:
                label = label + " " + typed[k].astype(str)
            ctx.cells(
                "duplicate_id",
                dup,
                key[0],
                "“{v}”重复，与第 {o} 行相同",
                "{v} is repeated; first on row {o}",
                label,
                first,
            )
    if spec.kind == "records" and {"lower", "upper"} <= set(typed):
        ctx.cells(
            "bad_range",
            typed["lower"] > typed["upper"],
            "upper",
            "下限 {o} 大于上限 {v}",
            "lower limit {o} is above upper limit {v}",
            typed["upper"],
            typed["lower"],
        )
    if spec.kind == "documents" and {"effective_from", "effective_to"} <= set(typed):
        ctx.cells(
            "bad_range",
            (typed["effective_from"] > typed["effective_to"]).to_numpy(),
            "effective_to",
            "失效日期早于生效日期 {o}",
            "effective_to is before effective_from {o}",
            None,
            typed["effective_from"],
        )
        _check_overlaps(typed, ctx)
    if spec.kind == "products" and "volume" in typed:
        ctx.cells(
            "bad_number",
            typed["volume"] < 0,
            "volume",
            "产量不能为负数：{v}",
            "volume cannot be negative: {v}",
            typed["volume"],
        )


def _check_overlaps(docs: pd.DataFrame, ctx: io.Context) -> None:
    """Two versions of one document in force together for more than a hand-over day."""
    order = docs.sort_values(["doc_id", "effective_from"], kind="stable")
    grouped = order.groupby("doc_id", sort=False)
    prev_to = grouped["effective_to"].shift()
    prev_version = grouped["version"].shift()
    overlap = (prev_to > order["effective_from"]).reindex(docs.index).fillna(False)
    ctx.cells(
        "overlapping_versions",
        overlap.to_numpy(dtype=bool),
        "effective_from",
        "与版本 {v} 的有效期重叠",
        "validity overlaps version {v}",
        prev_version.reindex(docs.index),
    )


_ALL_CANONICAL = frozenset(c.name for s in SPECS.values() for c in s.columns)
