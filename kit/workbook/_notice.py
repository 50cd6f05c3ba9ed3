"""A written notice (:class:`kit.notices.NoticeText`) laid out as one A4 portrait sheet.

The notice is a letter, not a table of fields: a letterhead, the title and number, the
addressee, paragraphs, the findings' table, the sign-off and the company's receipt. Nothing
on it is filled in offline (its fields live on 签字确认); it is printed, served and signed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kit.notices import NoticeText
from kit.workbook._layout import cell_text
from kit.workbook._style import A4, LINE_FACTOR, put_text, text_units

#: column widths (character units) of each kind's table; about 92 fill A4 portrait at 100%
WIDTHS = {"result": (5.0, 45.0, 22.0, 20.0), "rectification": (5.0, 28.0, 18.0, 28.0, 13.0)}
FONT = "宋体"
BODY, SMALL, TITLE, HEAD = 11.0, 10.5, 16.0, 18.0
#: the sheet names notices take in a workbook (Excel allows 31 characters)
SHEET_NAMES = {"result": "检查结果告知书", "rectification": "整改通知书"}

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _height(text: str, width: float, size: float) -> float:
    per_line = max((width - 0.5) * 10.5 / size, 1.0)
    lines = sum(max(1.0, -(-text_units(p) // per_line)) for p in text.split("\n"))
    return round(lines * size * LINE_FACTOR + 4, 1)


class _Sheet:
    def __init__(self, ws: Worksheet, widths: Sequence[float]) -> None:
        self.ws, self.widths, self.row = ws, widths, 0
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w

    def line(self, text: str, *, size: float = BODY, bold: bool = False,
             align: str = "left", indent: bool = False, space: float = 0.0) -> None:
        """One paragraph across the page (merged), its height fitted to its lines."""
        self.row += 1
        text = cell_text(("　　" if indent else "") + text)
        cell = put_text(self.ws.cell(self.row, 1), text)
        cell.font = Font(name=FONT, size=size, bold=bold)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal=align)
        last = len(self.widths)
        if last > 1:
            self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row,
                                end_column=last)
        self.ws.row_dimensions[self.row].height = _height(text, sum(self.widths), size) + space

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.row += 1
        for i, text in enumerate(header, 1):
            cell = put_text(self.ws.cell(self.row, i), text)
            cell.font = Font(name=FONT, size=SMALL, bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            cell.border = _BOX
        self.ws.row_dimensions[self.row].height = max(
            _height(t, w, SMALL) for t, w in zip(header, self.widths, strict=False))
        first = self.row
        for values in rows:
            self.row += 1
            for i, value in enumerate(values, 1):
                cell = put_text(self.ws.cell(self.row, i), cell_text(value))
                cell.font = Font(name=FONT, size=SMALL)
                cell.alignment = _WRAP
                cell.border = _BOX
            self.ws.row_dimensions[self.row].height = max(
                _height(v, w, SMALL) for v, w in zip(values, self.widths, strict=False))
        self.ws.print_title_rows = f"{first}:{first}"  # a long table repeats its header

    def gap(self, height: float = 8.0) -> None:
        self.row += 1
        self.ws.row_dimensions[self.row].height = height


def notice_sheet(wb: Workbook, text: NoticeText, title: str | None = None) -> Worksheet:
    """Add the notice as a sheet of ``wb`` (at the end), laid out for A4 portrait."""
    ws = wb.create_sheet(title or SHEET_NAMES[text.kind])
    sheet = _Sheet(ws, WIDTHS[text.kind])
    sheet.line(text.letterhead, size=HEAD, bold=True, align="center", space=4)
    sheet.line(text.title, size=TITLE, bold=True, align="center", space=2)
    sheet.line(text.number or "（文号：出具时编号）", size=BODY, align="center", space=4)
    sheet.line(text.addressee, bold=False)
    for paragraph in text.paragraphs:
        sheet.line(paragraph, indent=True)
    sheet.line(text.table_intro, indent=True)
    if text.table_rows:
        sheet.table(text.table_header, text.table_rows)
    sheet.gap()
    for paragraph in text.closing:
        sheet.line(paragraph, indent=True)
    sheet.gap(16)
    sheet.line(text.office, align="right")
    sheet.line(text.dated, align="right")
    if text.contact:
        sheet.line(text.contact)
    sheet.gap(16)
    sheet.line(text.receipt_title, bold=True)
    for line in text.receipt:
        sheet.line(line, space=10)
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.oddFooter.center.text = "第 &P 页"  # each notice counts its own pages
    ws.page_setup.firstPageNumber = 1
    ws.page_setup.useFirstPageNumber = True
    ws.sheet_view.showGridLines = False
    return ws


def write_notices(texts: Sequence[NoticeText], out: Path) -> Path:
    """A workbook of the given notices, one sheet each, for printing (not sealed: the record's
    workbook is the record; a notice is a letter made from it)."""
    wb = Workbook()
    default: Any = wb.active
    wb.remove(default)
    for text in texts:
        notice_sheet(wb, text)
    wb.save(out)
    return out
