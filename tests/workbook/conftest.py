"""Fixtures of the workbook tests: the demo record exported once per module, and copies."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from kit.record import (
    Finding,
    Inspection,
    ItemResult,
)
from kit.workbook import (
    write_workbook,
)
from tests.workbook.helpers import AUDIT, EXPORTED_AT, FORMULA_LIKE, demo, with_sampling


@pytest.fixture(scope="module")
def record() -> Inspection:
    return with_sampling(demo())


@pytest.fixture(scope="module")
def exported(record: Inspection, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wb") / "demo.xlsx"
    return write_workbook(record, out, audit=AUDIT, exported_at=EXPORTED_AT)


@pytest.fixture(scope="module")
def book(exported: Path) -> Workbook:
    return load_workbook(exported)


@pytest.fixture
def copy(exported: Path, tmp_path: Path) -> Path:
    target = tmp_path / "filled.xlsx"
    shutil.copy(exported, target)
    return target


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Inspection, Path]:
    ins = demo()
    company = dataclasses.replace(ins.company, name='=HYPERLINK("http://x")')
    results = dict(ins.results)
    for i, text in enumerate(FORMULA_LIKE, 1):
        results[f"7.2.c{i}"] = ItemResult("conform", notes=text, evidence=text)
    findings = {**ins.findings, "F5": Finding("7.2.c1", "<b>x</b>", "correct_on_site", "=1+1")}
    ins = dataclasses.replace(ins, company=company, results=results, findings=findings)
    out = tmp_path_factory.mktemp("hostile") / "hostile.xlsx"
    return ins, write_workbook(ins, out, exported_at=EXPORTED_AT)
