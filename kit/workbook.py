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

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kit._codec import to_data
from kit._workbook_layout import (
    SHEET_NAMES,
    Lookups,
    SheetLayout,
    fill_placeholders,
    placeholders,
)
from kit._workbook_seal import (
    FORMAT,
    check_embedded,
    compare_visible,
    dumps,
    open_workbook,
    read_embedded,
    seal_of,
    sha256_hex,
    signing_key,
    write_seal_sheet,
)
from kit._workbook_sheets import choices, render
from kit._workbook_style import (
    DEFAULT_ROW_HEIGHT,
    CellMaker,
    RowHeights,
    SheetTemplate,
    accept_ready_cells,
    default_template,
    load_template,
    put_text,
    setup_page,
    usual_height,
)
from kit.errors import Problem, ValidationError
from kit.inspection import Inspection, from_doc, to_doc

__all__ = [
    "SHEET_NAMES",
    "AuditLike",
    "Change",
    "VerifyResult",
    "apply_changes",
    "canonical_json",
    "read_workbook",
    "verify_workbook",
    "workbook_inspection_id",
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
    def path(self) -> str | None: ...
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
        if self.intact:
            head = "完好：自导出以来记录未被修改 / intact: unchanged since export"
        elif not self.digest and not self.inspection_id:
            head = "不是本工具导出的检查记录工作簿 / not a workbook exported by the kit"
        else:
            head = "已被修改 / changed since export"
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
    return dumps(doc)


def _audit_doc(entry: AuditLike) -> dict[str, Any]:
    """An audit entry as plain JSON; a time with a zone is shown in local time, with its offset."""
    at = entry.at
    if isinstance(at, datetime):
        at = at.astimezone() if at.tzinfo is not None else at
        when = at.isoformat(sep=" ", timespec="seconds")
    else:
        when = str(at)
    return {"at": when, "user": str(entry.user), "action": str(entry.action),
            "path": "" if entry.path is None else str(entry.path),
            "old": _jsonable(entry.old), "new": _jsonable(entry.new)}


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
    digest = sha256_hex(record_text)
    audit_docs = [_audit_doc(e) for e in audit]
    audit_text = dumps(audit_docs)
    lookups = Lookups.live(inspection)
    layouts = render(inspection, audit_docs, lookups)
    templates = load_template(Path(template) if template else default_template(), SHEET_NAMES)

    wb = Workbook(write_only=True)
    sheets_meta: dict[str, Any] = {}
    for layout in layouts:
        values = placeholders(inspection, lookups, digest=digest, exported_at=when, sheet=layout)
        sheets_meta[layout.name] = _write_sheet(wb, layout, templates[layout.name], values,
                                                lookups)
    key = signing_key()
    manifest = {
        "format": FORMAT,
        "inspection_id": inspection.id,
        "exported_at": when.isoformat(),
        "record_sha256": digest,
        "audit_sha256": sha256_hex(audit_text),
        "seal_kind": "hmac-sha256" if key else "sha256",
        "lookups": lookups.data,
        "sheets": sheets_meta,
    }
    manifest_text = dumps(manifest)
    write_seal_sheet(wb, manifest, manifest_text, seal_of(manifest_text, key), record_text,
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
    ws = wb.create_sheet(layout.name)
    accept_ready_cells(ws)
    ncols = len(layout.columns)
    setup_page(ws, tpl, ncols, values)
    widths = [tpl.width(c) for c in range(ncols)]
    sizes = [tpl.body_style(c).size for c in range(ncols)]
    heights = RowHeights(widths, sizes, tpl.body_height)
    group_heights = RowHeights([sum(widths)], [tpl.header_style(0).size], tpl.body_height)
    one_line = tpl.body_height or DEFAULT_ROW_HEIGHT
    planned = [row.height or (group_heights if row.group else heights)(row.values) or one_line
               for row in layout.rows]
    usual = usual_height(planned, one_line)
    if usual:  # most rows wrap alike: make that the default instead of one <row ht> each
        ws.sheet_format.defaultRowHeight = usual
        ws.sheet_format.customHeight = True
    for r in range(1, tpl.header_row + 1):
        height = tpl.heights.get(r, one_line if usual else None)
        if height:
            ws.row_dimensions[r].height = height
    default = usual or one_line
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
    validations: dict[str, list[str]] = {}
    for i, row in enumerate(layout.rows):
        r = first + i
        if planned[i] != default:
            ws.row_dimensions[r].height = planned[i]
        if row.group:
            ws.append([group.cell(c, v) for c, v in enumerate(row.values)])
            if ncols > 1:
                ws.merged_cells.add(f"A{r}:{last_col}{r}")
            continue
        fields = row.fields
        ws.append(body.row(row.values, {c: f.kind for c, f in fields.items()} if fields else None))
        for c, f in fields.items():
            validations.setdefault(f.kind, []).append(f"{get_column_letter(c + 1)}{r}")
    if layout.open_rows:
        lo, hi = first + len(layout.rows), first + len(layout.rows) + layout.open_rows - 1
        for c, col in enumerate(layout.columns):
            if col.kind:
                letter = get_column_letter(c + 1)
                validations.setdefault(col.kind, []).append(f"{letter}{lo}:{letter}{hi}")
    for kind, refs in validations.items():
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


# -- verifying ----------------------------------------------------------------------------------
def verify_workbook(path: Path, *, key: bytes | None = None) -> VerifyResult:
    """Whether the workbook still holds and shows the record it was exported with.

    Checks (a) the SHA-256 of the embedded canonical JSON (and the audit trail and seal), and
    (b) every visible cell against a fresh rendering of the embedded record, so a cell edited
    in Excel is named by sheet and cell. ``key`` defaults to ``KIT_SIGNING_KEY``. See the
    module docstring for what a plain digest can and cannot prove.
    """
    path = Path(path)
    key = key if key is not None else signing_key()
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
            problems += compare_visible(wb, emb, manifest, exported_at)
    finally:
        wb.close()
    errors = [p for p in problems if p.severity == "error"]
    return VerifyResult(not errors, digest, exported_at, problems,
                        emb.values.get("inspection_id", ""), signed and not errors)


# -- importing ----------------------------------------------------------------------------------
def workbook_inspection_id(path: Path) -> str:
    """The id of the inspection a workbook was exported from, as its hidden sheet says.

    For ``kit import X.xlsx``: find the record to read the workbook against. Raises
    :class:`~kit.errors.ValidationError` for a workbook the kit did not export.
    """
    wb = open_workbook(Path(path))
    try:
        emb = read_embedded(wb)
    finally:
        wb.close()
    if emb is None:
        problem = Problem("workbook.not_kit", "不是检查工具包导出的工作簿（没有校验信息）",
                          "not a workbook exported by the kit (no verification data)",
                          file=str(path))
        raise ValidationError([problem], str(path))
    return emb.values.get("inspection_id", "")



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
