"""A written notice (:class:`kit.notices.NoticeText`) laid out as one A4 portrait sheet, and
printed to PDF by LibreOffice.

The notice is a letter, not a table of fields: a letterhead, the title and number, the
addressee, paragraphs, the findings' table, the sign-off with the signatures the office's
template asks for (drawn on the pad, at a legible size) and the company's receipt. Nothing on
it is filled in offline (its fields live on 签字确认); it is printed, served and signed.
:func:`notice_pdf` and :func:`service_pdf` give the PDF bytes that issuing and serving keep;
:func:`print_signatures` puts the drawn signatures on the printed 签字确认 page.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kit.errors import KitError
from kit.notices import NoticeSigner, NoticeText
from kit.record import Inspection, natural_key
from kit.workbook._layout import cell_text
from kit.workbook._style import A4, LINE_FACTOR, put_text, text_units

#: column widths (character units) of each kind's table; about 92 fill A4 portrait at 100%
WIDTHS = {"result": (5.0, 45.0, 22.0, 20.0), "rectification": (5.0, 28.0, 18.0, 28.0, 13.0),
          "suspension": (5.0, 28.0, 18.0, 16.0, 25.0)}
FONT = "宋体"
BODY, SMALL, TITLE, HEAD = 11.0, 10.5, 16.0, 18.0
#: how long LibreOffice may take to print (it starts cold in a fresh profile)
PDF_TIMEOUT_S = 180
#: a signature's row on a notice (points): the drawn picture at a legible size
SIGNATURE_ROW_PT = 48.0
#: the sheet names notices take in a workbook (Excel allows 31 characters)
SHEET_NAMES = {"result": "检查结果告知书", "rectification": "整改通知书", "suspension": "暂停生产通知书"}

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


    def signer(self, who: NoticeSigner, pictures: Mapping[str, bytes]) -> None:
        """One signature: the role and name, the picture drawn on the pad at a legible size
        (a quarter of the page's width at most), who drew it and when."""
        self.row += 1
        last = len(self.widths)
        label = put_text(self.ws.cell(self.row, 1), f"{who.role}（签字）：{who.name}")
        label.font = Font(name=FONT, size=BODY)
        label.alignment = Alignment(vertical="center")
        self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=2)
        drawn = pictures.get(who.picture) if who.picture else None
        when = (f"手写签名：{who.drawn_by or who.name}，{who.drawn_at}（北京时间）"
                if drawn is not None else "（未在签字板上签名）")
        note = put_text(self.ws.cell(self.row, 4), when)
        note.font = Font(name=FONT, size=SMALL)
        note.alignment = Alignment(wrap_text=True, vertical="center")
        if last > 4:
            self.ws.merge_cells(start_row=self.row, start_column=4, end_row=self.row,
                                end_column=last)
        self.ws.row_dimensions[self.row].height = SIGNATURE_ROW_PT
        if drawn is not None:
            self.ws.add_image(signature_picture(drawn, SIGNATURE_ROW_PT, self.widths[2]),
                              f"C{self.row}")


def signature_picture(data: bytes, row_pt: float, column_units: float) -> Image:
    """A drawn signature as a picture filling its cell (kept in proportion): legible, not a
    thumbnail (pixels at 96 per inch: 4/3 per point; a width unit is about 7 pixels)."""
    img = Image(io.BytesIO(data))
    scale = min((row_pt * 4 / 3 - 6) / img.height, (column_units * 7 - 8) / img.width)
    img.width, img.height = round(img.width * scale), round(img.height * scale)
    return img


def notice_sheet(wb: Workbook, text: NoticeText, title: str | None = None,
                 pictures: Mapping[str, bytes] | None = None) -> Worksheet:
    """Add the notice as a sheet of ``wb`` (at the end), laid out for A4 portrait, with the
    signatures its template asks for (their pictures from ``pictures``, by SHA-256)."""
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
    for who in text.signers:
        sheet.signer(who, pictures or {})
    if text.contact:
        sheet.line(text.contact)
    sheet.gap(16)
    sheet.line(text.receipt_title, bold=True)
    for line in text.receipt:
        sheet.line(line, space=10)
    _a4(ws)
    return ws


def _a4(ws: Worksheet) -> None:
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


def service_sheet(wb: Workbook, title: str, lines: Sequence[str]) -> Worksheet:
    """A proof of service (送达回证): its title and lines, on one A4 portrait sheet."""
    ws = wb.create_sheet("送达回证")
    sheet = _Sheet(ws, WIDTHS["result"])
    sheet.line(title, size=TITLE, bold=True, align="center", space=8)
    for line in lines:
        sheet.line(line, space=6)
    _a4(ws)
    return ws


def write_notices(texts: Sequence[NoticeText], out: Path,
                  pictures: Mapping[str, bytes] | None = None) -> Path:
    """A workbook of the given notices, one sheet each, for printing (not sealed: the record's
    workbook is the record; a notice is a letter made from it)."""
    wb = Workbook()
    default: Any = wb.active
    wb.remove(default)
    for text in texts:
        notice_sheet(wb, text, pictures=pictures)
    wb.save(out)
    return out


# -- LibreOffice ---------------------------------------------------------------------------------
def soffice() -> str:
    """LibreOffice's program, or a :class:`KitError` saying how to install it."""
    found = shutil.which("libreoffice") or shutil.which("soffice")
    if found is None:
        msg = ("未找到 LibreOffice，无法生成 PDF：请安装（Debian: apt-get install "
               "libreoffice-calc-nogui），或导出 .xlsx 后自行打印 / LibreOffice is not installed: "
               "install it, or export .xlsx and print that")
        raise KitError(msg)
    return found


def print_pdf(book: Path, out: Path) -> Path:
    """``book`` printed to ``out`` by LibreOffice, in a throwaway profile."""
    program = soffice()
    with tempfile.TemporaryDirectory(prefix="kit-soffice-") as tmp:
        work = Path(tmp)
        try:
            subprocess.run([program, f"-env:UserInstallation=file://{work / 'profile'}",
                            "--headless", "--convert-to", "pdf", "--outdir", str(work),
                            str(book)], check=True, capture_output=True, timeout=PDF_TIMEOUT_S)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            msg = f"LibreOffice 未能生成 PDF / LibreOffice could not print the record: {exc}"
            raise KitError(msg) from None
        made = work / f"{book.stem}.pdf"
        if not made.is_file():
            msg = "LibreOffice 未生成 PDF 文件 / LibreOffice wrote no PDF"
            raise KitError(msg)
        shutil.move(str(made), out)
    return out


def _book_pdf(wb: Workbook, stem: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="kit-pdf-") as tmp:
        book = Path(tmp) / f"{stem}.xlsx"
        wb.save(book)
        return print_pdf(book, Path(tmp) / f"{stem}.pdf").read_bytes()


def notice_pdf(text: NoticeText, pictures: Mapping[str, bytes]) -> bytes:
    """A notice as PDF bytes (not signed), its drawn signatures from ``pictures``."""
    wb = Workbook()
    wb.remove(wb.active)
    notice_sheet(wb, text, pictures=pictures)
    return _book_pdf(wb, text.kind)


def service_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A proof of service (送达回证) as PDF bytes (not signed)."""
    wb = Workbook()
    wb.remove(wb.active)
    service_sheet(wb, title, lines)
    return _book_pdf(wb, "service")


# -- the printed 签字确认 page --------------------------------------------------------------------
def print_signatures(ws: Any, ins: Inspection, pictures: Mapping[str, bytes]) -> int:
    """Below the 签字确认 sheet's rows, every signature drawn on the pad at a legible size
    beside the name it was drawn for, with who drew it and when; returns how many. (The
    workbook itself keeps them on its evidence sheet; this is the printout only.)"""
    drawn = [ins.attachments[k] for k in sorted(ins.attachments, key=natural_key)
             if ins.attachments[k].kind == "signature"]
    if not drawn:
        return 0
    row = ws.max_row + 2
    head = put_text(ws.cell(row, 1), "手写签名 Signatures drawn on the pad")
    head.font = Font(name=FONT, size=11, bold=True)
    width = _width(ws, 2)
    for a in drawn:
        row += 1
        who = a.target.partition("/")[2]
        role = {"company": "企业负责人", "witness": "见证人"}.get(who) or (
            f"检查人员 {ins.team[who].name}" if who in ins.team else who)
        label = put_text(ws.cell(row, 1), f"{role}：{a.signer}")
        label.font = Font(name=FONT, size=10.5)
        label.alignment = Alignment(wrap_text=True, vertical="center")
        when = a.at.strftime("%Y-%m-%d %H:%M") if a.at else ""
        note = put_text(ws.cell(row, 3), f"{a.signer} 手写于 {when}（北京时间），"
                                         f"记录人 {a.by}；证据 {_key_of(ins, a)}")
        note.font = Font(name=FONT, size=9)
        note.alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[row].height = SIGNATURE_ROW_PT
        picture = pictures.get(a.thumb_sha256) or pictures.get(a.sha256)
        if picture is not None:
            ws.add_image(signature_picture(picture, SIGNATURE_ROW_PT, min(width, 30.0)),
                         f"B{row}")
    return len(drawn)


def _key_of(ins: Inspection, attachment: Any) -> str:
    return next((k for k, a in ins.attachments.items() if a is attachment), "")


def _width(ws: Any, col: int) -> float:
    dim = ws.column_dimensions.get(get_column_letter(col))
    return float(dim.width) if dim is not None and dim.width else 8.43
