"""The workbook's sheets: what each shows, its drop-downs and its print settings."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import pytest
from openpyxl import Workbook

from kit.guide import load_guide
from kit.profiles import load_profile
from kit.record import (
    Inspection,
)
from kit.workbook import (
    SHEET_NAMES,
    canonical_json,
)
from tests.workbook.helpers import (
    demo,
    header_row,
    row_of,
    value,
    with_sampling,
)


def test_sheets_in_order_with_a_very_hidden_seal(book: Workbook) -> None:
    assert book.sheetnames == [*SHEET_NAMES, "_kit"]
    assert book["_kit"].sheet_state == "veryHidden"
    assert all(book[name].sheet_state == "visible" for name in SHEET_NAMES)


def test_plan_sheet_holds_the_plan_contents_of_5_5(book: Workbook, record: Inspection) -> None:
    ws = book["检查方案"]
    assert header_row(ws, "项目") == 4
    assert ws["A2"].value == "医疗器械生产监督检查方案"
    assert value(ws, "检查目的") == record.scope.purpose
    assert value(ws, "被检查企业") == "北京示例医疗科技有限公司"
    assert value(ws, "检查方式") == "监督检查"
    assert value(ws, "检查时间") == "2026-11-19 至 2026-11-20"
    assert value(ws, "日程安排") == record.plan.schedule
    assert value(ws, "检查依据").splitlines()[0] == (
        "三、1.《医疗器械监督管理条例》（中华人民共和国国务院令第739号）")
    assert "七、8. 生产管理" in value(ws, "检查内容").splitlines()
    team = value(ws, "检查组及分工").splitlines()
    assert team[0] == ("张明（检查组长，北京市药品监督管理局第七分局，证号 京械检-0101）："
                       "七、1、2、5、6、10、12、13、14")
    assert team[2] == "赵工（专家，某医疗器械检验研究院）"
    assert value(ws, "方案审核").startswith("需经检查派出机构审核；已批准（王处长")
    assert "随机种子 20261119" in value(ws, "记录样本选取")



def test_plan_sheet_says_where_deadline_reminders_go(tmp_path) -> None:
    """The e-mails kit remind writes to are on the written plan, the company's and each
    member's; a record without them shows no empty row for them."""
    from dataclasses import replace

    from openpyxl import load_workbook

    from kit.workbook import write_workbook

    record = demo()
    plain = tmp_path / "plain.xlsx"
    write_workbook(record, plain)
    assert not any(r[0] == "联系人电子邮箱" for r in load_workbook(plain)["检查方案"].iter_rows(
        values_only=True))
    team = dict(record.team)
    leader = next(k for k, m in team.items() if m.role == "leader")
    team[leader] = replace(team[leader], email="zhang.ming@yjj.example.cn")
    mailed = replace(record, company=replace(record.company, email="qa@company.example.cn"),
                     team=team)
    out = tmp_path / "mailed.xlsx"
    write_workbook(mailed, out)
    ws = load_workbook(out)["检查方案"]
    assert value(ws, "联系人电子邮箱") == "qa@company.example.cn"
    assert value(ws, "联系人电子邮箱", col=3) == "整改期限提醒发往此邮箱"
    assert value(ws, "检查组及分工").splitlines()[0] == (
        "张明（检查组长，北京市药品监督管理局第七分局，证号 京械检-0101，邮箱 "
        "zhang.ming@yjj.example.cn）：七、1、2、5、6、10、12、13、14")


def test_record_sheet_lists_every_item_in_scope(book: Workbook, record: Inspection) -> None:
    ws = book["现场检查记录"]
    top = header_row(ws, "条款")
    assert [c.value for c in ws[top]] == [
        "条款", "检查内容／检查方法", "检查结果", "检查情况记录", "检查手段", "证据材料", "检查人员"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=top + 1, values_only=True)}
    profile, guide = load_profile(record.profile), load_guide()
    n = 0
    for sid in record.scope.sections:
        section = guide.section(sid)
        heading = f"{section.label} {section.text.zh}"
        assert any(str(k).startswith(heading) for k in rows), heading
        for item in profile.checklist(sid):
            n += 1
            row = rows[item.label]
            assert row[1] == item.zh
            result = record.result(item.id)
            assert row[2] == {"conform": "符合", "nonconform": "不符合",
                              "not_applicable": "不适用", "unchecked": "未检查"}[result.result]
    assert n == len(profile.item_ids()) == 145
    f1 = rows["七、3.检查方法（2）"]
    assert f1[2] == "不符合"
    assert "资料审查" in f1[4]
    assert rows["七、1.检查内容（1）"][6] == "张明"


def test_section_rows_are_merged_across_the_table(book: Workbook) -> None:
    ws = book["现场检查记录"]
    r = row_of(ws, "七、1. 有效证照、法规及标准（分工：张明）")
    assert f"A{r}:G{r}" in {str(m) for m in ws.merged_cells.ranges}


def test_findings_sheet_has_handling_deadlines_and_working_days(book: Workbook) -> None:
    ws = book["问题与整改"]
    top = header_row(ws, "编号")
    assert [c.value for c in ws[top]] == [
        "编号", "检查项", "问题描述", "处理方式（十、1）", "问题等级", "整改要求", "依据", "整改期限",
        "整改时限（工作日）", "涉及既往产品"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=top + 1, values_only=True) if r[0]}
    assert list(rows) == ["F1", "F2", "F3", "F4"]
    handling = {t.code: t.zh for t in load_guide().terms("handling_kinds")}
    f1, f2, f3, f4 = rows["F1"], rows["F2"], rows["F3"], rows["F4"]
    assert f1[1] == "七、3.检查方法（2）"
    assert f1[3] == handling["rectify_by_deadline"] == "书面明确整改要求及整改期限"
    assert f2[3] == "现场监督立即纠正"
    assert f3[3] == "暂停生产并立即开始整改"
    assert f1[4] is None  # the demo's office grades nothing (scheme none)
    assert f1[6] == "《医疗器械生产质量管理规范附录无菌医疗器械》"  # the basis the notice cites
    # deadlines are real dates; working days counted from the last inspection day 2026-11-20
    assert (f1[7], f1[8]) == (datetime(2026, 12, 11), 15)
    assert (f3[7], f3[8]) == (datetime(2026, 12, 4), 10)
    assert (f4[7], f4[8]) == (datetime(2026, 12, 11), 15)
    assert (f2[7], f2[8]) == (None, None)
    assert (f1[9], f2[9]) == ("是", "否")
    assert ws.cell(row_of(ws, "F1"), 8).is_date


def test_tracking_sheet_follows_each_finding_to_its_end(book: Workbook) -> None:
    ws = book["整改跟踪"]
    top = header_row(ws, "编号")
    assert [c.value for c in ws[top]] == [
        "编号", "检查项", "整改期限", "现行整改期限（含延期）", "整改状态", "提交整改资料日期", "整改证据",
        "复查方式", "复查日期", "复查人"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=top + 1, values_only=True) if r[0]}
    assert list(rows) == ["F1", "F2", "F3", "F4"]
    # F3 suspended production: rechecked on site (十、1), passed
    assert rows["F3"][1:] == ("七、9.检查方法（5）", datetime(2026, 12, 4), datetime(2026, 12, 4),
                              "复查合格",
                              datetime(2026, 11, 23), "同期批次重新检验报告、纠正预防措施记录",
                              "现场复查", datetime(2026, 11, 24), "张明")
    assert rows["F2"][4] == "复查合格"  # corrected on site
    assert rows["F2"][2] is None
    # F4's deadline was extended (E1): the one in force is shown beside the one first set
    assert rows["F4"][2:4] == (datetime(2026, 12, 11), datetime(2026, 12, 18))


def test_sampling_sheet_prints_nine_columns_in_words(book: Workbook, record: Inspection) -> None:
    ws = book["记录抽样"]
    top = header_row(ws, "记录编号")
    assert [c.value for c in ws[top]] == [
        "记录编号", "记录类型 / 产品 / 批号", "记录日期", "条件 / 工序", "文件及版本", "抽样规则",
        "选取理由", "记录数据", "标记"]
    rows = list(ws.iter_rows(min_row=top + 1, values_only=True))
    assert len(rows) == len(record.sampling.rows) == 25
    # every value of the draw is on the sheet: the register's own columns by name, the flag
    # in words, the version in force beside the one used
    assert rows[3] == ("BR-2026-003", "批生产记录 一次性使用无菌注射器 S2609-03", "2026-09-04", None,
                       "现行 C", "9.1;9.2", "近一季度内同种记录", "拉伸力 33", "数据与结论不一致")
    subtitle = ws.cell(top - 1, 1).value
    assert subtitle.startswith("随机种子 20261119；抽样基准日 2026-11-19；参数：per_group=2")


def test_signature_sheet(book: Workbook) -> None:
    ws = book["签字确认"]
    assert value(ws, "企业签字人") == "陈示例"
    assert value(ws, "企业签字时间") == datetime(2026, 11, 20, 16, 40)
    assert value(ws, "企业拒绝签字") == "否"
    assert value(ws, "签字检查人员") == "张明、李华"
    assert value(ws, "见证人在场") == "否"
    assert value(ws, "检查结果").startswith("检查表共 145 项：")
    # the company signed on the screen: the pen's row says where that signature is
    assert value(ws, "企业负责人（签字）") == "已手写签名，见“证据材料” A2"
    assert value(ws, "检查人员（签字）") == "已手写签名，见“证据材料” A3、A4"
    assert value(ws, "见证人（签字）") is None  # no witness: left blank


def test_follow_up_sheet_with_the_measures_of_10_3(book: Workbook) -> None:
    ws = book["跟踪"]
    assert value(ws, "整改资料提交日期") == datetime(2026, 11, 23)
    assert value(ws, "复查方式") == "书面审查"
    assert value(ws, "复查人") == "张明"
    assert value(ws, "结案日期") == datetime(2026, 11, 24)
    measures = {k: v for k, v in ws.iter_rows(min_col=1, max_col=2, values_only=True)
                if isinstance(k, str) and k.startswith("后续措施")}
    assert len(measures) == 8
    assert measures["后续措施（1）现场复查或书面审查"] == "是"
    assert measures["后续措施（2）加强产品自检或送第三方检测"] == "是"
    assert list(measures.values()).count("否") == 6
    assert value(ws, "既往产品措施（1）监督抽验") == "是"
    assert value(ws, "跟踪检查说明") == "整改报告及证据齐全；注射器放行恢复前已复核。"


def test_audit_sheet(book: Workbook) -> None:
    ws = book["审计记录"]
    top = header_row(ws, "时间（北京时间）")
    rows = list(ws.iter_rows(min_row=top + 1, values_only=True))
    assert rows == [
        # the trail's UTC times in Beijing time, with the offset
        ("2026-11-19 18:05:00+08:00", "张明", "update", "results/7.1.c1/result", "unchecked",
         "conform"),
        ("2026-11-21 00:40:00+08:00", "李华", "update", "findings/F1/deadline", None,
         "2026-12-11"),
        ("2026-11-24 17:00:00+08:00", "张明", "import", "follow_up/measures", "[]",
         '["recheck", "more_testing"]'),
    ]


def test_title_block_placeholders_are_filled(book: Workbook) -> None:
    ws = book["现场检查记录"]
    assert ws["A1"].value == "北京市药品监督管理局第七分局"
    assert ws["A2"].value == "医疗器械生产监督现场检查记录"
    assert ws["A3"].value == ("被检查企业：北京示例医疗科技有限公司　　检查编号：demo-2026-1119"
                              "　　检查日期：2026-11-19 至 2026-11-20")

def _validations(ws: Any) -> dict[str, Any]:
    return {dv.promptTitle: dv for dv in ws.data_validations.dataValidation}


def test_result_cells_carry_a_drop_down(book: Workbook) -> None:
    ws = book["现场检查记录"]
    dv = _validations(ws)["检查结果"]
    assert dv.type == "list"
    assert dv.formula1 == '"未检查,符合,不符合,不适用"'
    assert dv.showErrorMessage
    top = header_row(ws, "条款")
    labels = {load_guide().item(i).label for i in load_profile("full").item_ids()}
    item_rows = [c.row for (c,) in ws.iter_rows(min_row=top + 1, max_col=1) if c.value in labels]
    assert len(item_rows) == 145
    assert all(f"C{r}" in dv.sqref for r in item_rows)
    assert "C5" not in dv.sqref  # the first section heading is no result cell


def test_findings_and_forms_carry_drop_downs(book: Workbook) -> None:
    ws = book["问题与整改"]
    dv = _validations(ws)["处理方式"]
    assert dv.type == "list"
    assert dv.formula1 == '"' + ",".join(
        t.zh for t in load_guide().terms("handling_kinds")) + '"'
    last = row_of(ws, "F4")
    assert f"D{last}" in dv.sqref
    assert f"D{last + 1}" in dv.sqref
    assert _validations(ws)["是／否"].formula1 == '"是,否"'
    follow = _validations(book["跟踪"])
    assert follow["复查方式"].formula1 == '"书面审查,现场复查"'
    assert follow["是／否"].type == "list"


@pytest.mark.parametrize(("sheet", "orientation"), [
    ("检查方案", "portrait"), ("现场检查记录", "landscape"), ("问题与整改", "landscape"),
    ("记录抽样", "landscape"), ("签字确认", "portrait"), ("跟踪", "portrait"),
    ("审计记录", "landscape"),
])
def test_print_settings(book: Workbook, sheet: str, orientation: str) -> None:
    ws = book[sheet]
    first = {"检查方案": "项目", "现场检查记录": "条款", "问题与整改": "编号", "记录抽样": "记录编号",
             "签字确认": "项目", "跟踪": "项目", "审计记录": "时间（北京时间）"}[sheet]
    top = header_row(ws, first)
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.page_setup.orientation == orientation
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == f"${top}:${top}"
    assert ws.freeze_panes == f"A{top + 1}"
    footer = ws.oddFooter.center.text
    assert "&P" in footer
    assert "&N" in footer
    assert ws.oddFooter.right.text == "校验码 " + hashlib.sha256(
        canonical_json(with_sampling(demo())).encode()).hexdigest()[:16]
    body = ws.cell(top + 2, 2)  # (top + 1 is a merged section heading on 现场检查记录)
    assert body.alignment.wrap_text
    assert body.font.name == "宋体"
    assert body.border.left.style == "thin"
    assert ws.column_dimensions["B"].width > 8


def test_wrapped_rows_get_a_height_that_shows_every_line(book: Workbook) -> None:
    ws = book["检查方案"]
    lines = len(value(ws, "检查内容").splitlines())
    assert lines == 14
    assert ws.row_dimensions[row_of(ws, "检查内容")].height >= lines * 10.5 * 1.3
