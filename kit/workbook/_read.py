"""Reading a workbook filled in by hand back into changes to the record.

A cell counts as edited when it no longer shows what the workbook showed at export (rendered
again from the embedded record). Only edited cells are parsed, so the record's own spelling of
an untouched value never matters. Each edited cell is read by the kind of its field (a result
word, a date in a common Chinese form, 是/否, a list of means...) and every bad cell is
reported with its sheet and cell before anything is returned.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from kit.dates import parse_date, parse_datetime
from kit.errors import InputError, Problem, ValidationError
from kit.files import active_parts
from kit.guide import load_guide
from kit.labels import FINDING_STATES, RESULTS, REVIEW_MODES
from kit.record import (
    Extension,
    Finding,
    Inspection,
    ItemResult,
    from_doc,
    natural_key,
    next_key,
    to_data,
    to_doc,
)
from kit.workbook._frozen import round_edits, trail_edits
from kit.workbook._handling import row_key
from kit.workbook._layout import (
    AUDIT,
    EXTENSIONS,
    FINDINGS,
    FOLLOW_UP,
    NO,
    OUTCOMES,
    RECORD,
    ROUNDS,
    SIGNATURES,
    TRACKING,
    YES,
    Change,
    Column,
    Field,
    Lookups,
    Row,
    SheetLayout,
)
from kit.workbook._seal import (
    FORMAT,
    check_embedded,
    embedded_state,
    open_workbook,
    read_cells,
    read_embedded,
    same_value,
    show,
    signing_key,
)
from kit.workbook._sheets import render

EDITABLE_SHEETS = (RECORD, FINDINGS, SIGNATURES, TRACKING, OUTCOMES, EXTENSIONS, FOLLOW_UP)
LIST_KINDS = ("means", "members")
_MISSING = object()


# -- one cell -----------------------------------------------------------------------------------
class CellError(InputError):
    """A cell's content cannot be read as its field's kind."""


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


_SPLIT_RE = re.compile(r"[、,，;；/\s]+")
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "✘", "不"}


def parse_bool(raw: Any) -> bool:
    if raw is None or raw == "":
        return False
    if isinstance(raw, bool):
        return raw
    text = _norm(str(raw)).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"应填“是”或“否”，实为 {text!r}", f"expected 是 or 否 (yes or no), got {text!r}")


def plain_text(raw: Any) -> str:
    """Whatever a person typed into a text cell, as text."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return YES if raw else NO
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ", timespec="minutes" if not raw.second else "seconds")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class Vocab:
    """Words a person may type for coded values, each mapped to its code."""

    results: Mapping[str, str]
    handling: Mapping[str, str]
    means: Mapping[str, str]
    review: Mapping[str, str]
    members: Mapping[str, str]
    items: Mapping[str, str]
    states: Mapping[str, str] = field(default_factory=dict)
    #: the grades and verdicts of the scheme in force at export (empty: it grades nothing)
    grades: Mapping[str, str] = field(default_factory=dict)
    verdicts: Mapping[str, str] = field(default_factory=dict)
    scheme: str = ""  # that scheme's words
    scheme_id: str = ""
    findings: frozenset[str] = frozenset()
    named: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # the words, by kind

    @classmethod
    def build(cls, inspection: Inspection, lookups: Lookups) -> Vocab:
        guide = load_guide()

        def words(pairs: Sequence[tuple[str, str]], extra: Sequence[tuple[str, str]] = ()
                  ) -> dict[str, str]:
            out: dict[str, str] = {}
            for code, zh in [*pairs, *extra]:
                out[_norm(zh).lower()] = code
                out[_norm(code).lower()] = code
            return out

        def terms(name: str) -> list[tuple[str, str]]:
            return [(t.code, t.zh) for t in guide.terms(name)] + lookups.terms(name)

        results = words([(c, zh) for c, (zh, _en) in RESULTS.items()],
                        [(c, en) for c, (_zh, en) in RESULTS.items()])
        members: dict[str, str] = {}
        for key, m in inspection.team.items():
            members[_norm(key).lower()] = key
            if m.name:
                members.setdefault(_norm(m.name).lower(), key)
        items: dict[str, str] = {}
        for sid in inspection.scope.sections:
            for item_id, label, *_rest in lookups.checklist(sid):
                items[_norm(label).lower()] = item_id
                items[_norm(item_id).lower()] = item_id
        scheme = lookups.scheme() or {}
        return cls(results, words(terms("handling_kinds")), words(terms("means")),
                   words([(c, zh) for c, (zh, _en) in REVIEW_MODES.items() if c]), members, items,
                   words([(c, zh) for c, (zh, _en) in FINDING_STATES.items()]),
                   words([(str(c), str(z)) for c, z in scheme.get("grades") or ()]),
                   words([(str(c), str(z)) for c, z in scheme.get("verdicts") or ()]),
                   str(scheme.get("zh", "")), str(scheme.get("id", "")),
                   frozenset(inspection.findings),
                   {kind: tuple(str(z) for _c, z in scheme.get(f"{kind}s") or ())
                    for kind in ("grade", "verdict")})


def parse_cell(kind: str, raw: Any, vocab: Vocab) -> Any:
    """The JSON value of a cell of this kind (dates as ISO text), or :class:`CellError`."""
    if kind == "text":
        return plain_text(raw)
    if kind == "date":
        day = parse_date(raw)
        return day.isoformat() if day else None
    if kind == "datetime":
        moment = parse_datetime(raw)
        return moment.isoformat() if moment else None
    if kind in ("bool", "flag"):
        return parse_bool(raw)
    text = plain_text(raw)
    key = _norm(text).lower()
    if kind == "result":
        if not key:
            return "unchecked"
        return _one(vocab.results, key, text, "检查结果", "符合、不符合、不适用、未检查")
    if kind == "handling":
        return _one(vocab.handling, key, text, "处理方式", "十、1 的五种处理方式之一")
    if kind == "review_mode":
        return "" if not key else _one(vocab.review, key, text, "复查方式", "书面审查、现场复查")
    if kind == "finding_state":
        return "open" if not key else _one(vocab.states, key, text, "整改状态",
                                           "待整改、已提交、复查合格、复查不合格")
    if kind in ("grade", "verdict"):
        return _graded(kind, key, text, vocab)
    if kind == "member":
        return "" if not key else _one(vocab.members, key, text, "检查人员",
                                       "、".join(sorted(set(vocab.members.values()), key=natural_key)))
    if kind == "finding":
        if text.upper() in vocab.findings:
            return text.upper()
        raise CellError(f"问题编号 {text!r} 不在记录中（可填：{'、'.join(sorted(vocab.findings, key=natural_key))}）",
                        f"{text!r} is not a finding of this record")
    if kind == "item":
        if key in vocab.items:
            return vocab.items[key]
        guide = load_guide()
        if text in guide and guide.item(text).kind in ("content", "method", "focus"):
            return text
        raise CellError(f"检查项 {text!r} 不在本次检查表中（请填写条款或编号，如 7.8.m4）",
                        f"{text!r} is not an item of this inspection's checklist")
    if kind in LIST_KINDS:
        table, what = (vocab.means, "检查手段") if kind == "means" else (vocab.members, "检查人员")
        codes: list[str] = []
        for word in _SPLIT_RE.split(text):
            if word:
                code = _one(table, _norm(word).lower(), word, what,
                            "、".join(sorted(set(table.values()), key=natural_key)))
                if code not in codes:
                    codes.append(code)
        return codes
    raise CellError(f"未知的字段类型 {kind}", f"unknown field kind {kind}")


def _graded(kind: str, key: str, text: str, vocab: Vocab) -> str:
    """A grade or a verdict of the office's scheme (as exported), '' for an empty cell."""
    table, what = (vocab.grades, "问题等级") if kind == "grade" else (vocab.verdicts, "检查结论")
    if not key:
        return ""
    if not table:
        raise CellError(f"本机构的分级办法（{vocab.scheme or '不分级'}）不给出{what}，此格应留空",
                        f"the office's grading scheme gives no {kind}s: leave the cell empty")
    return _one(table, key, text, what, "、".join(vocab.named.get(kind, ())))


def _one(table: Mapping[str, str], key: str, text: str, what: str, known: str) -> str:
    if key in table:
        return table[key]
    raise CellError(f"无法识别的{what} {text!r}；可填：{known}", f"unknown {what} {text!r}")


# -- the whole workbook -------------------------------------------------------------------------
def _get(doc: Any, path: str) -> Any:
    node = doc
    for part in path.split("/"):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return bool(a == b)


@dataclass
class _Edit:
    field: Field
    value: Any
    sheet: str
    cell: str
    row: int


class _Reader:
    """Collects edits and problems sheet by sheet, then turns edits into changes."""

    def __init__(self, current: Inspection, exported: Inspection, lookups: Lookups,
                 sheets: Mapping[str, Any], file: str, used_keys: Iterable[str] = ()) -> None:
        self.used_keys = tuple(used_keys)
        self.current_doc = to_doc(current)
        self.exported_doc = to_doc(exported)
        self.vocab = Vocab.build(current, lookups)
        self.sheets = sheets
        self.file = file
        self.problems: list[Problem] = []
        self.edits: list[_Edit] = []
        self.new_findings: list[tuple[dict[str, Any], str, int]] = []
        self.new_extensions: list[tuple[str, dict[str, Any], str]] = []
        self.layouts: dict[str, SheetLayout] = {}

    def problem(self, code: str, sheet: str, r: int, c: int, zh: str, en: str,
                path: str = "") -> None:
        ref = f"{sheet}!{get_column_letter(c)}{r}"
        self.problems.append(Problem(code, f"{ref}：{zh}", en, field=path, file=self.file,
                                     sheet=sheet, row=r, column=get_column_letter(c)))

    def read_sheet(self, ws: Any, layout: SheetLayout) -> None:
        self.layouts[layout.name] = layout
        header = int((self.sheets.get(layout.name) or {}).get("header_row", 1))
        cells = read_cells(ws)
        ncols = len(layout.columns)
        for c, col in enumerate(layout.columns, 1):
            got = cells.get((header, c), (None, "n"))[0]
            if got != col.header:
                self.problem("workbook.header", layout.name, header, c,
                             f"表头应为“{col.header}”，实为 {show(got)}；请勿移动或删除列",
                             "the header row was changed; do not move or delete columns")
                return
        by_row: dict[int, dict[int, tuple[Any, str]]] = {}
        for (r, c), value in cells.items():
            if r > header:
                by_row.setdefault(r, {})[c] = value
        keyed = {row_key(row.values, layout.key_columns): row for row in layout.rows
                 if not row.group and row.key}
        groups = {row.key for row in layout.rows if row.group}
        seen: dict[str, int] = {}
        for r in sorted(by_row):
            row_cells = by_row[r]
            for c in row_cells:
                if c > ncols:
                    self.problem("workbook.outside", layout.name, r, c,
                                 "表格范围外的内容不会被读取，请删除或移入表格",
                                 "content outside the table")
            first = row_cells.get(1, (None, "n"))[0]
            key = row_key([plain_text(row_cells.get(c, (None, "n"))[0])
                           for c in range(1, layout.key_columns + 1)], layout.key_columns)
            if key in keyed:
                if key in seen:
                    self.problem("workbook.duplicate_row", layout.name, r, 1,
                                 f"与第 {seen[key]} 行重复", f"same row as row {seen[key]}")
                    continue
                seen[key] = r
                self._read_row(layout, keyed[key], r, row_cells, same_value)
            elif key in groups and all(c == 1 for c in row_cells):
                continue
            elif layout.name == FINDINGS and not key:
                self._new_finding(layout, r, row_cells)
            elif layout.name == EXTENSIONS and not key.partition("/")[2]:
                self._new_extension(layout, r, row_cells)
            else:
                self.problem("workbook.unknown_row", layout.name, r, 1,
                             f"无法识别的行（A 列为 {show(first)}）；请勿修改 A 列",
                             "this row does not belong to the exported record")
        if layout.name in (FINDINGS, EXTENSIONS):
            for key in keyed:
                if key not in seen:
                    finding, _, ext = key.partition("/")
                    what, en = ((f"延期整改 {key}", f"extension {key}") if ext
                                else (f"问题 {key}", f"finding {key}"))
                    self.problem("workbook.row_deleted", layout.name, header, 1,
                                 f"{what} 的行已被删除；工作簿中不能删除{what[:-len(key) - 1]}",
                                 f"the row of {en} was deleted",
                                 f"findings/{finding}" + (f"/extensions/{ext}" if ext else ""))

    def _read_row(self, layout: SheetLayout, row: Row, r: int,
                  cells: Mapping[int, tuple[Any, str]], same_value: Any) -> None:
        for c, want in enumerate(row.values):
            got, data_type = cells.get(c + 1, (None, "n"))
            if data_type != "f" and data_type != "e" and same_value(want, got):
                continue
            field = row.fields.get(c)
            if field is None:
                self.problem("workbook.read_only", layout.name, r, c + 1,
                             f"此单元格由记录生成，不能在工作簿中修改；请恢复为 {_shown(want)}",
                             "this cell is generated from the record and cannot be edited")
                continue
            self._edit(layout.name, r, c + 1, field, got, data_type)

    def _edit(self, sheet: str, r: int, c: int, field: Field, raw: Any, data_type: str) -> Any:
        if data_type == "f":
            self.problem("workbook.formula", sheet, r, c, "不接受公式，请直接填写内容",
                         "formulas are not accepted", field.path)
            return _MISSING
        if data_type == "e":
            self.problem("workbook.error_value", sheet, r, c, f"单元格为错误值 {raw}",
                         "the cell holds an error value", field.path)
            return _MISSING
        try:
            value = parse_cell(field.kind, raw, self.vocab)
        except InputError as exc:
            self.problem("workbook.bad_value", sheet, r, c, exc.zh, exc.en, field.path)
            return _MISSING
        if field.required and value in ("", None, []):
            self.problem("workbook.required", sheet, r, c, "此项不能为空", "this cell is required",
                         field.path)
            return _MISSING
        self.edits.append(_Edit(field, value, sheet, f"{get_column_letter(c)}{r}", r))
        return value

    def _new_finding(self, layout: SheetLayout, r: int, cells: Mapping[int, tuple[Any, str]]
                     ) -> None:
        finding = to_data(Finding())
        ok = True
        for c, col in enumerate(layout.columns, 1):
            if not col.kind:
                continue
            raw, data_type = cells.get(c, (None, "n"))
            if raw in (None, "") and col.required:
                self.problem("workbook.required", layout.name, r, c,
                             f"新增问题须填写“{col.header}”", f"a new finding needs {col.key}")
                ok = False
                continue
            value = self._parse_new(layout.name, r, c, col, raw, data_type)
            if value is _MISSING:
                ok = False
            else:
                finding[col.key] = value
        if ok:
            self.new_findings.append((finding, f"A{r}:{get_column_letter(len(layout.columns))}{r}",
                                      r))

    def _new_extension(self, layout: SheetLayout, r: int,
                       cells: Mapping[int, tuple[Any, str]]) -> None:
        """A row typed below 延期整改 (延期编号 empty): a later deadline granted offline."""
        extension = to_data(Extension())
        finding = ""
        ok = True
        for c, col in enumerate(layout.columns, 1):
            if not col.kind:
                continue
            raw, data_type = cells.get(c, (None, "n"))
            if raw in (None, "") and col.required:
                self.problem("workbook.required", layout.name, r, c,
                             f"新增延期须填写“{col.header}”", f"a new extension needs {col.key}")
                ok = False
                continue
            value = self._parse_new(layout.name, r, c, col, raw, data_type)
            if value is _MISSING:
                ok = False
            elif col.key == "finding":
                finding = str(value)
            else:
                extension[col.key] = value
        if ok:
            self.new_extensions.append(
                (finding, extension, f"A{r}:{get_column_letter(len(layout.columns))}{r}"))

    def _parse_new(self, sheet: str, r: int, c: int, col: Column, raw: Any, data_type: str
                   ) -> Any:
        before = len(self.edits)
        value = self._edit(sheet, r, c, Field(f"findings/new/{col.key}", col.kind,
                                              required=col.required), raw, data_type)
        del self.edits[before:]
        return value

    # -- from edits to changes ------------------------------------------------------------------
    def changes(self) -> list[Change]:
        out: list[Change] = []
        flags: dict[str, list[_Edit]] = {}
        for edit in self.edits:
            if edit.field.kind == "flag":
                flags.setdefault(edit.field.path, []).append(edit)
                continue
            self._change(out, edit.field.path, edit.value, edit.sheet, edit.cell)
        for path, edits in flags.items():
            self._change(out, path, self._flag_list(path, edits), edits[0].sheet,
                         ",".join(e.cell for e in edits))
        taken = set(self.current_doc.get("findings", {})) | set(
            self.exported_doc.get("findings", {})) | set(self.used_keys)
        added_since = [f for k, f in self.current_doc.get("findings", {}).items()
                       if k not in self.exported_doc.get("findings", {})]
        for finding, cells, _r in self.new_findings:
            if finding in added_since:  # this workbook's new row was imported already
                continue
            key = next_key(taken, "F")
            taken.add(key)
            out.append(Change(f"findings/{key}", finding, FINDINGS, cells))
        out += self._extension_changes()
        verdict = next((c for c in out if c.path == "opinion/verdict" and c.value), None)
        if verdict is not None and self.vocab.scheme_id:  # given under the scheme exported
            self._change(out, "opinion/scheme", self.vocab.scheme_id, verdict.sheet, verdict.cell)
        return out

    def _extension_changes(self) -> list[Change]:
        """Each extension typed below 延期整改, under its finding's next key (none twice)."""
        out: list[Change] = []
        for finding, extension, cells in self.new_extensions:
            base = f"findings/{finding}/extensions"
            now = _get(self.current_doc, base)
            then = _get(self.exported_doc, base)
            now = now if isinstance(now, dict) else {}
            then = then if isinstance(then, dict) else {}
            if any(v == extension for k, v in now.items() if k not in then):
                continue  # this workbook's new row was imported already
            taken = set(now) | set(then) | {c.path.rsplit("/", 1)[-1] for c in out
                                             if c.path.startswith(base + "/")}
            out.append(Change(f"{base}/{next_key(taken, 'E')}", extension, EXTENSIONS, cells))
        return out

    def _flag_list(self, path: str, edits: list[_Edit]) -> list[str]:
        """The list a group of 是/否 rows now says, edited rows read, the others as exported."""
        chosen = {e.field.code: bool(e.value) for e in edits}
        order: list[str] = []
        for layout in self.layouts.values():
            for row in layout.rows:
                for f in row.fields.values():
                    if f.path == path and f.kind == "flag":
                        order.append(f.code)
                        if f.code not in chosen:
                            chosen[f.code] = row.values[1] == YES
        current = _get(self.current_doc, path)
        extra = [c for c in (current if isinstance(current, list) else []) if c not in order]
        return [c for c in order if chosen.get(c)] + extra

    def _change(self, out: list[Change], path: str, value: Any, sheet: str, cell: str) -> None:
        current = self._value(self.current_doc, path)
        if _equal(value, current):
            return
        exported = self._value(self.exported_doc, path)
        if not _equal(current, exported):
            col, row = re.match(r"([A-Z]+)(\d+)", cell).groups()  # type: ignore[union-attr]
            self.problems.append(Problem(
                "workbook.conflict",
                f"{sheet}!{cell}：导出后此项已在系统中改为 {_shown(current)}，与工作簿中的修改冲突；"
                "请重新导出后再填写",
                "this field was changed in the record after export; export again",
                field=path, file=self.file, sheet=sheet, row=int(row), column=col))
            return
        out.append(Change(path, value, sheet, cell))

    def _value(self, doc: Mapping[str, Any], path: str) -> Any:
        value = _get(doc, path)
        if value is _MISSING and path.startswith("results/"):
            return to_data(ItemResult()).get(path.rsplit("/", 1)[-1])
        return None if value is _MISSING else value


def _shown(value: Any) -> str:
    return show(value)


def read_workbook(path: Path, inspection: Inspection, *,
                  used_keys: Iterable[str] = ()) -> list[Change]:
    """The changes a filled-in workbook makes to ``inspection`` (:func:`read_filled`)."""
    return read_filled(path, inspection, used_keys=used_keys).changes


@dataclass(frozen=True)
class Filled:
    """What a filled-in workbook holds for its record: the ``changes`` to apply, and the
    edits it holds that are ``ignored`` (warnings naming their cells: the audit trail and the
    kept review rounds are written by the kit alone, so edits to them are reported, never
    applied nor dropped unsaid)."""

    changes: list[Change]
    ignored: list[Problem]


def read_filled(path: Path, inspection: Inspection, *,
                used_keys: Iterable[str] = ()) -> Filled:
    """The changes a filled-in workbook makes to ``inspection``; nothing is applied here.

    Reads the editable cells (result, notes, means, evidence on 现场检查记录; findings, their
    grades and new finding rows on 问题与整改; the signature fields and the verdict on 签字确认;
    the round under way on 整改跟踪; each handling's outcome on 处理结果; extensions and new
    extension rows on 延期整改; follow-up, review units told and cross-region fields on 跟踪),
    accepting Chinese labels and common Chinese date forms; grades and verdicts in the words
    of the grading scheme in force at export (a verdict typed is given under that scheme). A cell counts as edited when it
    differs from what the workbook showed at export; an edited cell whose field was also
    changed in the record since export is a conflict. Raises :class:`ValidationError` naming
    every bad cell (``现场检查记录!D12``) if anything is wrong, and refuses a workbook of
    another inspection. Returns only changes whose value differs from ``inspection``. A new
    finding gets the next id not in the record and not in ``used_keys`` (the ids findings ever
    had, from the audit trail: a removed finding's id is never given again). Edits of the
    audit trail's sheet and of 复查记录 (a kept review round never changes) are returned as
    warnings naming their cells (:class:`Filled`).
    """
    path = Path(path)
    file = str(path)
    active, links = active_parts(path) if path.is_file() else ([], [])
    if active or links:
        raise ValidationError([Problem(
            "workbook.active_content" if active else "workbook.external_link",
            f"工作簿含有宏、嵌入对象、控件或外部链接（{'、'.join((active + links)[:5])}），不导入",
            "the workbook holds macros, embedded objects, controls or links to other files: "
            "not imported", file=file)], file)
    wb = open_workbook(path)
    try:
        emb = read_embedded(wb)
        if emb is None:
            raise ValidationError([Problem(
                "workbook.not_kit", "不是检查工具包导出的工作簿（没有校验信息），无法导入",
                "not a workbook exported by the kit", file=file)], file)
        owner = emb.values.get("inspection_id", "")
        if owner != inspection.id:
            raise ValidationError([Problem(
                "workbook.other_inspection",
                f"此工作簿属于检查 {owner!r}，不是检查 {inspection.id!r}；未导入任何内容",
                f"this workbook belongs to inspection {owner!r}, not {inspection.id!r}",
                file=file)], file)
        integrity, manifest = check_embedded(emb, signing_key())
        blocking = [p for p in integrity if p.code != "workbook.key_needed"]
        if blocking:
            raise ValidationError([Problem(p.code, p.message + "；无法确定导出时的内容，未导入",
                                           p.message_en, file=file, sheet=p.sheet)
                                   for p in blocking], file)
        if manifest.get("format", FORMAT) != FORMAT:
            raise ValidationError([Problem(
                "workbook.older_layout",
                "此工作簿由较早版本的工具包导出，表格版式已改变，无法逐格读取；请重新导出后填写，未导入任何内容",
                "exported by an earlier kit whose layout differs: export again and fill that in; "
                "nothing was applied", file=file)], file)
        exported, audit, lookups = embedded_state(emb, manifest)
        reader = _Reader(inspection, exported, lookups, manifest.get("sheets") or {}, file,
                         used_keys)
        ignored: list[Problem] = []
        for layout in render(exported, audit, lookups):
            if layout.name in (AUDIT, ROUNDS) and layout.name in wb.sheetnames:
                header = int((manifest.get("sheets") or {}).get(layout.name, {})
                             .get("header_row", 1))
                ignored += (trail_edits if layout.name == AUDIT else round_edits)(
                    wb[layout.name], layout, header, file)
            if layout.name not in EDITABLE_SHEETS:
                continue
            if layout.name not in wb.sheetnames:
                reader.problems.append(Problem("workbook.sheet_missing",
                                               f"缺少工作表“{layout.name}”",
                                               f"sheet {layout.name!r} is missing", file=file,
                                               sheet=layout.name))
                continue
            reader.read_sheet(wb[layout.name], layout)
        changes = [] if reader.problems else reader.changes()
    finally:
        wb.close()
    if reader.problems:
        raise ValidationError(reader.problems, file)
    return Filled(changes, ignored)


def apply_changes(inspection: Inspection, changes: Sequence[Change]) -> Inspection:
    """``inspection`` with ``changes`` applied (a new record; the input is not modified)."""
    doc = to_doc(inspection)
    for change in changes:
        parts = change.path.split("/")
        node: Any = doc
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = change.value
    return from_doc(doc, what="导入后的检查记录 imported record")
