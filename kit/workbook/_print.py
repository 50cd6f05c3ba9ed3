"""Row heights for printing through LibreOffice, which draws each row at the height the file
gives and never fits a row to its wrapped text on its own.

The workbook's own heights (:class:`kit.workbook._style.RowHeights`) are generous, so that no
spreadsheet app clips a line; on paper that is pages of white. For the PDF, each row is sized
to the lines LibreOffice will draw: its CJK fallback font (Noto Sans CJK) sets a line at 1.45
times the size, a CJK character one em wide, a Latin letter or digit about 0.53 em (0.56 is counted); a
column unit is 5.5 points with Calibri's metrics (Carlito, which CI installs; without it
LibreOffice falls back to a wider font and shrinks every page to fit). Lines are counted by
filling each line as LibreOffice does (CJK breaks anywhere, a run of Latin letters and digits
does not), a quarter of a character short of the width.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

from openpyxl.utils import get_column_letter

POINTS_PER_UNIT = 5.5
LINE = 1.45
PADDING = 3.0  # above and below a row's lines
MARGIN = 1.5  # left and right of a cell's text
_RUN = re.compile(r"[A-Za-z0-9._/%+-]+|.", re.S)


def char_width(ch: str, size: float) -> float:
    """The width (points) LibreOffice gives ``ch`` at ``size`` points."""
    wide = unicodedata.east_asian_width(ch) in ("W", "F", "A") and not ch.isascii()
    return size if wide else 0.56 * size


def lines_needed(text: str, width_pt: float, size: float) -> int:
    """How many lines ``text`` takes in a column ``width_pt`` wide at ``size`` points."""
    room = max(width_pt - 0.25 * size - 2 * MARGIN, size)  # margins, a quarter character
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0.0
        for token in _RUN.findall(paragraph):
            w = sum(char_width(c, size) for c in token)
            if used + w > room and used > 0:
                lines, used = lines + 1, 0.0
                while w > room:  # a run longer than the line breaks where it must
                    lines, w = lines + 1, w - room
            used += w
        total += lines
    return total


def fit_rows_for_print(ws: Any) -> None:
    """Give each table row of ``ws`` the height its wrapped text takes on paper (the repeated
    header row only grows, the rows below take exactly that; rows with merged cells or a
    picture keep theirs), after widening any column too narrow for its dates."""
    if not ws.print_title_rows:
        return
    top = int(ws.print_title_rows.split(":")[-1].lstrip("$"))
    widen_for_dates(ws, top)
    merged = {r for rng in ws.merged_cells.ranges for r in range(rng.min_row, rng.max_row + 1)}
    # a row holding a picture keeps the height made for it
    merged |= {int(img.anchor._from.row) + 1 for img in getattr(ws, "_images", ())
               if hasattr(img.anchor, "_from")}
    widths: dict[int, float] = {}
    for row in ws.iter_rows(min_row=top):
        r = row[0].row
        if r in merged:
            continue
        tallest = 0.0
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value:
                continue
            col = cell.column
            if col not in widths:
                widths[col] = _column_width(ws, col)
            size = float(cell.font.sz or 11)
            n = lines_needed(cell.value, widths[col] * POINTS_PER_UNIT, size) \
                if cell.alignment.wrap_text else 1
            tallest = max(tallest, n * size * LINE + PADDING)
        if r == top:  # the header row keeps the template's height unless its words need more
            tallest = max(tallest, ws.row_dimensions[r].height or 0.0)
        if tallest:
            ws.row_dimensions[r].height = round(tallest, 1)


def _column_width(ws: Any, col: int) -> float:
    dim = ws.column_dimensions.get(get_column_letter(col))
    return float(dim.width) if dim is not None and dim.width else 8.43


def widen_for_dates(ws: Any, top: int) -> None:
    """Widen each column below row ``top`` whose dates LibreOffice cannot draw in full.

    A date never wraps: in a column a little too narrow for it LibreOffice prints "###" (the
    deadlines of 问题与整改 and the dates of 整改跟踪 were all "###" on paper). Its digits are
    counted as :func:`lines_needed` counts them, with a character to spare.
    """
    need: dict[int, float] = {}
    for row in ws.iter_rows(min_row=top + 1):
        for cell in row:
            if not isinstance(cell.value, date | datetime) or not cell.is_date:
                continue
            fmt = cell.number_format.lower()
            text = "2026-12-31 23:59" if "h" in fmt else "2026-12-31"
            size = float(cell.font.sz or 11)
            points = sum(char_width(c, size) for c in text) + 0.81 * size + 2 * MARGIN
            need[cell.column] = max(need.get(cell.column, 0.0), points / POINTS_PER_UNIT)
    for col, units in need.items():
        if units > _column_width(ws, col):
            ws.column_dimensions[get_column_letter(col)].width = round(units + 0.05, 1)
