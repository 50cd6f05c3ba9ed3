"""``kit verify`` on signed workbooks and JSON records, tried as the company and as an attacker.

The company holds no secret: it checks with the certificate alone. An attacker holds the
public material (the file, the certificate) and any key pair of their own, even one whose
self-signed certificate carries the office's name. Each attempt is refused with its reason.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kit.cli import main
from kit.door import Door, Identity
from kit.interchange import demo_file, export_json, import_json, verify_file
from kit.proof import Signer, trusted_certificates
from kit.schemas import canonical_json
from kit.store import Store
from kit.workbook import write_workbook
from tests.workbook.helpers import EXPORTED_AT, demo


@pytest.fixture(scope="module")
def signed(office: Signer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workbook(demo(), tmp_path_factory.mktemp("wb") / "signed.xlsx",
                          exported_at=EXPORTED_AT, signer=office)


def _hidden(path: Path) -> tuple[object, dict[str, object]]:
    wb = load_workbook(path)
    return wb, {r[0].value: r for r in wb["_kit"].iter_rows()}


def _verify(path: Path, capsys: pytest.CaptureFixture[str], *trust: Path) -> tuple[int, str]:
    code = main(["verify", str(path), *[a for t in trust for a in ("--trust", str(t))]])
    return code, capsys.readouterr().out


def test_the_company_verifies_a_signed_workbook_with_no_secret(
        signed: Path, office: Signer, trust: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, said = _verify(signed, capsys)
    assert code == 0, said
    assert office.certificate.subject in said
    assert office.certificate.fingerprint in said


def test_without_the_offices_certificate_configured_it_is_intact_but_untrusted(
        signed: Path, office: Signer, capsys: pytest.CaptureFixture[str],
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_TRUST_DIR", str(tmp_path))  # trusts nothing
    code, said = _verify(signed, capsys)
    assert code == 3
    assert office.certificate.fingerprint in said
    cert = tmp_path / "given.pem"
    cert.write_bytes(office.cert_pem())
    assert _verify(signed, capsys, cert)[0] == 0  # --trust CERT


def test_an_edited_workbook_re_signed_with_another_key_in_the_offices_name_is_not_trusted(
        attacker: Signer, trust: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    record = demo()
    forged = write_workbook(dataclasses.replace(record, findings={}),
                            tmp_path / "forged.xlsx", exported_at=EXPORTED_AT, signer=attacker)
    code, said = _verify(forged, capsys)
    assert code == 3, said
    assert attacker.certificate.fingerprint in said
    assert "不受信任" in said


def test_an_edit_keeping_the_offices_signature_and_certificate_is_changed(
        signed: Path, tmp_path: Path, trust: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Forging with only the public material: the record edited, every digest recomputed,
    the office's signature and certificate left as they were."""
    wb, rows = _hidden(signed)
    record_text = "".join(c.value or "" for c in rows["record"][1:]).replace("陈示例", "张三丰")
    manifest = json.loads("".join(c.value or "" for c in rows["manifest"][1:]))
    manifest["record_sha256"] = hashlib.sha256(record_text.encode()).hexdigest()
    for key, text in (("record", record_text), ("manifest", canonical_json(manifest))):
        for c in rows[key][1:]:
            c.value = None
        rows[key][1].value = text
    rows["record_sha256"][1].value = manifest["record_sha256"]
    wb.save(tmp_path / "edited.xlsx")  # type: ignore[attr-defined]
    code, said = _verify(tmp_path / "edited.xlsx", capsys)
    assert code == 1
    assert "签名与校验信息不符" in said


def test_a_swapped_certificate_is_named(signed: Path, attacker: Signer, tmp_path: Path,
                                        trust: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb, rows = _hidden(signed)
    rows["certificate"][1].value = attacker.cert_pem().decode()
    wb.save(tmp_path / "swapped.xlsx")  # type: ignore[attr-defined]
    code, said = _verify(tmp_path / "swapped.xlsx", capsys)
    assert code == 1
    assert "签名证书被替换" in said


def test_an_earlier_releases_hmac_workbook_verifies_with_its_key_as_integrity_only(
        tmp_path: Path, trust: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KIT_SIGNING_KEY", "旧密钥")
    old = write_workbook(demo(), tmp_path / "old.xlsx", exported_at=EXPORTED_AT)
    code, said = _verify(old, capsys)
    assert code == 0, said
    assert "integrity only; the company cannot check it" in said
    monkeypatch.setenv("KIT_SIGNING_KEY", "另一把")
    assert _verify(old, capsys)[0] == 1
    monkeypatch.delenv("KIT_SIGNING_KEY")  # the company: no key, told why, not "changed"
    code, said = _verify(old, capsys)
    assert code == 3
    assert "the company cannot check it" in said


def test_an_unsigned_workbook_is_never_trusted(tmp_path: Path, trust: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    plain = write_workbook(demo(), tmp_path / "plain.xlsx", exported_at=EXPORTED_AT)
    code, said = _verify(plain, capsys)
    assert code == 3
    assert "not signed" in said


@pytest.mark.parametrize(("name", "content"), [
    ("notes.txt", b"hello"), ("fake.xlsx", b"PK\x03\x04 not a zip"), ("list.json", b"[1, 2]"),
    ("empty.pdf", b"")])
def test_a_file_the_kit_did_not_make_is_exit_2(name: str, content: bytes, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / name).write_bytes(content)
    assert _verify(tmp_path / name, capsys)[0] == 2


# -- the JSON record -----------------------------------------------------------------------------
@pytest.fixture
def signed_json(office: Signer, tmp_path: Path) -> Path:
    door = Door(Store(data_dir=tmp_path / "store"), Identity("张明"))
    iid = import_json(door, demo_file())
    return export_json(door, iid, tmp_path / "record.json", signer=office)


def test_a_signed_json_record_verifies_and_imports_elsewhere(
        signed_json: Path, trust: Path, tmp_path: Path) -> None:
    verdict, _ = verify_file(signed_json, trusted_certificates())
    assert verdict.exit_code == 0, verdict.reasons
    other = Door(Store(data_dir=tmp_path / "other"), Identity("李华"))
    assert import_json(other, signed_json) == "demo-2026-1119"


def test_a_json_record_edited_or_re_signed_is_refused(
        signed_json: Path, attacker: Signer, trust: Path, tmp_path: Path) -> None:
    doc = json.loads(signed_json.read_text("utf-8"))
    doc["findings"] = {}
    (tmp_path / "edited.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    verdict, _ = verify_file(tmp_path / "edited.json", trusted_certificates())
    assert verdict.exit_code == 1
    assert "签名与内容不符" in verdict.reasons[0]
    block = doc.pop("signature")
    signed = canonical_json(doc).encode()
    block.update(signature=base64.b64encode(attacker.sign(signed)).decode(),
                 certificate=attacker.cert_pem().decode())
    doc["signature"] = block
    (tmp_path / "resigned.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    verdict, _ = verify_file(tmp_path / "resigned.json", trusted_certificates())
    assert (verdict.exit_code, verdict.fingerprint) == (3, attacker.certificate.fingerprint)
