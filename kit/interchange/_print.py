"""The printed record and notices: the workbook rendered to PDF by LibreOffice, signed.

An issued notice is frozen: its PDF was kept as evidence when it was issued (its hash in the
trail) and printing it gives exactly those bytes. What the signing component signs it renders
here from the store itself (:func:`signed_record_pdf`, :func:`signed_notice_pdf`,
:func:`signed_service_pdf`), never from bytes a caller hands it; :class:`LocalNotary` is that
component in the same process (a command with the authority's key pair at hand).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import load_workbook

from kit import proof
from kit.config import settings
from kit.door import Checkpointer, Door, local_checkpointer
from kit.errors import InputError, KitError, NotFoundError
from kit.interchange._json import export_json
from kit.interchange._workbook import export_workbook, pictures_of, verified
from kit.notices import compose, service_lines
from kit.proof import Signer
from kit.record import NOTICE_KINDS, Inspection, NoticeKind
from kit.workbook import (
    PDF_TIMEOUT_S,
    SHEET_NAMES,
    fit_rows_for_print,
    notice_pdf,
    notice_sheet,
    print_pdf,
    print_signatures,
    service_pdf,
    soffice,
    write_notices,
    write_workbook,
)

__all__ = ["EXPORT_FORMATS", "PDF_TIMEOUT_S", "LocalNotary", "export_notice", "export_pdf",
           "issued_pdf", "signed_export", "signed_notice_pdf", "signed_record_pdf",
           "signed_service_pdf"]

AUDIT_SHEET = SHEET_NAMES[-1]  # the trail, last
SIGNATURES_SHEET = SHEET_NAMES[4]  # 签字确认
RECORD_FIELD, NOTICE_FIELD, SERVICE_FIELD = "KitRecordSignature", "KitNoticeSignature", \
    "KitServiceSignature"


def export_pdf(door: Door, inspection_id: str, out: Path, *, with_audit: bool = False,
               signer: Signer | None = None) -> Path:
    """The printed record: its workbook rendered to PDF by LibreOffice, followed by the
    notices issued so far (检查结果告知书, 整改通知书), the audit trail as an appendix only
    with ``with_audit`` (it is most of the pages); signed by ``signer`` when given. The same
    checks as the workbook come first; without LibreOffice, a clear :class:`KitError`."""
    data = _record_pdf(door, inspection_id, with_audit=with_audit)
    if signer is not None:
        data = proof.sign_pdf(data, signer, field=RECORD_FIELD, reason="检查记录 inspection record",
                              location=signer.authority, timestamp_url=settings().timestamp_url)
    out.write_bytes(data)
    return out


def signed_record_pdf(door: Door, inspection_id: str, signer: Signer) -> bytes:
    """The printed record rendered from the store (its trail verified first) and signed."""
    return proof.sign_pdf(_record_pdf(door, inspection_id, with_audit=False), signer,
                          field=RECORD_FIELD, reason="检查记录 inspection record",
                          location=signer.authority, timestamp_url=settings().timestamp_url)


def _record_pdf(door: Door, inspection_id: str, *, with_audit: bool) -> bytes:
    soffice()
    inspection = verified(door, inspection_id)
    pictures = _pictures(door, inspection)
    with tempfile.TemporaryDirectory(prefix="kit-pdf-") as tmp:
        work = Path(tmp)
        book = write_workbook(inspection, work / "record.xlsx",
                              audit=door.audit(inspection_id) if with_audit else (),
                              pictures=pictures_of(door, inspection))
        # the printout only (the sealed workbook stays as exported): the drawn signatures on
        # 签字确认, the notices issued so far after the record, and no empty trail page
        # unless the trail is asked for
        wb = load_workbook(book)
        for ws in wb.worksheets:
            if ws.sheet_state == "visible":
                fit_rows_for_print(ws)
        print_signatures(wb[SIGNATURES_SHEET], inspection, pictures)
        trail = wb[AUDIT_SHEET]
        if not with_audit:
            trail.sheet_state = "hidden"
        for kind in NOTICE_KINDS:
            if kind in inspection.notices and inspection.notices[kind].number:
                ws = notice_sheet(wb, compose(inspection, kind), pictures=pictures)
                if with_audit:  # the trail stays the last, an appendix
                    wb.move_sheet(ws, offset=wb.index(trail) - wb.index(ws))
        wb.save(book)
        return print_pdf(book, work / "record.pdf").read_bytes()


def _pictures(door: Door, inspection: Inspection) -> dict[str, bytes]:
    """The drawn signatures' pictures by SHA-256 (legible: the drawing, else its thumbnail)."""
    out: dict[str, bytes] = {}
    for a in inspection.attachments.values():
        if a.kind != "signature":
            continue
        for digest in (a.sha256, a.thumb_sha256):
            if digest and digest not in out:
                try:
                    out[digest] = door.evidence(inspection.id, digest)[1]
                except NotFoundError:
                    continue
    return out


def issued_pdf(door: Door, inspection_id: str, kind: str) -> bytes | None:
    """The issued notice's frozen PDF (the bytes kept when it was issued), or None for a
    notice not issued, or issued by an earlier kit that kept none."""
    inspection = door.inspection(inspection_id)
    notice = inspection.notices.get(kind)
    if notice is None or not notice.pdf or notice.pdf not in inspection.attachments:
        return None
    digest = inspection.attachments[notice.pdf].sha256
    data = door.evidence(inspection_id, digest)[1]
    if hashlib.sha256(data).hexdigest() != digest:
        msg = (f"{kind} 文书存证的 PDF 与其 SHA-256 不符 / the issued notice's PDF does not "
               "match its hash")
        raise KitError(msg)
    return data


def signed_notice_pdf(door: Door, inspection_id: str, kind: str, signer: Signer) -> bytes:
    """The notice of ``kind`` as issued, signed: rendered from the store when it is being
    issued (it has its number, no frozen PDF yet), else the frozen bytes as they are (a notice
    once issued is never made again). A notice without a number is refused."""
    _kind(kind)
    frozen = issued_pdf(door, inspection_id, kind)
    if frozen is not None:
        return frozen
    inspection = door.inspection(inspection_id)
    notice = inspection.notices.get(kind)
    if notice is None or not notice.number:
        msg = (f"文书 {kind} 尚未出具（没有文号），不能签署 / the notice has not been issued: no "
               "number, nothing to sign")
        raise InputError(msg)
    text = compose(inspection, kind)  # type: ignore[arg-type]
    data = notice_pdf(text, _pictures(door, inspection))
    return proof.sign_pdf(data, signer, field=NOTICE_FIELD,
                          reason=f"出具 {text.title} {notice.number}", location=text.office,
                          timestamp_url=settings().timestamp_url)


def signed_service_pdf(door: Door, inspection_id: str, kind: str, signer: Signer) -> bytes:
    """The proof of service (送达回证) of the notice of ``kind``, rendered from the store (the
    service recorded, the issued PDF's hash named) and signed."""
    _kind(kind)
    inspection = door.inspection(inspection_id)
    data = _service_pdf(inspection, kind)  # type: ignore[arg-type]
    return proof.sign_pdf(data, signer, field=SERVICE_FIELD,
                          reason=f"送达 {inspection.notices[kind].number}",
                          location=signer.authority, timestamp_url=settings().timestamp_url)


def _service_pdf(inspection: Inspection, kind: NoticeKind) -> bytes:
    notice = inspection.notices.get(kind)
    if notice is None or notice.served_on is None:
        msg = f"文书 {kind} 尚未送达 / the notice has not been served"
        raise InputError(msg)
    pdf = inspection.attachments.get(notice.pdf)
    title, lines = service_lines(inspection, kind, pdf.sha256 if pdf is not None else "")
    return service_pdf(title, lines)


class LocalNotary:
    """The signing component in this process: what it signs it renders from the store through
    its own door (a session hands it an inspection's id and a notice's kind, never bytes)."""

    def __init__(self, door: Door, signer: Signer) -> None:
        self.door, self.signer = door, signer

    def notice_pdf(self, inspection_id: str, kind: str) -> bytes:
        return signed_notice_pdf(self.door, inspection_id, kind, self.signer)

    def service_pdf(self, inspection_id: str, kind: str) -> bytes:
        return signed_service_pdf(self.door, inspection_id, kind, self.signer)

    def record_pdf(self, inspection_id: str) -> bytes:
        """The printed record, rendered from the store and signed."""
        return signed_record_pdf(self.door, inspection_id, self.signer)

    def checkpoint(self, inspection_id: str) -> int:
        """Sign the trail's head as a checkpoint; its seq."""
        return self.door.checkpoint(inspection_id, self.signer)

    def export(self, inspection_id: str, fmt: str) -> bytes:
        """The record exported as ``xlsx`` or ``json``, rendered from the store and signed."""
        return signed_export(self.door, inspection_id, fmt, self.signer)

    @property
    def checkpointer(self) -> Checkpointer:
        """For ``Door(checkpointer=...)``: each milestone's checkpoint signed here."""
        return local_checkpointer(self.signer)


EXPORT_FORMATS = ("xlsx", "json")


def signed_export(door: Door, inspection_id: str, fmt: str, signer: Signer) -> bytes:
    """The workbook (``xlsx``) or JSON record (``json``) as ``kit export`` writes it, signed."""
    if fmt not in EXPORT_FORMATS:
        msg = f"不支持的导出格式 {fmt!r}（可用：xlsx、json） / no such export format: xlsx or json"
        raise InputError(msg)
    with tempfile.TemporaryDirectory(prefix="kit-export-") as tmp:
        out = Path(tmp) / f"{inspection_id}.{fmt}"
        if fmt == "json":
            export_json(door, inspection_id, out, signer=signer)
        else:
            export_workbook(door, inspection_id, out, signer=signer)
        return out.read_bytes()


def export_notice(door: Door, inspection_id: str, kinds: Sequence[str], out: Path) -> Path:
    """The notices of ``kinds`` as a workbook (``.xlsx``) or a PDF to print and serve. An issued
    notice prints as the PDF kept when it was issued, byte for byte (one notice a file: each is
    signed on its own); a notice not yet issued prints as a draft, its number left for
    issuing."""
    for kind in kinds:
        _kind(kind)
    pdf = out.suffix.lower() == ".pdf"
    if pdf:
        frozen = [k for k in kinds if issued_pdf(door, inspection_id, k) is not None]
        if frozen and len(kinds) > 1:
            msg = (f"已出具的文书（{'、'.join(frozen)}）各自是一份出具时存证的 PDF，请逐份打印："
                   f"kit notice print {inspection_id} {frozen[0]} --out F.pdf / an issued notice "
                   "is a PDF of its own, kept when it was issued: print one at a time")
            raise InputError(msg)
        if frozen:
            data = issued_pdf(door, inspection_id, frozen[0])
            assert data is not None
            out.write_bytes(data)
            return out
    inspection = door.inspection(inspection_id)
    texts = [compose(inspection, k) for k in kinds]  # type: ignore[arg-type]
    pictures = _pictures(door, inspection)
    if not pdf:
        return write_notices(texts, out, pictures)
    soffice()
    with tempfile.TemporaryDirectory(prefix="kit-pdf-") as tmp:
        book = write_notices(texts, Path(tmp) / f"{out.stem}.xlsx", pictures)
        return print_pdf(book, out)


def _kind(kind: str) -> None:
    if kind not in NOTICE_KINDS:
        msg = (f"没有这种文书：{kind}（可用：result、rectification、suspension） / no such "
               f"notice {kind!r}: result, rectification or suspension")
        raise InputError(msg)
