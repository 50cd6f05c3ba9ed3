"""The hostile corpus: files made to hurt, each with what the kit must do with it.

Every file is generated here (no bomb is stored in the repository). Each case says what is
expected: refused with where and why (never a traceback, the documented exit code, nothing
written), or accepted and kept exactly. Hypothesis fuzzes the JSON and workbook imports with
values of every type. What a refusal costs (time, peak memory) is measured by
``benchmarks/bench_hostile.py`` against a floor, never asserted here: a loaded machine is slow,
not wrong.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font
from openpyxl.workbook.defined_name import DefinedName

from kit.errors import KitError, ValidationError
from kit.interchange import demo_inspection, parse_json_bytes
from kit.sampling import read_register
from kit.workbook import read_workbook, verify_workbook, write_workbook

# -- makers -------------------------------------------------------------------------------------
_TYPES = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="xml" ContentType="application/xml"/><Override '
          'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
          'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
          'worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         '</Relationships>')
_BOOK = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
         '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
         '<sheets><sheet name="记录" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
              'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/'
              'sheet1.xml"/></Relationships>')


def xlsx(path: Path, sheet: bytes | Callable[[zipfile.ZipFile], None]) -> Path:
    """A minimal workbook whose one sheet is ``sheet`` (XML bytes, or a writer of the member)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        if callable(sheet):
            sheet(z)
        else:
            z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def bomb(path: Path, inflated: int = 400 * 2**20) -> Path:
    """A small workbook whose sheet inflates to ``inflated`` bytes of blank space."""
    def write(z: zipfile.ZipFile) -> None:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(b"<worksheet><sheetData>")
            blank = b" " * 2**20
            for _ in range(inflated // 2**20):
                member.write(blank)
            member.write(b"</sheetData></worksheet>")
    return xlsx(path, write)


def sparse(path: Path) -> Path:
    """Two cells, the second at XFD1048576: a reader that allocates the grid needs 500 GB."""
    return xlsx(path, b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>\xe8\xae'
                      b'\xb0\xe5\xbd\x95\xe7\xbc\x96\xe5\x8f\xb7</t></is></c></row><row r="1048576">'
                      b'<c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')


def with_member(source: Path, target: Path, name: str, data: bytes) -> Path:
    """An exported workbook with one part added (macros, an embedded object, a link...)."""
    shutil.copy(source, target)
    with zipfile.ZipFile(target, "a") as z:
        z.writestr(name, data)
    return target


def run_kit(*args: str) -> tuple[int, str]:
    """``kit ARGS`` as a process: exit code, and what it wrote (stderr, then stdout)."""
    proc = subprocess.run([sys.executable, "-m", "kit", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=600)  # a wait for its end, not a budget
    return proc.returncode, proc.stderr + proc.stdout


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / "record.xlsx"
    return write_workbook(demo_inspection(), out)


@pytest.fixture
def copy(exported: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.xlsx"
    shutil.copy(exported, target)
    return target


# -- archives that must not be parsed ------------------------------------------------------------
@pytest.mark.parametrize(("make", "code"), [
    (bomb, "file_bomb"),
    (sparse, "too_many_columns"),
], ids=["bomb", "sparse"])
def test_a_harmful_workbook_is_refused_by_every_reader_before_it_is_parsed(
        tmp_path: Path, make: Callable[[Path], Path], code: str) -> None:
    path = make(tmp_path / f"{code}.xlsx")
    assert path.stat().st_size < 2 * 2**20  # small on disk: the harm is in what it inflates to
    for read in (lambda: read_register(path, "records"), lambda: verify_workbook(path),
                 lambda: read_workbook(path, demo_inspection())):
        with pytest.raises(ValidationError) as refused:
            read()
        assert code in {p.code for p in refused.value.problems}
        assert path.name in str(refused.value)


def test_a_bomb_is_refused_by_every_command_and_nothing_is_written(tmp_path: Path) -> None:
    path = bomb(tmp_path / "bomb.xlsx")
    store = ("--data-dir", str(tmp_path / "store"))
    out = tmp_path / "s.xlsx"
    for args in (("import", str(path), *store), ("verify", str(path)),
                 ("sample", "--records", str(path), "--products", str(path),
                  "--inspection-date", "2026-11-20", "--out", str(out), *store)):
        code, err = run_kit(*args)
        assert code == 2, err
        assert "Traceback" not in err
        assert "file_bomb" in err
        assert "bomb.xlsx" in err
    assert not out.exists()
    assert "0 条检查记录" in run_kit("list", *store)[1]


def test_a_workbook_lying_about_its_size_is_refused_not_inflated(tmp_path: Path) -> None:
    path = bomb(tmp_path / "liar.xlsx", inflated=8 * 2**20)
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    for at in (info.header_offset + 22, bytes(data).rfind(b"xl/worksheets/sheet1.xml") - 22):
        data[at:at + 4] = (1000).to_bytes(4, "little")  # declared: 1 kB
    path.write_bytes(bytes(data))
    with pytest.raises(ValidationError):
        read_register(path, "records")
    with pytest.raises((ValidationError, KitError)):
        read_workbook(path, demo_inspection())


@pytest.mark.parametrize(("name", "data", "code"), [
    ("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro", "workbook.active_content"),
    ("xl/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0ole", "workbook.active_content"),
    ("xl/activeX/activeX1.xml", b"<ax/>", "workbook.active_content"),
    ("xl/externalLinks/externalLink1.xml", b"<externalLink/>", "workbook.external_link"),
], ids=["macros", "ole", "activex", "external-link"])
def test_code_and_links_are_refused_at_import_and_flagged_by_verify(
        exported: Path, tmp_path: Path, name: str, data: bytes, code: str) -> None:
    path = with_member(exported, tmp_path / "hostile.xlsx", name, data)
    with pytest.raises(ValidationError) as refused:
        read_workbook(path, demo_inspection())
    assert refused.value.problems[0].code == code
    result = verify_workbook(path)
    assert not result.intact
    assert code in {p.code for p in result.problems}


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken"],
                         ids=["empty", "text", "broken-zip"])
def test_what_is_not_a_workbook_is_said_to_be_so(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "records.xlsx"
    path.write_bytes(content)
    with pytest.raises(ValidationError) as refused:
        read_register(path, "records")
    assert refused.value.problems[0].code in ("empty_file", "unreadable_file")
    code, err = run_kit("verify", str(path))
    assert code == 2
    assert "Traceback" not in err


# -- what a reader sees --------------------------------------------------------------------------
def _cell(ws: Any, text: str) -> Any:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell
    raise AssertionError(text)


def _result_cell(ws: Any) -> Any:
    return _cell(ws, "符合")


TAMPERINGS: dict[str, tuple[Callable[[Any], None], str]] = {
    "number-format": (lambda wb: setattr(_result_cell(wb["现场检查记录"]), "number_format",
                                         '"不符合"'), "workbook.number_format"),
    "white-font": (lambda wb: setattr(_result_cell(wb["现场检查记录"]), "font",
                                      Font(color="FFFFFF")), "workbook.invisible_text"),
    "tiny-font": (lambda wb: setattr(_result_cell(wb["现场检查记录"]), "font", Font(sz=1)),
                  "workbook.invisible_text"),
    "hidden-row": (lambda wb: setattr(wb["问题与整改"].row_dimensions[6], "hidden", True),
                   "workbook.hidden_row"),
    "zero-width-column": (lambda wb: setattr(wb["问题与整改"].column_dimensions["C"], "width", 0.1),
                          "workbook.hidden_column"),
    "hidden-sheet": (lambda wb: setattr(wb["问题与整改"], "sheet_state", "hidden"),
                     "workbook.sheet_hidden"),
    "added-sheet": (lambda wb: wb.create_sheet("说明（补充）").append(["另有约定"]),
                    "workbook.sheet_added"),
    "comment": (lambda wb: setattr(_result_cell(wb["现场检查记录"]), "comment",
                                   Comment("其实不符合", "某人")), "workbook.comment"),
    "defined-name": (lambda wb: wb.defined_names.add(DefinedName("结论", attr_text="'检查方案'!$B$2")),
                     "workbook.defined_name"),
    "conditional-format": (lambda wb: wb["现场检查记录"].conditional_formatting.add(
        "C1:C500", CellIsRule(operator="equal", formula=['"符合"'], font=Font(color="FFFFFF"))),
        "workbook.conditional_format"),
    "hyperlink": (lambda wb: setattr(_result_cell(wb["现场检查记录"]), "hyperlink",
                                     "http://example.invalid/"), "workbook.hyperlink"),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_verify_sees_what_a_reader_sees(copy: Path, name: str) -> None:
    change, code = TAMPERINGS[name]
    wb = load_workbook(copy)
    change(wb)
    wb.save(copy)
    result = verify_workbook(copy)
    assert not result.intact
    assert code in {p.code for p in result.problems}, result.problems


def test_an_untouched_resave_still_verifies(copy: Path) -> None:
    load_workbook(copy).save(copy)
    assert verify_workbook(copy).intact


def test_a_keyed_seal_cannot_be_downgraded(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_SIGNING_KEY", "局里的密钥")
    path = write_workbook(demo_inspection(), tmp_path / "signed.xlsx")
    assert verify_workbook(path).signed
    monkeypatch.delenv("KIT_SIGNING_KEY")
    plain = write_workbook(demo_inspection(), tmp_path / "plain.xlsx")  # as a forger would
    monkeypatch.setenv("KIT_SIGNING_KEY", "局里的密钥")
    result = verify_workbook(plain)
    assert not result.intact
    assert "workbook.seal_downgraded" in {p.code for p in result.problems}


# -- text files and records ----------------------------------------------------------------------
def test_a_json_record_over_the_limit_is_refused_without_parsing() -> None:
    huge = b'{"company": {"name": "' + b"x" * (65 * 2**20) + b'"}}'
    with pytest.raises(ValidationError) as refused:
        parse_json_bytes(huge, "huge.json")
    assert refused.value.problems[0].code == "json.too_large"


def test_a_compressed_json_record_is_refused_as_not_utf8() -> None:
    packed = zlib.compress(json.dumps({"company": {"name": "甲"}}).encode() * 1000)
    with pytest.raises(ValidationError) as refused:
        parse_json_bytes(packed, "packed.json")
    assert refused.value.problems[0].code in ("json.encoding", "json.syntax")


_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) |
    st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=25)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["company", "scope", "team", "results", "findings",
                                        "stage", "id", "format_version", "signatures"]),
                       _ANY_JSON, max_size=5))
def test_fuzzed_json_records_are_refused_with_reasons_or_read(doc: dict[str, Any]) -> None:
    raw = json.dumps(doc, ensure_ascii=False).encode()
    problems: tuple[Any, ...] = ()
    try:
        parse_json_bytes(raw, "fuzz.json")
    except ValidationError as exc:  # refused: every problem with its reason and where
        problems = exc.problems
        assert problems
    assert all(p.code and (p.field or p.file) for p in problems)


_CELL_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40),  # what can be typed
    st.sampled_from(["=1+1", "+SUM(A1)", "@x", "<b>x</b>", "#N/A",
                                           "不符合", "符合", "2026年3月5号", "二〇二六年三月五日",
                                           "-5", "1.5", "是", "否", "\u200b"]),
    st.dates().map(lambda d: d.isoformat()))


@settings(max_examples=12, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(["现场检查记录", "问题与整改", "签字确认", "跟踪"]),
                                st.integers(6, 40), st.integers(2, 8), _CELL_VALUES),
                      min_size=1, max_size=6))
def test_fuzzed_workbook_edits_are_read_or_refused_by_cell(
        exported: Path, tmp_path: Path, edits: list[tuple[str, int, int, Any]]) -> None:
    path = tmp_path / "fuzz.xlsx"
    shutil.copy(exported, path)
    wb = load_workbook(path)
    for sheet, row, column, value in edits:
        cell = wb[sheet].cell(row, column)
        if not isinstance(cell, MergedCell):  # a merged cell cannot be typed into
            cell.value = value
    wb.save(path)
    problems: tuple[Any, ...] = ()
    changes: list[Any] = []
    try:
        changes = read_workbook(path, demo_inspection())
    except ValidationError as exc:  # refused: every bad cell named
        problems = exc.problems
        assert problems
    assert all(p.sheet or p.file for p in problems)
    assert all(c.sheet and c.cell for c in changes)
