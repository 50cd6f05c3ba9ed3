"""What issue 25 added to the record, in the workbook: written, verified, filled in offline
and read back: grades and the verdict under the office's scheme, each handling's outcome,
the review rounds kept (frozen: an edit is reported by its cell), the extensions granted, the
review units told, the duties across authorities, the 延伸检查 link and the company's role."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kit.door import Door, Identity
from kit.errors import ValidationError
from kit.interchange import import_workbook
from kit.policy import load_policy
from kit.record import (
    Company,
    CrossRegion,
    Inspection,
    Opinion,
    PastProducts,
    Scope,
)
from kit.resources import shipped_dir
from kit.store import Store
from kit.workbook import apply_changes, read_workbook, verify_workbook, write_workbook
from tests.workbook.helpers import EXPORTED_AT, demo, edit, header_row, row_of, value


@pytest.fixture
def nmpa2015(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The office grades by NMPA 2015 (a copy of the templates with ``scheme: nmpa2015``)."""
    folder = tmp_path / "templates"
    shutil.copytree(shipped_dir("templates"), folder)
    grading = folder / "grading.yaml"
    text = grading.read_text(encoding="utf-8")
    assert "\nscheme: none\n" in text
    grading.write_text(text.replace("\nscheme: none\n", "\nscheme: nmpa2015\n"), encoding="utf-8")
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(folder))
    assert load_policy().scheme.id == "nmpa2015"
    return "nmpa2015"


def everything() -> Inspection:
    """The demo holding every field issue 25 added: grades, outcomes of each handling, a kept
    round (F1's R1), an extension (F4's E1), the verdict, the review units told, the duties
    across authorities, a 延伸检查 of a supplier."""
    ins = demo()
    f = dict(ins.findings)
    f["F1"] = dataclasses.replace(f["F1"], grade="key")
    f["F2"] = dataclasses.replace(f["F2"], grade="general")  # corrected on site by M2 (李华)
    f["F3"] = dataclasses.replace(f["F3"], grade="general", warning_on=date(2026, 11, 20),
                                  warning_channel="北京市药品监督管理局网站",
                                  warning_text="暂停销售批号S2608-03注射器")
    f["F4"] = dataclasses.replace(f["F4"], grade="general_direct", case_number="京药监械立〔2026〕12号",
                                  transferred_to="区市场监管局", transferred_on=date(2026, 11, 25),
                                  handed_over="现场检查记录复印件")
    return dataclasses.replace(
        ins, findings=f,
        company=dataclasses.replace(ins.company, role="supplier"),
        scope=dataclasses.replace(ins.scope, type="extended", principal="demo-2026-0901"),
        opinion=dataclasses.replace(ins.opinion, verdict="fail", scheme="nmpa2015",
                                    verdict_by="张明", verdict_at=datetime(2026, 11, 20, 16, 30)),
        past_products=dataclasses.replace(ins.past_products, notified_unit="市药监局审评中心",
                                          notified_by="张明", notified_on=date(2026, 11, 21)),
        cross_region=CrossRegion(communicated_with="河北省药品监督管理局", communicated_by="张明",
                                 communicated_on=date(2026, 11, 10),
                                 report_to_both_on=date(2026, 11, 26)))


def rows_below(ws: Any, first: str) -> dict[str, tuple[Any, ...]]:
    """The rows below the header by key (finding/round or finding/extension on the sheets
    keyed by two columns)."""
    top = header_row(ws, first)
    two = ws.title in ("复查记录", "延期整改")
    return {f"{r[0]}/{r[1]}" if two else str(r[0]): r
            for r in ws.iter_rows(min_row=top + 1, values_only=True) if r[0]}


def test_every_new_field_is_in_the_workbook_in_the_schemes_words(nmpa2015: str,
                                                                  tmp_path: Path) -> None:
    ins = everything()
    path = write_workbook(ins, tmp_path / "all.xlsx", exported_at=EXPORTED_AT)
    assert verify_workbook(path).intact
    wb = load_workbook(path)
    findings = rows_below(wb["问题与整改"], "编号")
    assert [findings[k][4] for k in ("F1", "F2", "F3", "F4")] == [
        "关键项（*）不符合", "一般项不符合", "一般项不符合", "一般项不符合，直接影响产品质量"]
    sign = wb["签字确认"]
    assert value(sign, "问题分级办法") == "现场检查指导原则（2015）关键项/一般项"
    assert value(sign, "建议检查结论") == "未通过检查"  # a key item not met
    assert value(sign, "检查结论") == "未通过检查"
    assert value(sign, "检查结论确认人") == "张明"
    assert value(sign, "检查结论确认时间") == datetime(2026, 11, 20, 16, 30)
    assert value(sign, "暂停生产通知书文号") == "京药监械停〔2026〕007号"
    outcomes = rows_below(wb["处理结果"], "编号")
    assert outcomes["F2"][2:5] == ("现场监督立即纠正", "李华", datetime(2026, 11, 19, 10, 40))
    assert outcomes["F3"][5:8] == (datetime(2026, 11, 20), "北京市药品监督管理局网站",
                                   "暂停销售批号S2608-03注射器")
    assert outcomes["F4"][8:] == ("京药监械立〔2026〕12号", "区市场监管局", datetime(2026, 11, 25),
                                  "现场检查记录复印件")
    rounds = rows_below(wb["复查记录"], "问题编号")
    assert rounds == {"F1/R1": ("F1", "R1", datetime(2026, 11, 21), "环境监测程序修订稿", "书面审查",
                                datetime(2026, 11, 22), "张明", "不合格",
                                "修订稿未包括对9月缺项的原因分析，退回补充。")}
    extensions = rows_below(wb["延期整改"], "问题编号")
    assert extensions == {"F4/E1": ("F4", "E1", datetime(2026, 12, 18),
                                    "产品唯一标识数据库年度维护，12月11日前无法上传。", "王建国（科长）",
                                    datetime(2026, 11, 22))}
    assert rows_below(wb["整改跟踪"], "编号")["F4"][2:4] == (datetime(2026, 12, 11),
                                                          datetime(2026, 12, 18))
    follow = wb["跟踪"]
    assert [value(follow, k) for k in ("通报的相关审查单位", "通报人", "通报日期")] == [
        "市药监局审评中心", "张明", datetime(2026, 11, 21)]
    assert [value(follow, k) for k in ("事先沟通的监管部门", "沟通日期", "检查报告报送双方监管部门日期",
                                       "需通报外埠监管部门")] == [
        "河北省药品监督管理局", datetime(2026, 11, 10), datetime(2026, 11, 26), "否"]
    plan = wb["检查方案"]
    assert value(plan, "延伸检查所延伸的检查") == "demo-2026-0901"
    assert value(plan, "企业类型") == "提供产品的单位或个人（延伸检查）"
    assert read_workbook(path, ins) == []  # untouched: nothing read back


def test_every_new_field_edited_offline_comes_back_exactly(nmpa2015: str, tmp_path: Path) -> None:
    ins = everything()
    path = write_workbook(ins, tmp_path / "all.xlsx", exported_at=EXPORTED_AT)

    def new_extension(wb: Workbook) -> None:
        ws = wb["延期整改"]
        r = row_of(ws, "F4") + 1
        for col, v in enumerate(["f1", None, "2027/1/15", "等待第三方检验报告", "王建国（科长）",
                                 "2026年12月10日"], 1):
            ws.cell(r, col).value = v

    edit(path, {
        "问题与整改": {("F2", 5): "一般项不符合，直接影响产品质量"},
        "处理结果": {("F2", 4): "张明", ("F2", 5): "2026-11-19 11:05",
                     ("F3", 6): "2026年11月21日", ("F3", 7): "国家药监局网站",
                     ("F3", 8): "暂停销售并召回批号S2608-03注射器",
                     ("F4", 9): "京药监械立〔2026〕13号", ("F4", 10): "区公安分局",
                     ("F4", 11): "2026/11/26", ("F4", 12): "检查记录及照片"},
        "延期整改": {("F4", 4): "数据库维护延期", ("F4", 6): "2026-11-23"},
        "签字确认": {("检查结论", 2): "整改后复查", ("检查结论确认人", 2): "王处长",
                     ("检查结论确认时间", 2): "2026-11-21 09:00",
                     ("改变建议结论的理由", 2): "关键项已于现场纠正"},
        "跟踪": {("通报的相关审查单位", 2): "国家药监局器审中心", ("通报人", 2): "李华",
                 ("通报日期", 2): "2026-11-22", ("事先沟通的监管部门", 2): "天津市药品监督管理局",
                 ("沟通人", 2): "李华", ("沟通日期", 2): "2026-11-11",
                 ("检查报告报送双方监管部门日期", 2): "2026-11-27", ("需通报外埠监管部门", 2): "是",
                 ("外埠监管部门", 2): "天津市药品监督管理局", ("提前报告市药监局日期", 2): "2026-11-28",
                 ("通报外埠监管部门日期", 2): "2026-11-30"},
    }, extra=new_extension)
    changes = read_workbook(path, ins)
    assert {c.path: c.value for c in changes} == {
        "findings/F2/grade": "general_direct",
        "findings/F2/corrected_by": "M1",
        "findings/F2/corrected_at": "2026-11-19T11:05:00",
        "findings/F3/warning_on": "2026-11-21",
        "findings/F3/warning_channel": "国家药监局网站",
        "findings/F3/warning_text": "暂停销售并召回批号S2608-03注射器",
        "findings/F4/case_number": "京药监械立〔2026〕13号",
        "findings/F4/transferred_to": "区公安分局",
        "findings/F4/transferred_on": "2026-11-26",
        "findings/F4/handed_over": "检查记录及照片",
        "findings/F4/extensions/E1/reason": "数据库维护延期",
        "findings/F4/extensions/E1/approved_on": "2026-11-23",
        "findings/F1/extensions/E1": {"new_deadline": "2027-01-15", "reason": "等待第三方检验报告",
                                      "approved_by": "王建国（科长）", "approved_on": "2026-12-10"},
        "opinion/verdict": "recheck",
        "opinion/verdict_by": "王处长",
        "opinion/verdict_at": "2026-11-21T09:00:00",
        "opinion/verdict_reason": "关键项已于现场纠正",
        "past_products/notified_unit": "国家药监局器审中心",
        "past_products/notified_by": "李华",
        "past_products/notified_on": "2026-11-22",
        "cross_region/communicated_with": "天津市药品监督管理局",
        "cross_region/communicated_by": "李华",
        "cross_region/communicated_on": "2026-11-11",
        "cross_region/report_to_both_on": "2026-11-27",
        "cross_region/notify_outside": True,
        "cross_region/outside_authority": "天津市药品监督管理局",
        "cross_region/advance_report_on": "2026-11-28",
        "cross_region/notified_outside_on": "2026-11-30",
    }
    by_path = {c.path: c for c in changes}
    sheet = load_workbook(path)["延期整改"]
    assert (by_path["findings/F1/extensions/E1"].sheet,
            by_path["findings/F1/extensions/E1"].cell) == (
        "延期整改", f"A{row_of(sheet, 'F4') + 1}:F{row_of(sheet, 'F4') + 1}")
    updated = apply_changes(ins, changes)
    assert updated.findings["F1"].due == date(2027, 1, 15)  # the extension is the deadline now
    assert updated.findings["F2"].corrected_by == "M1"
    assert updated.opinion == Opinion(ins.opinion.conclusion, ins.opinion.decided_on, "recheck",
                                      "nmpa2015", "王处长", datetime(2026, 11, 21, 9, 0),
                                      "关键项已于现场纠正")
    assert read_workbook(path, updated) == []  # applied: nothing left, E1 of F1 not added twice


def test_a_verdict_typed_offline_is_given_under_the_scheme_exported(nmpa2015: str,
                                                                     tmp_path: Path) -> None:
    ins = demo()  # no verdict yet, no scheme named
    path = write_workbook(ins, tmp_path / "v.xlsx", exported_at=EXPORTED_AT)
    edit(path, {"签字确认": {("检查结论", 2): "通过检查"}})
    assert [(c.path, c.value) for c in read_workbook(path, ins)] == [
        ("opinion/verdict", "pass"), ("opinion/scheme", "nmpa2015")]


def test_a_grade_or_verdict_not_of_the_scheme_is_refused_by_cell(nmpa2015: str,
                                                                 tmp_path: Path) -> None:
    ins = demo()
    path = write_workbook(ins, tmp_path / "bad.xlsx", exported_at=EXPORTED_AT)
    edit(path, {"问题与整改": {("F1", 5): "严重缺陷"}, "签字确认": {("检查结论", 2): "基本通过"}})
    with pytest.raises(ValidationError) as err:
        read_workbook(path, ins)
    wb = load_workbook(path)
    assert {(p.code, p.sheet, f"{p.column}{p.row}", p.field) for p in err.value.problems} == {
        ("workbook.bad_value", "问题与整改", f"E{row_of(wb['问题与整改'], 'F1')}",
         "findings/F1/grade"),
        ("workbook.bad_value", "签字确认", f"B{row_of(wb['签字确认'], '检查结论')}",
         "opinion/verdict")}
    assert "关键项（*）不符合" in str(err.value)  # the words the scheme offers


def test_without_a_scheme_a_grade_present_is_shown_and_kept_and_none_can_be_typed(
        tmp_path: Path) -> None:
    assert load_policy().scheme.id == "none"
    f = dict(demo().findings)
    f["F1"] = dataclasses.replace(f["F1"], grade="key")  # graded while the office graded
    ins = dataclasses.replace(demo(), findings=f)
    path = write_workbook(ins, tmp_path / "none.xlsx", exported_at=EXPORTED_AT)
    assert verify_workbook(path).intact
    ws = load_workbook(path)["问题与整改"]
    assert ws.cell(row_of(ws, "F1"), 5).value == "key"  # the scheme has no words for it now
    assert ws.cell(row_of(ws, "F2"), 5).value is None
    assert read_workbook(path, ins) == []  # never lost on the way back
    edit(path, {"问题与整改": {("F2", 5): "一般项不符合"}})
    with pytest.raises(ValidationError) as err:
        read_workbook(path, ins)
    (problem,) = err.value.problems
    assert (problem.code, problem.field) == ("workbook.bad_value", "findings/F2/grade")
    assert "此格应留空" in problem.message


def test_an_edited_kept_round_is_reported_by_cell_never_applied(tmp_path: Path) -> None:
    with Store(data_dir=tmp_path) as store:
        door = Door(store, Identity("张明"))
        iid = door.create(demo())
        path = write_workbook(door.inspection(iid), tmp_path / "r.xlsx")
        wb = load_workbook(path)
        ws = wb["复查记录"]
        r = row_of(ws, "F1")
        ws.cell(r, 8).value = "合格"  # R1 failed: someone makes it pass
        ws.cell(r + 1, 1).value = "F1"  # and adds a round of their own
        wb.save(path)
        edit(path, {"处理结果": {("F3", 7): "官方网站"}})
        done = import_workbook(door, path)
        assert done.parts == {"findings": 1}
        assert [(p.code, p.severity, p.sheet, f"{p.column}{p.row}") for p in done.ignored] == [
            ("review.round_frozen", "warning", "复查记录", f"H{r}"),
            ("review.round_frozen", "warning", "复查记录", f"A{r + 1}")]
        assert done.ignored[0].field == "findings/F1/reviews/R1"
        assert "问题 F1 的第 R1 轮复查已记录，不能修改" in done.ignored[0].message
        assert "（合格）未导入" in done.ignored[0].message
        after = door.inspection(iid)
        assert after.findings["F1"].reviews == demo().findings["F1"].reviews
        assert after.findings["F3"].warning_channel == "官方网站"


def test_a_deleted_extension_row_is_refused(tmp_path: Path) -> None:
    ins = demo()
    path = write_workbook(ins, tmp_path / "e.xlsx", exported_at=EXPORTED_AT)
    wb = load_workbook(path)
    ws = wb["延期整改"]
    ws.delete_rows(row_of(ws, "F4"))
    wb.save(path)
    with pytest.raises(ValidationError) as err:
        read_workbook(path, ins)
    (problem,) = err.value.problems
    assert (problem.code, problem.field) == ("workbook.row_deleted", "findings/F4/extensions/E1")


def test_an_extension_for_no_finding_or_without_its_deadline_is_refused(tmp_path: Path) -> None:
    ins = demo()
    path = write_workbook(ins, tmp_path / "e.xlsx", exported_at=EXPORTED_AT)

    def rows(wb: Workbook) -> None:
        ws = wb["延期整改"]
        r = row_of(ws, "F4")
        ws.cell(r + 1, 1).value = "F9"
        ws.cell(r + 1, 3).value = "2027-01-15"
        ws.cell(r + 2, 1).value = "F2"
        ws.cell(r + 2, 4).value = "理由"

    edit(path, {}, extra=rows)
    with pytest.raises(ValidationError) as err:
        read_workbook(path, ins)
    r = row_of(load_workbook(path)["延期整改"], "F4")
    assert {(p.code, f"{p.column}{p.row}") for p in err.value.problems} == {
        ("workbook.bad_value", f"A{r + 1}"), ("workbook.required", f"C{r + 2}")}


def test_a_record_of_every_field_without_extensions_keeps_its_defaults(tmp_path: Path) -> None:
    """An inspection with nothing of issue 25 filled in shows empty places and reads back
    nothing (a plain supervisory inspection of a registrant)."""
    ins = dataclasses.replace(demo(), company=Company(name="某公司"), scope=Scope(),
                              opinion=Opinion(), past_products=PastProducts(),
                              findings={k: dataclasses.replace(f, extensions={}, reviews={})
                                        for k, f in demo().findings.items()})
    path = write_workbook(ins, tmp_path / "plain.xlsx", exported_at=EXPORTED_AT)
    wb = load_workbook(path)
    assert rows_below(wb["复查记录"], "问题编号") == {}
    assert rows_below(wb["延期整改"], "问题编号") == {}
    assert all(r.value != "延伸检查所延伸的检查" for (r,) in wb["检查方案"].iter_rows(max_col=1))
    assert read_workbook(path, ins) == []


def test_a_rectification_returned_in_the_workbook_is_a_frozen_submission_round(
        tmp_path: Path) -> None:
    """The offline path (六、9): the company writes its 整改证据 on 整改跟踪 and mails the
    workbook back; imported, it is a submission round like one made online (channel
    ``workbook``, under the importing inspector's name), the failed review before it kept as a
    round; the same file imported again adds nothing, and no workbook changes a submission."""
    with Store(data_dir=tmp_path) as store:
        door = Door(store, Identity("张明"))
        failed = dataclasses.replace(
            demo().findings["F4"], state="failed", evidence="数据上传截图",
            review_mode="written", reviewed_on=date(2026, 11, 25), reviewer="王芳")
        iid = door.create(dataclasses.replace(
            demo(), stage="follow_up", findings={**demo().findings, "F4": failed}))
        path = write_workbook(door.inspection(iid), tmp_path / "r.xlsx")
        edit(path, {"整改跟踪": {("F4", 7): "已重新上传全部数据并附确认单"}})
        assert import_workbook(door, path).parts == {"findings": 1}
        f4 = door.inspection(iid).findings["F4"]
        (s_key, sub), = f4.submissions.items()
        assert (sub.channel, sub.by, sub.report) == ("workbook", "张明", "已重新上传全部数据并附确认单")
        assert f4.state == "submitted"
        assert [r.result for r in f4.reviews.values()] == ["failed"]
        # imported again: nothing new
        import_workbook(door, path)
        assert list(door.inspection(iid).findings["F4"].submissions) == [s_key]
        # nor can anyone change it afterwards
        with pytest.raises(ValidationError, match=r"rectification\.submission_frozen"):
            door.save(door.open(iid), {f"findings/F4/submissions/{s_key}/report": "改"})
