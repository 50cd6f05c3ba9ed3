"""Fixtures of the analytics tests: an office that grades findings (templates/ copied, its
grading scheme chosen, KIT_TEMPLATES_DIR pointing at the copy)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kit.resources import shipped_dir


@pytest.fixture
def office_scheme(tmp_path, monkeypatch) -> Callable[[str], Path]:
    """``office_scheme("nmpa2015")``: from now on the office grades by that scheme."""

    def choose(name: str) -> Path:
        folder = tmp_path / f"templates-{name}"
        shutil.copytree(shipped_dir("templates"), folder)
        grading = folder / "grading.yaml"
        text = grading.read_text(encoding="utf-8")
        assert "\nscheme: none\n" in text
        grading.write_text(text.replace("\nscheme: none\n", f"\nscheme: {name}\n"),
                           encoding="utf-8")
        monkeypatch.setenv("KIT_TEMPLATES_DIR", str(folder))
        return folder

    return choose
