"""Fixtures of the proof tests: the office's trial key pair, and an attacker's in the same name."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.proof import Signer, init_keys

OFFICE = "北京市药品监督管理局第七分局"


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="session")
def office(keys: Path) -> Signer:
    """The office's trial key pair (a self-signed certificate the office trusts)."""
    return init_keys(keys, authority=OFFICE, office="北京市药品监督管理局")


@pytest.fixture(scope="session")
def attacker(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    """A key pair anyone can make, its self-signed certificate in the office's very name."""
    return init_keys(tmp_path_factory.mktemp("attacker"), authority=OFFICE,
                     office="北京市药品监督管理局")


@pytest.fixture
def trust(office: Signer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The office's configured trust folder, holding the office's certificate only."""
    folder = tmp_path / "trust"
    folder.mkdir()
    (folder / "office.pem").write_bytes(office.cert_pem())
    monkeypatch.setenv("KIT_TRUST_DIR", str(folder))
    return folder
