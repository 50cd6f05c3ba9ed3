"""The workbook's look, taken from the office's template ``templates/workbook.xlsx``.

Convention (also in ``templates/README.md`` and on the template's 说明 sheet): the template has
one sheet per output sheet, with the same name. In each,

* the last row that holds any text is the **body row** (样式行): its cells' styles (font,
  fill, border, alignment, number format) are applied, column by column, to every data row;
  its text is ignored;
* the row just above is the **header row** (表头行): its styles are applied to the column
  headers, whose words come from the kit; it is frozen and repeated on every printed page;
  group rows (the section headings of 现场检查记录) take column A's header style;
* every row above is the **title block** (抬头): copied as is, with text, styles, merged
  cells and row heights, and placeholders such as ``{企业名称}`` filled in; a merge as wide as
  the template's columns is widened to the sheet's columns;
* column widths, page setup (paper, orientation, fit to width, margins, centring), header and
  footer text (placeholders allowed, ``&P``/``&N`` page numbers) and grid-line display are
  copied; columns beyond the template's take its last column's width and styles.

Any other sheet (such as 说明) is ignored. Pictures are not carried over (openpyxl cannot).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.numbers import (
    BUILTIN_FORMATS_MAX_SIZE,
    BUILTIN_FORMATS_REVERSE,
    is_date_format,
)
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from kit.errors import KitError, NotFoundError, Problem, ValidationError
from kit.resources import shipped_dir, templates_dir
from kit.workbook._layout import cell_text, fill_placeholders
from kit.workbook._print import POINTS_PER_UNIT, char_width, lines_needed

A4 = "9"
DEFAULT_WIDTH = 12.0
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TEXT_FORMAT = "@"
QUOTE_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LINE_FACTOR = 1.45
DEFAULT_ROW_HEIGHT = 15.0  # openpyxl's sheet default when the template sets none


@dataclass(frozen=True)
class CellStyle:
    """The parts of a cell's look the writer copies from the template."""

    font: Font = field(default_factory=Font)
    fill: PatternFill = field(default_factory=PatternFill)
    border: Border = field(default_factory=Border)
    alignment: Alignment = field(default_factory=Alignment)
    number_format: str = "General"
    protection: Protection = field(default_factory=Protection)

    @classmethod
    def of(cls, cell: Any) -> CellStyle:
        """The style of a template's cell: the template's own style objects, shared by every
        cell that has them (none is ever changed: a cell that needs another size gets a copy).
        """
        try:
            wb, ids = cell.parent.parent, cell._style
            return cls(wb._fonts[ids.fontId], wb._fills[ids.fillId], wb._borders[ids.borderId],
                       wb._alignments[ids.alignmentId], cell.number_format,
                       wb._protections[ids.protectionId])
        except (AttributeError, IndexError):  # openpyxl renamed its internals: the public path
            return cls(copy.copy(cell.font), copy.copy(cell.fill), copy.copy(cell.border),
                       copy.copy(cell.alignment), cell.number_format,
                       copy.copy(cell.protection))

    def apply(self, cell: Any, ids: StyleIds | None = None) -> None:
        """Give ``cell`` this style; with ``ids`` (the workbook's), each part is looked up in
        the workbook's style tables once, not once per cell."""
        if ids is not None and ids.apply(self, cell):
            return
        cell.font, cell.fill, cell.border = self.font, self.fill, self.border
        cell.alignment, cell.protection = self.alignment, self.protection
        cell.number_format = self.number_format

    @property
    def size(self) -> float:
        return float(self.font.sz or 11)


class StyleIds:
    """The style ids of one written workbook, each template style's looked up once.

    openpyxl finds a style's id by hashing and comparing the whole font, fill, border,
    alignment and protection every time one is assigned; the template's styles are shared
    objects (:meth:`CellStyle.of`), so the id each was given in this workbook is kept by
    identity. Ids are given in the same order as assigning them one by one would, so the file
    is the same. Without openpyxl's style tables (another version) :meth:`apply` says so and
    the caller takes the public path.
    """

    _PARTS = (("_fonts", "font", "fontId"), ("_fills", "fill", "fillId"),
              ("_borders", "border", "borderId"), ("_alignments", "alignment", "alignmentId"),
              ("_protections", "protection", "protectionId"))

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self._ids: dict[int, tuple[object, int]] = {}  # id(part) -> (part, its id here)
        self._arrays: dict[int, tuple[CellStyle, StyleArray]] = {}

    def _id(self, table: str, part: object) -> int:
        hit = self._ids.get(id(part))
        if hit is not None and hit[0] is part:
            return hit[1]
        index = int(getattr(self.wb, table).add(part))
        self._ids[id(part)] = (part, index)
        return index

    def array(self, style: CellStyle) -> StyleArray | None:
        """The workbook's style array of ``style`` (a new copy), None without the tables."""
        hit = self._arrays.get(id(style))
        if hit is None or hit[0] is not style:
            try:
                array = StyleArray()
                for table, name, key in self._PARTS:
                    setattr(array, key, self._id(table, getattr(style, name)))
                fmt = style.number_format
                array.numFmtId = (BUILTIN_FORMATS_REVERSE[fmt] if fmt in BUILTIN_FORMATS_REVERSE
                                  else self.wb._number_formats.add(fmt) + BUILTIN_FORMATS_MAX_SIZE)
            except AttributeError:
                return None
            hit = (style, array)
            self._arrays[id(style)] = hit
        return StyleArray(hit[1])

    def apply(self, style: CellStyle, cell: Any) -> bool:
        """Give ``cell`` the style; False when this openpyxl has no style tables to use."""
        array = self.array(style)
        if array is None:
            return False
        cell._style = array
        return True


@dataclass(frozen=True)
class TitleCell:
    """A cell of the title block: its place, template text and style."""

    row: int
    column: int
    text: str
    style: CellStyle | None


@dataclass(frozen=True)
class SheetTemplate:
    """What one template sheet contributes to the written sheet."""

    name: str
    title_rows: int
    title_cells: tuple[TitleCell, ...]
    merges: tuple[tuple[int, int, int, int], ...]
    heights: Mapping[int, float]
    header: tuple[CellStyle, ...]
    body: tuple[CellStyle, ...]
    widths: tuple[float, ...]
    header_footer: HeaderFooter
    page: Mapping[str, Any]
    margins: PageMargins
    show_grid: bool

    @property
    def body_height(self) -> float | None:
        return self.heights.get(self.title_rows + 2)

    @property
    def header_row(self) -> int:
        return self.title_rows + 1

    @property
    def columns(self) -> int:
        return len(self.body)

    def width(self, col: int) -> float:
        return self.widths[min(col, len(self.widths) - 1)] if self.widths else DEFAULT_WIDTH

    def header_style(self, col: int) -> CellStyle:
        return self.header[min(col, len(self.header) - 1)]

    def body_style(self, col: int) -> CellStyle:
        return self.body[min(col, len(self.body) - 1)]


def default_template() -> Path:
    """The office's ``workbook.xlsx`` (``KIT_TEMPLATES_DIR``), else the shipped one."""
    office = templates_dir() / "workbook.xlsx"
    return office if office.is_file() else shipped_dir("templates") / "workbook.xlsx"


def load_template(path: Path, sheets: Sequence[str]) -> dict[str, SheetTemplate]:
    """The template's sheets by name; every sheet in ``sheets`` must be there."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        msg = f"找不到工作簿模板 {path} / workbook template not found"
        raise NotFoundError(msg) from None
    templates = _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    missing = [s for s in sheets if s not in templates]
    if missing:
        problems = [Problem("template.sheet_missing", f"模板缺少工作表“{s}”",
                            f"the template has no sheet {s!r}", file=str(path), sheet=s)
                    for s in missing]
        raise ValidationError(problems, str(path))
    return templates


@cache
def _load(path: str, _mtime: int, _size: int) -> dict[str, SheetTemplate]:
    try:
        wb = load_workbook(path, rich_text=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        msg = f"无法读取工作簿模板 {path}：{exc} / cannot read the workbook template"
        raise KitError(msg) from exc
    return {ws.title: _sheet(ws) for ws in wb.worksheets}


def _sheet(ws: Any) -> SheetTemplate:
    text_rows = [r for r in range(1, ws.max_row + 1)
                 if any(c.value not in (None, "") for c in ws[r])]
    body_row = text_rows[-1] if text_rows else 2
    header_row = max(body_row - 1, 1)
    ncols = max((c.column for c in ws[header_row] if c.has_style or c.value is not None),
                default=1)
    ncols = max(ncols, max((c.column for c in ws[body_row] if c.has_style), default=1))
    header = tuple(CellStyle.of(ws.cell(header_row, c)) for c in range(1, ncols + 1))
    body = tuple(CellStyle.of(ws.cell(body_row, c)) for c in range(1, ncols + 1))
    widths = [DEFAULT_WIDTH] * ncols
    for dim in ws.column_dimensions.values():
        if dim.width and (dim.customWidth or dim.width != 13):
            for col in range(dim.min or 1, (dim.max or dim.min or 1) + 1):
                if col <= ncols:
                    widths[col - 1] = float(dim.width)
    title_cells = []
    for r in range(1, header_row):
        for c in ws[r]:
            if type(c).__name__ == "MergedCell":
                continue
            if c.value is not None or c.has_style:
                text = "" if c.value is None else str(c.value)
                title_cells.append(TitleCell(r, c.column, text,
                                             CellStyle.of(c) if c.has_style else None))
    merges = tuple(
        (m.min_row, m.min_col, m.max_row, m.max_col)
        for m in ws.merged_cells.ranges
        if m.max_row < header_row
    )
    heights = {r: float(d.height) for r, d in ws.row_dimensions.items()
               if d.height and r <= body_row}
    setup = ws.page_setup
    page = {
        "orientation": setup.orientation or "portrait",
        "paperSize": setup.paperSize or A4,
        "fitToWidth": setup.fitToWidth if setup.fitToWidth is not None else 1,
        "fitToHeight": setup.fitToHeight if setup.fitToHeight is not None else 0,
        "fitToPage": bool(ws.sheet_properties.pageSetUpPr
                          and ws.sheet_properties.pageSetUpPr.fitToPage),
        "scale": setup.scale,
        "horizontalCentered": bool(ws.print_options.horizontalCentered),
    }
    return SheetTemplate(
        name=ws.title,
        title_rows=header_row - 1,
        title_cells=tuple(title_cells),
        merges=merges,
        heights=heights,
        header=header,
        body=body,
        widths=tuple(widths),
        header_footer=copy.deepcopy(ws.HeaderFooter),
        page=page,
        margins=copy.copy(ws.page_margins),
        show_grid=bool(ws.sheet_view.showGridLines is not False),
    )


# -- the sheet's page, before any row is written ------------------------------------------------
def setup_page(ws: Any, tpl: SheetTemplate, ncols: int, values: Mapping[str, str]) -> None:
    """Widths, page setup, header/footer, frozen panes and print titles of a write-only sheet."""
    for col in range(ncols):
        ws.column_dimensions[get_column_letter(col + 1)].width = tpl.width(col)
    page = tpl.page
    ws.page_setup.orientation = page["orientation"]
    ws.page_setup.paperSize = page["paperSize"]
    if page["fitToPage"]:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = page["fitToWidth"]
        ws.page_setup.fitToHeight = page["fitToHeight"]
    elif page["scale"]:
        ws.page_setup.scale = page["scale"]
    ws.print_options.horizontalCentered = page["horizontalCentered"]
    ws.page_margins = copy.copy(tpl.margins)
    hf = copy.deepcopy(tpl.header_footer)
    room = _line_room(page, tpl.margins)
    for part_name in ("oddHeader", "oddFooter", "evenHeader", "evenFooter",
                      "firstHeader", "firstFooter"):
        part = getattr(hf, part_name)
        sides = [getattr(part, name) for name in ("left", "center", "right")]
        for side in sides:
            if side.text:
                side.text = _header_text(fill_placeholders(side.text, values, escape_amp=True))
        _fit_header_line(sides, room)
    ws.HeaderFooter = hf
    ws.sheet_view.showGridLines = tpl.show_grid
    if tpl.body_height:
        ws.sheet_format.defaultRowHeight = tpl.body_height
        ws.sheet_format.customHeight = True
    header = tpl.header_row
    ws.freeze_panes = f"A{header + 1}"
    ws.print_title_rows = f"{header}:{header}"


# -- cells --------------------------------------------------------------------------------------
#: Excel refuses a header or footer longer than 255 characters (all three parts, with codes)
HEADER_SIDE_MAX = 70


def _header_text(text: str) -> str:
    """A header or footer part as Excel can hold it: one line, at most :data:`HEADER_SIDE_MAX`.

    A company name with a line break or of any length must never stop the export: the full name
    is in the sheets; the page header shows its start.
    """
    flat = " ".join(cell_text(text).split())
    if len(flat) <= HEADER_SIDE_MAX:
        return flat
    cut = flat[:HEADER_SIDE_MAX - 1]
    if cut.endswith("&") and not cut.endswith("&&"):  # never end inside an escaped '&'
        cut = cut[:-1]
    return cut + "…"


#: paper sizes (points, portrait) by the sheet's paperSize code; others are taken as A4
PAPER = {"9": (595.0, 842.0), "8": (842.0, 1191.0), "11": (420.0, 595.0), "1": (612.0, 792.0)}
_HEADER_CODE = re.compile(r'&&|&[PN](?:[+-]\d+)?|&\[\w+\]|&"[^"]*"|&\d{1,2}|&K[0-9A-Fa-f]{6}|&.')
#: what a header code shows, as wide as it is drawn (the rest only style the text)
_CODE_SHOWS = {"&&": "&", "&P": "999", "&N": "999", "&[Page]": "999", "&[Pages]": "999",
               "&D": "2026-01-01", "&[Date]": "2026-01-01", "&T": "00:00", "&[Time]": "00:00",
               "&A": "工作表名称", "&[Tab]": "工作表名称"}


def _line_room(page: Mapping[str, Any], margins: PageMargins) -> float:
    """The printable width of the sheet's page, in points (before any fit-to-page shrink)."""
    short, long = PAPER.get(str(page["paperSize"]), PAPER[A4])
    width = long if page["orientation"] == "landscape" else short
    return width - 72.0 * float((margins.left or 0.0) + (margins.right or 0.0))


def _header_width(text: str, size: float) -> float:
    """The printed width of a header part's text: codes drawn as what they show."""

    def shown(m: re.Match[str]) -> str:
        code = m.group(0)
        return _CODE_SHOWS.get(code, "999" if code[:2] in ("&P", "&N") else "")

    return sum(char_width(ch, size) for ch in _HEADER_CODE.sub(shown, text))


def _fit_header_line(sides: Sequence[Any], room: float) -> None:
    """Cut the widest of a header's (or footer's) left, centre and right parts, with "…",
    until they fit on one line of ``room`` points, two characters apart (the centre part is
    centred on the page, so the others share what it leaves on each side).

    Neither Excel nor LibreOffice wraps a part or keeps it from the next: a long company name
    on the right was printed over the authority's name on the left. The full name is in the
    sheets; the page header shows its start.
    """
    sizes = [float(side.size or 11) for side in sides]
    gap = 2 * max(sizes)
    while True:
        left, centre, right = (_header_width(side.text or "", size)
                               for side, size in zip(sides, sizes, strict=True))
        if centre:
            fits = max(left, right) + (gap if left or right else 0.0) <= (room - centre) / 2
        else:
            fits = left + right + (gap if left and right else 0.0) <= room
        if fits:
            return
        widest = max(range(3), key=lambda i: (left, centre, right)[i])
        text = (sides[widest].text or "").removesuffix("…")
        cut = text[:-1]
        if cut.endswith("&") and not cut.endswith("&&"):  # never end inside a code
            cut = cut[:-1]
        if len(cut) < 2:
            return  # nothing left to cut: leave it as it is
        sides[widest].text = cut + "…"


def put_text(cell: Any, text: str) -> Any:
    """Put ``text`` into ``cell`` as text, never as a formula or an error value."""
    cell.value = text
    cell.data_type = "s"
    return cell


class _ProtoCell(Cell):
    """A write-only cell whose style id is looked up once.

    openpyxl looks every written cell's style up in the workbook's style table; the writer's
    prototype cells carry one final style each, so the id is computed on first use and kept.
    """

    __slots__ = ("_style_id",)

    def __init__(self, ws: Any) -> None:
        super().__init__(ws, row=1, column=1)
        self._style_id: int | None = None

    @property
    def style_id(self) -> int:
        if self._style_id is None:
            try:
                self._style_id = int(self.parent.parent._cell_styles.add(self._style))
            except AttributeError:  # openpyxl renamed its internals: take the public path
                return int(super().style_id)
        return self._style_id


def accept_ready_cells(ws: Any) -> None:
    """Let ``ws.append`` take the writer's ready-made cells without a conversion attempt.

    openpyxl's write-only ``append`` first tries to assign each item as a value and falls back
    to treating it as a cell when that raises; with styled cells in every column that costs
    one exception per cell. Every row the writer appends is a list of cells (or None), so the
    sheet's row converter is replaced by one that only numbers them. Without the private hook
    (another openpyxl version) the public path is used, only slower.
    """
    if hasattr(ws, "_values_to_row"):
        ws._values_to_row = _number_cells


def _number_cells(cells: Sequence[Any], row_idx: int) -> Any:
    for col_idx, cell in enumerate(cells, 1):
        if cell is None:
            continue
        cell.column, cell.row = col_idx, row_idx
        yield cell


class CellMaker:
    """Styled write-only cells for one sheet, one reusable prototype per column and variant.

    openpyxl writes an appended row at once, so a column's prototype cell can carry the next
    row's value: the styles are registered once instead of once per cell.
    """

    def __init__(self, ws: Any, styles: Sequence[CellStyle], ids: StyleIds | None = None) -> None:
        self.ws = ws
        self.styles = styles
        self.ids = ids
        self._protos: dict[tuple[int, str], _ProtoCell] = {}
        self._text: list[_ProtoCell] = []

    def _proto(self, col: int, variant: str) -> _ProtoCell:
        key = (col, variant)
        cell = self._protos.get(key)
        if cell is None:
            style = self.styles[min(col, len(self.styles) - 1)]
            cell = _ProtoCell(self.ws)
            style.apply(cell, self.ids)
            general = style.number_format in ("General", "")
            if variant in ("text", "quoted") and general:
                cell.number_format = TEXT_FORMAT
            elif variant == "date" and not is_date_format(style.number_format):
                cell.number_format = DATE_FORMAT
            elif variant == "datetime" and not is_date_format(style.number_format):
                cell.number_format = DATETIME_FORMAT
            if variant == "quoted":
                cell.quotePrefix = True
            self._protos[key] = cell
        return cell

    def row(self, values: Sequence[Any], kinds: Mapping[int, str] | None = None) -> list[Cell]:
        """Cells for a whole row; ``kinds`` gives the field kind of editable columns."""
        if len(self._text) < len(values):
            self._text = [self._proto(c, "text") for c in range(len(values))]
        text, kinds = self._text, kinds or {}
        cells: list[Cell] = []
        for col, value in enumerate(values):
            if type(value) is str and not value.startswith(QUOTE_TRIGGERS):
                cell = text[col]  # the common case, inlined: plain text
                cell._value = value
                cell.data_type = "s"
            else:
                cell = self.cell(col, value, kinds.get(col, "text"))
            cells.append(cell)
        return cells

    def cell(self, col: int, value: Any, empty_kind: str = "text") -> Cell:
        """A cell for ``value`` in column ``col`` (0-based); text is always stored as text.

        Text must already be fit for a cell (``cell_text`` in ``_layout.py``): it is
        stored as is, with the text type, so it can never become a formula or an error value.
        """
        if isinstance(value, str):
            variant = "quoted" if value.startswith(QUOTE_TRIGGERS) else "text"
            cell = self._proto(col, variant)
            cell._value = value
            cell.data_type = "s"
            return cell
        if value is None:
            variant = empty_kind if empty_kind in ("date", "datetime") else "text"
        elif isinstance(value, datetime):
            variant = "datetime"
        elif isinstance(value, date):
            variant = "date"
        else:
            variant = "number"
        cell = self._proto(col, variant)
        cell.value = value
        return cell


def text_units(text: str) -> float:
    """Approximate printed width of ``text`` in character units (a CJK character is 2)."""
    if text.isascii():
        return len(text)
    n = len(text)
    return n + (len(text.encode("utf-8")) - n) / 2


class RowHeights:
    """Row heights (points) that show every wrapped line; None for a one-line row.

    Excel does not grow rows to fit wrapped text when it opens a file, so the writer sets the
    height it estimates. Lines are counted as Excel wraps them (a CJK character is two width
    units, as SimSun is twice as wide as a digit); a line is 1.45 times the font size, what
    Noto CJK (LibreOffice's fallback on Linux) needs and a little more than SimSun (1.3), so
    no app clips the last line.
    """

    def __init__(self, widths: Sequence[float], sizes: Sequence[float],
                 minimum: float | None = None) -> None:
        self.capacity = [max((w - 0.5) * 10.5 / s, 1.0) for w, s in zip(widths, sizes,
                                                                        strict=True)]
        self.sizes = list(sizes)
        self.minimum = minimum or 0.0
        self._lines: dict[tuple[int, str], float] = {}  # sampled rows repeat their words

    def __call__(self, values: Sequence[Any]) -> float | None:
        lines_needed, size_used = 1.0, 0.0
        for i, value in enumerate(values):
            if type(value) is not str or i >= len(self.capacity):
                continue
            per_line = self.capacity[i]
            if len(value) * 2 <= per_line and "\n" not in value:
                continue
            lines = self._lines.get((i, value))
            if lines is None:
                lines = sum(max(1.0, -(-text_units(p) // per_line)) for p in value.split("\n"))
                if len(self._lines) < 50_000:
                    self._lines[(i, value)] = lines
            if lines > lines_needed:
                lines_needed, size_used = lines, self.sizes[i]
        if lines_needed <= 1:
            return None
        return round(max(lines_needed * size_used * LINE_FACTOR + 6, self.minimum), 1)


#: a title-block line shrinks to at most this share of its size, never under TITLE_FLOOR points
TITLE_SHRINK = 0.75
TITLE_FLOOR = 8.0


def title_fit(text: str, width: float, size: float) -> tuple[float, int]:
    """The size (points) at which a wrapped title-block line such as the subtitle
    被检查企业…检查编号…检查日期… keeps to one line per paragraph in ``width`` column units,
    and the lines it takes at that size.

    Neither Excel nor LibreOffice grows a row to its wrapped text (a merged one least of all),
    so a subtitle one line too long for its row is drawn over the table's top edge. Half a point
    at a time, down to :data:`TITLE_SHRINK` of its size and never under :data:`TITLE_FLOOR`,
    until it fits as both lay it out (Excel's SimSun, LibreOffice's Noto CJK); a text too long
    even then keeps its size (smaller would not spare its row a line), and its row grows.

    >>> title_fit("检查日期：2026-11-19 至 2026-11-20", 92, 10.5)
    (10.5, 1)
    >>> title_fit("被检查企业：北京示例医疗科技有限公司　　检查编号：demo-2026-1119　　"
    ...           "检查日期：2026-11-19 至 2026-11-20", 92, 10.5)
    (9.0, 1)
    >>> title_fit("被检查企业：" + "很长的企业名称" * 9 + "　　检查日期：2026-11-19", 92, 10.5)
    (10.5, 2)
    """
    paragraphs = text.split("\n")

    def lines(at: float) -> int:
        per_line = max((width - 0.5) * 10.5 / at, 1.0)  # Excel, as RowHeights counts
        excel = sum(max(1, -int(-text_units(p) // per_line)) for p in paragraphs)
        return max(excel, lines_needed(text, width * POINTS_PER_UNIT, at))

    floor = max(TITLE_FLOOR, min(size, size * TITLE_SHRINK))
    candidate = size
    while candidate >= floor:
        if lines(candidate) <= len(paragraphs):
            return candidate, len(paragraphs)
        candidate -= 0.5
    return size, lines(size)


def usual_height(heights: Sequence[float], one_line: float) -> float | None:
    """The height most rows share, when it is not one line and more than half the rows have it.

    Writing it as the sheet's default row height saves a ``<row ht>`` for each of those rows,
    which matters on a sheet of ten thousand sampled records.
    """
    if len(heights) < 20:
        return None
    counts: dict[float, int] = {}
    for h in heights:
        counts[h] = counts.get(h, 0) + 1
    height, n = max(counts.items(), key=lambda kv: kv[1])
    return height if height != one_line and n * 2 > len(heights) else None
