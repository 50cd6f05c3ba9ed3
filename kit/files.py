"""Limits on every file the kit reads, checked before any parser sees the file.

An .xlsx is a zip archive: a 4 MB file can inflate to gigabytes. Before a workbook or a
register is parsed, its archive directory is read (cheap, whatever the file's size) and the
file is refused when a member would inflate past :data:`MAX_MEMBER_BYTES`, the whole past
:data:`MAX_XLSX_BYTES`, or a member's ratio of inflated to stored size is past
:data:`MAX_RATIO` (real sheets compress 5-30 times; a bomb, hundreds). Parts a workbook of
records never needs (macros, embedded OLE objects, ActiveX controls, links to other files)
are found here too. Text files (CSV, JSON) are limited by size.

>>> import io, zipfile
>>> buffer = io.BytesIO()
>>> with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
...     z.writestr("xl/worksheets/sheet1.xml", "<x/>" * 10_000_000)
>>> [p.code for p in xlsx_problems(buffer.getvalue(), "bomb.xlsx")]
['file_bomb']
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path
from typing import Final

from kit.errors import Problem

__all__ = [
    "ACTIVE_PARTS",
    "LINK_PARTS",
    "MAX_CSV_BYTES",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "MAX_SHEET_CELLS",
    "MAX_SHEET_COLUMNS",
    "MAX_SHEET_ROWS",
    "MAX_XLSX_BYTES",
    "active_parts",
    "extent_problems",
    "mib",
    "size_problems",
    "xlsx_problems",
]

#: the whole archive, inflated
MAX_XLSX_BYTES: Final = 1536 * 2**20
#: one member (a sheet's XML), inflated
MAX_MEMBER_BYTES: Final = 1024 * 2**20
#: inflated / stored, for members larger than 1 MiB inflated
MAX_RATIO: Final = 150
#: a CSV register
MAX_CSV_BYTES: Final = 2048 * 2**20
#: the rows and columns a sheet may reach (a cell at XFD1048576 would make a reader allocate
#: the whole grid up to it)
MAX_SHEET_ROWS: Final = 5_000_100
MAX_SHEET_COLUMNS: Final = 1000
#: rows x columns up to the last cell (what a reader of the whole sheet allocates)
MAX_SHEET_CELLS: Final = 30_000_000

#: parts that run code or embed other programs' objects
ACTIVE_PARTS: Final = re.compile(
    r"(vbaProject\.bin|/embeddings/|/activeX/|oleObject|\.bin$|/ctrlProps/|customUI)", re.I)
#: parts that link to other files
LINK_PARTS: Final = re.compile(r"/externalLinks/", re.I)


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def size_problems(path: Path, limit: int, what: str) -> list[Problem]:
    """A text file over ``limit`` bytes, refused before it is read."""
    size = path.stat().st_size
    if size <= limit:
        return []
    return [Problem("file_too_large",
                    f"{what}文件 {mib(size)}，超过上限 {mib(limit)}（请拆分后再读）",
                    f"the {what} is {mib(size)}, over the {mib(limit)} limit; split it",
                    file=path.name)]


def xlsx_problems(source: Path | bytes, name: str = "") -> list[Problem]:
    """Why an .xlsx must not be parsed (not a zip, a zip bomb, too large), or an empty list.

    Only the archive's directory is read, so a refusal takes milliseconds.
    """
    file = name or (source.name if isinstance(source, Path) else "")
    try:
        archive = zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [Problem("unreadable_file", f"不是有效的 .xlsx 文件（{exc}）",
                        f"not a valid .xlsx file ({exc})", file=file)]
    with archive:
        members = archive.infolist()
    total = sum(m.file_size for m in members)
    out: list[Problem] = []
    worst = max(members, key=lambda m: m.file_size, default=None)
    ratios = [(m.file_size / max(m.compress_size, 1), m) for m in members
              if m.file_size > 2**20]
    bomb = max(ratios, key=lambda r: r[0], default=None)
    if total > MAX_XLSX_BYTES or (worst is not None and worst.file_size > MAX_MEMBER_BYTES) \
            or (bomb is not None and bomb[0] > MAX_RATIO):
        member = bomb[1] if bomb is not None and bomb[0] > MAX_RATIO else worst
        ratio = f"{bomb[0]:.0f}" if bomb is not None else "-"
        out.append(Problem(
            "file_bomb",
            f"工作簿解压后达 {mib(total)}（{member.filename if member else ''} 压缩比 {ratio}:1），"
            f"超过上限（共 {mib(MAX_XLSX_BYTES)}、单个部件 {mib(MAX_MEMBER_BYTES)}、压缩比 "
            f"{MAX_RATIO}:1），未读取",
            f"the workbook inflates to {mib(total)} (ratio {ratio}:1), over the limits "
            f"({mib(MAX_XLSX_BYTES)} in all, {mib(MAX_MEMBER_BYTES)} a part, {MAX_RATIO}:1); "
            "not read", file=file))
    return out


#: a reference worth a closer look: two or three column letters, or a row of seven digits
_SUSPECT = re.compile(rb'r="(?:[A-Z]{2}|[A-Z]?\d{7})')
_REF = re.compile(rb'r="([A-Z]{0,3})(\d+)"')
_ROW = re.compile(rb'<(?:\w+:)?row r="(\d+)"')
_CHUNK = 1 << 22
_ONE_LETTER = 26


def extent_problems(source: Path | bytes, name: str = "", *, max_rows: int = MAX_SHEET_ROWS,
                    max_columns: int = MAX_SHEET_COLUMNS,
                    max_cells: int = MAX_SHEET_CELLS) -> list[Problem]:
    """A sheet whose cells reach past ``max_rows`` rows, ``max_columns`` columns or
    ``max_cells`` cells in all, found by streaming its XML (never the grid): a reader would
    otherwise allocate every cell up to the last one, however few the file holds.

    Each chunk is scanned once for references that could be large (two or more letters, seven
    digits); only a chunk that holds one is read reference by reference.
    """
    file = name or (source.name if isinstance(source, Path) else "")
    try:
        archive = zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source))
    except (zipfile.BadZipFile, OSError, ValueError):
        return []
    out: list[Problem] = []
    with archive:
        for info in archive.infolist():
            if not re.match(r"xl/worksheets/[^/]+\.xml$", info.filename):
                continue
            widest = deepest = 0
            tail = b""
            try:
                with archive.open(info) as stream:
                    while chunk := stream.read(_CHUNK):
                        text = tail + chunk
                        tail = chunk[-32:]
                        rows = _ROW.findall(text[-65536:])
                        if rows:
                            deepest = max(deepest, int(rows[-1]))
                        if not _SUSPECT.search(text):
                            widest = max(widest, 1)
                            continue
                        for letters, digits in _REF.findall(text):
                            widest = max(widest, _column_rank(letters))
                            deepest = max(deepest, int(digits))
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                out.append(Problem("unreadable_file", f"工作簿已损坏（{info.filename}：{exc}）",
                                   f"the workbook is damaged ({info.filename}: {exc})",
                                   file=file))
                continue
            widest = max(widest, _ONE_LETTER) if widest == 1 else widest
            if widest > max_columns or deepest > max_rows or widest * deepest > max_cells:
                code = "too_many_columns" if widest > max_columns else "too_many_rows"
                out.append(Problem(
                    code,
                    f"工作表的单元格延伸到第 {widest} 列、第 {deepest:,} 行，超过上限（{max_columns} "
                    f"列、{max_rows:,} 行、共 {max_cells:,} 格），未读取",
                    f"a sheet reaches column {widest} and row {deepest:,}, past the limit of "
                    f"{max_columns} columns, {max_rows:,} rows, {max_cells:,} cells; not read",
                    file=file))
    return out


def _column_rank(letters: bytes) -> int:
    rank = 0
    for ch in letters:
        rank = rank * 26 + ch - 64
    return rank


def active_parts(source: Path | bytes) -> tuple[list[str], list[str]]:
    """The parts of an .xlsx that run or embed code, and those that link to other files."""
    try:
        archive = zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source))
    except (zipfile.BadZipFile, OSError, ValueError):
        return [], []
    with archive:
        names = archive.namelist()
    return ([n for n in names if ACTIVE_PARTS.search(n)],
            [n for n in names if LINK_PARTS.search(n)])
