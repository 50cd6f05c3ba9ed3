"""Signed PDFs, tried as the company (a PDF reader, ``kit verify``) and as an attacker would.

The company checks with pyHanko's validator (``kit verify F.pdf``) and with poppler's
``pdfsig``, what a PDF reader shows. The attacker holds the signed file, the office's
certificate and a key pair of their own whose self-signed certificate carries the office's
very name; each attempt is refused with its reason.
"""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import cms, keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter, copy_into_new_writer
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from kit.cli import main
from kit.errors import KitError
from kit.proof import Certificate, Signer, sign_pdf, verify_pdf

needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None,
                                  reason="poppler-utils' pdfsig is needed")


def plain_pdf(text: str = "Notice 001") -> bytes:
    """A one-page A4 PDF saying ``text`` (what LibreOffice prints, in small)."""
    w = PdfFileWriter()
    font = w.add_object(generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Font"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
        generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica")}))
    resources = generic.DictionaryObject({generic.pdf_name("/Font"): generic.DictionaryObject(
        {generic.pdf_name("/F1"): font})})
    content = generic.StreamObject(stream_data=f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode())
    box = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)])
    w.insert_page(PageObject(w.add_object(content), box, resources))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def signed(office: Signer) -> bytes:
    return sign_pdf(plain_pdf(), office, field="KitSignature", reason="出具 issued")


def pdfsig(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "checked.pdf"
    path.write_bytes(data)
    run = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    return run.stdout + run.stderr


def test_the_office_signs_and_anyone_checks_it_with_the_certificate_alone(
        signed: bytes, office: Signer) -> None:
    verdict = verify_pdf(signed, [office.certificate])
    assert verdict.exit_code == 0, verdict.reasons
    assert (verdict.signer, verdict.fingerprint) == (office.certificate.subject,
                                                     office.certificate.fingerprint)


def test_a_signer_not_configured_is_named_and_not_trusted(signed: bytes, office: Signer) -> None:
    verdict = verify_pdf(signed, [])
    assert verdict.exit_code == 3
    assert verdict.intact
    assert office.certificate.fingerprint in " ".join(verdict.reasons)


@needs_pdfsig
def test_a_pdf_reader_shows_who_signed_and_that_the_whole_file_is_signed(
        signed: bytes, office: Signer, tmp_path: Path) -> None:
    said = pdfsig(signed, tmp_path)
    assert "Signature is Valid." in said
    assert "Total document signed" in said
    assert f"Common Name: {office.certificate.subject}" in said
    assert "ETSI.CAdES.detached" in said  # PAdES


def test_kit_verify_reads_a_signed_pdf_with_the_one_exit_code_table(
        signed: bytes, office: Signer, trust: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notice.pdf"
    path.write_bytes(signed)
    assert main(["verify", str(path)]) == 0
    assert office.certificate.fingerprint in capsys.readouterr().out
    path.write_bytes(plain_pdf())
    assert main(["verify", str(path)]) == 2  # no signature: nothing of the kit to check
    assert "没有数字签名" in capsys.readouterr().err


def test_what_is_not_a_pdf_is_refused_with_a_message_not_a_traceback(office: Signer) -> None:
    with pytest.raises(KitError, match="不是可签名的 PDF"):
        sign_pdf(b"%PDF-1.7 not really", office, field="S", reason="r")
    assert verify_pdf(b"%PDF-1.4\n%%EOF", [office.certificate]).exit_code == 2


# -- the attacker -------------------------------------------------------------------------------
def test_a_served_pdf_edited_by_an_incremental_update_is_changed(
        signed: bytes, office: Signer, tmp_path: Path) -> None:
    """What a PDF editor does when it saves: append the changed objects after the signature."""
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    edited = generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 760 Td (Notice 002) Tj ET")
    page[generic.pdf_name("/Contents")] = w.add_object(edited)
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    verdict = verify_pdf(out.getvalue(), [office.certificate])
    assert verdict.exit_code == 1
    assert "增量更新" in " ".join(verdict.reasons)
    if shutil.which("pdfsig"):
        assert "Total document signed" not in pdfsig(out.getvalue(), tmp_path)


def test_a_served_pdf_rewritten_in_place_is_changed(signed: bytes, office: Signer,
                                                     tmp_path: Path) -> None:
    """Bytes changed inside what the signature covers (the same length, no update added)."""
    edited = signed.replace(b"(Notice 001)", b"(Notice 002)")
    assert edited != signed
    verdict = verify_pdf(edited, [office.certificate])
    assert verdict.exit_code == 1
    assert "摘要不符" in " ".join(verdict.reasons)
    if shutil.which("pdfsig"):
        assert "Signature is Valid." not in pdfsig(edited, tmp_path)


def test_a_served_pdf_written_anew_loses_the_offices_signature(
        signed: bytes, office: Signer) -> None:
    """A full rewrite (every object written out again, as a PDF tool's "save as" does)."""
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(signed)))
    out = io.BytesIO()
    writer.write(out)
    verdict = verify_pdf(out.getvalue(), [office.certificate])
    assert verdict.exit_code in (1, 2)
    assert verdict.exit_code != 0


def test_re_signed_with_another_key_in_the_offices_name_is_not_trusted(
        signed: bytes, office: Signer, attacker: Signer) -> None:
    """The attacker edits, then signs the result with their own key pair in the office's name."""
    edited = sign_pdf(plain_pdf("Notice 002: no findings"), attacker, field="KitSignature",
                      reason="出具 issued")
    verdict = verify_pdf(edited, [office.certificate])
    assert verdict.exit_code == 3
    assert verdict.signer == office.certificate.subject  # the same name on the certificate...
    assert verdict.fingerprint == attacker.certificate.fingerprint  # ...but not the same key
    assert attacker.certificate.fingerprint in " ".join(verdict.reasons)
    # signing the office's own signed file again: the later signature is the attacker's
    again = verify_pdf(sign_pdf(signed, attacker, field="Second", reason="r"),
                       [office.certificate])
    assert again.exit_code != 0
    assert attacker.certificate.fingerprint in " ".join(again.reasons)


def _swap_certificate(data: bytes, cert: Certificate) -> bytes:
    """The signed PDF with the certificate in its signature replaced by ``cert`` (the bytes the
    signature covers untouched): the attacker's claim that someone else signed."""
    m = re.search(rb"/Contents <([0-9a-fA-F]+)>", data)
    assert m is not None
    hexed = m.group(1)
    info = cms.ContentInfo.load(bytes.fromhex(hexed.decode()).rstrip(b"\0") + b"\0\0")
    signed_data = info["content"]
    new = asn1_x509.Certificate.load(cert.x509.public_bytes(serialization.Encoding.DER))
    signed_data["certificates"] = cms.CertificateSet([cms.CertificateChoices("certificate", new)])
    signer_info = signed_data["signer_infos"][0]
    signer_info["sid"] = cms.SignerIdentifier("issuer_and_serial_number", {
        "issuer": new.issuer, "serial_number": new.serial_number})
    raw = info.dump(force=True).hex().encode()
    assert len(raw) <= len(hexed)
    return data[:m.start(1)] + raw + b"0" * (len(hexed) - len(raw)) + data[m.end(1):]


def test_swapping_the_certificate_breaks_the_signature(
        office: Signer, attacker: Signer) -> None:
    # the attacker's signature shown as the office's: the office's certificate put in it
    forged = _swap_certificate(sign_pdf(plain_pdf("Notice 002"), attacker, field="KitSignature",
                                        reason="r"), office.certificate)
    verdict = verify_pdf(forged, [office.certificate])
    assert verdict.exit_code == 1
    assert "证书被替换" in " ".join(verdict.reasons)


# -- B-T: a timestamp from a server (a local RFC 3161 responder, no network) -------------------
@pytest.fixture(scope="module")
def tsa() -> Iterator[tuple[str, Certificate]]:
    """A tiny RFC 3161 timestamp server on 127.0.0.1: pyHanko's test TSA behind HTTP."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kit test TSA")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(der),
        tsa_key=keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            reply = asyncio.run(stamper.async_request_tsa_response(request)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield (f"http://127.0.0.1:{server.server_address[1]}/",
               Certificate(cert.public_bytes(serialization.Encoding.PEM)))
    finally:
        server.shutdown()
        server.server_close()


def test_b_t_a_timestamp_from_the_server_is_in_the_signature_and_checked(
        office: Signer, tsa: tuple[str, Certificate], tmp_path: Path) -> None:
    url, tsa_cert = tsa
    data = sign_pdf(plain_pdf(), office, field="KitSignature", reason="出具 issued",
                    timestamp_url=url)
    verdict = verify_pdf(data, [office.certificate, tsa_cert])
    assert verdict.exit_code == 0, verdict.reasons
    assert any(r.startswith("时间戳 timestamp: ") for r in verdict.reasons)
    if shutil.which("pdfsig"):
        said = pdfsig(data, tmp_path)
        assert "Signature is Valid." in said
        assert "Total document signed" in said


def test_a_timestamp_server_that_does_not_answer_is_said(office: Signer) -> None:
    with pytest.raises(KitError, match="时间戳服务器"):
        sign_pdf(plain_pdf(), office, field="S", reason="r",
                 timestamp_url="http://127.0.0.1:9/")
