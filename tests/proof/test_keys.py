"""The office's key pairs: made for trials, loaded as PEM or PKCS#12, trusted only as configured."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from kit.cli import main
from kit.errors import KitError
from kit.proof import (
    Certificate,
    Signer,
    Verdict,
    authority_dir,
    init_keys,
    load_signer,
    trusted_certificates,
)
from tests.proof.conftest import OFFICE


def test_a_trial_key_pair_is_made_for_the_authority_with_its_key_private(
        office: Signer, keys: Path) -> None:
    home = authority_dir(keys, OFFICE)
    assert stat.S_IMODE((home / "key.pem").stat().st_mode) == 0o600
    cert = Certificate.from_file(home / "cert.pem")
    assert cert.subject == OFFICE
    assert cert.self_signed
    assert cert.fingerprint == office.certificate.fingerprint
    assert len(cert.fingerprint) == 64
    signature = office.sign(b"record")
    assert cert.verify(b"record", signature)
    assert not cert.verify(b"recorD", signature)
    with pytest.raises(KitError, match="不会覆盖"):
        init_keys(keys, authority=OFFICE)


def test_load_signer_reads_the_pem_pair_or_a_pkcs12_file_with_its_passphrase(
        office: Signer, keys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_signer(OFFICE, keys).certificate == office.certificate
    monkeypatch.setenv("KIT_KEYS_DIR", str(keys))
    assert load_signer().authority == OFFICE  # the only one there
    p12 = authority_dir(tmp_path, "北京市药品监督管理局")
    p12.mkdir()
    (p12 / "key.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"office", office.key, office.certificate.x509, None,
        serialization.BestAvailableEncryption("口令".encode())))
    monkeypatch.setenv("KIT_KEY_PASSPHRASE", "口令")
    loaded = load_signer("北京市药品监督管理局", tmp_path)
    assert loaded.certificate.fingerprint == office.certificate.fingerprint
    monkeypatch.setenv("KIT_KEY_PASSPHRASE", "wrong")
    with pytest.raises(KitError, match="KIT_KEY_PASSPHRASE"):
        load_signer("北京市药品监督管理局", tmp_path)
    with pytest.raises(KitError, match="找不到"):
        load_signer("北京市药品监督管理局第八分局", tmp_path)


def test_a_certificate_in_the_offices_name_is_not_trusted_its_fingerprint_is(
        office: Signer, attacker: Signer, trust: Path) -> None:
    trusted = trusted_certificates()
    assert [c.fingerprint for c in trusted] == [office.certificate.fingerprint]
    verdict = Verdict.of_signature("test", attacker.certificate, True, trusted)
    assert attacker.certificate.subject == office.certificate.subject
    assert (verdict.trusted, verdict.exit_code) == (False, 3)
    assert attacker.certificate.fingerprint in verdict.reasons[-1]
    assert "自签名" in verdict.reasons[-1]
    assert Verdict.of_signature("test", office.certificate, True, trusted).exit_code == 0
    assert Verdict.of_signature("test", office.certificate, False, trusted).exit_code == 1
    assert Verdict.not_a_kit_file("x").exit_code == 2


def test_kit_keys_init_makes_the_pair_and_says_it_is_for_trials(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "init", "--authority", "北京市药品监督管理局", "--dir",
                 str(tmp_path)]) == 0
    said = capsys.readouterr().out
    assert "试用" in said
    assert "for trials" in said
    assert main(["keys", "show", "--dir", str(tmp_path)]) == 0
    assert load_signer(directory=tmp_path).certificate.fingerprint in capsys.readouterr().out
    assert main(["keys", "init", "--dir", str(tmp_path)]) == 2
