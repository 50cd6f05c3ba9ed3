"""The workbook's seal: the embedded record, its digests, and the cell-by-cell comparison.

A very hidden sheet ``_kit`` holds the record's canonical JSON (in chunks, as a cell holds at
most 32,767 characters), the audit trail, and a manifest: inspection id, export time, the
SHA-256 of the record and of the audit trail, and the reference data the rendering used.
The seal is the issuing authority's signature of the manifest (``x509-signature``: the
signature and the signer's certificate are kept beside it, and the manifest names the
certificate's fingerprint), so anyone can check it with the certificate alone. Without a key
pair it is the SHA-256 of the manifest (anyone can recompute it: accidents and naive edits
only), or, as an earlier release made it, the HMAC-SHA256 under ``KIT_SIGNING_KEY`` (integrity
only: the company cannot check it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from kit import proof
from kit.config import settings
from kit.errors import KitError, Problem, ValidationError
from kit.files import extent_problems, xlsx_problems
from kit.record import Inspection, from_doc
from kit.schemas import canonical_json
from kit.workbook._layout import (
    CURRENT_LAYOUT,
    FORMAT,
    Lookups,
    ReplayError,
    SheetLayout,
    WorkbookLayout,
    cell_text,
    fill_placeholders,
    layout_of,
    placeholders,
)
from kit.workbook._sheets import render
from kit.workbook._style import put_text
from kit.workbook._view import KIT_FORMATS, cell_view_problem, normal_format

if TYPE_CHECKING:
    from kit.proof import Certificate, Signer

SEAL_SHEET = "_kit"
MARKER = "kit-inspection-workbook"
CHUNK = 16000  # characters per hidden cell: <= 32,000 UTF-16 units even for astral characters
SIGNING_KEY_ENV = "KIT_SIGNING_KEY"
#: the seal kinds: a signature anyone can check, an earlier release's HMAC, a plain digest
SIGNATURE, HMAC, PLAIN = "x509-signature", "hmac-sha256", "sha256"
#: what an inspection workbook may reach: checked before it is parsed (a sparse sheet with one
#: cell at XFD1048576 would make a reader walk sixteen billion empty cells)
WORKBOOK_MAX_ROWS, WORKBOOK_MAX_COLUMNS, WORKBOOK_MAX_CELLS = 1_048_576, 200, 10_000_000
MAX_CELL_PROBLEMS = 50  # per sheet, so a sorted or pasted-over sheet stays readable


def dumps(data: Any) -> str:
    """The kit's canonical JSON text (:func:`kit.schemas.canonical_json`)."""
    return canonical_json(data)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signing_key() -> bytes | None:
    """The office's sealing key from ``KIT_SIGNING_KEY``, or None."""
    return settings().signing_key


def seal_kind(signer: Signer | None, key: bytes | None) -> str:
    """The kind of seal a workbook written now gets: signed when a signer is given, else an
    HMAC under an office's earlier key, else a plain digest."""
    return SIGNATURE if signer is not None else HMAC if key else PLAIN


def seal_of(manifest_text: str, key: bytes | None, signer: Signer | None = None) -> str:
    """The signer's signature of the manifest (base64), else its HMAC-SHA256 under ``key``,
    else its SHA-256."""
    if signer is not None:
        return base64.b64encode(signer.sign(manifest_text.encode("utf-8"))).decode("ascii")
    if key is None:
        return sha256_hex(manifest_text)
    return hmac.new(key, manifest_text.encode("utf-8"), hashlib.sha256).hexdigest()


def write_seal_sheet(wb: Workbook, manifest: Mapping[str, Any], manifest_text: str, seal: str,
                      record_text: str, audit_text: str, certificate: bytes = b"") -> None:
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
    if certificate:
        line("certificate", *chunks(certificate.decode("ascii")))
    line("manifest", *chunks(manifest_text))
    line("record", *chunks(record_text))
    line("audit", *chunks(audit_text))


# -- the layout's fingerprint --------------------------------------------------------------------
FINGERPRINT_TIME = datetime(2000, 1, 1)


def sheet_fingerprints(inspection: Inspection,
                       audit: Sequence[Mapping[str, Any]] = ()) -> dict[str, str]:
    """What the writer lays out for ``inspection``, per sheet: the SHA-256 of its name, title,
    columns, title-block values and every row (cells, editable fields, grouping, picture).

    Rendered with :meth:`Lookups.fixed` reference data, so the guide, a profile or the
    calendar never change it; the writer does. The current layout records the fingerprints
    of a fixed reference record (``kit.workbook.CURRENT_LAYOUT.rendered``), and a test fails
    when the writer no longer gives them: the layout changed and needs a new number.
    """
    lookups = Lookups.fixed(inspection)
    out = {}
    for sheet in render(inspection, audit, lookups):
        values = placeholders(inspection, lookups, digest="0" * 64,
                              exported_at=FINGERPRINT_TIME, sheet=sheet)
        described = {
            "name": sheet.name, "title": sheet.title, "form": sheet.form,
            "open_rows": sheet.open_rows, "placeholders": values,
            "columns": [[c.key, c.header, c.kind, c.required] for c in sheet.columns],
            "rows": [{"values": [_typed(v) for v in row.values], "group": row.group,
                      "picture": row.picture,
                      "fields": {str(i): [f.path, f.kind, f.code, f.required]
                                 for i, f in row.fields.items()}}
                     for row in sheet.rows],
        }
        out[sheet.name] = sha256_hex(dumps(described))
    return out


def _typed(value: Any) -> Any:
    """A cell value as JSON that keeps its type (a date is not its text)."""
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


# -- reading the seal ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Embedded:
    """What the hidden sheet holds, as read, before any check."""

    values: Mapping[str, str]
    manifest_text: str
    record_text: str
    audit_text: str
    certificate_text: str = ""


def open_workbook(path: Path) -> Any:
    """The workbook in read-only mode, or a KitError a user can act on.

    Its archive is checked first (:func:`kit.files.xlsx_problems`): a zip bomb is refused
    before anything is inflated.
    """
    if path.is_file():
        problems = xlsx_problems(path) or extent_problems(
            path, max_rows=WORKBOOK_MAX_ROWS, max_columns=WORKBOOK_MAX_COLUMNS,
            max_cells=WORKBOOK_MAX_CELLS)
        if problems:
            raise ValidationError(problems, str(path))
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
                    texts.get("audit", ""), texts.get("certificate", ""))


def certificate_of(emb: Embedded) -> Certificate | None:
    """The signer's certificate the hidden sheet carries, or None (none, or not readable)."""
    if not emb.certificate_text:
        return None
    cert = proof.Certificate(emb.certificate_text.encode("ascii", "replace"))
    try:
        _ = cert.x509
    except KitError:
        return None
    return cert


def _seal_problem(code: str, zh: str, en: str, key: str = "") -> Problem:
    return Problem(code, zh, en, sheet=SEAL_SHEET, column=key)


def check_embedded(emb: Embedded, key: bytes | None) -> tuple[list[Problem], dict[str, Any]]:
    """Problems with the hidden sheet's digests and seal, and the parsed manifest.

    The manifest's ``format`` is the number of the layout the workbook holds: one written by
    the current layout's writer before that layout had its own number (2 with 证据材料) is
    read as the current layout, which it is (:func:`layout_of` tells it by its sealed sheets).
    """
    problems: list[Problem] = []
    try:
        manifest = json.loads(emb.manifest_text)
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except ValueError:
        problems.append(_seal_problem("workbook.manifest", "校验信息已损坏",
                                      "the verification data is damaged", "manifest"))
        return problems, {}
    layout = layout_of(manifest)
    if layout is not None and layout.is_current:
        manifest["format"] = FORMAT
    if sha256_hex(emb.record_text) != manifest.get("record_sha256"):
        problems.append(_seal_problem(
            "workbook.record_digest", "嵌入的检查记录与导出时的 SHA-256 摘要不符（隐藏数据被修改）",
            "the embedded record does not match its SHA-256 digest", "record"))
    if sha256_hex(emb.audit_text) != manifest.get("audit_sha256"):
        problems.append(_seal_problem(
            "workbook.audit_digest", "嵌入的审计记录与导出时的摘要不符",
            "the embedded audit trail does not match its digest", "audit"))
    for name in ("inspection_id", "exported_at", "record_sha256", "seal_kind"):
        if str(manifest.get(name, "")) != emb.values.get(name, ""):
            problems.append(_seal_problem("workbook.seal_field", f"校验信息“{name}”被修改",
                                          f"the stored {name} was changed", name))
    kind = manifest.get("seal_kind")
    seal = emb.values.get("seal", "")
    if kind == SIGNATURE:
        problems += _signature_problems(emb, manifest, seal)
    elif key is not None and kind != HMAC:
        problems.append(_seal_problem(
            "workbook.seal_downgraded", "本机构的工作簿应带机构签名，此工作簿的封签却是普通摘要"
            "（签名被去掉后重算，视为伪造）",
            "the office signs its workbooks, this one carries a plain digest: the seal was "
            "replaced without the key", "seal"))
    elif kind == HMAC and key is None:
        problems.append(Problem(
            "workbook.key_needed", f"本工作簿由旧版以 HMAC 封签（仅能证明完整，企业无法核验），"
            f"需设置 {SIGNING_KEY_ENV} 才能核验其封签", f"an earlier release's HMAC seal "
            f"(integrity only; the company cannot check it): set {SIGNING_KEY_ENV} to check it",
            sheet=SEAL_SHEET, column="seal", severity="warning"))
    elif not hmac.compare_digest(seal_of(emb.manifest_text, key if kind == HMAC else None),
                                 seal):
        problems.append(_seal_problem("workbook.seal", "校验封签不符（隐藏数据或签名被修改）",
                                      "the seal does not match", "seal"))
    return problems, manifest


def _signature_problems(emb: Embedded, manifest: Mapping[str, Any], seal: str) -> list[Problem]:
    """What is wrong with a signed seal: the certificate missing or not the one the manifest
    names, or the signature not the certificate's of the manifest."""
    cert = certificate_of(emb)
    if cert is None:
        return [_seal_problem("workbook.certificate", "签名证书缺失或无法读取",
                              "the signer's certificate is missing or unreadable", "certificate")]
    if cert.fingerprint != manifest.get("certificate_sha256"):
        return [_seal_problem(
            "workbook.certificate", f"签名证书被替换：现为 {cert.describe()}，签名时为 "
            f"{manifest.get('certificate_sha256')}", "the signer's certificate was swapped "
            "for another", "certificate")]
    try:
        signature = base64.b64decode(seal, validate=True)
    except (ValueError, binascii.Error):
        signature = b""
    if not cert.verify(emb.manifest_text.encode("utf-8"), signature):
        return [_seal_problem(
            "workbook.signature", f"签名与校验信息不符（校验信息或签名被修改；签名者 {cert.subject}）",
            "the signature does not match the verification data (changed after signing)",
            "seal")]
    return []


def embedded_state(
    emb: Embedded, manifest: Mapping[str, Any]
) -> tuple[Inspection, list[dict[str, Any]], Lookups]:
    """The exported record, audit entries and reference data, parsed from the hidden sheet."""
    record = from_doc(json.loads(emb.record_text), what="嵌入的检查记录 embedded record")
    audit = json.loads(emb.audit_text) if emb.audit_text else []
    return record, list(audit), Lookups.replay(manifest.get("lookups") or {})


def missing_sheets(wb: Any, sheets: Sequence[str]) -> list[Problem]:
    """A problem for each of ``sheets`` the workbook no longer has."""
    return [Problem("workbook.sheet_missing", f"缺少工作表“{name}”",
                    f"sheet {name!r} is missing", sheet=name)
            for name in sheets if name not in wb.sheetnames]


def compare_visible(wb: Any, emb: Embedded, manifest: Mapping[str, Any],
                     exported_at: datetime | None,
                     written: WorkbookLayout = CURRENT_LAYOUT) -> list[Problem]:
    """Every visible cell of the sheets of ``written`` this kit renders as its kit did
    (:attr:`WorkbookLayout.compared`) against a rendering of the embedded record, and every
    sheet of it that is missing."""
    try:
        record, audit, lookups = embedded_state(emb, manifest)
        layouts = render(record, audit, lookups)
    except (ValueError, KitError, ReplayError) as exc:
        return [_seal_problem("workbook.record_invalid", f"嵌入的检查记录无法读取：{exc}",
                              "the embedded record cannot be read", "record")]
    problems = missing_sheets(wb, written.sheets)
    sheets = manifest.get("sheets") or {}
    when = exported_at or datetime.min
    formats = KIT_FORMATS | {normal_format(f) for f in manifest.get("formats") or ()}
    compared = written.compared
    for layout in layouts:
        if layout.name not in compared or layout.name not in wb.sheetnames:
            continue
        if layout.name in written.headers:  # the same cells under that kit's headers
            layout = replace(layout, columns=tuple(
                replace(c, header=h) for c, h in zip(
                    layout.columns, written.headers[layout.name], strict=True)))
        meta = sheets.get(layout.name) or {}
        values = placeholders(record, lookups, digest=str(manifest.get("record_sha256", "")),
                              exported_at=when, sheet=layout)
        expected = expected_cells(layout, meta, values)
        problems += _diff_sheet(wb[layout.name], layout, expected, int(meta.get("header_row", 1)),
                                formats)
    return problems


def expected_cells(layout: SheetLayout, meta: Mapping[str, Any],
                   values: Mapping[str, str]) -> dict[tuple[int, int], Any]:
    """Every non-empty cell the sheet showed at export, by (row, column), 1-based."""
    cells: dict[tuple[int, int], Any] = {}
    for r, c, text in meta.get("title") or ():
        cells[(int(r), int(c))] = cell_text(fill_placeholders(str(text), values))
    header = int(meta.get("header_row", 1))
    for c, col in enumerate(layout.columns, 1):
        cells[(header, c)] = col.header
    for i, row in enumerate(layout.rows, header + 1):
        for c, v in enumerate(row.values, 1):
            if v is not None and v != "":
                cells[(i, c)] = v
    return {k: v for k, v in cells.items() if v not in (None, "")}


def read_cells(ws: Any, check: Callable[[Any], Problem | None] | None = None,
               found: list[Problem] | None = None) -> dict[tuple[int, int], tuple[Any, str]]:
    """Every non-empty cell of a read-only sheet: (row, column) -> (value, data type).

    With ``check``, each non-empty cell is also looked at as a reader sees it (its number
    format, font), and what ``check`` says is added to ``found`` (the first 50).
    """
    cells = {}
    for row in ws.iter_rows():
        for cell in row:
            value = getattr(cell, "value", None)
            if value is not None and value != "":
                cells[(cell.row, cell.column)] = (value, cell.data_type)
                if check is not None and found is not None and len(found) < MAX_CELL_PROBLEMS:
                    problem = check(cell)
                    if problem is not None:
                        found.append(problem)
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
                header_row: int, formats: frozenset[str]) -> list[Problem]:
    seen: list[Problem] = []
    actual = read_cells(ws, lambda cell: cell_view_problem(cell, layout.name, formats), seen)
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
        problems = [*problems[:MAX_CELL_PROBLEMS], Problem(
            "workbook.more_changes", f"{layout.name} 另有 {more} 处不同未列出",
            f"{more} more differences in {layout.name}", sheet=layout.name)]
    return seen + problems
