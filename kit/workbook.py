"""The Excel workbook: the inspection's written record, print-ready, fillable offline, sealed.

:func:`write_workbook` renders an inspection into seven sheets (检查方案, 现场检查记录,
问题与整改, 记录抽样, 签字确认, 跟踪, 审计记录) styled by the office's template
(``templates/workbook.xlsx``, see :mod:`kit._workbook_style` for the convention), and embeds
the record's canonical JSON, its SHA-256 and the export time in a very hidden sheet.

:func:`verify_workbook` recomputes the digest and renders the embedded record again, comparing
every visible cell, so an edit is reported with its sheet and cell. :func:`read_workbook`
reads a copy filled in by hand and returns the changes to apply, or raises
:class:`~kit.errors.ValidationError` listing every bad cell; :func:`apply_changes` applies them.

What the seal can and cannot prove: a plain SHA-256 is written by anyone who can run this
code, so it detects accidental and naive edits (a cell changed in Excel, the hidden JSON
altered) but not a forger who rewrites the visible cells, the JSON and the digest together.
An office that needs forgery to be detectable sets ``KIT_SIGNING_KEY`` (a secret kept off the
inspectors' copies of the workbook) when exporting and verifying: the seal is then an
HMAC-SHA256 that only a holder of the key can make.

Every text is written as text: openpyxl would store ``=...`` as a formula and ``#N/A`` as an
error, so strings get the text type, text cells the ``@`` format, and text starting with
``= + - @`` the quote prefix Excel uses for a typed apostrophe. The file is a plain .xlsx: no
macros, no external links, no formulas.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kit._codec import to_data
from kit._workbook_layout import (
    SHEET_NAMES,
    Lookups,
    ReplayError,
    SheetLayout,
    fill_placeholders,
    placeholders,
    render,
)
from kit._workbook_style import (
    CellMaker,
    RowHeights,
    SheetTemplate,
    accept_ready_cells,
    default_template,
    load_template,
    put_text,
    setup_page,
)
from kit.errors import KitError, Problem
from kit.inspection import RESULTS, Inspection, from_doc, to_doc

FORMAT = 1
SEAL_SHEET = "_kit"
MARKER = "kit-inspection-workbook"
CHUNK = 16000  # characters per hidden cell: <= 32,000 UTF-16 units even for astral characters
SIGNING_KEY_ENV = "KIT_SIGNING_KEY"
MAX_CELL_PROBLEMS = 50  # per sheet, so a sorted or pasted-over sheet stays readable

__all__ = [
    "SHEET_NAMES",
    "AuditLike",
    "Change",
    "VerifyResult",
    "apply_changes",
    "canonical_json",
    "read_workbook",
    "verify_workbook",
    "write_workbook",
]


class AuditLike(Protocol):
    """An audit-trail entry as the store keeps it (duck-typed: any object with these)."""

    @property
    def at(self) -> datetime | str: ...
    @property
    def user(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def old(self) -> Any: ...
    @property
    def new(self) -> Any: ...


@dataclass(frozen=True)
class Change:
    """One value read from a filled-in workbook that differs from the record.

    ``path`` is the record's document path (``results/7.8.m4/result``, ``findings/F2/deadline``;
    a new finding is one change at ``findings/F5`` whose value is the whole finding), ``value``
    the new JSON value, ``sheet`` and ``cell`` where it was read (``问题与整改``, ``D12``).
    """

    path: str
    value: Any
    sheet: str
    cell: str

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}"


@dataclass(frozen=True)
class VerifyResult:
    """Whether a workbook still shows the record it was exported with, and where it does not.

    ``digest`` is the SHA-256 of the embedded canonical JSON as stored, ``exported_at`` the
    stored export time; ``signed`` says the seal was an HMAC checked with ``KIT_SIGNING_KEY``.
    """

    intact: bool
    digest: str
    exported_at: datetime | None
    problems: list[Problem]
    inspection_id: str = ""
    signed: bool = False

    def __str__(self) -> str:
        head = ("完好：自导出以来记录未被修改 / intact: unchanged since export" if self.intact
                else "已被修改 / changed since export")
        lines = [f"{head}（SHA-256 {self.digest or '-'}，导出时间 exported "
                 f"{self.exported_at.isoformat(sep=' ') if self.exported_at else '-'}）"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


def canonical_json(inspection: Inspection) -> str:
    """The record's canonical JSON: sorted keys, no spaces, UTF-8 text (what the digest covers).

    Equal to ``json.dumps(to_doc(inspection), ensure_ascii=False, sort_keys=True,
    separators=(",", ":"))``; the sampled rows, often thousands of plain text mappings, are
    converted directly instead of through the generic codec.
    """
    sampling = inspection.sampling
    doc = to_doc(replace(inspection, sampling=replace(sampling, rows=())))
    doc["sampling"]["rows"] = [
        {str(k): v if type(v) is str else to_data(v) for k, v in row.items()}
        for row in sampling.rows
    ]
    return _dumps(doc)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _signing_key() -> bytes | None:
    key = os.environ.get(SIGNING_KEY_ENV, "")
    return key.encode("utf-8") if key else None


def _seal(manifest_text: str, key: bytes | None) -> str:
    if key is None:
        return _sha256(manifest_text)
    return hmac.new(key, manifest_text.encode("utf-8"), hashlib.sha256).hexdigest()


def _audit_doc(entry: AuditLike) -> dict[str, Any]:
    at = entry.at
    when = at.isoformat(sep=" ", timespec="seconds") if isinstance(at, datetime) else str(at)
    return {"at": when, "user": str(entry.user), "action": str(entry.action),
            "path": str(entry.path), "old": _jsonable(entry.old), "new": _jsonable(entry.new)}


def _jsonable(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, ensure_ascii=False, default=_iso))
    except (TypeError, ValueError):
        return str(value)


def _iso(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


# -- writing ------------------------------------------------------------------------------------
def write_workbook(
    inspection: Inspection,
    out: Path,
    *,
    audit: Sequence[AuditLike] = (),
    exported_at: datetime | None = None,
    template: Path | None = None,
) -> Path:
    """Write the inspection's workbook to ``out`` (replaced atomically) and return ``out``.

    ``audit`` fills the 审计记录 sheet; ``exported_at`` defaults to now (seconds);
    ``template`` defaults to the office's ``workbook.xlsx`` (``KIT_TEMPLATES_DIR``), else the
    shipped one. The sealing key, if any, comes from ``KIT_SIGNING_KEY``.
    """
    out = Path(out)
    when = (exported_at or datetime.now()).replace(microsecond=0)
    record_text = canonical_json(inspection)
    digest = _sha256(record_text)
    audit_docs = [_audit_doc(e) for e in audit]
    audit_text = _dumps(audit_docs)
    lookups = Lookups.live(inspection)
    layouts = render(inspection, audit_docs, lookups)
    templates = load_template(Path(template) if template else default_template(), SHEET_NAMES)

    wb = Workbook(write_only=True)
    sheets_meta: dict[str, Any] = {}
    for layout in layouts:
        values = placeholders(inspection, lookups, digest=digest, exported_at=when, sheet=layout)
        sheets_meta[layout.name] = _write_sheet(wb, layout, templates[layout.name], values,
                                                lookups)
    key = _signing_key()
    manifest = {
        "format": FORMAT,
        "inspection_id": inspection.id,
        "exported_at": when.isoformat(),
        "record_sha256": digest,
        "audit_sha256": _sha256(audit_text),
        "seal_kind": "hmac-sha256" if key else "sha256",
        "lookups": lookups.data,
        "sheets": sheets_meta,
    }
    manifest_text = _dumps(manifest)
    _write_seal_sheet(wb, manifest, manifest_text, _seal(manifest_text, key), record_text,
                      audit_text)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".kit-", suffix=".xlsx", dir=out.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def _write_sheet(wb: Workbook, layout: SheetLayout, tpl: SheetTemplate,
                 values: Mapping[str, str], lookups: Lookups) -> dict[str, Any]:
    """Stream one sheet: title block, header, rows; return what verify needs to re-render it."""
    from kit._workbook_import import choices

    ws = wb.create_sheet(layout.name)
    accept_ready_cells(ws)
    ncols = len(layout.columns)
    setup_page(ws, tpl, ncols, values)
    widths = [tpl.width(c) for c in range(ncols)]
    sizes = [tpl.body_style(c).size for c in range(ncols)]
    heights = RowHeights(widths, sizes, tpl.body_height)
    group_heights = RowHeights([sum(widths)], [tpl.header_style(0).size], tpl.body_height)
    for r, height in tpl.heights.items():
        if r <= tpl.header_row:
            ws.row_dimensions[r].height = height
    # title block
    title_meta = []
    by_row: dict[int, list[Any]] = {}
    for tc in tpl.title_cells:
        cell = WriteOnlyCell(ws)
        if tc.style is not None:
            tc.style.apply(cell)
        if tc.text:
            put_text(cell, fill_placeholders(tc.text, values))
            title_meta.append([tc.row, tc.column, tc.text])
        by_row.setdefault(tc.row, []).append((tc.column, cell))
    for r in range(1, tpl.header_row):
        cells = dict(by_row.get(r, []))
        ws.append([cells.get(c) for c in range(1, max(cells, default=0) + 1)])
    for min_row, min_col, max_row, max_col in tpl.merges:
        if min_col == 1 and max_col == tpl.columns:
            max_col = max(max_col, ncols)
        ws.merged_cells.add(f"{get_column_letter(min_col)}{min_row}:"
                            f"{get_column_letter(max_col)}{max_row}")
    # header
    header = CellMaker(ws, [tpl.header_style(c) for c in range(ncols)])
    ws.append([header.cell(c, col.header) for c, col in enumerate(layout.columns)])
    # rows
    body = CellMaker(ws, [tpl.body_style(c) for c in range(ncols)])
    group = CellMaker(ws, [tpl.header_style(0)] * ncols)
    first = tpl.header_row + 1
    last_col = get_column_letter(ncols)
    validations: dict[tuple[str, bool], list[str]] = {}
    for i, row in enumerate(layout.rows):
        r = first + i
        height = row.height or (group_heights if row.group else heights)(row.values)
        if height:
            ws.row_dimensions[r].height = height
        if row.group:
            ws.append([group.cell(c, v) for c, v in enumerate(row.values)])
            if ncols > 1:
                ws.merged_cells.add(f"A{r}:{last_col}{r}")
            continue
        fields = row.fields
        ws.append([
            body.cell(c, v, fields[c].kind if c in fields else "text")
            for c, v in enumerate(row.values)
        ])
        for c, f in fields.items():
            validations.setdefault((f.kind, layout.form), []).append(f"{get_column_letter(c + 1)}{r}")
    if layout.open_rows:
        lo, hi = first + len(layout.rows), first + len(layout.rows) + layout.open_rows - 1
        for c, col in enumerate(layout.columns):
            if col.kind:
                letter = get_column_letter(c + 1)
                validations.setdefault((col.kind, False), []).append(f"{letter}{lo}:{letter}{hi}")
    for (kind, _form), refs in validations.items():
        dv = _validation(kind, choices(kind, lookups))
        if dv is not None:
            dv.sqref = _sqref(refs)
            ws.data_validations.append(dv)
    return {"header_row": tpl.header_row, "title": title_meta}


def _sqref(refs: list[str]) -> Any:
    from openpyxl.worksheet.cell_range import MultiCellRange

    return MultiCellRange(" ".join(refs))


_PROMPTS = {
    "result": ("检查结果", "请从下拉列表选择：符合、不符合、不适用、未检查"),
    "handling": ("处理方式", "请从下拉列表选择十、1 中的处理方式"),
    "bool": ("是／否", "请选择“是”或“否”"),
    "flag": ("是／否", "请选择“是”或“否”"),
    "review_mode": ("复查方式", "书面审查或现场复查"),
    "means": ("检查手段", "可填多项，以“、”分隔：语言交流、资料审查、现场检查、远程检查、联合检查、委托检查"),
    "date": ("日期", "如 2026-03-05、2026/3/5 或 2026年3月5日"),
    "datetime": ("日期时间", "如 2026-03-05 14:30"),
    "item": ("检查项", "填写条款（如 七、8.检查方法（4））或编号（如 7.8.m4）"),
    "members": ("检查人员", "检查组成员姓名，以“、”分隔"),
}


def _validation(kind: str, options: Sequence[str]) -> DataValidation | None:
    """A drop-down for closed lists, an input hint for the rest; None for free text."""
    if kind not in _PROMPTS:
        return None
    title, prompt = _PROMPTS[kind]
    strict = kind in ("result", "handling", "bool", "flag", "review_mode")
    if options and strict:
        dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"',
                            allow_blank=True, showErrorMessage=True, errorStyle="stop")
        dv.errorTitle = f"{title}无效"
        dv.error = f"请从下拉列表中选择。{prompt}"
    else:
        dv = DataValidation(allow_blank=True, showErrorMessage=False)
    dv.promptTitle, dv.prompt, dv.showInputMessage = title, prompt, True
    return dv


def _write_seal_sheet(wb: Workbook, manifest: Mapping[str, Any], manifest_text: str, seal: str,
                      record_text: str, audit_text: str) -> None:
    ws = wb.create_sheet(SEAL_SHEET)
    ws.sheet_state = "veryHidden"

    def line(*values: str) -> None:
        ws.append([put_text(WriteOnlyCell(ws), v) for v in values])

    def chunks(text: str) -> list[str]:
        return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]

    line(MARKER, str(FORMAT))
    line("说明", "本表由检查工具包生成，用于校验记录是否被修改；请勿修改。"
         " / Written by the inspection kit to verify the record; do not edit.")
    line("inspection_id", str(manifest["inspection_id"]))
    line("exported_at", str(manifest["exported_at"]))
    line("record_sha256", str(manifest["record_sha256"]))
    line("seal_kind", str(manifest["seal_kind"]))
    line("seal", seal)
    line("manifest", *chunks(manifest_text))
    line("record", *chunks(record_text))
    line("audit", *chunks(audit_text))


# -- reading the seal ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Embedded:
    """What the hidden sheet holds, as read, before any check."""

    values: Mapping[str, str]
    manifest_text: str
    record_text: str
    audit_text: str


def open_workbook(path: Path) -> Any:
    """The workbook in read-only mode, or a KitError a user can act on."""
    try:
        return load_workbook(path, read_only=True, data_only=False, rich_text=False)
    except FileNotFoundError:
        msg = f"找不到文件 {path} / no such file"
        raise KitError(msg) from None
    except Exception as exc:  # zipfile, XML and openpyxl's own errors
        msg = f"无法读取工作簿 {path}：{exc} / not a readable .xlsx workbook"
        raise KitError(msg) from exc


def read_embedded(wb: Any) -> Embedded | None:
    """The hidden sheet's content, or None when the workbook has none."""
    if SEAL_SHEET not in wb.sheetnames:
        return None
    ws = wb[SEAL_SHEET]
    values: dict[str, str] = {}
    texts: dict[str, str] = {}
    for row in ws.iter_rows(values_only=True):
        if not row or not isinstance(row[0], str):
            continue
        parts = ["" if v is None else str(v) for v in row[1:]]
        values[row[0]] = parts[0] if parts else ""
        texts[row[0]] = "".join(parts)
    if values.get(MARKER) is None:
        return None
    return Embedded(values, texts.get("manifest", ""), texts.get("record", ""),
                    texts.get("audit", ""))


def _seal_problem(code: str, zh: str, en: str, key: str = "") -> Problem:
    return Problem(code, zh, en, sheet=SEAL_SHEET, column=key)


def check_embedded(emb: Embedded, key: bytes | None) -> tuple[list[Problem], dict[str, Any]]:
    """Problems with the hidden sheet's digests and seal, and the parsed manifest."""
    problems: list[Problem] = []
    try:
        manifest = json.loads(emb.manifest_text)
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except ValueError:
        problems.append(_seal_problem("workbook.manifest", "校验信息已损坏",
                                      "the verification data is damaged", "manifest"))
        return problems, {}
    if _sha256(emb.record_text) != manifest.get("record_sha256"):
        problems.append(_seal_problem(
            "workbook.record_digest", "嵌入的检查记录与导出时的 SHA-256 摘要不符（隐藏数据被修改）",
            "the embedded record does not match its SHA-256 digest", "record"))
    if _sha256(emb.audit_text) != manifest.get("audit_sha256"):
        problems.append(_seal_problem(
            "workbook.audit_digest", "嵌入的审计记录与导出时的摘要不符",
            "the embedded audit trail does not match its digest", "audit"))
    for name in ("inspection_id", "exported_at", "record_sha256", "seal_kind"):
        if str(manifest.get(name, "")) != emb.values.get(name, ""):
            problems.append(_seal_problem("workbook.seal_field", f"校验信息“{name}”被修改",
                                          f"the stored {name} was changed", name))
    kind = manifest.get("seal_kind")
    seal = emb.values.get("seal", "")
    if kind == "hmac-sha256" and key is None:
        problems.append(_seal_problem(
            "workbook.key_needed", f"本工作簿带有机构签名，需设置 {SIGNING_KEY_ENV} 才能校验",
            f"the workbook is signed; set {SIGNING_KEY_ENV} to verify it", "seal"))
    elif not hmac.compare_digest(_seal(emb.manifest_text, key if kind == "hmac-sha256" else None),
                                 seal):
        problems.append(_seal_problem("workbook.seal", "校验封签不符（隐藏数据或签名被修改）",
                                      "the seal does not match", "seal"))
    return problems, manifest


def embedded_state(
    emb: Embedded, manifest: Mapping[str, Any]
) -> tuple[Inspection, list[dict[str, Any]], Lookups]:
    """The exported record, audit entries and reference data, parsed from the hidden sheet."""
    record = from_doc(json.loads(emb.record_text), what="嵌入的检查记录 embedded record")
    audit = json.loads(emb.audit_text) if emb.audit_text else []
    return record, list(audit), Lookups.replay(manifest.get("lookups") or {})


# -- verifying ----------------------------------------------------------------------------------
def verify_workbook(path: Path, *, key: bytes | None = None) -> VerifyResult:
    """Whether the workbook still holds and shows the record it was exported with.

    Checks (a) the SHA-256 of the embedded canonical JSON (and the audit trail and seal), and
    (b) every visible cell against a fresh rendering of the embedded record, so a cell edited
    in Excel is named by sheet and cell. ``key`` defaults to ``KIT_SIGNING_KEY``. See the
    module docstring for what a plain digest can and cannot prove.
    """
    path = Path(path)
    key = key if key is not None else _signing_key()
    wb = open_workbook(path)
    try:
        emb = read_embedded(wb)
        if emb is None:
            problem = Problem("workbook.not_kit", "不是检查工具包导出的工作簿（没有校验信息）",
                              "not a workbook exported by the kit (no verification data)",
                              file=str(path))
            return VerifyResult(False, "", None, [problem])
        problems, manifest = check_embedded(emb, key)
        digest = emb.values.get("record_sha256", "")
        try:
            exported_at: datetime | None = datetime.fromisoformat(emb.values["exported_at"])
        except (KeyError, ValueError):
            exported_at = None
        signed = manifest.get("seal_kind") == "hmac-sha256" and key is not None
        if manifest and not any(p.code == "workbook.record_digest" for p in problems):
            problems += _compare_visible(wb, emb, manifest, exported_at)
    finally:
        wb.close()
    errors = [p for p in problems if p.severity == "error"]
    return VerifyResult(not errors, digest, exported_at, problems,
                        emb.values.get("inspection_id", ""), signed and not errors)


def _compare_visible(wb: Any, emb: Embedded, manifest: Mapping[str, Any],
                     exported_at: datetime | None) -> list[Problem]:
    try:
        record, audit, lookups = embedded_state(emb, manifest)
        layouts = render(record, audit, lookups)
    except (ValueError, KitError, ReplayError) as exc:
        return [_seal_problem("workbook.record_invalid", f"嵌入的检查记录无法读取：{exc}",
                              "the embedded record cannot be read", "record")]
    problems: list[Problem] = []
    sheets = manifest.get("sheets") or {}
    when = exported_at or datetime.min
    for layout in layouts:
        if layout.name not in wb.sheetnames:
            problems.append(Problem("workbook.sheet_missing", f"缺少工作表“{layout.name}”",
                                    f"sheet {layout.name!r} is missing", sheet=layout.name))
            continue
        meta = sheets.get(layout.name) or {}
        values = placeholders(record, lookups, digest=str(manifest.get("record_sha256", "")),
                              exported_at=when, sheet=layout)
        expected = expected_cells(layout, meta, values)
        problems += _diff_sheet(wb[layout.name], layout, expected, int(meta.get("header_row", 1)))
    return problems


def expected_cells(layout: SheetLayout, meta: Mapping[str, Any],
                   values: Mapping[str, str]) -> dict[tuple[int, int], Any]:
    """Every non-empty cell the sheet showed at export, by (row, column), 1-based."""
    cells: dict[tuple[int, int], Any] = {}
    for r, c, text in meta.get("title") or ():
        cells[(int(r), int(c))] = fill_placeholders(str(text), values)
    header = int(meta.get("header_row", 1))
    for c, col in enumerate(layout.columns, 1):
        cells[(header, c)] = col.header
    for i, row in enumerate(layout.rows, header + 1):
        for c, v in enumerate(row.values, 1):
            if v is not None and v != "":
                cells[(i, c)] = v
    return {k: v for k, v in cells.items() if v not in (None, "")}


def read_cells(ws: Any) -> dict[tuple[int, int], tuple[Any, str]]:
    """Every non-empty cell of a read-only sheet: (row, column) -> (value, data type)."""
    cells = {}
    for row in ws.iter_rows():
        for cell in row:
            value = getattr(cell, "value", None)
            if value is not None and value != "":
                cells[(cell.row, cell.column)] = (value, cell.data_type)
    return cells


def same_value(expected: Any, actual: Any) -> bool:
    """Whether a cell read back shows the value the writer put there."""
    if expected in (None, "") or actual in (None, ""):
        return expected in (None, "") and actual in (None, "")
    if isinstance(expected, str) or isinstance(actual, str):
        return isinstance(expected, str) and isinstance(actual, str) and expected == actual
    if isinstance(expected, datetime) or isinstance(actual, datetime):
        if not isinstance(actual, datetime | date) or not isinstance(expected, datetime | date):
            return False
        a = actual if isinstance(actual, datetime) else datetime.combine(actual, datetime.min.time())
        e = (expected if isinstance(expected, datetime)
             else datetime.combine(expected, datetime.min.time()))
        return abs((a - e).total_seconds()) < 1
    if isinstance(expected, date) or isinstance(actual, date):
        return expected == actual
    if isinstance(actual, bool) or isinstance(expected, bool):
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    return bool(expected == actual)


def show(value: Any) -> str:
    """A cell value for a message, shortened."""
    if value in (None, ""):
        return "（空）"
    text = value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _diff_sheet(ws: Any, layout: SheetLayout, expected: Mapping[tuple[int, int], Any],
                header_row: int) -> list[Problem]:
    actual = read_cells(ws)
    paths: dict[tuple[int, int], str] = {}
    for i, row in enumerate(layout.rows, header_row + 1):
        for c, f in row.fields.items():
            paths[(i, c + 1)] = f.path
    problems = []
    for key in sorted(set(expected) | set(actual)):
        want = expected.get(key)
        got, data_type = actual.get(key, (None, "n"))
        if data_type == "f":
            got = f"={got}" if not str(got).startswith("=") else got
        if data_type != "f" and same_value(want, got):
            continue
        r, c = key
        coordinate = f"{get_column_letter(c)}{r}"
        if want is None:
            code, zh, en = ("workbook.cell_added", f"{layout.name}!{coordinate} 在导出后被填写：{show(got)}",
                            f"{layout.name}!{coordinate} was filled in after export")
        else:
            code, zh, en = ("workbook.cell_changed",
                            f"{layout.name}!{coordinate} 与导出时不同：导出时为 {show(want)}，现为 {show(got)}",
                            f"{layout.name}!{coordinate} differs from the export")
        problems.append(Problem(code, zh, en, field=paths.get(key, ""), sheet=layout.name,
                                row=r, column=get_column_letter(c)))
    if len(problems) > MAX_CELL_PROBLEMS:
        more = len(problems) - MAX_CELL_PROBLEMS
        problems = problems[:MAX_CELL_PROBLEMS] + [Problem(
            "workbook.more_changes", f"{layout.name} 另有 {more} 处不同未列出",
            f"{more} more differences in {layout.name}", sheet=layout.name)]
    return problems


# -- importing ----------------------------------------------------------------------------------
def read_workbook(path: Path, inspection: Inspection) -> list[Change]:
    """The changes a filled-in workbook makes to ``inspection``; nothing is applied here.

    Reads the editable cells (result, notes, means, evidence on 现场检查记录; findings and new
    finding rows on 问题与整改; the signature fields on 签字确认; follow-up fields on 跟踪),
    accepting Chinese labels and common Chinese date forms. A cell counts as edited when it
    differs from what the workbook showed at export; an edited cell whose field was also
    changed in the record since export is a conflict. Raises :class:`ValidationError` naming
    every bad cell (``现场检查记录!D12``) if anything is wrong, and refuses a workbook of
    another inspection. Returns only changes whose value differs from ``inspection``.
    """
    from kit._workbook_import import read_changes

    return read_changes(Path(path), inspection)


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


def result_labels() -> dict[str, str]:
    """Result code -> the Chinese word the workbook shows (符合, 不符合, ...)."""
    return {code: zh for code, (zh, _en) in RESULTS.items()}
