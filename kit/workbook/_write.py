"""Writing the workbook: its sheets styled by the office's template, and the seal."""

from __future__ import annotations

import copy
import io
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.image import Image
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation

from kit.dates import BEIJING, beijing
from kit.record import Inspection, to_data, to_doc
from kit.workbook._layout import (
    FORMAT,
    SHEET_NAMES,
    AuditLike,
    Lookups,
    SheetLayout,
    cell_text,
    fill_placeholders,
    placeholders,
)
from kit.workbook._seal import (
    dumps,
    seal_kind,
    seal_of,
    sha256_hex,
    signing_key,
    write_seal_sheet,
)
from kit.workbook._sheets import choices, render
from kit.workbook._style import (
    DEFAULT_ROW_HEIGHT,
    DEFAULT_WIDTH,
    LINE_FACTOR,
    CellMaker,
    RowHeights,
    SheetTemplate,
    StyleIds,
    TitleCell,
    accept_ready_cells,
    default_template,
    load_template,
    put_text,
    setup_page,
    title_fit,
    usual_height,
)
from kit.workbook._view import normal_format

if TYPE_CHECKING:
    from kit.proof import Signer


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
    """An audit entry as plain JSON; its time in Beijing time, with the offset."""
    at = entry.at
    if isinstance(at, datetime):
        when = beijing(at).isoformat(sep=" ", timespec="seconds")
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
    pictures: Mapping[str, bytes] | None = None,
    signer: Signer | None = None,
) -> Path:
    """Write the inspection's workbook to ``out`` (replaced atomically) and return ``out``.

    ``audit`` fills the 审计记录 sheet; ``pictures`` (by SHA-256) are the evidence's thumbnails
    placed on 证据材料; ``exported_at`` defaults to now (seconds);
    ``template`` defaults to the office's ``workbook.xlsx`` (``KIT_TEMPLATES_DIR``), else the
    shipped one. With ``signer`` the seal is its signature of the manifest, the certificate
    beside it (anyone can check it); else an HMAC under an earlier release's
    ``KIT_SIGNING_KEY`` if set, else a plain digest.
    """
    out = Path(out)
    when = (beijing(exported_at) if exported_at is not None and exported_at.tzinfo
            else exported_at or datetime.now(BEIJING)).replace(microsecond=0)
    record_text = canonical_json(inspection)
    digest = sha256_hex(record_text)
    audit_docs = [_audit_doc(e) for e in audit]
    audit_text = dumps(audit_docs)
    lookups = Lookups.live(inspection)
    layouts = render(inspection, audit_docs, lookups)
    templates = load_template(Path(template) if template else default_template(), SHEET_NAMES)

    wb = Workbook(write_only=True)
    ids = StyleIds(wb)
    sheets_meta: dict[str, Any] = {}
    for layout in layouts:
        values = placeholders(inspection, lookups, digest=digest, exported_at=when, sheet=layout)
        sheets_meta[layout.name] = _write_sheet(wb, layout, templates[layout.name], values,
                                                lookups, pictures or {}, ids)
    key = signing_key()
    manifest = {
        "format": FORMAT,
        "inspection_id": inspection.id,
        "exported_at": when.isoformat(),
        "record_sha256": digest,
        "audit_sha256": sha256_hex(audit_text),
        "seal_kind": seal_kind(signer, key),
        "lookups": lookups.data,
        "sheets": sheets_meta,
        "formats": sorted({normal_format(s.number_format) for tpl in templates.values()
                           for s in (*tpl.header, *tpl.body,
                                     *(c.style for c in tpl.title_cells if c.style))}),
    }
    if signer is not None:
        manifest["certificate_sha256"] = signer.certificate.fingerprint
    manifest_text = dumps(manifest)
    write_seal_sheet(wb, manifest, manifest_text, seal_of(manifest_text, key, signer),
                     record_text, audit_text, signer.cert_pem() if signer else b"")
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
                 values: Mapping[str, str], lookups: Lookups,
                 pictures: Mapping[str, bytes], ids: StyleIds | None = None) -> dict[str, Any]:
    """Stream one sheet: title block, header, rows; return what verify needs to re-render it.
    ``ids`` are the workbook's style ids, shared by its sheets."""
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
    # title block: a merge as wide as the template's columns is as wide as the sheet's
    merges = [(r0, c0, r1, max(c1, ncols) if c0 == 1 and c1 == tpl.columns else c1)
              for r0, c0, r1, c1 in tpl.merges]
    title_meta = []
    title_heights: dict[int, float] = {}
    by_row: dict[int, list[Any]] = {}
    for tc in tpl.title_cells:
        cell = WriteOnlyCell(ws)
        if tc.style is not None:
            tc.style.apply(cell, ids)
        if tc.text:
            text = cell_text(fill_placeholders(tc.text, values))
            put_text(cell, text)
            title_meta.append([tc.row, tc.column, tc.text])
            if tc.style is not None and tc.style.alignment.wrap_text:
                height = _fit_title(cell, tc, text, merges, widths)
                if height:
                    title_heights[tc.row] = max(height, title_heights.get(tc.row, 0.0))
        by_row.setdefault(tc.row, []).append((tc.column, cell))
    for r in range(1, tpl.header_row + 1):
        height = tpl.heights.get(r, one_line if usual else None)
        if r in title_heights:
            height = max(height or DEFAULT_ROW_HEIGHT, title_heights[r])
        if height:
            ws.row_dimensions[r].height = height
    default = usual or one_line
    for r in range(1, tpl.header_row):
        cells = dict(by_row.get(r, []))
        ws.append([cells.get(c) for c in range(1, max(cells, default=0) + 1)])
    for min_row, min_col, max_row, max_col in merges:
        ws.merged_cells.add(f"{get_column_letter(min_col)}{min_row}:"
                            f"{get_column_letter(max_col)}{max_row}")
    # header
    header = CellMaker(ws, [tpl.header_style(c) for c in range(ncols)], ids)
    ws.append([header.cell(c, col.header) for c, col in enumerate(layout.columns)])
    # rows
    body = CellMaker(ws, [tpl.body_style(c) for c in range(ncols)], ids)
    group = CellMaker(ws, [tpl.header_style(0)] * ncols, ids)
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
        if row.picture and row.picture in pictures:
            ws.add_image(_picture(pictures[row.picture], planned[i], widths[-1]),
                         f"{last_col}{r}")
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


def _fit_title(cell: Any, tc: TitleCell, text: str,
               merges: Sequence[tuple[int, int, int, int]], widths: Sequence[float]
               ) -> float | None:
    """Give a wrapped title-block cell the size that keeps its text on one line across its
    merged width (:func:`title_fit`); the height its row then needs when even that is too
    long, else None (the template's height stands)."""
    first, last = tc.column, tc.column
    for r0, c0, r1, c1 in merges:
        if r0 <= tc.row <= r1 and c0 <= tc.column <= c1:
            first, last = c0, c1
            break
    width = sum(widths[c - 1] if c <= len(widths) else DEFAULT_WIDTH
                for c in range(first, last + 1))
    size = float(cell.font.sz or 11)
    fitted, lines = title_fit(text, width, size)
    if fitted != size:
        font = copy.copy(cell.font)
        font.sz = fitted
        cell.font = font
    if lines <= text.count("\n") + 1:
        return None
    return round(lines * fitted * LINE_FACTOR + 6, 1)


def _picture(data: bytes, row_pt: float, column_units: float) -> Image:
    """A thumbnail as a picture inside its cell: the row's height and the column's width
    (pixels at 96 per inch: 4/3 per point; a width unit is about 7 pixels)."""
    img = Image(io.BytesIO(data))
    scale = min(1.0, max(row_pt * 4 / 3 - 8, 16) / img.height,
                max(column_units * 7 - 10, 16) / img.width)
    img.width, img.height = round(img.width * scale), round(img.height * scale)
    return img


def _sqref(refs: list[str]) -> Any:
    return MultiCellRange(" ".join(refs))


_PROMPTS = {
    "result": ("检查结果", "请从下拉列表选择：符合、不符合、不适用、未检查"),
    "handling": ("处理方式", "请从下拉列表选择十、1 中的处理方式"),
    "bool": ("是／否", "请选择“是”或“否”"),
    "flag": ("是／否", "请选择“是”或“否”"),
    "review_mode": ("复查方式", "书面审查或现场复查"),
    "finding_state": ("整改状态", "待整改、已提交、复查合格或复查不合格"),
    "means": ("检查手段", "可填多项，以“、”分隔：语言交流、资料审查、现场检查、远程检查、联合检查、委托检查"),
    "date": ("日期", "如 2026-03-05、2026/3/5 或 2026年3月5日"),
    "datetime": ("日期时间", "如 2026-03-05 14:30"),
    "item": ("检查项", "填写条款（如 七、8.检查方法（4））或编号（如 7.8.m4）"),
    "members": ("检查人员", "检查组成员姓名，以“、”分隔"),
    "member": ("检查人员", "一名检查组成员的姓名"),
    "grade": ("问题等级", "请从下拉列表选择本机构分级办法中的等级"),
    "verdict": ("检查结论", "请从下拉列表选择本机构分级办法中的检查结论"),
    "finding": ("问题编号", "填写“问题与整改”表中的问题编号，如 F2"),
}


def _validation(kind: str, options: Sequence[str]) -> DataValidation | None:
    """A drop-down for closed lists, an input hint for the rest; None for free text."""
    if kind not in _PROMPTS:
        return None
    title, prompt = _PROMPTS[kind]
    strict = kind in ("result", "handling", "bool", "flag", "review_mode", "finding_state",
                      "grade", "verdict")
    if options and strict:
        dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"',
                            allow_blank=True, showErrorMessage=True, errorStyle="stop")
        dv.errorTitle = f"{title}无效"
        dv.error = f"请从下拉列表中选择。{prompt}"
    else:
        dv = DataValidation(allow_blank=True, showErrorMessage=False)
    dv.promptTitle, dv.prompt, dv.showInputMessage = title, prompt, True
    return dv


