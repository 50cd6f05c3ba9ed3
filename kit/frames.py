"""Typed tables as a workbook people can read and pandas can read back exactly
(:func:`write_frames`, :func:`read_frames`): the analysts' export, the year's plan, a class.

Each table is a sheet with a bold, frozen header, an autofilter over its rows and columns
sized to their text. Codes stay text (``7.10`` is never the number 7.1), dates are dates,
multi-valued cells are joined with ``；``, and a text is never a formula whatever it starts
with. A hidden sheet ``_columns`` records each column's type and categories, so
:func:`read_frames` gives the same dtypes back (categoricals in their order, ``pd.NA``, dates,
quarters; text as ``string``; multi-valued fields as tuples of str).

What does not survive Excel, and how it comes back:

* **Empty text is missing.** A cell holds text or nothing: an empty text (``""``) and a missing
  value (``pd.NA``) are both written as an empty cell and both read back as ``pd.NA``.
* **Times have no zone in Excel.** A zone-aware column (the tables' times are in Asia/Shanghai)
  is written as its wall time in its zone (Beijing time, as an office reads it); ``_columns``
  keeps the zone and :func:`read_frames` localises the times to it again.
* **Text is ``string``** whatever it was (``object``, pandas 3's ``str``), nullable integers
  and floats (``Int64``, ``Float64``) come back as they were, ``int64`` and ``bool`` too when
  no value is missing.
* **Excel's limit of 1,048,576 rows a sheet** (:data:`MAX_ROWS`, the header one of them): a
  longer table is split across sheets ``名称``, ``名称 (2)``, ``名称 (3)`` … in order, each with
  its header, and :func:`read_frames` reads it back as one table.

The same with or without pyarrow: text stored with pyarrow (pandas 3's default when it is
installed) is written as any text, and read back as ``string`` in the storage pandas is set to;
a multi-valued column is recognised whether its values are tuples, lists or arrays, or the
column is pyarrow's ``list<…>``, and always comes back as tuples.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kit.errors import KitError

TYPES_SHEET = "_columns"
JOIN = "；"
#: Excel's rows per sheet, the header one of them (a longer table goes on over more sheets)
MAX_ROWS = 1_048_576
#: Excel's longest sheet name
MAX_TITLE = 31
_MAX_WIDTH = 60
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


_SEQUENCES = (tuple, list, np.ndarray)


def _is_list(series: pd.Series) -> bool:
    """Whether the column holds multi-valued cells (tuples, lists, arrays, pyarrow lists)."""
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype):
        return str(dtype.pyarrow_dtype).startswith(("list<", "large_list<", "fixed_size_list<"))
    return pd.api.types.is_object_dtype(dtype) and any(
        isinstance(v, _SEQUENCES) for v in series)


def _kind(series: pd.Series) -> str:
    dtype = series.dtype
    if _is_list(series):
        return "list"
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if isinstance(dtype, pd.PeriodDtype):
        return "period"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    return "text"


def _has_time(series: pd.Series) -> bool:
    """Whether a date column holds a time of day (then the cells show it)."""
    days = series.dropna()
    return bool(len(days)) and bool((days != days.dt.normalize()).any())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cells(series: pd.Series, kind: str) -> list[Any]:
    """The column's values as cells: None for missing, text for codes, datetimes for dates."""
    if kind == "date":
        if getattr(series.dtype, "tz", None) is not None:  # Excel has no zone: the wall time
            series = series.dt.tz_localize(None)
        return [None if pd.isna(v) else v.to_pydatetime() for v in series]
    if kind == "period":
        return [None if pd.isna(v) else str(v) for v in series]
    if kind == "list":
        return [JOIN.join(map(str, v)) if isinstance(v, _SEQUENCES) else None
                for v in series.tolist()]
    if kind in ("bool", "int", "float"):
        return [None if pd.isna(v) else v.item() if isinstance(v, np.generic) else v
                for v in series.astype(object)]
    return [None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
            else str(v) for v in series.astype(object)]


def part_titles(title: str, n_rows: int) -> list[str]:
    """The sheets a table of ``n_rows`` rows is written on: ``title`` (at most
    :data:`MAX_TITLE` characters), then ``title (2)``, ``title (3)`` … while rows remain
    (:data:`MAX_ROWS` a sheet, the header one of them)."""
    per_sheet = MAX_ROWS - 1
    parts = max(1, -(-n_rows // per_sheet))
    out = [title[:MAX_TITLE]]
    for k in range(2, parts + 1):
        suffix = f" ({k})"
        out.append(title[:MAX_TITLE - len(suffix)] + suffix)
    return out


def write_frames(frames: Mapping[str, pd.DataFrame], path: str | Path, *,
                 titles: Mapping[str, str] | None = None) -> Path:
    """Write each frame on its own formatted sheet (``titles[name]``, default the name); a
    frame longer than a sheet holds goes on over more (:func:`part_titles`)."""
    from openpyxl import Workbook

    path = Path(path)
    book = Workbook(write_only=True)
    types: list[list[str]] = [["sheet", "table", "column", "kind", "categories", "dtype"]]
    for name, frame in frames.items():
        kinds = [_kind(frame[c]) for c in frame.columns]
        columns = [_cells(frame[c], k) for c, k in zip(frame.columns, kinds, strict=True)]
        per_sheet = MAX_ROWS - 1
        for k, title in enumerate(part_titles((titles or {}).get(name, name), len(frame))):
            for c, kind in zip(frame.columns, kinds, strict=True):
                cats = {"categories": list(map(str, frame[c].cat.categories)),
                        "ordered": bool(frame[c].cat.ordered)} if kind == "category" else {}
                types.append([title, name, str(c), kind, json.dumps(cats, ensure_ascii=False),
                              str(frame[c].dtype)])
            rows = slice(k * per_sheet, (k + 1) * per_sheet)
            _write_sheet(book, title, frame, kinds, [column[rows] for column in columns])
    hidden = book.create_sheet(TYPES_SHEET)
    hidden.sheet_state = "hidden"
    for line in types:
        hidden.append(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _write_sheet(book: Any, title: str, frame: pd.DataFrame, kinds: list[str],
                 columns: list[list[Any]]) -> None:
    """One sheet: the header (bold, frozen, filtered), widths to the text, then the cells."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    sheet = book.create_sheet(title)
    n_rows = len(columns[0]) if columns else 0
    for k, (column, values) in enumerate(zip(frame.columns, columns, strict=True)):
        seen = [_width(str(v)) for v in values[:500] if v is not None]
        if kinds[k] == "date":
            seen = [16 if _has_time(frame[column]) else 10]
        width = min(_MAX_WIDTH, max([_width(str(column)) + 3, *seen]) + 2)
        sheet.column_dimensions[get_column_letter(k + 1)].width = width
    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = (f"A1:{get_column_letter(len(frame.columns))}"
                                 f"{max(n_rows + 1, 2)}")
    header = []
    for c in frame.columns:
        cell = WriteOnlyCell(sheet, value=_ILLEGAL.sub("\ufffd", str(c)))
        cell.data_type, cell.font = "s", bold
        cell.alignment = Alignment(vertical="top")
        header.append(cell)
    sheet.append(header)
    dates = [k for k, kind in enumerate(kinds) if kind == "date"]
    shown = {k: "yyyy-mm-dd hh:mm" if _has_time(frame.iloc[:, k]) else "yyyy-mm-dd"
             for k in dates}
    for row in zip(*columns, strict=True) if columns else ():
        out: list[Any] = list(row)
        for k, value in enumerate(out):
            if isinstance(value, str) and (value.startswith("=") or _ILLEGAL.search(value)):
                cell = WriteOnlyCell(sheet, value=_ILLEGAL.sub("\ufffd", value))
                cell.data_type = "s"  # text, never a formula
                out[k] = cell
        for k in dates:
            if out[k] is not None:
                cell = WriteOnlyCell(sheet, value=out[k])
                cell.number_format = shown[k]
                out[k] = cell
        sheet.append(out)


def read_frames(path: str | Path) -> dict[str, pd.DataFrame]:
    """The frames of a workbook :func:`write_frames` wrote, by table name, with their types.

    A workbook without the ``_columns`` sheet (not written by the kit, or re-saved without
    it) is refused with a :class:`KitError` saying so; a cell that does not fit its column's
    type names the sheet, row and column.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        msg = f"无法读取 {path.name}：{exc} / cannot read {path.name}: {exc}"
        raise KitError(msg) from None
    try:
        if TYPES_SHEET not in book.sheetnames:
            msg = (f"{path.name} 不是本工具导出的分析工作簿（缺少 {TYPES_SHEET} 表）/ {path.name} "
                   f"is not an analytics export of the kit (no {TYPES_SHEET} sheet)")
            raise KitError(msg)
        spec: dict[str, list[tuple[str, str, dict[str, Any], str, str]]] = {}
        for row in list(book[TYPES_SHEET].iter_rows(values_only=True))[1:]:
            title, name, column, kind, cats, dtype = (str(v) if v is not None else ""
                                                      for v in (*row[:6], None)[:6])
            spec.setdefault(title, []).append((column, kind, json.loads(cats or "{}"), name,
                                               dtype))
        parts: dict[str, list[pd.DataFrame]] = {}
        for title, columns in spec.items():
            grid = book[title].iter_rows(values_only=True)
            next(grid, None)  # the header
            body = list(grid)
            frame = {}
            for k, (column, kind, about, _name, dtype) in enumerate(columns):
                values = [r[k] if k < len(r) else None for r in body]
                frame[column] = _typed(values, kind, about, f"{path.name}, {title}", column,
                                       dtype)
            parts.setdefault(columns[0][3] if columns else title, []).append(
                pd.DataFrame(frame))
        out = {name: frames[0] if len(frames) == 1 else
               pd.concat(frames, ignore_index=True) for name, frames in parts.items()}
        return out
    finally:
        book.close()


def _typed(values: list[Any], kind: str, spec: dict[str, Any], where: str, column: str,
           dtype: str) -> Any:
    if kind == "category":
        cats = spec.get("categories", [])
        bad = [(i, v) for i, v in enumerate(values) if v is not None and str(v) not in cats]
        if bad:
            i, v = bad[0]
            msg = (f"{where}，第 {i + 2} 行，{column} 列：{v!r} 不是可选值 / row {i + 2}, "
                   f"column {column}: {v!r} is not one of its categories")
            raise KitError(msg)
        return pd.Categorical([None if v is None else str(v) for v in values],
                              categories=cats, ordered=bool(spec.get("ordered")))
    if kind == "date":
        days = pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[us]")
        zone = dtype.partition(", ")[2].removesuffix("]")  # datetime64[us, Asia/Shanghai]
        return days.dt.tz_localize(zone) if zone else days
    if kind == "period":
        freq = dtype.removeprefix("period[").removesuffix("]") or "Q-DEC"
        return pd.PeriodIndex([None if v is None else str(v) for v in values],
                              freq=freq).array
    if kind == "list":
        vals = np.empty(len(values), dtype=object)
        vals[:] = [tuple(str(v).split(JOIN)) if v not in (None, "") else () for v in values]
        return vals
    if kind in ("bool", "int"):
        nullable = "boolean" if kind == "bool" else "Int64"
        typed: Any = pd.array(values, dtype=nullable)  # type: ignore[call-overload]
        return typed.astype(dtype) if dtype in ("bool", "int64") and not typed.isna().any() \
            else typed
    if kind == "float":
        floats = [np.nan if v is None else float(v) for v in values]
        return pd.array(floats, dtype="Float64" if dtype == "Float64" else "float64")
    return pd.array([None if v is None else str(v) for v in values], dtype="string")
