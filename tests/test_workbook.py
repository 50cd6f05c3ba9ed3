"""The Excel workbook: content, validations, print settings, import, seal, safety, template.

Workbooks are read back with openpyxl and compared as parsed cells, never as raw XML.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kit.resources import shipped_dir
from kit.workbook._read import CellError, parse_date, parse_datetime
from kit.errors import ValidationError
from kit.guide import load_guide
from kit.record import (
    Finding,
    Inspection,
    ItemResult,
    Sampling,
    from_doc,
    parse_doc,
    to_doc,
)
from kit.profiles import load_profile
from kit.workbook import (
    SHEET_NAMES,
    Change,
    apply_changes,
    canonical_json,
    read_workbook,
    verify_workbook,
    workbook_inspection_id,
    write_workbook,
)

EXPORTED_AT = datetime(2026, 11, 25, 9, 30)
FORMULA_LIKE = ["=1+1", "+SUM(A1)", "-2", "@x", '=HYPERLINK("http://x")', "<b>x</b>", "#N/A"]


@dataclasses.dataclass(frozen=True)
class Entry:
    """An audit entry shaped like the store's (at, user, action, path, old, new)."""

    at: datetime
    user: str
    action: str
    path: str
    old: Any
    new: Any


def demo() -> Inspection:
    path = shipped_dir("sample_data") / "demo_inspection.json"
    return from_doc(json.loads(path.read_text(encoding="utf-8")))


def with_sampling(ins: Inspection, n: int = 25) -> Inspection:
    """The demo with ``n`` sampled records shaped like kit.sampling's selection."""
    rows = tuple(
        {
            "record_id": f"BR-2026-{i:03d}",
            "rules": "9.1;9.2",
            "reason": "近一季度内同种记录",
            "group": "批生产记录 / 一次性使用无菌注射器",
            "doc_version_in_force": "C",
            "flags": "data_conclusion_mismatch" if i == 3 else "",
            "record_type": "批生产记录",
            "product": "一次性使用无菌注射器",
            "batch": f"S2609-{i:02d}",
            "record_date": f"2026-09-{i + 1:02d}",
            "拉伸力": f"{30 + i}",
        }
        for i in range(n)
    )
    columns = ("record_id", "rules", "reason", "group", "doc_version_in_force", "flags",
               "record_type", "product", "batch", "record_date", "拉伸力")
    sampling = Sampling(seed=20261119, inspection_date=date(2026, 11, 19),
                        parameters={"per_group": "2", "window_months": "3"}, columns=columns,
                        rows=rows, notes=("输液器近三个月无记录，取最近一个生产周期",))
    return dataclasses.replace(ins, sampling=sampling)


AUDIT = [
    Entry(datetime(2026, 11, 19, 10, 5), "张明", "update", "results/7.1.c1/result",
          "unchecked", "conform"),
    Entry(datetime(2026, 11, 20, 16, 40), "李华", "update", "findings/F1/deadline", None,
          "2026-12-11"),
    Entry(datetime(2026, 11, 24, 9, 0), "张明", "import", "follow_up/measures", [],
          ["recheck", "more_testing"]),
]


@pytest.fixture(scope="module")
def record() -> Inspection:
    return with_sampling(demo())


@pytest.fixture(scope="module")
def exported(record: Inspection, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wb") / "demo.xlsx"
    return write_workbook(record, out, audit=AUDIT, exported_at=EXPORTED_AT)


@pytest.fixture(scope="module")
def book(exported: Path) -> Workbook:
    return load_workbook(exported)


@pytest.fixture
def copy(exported: Path, tmp_path: Path) -> Path:
    target = tmp_path / "filled.xlsx"
    shutil.copy(exported, target)
    return target


def header_row(ws: Any, first: str) -> int:
    """The row whose column A holds the header ``first``."""
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if cell.value == first:
            return int(cell.row)
    raise AssertionError(f"no header {first!r} in {ws.title}")


def row_of(ws: Any, key: str) -> int:
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if cell.value == key:
            return int(cell.row)
    raise AssertionError(f"no row {key!r} in {ws.title}")


def value(ws: Any, key: str, col: int = 2) -> Any:
    return ws.cell(row_of(ws, key), col).value


def edit(path: Path, edits: dict[str, dict[tuple[str, int], Any]], extra: Any = None) -> None:
    """Set cells found by (column-A key, column number) on each sheet, as a person would."""
    wb = load_workbook(path)
    for sheet, cells in edits.items():
        ws = wb[sheet]
        for (key, col), new in cells.items():
            ws.cell(row_of(ws, key), col).value = new
    if extra is not None:
        extra(wb)
    wb.save(path)


# -- content ------------------------------------------------------------------------------------
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
        "编号", "检查项", "问题描述", "处理方式（十、1）", "整改要求", "整改期限",
        "整改时限（工作日）", "涉及既往产品"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=top + 1, values_only=True) if r[0]}
    assert list(rows) == ["F1", "F2", "F3", "F4"]
    handling = {t.code: t.zh for t in load_guide().terms("handling_kinds")}
    f1, f2, f3, f4 = rows["F1"], rows["F2"], rows["F3"], rows["F4"]
    assert f1[1] == "七、3.检查方法（2）"
    assert f1[3] == handling["rectify_by_deadline"] == "书面明确整改要求及整改期限"
    assert f2[3] == "现场监督立即纠正"
    assert f3[3] == "暂停生产并立即开始整改"
    # deadlines are real dates; working days counted from the last inspection day 2026-11-20
    assert f1[5] == datetime(2026, 12, 11)
    assert f1[6] == 15
    assert f3[5] == datetime(2026, 12, 4)
    assert f3[6] == 10
    assert f4[5] == datetime(2026, 12, 11)
    assert f4[6] == 15
    assert f2[5] is None
    assert f2[6] is None
    assert (f1[7], f2[7]) == ("是", "否")
    assert ws.cell(row_of(ws, "F1"), 6).is_date


def test_sampling_sheet_renders_rows_generically(book: Workbook, record: Inspection) -> None:
    ws = book["记录抽样"]
    top = header_row(ws, "记录编号")
    assert [c.value for c in ws[top]] == [
        "记录编号", "抽样规则", "选取理由", "分组", "适用文件版本", "标记",
        "记录类型", "产品", "批号", "记录日期", "拉伸力"]
    rows = list(ws.iter_rows(min_row=top + 1, values_only=True))
    assert len(rows) == len(record.sampling.rows) == 25
    assert rows[3][:6] == ("BR-2026-003", "9.1;9.2", "近一季度内同种记录",
                           "批生产记录 / 一次性使用无菌注射器", "C", "data_conclusion_mismatch")
    assert rows[3][8:] == ("S2609-03", "2026-09-04", "33")
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
    assert value(ws, "企业负责人（签字）") is None  # left blank for the pen


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
    top = header_row(ws, "时间")
    rows = list(ws.iter_rows(min_row=top + 1, values_only=True))
    assert rows == [
        ("2026-11-19 10:05:00", "张明", "update", "results/7.1.c1/result", "unchecked",
         "conform"),
        ("2026-11-20 16:40:00", "李华", "update", "findings/F1/deadline", None, "2026-12-11"),
        ("2026-11-24 09:00:00", "张明", "import", "follow_up/measures", "[]",
         '["recheck", "more_testing"]'),
    ]


def test_title_block_placeholders_are_filled(book: Workbook) -> None:
    ws = book["现场检查记录"]
    assert ws["A1"].value == "北京市药品监督管理局第七分局"
    assert ws["A2"].value == "医疗器械生产监督现场检查记录"
    assert ws["A3"].value == ("被检查企业：北京示例医疗科技有限公司　　检查编号：demo-2026-1119"
                              "　　检查日期：2026-11-19 至 2026-11-20")


# -- drop-downs and print -----------------------------------------------------------------------
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
             "签字确认": "项目", "跟踪": "项目", "审计记录": "时间"}[sheet]
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


# -- safety ---------------------------------------------------------------------------------------
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


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Inspection, Path]:
    ins = demo()
    company = dataclasses.replace(ins.company, name='=HYPERLINK("http://x")')
    results = dict(ins.results)
    for i, text in enumerate(FORMULA_LIKE, 1):
        results[f"7.2.c{i}"] = ItemResult("conform", notes=text, evidence=text)
    findings = {**ins.findings, "F5": Finding("7.2.c1", "<b>x</b>", "correct_on_site", "=1+1")}
    ins = dataclasses.replace(ins, company=company, results=results, findings=findings)
    out = tmp_path_factory.mktemp("hostile") / "hostile.xlsx"
    return ins, write_workbook(ins, out, exported_at=EXPORTED_AT)


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
    assert findings.cell(f5, 5).value == "=1+1"
    assert findings.cell(f5, 5).data_type == "s"
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


# -- import -------------------------------------------------------------------------------------
def test_untouched_workbook_imports_nothing(exported: Path, record: Inspection) -> None:
    assert read_workbook(exported, record) == []


def test_export_edit_import_round_trip(copy: Path, record: Inspection) -> None:
    def new_finding(wb: Workbook) -> None:
        ws = wb["问题与整改"]
        r = row_of(ws, "F4") + 1
        for col, v in enumerate(["", "7.8.m4", "灭菌确认报告未覆盖新增装载方式。",
                                 "书面明确整改要求及整改期限", "补充灭菌再确认。", "2026/12/31",
                                 None, "否"], 1):
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
            ("F2", 6): "2026年12月18日",
            ("F3", 6): datetime(2026, 12, 9),
            ("F4", 8): "是",
        },
        "签字确认": {
            ("见证人在场", 2): "是",
            ("见证人姓名", 2): "王见证",
            ("见证人已签字", 2): "是",
            ("企业签字时间", 2): "2026-11-20 17:05",
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
        "signatures/witness_present": True,
        "signatures/witness_name": "王见证",
        "signatures/witness_signed": True,
        "signatures/company_signed_at": "2026-11-20T17:05:00",
        "follow_up/measures": ["recheck", "key_supervision"],
        "follow_up/reviewer": "李华",
        "findings/F5": {"item": "7.8.m4", "description": "灭菌确认报告未覆盖新增装载方式。",
                        "handling": "rectify_by_deadline", "requirement": "补充灭菌再确认。",
                        "deadline": "2026-12-31", "affects_past_products": False},
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
        "问题与整改": {("F1", 6): "2026-02-30"},
        "签字确认": {("企业拒绝签字", 2): "也许"},
    }, extra=bad_new_row)
    with pytest.raises(ValidationError) as err:
        read_workbook(copy, record)
    wb = load_workbook(copy)
    rec, fnd = wb["现场检查记录"], wb["问题与整改"]
    where = {(p.sheet, f"{p.column}{p.row}"): p for p in err.value.problems}
    expected = {
        ("现场检查记录", f"C{row_of(rec, '七、1.检查内容（3）')}"): "workbook.bad_value",
        ("问题与整改", f"F{row_of(fnd, 'F1')}"): "workbook.bad_value",
        ("问题与整改", f"C{row_of(fnd, 'F4') + 2}"): "workbook.required",
        ("签字确认", f"B{row_of(wb['签字确认'], '企业拒绝签字')}"): "workbook.bad_value",
    }
    assert {k: p.code for k, p in where.items()} == expected
    bad_date = where[("问题与整改", f"F{row_of(fnd, 'F1')}")]
    assert bad_date.message.startswith(f"问题与整改!F{row_of(fnd, 'F1')}：")
    assert "不存在" in bad_date.message
    assert bad_date.field == "findings/F1/deadline"
    assert "nothing was applied" in str(err.value)


def test_generated_cells_cannot_be_edited(copy: Path, record: Inspection) -> None:
    edit(copy, {"现场检查记录": {("七、1.检查内容（1）", 2): "改过的检查内容"},
                "问题与整改": {("F1", 7): 99}})
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
    edit(copy, {"问题与整改": {("F2", 3): "工作簿中的描述", ("F3", 5): "工作簿中的要求"}})
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
    from kit.session import open_inspection, save_new
    from kit.store import Store

    with Store(data_dir=tmp_path) as store:
        iid = save_new(store, demo(), user="张明")
        store.load(iid).set("results/7.1.c2/notes", "复核 & <i>备注</i>", user="李华")
        trail = store.audit(iid)
        path = write_workbook(open_inspection(store, iid), tmp_path / "x.xlsx", audit=trail)
        ws = load_workbook(path)["审计记录"]
        top = header_row(ws, "时间")
        rows = list(ws.iter_rows(min_row=top + 1, values_only=True))
        assert len(rows) == len(trail)
        at, user, action, field, old, new = rows[-1]
        assert (user, action, field, old, new) == ("李华", "update", "results/7.1.c2/notes",
                                                  None, "复核 & <i>备注</i>")
        assert at == trail[-1].at.astimezone().isoformat(sep=" ", timespec="seconds")
        assert rows[0][3] is None  # the create entry has no path

        edit(path, {"现场检查记录": {("七、1.检查内容（1）", 3): "不符合"}})
        assert workbook_inspection_id(path) == iid
        changes = read_workbook(path, open_inspection(store, iid))
        store.set_many(iid, {c.path: c.value for c in changes}, user="李华", action="import")
        assert open_inspection(store, iid).results["7.1.c1"].result == "nonconform"
        last = store.audit(iid)[-1]
        assert (last.action, last.path, last.new) == (
            "import", "results/7.1.c1/result", "nonconform")
        assert verify_workbook(path).problems[0].field == "results/7.1.c1/result"


@pytest.mark.parametrize("raw", [
    "2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", " 2026 年 3 月 5 日 ", "20260305",
    "２０２６－０３－０５", datetime(2026, 3, 5), date(2026, 3, 5), 46086,
])
def test_dates_in_common_chinese_forms(raw: Any) -> None:
    assert parse_date(raw) == date(2026, 3, 5)


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-13-01", "3/5/2026", "明天", 15, 3.5])
def test_bad_dates_are_refused(raw: Any) -> None:
    with pytest.raises(CellError):
        parse_date(raw)


def test_date_times() -> None:
    assert parse_datetime("2026年11月20日 16:40") == datetime(2026, 11, 20, 16, 40)
    assert parse_datetime("2026-11-20T16:40:05") == datetime(2026, 11, 20, 16, 40, 5)
    assert parse_datetime("2026/11/20") == datetime(2026, 11, 20)
    assert parse_datetime(datetime(2026, 11, 20, 16, 39, 59, 999000)) == datetime(
        2026, 11, 20, 16, 40)
    assert parse_datetime("") is None


# -- the seal -------------------------------------------------------------------------------------
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
    unsigned = verify_workbook(path)
    assert not unsigned.intact
    assert [p.code for p in unsigned.problems] == ["workbook.key_needed"]
    assert read_workbook(path, record) == []  # import only needs the embedded record


def test_verify_does_not_depend_on_todays_calendar_or_guide(exported: Path) -> None:
    """The reference data used at export is embedded, so verify re-renders exactly."""
    ws = load_workbook(exported, read_only=True)["_kit"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "manifest")
    manifest = json.loads("".join(c for c in row[1:] if c))
    assert manifest["lookups"]["workdays/2026-11-20/2026-12-11"] == 15
    assert manifest["lookups"]["terms/handling_kinds"][0] == ["correct_on_site", "现场监督立即纠正"]


# -- the template ---------------------------------------------------------------------------------
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


# -- LibreOffice ----------------------------------------------------------------------------------
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
    from openpyxl import Workbook

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
