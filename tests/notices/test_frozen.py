"""A notice frozen when it is issued: its signed PDF kept as evidence and printed byte for byte
ever after, its service a signed record beside it, and what changed in the record since."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from kit.door import Door, Identity
from kit.errors import InputError
from kit.interchange import (
    LocalNotary,
    demo_file,
    export_notice,
    export_pdf,
    import_json,
    issued_pdf,
)
from kit.notices import compose, notice_changes, notice_doc
from kit.proof import Signer, init_keys, verify_pdf
from kit.session import Session

pytestmark = pytest.mark.skipif(
    shutil.which("libreoffice") is None and shutil.which("soffice") is None,
    reason="LibreOffice prints the notices")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    """The office's trial key pair: what the signing component signs with."""
    return init_keys(tmp_path_factory.mktemp("keys"), authority="北京市药品监督管理局")


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory, office: Signer
           ) -> tuple[Door, str, bytes]:
    """The demo with its result notice issued (frozen) through the signing component."""
    folder = tmp_path_factory.mktemp("frozen")
    door = Door.connect(f"sqlite:///{folder}/kit.sqlite", identity=Identity("张明"))
    iid = import_json(door, demo_file())
    Session(door, iid).issue_notice("result", notary=LocalNotary(door, office))
    data = issued_pdf(door, iid, "result")
    assert data is not None
    return door, iid, data


def test_issuing_keeps_the_signed_notice_as_evidence_named_in_the_trail(
        issued: tuple[Door, str, bytes], office: Signer) -> None:
    door, iid, data = issued
    ins = door.inspection(iid)
    notice = ins.notices["result"]
    kept = ins.attachments[notice.pdf]
    assert (kept.target, kept.mime) == ("notices/result", "application/pdf")
    assert any(e.path is not None and e.path.startswith(f"attachments/{notice.pdf}")
               for e in door.audit(iid))  # the hash is in the trail
    verdict = verify_pdf(data, [office.certificate])
    assert verdict.exit_code == 0, verdict.reasons
    assert verdict.signer == office.certificate.subject
    assert json.loads(notice.issued_text)["number"] == notice.number


@pytest.mark.skipif(shutil.which("pdfsig") is None or shutil.which("pdftotext") is None,
                    reason="poppler-utils")
def test_a_pdf_reader_shows_the_notice_signed_whole_with_its_signatures(
        issued: tuple[Door, str, bytes], office: Signer, tmp_path: Path) -> None:
    door, iid, data = issued
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    said = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in said
    assert "Total document signed" in said
    assert office.certificate.subject in said
    text = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                  text=True).stdout.split())
    ins = door.inspection(iid)
    leader = ins.team[ins.leaders[0]].name
    assert f"检查组长（签字）：{leader}" in text  # the template's signatures, with the picture
    assert "手写签名" in text
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True,
                            text=True).stdout.splitlines()[2:]
    assert len(images) >= 2  # each inspector's drawn signature (and the stamp)


def test_printing_an_issued_notice_gives_the_same_bytes_after_the_record_changed(
        issued: tuple[Door, str, bytes], tmp_path: Path) -> None:
    door, iid, data = issued
    session = Session(door, iid)
    key = sorted(session.inspection.findings)[0]
    before = notice_doc(compose(session.inspection, "result"))
    session.set(f"findings/{key}/description", "事后改过的问题描述")
    out = export_notice(door, iid, ["result"], tmp_path / "again.pdf")
    assert out.read_bytes() == data
    changes = notice_changes(json.loads(session.inspection.notices["result"].issued_text),
                             notice_doc(compose(session.inspection, "result")))
    assert [c.part for c in changes] == ["问题 1 finding 1"]
    assert "事后改过的问题描述" in changes[0].current
    assert changes[0].issued == "｜".join(before["table_rows"][0])
    # issuing again changes nothing: the number and the frozen PDF are kept
    assert session.issue_notice("result") == session.inspection.notices["result"].number
    assert issued_pdf(door, iid, "result") == data


def test_the_service_is_a_signed_record_beside_the_notice(
        issued: tuple[Door, str, bytes], office: Signer, tmp_path: Path) -> None:
    door, iid, data = issued
    session = Session(door, iid)
    session.serve_notice("result", on=date(2026, 11, 20), received_by="陈示例",
                         notary=LocalNotary(door, office))
    ins = session.inspection
    notice = ins.notices["result"]
    kept = ins.attachments[notice.service]
    assert kept.target == "notices/result/service"
    proof = door.evidence(iid, kept.sha256)[1]
    assert verify_pdf(proof, [office.certificate]).exit_code == 0
    assert issued_pdf(door, iid, "result") == data  # the notice itself is untouched
    if shutil.which("pdftotext"):
        path = tmp_path / "service.pdf"
        path.write_bytes(proof)
        text = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                      text=True).stdout.split())
        assert ins.attachments[notice.pdf].sha256 in text  # it names what was served
        assert "签收人：陈示例" in text


def test_two_issued_notices_print_one_at_a_time(issued: tuple[Door, str, bytes],
                                                tmp_path: Path) -> None:
    door, iid, _ = issued
    with pytest.raises(InputError, match="逐份打印"):
        export_notice(door, iid, ["result", "rectification"], tmp_path / "both.pdf")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdfsig") is None or shutil.which("pdftotext") is None,
                    reason="poppler-utils")
def test_the_printed_record_is_signed_and_shows_the_drawn_signatures(
        issued: tuple[Door, str, bytes], office: Signer, tmp_path: Path) -> None:
    door, iid, _ = issued
    out = export_pdf(door, iid, tmp_path / "record.pdf", signer=office)
    assert verify_pdf(out.read_bytes(), [office.certificate]).exit_code == 0
    said = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True).stdout
    assert "Total document signed" in said
    text = "".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True,
                                  text=True).stdout.split())
    ins = door.inspection(iid)
    for a in ins.attachments.values():
        if a.kind == "signature":  # each drawn signature beside its name, who and when
            assert f"{a.signer}手写于" in text
