"""kit export … F.pdf: the printed record through LibreOffice, read back with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kit.door import Door, Identity
from kit.errors import KitError
from kit.interchange import demo_file, export_pdf, import_json
from kit.store import Store

needs_office = pytest.mark.skipif(
    (shutil.which("libreoffice") is None and shutil.which("soffice") is None)
    or shutil.which("pdftotext") is None, reason="LibreOffice and pdftotext are needed")


def pages_and_text(pdf: Path) -> tuple[int, str]:
    """The page count and the text in the order it was drawn (each cell's text together)."""
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.count("\f"), text


#: Noto Sans CJK's line box over its size: a word's bbox height / this = its size in points
CJK_BOX = 1.30
_WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<')


def smallest_chinese_text(pdf: Path) -> float:
    """The smallest size (points) of any word with Chinese in it, as printed (after the
    fit-to-page shrink LibreOffice applies): measured from pdftotext's word boxes."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return min((float(y1) - float(y0)) / CJK_BOX for y0, y1, word in _WORD.findall(html)
               if any("\u4e00" <= ch <= "\u9fff" for ch in word))


@pytest.mark.slow
@needs_office
def test_the_printed_record_holds_the_opinion_findings_notices_and_deadlines(tmp_path: Path
                                                                              ) -> None:
    data = tmp_path / "data"
    with Store(data_dir=data) as store:
        iid = import_json(Door(store, Identity("张明")), demo_file())
    out = tmp_path / "record.pdf"
    run = subprocess.run([sys.executable, "-m", "kit", "export", iid, "--data-dir", str(data),
                          "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    pages, text = pages_and_text(out)
    # legible on paper: nothing under 8 pt once the page is fitted (the sampling list was
    # printed at about 3 pt); rows sized to their text, so the demo is 27 pages, not 31
    assert smallest_chinese_text(out) >= 8.0
    assert pages <= 28
    flat = "".join(text.split())  # cells wrap: compare without the line breaks
    for needle in ("企业质量管理体系总体运行正常",  # the opinion
                   "补传产品唯一标识数据",  # a requirement
                   "复查合格", "现场复查",
                   # the notices after the record: their numbers, each deadline in working days
                   "医疗器械生产监督检查结果告知书", "京药监械检告〔2026〕118号",
                   "医疗器械生产监督检查整改通知书", "京药监械整改〔2026〕064号",
                   "2026-12-11（15个工作日）", "2026-12-04（10个工作日）",
                   "签收人（签字）：陈示例"):
        assert needle in flat, needle
    assert flat.index("检查结果确认及签字") < flat.index("医疗器械生产监督检查整改通知书")
    assert "审计记录" not in flat  # no trail, not even an empty page of it
    with_trail = tmp_path / "with-trail.pdf"
    with Store(data_dir=data) as store:
        export_pdf(Door(store), iid, with_trail, with_audit=True)
    trail_pages, trail_text = pages_and_text(with_trail)
    assert trail_pages > pages
    trail_flat = "".join(trail_text.split())
    assert trail_flat.index("整改通知书") < trail_flat.index("检查记录修改审计记录")  # appendix


@pytest.mark.slow
@needs_office
def test_a_notice_prints_on_its_own_for_serving(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store(data_dir=data) as store:
        iid = import_json(Door(store, Identity("张明")), demo_file())
    out = tmp_path / "notice.pdf"
    run = subprocess.run([sys.executable, "-m", "kit", "notice", "print", iid, "rectification",
                          "--data-dir", str(data), "--out", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    pages, text = pages_and_text(out)
    assert pages == 1
    flat = "".join(text.split())
    assert "京药监械整改〔2026〕064号" in flat
    assert "补传产品唯一标识数据" in flat
    assert "依据：《医疗器械生产质量管理规范附录无菌医疗器械》" in flat
    assert smallest_chinese_text(out) >= 8.0


def test_without_libreoffice_it_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(data_dir=tmp_path) as store:
        iid = import_json(Door(store, Identity("张明")), demo_file())
        monkeypatch.setattr(shutil, "which", lambda _name: None)
        with pytest.raises(KitError, match="LibreOffice is not installed"):
            export_pdf(Door(store), iid, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
