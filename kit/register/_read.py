"""Reading the register's workbook: every row checked, every problem named by file, sheet, row,
column and field, nothing returned while any is left.

The file is checked by :mod:`kit.files` before openpyxl opens it (a zip bomb, a sheet reaching
past its limits), then read in read-only mode, formulas as their text, so a formula is refused
rather than read as whatever Excel last computed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from kit.dates import DateError, read_date
from kit.errors import Problem, ValidationError
from kit.files import extent_problems, xlsx_problems
from kit.identifiers import credit_code_problem
from kit.register._model import (
    COMPANY_COLUMNS,
    COMPANY_SHEET,
    PRODUCT_COLUMNS,
    PRODUCT_SHEET,
    Column,
    DeviceClass,
    RegisteredCompany,
    RegisteredProduct,
)

__all__ = ["FORMULA_START", "MAX_REGISTER_ROWS", "read_register"]

#: text a spreadsheet would run as a formula (OWASP "CSV injection")
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
#: rows a sheet of the register may reach (a city's register holds a few thousand companies)
MAX_REGISTER_ROWS: Final = 200_000

_YES: Final = frozenset({"是", "有", "y", "yes", "true", "1", "√"})
_NO: Final = frozenset({"否", "无", "n", "no", "false", "0", "×"})
#: a cell whose problem is reported: the checks across rows leave it alone
_BAD: Final = object()
_CLASS: Final[dict[str, DeviceClass]] = {"I": "I", "1": "I", "一": "I", "II": "II", "2": "II",
                                         "二": "II", "III": "III", "3": "III", "三": "III"}


def _key(text: object) -> str:
    """A header as compared: NFKC, case-folded, no spaces or ``_ - /``."""
    return re.sub(r"[\s_\-/／]+", "", unicodedata.normalize("NFKC", str(text)).casefold())


def _letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


class _Sheet:
    """One sheet's problems, each with the file, the sheet, the row and the column."""

    def __init__(self, file: str, sheet: str, problems: list[Problem]) -> None:
        self.file, self.sheet, self.problems = file, sheet, problems
        self.headers: dict[str, tuple[str, str]] = {}  # key -> (header as written, letter)

    def add(self, code: str, zh: str, en: str, *, row: int | None = None, key: str = "") -> None:
        header, letter = self.headers.get(key, ("", ""))
        self.problems.append(Problem(code, zh, en, file=self.file, sheet=self.sheet, row=row,
                                     column=f"{header} ({letter})" if header else "",
                                     field=key))


def read_register(path: str | Path) -> list[RegisteredCompany]:
    """The companies of a register workbook (sheets 企业 and 产品, see
    :data:`~kit.register.COMPANY_COLUMNS`), in the order of the 企业 sheet.

    Raises :class:`~kit.errors.ValidationError` with every problem found (a credit code that
    fails its check character, a class that is not I/II/III, a company twice, an empty
    required cell, a formula or text that would run as one, a date that cannot be read, a
    product of a company the 企业 sheet does not list); then nothing is returned.
    """
    path = Path(path)
    file = path.name
    if not path.is_file():
        raise ValidationError([Problem("file_not_found", f"找不到文件 {path}",
                                       f"file not found: {path}", file=file)], file)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError([Problem(
            "unsupported_format", f"企业名录须为 .xlsx 工作簿，而不是“{path.suffix}”",
            f"the register is an .xlsx workbook, not {path.suffix!r}", file=file)], file)
    if path.stat().st_size == 0:
        raise ValidationError([Problem("empty_file", "文件是空的", "the file is empty",
                                       file=file)], file)
    refused = xlsx_problems(path) or extent_problems(path, max_rows=MAX_REGISTER_ROWS)
    if refused:
        raise ValidationError(refused, file)
    grids = _grids(path)
    problems: list[Problem] = []
    if isinstance(grids, Problem):
        raise ValidationError([grids], file)
    missing = [name for name in (COMPANY_SHEET, PRODUCT_SHEET) if name not in grids]
    if missing:
        raise ValidationError([Problem(
            "unknown_sheet", f"工作簿中没有工作表“{name}”（现有：{'、'.join(grids) or '无'}；"
            "请用 kit companies template 生成的模板）",
            f"no sheet {name!r} in the workbook (use `kit companies template`)", file=file,
            sheet=name) for name in missing], file)
    cs, ps = _Sheet(file, COMPANY_SHEET, problems), _Sheet(file, PRODUCT_SHEET, problems)
    companies = _rows(grids[COMPANY_SHEET], COMPANY_COLUMNS, cs)
    products = _rows(grids[PRODUCT_SHEET], PRODUCT_COLUMNS, ps)
    if companies is not None and not companies and not problems:
        problems.append(Problem("no_data_rows", "“企业”表只有表头，没有企业",
                                "the 企业 sheet has a header but no companies", file=file,
                                sheet=COMPANY_SHEET))
    if companies is None or products is None:
        raise ValidationError(problems, file)
    out = _assemble(companies, products, cs, ps)
    if problems:
        raise ValidationError(problems, file)
    return out


def _grids(path: Path) -> dict[str, list[tuple[Any, ...]]] | Problem:
    """Every sheet's rows of values (formulas as their text)."""
    from openpyxl import load_workbook  # here: only this command needs openpyxl's reader

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl and zipfile raise their own types for broken files
        return Problem("unreadable_file", f"无法读取该工作簿：{exc}",
                       f"cannot read the workbook: {exc}", file=path.name)
    try:
        return {str(ws.title): list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    except Exception as exc:  # a damaged sheet part
        return Problem("unreadable_file", f"工作簿已损坏：{exc}", f"the workbook is damaged: {exc}",
                       file=path.name)
    finally:
        book.close()


def _rows(grid: Sequence[tuple[Any, ...]], columns: Sequence[Column], sheet: _Sheet
          ) -> list[tuple[int, dict[str, Any]]] | None:
    """Each filled row's number and its values by field; None when the header is wrong."""
    if not grid or all(_blank(v) for v in grid[0]):
        sheet.add("missing_column", f"“{sheet.sheet}”表第 1 行须为表头（{_names(columns)}）",
                  f"row 1 of sheet {sheet.sheet} must be the header", row=1)
        return None
    by_key = {_key(c.zh): c for c in columns} | {_key(c.key): c for c in columns}
    found: dict[int, Column] = {}
    ok = True
    for i, header in enumerate(grid[0]):
        if _blank(header):
            continue
        column = by_key.get(_key(header))
        where = f"{header} ({_letter(i)})"
        if column is None:
            sheet.problems.append(Problem(
                "register.unknown_column",
                f"未知的列“{header}”（应为：{_names(columns)}）",
                f"unknown column {header!r}", file=sheet.file, sheet=sheet.sheet, row=1,
                column=where))
            ok = False
        elif column.key in sheet.headers:
            sheet.problems.append(Problem(
                "duplicate_column", f"“{header}”与第 {sheet.headers[column.key][1]} 列是同一列",
                f"{header!r} repeats column {sheet.headers[column.key][1]}", file=sheet.file,
                sheet=sheet.sheet, row=1, column=where, field=column.key))
            ok = False
        else:
            sheet.headers[column.key] = (str(header).strip(), _letter(i))
            found[i] = column
    for column in columns:
        if column.required and column.key not in sheet.headers:
            sheet.problems.append(Problem(
                "missing_column", f"缺少必需的列“{column.zh}”",
                f"the required column {column.zh} ({column.key}) is missing", file=sheet.file,
                sheet=sheet.sheet, row=1, field=column.key))
            ok = False
    if not ok:
        return None
    out = []
    for number, values in enumerate(grid[1:], start=2):
        if all(_blank(v) for v in values):
            continue
        row = {}
        for i, column in found.items():
            row[column.key] = _cell(values[i] if i < len(values) else None, column, sheet, number)
        out.append((number, row))
    return out


def _names(columns: Iterable[Column]) -> str:
    return "、".join(c.zh for c in columns)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(value: Any, column: Column, sheet: _Sheet, row: int) -> Any:
    """A cell's value of its column's kind, or None (its problem added)."""
    if _blank(value):
        if column.required:
            sheet.add("missing_value", f"必填的“{column.zh}”为空", f"{column.key} is empty",
                      row=row, key=column.key)
            return _BAD
        return None
    if (isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START)) or \
            not isinstance(value, str | int | float | date | bool):
        shown = value if isinstance(value, str) else type(value).__name__
        sheet.add("workbook.formula",
                  f"“{column.zh}”不接受公式或以 = + - @ 开头的内容（{str(shown)[:30]!r}）；请填写文字",
                  f"{column.key}: a formula, or text that would run as one, is not accepted",
                  row=row, key=column.key)
        return _BAD
    if column.kind == "date":
        try:
            return read_date(value)
        except DateError as exc:
            sheet.add(exc.reason, f"“{column.zh}”：{exc.zh}", f"{column.key}: {exc.en}",
                      row=row, key=column.key)
            return _BAD
    text = _text(value)
    if column.kind == "code":
        code = unicodedata.normalize("NFKC", text).strip().upper()
        why = credit_code_problem(code)
        if why is not None:
            sheet.add("company.credit_code", f"统一社会信用代码“{text}”无效：{why}",
                      f"invalid unified social credit code {text!r}", row=row, key=column.key)
            return _BAD
        return code
    if column.kind == "bool":
        word = _key(text)
        if word in _YES or word in _NO:
            return word in _YES
        sheet.add("bad_bool", f"“{column.zh}”应填 是 或 否，而不是“{text}”",
                  f"{column.key} must be 是 or 否, not {text!r}", row=row, key=column.key)
        return _BAD
    if column.kind == "class":
        word = re.sub(r"^第|类$|类医疗器械$", "", unicodedata.normalize("NFKC", text).strip())
        device_class = _CLASS.get(word.upper())
        if device_class is None:
            sheet.add("bad_class", f"管理类别应为 I、II 或 III（一类、二类、三类），而不是“{text}”",
                      f"the class must be I, II or III, not {text!r}", row=row, key=column.key)
            return _BAD
        return device_class
    return text


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return " ".join(str(value).split())


def _assemble(companies: list[tuple[int, dict[str, Any]]],
              products: list[tuple[int, dict[str, Any]]], cs: _Sheet, ps: _Sheet
              ) -> list[RegisteredCompany]:
    """The companies with their products; duplicates, licences and the products' companies
    checked across rows (cells already reported are left alone)."""
    first: dict[str, int] = {}
    for row, values in companies:
        code = values["credit_code"]
        if code is _BAD:
            continue
        if code in first:
            cs.add("duplicate_id", f"统一社会信用代码 {code} 与第 {first[code]} 行重复（每家企业一行）",
                   f"credit code {code} repeats row {first[code]} (one row per company)",
                   row=row, key="credit_code")
        else:
            first[code] = row
        if not values.get("licence_no") and not values.get("filing_no"):
            cs.add("register.no_licence", "须填写生产许可证编号或第一类生产备案凭证编号（至少一项）",
                   "a licence number or a class I filing number is needed", row=row,
                   key="licence_no")
        if values.get("filing_no") not in (None, _BAD) and values.get("filed_on") is None:
            cs.add("missing_value", "填写了第一类生产备案凭证编号，须同时填写备案日期",
                   "a filing number needs its filing date", row=row, key="filed_on")
    owned: dict[str, list[RegisteredProduct]] = {code: [] for code in first}
    seen: dict[tuple[str, str, str], int] = {}
    for row, values in products:
        code, name, klass = values["credit_code"], values["name"], values["device_class"]
        if _BAD in (code, name, klass):
            continue
        if code not in owned:
            ps.add("register.unknown_company",
                   f"统一社会信用代码 {code} 不在“企业”表中（先在“企业”表中列出该企业）",
                   f"credit code {code} is not in the 企业 sheet", row=row, key="credit_code")
            continue
        number = values.get("registration_no")
        ident = (code, name, number if isinstance(number, str) else "")
        if ident in seen:
            ps.add("register.duplicate_product", f"产品“{name}”与第 {seen[ident]} 行重复",
                   f"the product repeats row {seen[ident]}", row=row, key="name")
            continue
        seen[ident] = row
        owned[code].append(RegisteredProduct(name, klass, _str(values.get("category_code")),
                                             _str(number)))
    if cs.problems:  # the one list both sheets add to
        return []
    return [RegisteredCompany(
        credit_code=code, name=values["name"], region=values["region"],
        contracts=bool(values["contracts"]), licence_no=_str(values.get("licence_no")),
        licence_issued=values.get("licence_issued"),
        licence_expires=values.get("licence_expires"),
        filing_no=_str(values.get("filing_no")), filed_on=values.get("filed_on"),
        products=tuple(owned[code]))
        for row, values in companies if first.get(code := values["credit_code"]) == row]


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""

