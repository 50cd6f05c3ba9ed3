"""The office's template drives the look; LibreOffice renders the workbook and keeps the seal."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from kit.errors import ValidationError
from kit.record import (
    Inspection,
)
from kit.resources import shipped_dir
from kit.workbook import (
    SHEET_NAMES,
    read_workbook,
    verify_workbook,
    write_workbook,
)
from tests.workbook.helpers import (
    AUDIT,
    EXPORTED_AT,
    demo,
    header_row,
    row_of,
)


def test_an_office_restyled_template_drives_the_look(record: Inspection, tmp_path: Path) -> None:
    record = dataclasses.replace(record, company=dataclasses.replace(record.company,
                                                                     name="示例&合作"))
    template = tmp_path / "workbook.xlsx"
    shutil.copy(shipped_dir("templates") / "workbook.xlsx", template)
    wb = load_workbook(template)
    ws = wb["现场检查记录"]
    ws.insert_rows(1)
    ws["A1"] = "京药监 {检查编号} 号"
    ws.column_dimensions["D"].width = 45
    body = ws.max_row
    from openpyxl.styles import Font

    ws.cell(body, 4).font = Font(name="仿宋", size=12)
    ws.oddHeader.center.text = "{企业名称}"
    wb.save(template)
    path = write_workbook(record, tmp_path / "out.xlsx", exported_at=EXPORTED_AT,
                          template=template)
    out = load_workbook(path)["现场检查记录"]
    assert out["A1"].value == "京药监 demo-2026-1119 号"
    assert out["A3"].value == "医疗器械生产监督现场检查记录"
    top = header_row(out, "条款")
    assert top == 5
    assert out.freeze_panes == "A6"
    assert out.print_title_rows == "$5:$5"
    assert out.column_dimensions["D"].width == 45
    notes = out.cell(row_of(out, "七、1.检查内容（1）"), 4)
    assert (notes.font.name, notes.font.sz) == ("仿宋", 12)
    assert out.oddHeader.center.text == "示例&&合作"  # & is a code in headers: doubled
    assert verify_workbook(path).intact
    assert read_workbook(path, record) == []


def test_the_shipped_template_follows_its_own_convention() -> None:
    wb = load_workbook(shipped_dir("templates") / "workbook.xlsx")
    assert wb.sheetnames == ["说明", *SHEET_NAMES]
    for name in SHEET_NAMES:
        ws = wb[name]
        assert ws.page_setup.paperSize in (9, "9")
        assert next(c.value for c in ws[ws.max_row]) == "示例"


def test_a_template_missing_a_sheet_is_refused(record: Inspection, tmp_path: Path) -> None:
    template = tmp_path / "workbook.xlsx"
    shutil.copy(shipped_dir("templates") / "workbook.xlsx", template)
    wb = load_workbook(template)
    del wb["跟踪"]
    wb.save(template)
    with pytest.raises(ValidationError) as err:
        write_workbook(record, tmp_path / "out.xlsx", template=template)
    assert [p.sheet for p in err.value.problems] == ["跟踪"]
    assert not (tmp_path / "out.xlsx").exists()

def _soffice() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.slow
@pytest.mark.skipif(_soffice() is None, reason="LibreOffice is not installed")
def test_libreoffice_renders_pages_and_keeps_the_seal(
    hostile: tuple[Inspection, Path], tmp_path: Path
) -> None:
    ins, path = hostile
    soffice = _soffice()
    assert soffice is not None
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    pdf_dir, xlsx_dir = tmp_path / "pdf", tmp_path / "xlsx"
    for target, out in (("pdf", pdf_dir), ("xlsx", xlsx_dir)):
        subprocess.run([soffice, profile, "--headless", "--convert-to", target, "--outdir",
                        str(out), str(path)], check=True, capture_output=True, timeout=180)
    pdf = pdf_dir / "hostile.pdf"
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
        assert text.count("\f") >= 7  # at least a page per sheet
        for needle in ("医疗器械生产监督现场检查记录", "第 1 页", "<b>x</b>", "=1+1", "+SUM(A1)"):
            assert needle in text
    resaved = xlsx_dir / "hostile.xlsx"
    assert verify_workbook(resaved).intact
    assert read_workbook(resaved, ins) == []


def test_verify_says_plainly_when_a_workbook_is_not_the_kits(tmp_path: Path) -> None:

    other = tmp_path / "other.xlsx"
    book = Workbook()
    book.active["A1"] = "别的表格"
    book.save(other)
    result = verify_workbook(other)
    assert not result.intact
    assert str(result).startswith("不是本工具导出的检查记录工作簿")


def test_the_writer_works_the_same_without_its_openpyxl_shortcut(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The row-converter shortcut is a private openpyxl hook: without it, the same workbook."""
    import kit.workbook._write as workbook_module  # the private hook is what is tested

    ins = demo()
    fast = write_workbook(ins, tmp_path / "fast.xlsx", exported_at=EXPORTED_AT)
    monkeypatch.setattr(workbook_module, "accept_ready_cells", lambda ws: None)
    slow = write_workbook(ins, tmp_path / "slow.xlsx", exported_at=EXPORTED_AT)

    def cells(path: Path) -> list[tuple[str, str, object, str, str | None]]:
        book = load_workbook(path)
        return [(ws.title, c.coordinate, c.value, c.data_type, c.font.name)
                for ws in book.worksheets for row in ws.iter_rows() for c in row]

    assert cells(fast) == cells(slow)
    assert verify_workbook(slow).intact


def test_styles_given_their_ids_once_write_the_same_file_as_openpyxl_cell_by_cell(
        record: Inspection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each template style gets its id in the written workbook once (a private openpyxl
    table): the file is, part for part, the one openpyxl's own style assignment writes."""
    import zipfile

    import kit.workbook._style as style_module  # the private shortcut is what is tested

    fast = write_workbook(record, tmp_path / "fast.xlsx", audit=AUDIT, exported_at=EXPORTED_AT)
    monkeypatch.setattr(style_module.StyleIds, "array", lambda _self, _style: None)
    slow = write_workbook(record, tmp_path / "slow.xlsx", audit=AUDIT, exported_at=EXPORTED_AT)

    def parts(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as z:  # docProps/core.xml holds the time the file was made
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}

    written = parts(fast)
    assert "xl/styles.xml" in written
    assert written == parts(slow)
    assert verify_workbook(fast).intact
