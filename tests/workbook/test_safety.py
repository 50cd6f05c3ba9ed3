"""Nothing a record holds becomes a formula, a macro or a broken cell in the workbook."""

from __future__ import annotations

import dataclasses
import hashlib
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from kit.record import (
    Inspection,
    ItemResult,
    parse_doc,
)
from kit.workbook import (
    canonical_json,
    read_workbook,
    verify_workbook,
    write_workbook,
)
from tests.workbook.helpers import (
    EXPORTED_AT,
    FORMULA_LIKE,
    demo,
    header_row,
    row_of,
    value,
    with_sampling,
)


def test_no_formula_macro_or_external_link_anywhere(exported: Path, book: Workbook) -> None:
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}"
    with zipfile.ZipFile(exported) as z:
        names = z.namelist()
        types = z.read("[Content_Types].xml").decode()
    assert not [n for n in names if "vbaProject" in n or "externalLink" in n]
    assert "macroEnabled" not in types
    assert exported.suffix == ".xlsx"


def test_formula_like_and_html_text_stays_literal_text(hostile: tuple[Inspection, Path]) -> None:
    _ins, path = hostile
    wb = load_workbook(path)
    ws = wb["现场检查记录"]
    for i, text in enumerate(FORMULA_LIKE, 1):
        r = row_of(ws, f"七、2.检查内容（{i}）")
        for col in (4, 6):  # notes, evidence
            cell = ws.cell(r, col)
            assert (cell.value, cell.data_type) == (text, "s")
            assert cell.number_format == "@"
            assert cell.quotePrefix == text.startswith(("=", "+", "-", "@"))
    plan = wb["检查方案"]
    name = plan.cell(row_of(plan, "被检查企业"), 2)
    assert (name.value, name.data_type) == ('=HYPERLINK("http://x")', "s")
    assert wb["现场检查记录"]["A3"].value.startswith('被检查企业：=HYPERLINK("http://x")')
    findings = wb["问题与整改"]
    f5 = row_of(findings, "F5")
    assert findings.cell(f5, 3).value == "<b>x</b>"
    assert findings.cell(f5, 3).data_type == "s"
    assert findings.cell(f5, 6).value == "=1+1"
    assert findings.cell(f5, 6).data_type == "s"
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    assert verify_workbook(path).intact


def test_crlf_does_not_break_the_seal_and_control_characters_never_reach_it(
        tmp_path: Path) -> None:
    ins = demo()
    ins = dataclasses.replace(ins, plan=dataclasses.replace(ins.plan, schedule="第一天\r\n第二天"))
    path = write_workbook(ins, tmp_path / "ctl.xlsx", exported_at=EXPORTED_AT)
    ws = load_workbook(path)["检查方案"]
    assert value(ws, "日程安排") == "第一天\n第二天"
    assert verify_workbook(path).intact
    assert read_workbook(path, ins) == []
    # Text with control characters is refused where it enters the record (see test_session),
    # so no record the kit holds can carry one into a workbook.
    _ins, problems = parse_doc({"plan": {"schedule": "第二天\x01"}})
    assert [p.code for p in problems] == ["json.text"]


def test_text_longer_than_a_cell_is_cut_in_view_but_kept_whole_in_the_seal(tmp_path: Path
                                                                         ) -> None:
    ins = demo()
    long_note = "记" * 40_000 + "😀" * 10  # astral characters count twice in Excel's limit
    results = {**ins.results, "7.1.c1": ItemResult("conform", notes=long_note)}
    ins = dataclasses.replace(ins, results=results)
    path = write_workbook(ins, tmp_path / "long.xlsx", exported_at=EXPORTED_AT)
    ws = load_workbook(path)["现场检查记录"]
    shown = ws.cell(row_of(ws, "七、1.检查内容（1）"), 4).value
    assert shown.endswith("…")
    assert len(shown.encode("utf-16-le")) // 2 <= 32767
    result = verify_workbook(path)
    assert result.intact
    assert result.digest == hashlib.sha256(canonical_json(ins).encode()).hexdigest()
    assert read_workbook(path, ins) == []


def test_rows_that_wrap_alike_share_the_sheets_default_height(tmp_path: Path) -> None:
    ins = with_sampling(demo(), n=60)
    path = write_workbook(ins, tmp_path / "rows.xlsx", exported_at=EXPORTED_AT)
    ws = load_workbook(path)["记录抽样"]
    top = header_row(ws, "记录编号")
    assert ws.sheet_format.customHeight
    assert ws.sheet_format.defaultRowHeight > 2 * 10.5 * 1.3  # the group label wraps once
    assert ws.row_dimensions[top].height == 30  # the template's header height stays
    assert all(ws.row_dimensions[r].height is None for r in range(top + 1, top + 61))
