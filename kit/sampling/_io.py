"""The raw layer under :mod:`kit.sampling`: files to cell grids, cells to text and numbers,
problems collected with where they are, and typed tables back to .xlsx or .csv.

Every helper works on whole columns; the only loops run over the (capped) problems listed and,
when writing .xlsx, over the cells written (openpyxl writes cell by cell).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kit.errors import Problem
from kit.files import MAX_CSV_BYTES, extent_problems, size_problems, xlsx_problems

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

#: at most this many problems of one kind in one column are listed one by one
MAX_LISTED = 30


# -- files in ------------------------------------------------------------------------------
def read_grid(
    path: Path, sheet_names: tuple[str, ...], sheet: str | int | None, max_rows: int
) -> tuple[pd.DataFrame | None, str, list[Problem]]:
    """The raw cells, header included, as a frame whose row i is sheet row i+1."""
    file = path.name

    def fail(code: str, zh: str, en: str) -> tuple[None, str, list[Problem]]:
        return None, "", [Problem(code, zh, en, file=file)]

    if not path.is_file():
        return fail("file_not_found", f"找不到文件 {path}", f"file not found: {path}")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", *EXCEL_SUFFIXES):
        return fail(
            "unsupported_format",
            f"不支持的文件类型“{suffix}”，请用 .xlsx 或 .csv",
            f"unsupported file type {suffix!r}; use .xlsx or .csv",
        )
    if path.stat().st_size == 0:
        return fail("empty_file", "文件是空的", "the file is empty")
    limit = max_rows + 50  # room for title and blank rows; more data rows than max_rows fails
    if suffix in (".csv", ".txt"):
        too_large = size_problems(path, MAX_CSV_BYTES, "登记表 register ")
        if too_large:
            return None, "", too_large
        return _read_csv_grid(path, limit)
    refused = xlsx_problems(path) if suffix in (".xlsx", ".xlsm") else []
    if not refused and suffix in (".xlsx", ".xlsm"):
        refused = extent_problems(path, max_rows=limit)
    if refused:
        return None, "", refused
    try:
        with pd.ExcelFile(path, engine="calamine") as book:
            names = [str(n) for n in book.sheet_names]
            if sheet is None:
                wanted = {n.casefold() for n in sheet_names}
                sheet_name = next((n for n in names if n.casefold() in wanted), names[0])
            elif isinstance(sheet, int) and 0 <= sheet < len(names):
                sheet_name = names[sheet]
            elif sheet in names:
                sheet_name = str(sheet)
            else:
                return fail(
                    "unknown_sheet",
                    f"工作簿中没有工作表“{sheet}”（现有：{'、'.join(names)}）",
                    f"no sheet {sheet!r} in the workbook (sheets: {', '.join(names)})",
                )
            grid = pd.read_excel(
                book,
                sheet_name=sheet_name,
                header=None,
                dtype=object,
                keep_default_na=False,
                na_filter=False,
                nrows=limit,
            )
    except Exception as exc:  # calamine and zipfile raise their own types for broken files
        return fail("unreadable_file", f"无法读取该文件：{exc}", f"cannot read the file: {exc}")
    return grid, sheet_name, []


def _read_csv_grid(path: Path, limit: int) -> tuple[pd.DataFrame | None, str, list[Problem]]:
    file = path.name
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is no reason to switch
        if exc.start < len(head) - 3:
            encoding = "gb18030"
    first_line = head.split(b"\n", 1)[0]
    sep = max((b",", b"\t", b";"), key=first_line.count).decode()
    try:
        grid = pd.read_csv(
            path,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding=encoding,
            sep=sep,
            nrows=limit,
        )
    except pd.errors.EmptyDataError:
        return None, "", [Problem("empty_file", "文件是空的", "the file is empty", file=file)]
    except UnicodeDecodeError as exc:
        return None, "", [Problem(
            "unreadable_encoding",
            f"文件编码既不是 UTF-8 也不是 GB18030（第 {exc.start} 字节起）；请在 Excel 中"
            "另存为“CSV UTF-8（逗号分隔）”后重新上传",
            "the file is neither UTF-8 nor GB18030: save it as 'CSV UTF-8' and try again",
            file=file)]
    except (pd.errors.ParserError, ValueError) as exc:
        return (
            None,
            "",
            [
                Problem(
                    "unreadable_file",
                    f"无法解析该 CSV 文件：{exc}",
                    f"cannot parse the CSV file: {exc}",
                    file=file,
                )
            ],
        )
    return grid, "", []


def frame_from_grid(
    grid: pd.DataFrame, headers_known: set[str], file: str, sheet: str, max_rows: int
) -> tuple[pd.DataFrame, np.ndarray, dict[str, str]] | Problem:
    """Find the header row (title rows may sit above it), name the columns, drop blank rows.

    Returns the body, each row's number in the sheet, and each header's column letter.
    """
    blank = pd.DataFrame({c: is_blank(grid[c]) for c in grid.columns})
    if blank.to_numpy().all():
        return Problem(
            "empty_file", "文件中没有内容", "the file holds no cells", file=file, sheet=sheet
        )
    known = {header_key(a) for a in headers_known}
    head = grid.head(20)
    hits = np.array(
        [sum(header_key(v) in known for v in row) for row in head.itertuples(index=False)]
    )
    filled = ~blank.head(20).all(axis=1).to_numpy()
    header_at = int(hits.argmax()) if hits.max() > 0 else int(filled.argmax())
    headers = [str(v).strip() for v in grid.iloc[header_at]]
    body_blank = blank.iloc[header_at + 1 :]
    keep = [i for i, h in enumerate(headers) if h or not body_blank.iloc[:, i].all()]
    names = [headers[i] or f"未命名列{letter(i)}" for i in keep]
    nonblank = ~body_blank.iloc[:, keep].all(axis=1).to_numpy()
    body = grid.iloc[header_at + 1 :, keep].loc[nonblank]
    body.columns = pd.Index(names, dtype=object)
    rows = np.arange(header_at + 2, header_at + 2 + len(nonblank))[nonblank]
    if len(body) > max_rows:
        return Problem(
            "too_many_rows",
            f"数据行超过上限 {max_rows:,} 行，请拆分文件或提高上限",
            f"more than {max_rows:,} data rows; split the file or raise the limit",
            file=file,
            sheet=sheet,
        )
    letters = {n: letter(i) for n, i in zip(names, keep, strict=True)}
    return body.reset_index(drop=True), rows, letters



# -- problems --------------------------------------------------------------------------------
class Context:
    """Collects problems; lists at most MAX_LISTED of one kind in one column, then a count."""

    def __init__(self, file: str, sheet: str, rows: np.ndarray, letters: dict[str, str]) -> None:
        self.file, self.sheet, self.rows, self.letters = file, sheet, rows, letters
        self.problems: list[Problem] = []
        self.headers: dict[str, str] = {}  # canonical name -> the file's own header

    @property
    def errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def where(self, name: str) -> str:
        header = self.headers.get(name, name)
        letter = self.letters.get(header)
        return f"{header} ({letter})" if letter else header

    def add(self, code: str, zh: str, en: str, *, column: str = "", row: int | None = None) -> None:
        self.problems.append(
            Problem(code, zh, en, file=self.file, sheet=self.sheet, row=row, column=column)
        )

    def cells(
        self,
        code: str,
        mask: pd.Series | np.ndarray,
        name: str,
        zh: str,
        en: str,
        value: pd.Series | None = None,
        other: pd.Series | None = None,
    ) -> None:
        """One problem per flagged cell; ``{v}`` and ``{o}`` in the texts take its values.

        Texts are formatted only for the cells listed, so a clean million-row column costs one
        ``flatnonzero``.
        """
        at = np.flatnonzero(np.asarray(mask, dtype=bool))
        column = self.where(name)
        for i in at[:MAX_LISTED]:
            v = show(value.iloc[i]) if value is not None else ""
            o = show(other.iloc[i]) if other is not None else ""
            self.add(
                code, zh.format(v=v, o=o), en.format(v=v, o=o), column=column, row=int(self.rows[i])
            )
        if len(at) > MAX_LISTED:
            rest = len(at) - MAX_LISTED
            self.add(
                code,
                f"同类问题另有 {rest} 处未逐一列出",
                f"{rest} more like this not listed",
                column=column,
            )


def by_unique(col: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``func`` applied to the distinct values of ``col`` only, spread back to every row.

    pandas' ``.str`` methods call Python once per cell; a register column holds a few hundred
    distinct values in a hundred thousand cells, so this is what keeps a load fast. Missing
    cells stay missing. The result is an object Series with ``col``'s index.
    """
    codes, uniques = pd.factorize(col.to_numpy(dtype=object))
    done = func(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    values = np.append(done.to_numpy(dtype=object), np.nan)  # code -1 -> the last slot
    return pd.Series(values[codes], index=col.index, dtype=object)


def _texts(values: pd.Series) -> pd.Series:
    """Distinct cells as stripped text ("" -> missing); whole numbers lose their '.0'."""
    arr = values.to_numpy(dtype=object).copy()
    if pd.api.types.infer_dtype(arr, skipna=False) != "string":
        is_str = np.array([isinstance(v, str) for v in arr], dtype=bool)
        other = values[~is_str]
        number = pd.to_numeric(other, errors="coerce")
        whole = (number.notna() & (number % 1 == 0) & (number.abs() < 1e15)).to_numpy()
        shown = other.astype(str).str.replace(r" 00:00:00$", "", regex=True)
        shown[whole] = number[whole].astype("int64").astype(str)
        arr[~is_str] = shown.to_numpy(dtype=object)
    stripped = np.array([v.strip() for v in arr], dtype=object)
    stripped[stripped == ""] = np.nan
    return pd.Series(stripped, index=values.index, dtype=object)


def as_text(col: pd.Series) -> pd.Series:
    """Cells as stripped text (``str`` dtype), blank -> missing; 2.0 typed as text reads "2"."""
    return by_unique(col, _texts).astype("str")


def present(col: pd.Series, parsed: pd.Series) -> pd.Series:
    """Which cells hold something; only the cells that failed to parse are looked at as text."""
    if col.dtype != object and not pd.api.types.is_string_dtype(col.dtype):
        return col.notna()
    unparsed = (~parsed & col.notna()).to_numpy()
    present = parsed.copy()
    if unparsed.any():
        present[unparsed] = as_text(col[unparsed]).notna()
    return present


def numbers(col: pd.Series) -> pd.Series:
    """Numbers, with thousands separators (1,000) allowed in text; not a number -> NaN."""
    if pd.api.types.is_bool_dtype(col.dtype):
        return pd.Series(np.nan, index=col.index)
    if pd.api.types.is_numeric_dtype(col.dtype):
        value = col.astype("float64")
    else:  # text: each distinct value once (a text column would cost an exception per cell)
        value = by_unique(col, _numbers_of).astype("float64")
    return value.where(np.isfinite(value))


def _numbers_of(values: pd.Series) -> pd.Series:
    value = pd.to_numeric(values, errors="coerce").astype("float64")
    retry = (value.isna() & values.notna()).to_numpy()
    if retry.any():
        text = _texts(values[retry]).str.replace(r"(?<=\d)[,，](?=\d{3}(?:\D|$))", "",
                                                 regex=True)
        value[retry] = pd.to_numeric(text, errors="coerce").astype("float64")
    return value


def extra(col: pd.Series, numeric: bool) -> tuple[pd.Series, pd.Series | None]:
    """A column no register defines, and which of its cells are not numbers (or None).

    With ``numeric``, a column is measured data when most of its filled cells are numbers; the
    others are then reported rather than silently turning the whole column into text.
    """
    if numeric:
        value = numbers(col)
        filled = present(col, value.notna())
        n_numbers = int(value.notna().sum())
        if n_numbers and 2 * n_numbers > int(filled.sum()):
            return value, filled & value.isna()
    return as_text(col), None


def is_blank(col: pd.Series) -> pd.Series:
    """Empty or missing cells: what decides which rows and columns of a sheet hold nothing.

    A cell of spaces counts as filled here (checking would cost a Python call per cell); its
    value is stripped to missing when the column is typed, and reported there if required.
    """
    values = col.to_numpy(dtype=object)
    return pd.Series(pd.isna(values) | (values == ""), index=col.index)




def show(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def header_key(header: object) -> str:
    """Header as compared: NFKC (full-width -> half-width), case-folded, no spaces or _ -."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", str(header)).casefold())


def letter(i: int) -> str:
    """Excel column letter of 0-based column i: 0 -> A, 27 -> AB."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters



# -- files out -----------------------------------------------------------------------------
#: text that a spreadsheet would run as a formula (OWASP "CSV injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_xlsx(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """Each table on its own sheet, text always as text (never a formula), dates as dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def text_cell(sheet: Any, text: str) -> Any:
        # Text is always text: never a formula, whatever it starts with, and characters an
        # .xlsx file cannot hold are shown as U+FFFD instead of failing the whole write.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))
        cell.data_type = "s"
        return cell

    book = Workbook(write_only=True)
    for title, frame in tables.items():
        sheet = book.create_sheet(title[:31])
        sheet.append([text_cell(sheet, str(c)) for c in frame.columns])
        dates = {i for i, c in enumerate(frame.columns)
                 if pd.api.types.is_datetime64_any_dtype(frame[c].dtype)}
        for row in frame.astype(object).itertuples(index=False):
            out = []
            for i, value in enumerate(row):
                if value is pd.NaT or value is pd.NA or (
                        isinstance(value, float) and np.isnan(value)):
                    value = None
                if isinstance(value, pd.Timestamp):
                    value = value.to_pydatetime()
                if isinstance(value, str):
                    out.append(text_cell(sheet, value))
                    continue
                cell = WriteOnlyCell(sheet, value=value)
                if i in dates and value is not None:
                    cell.number_format = "yyyy-mm-dd"
                out.append(cell)
            sheet.append(out)
    book.save(path)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM (Excel reads Chinese right); text that looks like a formula gets a '."""
    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            out[c] = col.dt.strftime("%Y-%m-%d")
        elif col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            text = col.astype("str")
            risky = text.str.startswith(FORMULA_START, na=False) & \
                pd.to_numeric(text, errors="coerce").isna()
            if risky.any():
                out[c] = text.mask(risky, "'" + text)
    out.columns = ["'" + str(c) if str(c).startswith(FORMULA_START) else str(c)
                   for c in out.columns]
    out.to_csv(path, index=False, encoding="utf-8-sig")
