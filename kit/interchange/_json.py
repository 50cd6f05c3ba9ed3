"""JSON interchange: export an inspection, import one with every problem listed first.

An exported file is the record's document form (see :mod:`kit.record`), valid against
``kit/data/inspection.schema.json``, its evidence's bytes beside it. Import reads defensively:
size, encoding, JSON syntax (with line and column), duplicate keys, NaN, nesting depth, the
schema, the model, then every code the record names (a handling kind, an item, a member); it
lists every problem and writes nothing unless there are none.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from kit.door import Door
from kit.errors import ConflictError, KitError, NotFoundError, Problem, ValidationError
from kit.evidence import MAX_BYTES
from kit.interchange._workbook import verified
from kit.proof import Certificate, Signer, Verdict
from kit.record import (
    FORMAT_VERSION,
    Inspection,
    code_problems,
    flatten,
    known_in,
    parse_doc,
    to_doc,
)
from kit.resources import DATA_DIR
from kit.schemas import canonical_json, check_file

__all__ = [
    "EVIDENCE_KEY",
    "MAX_DEPTH",
    "MAX_JSON_BYTES",
    "SIGNATURE_KEY",
    "export_json",
    "import_json",
    "parse_json_bytes",
    "parse_json_file",
    "verify_json",
]

MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64


#: the key beside the record's fields that carries its evidence's bytes (base64, by SHA-256)
EVIDENCE_KEY = "evidence"
#: the key beside the record's fields that carries the authority's signature of the rest
SIGNATURE_KEY = "signature"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def export_json(door: Door, inspection_id: str, out: Path, *,
                signer: Signer | None = None) -> Path:
    """The record as JSON, its evidence's bytes beside it (``evidence``: SHA-256 -> type and
    base64), so that an import elsewhere holds the photos and signatures too.

    With ``signer`` the record is exported only once its trail verifies, and ``signature``
    carries the signer's signature of everything else in the file (its canonical JSON) and
    the certificate: ``kit verify F.json`` checks it with no secret.
    """
    if signer is not None:
        verified(door, inspection_id)
    doc = door.document(inspection_id)
    evidence = {}
    for a in (doc.get("attachments") or {}).values():
        for digest in (a.get("sha256"), a.get("thumb_sha256")):
            if digest and digest not in evidence:
                with contextlib.suppress(NotFoundError):
                    mime, data = door.evidence(inspection_id, digest)
                    evidence[digest] = {"mime": mime,
                                        "base64": base64.b64encode(data).decode("ascii")}
    if evidence:
        doc[EVIDENCE_KEY] = dict(sorted(evidence.items()))
    if signer is not None:
        signed = canonical_json(doc).encode("utf-8")
        doc[SIGNATURE_KEY] = {
            "kind": "x509-signature", "sha256": hashlib.sha256(signed).hexdigest(),
            "signature": base64.b64encode(signer.sign(signed)).decode("ascii"),
            "certificate": signer.cert_pem().decode("ascii")}
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
    if isinstance(data, dict):
        data.pop(SIGNATURE_KEY, None)  # checked by kit verify; the record is what it signs
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
    if not problems:  # what the record's codes name (an unknown item, handling, member...)
        doc = to_doc(inspection)
        problems += [replace(p, field="/" + p.field, file=file)
                     for p in code_problems(flatten(doc).items(), known_in(doc))]
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


def import_json(door: Door, path: Path, *, as_new: bool = False) -> str:
    """Import an exported inspection; return its id. Nothing is written on any problem.

    An id already in the store is refused unless the stored record is identical (then this is
    a no-op) or ``as_new`` asks for a fresh id. A copy made with ``as_new`` has served no
    notice: its notices are left out (their numbers are the original's, never given twice).
    """
    if not path.is_file():
        msg = f"找不到文件 {path} / no such file"
        raise NotFoundError(msg)
    inspection, evidence = parse_json_file(path.read_bytes(), str(path))
    if as_new or not inspection.id:
        return door.create(replace(inspection, id="", notices={}), action="import",
                           evidence=evidence)
    try:
        existing = door.document(inspection.id)
    except NotFoundError:
        return door.create(inspection, action="import", evidence=evidence)
    if canonical_json(existing) == canonical_json(to_doc(inspection)):
        door.import_evidence(evidence)
        return inspection.id
    msg = (
        f"检查记录 {inspection.id} 已存在且内容不同，未导入；如需作为新记录导入，请使用 --as-new"
        f" / inspection {inspection.id} exists with other content; nothing imported"
        " (use --as-new to import a copy)"
    )
    raise ConflictError(msg)


def verify_json(path: Path, trusted: list[Certificate]) -> Verdict:
    """Whether an exported JSON record is as signed, and by whom (``kit verify F.json``).

    Not JSON, or not a record of the kit: exit code 2. Its signature checked against the
    certificate it carries: anything changed since signing (a value, the evidence, the
    certificate swapped) is changed (1); intact, its signer trusted or not (0 or 3).
    An unsigned record is checked for its evidence's hashes only, and never trusted.
    """
    kind = "JSON 记录 JSON record"
    try:
        raw = Path(path).read_bytes()
        if len(raw) > MAX_JSON_BYTES:
            return Verdict.not_a_kit_file(f"{path} 超过 64 MiB / larger than 64 MiB")
        data = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        return Verdict.not_a_kit_file(f"{path} 不是 JSON 文件：{exc} / not a JSON file")
    if not isinstance(data, dict) or "id" not in data or "company" not in data:
        return Verdict.not_a_kit_file(f"{path} 不是检查工具包导出的记录 / not a record of the kit")
    block = data.pop(SIGNATURE_KEY, None)
    _, evidence_problems = _evidence(data.get(EVIDENCE_KEY) or {}, str(path))
    changed = [str(p) for p in evidence_problems]
    if block is None:
        return Verdict(not changed, False, "", "", (*changed, (
            "未签名：任何人都能制作此文件 / not signed: anyone can write this file")), kind)
    try:
        cert = Certificate(str(block["certificate"]).encode("ascii"))
        _ = cert.x509
        signature = base64.b64decode(str(block["signature"]), validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error, KitError):
        return Verdict(False, False, "", "", ("签名信息已损坏 / the signature block is damaged",),
                       kind)
    if not cert.verify(canonical_json(data).encode("utf-8"), signature):
        changed.insert(0, f"签名与内容不符：签名后记录、证据材料或证书被修改（签名者 {cert.subject}）"
                          " / the signature does not match: changed since it was signed")
    return Verdict.of_signature(kind, cert, not changed, trusted, changed)
