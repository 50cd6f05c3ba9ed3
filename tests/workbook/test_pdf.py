"""kit export … F.pdf: the printed record through LibreOffice, read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kit.errors import KitError
from kit.interchange import demo_file, export_pdf, import_json
from kit.store import Store

needs_office = pytest.mark.skipif(
    (shutil.which("libreoffice") is None and shutil.which("soffice") is None)
    or shutil.which("pdftotext") is None, reason="LibreOffice and pdftotext are needed")


def pages_and_text(pdf: Path) -> tuple[int, str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.count("\f"), text


@pytest.mark.slow
@needs_office
def test_the_printed_record_holds_the_opinion_findings_and_deadlines(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store(data_dir=data) as store:
        iid = import_json(store, demo_file(), user="张明")
    out = tmp_path / "record.pdf"
    run = subprocess.run([sys.executable, "-m", "kit", "export", iid, "--data-dir", str(data),
                          "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    pages, text = pages_and_text(out)
    assert pages <= 20  # the record without its trail: the demo's 80 pages were 62 of trail
    flat = "".join(text.split())  # cells wrap: compare without the line breaks
    for needle in ("企业质量管理体系总体运行正常",  # the opinion
                   "补传产品唯一标识数据",  # a requirement (its cell wraps after this)
                   "2026-12-11", "复查合格", "现场复查"):
        assert needle in flat, needle
    with_trail = tmp_path / "with-trail.pdf"
    with Store(data_dir=data) as store:
        export_pdf(store, iid, with_trail, with_audit=True)
    assert pages_and_text(with_trail)[0] > pages


def test_without_libreoffice_it_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(data_dir=tmp_path) as store:
        iid = import_json(store, demo_file(), user="张明")
        monkeypatch.setattr(shutil, "which", lambda _name: None)
        with pytest.raises(KitError, match="LibreOffice is not installed"):
            export_pdf(store, iid, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
