"""Shared fixtures: test data lives in tests/data/, found through :func:`data_file`."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA_DIR = Path(__file__).parent / "data"


def data_file(*parts: str) -> Path:
    """Path of a fixture file under tests/data/."""
    path = DATA_DIR.joinpath(*parts)
    if not path.exists():
        msg = f"missing test fixture {path}"
        raise FileNotFoundError(msg)
    return path


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test ever writes to the user's real data directory."""
    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path_factory.mktemp("kit-data")))
    monkeypatch.delenv("KIT_DB_URL", raising=False)
