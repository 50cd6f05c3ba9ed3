"""kit export … F.pdf: the printed record through LibreOffice, read back with pdftotext."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kit.door import Door, Identity
from kit.errors import KitError
from kit.interchange import demo_file, export_pdf, export_workbook, import_json
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
    # printed at about 3 pt); rows sized to their text keep the demo to 33 pages (30 of the
    # record, its 3 notices)
    assert smallest_chinese_text(out) >= 8.0
    assert pages <= 33
    flat = "".join(text.split())  # cells wrap: compare without the line breaks
    for needle in ("企业质量管理体系总体运行正常",  # the opinion
                   "补传产品唯一标识数据",  # a requirement
                   "复查合格", "现场复查",
                   # the notices after the record: their numbers, each deadline in working days
                   "医疗器械生产监督检查结果告知书", "京药监械检告〔2026〕118号",
                   "医疗器械生产监督检查整改通知书", "京药监械整改〔2026〕064号",
                   "2026年12月11日（15个工作日）", "2026年12月4日（10个工作日）",
                   "签收人（签字）：陈示例"):
        assert needle in flat, needle
    assert flat.index("检查结果确认及签字") < flat.index("医疗器械生产监督检查整改通知书")
    # every date drawn in full: a column a little too narrow printed the deadlines as ###
    assert "###" not in text
    assert flat.count("2026-12-11") >= 4  # F1's and F4's deadlines, on 问题与整改 and 整改跟踪
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


@dataclass(frozen=True)
class Word:
    """A word as pdftotext -bbox places it (points, from the page's top left)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def words_by_page(pdf: Path) -> list[list[Word]]:
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return [[Word(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                        r'yMax="([\d.]+)">([^<]*)<', page)]
            for page in html.split("<page ")[1:]]


def rules(pdf: Path, page: int, tmp: Path) -> list[float]:
    """The y (points) of each ruled line across most of the page: a table's horizontal edges,
    found in the page rendered by pdftoppm (2 pixels a point, grey)."""
    out = tmp / f"page-{page}"
    subprocess.run(["pdftoppm", "-r", "144", "-gray", "-singlefile", "-f", str(page),
                    "-l", str(page), str(pdf), str(out)], check=True)
    data = (tmp / f"page-{page}.pgm").read_bytes()
    magic, width, height, _depth, pixels = data.split(maxsplit=4)
    assert magic == b"P5"
    w, h = int(width), int(height)
    found = []
    for y in range(h):
        row = pixels[y * w:(y + 1) * w]
        if sum(1 for v in row if v < 160) > w // 2:
            found.append(y / 2)
    return found


def lines_of(words: list[Word]) -> list[list[Word]]:
    """Words grouped into printed lines (the same top, within a point)."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.y0, w.x0)):
        if lines and abs(lines[-1][0].y0 - word.y0) <= 1.0:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


#: the template's top margin, in points: the page header is drawn in it
TOP_MARGIN = 0.75 * 72


def title_problems(pdf: Path, subtitle: str, tmp: Path) -> tuple[int, list[str]]:
    """Check each sheet's first page: the page header one line, its parts apart; the title
    block's line 被检查企业…检查日期… (``subtitle``) whole on one line of its own, below the
    page header and above the table's top edge (sharing no line with the table's first row).
    Returns the pages checked and what is wrong on them."""
    want = "".join(subtitle.split())  # pdftotext splits words at spaces, ideographic ones too
    problems, checked = [], 0
    for number, words in enumerate(words_by_page(pdf), 1):
        first = next((w for w in words if w.text.startswith("被检查企业：")), None)
        if first is None:
            continue
        checked += 1
        where = f"page {number}"
        # the page header: every word in the top margin, one line, its parts apart
        header = lines_of([w for w in words if w.y1 < TOP_MARGIN])
        if len(header) != 1:
            problems.append(f"{where}: the page header takes {len(header)} lines")
        else:
            spans = sorted((w.x0, w.x1) for w in header[0])
            if any(a1 > b0 for (_a0, a1), (b0, _b1) in pairwise(spans)):
                problems.append(f"{where}: the page header's parts overlap")
        # the subtitle's line holds all of it and nothing else
        line = next(ln for ln in lines_of(words) if first in ln)
        got = "".join(w.text for w in line)
        if got != want:
            problems.append(f"{where}: the subtitle's line reads {got!r}")
        bottom = max(w.y1 for w in line)
        edge = next((y for y in rules(pdf, number, tmp) if y > first.y0), None)
        if edge is None or bottom > edge:
            problems.append(f"{where}: the subtitle's line reaches {bottom:.1f} pt, the "
                            f"table's top edge is at {edge} pt")
        across = [w.text for w in words if edge is not None and w.y0 < edge < w.y1]
        if across:
            problems.append(f"{where}: drawn across the table's top edge: {across}")
        if header and first.y0 < max(w.y1 for w in header[0]):
            problems.append(f"{where}: the subtitle reaches into the page header")
    return checked, problems


def _record(tmp: Path, company: str | None = None, dates: tuple[str, str] | None = None
            ) -> tuple[Path, str]:
    """The demo in a fresh store, perhaps under another company name and other dates."""
    doc = json.loads(demo_file().read_text(encoding="utf-8"))
    if company:
        doc["company"]["name"] = company
    if dates:
        doc["scope"]["start_date"], doc["scope"]["end_date"] = dates
    source = tmp / "record.json"
    source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with Store(data_dir=tmp / "data") as store:
        return tmp / "data", import_json(Door(store, Identity("张明")), source)


#: a company name as long as the subtitle holds on one line of the portrait sheets (at 8 pt)
LONG_NAME = "北京示例长名称医疗器械科技发展有限公司"


@pytest.mark.slow
@needs_office
@pytest.mark.parametrize(("company", "dates"), [
    (None, None),  # the demo: 2026-11-19 至 2026-11-20
    (LONG_NAME, ("2026-12-28", "2027-01-05")),  # a visit over the new year, a longer name
])
def test_every_sheet_prints_its_title_block_on_one_line_above_the_table(
        tmp_path: Path, company: str | None, dates: tuple[str, str] | None) -> None:
    data, iid = _record(tmp_path, company, dates)
    out = tmp_path / "record.pdf"
    with Store(data_dir=data) as store:
        export_pdf(Door(store), iid, out)
        export_workbook(Door(store), iid, tmp_path / "record.xlsx")
    start, end = dates or ("2026-11-19", "2026-11-20")
    subtitle = (f"被检查企业：{company or '北京示例医疗科技有限公司'}　　检查编号：{iid}　　"
                f"检查日期：{start} 至 {end}")
    checked, problems = title_problems(out, subtitle, tmp_path)
    assert checked >= 8, checked  # every visible sheet's first page
    assert problems == []
    # the written workbook holds it too: the line at a size that fits, its row as the template's
    book = load_workbook(tmp_path / "record.xlsx")
    plan = book["检查方案"]
    assert "检查日期：" in plan["A3"].value
    assert 8.0 <= plan["A3"].font.sz < 10.5
    assert plan.row_dimensions[3].height == 18.0


@pytest.mark.slow
@needs_office
def test_a_name_too_long_for_one_line_is_cut_in_the_page_header_and_wraps_above_the_table(
        tmp_path: Path) -> None:
    name = "北京示例长名称医疗器械科技发展股份有限公司第二分公司生产基地暨研发中心与国际贸易及售后服务部"
    data, iid = _record(tmp_path, name)
    out = tmp_path / "record.pdf"
    with Store(data_dir=data) as store:
        export_pdf(Door(store), iid, out)
    subtitle = (f"被检查企业：{name}　　检查编号：{iid}　　"
                "检查日期：2026-11-19 至 2026-11-20")
    checked, problems = title_problems(out, subtitle, tmp_path)
    # the subtitle takes two lines at its own size now (a smaller one would not make it one),
    # its row grown to hold them above the table; the page header stays one line, its parts
    # apart, the name cut short there with "…"
    assert checked >= 8
    assert problems
    assert all("the subtitle's line reads" in p for p in problems), problems
    assert all(p.split(" reads ")[1].strip("'") in "".join(subtitle.split()) for p in problems)
    first_page = words_by_page(out)[0]
    assert any(w.text.endswith("…") for w in first_page if w.y1 < TOP_MARGIN)


def test_without_libreoffice_it_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(data_dir=tmp_path) as store:
        iid = import_json(Door(store, Identity("张明")), demo_file())
        monkeypatch.setattr(shutil, "which", lambda _name: None)
        with pytest.raises(KitError, match="LibreOffice is not installed"):
            export_pdf(Door(store), iid, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
