"""Analytics over many inspections, on a small history whose numbers are worked out by hand.

The history (all dates 2026, on China's official calendar):

- 甲 (A): A1 监督检查 2026-03-02, all sections: F1 on 七、9.检查方法（5） with deadline 06-01,
  rectification submitted 06-12 (late by 9 working days: 06-02..05 and 06-08..12), closed
  06-15; F2 on 七、3.检查方法（2） corrected on site. A2 有因检查 09-14, sections 七、8 and 七、9:
  F1 again on 七、9.检查方法（5）, deadline 09-30, nothing submitted; on 10-09 it is overdue by
  2 working days (10-01..07 are the National Day holiday; 10-08 and 10-09 count).
- 乙 (B): B1 监督检查 04-01, F1 on 七、5.检查方法（4）, deadline 05-06, submitted 04-30, closed;
  B2 专项检查 08-03, sections 七、4 and 七、9, F1 on 七、4.检查方法（3）, deadline 08-17,
  submitted 08-14, closed 08-20.
- 丙 (C): C1 监督检查 05-11, no findings.
- 丁 (D): D1 监督检查 07-06, F1 on 七、1.检查内容（3）: a case filed (立案调查或移交).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.analytics import (
    SHEETS,
    Tables,
    export_excel,
    findings_per_company,
    findings_per_section,
    findings_per_type,
    load_tables,
    overdue_rectifications,
    repeat_findings,
    suggest_measures,
    tables_of,
    workday_counts,
)
from kit.door import Door, Identity
from kit.record import Company, Finding, FollowUp, Inspection, InspectionType, new_inspection
from kit.store import Store
from kit.workdays import CalendarEstimateWarning, load_calendar

AS_OF = date(2026, 10, 9)
A, B, C, D = "北京甲医疗器械有限公司", "北京乙医用材料有限公司", "北京丙生物科技有限公司", "北京丁医疗科技有限公司"


def make(iid: str, company: str, kind: InspectionType, start: date,
         findings: dict[str, Finding] | None = None, sections: tuple[str, ...] | None = None,
         follow_up: FollowUp | None = None) -> Inspection:
    ins = new_inspection(company=Company(name=company), type=kind, start_date=start,
                         sections=sections)
    return replace(ins, id=iid, findings=findings or {}, follow_up=follow_up or FollowUp(),
                   stage="closed" if follow_up and follow_up.closed_on else "follow_up")


def deadline_finding(item: str, deadline: date) -> Finding:
    return Finding(item, "问题描述", "rectify_by_deadline", "限期整改", deadline)


HISTORY = [
    make("A1", A, "supervisory", date(2026, 3, 2),
         {"F1": deadline_finding("7.9.m5", date(2026, 6, 1)),
          "F2": Finding("7.3.m2", "货架标识脱落", "correct_on_site")},
         follow_up=FollowUp(date(2026, 6, 12), "written", date(2026, 6, 15), "张明",
                            date(2026, 6, 15))),
    make("A2", A, "for_cause", date(2026, 9, 14),
         {"F1": deadline_finding("7.9.m5", date(2026, 9, 30))}, sections=("7.8", "7.9")),
    make("B1", B, "supervisory", date(2026, 4, 1),
         {"F1": deadline_finding("7.5.m4", date(2026, 5, 6))},
         follow_up=FollowUp(date(2026, 4, 30), "written", date(2026, 5, 8), "李华",
                            date(2026, 5, 8))),
    make("B2", B, "special", date(2026, 8, 3),
         {"F1": deadline_finding("7.4.m3", date(2026, 8, 17))}, sections=("7.4", "7.9"),
         follow_up=FollowUp(date(2026, 8, 14), "written", date(2026, 8, 20), "李华",
                            date(2026, 8, 20))),
    make("C1", C, "supervisory", date(2026, 5, 11)),
    make("D1", D, "supervisory", date(2026, 7, 6),
         {"F1": Finding("7.1.c3", "无证生产销售", "file_case")}),
]


@pytest.fixture(scope="module")
def tables() -> Tables:
    return tables_of(HISTORY)


def test_the_store_is_read_whole_and_a_broken_record_is_named_not_fatal(tmp_path):
    store = Store(data_dir=tmp_path)
    for ins in HISTORY:
        Door(store, Identity("分析")).create(ins)
    store.create({"scope": {"type": "月度检查"}}, user="分析", inspection_id="broken")
    tables = load_tables(Door(store))
    assert sorted(tables.inspections["inspection_id"]) == ["A1", "A2", "B1", "B2", "C1", "D1"]
    assert [iid for iid, _why in tables.skipped] == ["broken"]
    assert len(tables.findings) == 6
    assert set(tables.findings.columns) >= {"company", "type", "start_date", "section", "deadline"}
    assert len(tables.follow_ups) == 6
    # 14 sections x 4 full inspections + 七、8/七、9 + 七、4/七、9, one row per item in scope
    assert tables.results.groupby("inspection_id").size()["A1"] == 145
    assert set(tables.results.loc[tables.results["inspection_id"] == "A2", "section"]) == {
        "7.8", "7.9"}


def test_findings_per_section_counts_every_section_and_how_often_it_was_covered(tables):
    frame = findings_per_section(tables).set_index("section")
    assert len(frame) == 14
    assert frame.loc["7.9", "n_findings"] == 2
    assert frame.loc["7.9", "n_inspections"] == 6  # A1 A2 B1 B2 C1 D1
    assert frame.loc["7.9", "findings_per_inspection"] == 0.33
    assert frame.loc["7.4", ["n_findings", "n_inspections"]].tolist() == [1, 5]
    assert frame.loc["7.8", ["n_findings", "n_inspections"]].tolist() == [0, 5]
    assert frame.loc["7.1", ["n_findings", "n_inspections"]].tolist() == [1, 4]
    assert frame["n_findings"].sum() == 6


def test_findings_per_company_and_per_type(tables):
    companies = findings_per_company(tables).set_index("company")
    assert companies.loc[A, ["n_inspections", "n_findings"]].tolist() == [2, 3]
    assert companies.loc[B, ["n_inspections", "n_findings"]].tolist() == [2, 2]
    assert companies.loc[C, ["n_inspections", "n_findings"]].tolist() == [1, 0]
    assert companies.loc[A, "last_inspection"] == pd.Timestamp(2026, 9, 14)
    assert companies.index[0] == A  # most findings first
    types = findings_per_type(tables).set_index("type")
    assert len(types) == 6
    assert types.loc["supervisory", ["n_inspections", "n_findings"]].tolist() == [4, 4]
    assert types.loc["for_cause", ["n_inspections", "n_findings"]].tolist() == [1, 1]
    assert types.loc["special", ["n_inspections", "n_findings"]].tolist() == [1, 1]
    assert types.loc["extended", ["n_inspections", "n_findings"]].tolist() == [0, 0]
    assert types.loc["supervisory", "type_zh"] == "监督检查"


def test_overdue_and_late_rectifications_in_working_days(tables):
    over = overdue_rectifications(tables, AS_OF)
    assert over[["inspection_id", "finding", "status", "workdays_overdue"]].values.tolist() == [
        ["A2", "F1", "overdue", 2], ["A1", "F1", "late", 9]]
    assert over["status_zh"].tolist() == ["逾期未整改", "逾期提交"]
    assert not over["estimated"].any()
    # before A2's deadline only the late one of A1 is left
    assert overdue_rectifications(tables, date(2026, 9, 30))["inspection_id"].tolist() == ["A1"]


def test_a_submission_after_the_as_of_date_is_not_known_yet(tables):
    # on 06-10 A1's rectification (submitted 06-12) was still missing: overdue by 7 days
    over = overdue_rectifications(tables, date(2026, 6, 10))
    assert over[["inspection_id", "status", "workdays_overdue"]].values.tolist() == [
        ["A1", "overdue", 7]]


def test_repeat_findings_by_item_and_by_section(tables):
    by_item = repeat_findings(tables)
    assert by_item[["company", "key", "label", "n_inspections"]].values.tolist() == [
        [A, "7.9.m5", "七、9.检查方法（5）", 2]]
    assert by_item.loc[0, "dates"] == "2026-03-02;2026-09-14"
    assert by_item.loc[0, "inspections"] == "A1;A2"
    by_section = repeat_findings(tables, by="section")
    assert by_section[["company", "key", "n_inspections"]].values.tolist() == [[A, "7.9", 2]]
    assert by_section.loc[0, "label"] == "七、9. 质量控制"


def test_suggested_measures_follow_the_history(tables):
    m = suggest_measures(tables, AS_OF).set_index("company")
    assert m.index.tolist() == [D, A, B, C]  # by the ladder's order
    assert m.loc[D, ["measure", "measure_zh", "clause"]].tolist() == [
        "credit_penalty", "失信惩戒", "十、3.（4）"]
    assert "2026-07-06 七、1.检查内容（3）" in m.loc[D, "reason"]
    assert m.loc[A, ["measure", "clause"]].tolist() == ["key_supervision", "十、3.（3）"]
    assert "七、9.检查方法（5）（2026-03-02、2026-09-14）" in m.loc[A, "reason"]
    assert m.loc[A, ["n_repeat_items", "n_overdue", "max_overdue_workdays", "n_late"]].tolist() \
        == [1, 1, 2, 1]
    for other in ("告诫、责任约谈", "定期自查并汇报质量管理情况", "加强产品自检或送第三方检测"):
        assert other in m.loc[A, "also_zh"]
    assert m.loc[B, "measure"] == "more_testing"
    assert "七、4.检查方法（3）" in m.loc[B, "reason"]
    assert m.loc[C, ["measure", "measure_zh"]].tolist() == ["", "无需额外措施"]


def test_an_overdue_rectification_alone_calls_for_an_interview():
    ins = make("E1", "北京戊医疗有限公司", "supervisory", date(2026, 9, 14),
               {"F1": deadline_finding("7.5.m4", date(2026, 9, 30))})
    m = suggest_measures(tables_of([ins]), AS_OF)
    assert m.loc[0, "measure"] == "warning_interview"
    assert m.loc[0, "reason"] == "截至 2026-10-09 有 1 项整改逾期未提交，最长逾期 2 个工作日"


def test_an_empty_store_gives_empty_tables_with_their_columns(tmp_path):
    tables = load_tables(Door(Store(data_dir=tmp_path)))
    assert tables.inspections.empty
    assert findings_per_section(tables)["n_findings"].sum() == 0
    assert overdue_rectifications(tables, AS_OF).empty
    assert repeat_findings(tables).empty
    assert suggest_measures(tables, AS_OF).empty
    export_excel(tables, tmp_path / "empty.xlsx", today=AS_OF)


def test_excel_export_has_every_sheet_and_keeps_text_as_text(tables, tmp_path):
    hostile = make("X1", "=HYPERLINK(\"http://example.invalid\",\"点我\")", "supervisory",
                   date(2026, 5, 11), {"F1": Finding("7.5.m4", "+cmd|' /C calc'!A0",
                                                     "correct_on_site")})
    both = tables_of([*HISTORY, hostile])
    path = export_excel(both, tmp_path / "analytics.xlsx", today=AS_OF)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [*SHEETS.values(), "_columns"]
    sheet = book["问题"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    company = header.index("company")
    cell = next(r[company] for r in rows if str(r[company].value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"
    description = header.index("description")
    assert any(r[description].value == "+cmd|' /C calc'!A0" and r[description].data_type == "s"
               for r in rows)
    measures = book["建议措施"]
    assert [c.value for c in measures[1]][:4] == ["company", "credit_code", "measure", "measure_zh"]
    assert {r[0].value for r in measures.iter_rows(min_row=2)} == {A, B, C, D, hostile.company.name}
    with pytest.raises(Exception, match="xlsx"):
        export_excel(both, tmp_path / "analytics.csv", today=AS_OF)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.dates(date(2024, 1, 1), date(2026, 12, 31)),
                          st.dates(date(2024, 1, 1), date(2026, 12, 31))), min_size=1,
                max_size=6))
def test_vectorized_working_days_agree_with_the_calendar(pairs):
    cal = load_calendar()
    frame = pd.DataFrame(pairs, columns=["a", "b"])
    counted = workday_counts(frame["a"], frame["b"], calendar=cal)
    assert counted["days"].tolist() == [cal.workdays_between(a, b).days for a, b in pairs]
    assert not counted["estimated"].any()


def test_working_days_past_the_known_years_are_marked_as_estimates():
    cal = load_calendar()
    last = date(max(cal.known_years()), 12, 30)
    starts = pd.Series(pd.to_datetime([last, last]))
    ends = pd.Series(pd.to_datetime([last + timedelta(days=10), None]))
    with pytest.warns(CalendarEstimateWarning):
        counted = workday_counts(starts, ends, calendar=cal)
    assert counted["estimated"].tolist() == [True, False]
    assert counted["days"].isna().tolist() == [False, True]


def test_load_tables_shows_progress_when_asked_and_logs_what_it_read(tmp_path, caplog,
                                                                    capsys):
    import logging

    from kit.analytics import load_demo_data, load_tables

    with Store(data_dir=tmp_path) as store:
        load_demo_data(Door(store, Identity("t")), inspections=12, companies=3)
        with caplog.at_level(logging.INFO, logger="kit.analytics._tables"):
            quiet = load_tables(Door(store))
        assert "read 12 inspection(s), 0 left out" in caplog.text
        assert capsys.readouterr().err == ""
        loud = load_tables(Door(store), progress=True)
        bar = capsys.readouterr().err
        assert "读取检查记录" in bar  # the bar, in a terminal or a log
        assert "/6 " in bar  # its real steps: the read, the four stages of building, the tables
    assert len(loud.inspections) == len(quiet.inspections) == 12
