"""The analysts' tables for any tool: Parquet, CSV or Excel files with the data dictionary
beside them (:func:`write_tables`, ``kit tables``), read back with their types
(:func:`read_tables`), and SQL over them with DuckDB (:func:`duckdb_views`).

* **Parquet** (one ``NAME.parquet`` a table; needs pyarrow, the ``tables`` extra) keeps every
  logical type: categoricals with their categories in order, nullable integers and booleans,
  ``string``, dates, times with their zone (Asia/Shanghai), quarters; multi-valued fields are
  lists of strings (:func:`read_tables` gives them back as tuples).
* **CSV** (one ``NAME.csv`` a table) is UTF-8 with a byte-order mark, so Excel opens Chinese
  right by a double click; dates ``2026-03-02``, times ``2026-03-02 10:40:00+08:00``,
  multi-valued fields ``；``-joined, a missing value an empty field. Its types are in
  ``dictionary.json``. A CSV is data, not a workbook: a text starting with ``=`` is written as
  it is (open ``--format xlsx`` in Excel when texts may be hostile: there a text is never a
  formula).
* **Excel** (``tables.xlsx``, a sheet a table and ``数据字典``): see :mod:`kit.frames` for what
  Excel cannot hold (no zone, ``""`` and missing alike, the row limit) and how it is handled.

Every format is written with ``dictionary.csv`` and ``dictionary.json`` (the data dictionary of
the columns written: :mod:`kit.analytics._dictionary`). Nothing is written when the output
cannot be (a file in the way, pyarrow missing): a :class:`KitError` says why.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kit.analytics._dictionary import data_dictionary, describe, dictionary_json
from kit.analytics._tables import Tables
from kit.analytics._typed import ZONE, tuples
from kit.errors import KitError
from kit.frames import JOIN, read_frames, write_frames

#: the tables of :class:`Tables`, in its order (``skipped`` is not a table)
TABLE_NAMES = tuple(f.name for f in fields(Tables) if f.name != "skipped")
FORMATS = ("parquet", "csv", "xlsx")
#: the workbook ``--format xlsx`` writes, and its dictionary sheet
WORKBOOK, DICTIONARY_SHEET = "tables.xlsx", "数据字典"
#: what to install for Parquet and DuckDB
EXTRA = "pip install 'bj-inspection-kit[tables]'"


def as_frames(tables: Tables | Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables by name (:data:`TABLE_NAMES`), from :class:`Tables` or a mapping."""
    if isinstance(tables, Tables):
        return {name: getattr(tables, name) for name in TABLE_NAMES}
    return dict(tables)


def check_format(format: str) -> None:
    """Refuse, before anything is read or written, a format that is not one of
    :data:`FORMATS` or whose package is missing (Parquet: pyarrow)."""
    if format not in FORMATS:
        msg = f"格式须为 {'、'.join(FORMATS)}，而不是 {format!r} / the format must be one of {FORMATS}"
        raise KitError(msg)
    if format == "parquet":
        _pyarrow()


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError:
        msg = (f"写 Parquet 需要 pyarrow：{EXTRA} / Parquet needs the package pyarrow: {EXTRA}")
        raise KitError(msg) from None
    return pyarrow


def arrow_table(frame: pd.DataFrame, name: str) -> Any:
    """``frame`` as a pyarrow table: multi-valued fields as ``list<string>`` (also where every
    value is ``()``, which pyarrow alone would type as a list of nulls), a categorical with no
    categories as a dictionary of strings."""
    pa = _pyarrow()
    doc = data_dictionary()[name]
    lists = [c for c in frame.columns if doc.field(str(c)).type == "list"]
    table = pa.Table.from_pandas(frame.drop(columns=lists), preserve_index=False)
    for c in lists:  # each converted once, in its place
        values = pa.array([list(v) for v in frame[c]], type=pa.list_(pa.string()))
        table = table.add_column(frame.columns.get_loc(c), pa.field(str(c), values.type),
                                 values)
    for c in frame.columns:  # a scheme with no grades: no categories, still text ones
        if isinstance(frame[c].dtype, pd.CategoricalDtype) and not len(frame[c].cat.categories):
            at = table.schema.get_field_index(str(c))
            values = pa.DictionaryArray.from_arrays(  # every value missing
                pa.nulls(len(frame), type=pa.int8()), pa.array([], type=pa.string()),
                ordered=bool(frame[c].cat.ordered))
            table = table.set_column(at, pa.field(str(c), values.type), values)
    return table


def write_tables(tables: Tables | Mapping[str, pd.DataFrame], out: str | Path,
                 format: str = "parquet") -> list[Path]:
    """Write every table to the folder ``out`` (made if need be) as ``format`` (``parquet``,
    ``csv`` or ``xlsx``), with ``dictionary.csv`` and ``dictionary.json`` beside them; return
    the files written.

    >>> import tempfile
    >>> from kit.analytics import tables_of
    >>> from kit.record import new_inspection
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in write_tables(tables_of([new_inspection()]), folder, "csv")][:2]
    ['inspections.csv', 'results.csv']
    """
    check_format(format)
    frames = as_frames(tables)
    unknown = [n for n in frames if n not in data_dictionary()]
    if unknown:
        msg = f"数据字典中没有表 {'、'.join(unknown)} / no table {unknown} in the data dictionary"
        raise KitError(msg)
    described = describe(frames)  # every column described, or refused before writing
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        msg = f"{folder} 不是文件夹 / {folder} is not a folder"
        raise KitError(msg)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if format == "parquet":
        import pyarrow.parquet as pq

        for name, frame in frames.items():
            path = folder / f"{name}.parquet"
            pq.write_table(arrow_table(frame, name), path)
            written.append(path)
    elif format == "csv":
        for name, frame in frames.items():
            path = folder / f"{name}.csv"
            _csv_ready(frame, name).to_csv(path, index=False, encoding="utf-8-sig")
            written.append(path)
    else:
        docs = data_dictionary()
        titles = {name: docs[name].zh for name in frames} | {"dictionary": DICTIONARY_SHEET}
        written.append(write_frames({**frames, "dictionary": described}, folder / WORKBOOK,
                                    titles=titles))
    path = folder / "dictionary.csv"
    described.to_csv(path, index=False, encoding="utf-8-sig")
    written.append(path)
    path = folder / "dictionary.json"
    path.write_text(json.dumps(dictionary_json(frames), ensure_ascii=False, indent=1),
                    encoding="utf-8")
    written.append(path)
    return written


def _csv_ready(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Multi-valued fields ``；``-joined; the rest as pandas writes it."""
    doc = data_dictionary()[name]
    out = frame.copy()
    for c in frame.columns:
        if doc.field(str(c)).type == "list":
            out[c] = pd.Series([JOIN.join(v) if len(v) else None for v in frame[c]],
                               index=frame.index, dtype="string")
    return out


def read_tables(folder: str | Path) -> dict[str, pd.DataFrame]:
    """The tables :func:`write_tables` wrote to ``folder`` as Parquet or Excel, by name, with
    their types (multi-valued fields as tuples). CSV holds no types: read it with the types of
    ``dictionary.json``, or write Parquet."""
    folder = Path(folder)
    if (folder / WORKBOOK).is_file():
        frames = read_frames(folder / WORKBOOK)
        frames.pop("dictionary", None)
        return frames
    paths = [folder / f"{name}.parquet" for name in data_dictionary()
             if (folder / f"{name}.parquet").is_file()]
    if not paths:
        msg = (f"{folder} 中没有 {WORKBOOK} 或 .parquet 表 / no {WORKBOOK} or .parquet tables "
               f"in {folder}")
        raise KitError(msg)
    _pyarrow()
    out = {}
    for path in paths:
        frame = pd.read_parquet(path)
        doc = data_dictionary()[path.stem]
        for c in frame.columns:
            if doc.field(str(c)).type == "list":
                frame[c] = tuples(v.tolist() if isinstance(v, np.ndarray) else v
                                  for v in frame[c])
        out[path.stem] = frame
    return out


def duckdb_views(con: Any, tables: Tables | Mapping[str, pd.DataFrame]) -> list[str]:
    """Make every table a view of the DuckDB connection ``con`` (named as the table:
    ``inspections``, ``findings``…) and return the names: SQL over the tables, in place, with
    the connection's times shown in Beijing (``SET TimeZone = 'Asia/Shanghai'``).

    Categoricals are ``ENUM``s in the guide's order (``ORDER BY section`` gives 7.1, 7.2 …
    7.10), multi-valued fields ``VARCHAR[]`` (``unnest(inspectors)``), quarters text
    (``2026Q1``), times ``TIMESTAMP WITH TIME ZONE``. Needs duckdb (the ``tables`` extra)::

        import duckdb
        con = duckdb.connect()
        duckdb_views(con, load_tables(door))
        con.sql("SELECT company, count(*) FROM findings GROUP BY company").df()
    """
    con.execute(f"SET TimeZone = '{ZONE}'")
    names = []
    for name, frame in as_frames(tables).items():
        con.register(name, sql_ready(frame, name))
        names.append(name)
    return names


def sql_ready(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` as a SQL engine reads it: multi-valued fields as lists, quarters as text."""
    doc = data_dictionary()[name]
    out = frame.copy()
    for c in frame.columns:
        if doc.field(str(c)).type == "list":
            values = np.empty(len(frame), dtype=object)
            values[:] = [list(v) for v in frame[c]]
            out[c] = values
        elif isinstance(frame[c].dtype, pd.PeriodDtype):
            out[c] = frame[c].astype("string")
    return out
