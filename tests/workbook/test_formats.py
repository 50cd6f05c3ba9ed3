"""Formats kept: the layout number names what the writer lays out, and the workbooks and JSON
files of every earlier layout (``tests/data/formats``, made by
``scripts/make_format_fixtures.py`` with the kit of each commit) verify and import as the
README says."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from kit.cli import main
from kit.record import from_doc
from kit.workbook import (
    CURRENT_LAYOUT,
    FORMAT,
    LAYOUTS,
    SHEET_NAMES,
    layout_of,
    sheet_fingerprints,
    verify_workbook,
    write_workbook,
)
from tests.conftest import data_file
from tests.workbook.helpers import EXPORTED_AT, demo

MANIFEST = json.loads(data_file("formats", "manifest.json").read_text(encoding="utf-8"))
FIXTURES = {f["name"]: f for f in MANIFEST["fixtures"]}
RESULT_WORDS = ("符合", "不符合", "不适用", "未检查")


def fixture_file(name: str, kind: str) -> Path:
    return data_file("formats", FIXTURES[name][kind])


def sealed_manifest(path: Path) -> dict[str, Any]:
    ws = load_workbook(path, read_only=True)["_kit"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "manifest")
    manifest: dict[str, Any] = json.loads("".join(c for c in row[1:] if c))
    return manifest


def lost(old: Any, new: Any, where: str = "") -> list[str]:
    """The paths of ``old`` whose value ``new`` does not hold (keys ``new`` adds are fine)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [p for k in old for p in lost(old[k], new.get(k), f"{where}/{k}")]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [p for i, (o, n) in enumerate(zip(old, new, strict=True))
                for p in lost(o, n, f"{where}/{i}")]
    return [] if old == new else [where]


def kit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``kit ARGS`` in this process: its exit code, stdout and stderr."""
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


# -- the layout number ---------------------------------------------------------------------------
def test_the_layout_number_names_what_the_writer_lays_out() -> None:
    reference = json.loads(data_file("formats", "layout-reference.json").read_text("utf-8"))
    record = from_doc(reference["record"], what="layout-reference.json")
    rendered = sheet_fingerprints(record, reference["audit"])
    changed = [s for s in rendered if rendered[s] != CURRENT_LAYOUT.rendered.get(s)]
    assert tuple(rendered) == CURRENT_LAYOUT.sheets, (
        "the layout changed (its sheets): give it a new layout number in "
        "kit/workbook/_layout.py (LAYOUTS)")
    assert not changed, (
        f"the layout changed ({'、'.join(changed)}): give it a new layout number — add "
        "LAYOUT_<n> with these fingerprints and WorkbookLayout(<n>, …) last in LAYOUTS "
        f"(kit/workbook/_layout.py), and its fixture (scripts/make_format_fixtures.py): {rendered}")


def test_from_3_on_every_number_names_one_layout() -> None:
    assert FORMAT == CURRENT_LAYOUT.number == max(layout.number for layout in LAYOUTS)
    assert CURRENT_LAYOUT.sheets == SHEET_NAMES
    kinds = Counter((layout.number, frozenset(layout.sheets)) for layout in LAYOUTS)
    assert max(kinds.values()) == 1  # even layouts 1 and 2 are told apart by their sheets
    numbers = Counter(layout.number for layout in LAYOUTS if layout.number >= 3)
    assert max(numbers.values()) == 1
    fingerprints = Counter(layout.fingerprint for layout in LAYOUTS if layout.number >= 3)
    assert max(fingerprints.values()) == 1


#: the sheets layout 5 changed: a finding's grade, the deadline in force, the verdict, the
#: review units told and the duties across authorities
CHANGED_IN_5 = ["问题与整改", "签字确认", "整改跟踪", "跟踪"]


def test_a_workbook_is_told_by_its_sealed_number_and_sheets(tmp_path: Path) -> None:
    path = write_workbook(demo(), tmp_path / "now.xlsx", exported_at=EXPORTED_AT)
    manifest = sealed_manifest(path)
    assert manifest["format"] == FORMAT == 5
    assert layout_of(manifest) is CURRENT_LAYOUT
    assert layout_of({**manifest, "format": 4}) is None  # layout 4 had nine sheets
    new = ("处理结果", "复查记录", "延期整改")
    nine_sheets = {k: v for k, v in manifest["sheets"].items() if k not in new}
    nine = layout_of({**manifest, "format": 2, "sheets": nine_sheets})  # 证据材料 added under 2
    eight = layout_of({**manifest, "format": 2, "sheets": {
        k: v for k, v in nine_sheets.items() if k != "证据材料"}})
    three = layout_of({**manifest, "format": 3, "sheets": nine_sheets})
    four = layout_of({**manifest, "format": 4, "sheets": nine_sheets})
    assert nine is not None
    assert three is not None
    assert four is not None
    assert eight is not None
    for earlier in (nine, three, four, eight):
        assert not earlier.is_current
        assert [s for s in earlier.sheets if s not in earlier.compared] == [
            s for s in earlier.sheets if s in CHANGED_IN_5]
    assert layout_of({**manifest, "format": 1, "sheets": nine_sheets}) is None  # never nine as 1


# -- the fixtures --------------------------------------------------------------------------------
def test_every_earlier_layout_has_its_fixture() -> None:
    kept = {(f["layout"], frozenset(f["sheets"])) for f in FIXTURES.values()}
    for layout in LAYOUTS[:-1]:
        assert (layout.number, frozenset(layout.sheets)) in kept, layout.written_by
    for f in FIXTURES.values():
        assert f["signing_key"] is None  # the tests verify without a key, as the kits sealed
        assert sealed_manifest(fixture_file(f["name"], "workbook"))["format"] == f["layout"]


@pytest.mark.parametrize("name", FIXTURES)
def test_an_untouched_workbook_of_each_layout_is_intact(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = fixture_file(name, "workbook")
    result = verify_workbook(path)
    assert result.intact, str(result)
    assert [p.severity for p in result.problems] in ([], ["warning"])
    written = layout_of(sealed_manifest(path))
    assert written is not None
    if written.is_current:
        assert result.problems == []
    else:  # said to be of an earlier layout, naming the sheets not compared
        (note,) = result.problems
        assert note.code == "workbook.older_layout"
        assert f"版式 {written.number}，现为 {FORMAT}" in note.message
        rest = [s for s in written.sheets if s not in written.compared]
        # layout 1's first kits laid 检查方案 and 记录抽样 out otherwise too; layout 5 changed
        # 问题与整改, 签字确认, 整改跟踪 and 跟踪 (grades, outcomes, rounds, the verdict)
        early = name.startswith("layout1") and "tracking" not in name
        assert rest == [s for s in written.sheets
                        if s in CHANGED_IN_5 or (early and s in ("检查方案", "记录抽样"))]
        assert (f"{'、'.join(rest)}未逐格比对" if rest else "逐格比对了全部可见单元格") in note.message
    code, out, _err = kit(capsys, "verify", str(path))
    assert code == 3  # intact, but a plain digest: not signed, so never trusted
    assert out.startswith("完好")


@pytest.mark.parametrize("name", FIXTURES)
def test_an_edited_cell_of_each_layout_is_found(name: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "edited.xlsx"
    shutil.copy(fixture_file(name, "workbook"), path)
    wb = load_workbook(path)
    ws = wb["现场检查记录"]
    cell = next(c for (c,) in ws.iter_rows(min_col=3, max_col=3) if c.value in RESULT_WORDS)
    cell.value = "符合" if cell.value != "符合" else "不符合"
    wb.save(path)
    result = verify_workbook(path)
    assert not result.intact
    errors = [p for p in result.problems if p.severity == "error"]
    assert [(p.code, p.sheet, p.row, p.column) for p in errors] == [
        ("workbook.cell_changed", "现场检查记录", cell.row, "C")]
    code, out, _err = kit(capsys, "verify", str(path))
    assert code == 1
    assert out.startswith("已被修改")


@pytest.mark.parametrize("name", FIXTURES)
def test_kit_import_of_each_json_export_keeps_the_record(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """README: ``kit import F.json`` imports a JSON record and prints its id last (every
    JSON export so far is format_version 1, the one this kit reads)."""
    path = fixture_file(name, "json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format_version"] == FIXTURES[name]["json_format_version"] == 1
    store = ["--data-dir", str(tmp_path / "store"), "--user", "检查员"]
    code, out, err = kit(capsys, "import", str(path), *store)
    assert code == 0, err
    assert out.split()[-1] == doc["id"] == FIXTURES[name]["inspection_id"]
    back = tmp_path / "back.json"
    assert kit(capsys, "export", doc["id"], "--out", str(back), *store)[0] == 0
    again = json.loads(back.read_text(encoding="utf-8"))
    assert lost(doc, again) == []  # every value of the earlier file is kept (newer fields added)


@pytest.mark.parametrize("name", FIXTURES)
def test_kit_import_of_each_workbook_is_as_documented(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """README: a workbook of an earlier layout is not imported (export again); one of the
    current layout is applied, also when it was written before the layout had its number."""
    store = ["--data-dir", str(tmp_path / "store"), "--user", "检查员"]
    ident = FIXTURES[name]["inspection_id"]
    assert kit(capsys, "import", str(fixture_file(name, "json")), *store)[0] == 0
    trail = kit(capsys, "audit", ident, *store)[1]
    path = tmp_path / "filled.xlsx"
    shutil.copy(fixture_file(name, "workbook"), path)
    wb = load_workbook(path)
    ws = wb["现场检查记录"]
    cell = next(c for (c,) in ws.iter_rows(min_col=4, max_col=4)
                if ws.cell(c.row, 3).value in RESULT_WORDS)
    cell.value = "复核：现场抽查记录完整"
    wb.save(path)
    code, out, err = kit(capsys, "import", str(path), *store)
    written = layout_of(sealed_manifest(path))
    assert written is not None
    if written.is_current:
        assert code == 0, err
        assert out.split()[-1] == ident
        assert "应用 1 处修改" in out + err
        assert kit(capsys, "audit", ident, *store)[1] != trail
    else:
        assert code == 2
        assert "workbook.older_layout" in err
        assert "请重新导出后填写，未导入任何内容" in err
        assert kit(capsys, "audit", ident, *store)[1] == trail  # nothing written


@pytest.mark.parametrize(("name", "sheet"), [("layout1", "检查方案"),
                                             ("layout2-evidence", "证据材料")])
def test_a_deleted_sheet_is_missed_whatever_the_layout(name: str, sheet: str,
                                                       tmp_path: Path) -> None:
    """The layout is told by the sheets the seal covers, not those left: a sheet removed, even
    one whose cells are not compared or the one a later layout added, is reported."""
    path = tmp_path / "fewer.xlsx"
    shutil.copy(fixture_file(name, "workbook"), path)
    wb = load_workbook(path)
    del wb[sheet]
    wb.save(path)
    result = verify_workbook(path)
    assert not result.intact
    assert [(p.code, p.sheet) for p in result.problems if p.severity == "error"] == [
        ("workbook.sheet_missing", sheet)]


def test_a_sheet_added_to_a_workbook_of_an_earlier_layout_is_found(tmp_path: Path) -> None:
    path = tmp_path / "more.xlsx"
    shutil.copy(fixture_file("layout2-no-evidence", "workbook"), path)
    wb = load_workbook(path)
    wb.create_sheet("证据材料")
    wb.save(path)
    result = verify_workbook(path)
    assert [(p.code, p.sheet) for p in result.problems if p.severity == "error"] == [
        ("workbook.sheet_added", "证据材料")]
