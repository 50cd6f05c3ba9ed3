"""JSON interchange: export an inspection, import one with every problem listed first.

An exported file is the record's document form (see :mod:`kit.record`), valid against
``kit/data/inspection.schema.json``. Import reads defensively: size, encoding, JSON syntax
(with line and column), duplicate keys, NaN, nesting depth, the schema, then the model; it
lists every problem and writes nothing unless there are none.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from kit.errors import (
    ConflictError,
    InputError,
    KitError,
    NotFoundError,
    Problem,
    ValidationError,
)
from kit.evidence import MAX_BYTES
from kit.notices import compose
from kit.record import FORMAT_VERSION, NOTICE_KINDS, Inspection, parse_doc, to_doc
from kit.resources import DATA_DIR, shipped_dir
from kit.schemas import check_file
from kit.session import export_doc, open_inspection, save_new
from kit.store import Store
from kit.workbook import (
    SHEET_NAMES,
    fit_rows_for_print,
    notice_sheet,
    read_workbook,
    workbook_inspection_id,
    write_notices,
    write_workbook,
)

__all__ = [
    "DEMO_ID",
    "EVIDENCE_KEY",
    "MAX_DEPTH",
    "MAX_JSON_BYTES",
    "demo_file",
    "demo_inspection",
    "export_json",
    "export_notice",
    "export_pdf",
    "export_workbook",
    "import_json",
    "import_workbook",
    "load_demo",
    "parse_json_bytes",
    "parse_json_file",
    "pictures_of",
]

MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64


#: the key beside the record's fields that carries its evidence's bytes (base64, by SHA-256)
EVIDENCE_KEY = "evidence"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def export_json(store: Store, inspection_id: str, out: Path) -> Path:
    """The record as JSON, its evidence's bytes beside it (``evidence``: SHA-256 -> type and
    base64), so that an import elsewhere holds the photos and signatures too."""
    doc = export_doc(store, inspection_id)
    evidence = {}
    for a in (doc.get("attachments") or {}).values():
        for digest in (a.get("sha256"), a.get("thumb_sha256")):
            if digest and digest not in evidence:
                with contextlib.suppress(NotFoundError):
                    mime, data = store.blob(digest)
                    evidence[digest] = {"mime": mime,
                                        "base64": base64.b64encode(data).decode("ascii")}
    if evidence:
        doc[EVIDENCE_KEY] = dict(sorted(evidence.items()))
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out


def _evidence(data: Any, file: str) -> tuple[dict[str, tuple[str, bytes]], list[Problem]]:
    """The evidence a JSON file carries, each checked against its hash; and what is wrong."""
    out: dict[str, tuple[str, bytes]] = {}
    problems = []
    if not isinstance(data, dict):
        return out, [Problem("json.evidence", "evidence 应为对象", "evidence must be an object",
                             field=f"/{EVIDENCE_KEY}", file=file)]
    for digest, item in data.items():
        where = f"/{EVIDENCE_KEY}/{digest}"
        try:
            if not _HEX64.fullmatch(digest) or not isinstance(item, dict):
                raise ValueError("not a SHA-256 with its type and bytes")
            raw = base64.b64decode(str(item.get("base64", "")), validate=True)
        except (ValueError, binascii.Error) as exc:
            problems.append(Problem("json.evidence", f"证据材料无法读取：{exc}", str(exc),
                                    field=where, file=file))
            continue
        if hashlib.sha256(raw).hexdigest() != digest or len(raw) > MAX_BYTES:
            problems.append(Problem("json.evidence", "证据材料的内容与其 SHA-256 不符（已被改动）",
                                    "the evidence does not match its hash", field=where,
                                    file=file))
            continue
        out[digest] = (str(item.get("mime") or "application/octet-stream"), raw)
    return out, problems


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of ``value``, stopping once past ``limit``."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            return deepest
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        stack.extend((c, d + 1) for c in children if isinstance(c, dict | list))
    return deepest


def parse_json_bytes(raw: bytes, file: str = "") -> Inspection:
    """Parse and check an inspection document from bytes; raise with every problem."""
    return parse_json_file(raw, file)[0]


def parse_json_file(raw: bytes, file: str = ""
                    ) -> tuple[Inspection, dict[str, tuple[str, bytes]]]:
    """An exported file's record and the evidence it carries, every problem raised at once."""

    def fail(code: str, zh: str, en: str, **where: Any) -> ValidationError:
        return ValidationError([Problem(code, zh, en, file=file, **where)], file or "JSON")

    if not raw.strip():
        raise fail("json.empty", "文件为空", "the file is empty")
    if len(raw) > MAX_JSON_BYTES:
        raise fail(
            "json.too_large", f"文件超过 {MAX_JSON_BYTES // 2**20} MiB", "the file is too large"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(
            "json.encoding", f"不是 UTF-8 编码（第 {exc.start} 字节）", "not UTF-8 text"
        ) from None
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not allowed")

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise fail(
            "json.syntax",
            f"JSON 格式错误：{exc.msg}",
            exc.msg,
            row=exc.lineno,
            column=str(exc.colno),
        ) from None
    except (ValueError, RecursionError) as exc:
        raise fail("json.value", f"JSON 内容无效：{exc}", str(exc)) from None
    problems = [
        Problem("json.duplicate_key", f"重复的键 {k!r}", f"duplicate key {k!r}", file=file)
        for k in duplicates
    ]
    evidence: dict[str, tuple[str, bytes]] = {}
    if isinstance(data, dict) and EVIDENCE_KEY in data:
        evidence, found = _evidence(data.pop(EVIDENCE_KEY), file)
        problems += found
    if _depth(data, MAX_DEPTH) > MAX_DEPTH:
        raise fail("json.depth", f"嵌套超过 {MAX_DEPTH} 层", "nested too deeply")
    if isinstance(data, dict) and data.get("format_version") not in (None, FORMAT_VERSION):
        problems.append(
            Problem(
                "json.format_version",
                f"不支持的格式版本 {data.get('format_version')!r}",
                "unsupported format_version",
                field="/format_version",
                file=file,
            )
        )
    for where, zh, en in check_file(data, DATA_DIR / "inspection.schema.json"):
        problems.append(
            Problem("json.schema", f"不符合检查记录格式：{zh}", en, field="/" + where, file=file)
        )
    inspection, model_problems = parse_doc(data)
    seen = {(p.field, p.code) for p in problems}
    problems += [
        replace(p, file=file)
        for p in model_problems
        if (p.field, "json.schema") not in seen and (p.field, p.code) not in seen
    ]
    if problems:
        raise ValidationError(_dedupe(problems), file or "JSON")
    return inspection, evidence


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """One problem per field: the schema and the model often report the same place."""
    fields: set[str] = set()
    out = []
    for p in problems:
        key = p.field or p.code
        if key in fields and p.field:
            continue
        fields.add(key)
        out.append(p)
    return out


def import_json(store: Store, path: Path, *, user: str, as_new: bool = False) -> str:
    """Import an exported inspection; return its id. Nothing is written on any problem.

    An id already in the store is refused unless the stored record is identical (then this is
    a no-op) or ``as_new`` asks for a fresh id. A copy made with ``as_new`` has served no
    notice: its notices are left out (their numbers are the original's, never given twice).
    """
    if not path.is_file():
        msg = f"找不到文件 {path} / no such file"
        raise NotFoundError(msg)
    inspection, evidence = parse_json_file(path.read_bytes(), str(path))

    def keep_evidence() -> None:  # the bytes first, once nothing stands in the way
        for _digest, (mime, data) in evidence.items():
            store.put_blob(data, mime, user=user)

    if as_new or not inspection.id:
        keep_evidence()
        return save_new(store, replace(inspection, id="", notices={}), user=user,
                        action="import")
    try:
        existing = export_doc(store, inspection.id)
    except NotFoundError:
        keep_evidence()
        return save_new(store, inspection, user=user, action="import")
    if existing == to_doc(inspection):
        keep_evidence()
        return inspection.id
    msg = (
        f"检查记录 {inspection.id} 已存在且内容不同，未导入；如需作为新记录导入，请使用 --as-new"
        f" / inspection {inspection.id} exists with other content; nothing imported"
        " (use --as-new to import a copy)"
    )
    raise ConflictError(msg)


def export_workbook(store: Store, inspection_id: str, out: Path) -> Path:
    """Write the inspection's workbook, sealed, after its trail is verified.

    A record whose audit trail does not verify (a value changed without its entry, a broken
    chain, missing protections) is refused with every problem listed: a seal must never vouch
    for a record that was changed without a trace.
    """
    inspection = _verified(store, inspection_id)
    return write_workbook(inspection, out, audit=store.audit(inspection_id),
                          pictures=pictures_of(store, inspection))


def pictures_of(store: Store, inspection: Inspection) -> dict[str, bytes]:
    """The evidence's thumbnails the workbook places, by SHA-256 (those the store has)."""
    out = {}
    for a in inspection.attachments.values():
        if a.thumb_sha256 and a.thumb_sha256 not in out:
            with contextlib.suppress(NotFoundError):  # verify reports the missing bytes
                out[a.thumb_sha256] = store.blob(a.thumb_sha256)[1]
    return out


def _verified(store: Store, inspection_id: str) -> Inspection:
    """The stored inspection, once its trail verifies; else every problem, raised."""
    problems = store.verify(inspection_id)
    if problems:
        raise ValidationError(problems, f"检查记录 {inspection_id} 的审计记录核验未通过，未导出 / "
                                        f"the trail of {inspection_id} does not verify; not exported")
    return open_inspection(store, inspection_id)


#: how long LibreOffice may take to print a record (it starts cold in a fresh profile)
PDF_TIMEOUT_S = 180
AUDIT_SHEET = SHEET_NAMES[-1]  # the trail, last


def export_pdf(store: Store, inspection_id: str, out: Path, *, with_audit: bool = False
               ) -> Path:
    """The printed record: its workbook rendered to PDF by LibreOffice, followed by the
    notices issued so far (检查结果告知书, 整改通知书), the audit trail as an appendix only
    with ``with_audit`` (it is most of the pages). The same checks as the workbook come
    first; without LibreOffice, a clear :class:`KitError`."""
    soffice = _soffice()
    inspection = _verified(store, inspection_id)
    with tempfile.TemporaryDirectory(prefix="kit-pdf-") as tmp:
        work = Path(tmp)
        book = write_workbook(inspection, work / f"{out.stem}.xlsx",
                              audit=store.audit(inspection_id) if with_audit else (),
                              pictures=pictures_of(store, inspection))
        # the printout only (the sealed workbook stays as exported): the notices issued so
        # far after the record, and no empty trail page unless the trail is asked for
        wb = load_workbook(book)
        for ws in wb.worksheets:
            if ws.sheet_state == "visible":
                fit_rows_for_print(ws)
        trail = wb[AUDIT_SHEET]
        if not with_audit:
            trail.sheet_state = "hidden"
        for kind in NOTICE_KINDS:
            if kind in inspection.notices and inspection.notices[kind].number:
                ws = notice_sheet(wb, compose(inspection, kind))
                if with_audit:  # the trail stays the last, an appendix
                    wb.move_sheet(ws, offset=wb.index(trail) - wb.index(ws))
        wb.save(book)
        return _to_pdf(soffice, book, out)


def export_notice(store: Store, inspection_id: str, kinds: Sequence[str], out: Path) -> Path:
    """The notices of ``kinds`` as a workbook (``.xlsx``) or a PDF to print and serve; a
    notice not yet issued prints as a draft, its number left for issuing."""
    for kind in kinds:
        if kind not in NOTICE_KINDS:
            msg = (f"没有这种文书：{kind}（可用：result、rectification） / no such notice "
                   f"{kind!r}: result or rectification")
            raise InputError(msg)
    inspection = open_inspection(store, inspection_id)
    texts = [compose(inspection, k) for k in kinds]  # type: ignore[arg-type]
    if out.suffix.lower() != ".pdf":
        return write_notices(texts, out)
    soffice = _soffice()
    with tempfile.TemporaryDirectory(prefix="kit-pdf-") as tmp:
        book = write_notices(texts, Path(tmp) / f"{out.stem}.xlsx")
        return _to_pdf(soffice, book, out)


def _soffice() -> str:
    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    if soffice is None:
        msg = ("未找到 LibreOffice，无法生成 PDF：请安装（Debian: apt-get install "
               "libreoffice-calc-nogui），或导出 .xlsx 后自行打印 / LibreOffice is not installed: "
               "install it, or export .xlsx and print that")
        raise KitError(msg)
    return soffice


def _to_pdf(soffice: str, book: Path, out: Path) -> Path:
    """``book`` printed to ``out`` by LibreOffice, in a throwaway profile."""
    work = book.parent
    try:
        subprocess.run([soffice, f"-env:UserInstallation=file://{work / 'profile'}",
                        "--headless", "--convert-to", "pdf", "--outdir", str(work),
                        str(book)], check=True, capture_output=True, timeout=PDF_TIMEOUT_S)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        msg = f"LibreOffice 未能生成 PDF / LibreOffice could not print the record: {exc}"
        raise KitError(msg) from None
    made = work / f"{book.stem}.pdf"
    if not made.is_file():
        msg = "LibreOffice 未生成 PDF 文件 / LibreOffice wrote no PDF"
        raise KitError(msg)
    shutil.move(str(made), out)
    return out


log = logging.getLogger(__name__)

#: the steps of a workbook's import, as :func:`import_workbook` reports them
IMPORT_STEPS = ("读取工作簿 reading", "核对每个单元格 checking", "保存 saving")


def import_workbook(store: Store, path: Path, *, user: str,
                    on_step: Callable[[str], object] | None = None
                    ) -> tuple[str, dict[str, int]]:
    """Apply a workbook filled in by hand to its inspection; return its id and how many
    changes were applied to each part of the record (``{"results": 12, "findings": 2}``).

    Every cell is checked first; any problem raises with its sheet and cell and nothing is
    applied. What is applied goes into the audit trail as one ``import``. ``on_step`` is told
    each of :data:`IMPORT_STEPS` as it starts (``kit import`` draws a bar); the changes are
    logged by part of the record.
    """
    step = on_step or (lambda _name: None)
    if not path.is_file():
        msg = f"找不到文件 {path} / no such file"
        raise NotFoundError(msg)
    step(IMPORT_STEPS[0])
    iid = workbook_inspection_id(path)
    current = open_inspection(store, iid)
    step(IMPORT_STEPS[1])
    changes = read_workbook(path, current, used_keys=store.keys_ever(iid, "findings"))
    step(IMPORT_STEPS[2])
    if changes:
        store.set_many(iid, {c.path: c.value for c in changes}, user=user, action="import")
    parts = dict(sorted(Counter(c.path.split("/", 1)[0] for c in changes).items()))
    log.info("imported %s into %s: %d change(s) %s", path.name, iid, len(changes), parts)
    return iid, parts


DEMO_ID = "demo-2026-1119"


def load_demo(store: Store, *, user: str) -> str:
    """Make sure the sample company's finished demo inspection is in the store; return its id."""
    try:
        store.load(DEMO_ID)
    except NotFoundError:
        return import_json(store, demo_file(), user=user)
    return DEMO_ID


def demo_file() -> Path:
    """The sample company's finished demo inspection as shipped (``sample_data``)."""
    return shipped_dir("sample_data") / "demo_inspection.json"


def demo_inspection() -> Inspection:
    """The demo inspection as a model object, straight from the shipped file (no store)."""
    return parse_json_bytes(demo_file().read_bytes(), str(demo_file()))
