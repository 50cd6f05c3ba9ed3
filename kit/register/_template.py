"""The register's template workbook (``kit companies template --out F.xlsx``): the two sheets
with their headers, a note on each header, one example company, lists for the coded cells."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from kit.errors import KitError
from kit.register._model import (
    COMPANY_COLUMNS,
    COMPANY_SHEET,
    PRODUCT_COLUMNS,
    PRODUCT_SHEET,
    Column,
    RegisteredCompany,
)

__all__ = ["EXAMPLE", "write_register", "write_template"]

#: the template's example company (fictional; its credit code is the GB 32100 example)
EXAMPLE = RegisteredCompany.from_doc({
    "credit_code": "91350100M000100Y43", "name": "北京示例医疗器械有限公司", "region": "大兴区",
    "contracts": False, "licence_no": "京药监械生产许20260001号", "licence_issued": "2026-01-05",
    "licence_expires": "2031-01-04", "filing_no": "", "filed_on": None,
    "products": [{"name": "一次性使用无菌注射器", "device_class": "III",
                  "category_code": "14-01-01", "registration_no": "国械注准20263140001"}]})


def write_template(path: str | Path) -> Path:
    """The empty register with one example company, to fill in and import."""
    return write_register([EXAMPLE], path)


def write_register(companies: Sequence[RegisteredCompany], path: str | Path) -> Path:
    """``companies`` as a register workbook that :func:`~kit.register.read_register` reads
    back (every text written as text, never as a formula)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        msg = f"模板须写入 .xlsx 文件，而不是 {path.name} / the register is an .xlsx file"
        raise KitError(msg)
    book = Workbook()
    book.remove(book.active)
    rows = {COMPANY_SHEET: [c.to_doc() for c in companies],
            PRODUCT_SHEET: [{"credit_code": c.credit_code, **p}
                            for c in companies for p in c.to_doc()["products"]]}
    for title, columns in ((COMPANY_SHEET, COMPANY_COLUMNS), (PRODUCT_SHEET, PRODUCT_COLUMNS)):
        sheet = book.create_sheet(title)
        for k, column in enumerate(columns, start=1):
            cell = sheet.cell(1, k, column.zh)
            cell.font = Font(bold=True, color="C00000" if column.required else "000000")
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.comment = Comment(_note(column), "kit")
            sheet.column_dimensions[cell.column_letter].width = max(14, 2 * len(column.zh) + 4)
        for r, doc in enumerate(rows[title], start=2):
            for k, column in enumerate(columns, start=1):
                value = doc.get(column.key)
                if column.kind == "bool":
                    value = "是" if value else "否"
                elif column.kind == "date" and value:
                    value = date.fromisoformat(value)
                cell = sheet.cell(r, k, value if value not in (None, "") else None)
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, str):
                    cell.data_type = "s"  # text stays text, whatever it starts with
        sheet.freeze_panes = "A2"
        for k, column in enumerate(columns, start=1):
            choices = {"bool": '"是,否"', "class": '"I,II,III"'}.get(column.kind)
            if choices:
                rule = DataValidation(type="list", formula1=choices, allow_blank=True)
                letter = sheet.cell(1, k).column_letter
                rule.add(f"{letter}2:{letter}20000")
                sheet.add_data_validation(rule)
    book.save(path)
    return path


def _note(column: Column) -> str:
    need = "必填" if column.required else "选填"
    kind = {"date": "日期，如 2026-01-05 或 2026年1月5日", "bool": "是/否", "class": "I/II/III",
            "code": "统一社会信用代码", "text": "文字"}[column.kind]
    return f"{need}；{kind}" + (f"；{column.note}" if column.note else "") + f"（{column.key}）"
