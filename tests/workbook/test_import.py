"""A workbook filled in by hand, read back into changes: every cell checked first."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from kit.dates import beijing
from kit.door import Door, Identity
from kit.errors import ValidationError
from kit.interchange import import_workbook
from kit.record import (
    Inspection,
)
from kit.session import Session
from kit.workbook import (
    Change,
    apply_changes,
    read_workbook,
    verify_workbook,
    workbook_inspection_id,
    write_workbook,
)
from tests.workbook.helpers import (
    demo,
    edit,
    header_row,
    row_of,
)


def test_untouched_workbook_imports_nothing(exported: Path, record: Inspection) -> None:
    assert read_workbook(exported, record) == []


def test_export_edit_import_round_trip(copy: Path, record: Inspection) -> None:
    def new_finding(wb: Workbook) -> None:
        ws = wb["问题与整改"]
        r = row_of(ws, "F4") + 1
        for col, v in enumerate(["", "7.8.m4", "灭菌确认报告未覆盖新增装载方式。",
                                 "书面明确整改要求及整改期限", None, "补充灭菌再确认。",
                                 "《医疗器械生产质量管理规范》", "2026/12/31", None, "否"], 1):
            ws.cell(r, col).value = v

    edit(copy, {
        "现场检查记录": {
            ("七、1.检查内容（1）", 3): "不符合",
            ("七、1.检查内容（1）", 4): "营业执照副本未悬挂",
            ("七、1.检查内容（1）", 5): "资料审查、现场检查",
            ("七、1.检查内容（2）", 6): "照片 P-01",
        },
        "问题与整改": {
            ("F1", 4): "暂停生产并立即开始整改",
            ("F2", 8): "2026年12月18日",
            ("F3", 8): datetime(2026, 12, 9),
            ("F4", 10): "是",
        },
        "整改跟踪": {
            ("F4", 5): "复查不合格",
            ("F4", 9): "2026/11/25",
        },
        "签字确认": {
            ("见证人在场", 2): "是",
            ("见证人姓名", 2): "王见证",
            ("见证人已签字", 2): "是",
            ("企业签字时间", 2): "2026-11-20 17:05",
            ("检查意见", 2): "发现问题5项，企业应限期整改。",
            ("检查意见确定日期", 2): "2026年11月20日",
        },
        "跟踪": {
            ("后续措施（3）列为重点监管企业", 2): "是",
            ("后续措施（2）加强产品自检或送第三方检测", 2): "否",
            ("复查人", 2): "李华",
        },
    }, extra=new_finding)
    changes = read_workbook(copy, record)
    by_path = {c.path: c for c in changes}
    assert {c.path: c.value for c in changes} == {
        "results/7.1.c1/result": "nonconform",
        "results/7.1.c1/notes": "营业执照副本未悬挂",
        "results/7.1.c1/means": ["document_review", "site"],
        "results/7.1.c2/evidence": "照片 P-01",
        "findings/F1/handling": "suspend_and_rectify",
        "findings/F2/deadline": "2026-12-18",
        "findings/F3/deadline": "2026-12-09",
        "findings/F4/affects_past_products": True,
        "findings/F4/state": "failed",
        "findings/F4/reviewed_on": "2026-11-25",
        "signatures/witness_present": True,
        "signatures/witness_name": "王见证",
        "signatures/witness_signed": True,
        "signatures/company_signed_at": "2026-11-20T17:05:00",
        "opinion/conclusion": "发现问题5项，企业应限期整改。",
        "follow_up/measures": ["recheck", "key_supervision"],
        "follow_up/reviewer": "李华",
        "findings/F5": {"item": "7.8.m4", "description": "灭菌确认报告未覆盖新增装载方式。",
                        "handling": "rectify_by_deadline", "requirement": "补充灭菌再确认。",
                        "deadline": "2026-12-31", "affects_past_products": False,
                        "state": "open", "submitted_on": None, "evidence": "",
                        "review_mode": "", "reviewed_on": None, "reviewer": "",
                        "basis": "《医疗器械生产质量管理规范》", "grade": "",
                        "corrected_by": "", "corrected_at": None, "warning_on": None,
                        "warning_channel": "", "warning_text": "", "case_number": "",
                        "transferred_to": "", "transferred_on": None, "handed_over": "",
                        "reviews": {}, "extensions": {}, "submissions": {}},
    }
    ws = load_workbook(copy)["现场检查记录"]
    assert by_path["results/7.1.c1/result"] == Change(
        "results/7.1.c1/result", "nonconform", "现场检查记录", f"C{row_of(ws, '七、1.检查内容（1）')}")
    updated = apply_changes(record, changes)
    assert updated.findings["F5"].deadline == date(2026, 12, 31)
    assert updated.results["7.1.c1"].means == ("document_review", "site")
    assert updated.follow_up.measures == ("recheck", "key_supervision")
    assert read_workbook(copy, updated) == []  # applied: nothing left, F5 is not added twice


def test_every_invalid_cell_is_reported_and_nothing_returned(copy: Path, record: Inspection
                                                             ) -> None:
    def bad_new_row(wb: Workbook) -> None:
        ws = wb["问题与整改"]
        r = row_of(ws, "F4") + 2
        ws.cell(r, 2).value = "7.8.m4"
        ws.cell(r, 4).value = "现场监督立即纠正"

    edit(copy, {
        "现场检查记录": {("七、1.检查内容（3）", 3): "基本符合",
                       ("七、1.检查内容（4）", 4): "这条是好的"},
        "问题与整改": {("F1", 8): "2026-02-30"},
        "签字确认": {("企业拒绝签字", 2): "也许"},
    }, extra=bad_new_row)
    with pytest.raises(ValidationError) as err:
        read_workbook(copy, record)
    wb = load_workbook(copy)
    rec, fnd = wb["现场检查记录"], wb["问题与整改"]
    where = {(p.sheet, f"{p.column}{p.row}"): p for p in err.value.problems}
    expected = {
        ("现场检查记录", f"C{row_of(rec, '七、1.检查内容（3）')}"): "workbook.bad_value",
        ("问题与整改", f"H{row_of(fnd, 'F1')}"): "workbook.bad_value",
        ("问题与整改", f"C{row_of(fnd, 'F4') + 2}"): "workbook.required",
        ("签字确认", f"B{row_of(wb['签字确认'], '企业拒绝签字')}"): "workbook.bad_value",
    }
    assert {k: p.code for k, p in where.items()} == expected
    bad_date = where[("问题与整改", f"H{row_of(fnd, 'F1')}")]
    assert bad_date.message.startswith(f"问题与整改!H{row_of(fnd, 'F1')}：")
    assert "不存在" in bad_date.message
    assert bad_date.field == "findings/F1/deadline"
    assert "nothing was applied" in str(err.value)


def test_generated_cells_cannot_be_edited(copy: Path, record: Inspection) -> None:
    edit(copy, {"现场检查记录": {("七、1.检查内容（1）", 2): "改过的检查内容"},
                "问题与整改": {("F1", 9): 99}})
    with pytest.raises(ValidationError) as err:
        read_workbook(copy, record)
    assert {p.code for p in err.value.problems} == {"workbook.read_only"}
    assert len(err.value.problems) == 2


def test_formulas_typed_into_the_workbook_are_refused(copy: Path, record: Inspection) -> None:
    edit(copy, {"现场检查记录": {("七、1.检查内容（1）", 4): "=1+1"}})
    wb = load_workbook(copy)
    assert wb["现场检查记录"].cell(row_of(wb["现场检查记录"], "七、1.检查内容（1）"), 4
                                   ).data_type == "f"
    with pytest.raises(ValidationError) as err:
        read_workbook(copy, record)
    assert [p.code for p in err.value.problems] == ["workbook.formula"]


def test_another_inspections_workbook_is_refused(exported: Path, record: Inspection) -> None:
    other = dataclasses.replace(record, id="20261201-abcdef")
    with pytest.raises(ValidationError) as err:
        read_workbook(exported, other)
    (problem,) = err.value.problems
    assert problem.code == "workbook.other_inspection"
    assert "demo-2026-1119" in problem.message


def test_a_plain_workbook_is_refused(tmp_path: Path, record: Inspection) -> None:
    path = tmp_path / "plain.xlsx"
    Workbook().save(path)
    with pytest.raises(ValidationError) as err:
        read_workbook(path, record)
    assert err.value.problems[0].code == "workbook.not_kit"
    assert not verify_workbook(path).intact


def test_changes_since_export_are_kept_and_conflicts_reported(copy: Path, record: Inspection
                                                              ) -> None:
    # after export, someone changed F1's requirement and F2's description in the store
    findings = dict(record.findings)
    findings["F1"] = dataclasses.replace(findings["F1"], requirement="新的整改要求")
    findings["F2"] = dataclasses.replace(findings["F2"], description="新的描述")
    current = dataclasses.replace(record, findings=findings)
    edit(copy, {"问题与整改": {("F2", 3): "工作簿中的描述", ("F3", 6): "工作簿中的要求"}})
    with pytest.raises(ValidationError) as err:
        read_workbook(copy, current)
    (conflict,) = err.value.problems
    assert (conflict.code, conflict.field) == ("workbook.conflict", "findings/F2/description")
    # the untouched F1 cell still shows the old requirement: it is not read as a change back
    edit(copy, {"问题与整改": {("F2", 3): record.findings["F2"].description}})
    assert [(c.path, c.value) for c in read_workbook(copy, current)] == [
        ("findings/F3/requirement", "工作簿中的要求")]


def test_the_store_audit_trail_and_the_import_glue(tmp_path: Path) -> None:
    """What ``kit export`` / ``kit import`` do around these pure functions, with the store."""
    from kit.store import Store

    with Store(data_dir=tmp_path) as store:
        iid = Door(store, Identity("张明")).create(demo())
        Session(Door(store, Identity("李华")), iid).set("results/7.1.c2/notes",
                                                        "复核 & <i>备注</i>")
        trail = store.audit(iid)
        path = write_workbook(Door(store).inspection(iid), tmp_path / "x.xlsx", audit=trail)
        ws = load_workbook(path)["审计记录"]
        top = header_row(ws, "时间（北京时间）")
        rows = list(ws.iter_rows(min_row=top + 1, values_only=True))
        assert len(rows) == len(trail)
        at, user, action, field, old, new = rows[-1]
        assert (user, action, field, old, new) == ("李华", "update", "results/7.1.c2/notes",
                                                  None, "复核 & <i>备注</i>")
        assert at == beijing(trail[-1].at).isoformat(sep=" ", timespec="seconds")
        assert at.endswith("+08:00")  # Beijing time, whatever the machine's zone
        assert rows[0][3] is None  # the create entry has no path

        edit(path, {"现场检查记录": {("七、1.检查内容（1）", 3): "不符合"}})
        assert workbook_inspection_id(path) == iid
        assert import_workbook(Door(store, Identity("李华")), path) == (iid, {"results": 1}, [])
        assert Door(store).inspection(iid).results["7.1.c1"].result == "nonconform"
        last = store.audit(iid)[-1]
        assert (last.action, last.path, last.new) == (
            "import", "results/7.1.c1/result", "nonconform")
        assert verify_workbook(path).problems[0].field == "results/7.1.c1/result"


def test_a_notices_service_is_filled_in_offline_its_number_is_not(copy: Path,
                                                                  record: Inspection) -> None:
    edit(copy, {"签字确认": {("整改通知书送达日期", 2): "2026年11月21日",
                             ("整改通知书签收人", 2): None,
                             ("整改通知书企业拒收", 2): "是",
                             ("整改通知书拒收见证人员", 2): "张明、李华"}})
    assert {c.path: c.value for c in read_workbook(copy, record)} == {
        "notices/rectification/served_on": "2026-11-21",
        "notices/rectification/received_by": "",
        "notices/rectification/refused": True,
        "notices/rectification/witnesses": ["M1", "M2"]}
    edit(copy, {"签字确认": {("结果告知书文号", 2): "京药监械检告〔2026〕999号"}})
    with pytest.raises(ValidationError) as err:
        read_workbook(copy, record)
    assert {p.code for p in err.value.problems} == {"workbook.read_only"}


def test_an_inability_to_inspect_is_filled_in_offline(copy: Path, record: Inspection) -> None:
    """六、8 on the printed record: whether the inspection could not be carried out, what
    happened and the inspectors who noted it, by name, read back as the record's fields."""
    edit(copy, {"签字确认": {("无法实施检查", 2): "是",
                             ("无法实施检查的情况", 2): "企业负责人拒绝检查人员进入生产车间",
                             ("注明情况的检查人员", 2): "张明、李华"}})
    assert {c.path: c.value for c in read_workbook(copy, record)} == {
        "inability/recorded": True,
        "inability/reason": "企业负责人拒绝检查人员进入生产车间",
        "inability/noted_by": ["M1", "M2"]}


def test_an_inability_to_inspect_is_written_and_read_back_unchanged(tmp_path: Path) -> None:
    from kit.record import Inability

    unable = dataclasses.replace(demo(), inability=Inability(
        recorded=True, reason="企业以停产为由拒绝检查", noted_by=("M1", "M2")))
    path = write_workbook(unable, tmp_path / "unable.xlsx")
    assert read_workbook(path, unable) == []
    ws = load_workbook(path)["签字确认"]
    row = row_of(ws, "注明情况的检查人员")
    assert ws.cell(row, 2).value == "张明、李华"


def test_edits_of_the_trail_sheet_are_reported_by_cell_never_applied_nor_dropped_unsaid(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kit.cli import main
    from kit.interchange import demo_file, import_json
    from kit.store import Store

    with Store(data_dir=tmp_path) as store:
        iid = import_json(Door(store, Identity("张明")), demo_file())
    book = tmp_path / "r.xlsx"
    assert main(["export", iid, "--out", str(book), "--data-dir", str(tmp_path)]) == 0
    wb = load_workbook(book)
    trail = wb["审计记录"]
    top = header_row(trail, "时间（北京时间）")
    trail.cell(top + 1, 2).value = "冒名的用户"
    wb.save(book)
    edit(book, {"现场检查记录": {("七、1.检查内容（1）", 3): "不符合"}})
    capsys.readouterr()
    assert main(["import", str(book), "--data-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "应用 1 处修改" in out
    assert f"审计记录!B{top + 1}" in err
    assert "workbook.trail_edited" in err
    with Store(data_dir=tmp_path) as store:
        assert next(e.user for e in store.audit(iid)) == "张明"  # the trail is as the kit wrote it
