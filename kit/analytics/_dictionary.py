"""The data dictionary (数据字典): every column of every table and analysis, described.

The content is ``kit/analytics/dictionary.yaml`` (one home for what each column means); this
module reads it into frozen :class:`Field` and :class:`TableDoc`, and gives it as a table
(:func:`describe`, the export's 数据字典 sheet and ``dictionary.csv``), as a Frictionless-style
Table Schema (:func:`dictionary_json`, ``dictionary.json``) and as the Markdown of
``docs/data-dictionary.md`` (:func:`dictionary_markdown`). Each column has its Chinese and
English names, its logical type, a unit where one applies, its source in the record (a path
such as ``findings/*/deadline``) and the guide's clause where there is one.

>>> data_dictionary()["findings"].key
'finding_key'
>>> data_dictionary()["findings"].field("due").unit is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from kit.errors import KitError

DICTIONARY_FILE = Path(__file__).with_name("dictionary.yaml")
#: the logical types a column may have (what an analyst reads it as, whatever pandas stores)
LOGICAL_TYPES = ("text", "category", "integer", "float", "boolean", "date", "datetime",
                 "period", "list")
#: a column name standing for every other column of a table (the sampled records' own)
ANY = "*"
#: the columns of :func:`describe`
DESCRIBE_COLUMNS = ("table", "table_zh", "column", "zh", "en", "type", "unit", "source",
                    "clause", "key")
_FIELDS = ("zh", "en", "type", "unit", "source", "clause")


@dataclass(frozen=True)
class Field:
    """One column: its names, logical type, unit, source in the record and clause."""

    name: str
    zh: str
    en: str
    type: str
    source: str
    unit: str | None = None
    clause: str | None = None


@dataclass(frozen=True)
class TableDoc:
    """One table: its names, its key (a column, or columns joined by ``, ``) and columns."""

    name: str
    zh: str
    en: str
    key: str
    fields: tuple[Field, ...]

    def field(self, column: str) -> Field:
        """The column's description (a sampled record's own column: the ``*`` one)."""
        for f in self.fields:
            if f.name == column:
                return f
        wild = [f for f in self.fields if f.name == ANY]
        if wild:
            return Field(column, *(getattr(wild[0], k) for k in
                                   ("zh", "en", "type", "source", "unit", "clause")))
        msg = (f"数据字典中没有 {self.name}.{column} / the data dictionary does not describe "
               f"{self.name}.{column}")
        raise KitError(msg)


@cache
def _document() -> dict[str, Any]:
    where = DICTIONARY_FILE.name
    try:
        data = yaml.safe_load(DICTIONARY_FILE.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        msg = f"{where}：不是有效的 YAML / not valid YAML: {exc}"
        raise KitError(msg) from None
    if not isinstance(data, dict) or data.get("format_version") != 1:
        msg = f"{where}：须为 format_version 1 / must be format_version 1"
        raise KitError(msg)
    return data


@cache
def data_dictionary() -> dict[str, TableDoc]:
    """Every table's description, by table name, in the dictionary's order."""
    where = DICTIONARY_FILE.name
    data = _document()
    shared = data.get("shared") or {}
    out = {}
    for name, table in (data.get("tables") or {}).items():
        columns = []
        for column, own in (table.get("columns") or {}).items():
            spec = {**shared.get(column, {}), **(own or {})}
            unknown = set(spec) - set(_FIELDS)
            missing = [k for k in ("zh", "en", "type", "source") if not spec.get(k)]
            if unknown or missing or spec.get("type") not in LOGICAL_TYPES:
                msg = (f"{where}，tables/{name}/columns/{column}：须有 zh、en、type（{'、'.join(LOGICAL_TYPES)}）"
                       f"和 source / needs zh, en, a logical type and a source"
                       f"{'; unknown: ' + ', '.join(sorted(unknown)) if unknown else ''}")
                raise KitError(msg)
            text = {k: str(v) for k, v in spec.items() if v is not None}
            columns.append(Field(str(column), text["zh"], text["en"], text["type"],
                                 text["source"], text.get("unit"), text.get("clause")))
        out[str(name)] = TableDoc(str(name), str(table["zh"]), str(table["en"]),
                                  str(table["key"]), tuple(columns))
    return out


def dictionary_zone() -> str:
    """The zone of every time in the tables (``Asia/Shanghai``), as the dictionary states."""
    return str(_document()["zone"])


def describe(frames: Mapping[str, pd.DataFrame] | None = None, *,
             tables: Iterable[str] | None = None) -> pd.DataFrame:
    """The dictionary as a table, one row per column (:data:`DESCRIBE_COLUMNS`).

    With ``frames`` (tables by name), the columns each frame really has, in its order (a
    sampled record's own columns each named); else every column the dictionary lists.
    ``tables`` keeps only those tables. A table or column the dictionary does not describe is
    a :class:`KitError` naming it.
    """
    docs = data_dictionary()
    names = list(tables) if tables is not None else list(frames or docs)
    rows = []
    for name in names:
        if name not in docs:
            msg = (f"数据字典中没有表 {name}（可选：{'、'.join(docs)}） / no table {name!r} in the "
                   f"data dictionary")
            raise KitError(msg)
        doc = docs[name]
        keys = {k.strip() for k in doc.key.split(",")}
        columns = list(frames[name].columns) if frames is not None and name in frames else \
            [f.name for f in doc.fields]
        for column in columns:
            f = doc.field(str(column))
            rows.append({"table": name, "table_zh": doc.zh, "column": f.name, "zh": f.zh,
                         "en": f.en, "type": f.type, "unit": f.unit, "source": f.source,
                         "clause": f.clause, "key": f.name in keys})
    frame = pd.DataFrame(rows, columns=list(DESCRIBE_COLUMNS))
    text = [c for c in DESCRIBE_COLUMNS if c != "key"]
    return frame.astype(dict.fromkeys(text, "string") | {"key": bool})


def dictionary_json(frames: Mapping[str, pd.DataFrame] | None = None) -> dict[str, Any]:
    """The dictionary in the shape of Frictionless Data's Table Schema: per table its
    ``fields`` (name, title, description, type, unit, source, clause; ``categories`` of a
    categorical column when ``frames`` are given) and its ``primaryKey``."""
    described = describe(frames)
    docs = data_dictionary()
    out: dict[str, Any] = {"format_version": 1, "zone": dictionary_zone(), "tables": {}}
    for name, rows in described.groupby("table", sort=False):
        doc = docs[str(name)]
        fields_ = []
        for row in rows.itertuples(index=False):
            entry: dict[str, Any] = {"name": row.column, "title": row.zh,
                                     "description": row.en, "type": row.type}
            for k in ("unit", "source", "clause"):
                value = getattr(row, k)
                if not pd.isna(value):
                    entry[k] = value
            if row.type == "datetime":
                entry["zone"] = dictionary_zone()
            if frames is not None and isinstance(frames[str(name)][row.column].dtype,
                                                 pd.CategoricalDtype):
                cats = frames[str(name)][row.column].cat
                entry["categories"] = [str(c) for c in cats.categories]
                entry["ordered"] = bool(cats.ordered)
            fields_.append(entry)
        out["tables"][str(name)] = {"title": doc.zh, "description": doc.en,
                                    "primaryKey": [k.strip() for k in doc.key.split(",")],
                                    "fields": fields_}
    return out


def dictionary_markdown() -> str:
    """``docs/data-dictionary.md``: every table and its columns, as Markdown."""
    zone = dictionary_zone()
    lines = [
        "# 数据字典 / Data dictionary",
        "",
        "<!-- generated by `kit tables --describe --markdown` from "
        "kit/analytics/dictionary.yaml: do not edit by hand -->",
        "",
        "分析数据表（`kit tables` 导出）和分析结果（Excel 导出）的每一列：中英文名称、逻辑类型、单位、"
        "在检查记录中的来源（`*` 代表每个条目的键；“计算”为工具推导）和指南条款。时间带时区"
        f"（{zone}，北京时间）；Excel 无时区，导出为北京时间，`read_export` 读回时重新加上时区。",
        "",
        "Every column of every table `kit.analytics.load_tables` gives (and `kit tables` "
        "writes) and of every analysis the Excel export holds: its names, logical type, unit, "
        "source in the record (`*` stands for each entry's key; 计算 computed: what the kit "
        "derives) and the guide's clause.",
        "",
        f"Times (`datetime`) are zone-aware in {zone} (Beijing time); Excel has no zone, so the "
        "export holds Beijing wall time and `read_export` localises it again. Dates (`date`) "
        "are days, without a zone. In Excel and CSV an empty text and a missing value are the "
        "same empty cell, read back as missing (`pd.NA`). Multi-valued columns (`list`) are "
        "tuples of text in pandas, lists of text in Parquet and DuckDB, `；`-joined in Excel "
        "and CSV.",
        "",
    ]
    for doc in data_dictionary().values():
        lines += [f"## {doc.zh} / `{doc.name}`", "", f"{doc.en}. Key: `{doc.key}`.", "",
                  "| column | 中文 | English | type | unit | source | clause |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for f in doc.fields:
            cells = [f"`{f.name}`", f.zh, f.en, f.type, f.unit or "", f"`{f.source}`",
                     f.clause or ""]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)

