"""The seal: the embedded record, its digest or HMAC, and verify naming the changed cell."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kit.record import (
    Inspection,
    from_doc,
    to_doc,
)
from kit.workbook import (
    canonical_json,
    read_workbook,
    verify_workbook,
    write_workbook,
)
from tests.workbook.helpers import (
    EXPORTED_AT,
    edit,
    row_of,
)


def test_digest_is_the_sha256_of_the_canonical_json(exported: Path, record: Inspection) -> None:
    text = json.dumps(to_doc(record), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert canonical_json(record) == text
    result = verify_workbook(exported)
    assert result.intact, result.problems
    assert result.problems == []
    assert result.digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert result.exported_at == EXPORTED_AT
    assert result.inspection_id == "demo-2026-1119"
    assert not result.signed


def test_record_is_embedded_whole(exported: Path, record: Inspection) -> None:
    ws = load_workbook(exported, read_only=True)["_kit"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "record")
    chunks = [c for c in row[1:] if c]
    assert len(chunks) >= 2
    assert all(len(c) <= 32767 for c in chunks)
    assert from_doc(json.loads("".join(chunks))) == record


def test_an_edited_visible_cell_is_found(copy: Path) -> None:
    edit(copy, {"现场检查记录": {("七、3.检查方法（2）", 3): "符合"},
                "签字确认": {("企业签字人", 2): "陈某"}})
    result = verify_workbook(copy)
    assert not result.intact
    wb = load_workbook(copy)
    r1 = row_of(wb["现场检查记录"], "七、3.检查方法（2）")
    r2 = row_of(wb["签字确认"], "企业签字人")
    assert {(p.code, p.sheet, p.column, p.row, p.field) for p in result.problems} == {
        ("workbook.cell_changed", "现场检查记录", "C", r1, "results/7.3.m2/result"),
        ("workbook.cell_changed", "签字确认", "B", r2, "signatures/company_signer"),
    }
    message = next(p.message for p in result.problems if p.sheet == "现场检查记录")
    assert message == f"现场检查记录!C{r1} 与导出时不同：导出时为 不符合，现为 符合"


def test_added_rows_and_edited_titles_are_found(copy: Path) -> None:
    def change(wb: Workbook) -> None:
        ws = wb["问题与整改"]
        ws.cell(row_of(ws, "F4") + 1, 3).value = "多出来的问题"
        wb["检查方案"]["A2"].value = "别的标题"

    edit(copy, {}, extra=change)
    codes = {(p.code, p.sheet, p.column) for p in verify_workbook(copy).problems}
    assert codes == {("workbook.cell_added", "问题与整改", "C"),
                     ("workbook.cell_changed", "检查方案", "A")}


def _rewrite_seal(path: Path, key: str, transform: Any) -> None:
    wb = load_workbook(path)
    ws = wb["_kit"]
    for row in ws.iter_rows():
        if row[0].value == key:
            transform(row)
    wb.save(path)


def test_a_changed_hidden_record_is_found(copy: Path) -> None:
    def tamper(row: Any) -> None:
        row[1].value = row[1].value.replace("陈示例", "张三丰", 1)

    _rewrite_seal(copy, "record", tamper)
    result = verify_workbook(copy)
    assert not result.intact
    assert [p.code for p in result.problems] == ["workbook.record_digest"]
    assert result.problems[0].sheet == "_kit"


def _forge(path: Path, old: str, new: str, *, fix_seal: bool) -> None:
    """Replace ``old`` by ``new`` in every visible cell and in the hidden record, then fix the
    digests (and, with ``fix_seal``, the plain SHA-256 seal) as a forger with this code would."""
    wb = load_workbook(path)
    for ws in wb.worksheets[:-1]:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and old in cell.value:
                    cell.value = cell.value.replace(old, new)
    rows = {r[0].value: r for r in wb["_kit"].iter_rows()}

    def joined(key: str) -> str:
        return "".join(c.value or "" for c in rows[key][1:])

    def put(key: str, text: str) -> None:
        for c in rows[key][1:]:
            c.value = None
        rows[key][1].value = text

    record_text = joined("record").replace(old, new)
    digest = hashlib.sha256(record_text.encode()).hexdigest()
    manifest = json.loads(joined("manifest"))
    manifest["record_sha256"] = digest
    manifest_text = json.dumps(manifest, ensure_ascii=False, sort_keys=True,
                               separators=(",", ":"))
    put("record", record_text)
    put("manifest", manifest_text)
    rows["record_sha256"][1].value = digest
    if fix_seal:
        rows["seal"][1].value = hashlib.sha256(manifest_text.encode()).hexdigest()
    wb.save(path)


def test_a_naive_forger_who_fixes_the_digest_is_caught_by_the_seal(copy: Path) -> None:
    _forge(copy, "陈示例", "张三丰", fix_seal=False)
    assert [p.code for p in verify_workbook(copy).problems] == ["workbook.seal"]


def test_a_plain_digest_cannot_catch_a_forger_who_rewrites_everything(copy: Path) -> None:
    """What the docstring says: without a signing key the seal is only a checksum."""
    _forge(copy, "陈示例", "张三丰", fix_seal=True)
    assert verify_workbook(copy).intact


def test_a_signed_workbook_catches_that_forger(record: Inspection, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_SIGNING_KEY", "office-secret")
    path = write_workbook(record, tmp_path / "signed.xlsx", exported_at=EXPORTED_AT)
    _forge(path, "陈示例", "张三丰", fix_seal=True)
    assert [p.code for p in verify_workbook(path).problems] == ["workbook.seal"]


def test_signing_key_makes_the_seal_an_hmac(record: Inspection, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_SIGNING_KEY", "office-secret")
    path = write_workbook(record, tmp_path / "signed.xlsx", exported_at=EXPORTED_AT)
    signed = verify_workbook(path)
    assert signed.intact
    assert signed.signed
    assert not verify_workbook(path, key=b"wrong").intact
    monkeypatch.delenv("KIT_SIGNING_KEY")
    unsigned = verify_workbook(path)  # the company: told it cannot check the seal, not "changed"
    assert unsigned.intact
    assert not unsigned.signed
    assert [(p.code, p.severity) for p in unsigned.problems] == [("workbook.key_needed", "warning")]
    assert read_workbook(path, record) == []  # import only needs the embedded record


def test_verify_does_not_depend_on_todays_calendar_or_guide(exported: Path) -> None:
    """The reference data used at export is embedded, so verify re-renders exactly."""
    ws = load_workbook(exported, read_only=True)["_kit"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "manifest")
    manifest = json.loads("".join(c for c in row[1:] if c))
    assert manifest["lookups"]["workdays/2026-11-20/2026-12-11"] == 15
    assert manifest["lookups"]["terms/handling_kinds"][0] == ["correct_on_site", "现场监督立即纠正"]


def test_a_workbook_of_an_earlier_layout_verifies_its_seal_and_is_not_imported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kit.workbook._write as writer
    from kit.errors import ValidationError
    from kit.workbook import read_workbook
    from tests.workbook.helpers import demo

    record = demo()
    monkeypatch.setattr(writer, "FORMAT", 1)  # as the kit before the tracking sheet wrote it
    old = writer.write_workbook(record, tmp_path / "old.xlsx")
    monkeypatch.undo()
    result = verify_workbook(old)
    assert result.intact  # its seal and its record are what was exported
    (note,) = [p for p in result.problems if p.code == "workbook.older_layout"]
    assert note.severity == "warning"
    assert "未逐格比对" in note.message
    with pytest.raises(ValidationError) as err:
        read_workbook(old, record)
    assert [p.code for p in err.value.problems] == ["workbook.older_layout"]
