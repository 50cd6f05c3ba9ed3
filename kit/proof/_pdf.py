"""PDFs anyone can check: PAdES signatures made and verified with pyHanko.

:func:`sign_pdf` signs a PDF as the issuing authority (PAdES B-B; B-T with a timestamp from
an RFC 3161 server when ``timestamp_url`` is given), in a visible field that shows the
authority's name, the time in Beijing and the certificate's fingerprint: any PDF reader then
shows who signed and that nothing changed since. :func:`verify_pdf` is ``kit verify F.pdf``:
every signature checked with pyHanko's validator and the certificates the office trusts,
nothing secret needed; an update appended after the last signature, a rewritten file, another
key's signature or a swapped certificate each give a verdict that says why.

The kit's own prints (the record, a notice) are rendered from the store and signed by
:mod:`kit.interchange` (``signed_record_pdf``, ``signed_notice_pdf``): this module signs and
checks bytes, it never decides what they say.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from PIL import Image, ImageDraw, ImageFont
from pyhanko import stamp
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from kit.errors import KitError
from kit.proof._keys import Certificate, Signer, Verdict

__all__ = ["PDF_KIND", "Box", "sign_pdf", "signature_box", "verify_pdf"]

PDF_KIND = "PDF"
BEIJING = ZoneInfo("Asia/Shanghai")
#: a visible signature's place: (page index, x1, y1, x2, y2) in points from the bottom left
Box = tuple[int, int, int, int, int]
STAMP_W, STAMP_H = 220, 72  # points
_SCALE = 4  # the stamp's picture: pixels per point (sharp when printed)
TIMESTAMP_TIMEOUT_S = 20
#: where a CJK font is on Debian (fonts-noto-cjk) and elsewhere, tried in order
_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def sign_pdf(data: bytes, signer: Signer, *, field: str, reason: str, location: str = "",
             timestamp_url: str | None = None, box: Box | None = None) -> bytes:
    """``data`` signed by ``signer`` (PAdES), in a new visible field ``field``.

    The field shows the authority, the signing time (Beijing) and the certificate's
    fingerprint; it sits in ``box`` (page, x1, y1, x2, y2), else at the bottom right of the
    last page. With ``timestamp_url`` the signature also carries an RFC 3161 timestamp from
    that server (PAdES B-T): it proves the signature existed then, whatever the signer's clock
    said. A file that is not a PDF, or a timestamp server that does not answer, is a
    :class:`KitError` saying so.
    """
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        pages = int(writer.root["/Pages"]["/Count"])
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        msg = f"不是可签名的 PDF 文件：{exc} / not a PDF that can be signed"
        raise KitError(msg) from None
    if box is None:
        box = _default_box(writer, pages - 1)
    page, *rect = box
    now = datetime.now(BEIJING)
    picture = _stamp_picture(signer, now)
    style = stamp.TextStampStyle(
        stamp_text=" ", border_width=0, background=PdfImage(picture),
        background_opacity=1.0)
    meta = signers.PdfSignatureMetadata(
        field_name=field, reason=reason, location=location or None, name=signer.authority,
        md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES)
    certificates = [signer.certificate, *signer.chain]
    cms = signers.SimpleSigner(
        signing_cert=_asn1(signer.certificate),
        signing_key=_private_key(signer),
        cert_registry=SimpleCertificateStore.from_certs(
            [_asn1(c) for c in certificates]))
    timestamper = (HTTPTimeStamper(timestamp_url, timeout=TIMESTAMP_TIMEOUT_S)
                   if timestamp_url else None)
    pdf_signer = signers.PdfSigner(
        meta, cms, timestamper=timestamper, stamp_style=style,
        new_field_spec=fields.SigFieldSpec(field, on_page=page, box=tuple(rect)))  # type: ignore[arg-type]
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=out)
    except (SigningError, PdfError) as exc:
        msg = f"PDF 签名失败：{exc} / the PDF could not be signed"
        raise KitError(msg) from None
    except OSError as exc:  # the timestamp server (requests' errors are OSErrors)
        msg = (f"时间戳服务器 {timestamp_url} 无应答：{exc} / the timestamp server did not "
               "answer")
        raise KitError(msg) from None
    return out.getvalue()


def verify_pdf(data: bytes, trusted: Sequence[Certificate]) -> Verdict:
    """Whether a signed PDF is unchanged since its last signature and who signed it.

    Every signature is checked (its digest over the bytes it covers, the signature by the
    certificate it carries, a timestamp's when there is one); the last one must cover the
    whole file: anything appended after it (an incremental update: a note, a changed field,
    another page) is a change. Trust is the office's (:meth:`Verdict.of_signature`): the
    signer's certificate among ``trusted`` or issued by one of them.
    """
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        return Verdict.not_a_kit_file(f"PDF 文件已损坏，无法读取：{exc} / a damaged PDF")
    if not signatures:
        return Verdict.not_a_kit_file(
            "PDF 没有数字签名：无从核验是否被改动、由谁出具 / the PDF carries no signature: "
            "nothing shows who made it or whether it was changed")
    with _quiet():
        return _verdict(signatures, [_asn1(c) for c in trusted], trusted)


def _verdict(signatures: list[Any], roots: list[asn1_x509.Certificate],
             trusted: Sequence[Certificate]) -> Verdict:
    reasons: list[str] = []
    intact = True
    certificate: Certificate | None = None
    for sig in signatures:
        name = sig.field_name
        try:
            status = validate_pdf_signature(
                sig, signer_validation_context=_context(roots),
                ts_validation_context=_context(roots))
        except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
            intact = False
            if "signing certificate" in str(exc).lower():  # the certificate the signature binds
                reasons.append(f"签名 {name} 中的证书被替换：签名所绑定的证书与所附证书不符 / "
                               f"signature {name}'s certificate was swapped: it is not the one "
                               "the signature binds")
            else:
                reasons.append(f"签名 {name} 无法核验：{exc} / signature {name} cannot be checked")
            continue
        certificate = Certificate(_pem(status.signing_cert))
        if not status.intact:
            intact = False
            reasons.append(f"签名 {name} 之后内容被改动（摘要不符）/ the content changed after "
                           f"signature {name}: its digest does not match")
        elif not status.valid:
            intact = False
            reasons.append(f"签名 {name} 与所附证书不符（证书被替换或签名被伪造）/ signature "
                           f"{name} does not match its certificate: swapped or forged")
        ts = status.timestamp_validity
        if ts is not None and not (ts.intact and ts.valid):
            intact = False
            reasons.append(f"签名 {name} 的时间戳无效 / signature {name}'s timestamp is invalid")
        elif ts is not None:
            reasons.append(f"时间戳 timestamp: {ts.timestamp.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}"
                           "（北京时间 Beijing）")
    last = signatures[-1]
    if intact and last.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        intact = False
        reasons.append(
            f"最后一个签名（{last.field_name}）之后文件被追加修改（增量更新）/ the file was "
            "changed after its last signature (an incremental update appended)")
    if certificate is None:
        return Verdict(False, False, "", "", tuple(reasons), PDF_KIND)
    return Verdict.of_signature(PDF_KIND, certificate, intact, trusted, reasons)


def signature_box(page: int, x: float, y: float) -> Box:
    """A stamp-sized box on ``page`` whose lower left corner is (``x``, ``y``) points."""
    return (page, round(x), round(y), round(x + STAMP_W), round(y + STAMP_H))


# -- pieces -------------------------------------------------------------------------------------
@contextmanager
def _quiet() -> Iterator[None]:
    """pyHanko logs an untrusted certificate with a traceback; the verdict says it instead."""
    log = logging.getLogger("pyhanko")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _context(roots: list[asn1_x509.Certificate]) -> ValidationContext:
    """What pyHanko checks a signature path against: the office's certificates, offline (no
    revocation look-ups: trust is decided by :meth:`Verdict.of_signature`)."""
    return ValidationContext(trust_roots=roots, allow_fetching=False,
                             revocation_mode="soft-fail")


def _asn1(cert: Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(_der(cert))


def _der(cert: Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.x509.public_bytes(Encoding.DER)


def _pem(cert: asn1_x509.Certificate) -> bytes:
    from asn1crypto import pem

    return bytes(pem.armor("CERTIFICATE", cert.dump()))


def _private_key(signer: Signer) -> Any:
    from pyhanko.keys import load_private_key_from_pemder_data

    return load_private_key_from_pemder_data(signer.key_pem(), passphrase=None)


def _default_box(writer: IncrementalPdfFileWriter, page: int) -> Box:
    """The bottom right of ``page``, inside a 36 pt margin."""
    try:
        media = writer.find_page_for_modification(page)[0]["/MediaBox"]
        width = float(media[2]) - float(media[0])
    except (KeyError, IndexError, TypeError, ValueError):
        width = 595.0  # A4
    return signature_box(page, width - 36 - STAMP_W, 40)


@cache
def _font_path() -> str | None:
    for path in _FONTS:
        if Path(path).is_file():
            return path
    fc = shutil.which("fc-match")
    if fc is None:
        return None
    try:
        found = subprocess.run([fc, "-f", "%{file}", ":lang=zh-cn"], capture_output=True,
                               text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found or None


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_path()
    if path is None:
        return ImageFont.load_default(size)
    index = 2 if path.endswith("NotoSansCJK-Regular.ttc") else 0  # Simplified Chinese face
    try:
        return ImageFont.truetype(path, size, index=index)
    except OSError:
        return ImageFont.truetype(path, size)


def _stamp_picture(signer: Signer, when: datetime) -> Image.Image:
    """The visible signature: who signed (the certificate's name), when, and its fingerprint."""
    w, h = STAMP_W * _SCALE, STAMP_H * _SCALE
    picture = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(picture)
    red = (178, 34, 34)
    draw.rectangle((0, 0, w - 1, h - 1), outline=red, width=2 * _SCALE)
    cert = signer.certificate
    lines = [
        (f"{cert.subject}", 13, red),
        ("电子签名 Digitally signed", 9, (40, 40, 40)),
        (f"时间 {when:%Y-%m-%d %H:%M:%S}（北京时间）", 9, (40, 40, 40)),
        (f"证书 SHA-256 {cert.fingerprint[:32]}", 7, (40, 40, 40)),
        (f"{cert.fingerprint[32:]}", 7, (40, 40, 40)),
    ]
    y = 5 * _SCALE
    for text, size, colour in lines:
        font = _font(size * _SCALE)
        while draw.textlength(text, font=font) > w - 12 * _SCALE and size > 6:
            size -= 1
            font = _font(size * _SCALE)
        draw.text((6 * _SCALE, y), text, fill=colour, font=font)
        y += round(size * 1.35 * _SCALE)
    return picture
