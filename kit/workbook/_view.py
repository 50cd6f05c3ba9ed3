"""What a reader of the workbook sees, checked against what the kit writes.

A cell's value is only half of what a reader sees: a number format can show 不符合 over a cell
that holds 符合, white text vanishes, a hidden row or a zero-width column takes a finding out
of sight, an added sheet or comment or link adds words the record never had. The kit writes a
plain workbook (no comments, links, conditional formats, pictures or names of its own beyond
the print titles), so :func:`view_problems` reports anything of that kind, naming the sheet
and cell; and :func:`cell_view_problem` checks each cell's number format (one of those the
kit writes), font colour (not white, not the fill's) and size. An honest re-save by Excel or
LibreOffice changes none of these (LibreOffice's ``yyyy\\-mm\\-dd`` is the same format).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import iterparse

from openpyxl.utils import get_column_letter, range_boundaries

from kit.errors import Problem
from kit.files import active_parts

#: number formats the kit writes; an office template's own formats are added from its manifest
KIT_FORMATS = frozenset({"general", "@", "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "0", "0.00"})
MIN_FONT_PT = 6.0
MIN_ROW_PT = 3.0
MIN_COLUMN_WIDTH = 1.0
_NS = re.compile(r"^\{[^}]*\}")


def normal_format(fmt: str | None) -> str:
    """A number format as compared: case and the escapes a re-save adds do not matter."""
    return (fmt or "general").replace("\\", "").strip().lower()


def _rgb(color: Any) -> str | None:
    """A font or fill colour as RRGGBB, 'light' for a light theme colour, None for the default."""
    if color is None:
        return None
    kind = getattr(color, "type", None)
    if kind == "rgb" and isinstance(color.rgb, str):
        return color.rgb[-6:].upper()
    if kind == "theme":
        return "light" if color.theme in (0, 2) else None  # lt1, lt2: white-ish backgrounds
    if kind == "indexed":
        return "FFFFFF" if color.indexed in (1, 9) else None
    return None


def _light(rgb: str | None) -> bool:
    if rgb == "light":
        return True
    if rgb is None or len(rgb) != 6:
        return False
    red, green, blue = (int(rgb[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue > 235


def cell_view_problem(cell: Any, sheet: str, formats: frozenset[str]) -> Problem | None:
    """Why a non-empty cell does not show what it holds, or None."""
    where = f"{sheet}!{cell.coordinate}"
    fmt = normal_format(cell.number_format)
    if fmt not in formats:
        return _problem("workbook.number_format", sheet, cell,
                        f"{where} 的数字格式“{cell.number_format}”不是导出时的格式，可能使显示内容与实际"
                        "内容不同", f"{where} has a number format the kit did not write")
    font = cell.font
    size = getattr(font, "sz", None) or getattr(font, "size", None)
    colour = _rgb(getattr(font, "color", None))
    fill = cell.fill
    fill_colour = _rgb(fill.fgColor) if getattr(fill, "fill_type", None) == "solid" else None
    background_light = fill_colour is None or _light(fill_colour)
    if (size is not None and float(size) < MIN_FONT_PT) or (
            colour is not None and ((background_light and _light(colour)) or
                                    colour == fill_colour)):
        return _problem("workbook.invisible_text", sheet, cell,
                        f"{where} 的文字颜色或字号使其看不清（字号 {size}，颜色 {colour}）",
                        f"{where}: its font colour or size hides the text")
    return None


def _problem(code: str, sheet: str, cell: Any, zh: str, en: str) -> Problem:
    return Problem(code, zh, en, sheet=sheet, row=int(cell.row),
                   column=get_column_letter(int(cell.column)))


def view_problems(path: Path, wb: Any, sheets: Sequence[str],
                  kit_names: Iterable[str] = (),
                  pictures: Mapping[str, set[str]] | None = None) -> list[Problem]:
    """What the workbook adds to or hides from the sheets the kit wrote; ``pictures``: per
    sheet, the SHA-256 of each picture the kit placed there (any other is reported)."""
    out: list[Problem] = []
    active, links = active_parts(path)
    if active:
        out.append(Problem("workbook.active_content",
                           f"工作簿含有宏、嵌入对象或控件：{'、'.join(active[:5])}",
                           f"the workbook holds code or embedded objects: {', '.join(active[:5])}",
                           file=path.name))
    if links:
        out.append(Problem("workbook.external_link",
                           f"工作簿链接了其他文件：{'、'.join(links[:5])}",
                           f"the workbook links to other files: {', '.join(links[:5])}",
                           file=path.name))
    expected = set(sheets)
    for ws in wb.worksheets:
        if ws.title not in expected and ws.title != "_kit":
            out.append(Problem("workbook.sheet_added", f"导出后增加了工作表“{ws.title}”",
                               f"a sheet {ws.title!r} was added after export", sheet=ws.title))
        elif ws.title in expected and ws.sheet_state != "visible":
            out.append(Problem("workbook.sheet_hidden", f"工作表“{ws.title}”被隐藏",
                               f"the sheet {ws.title!r} was hidden", sheet=ws.title))
    allowed = set(kit_names)
    for name in list(wb.defined_names):
        if not name.startswith("_xlnm.") and name not in allowed:
            out.append(Problem("workbook.defined_name", f"导出后增加了名称定义“{name}”",
                               f"a defined name {name!r} was added after export"))
    paths = {ws.title: ws._worksheet_path for ws in wb.worksheets
             if ws.title in expected and hasattr(ws, "_worksheet_path")}
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for sheet, part in paths.items():
            out += _sheet_problems(archive, part, sheet, names, (pictures or {}).get(sheet))
    return out


def _target(part: str, target: str) -> str:
    """A relationship's target as a path in the archive."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _pictures(archive: zipfile.ZipFile, part: str, rels_text: str, names: set[str]
              ) -> list[str]:
    """The SHA-256 of every picture a sheet's drawings show."""
    found = []
    for drawing in re.findall(r'Target="([^"]*drawings/[^"]+\.xml)"', rels_text):
        d_part = _target(part, drawing)
        d_rels = f"{posixpath.dirname(d_part)}/_rels/{posixpath.basename(d_part)}.rels"
        if d_rels not in names:
            continue
        text = archive.read(d_rels).decode("utf-8", "replace")
        for media in re.findall(r'Target="([^"]+)"', text):
            m_part = _target(d_part, media)
            if m_part in names:
                found.append(hashlib.sha256(archive.read(m_part)).hexdigest())
    return found


def _sheet_problems(archive: zipfile.ZipFile, part: str, sheet: str,
                    names: set[str], allowed: set[str] | None = None) -> list[Problem]:
    out: list[Problem] = []
    rels = part.rsplit("/", 1)
    rel_part = f"{rels[0]}/_rels/{rels[1]}.rels"
    if rel_part in names:
        text = archive.read(rel_part).decode("utf-8", "replace")
        if re.search(r"/comments|/threadedComment", text):
            out.append(Problem("workbook.comment", f"工作表“{sheet}”中增加了批注",
                               f"comments were added to {sheet!r}", sheet=sheet))
        drawn = re.search(r"relationships/(drawing|image|vmlDrawing)", text) and \
            not re.search(r"/comments", text)
        if drawn and allowed is not None and not re.search(r"relationships/(image|vmlDrawing)",
                                                            text):
            strange = [h for h in _pictures(archive, part, text, names) if h not in allowed]
            if strange:
                out.append(Problem("workbook.picture_changed",
                                   f"工作表“{sheet}”中有 {len(strange)} 张图片不是导出时的证据材料"
                                   "（被替换或增加）",
                                   f"{len(strange)} picture(s) on {sheet!r} are not the evidence "
                                   "exported", sheet=sheet))
        elif drawn:
            out.append(Problem("workbook.drawing", f"工作表“{sheet}”中增加了图片或图形",
                               f"a picture or shape was added to {sheet!r}", sheet=sheet))
    with archive.open(part) as stream:
        for _event, element in iterparse(stream, events=("end",)):
            tag = _NS.sub("", element.tag)
            if tag == "row":
                height = element.get("ht")
                if element.get("hidden") in ("1", "true") or (
                        height is not None and float(height) < MIN_ROW_PT):
                    out.append(Problem("workbook.hidden_row",
                                       f"{sheet} 第 {element.get('r')} 行被隐藏或高度几乎为零",
                                       f"row {element.get('r')} of {sheet} is hidden",
                                       sheet=sheet, row=int(element.get("r") or 0)))
                element.clear()
            elif tag == "col":
                width = element.get("width")
                if element.get("hidden") in ("1", "true") or (
                        width is not None and float(width) < MIN_COLUMN_WIDTH):
                    first = get_column_letter(int(element.get("min") or 1))
                    out.append(Problem("workbook.hidden_column",
                                       f"{sheet} 的 {first} 列被隐藏或宽度几乎为零",
                                       f"column {first} of {sheet} is hidden", sheet=sheet,
                                       column=first))
            elif tag == "conditionalFormatting":
                where = element.get("sqref", "")
                out.append(Problem("workbook.conditional_format",
                                   f"{sheet} 的 {where} 增加了条件格式（可改变显示的颜色或格式）",
                                   f"conditional formatting on {sheet}!{where}", sheet=sheet))
            elif tag == "hyperlink":
                ref = element.get("ref", "")
                cells = range_boundaries(ref) if ref else (0, 0, 0, 0)
                out.append(Problem("workbook.hyperlink", f"{sheet}!{ref} 增加了超链接",
                                   f"a hyperlink on {sheet}!{ref}", sheet=sheet,
                                   row=int(cells[1] or 0) or None))
            if len(out) > 50:
                break
    return out
