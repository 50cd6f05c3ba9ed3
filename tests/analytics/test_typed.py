"""The typed tables: what an analyst relies on when grouping, filtering and reading back.

The small history of ``test_tables`` (hand-worked dates and deadlines), with teams added here
so that filters by inspector and workloads have people to count.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import openpyxl
import pandas as pd
import pytest

from kit.analytics import (
    export_excel,
    findings_by_quarter_and_section,
    guide_table,
    inspector_workload,
    load_tables,
    quarterly_trends,
    read_export,
    tables_of,
)
from kit.door import Door, Identity
from kit.errors import KitError
from kit.guide import load_guide
from kit.record import ItemResult, Member
from kit.store import Store
from tests.analytics.test_tables import AS_OF, HISTORY, A, B

ZHAO = Member(name="赵磊", role="leader", sections=("7.1", "7.3", "7.5", "7.7", "7.9"),
              user="zhaolei")
QIAN = Member(name="钱敏", role="inspector", sections=("7.2", "7.4", "7.6", "7.8"))
SUN = Member(name="孙悦", role="leader", sections=("7.4", "7.8", "7.9"))


def with_people(history):
    """A1, B1 and C1 by 赵磊 (leading) and 钱敏; A2 and B2 by 孙悦 alone; D1 with no team.
    赵磊 recorded A1's result of 七、9.检查方法（5） with a note and two means."""
    out = []
    for ins in history:
        if ins.id in ("A1", "B1", "C1"):
            ins = replace(ins, team={"M1": ZHAO, "M2": QIAN})
        elif ins.id in ("A2", "B2"):
            ins = replace(ins, team={"M1": SUN})
        if ins.id == "A1":
            ins = replace(ins, results={"7.9.m5": ItemResult(
                "nonconform", "未按规定留样", ("document_review", "site"), "", "M1")})
        out.append(ins)
    return out


PEOPLE = with_people(HISTORY)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = Store(data_dir=tmp_path_factory.mktemp("office"))
    for ins in PEOPLE:
        Door(store, Identity("分析")).create(ins)
    yield store
    store.close()


def test_sections_and_items_group_in_the_guides_order_not_as_text():
    t = tables_of(PEOPLE)
    sections = t.results.groupby("section", observed=True).size().index.tolist()
    assert sections == [f"7.{n}" for n in range(1, 15)]  # 7.10 after 7.9, not after 7.1
    assert t.results["section"].cat.ordered
    assert t.results["item"].cat.ordered
    assert t.results["section"].max() == "7.14"
    items = t.results.loc[t.results["inspection_id"] == "A1", "item"].astype(str).tolist()
    assert items.index("7.9.m5") < items.index("7.10.c1")
    assert list(t.results["result"].cat.categories) == ["unchecked", "conform", "nonconform",
                                                       "not_applicable"]
    assert next(iter(t.inspections["stage"].cat.categories)) == "preparation"


def test_missing_is_na_and_multi_valued_fields_are_tuples():
    t = tables_of(PEOPLE)
    a1 = t.results[t.results["inspection_id"] == "A1"].set_index("item")
    recorded = a1.loc["7.9.m5"]
    assert recorded["result"] == "nonconform"
    assert recorded["result_zh"] == "不符合"
    assert recorded["means"] == ("document_review", "site")
    assert recorded["notes"] == "未按规定留样"
    other = a1.loc["7.9.m4"]
    assert other["result"] == "unchecked"
    assert other["means"] == ()
    assert other["notes"] is pd.NA
    assert other["evidence"] is pd.NA
    assert t.results["notes"].isna().sum() == len(t.results) - 1
    assert (t.results["notes"] == "").sum() == 0  # no empty strings for "nothing"
    exploded = t.results.explode("means").dropna(subset=["means"])
    assert exploded["means"].tolist() == ["document_review", "site"]
    assert t.inspections.set_index("inspection_id").loc["A2", "sections"] == ("7.8", "7.9")
    assert t.findings["deadline"].dtype.kind == "M"
    assert str(t.inspections.set_index("inspection_id").loc["A1", "quarter"]) == "2026Q1"


def test_the_store_gives_the_same_tables_as_the_records_in_hand(store):
    loaded, direct = load_tables(Door(store)), tables_of(PEOPLE)
    for name in ("inspections", "results", "findings", "follow_ups", "team", "notices",
                 "samples"):
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(direct, name),
                                      obj=name)
    assert loaded.team.set_index(["inspection_id", "member"]).loc[("A1", "M1"), "name"] == "赵磊"
    assert loaded.inspections.set_index("inspection_id").loc["B1", "leader"] == "赵磊"
    assert loaded.inspections.set_index("inspection_id").loc["A2", "inspectors"] == ("孙悦",)


def test_filters_select_in_the_query(store):
    def ids(**filters):
        return load_tables(Door(store), **filters).inspections["inspection_id"].tolist()

    assert ids(since=date(2026, 7, 1)) == ["D1", "B2", "A2"]  # by first day, then id
    assert ids(until=date(2026, 4, 1)) == ["A1", "B1"]  # both ends included
    assert ids(since=date(2026, 4, 1), until=date(2026, 5, 11)) == ["B1", "C1"]
    assert ids(companies=A) == ["A1", "A2"]
    assert ids(companies=[A, B], since=date(2026, 8, 1)) == ["B2", "A2"]
    assert ids(inspectors="赵磊") == ["A1", "B1", "C1"]
    assert ids(inspectors=["zhaolei"]) == ["A1", "B1", "C1"]  # a sign-in works too
    assert ids(inspectors="孙悦", companies=B) == ["B2"]
    assert ids(companies="没有这家") == []
    only = load_tables(Door(store), companies=B)
    assert set(only.findings["inspection_id"]) == {"B1", "B2"}
    assert set(only.results["inspection_id"]) == {"B1", "B2"}


def test_filters_by_credit_code(tmp_path):
    with Store(data_dir=tmp_path) as store:
        a1 = replace(PEOPLE[0], company=replace(PEOPLE[0].company,
                                                credit_code="91110108MA01ABCD2X"))
        Door(store, Identity("分析")).create(a1)
        Door(store, Identity("分析")).create(PEOPLE[2])
        got = load_tables(Door(store), companies="91110108MA01ABCD2X")
    assert got.inspections["inspection_id"].tolist() == ["A1"]


@pytest.mark.parametrize(("doc", "why"), [
    ({"scope": {"type": "月度检查"}}, "scope/type"),
    ({"results": {"7.8.m4": {"result": "maybe"}}, "scope": {"sections": ["7.8"]}},
     "results/7.8.m4/result"),
    ({"scope": {"start_date": "2026-13-01"}}, "scope/start_date"),
    ({"findings": {"F1": {"item": "7.8.m4", "deadline": "2026年2月30日"}}},
     "findings/F1/deadline"),
    ({"scope": {"unannounced": "yes"}}, "scope/unannounced"),
    ({"team": {"M1": {"name": "赵磊", "sections": "7.1"}}}, "team/M1/sections"),
])
def test_a_record_the_model_refuses_is_left_out_and_its_field_named(tmp_path, doc, why):
    with Store(data_dir=tmp_path) as store:
        Door(store, Identity("分析")).create(PEOPLE[4])
        store.create(doc, user="分析", inspection_id="broken")
        tables = load_tables(Door(store))
    assert tables.inspections["inspection_id"].tolist() == ["C1"]
    assert [iid for iid, _ in tables.skipped] == ["broken"]
    assert tables.skipped[0][1].startswith(why + "：")
    assert "broken" not in set(tables.results["inspection_id"])


def test_an_office_profile_item_outside_the_guide_is_a_category_too():
    sterile = replace(HISTORY[4], profile="sterile-focus")
    t = tables_of([sterile])
    items = t.results["item"].astype(str).tolist()
    own = [i for i in items if i.startswith("x.")]
    assert own  # templates/profiles/sterile-focus.yaml adds the office's own checks
    assert t.results.set_index("item").loc[own[0], "label"].startswith("七、")
    assert list(t.results["item"].cat.categories).index(own[0]) > list(
        t.results["item"].cat.categories).index("7.14.f7")  # after the guide's own items


def test_quarterly_trends_count_findings_and_overdue_rectifications():
    t = tables_of(PEOPLE)
    trends = quarterly_trends(t, AS_OF).set_index("quarter")
    assert [str(q) for q in trends.index] == ["2026Q1", "2026Q2", "2026Q3"]
    # Q1: A1 with two findings, one to rectify by 06-01, submitted late (06-12)
    assert trends.loc["2026Q1"].to_dict() == {
        "n_inspections": 1, "n_findings": 2, "findings_per_inspection": 2.0,
        "n_to_rectify": 1, "n_overdue": 1, "overdue_rate": 1.0}
    # Q2: B1 (submitted in time) and C1 (nothing found)
    assert trends.loc["2026Q2", "n_inspections"] == 2
    assert trends.loc["2026Q2", "n_overdue"] == 0
    # Q3: A2 (overdue on 10-09), B2 (in time), D1 (a case filed: no deadline)
    q3 = trends.loc["2026Q3"]
    assert (q3["n_inspections"], q3["n_findings"], q3["n_to_rectify"], q3["n_overdue"]) == (
        3, 3, 2, 1)
    assert q3["overdue_rate"] == 0.5
    by = findings_by_quarter_and_section(t)
    q3_79 = by[(by["quarter"] == pd.Period("2026Q3")) & (by["section"] == "7.9")].iloc[0]
    assert (q3_79["n_findings"], q3_79["n_inspections"]) == (1, 3)  # A2; A2, B2, D1 covered it


def test_an_empty_gap_quarter_is_a_row():
    t = tables_of([HISTORY[0], HISTORY[1]])  # 2026-03 and 2026-09
    trends = quarterly_trends(t, AS_OF)
    assert [str(q) for q in trends["quarter"]] == ["2026Q1", "2026Q2", "2026Q3"]
    assert trends["n_inspections"].tolist() == [1, 0, 1]
    assert trends["findings_per_inspection"].isna().tolist() == [False, True, False]


def test_each_inspectors_workload():
    w = inspector_workload(tables_of(PEOPLE)).set_index(["inspector", "quarter"])
    zhao_q1 = w.loc[("赵磊", pd.Period("2026Q1"))]
    assert zhao_q1["n_inspections"] == 1
    assert zhao_q1["n_led"] == 1
    assert zhao_q1["n_items_recorded"] == 1  # the one result he recorded
    # A1's findings: 七、9 (his section) and 七、3 (his too)
    assert zhao_q1["n_findings_in_sections"] == 2
    assert w.loc[("赵磊", pd.Period("2026Q2")), "n_inspections"] == 2  # B1, C1
    qian = w.loc[("钱敏", pd.Period("2026Q1"))]
    assert (qian["n_led"], qian["n_findings_in_sections"]) == (0, 0)
    sun = w.loc[("孙悦", pd.Period("2026Q3"))]
    assert (sun["n_inspections"], sun["n_led"], sun["n_findings_in_sections"]) == (2, 2, 2)
    yearly = inspector_workload(tables_of(PEOPLE), by="year").set_index("inspector")
    assert yearly.loc["赵磊", "n_inspections"] == 3
    with pytest.raises(KitError, match="quarter"):
        inspector_workload(tables_of(PEOPLE), by="month")


def test_the_guide_as_a_table():
    g = guide_table()
    assert g["item"].is_unique
    assert g["item"].cat.ordered
    row = g.set_index("item").loc["9.3"]
    assert row["label"] == "九、3."
    assert "产品范围" in row["zh"]
    assert (g["kind"] == "method").sum() > 50


def test_the_export_is_formatted_and_reads_back_with_its_types(tmp_path):
    hostile = replace(HISTORY[4], id="X1", company=replace(
        HISTORY[4].company, name='=HYPERLINK("http://example.invalid","点我")\n第二行'))
    t = tables_of([*PEOPLE, hostile])
    path = export_excel(t, tmp_path / "analytics.xlsx", today=AS_OF)
    back = read_export(path)
    for name in ("inspections", "findings", "results", "team", "follow_ups"):
        pd.testing.assert_frame_equal(back[name], getattr(t, name), obj=name)
    assert back["results"]["section"].max() == "7.14"
    assert "7.10" in set(back["results"]["section"].astype(str))  # not the number 7.1
    pd.testing.assert_frame_equal(back["trends"], quarterly_trends(t, AS_OF))
    book = openpyxl.load_workbook(path)
    sheet = book["检查"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}" \
        f"{len(t.inspections) + 1}"
    assert sheet["A1"].font.b
    company = [c.value for c in sheet[1]].index("company") + 1
    letter = sheet.cell(1, company).column_letter
    assert sheet.column_dimensions[letter].width >= 20  # wide enough for a company's name
    cell = next(c for c in sheet[letter] if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"  # text, never a formula
    assert book["_columns"].sheet_state == "hidden"


def test_a_workbook_not_written_by_the_kit_is_refused(tmp_path):
    path = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["section"])
    book.active.append([7.1])
    book.save(path)
    with pytest.raises(KitError, match="_columns"):
        read_export(path)
    (tmp_path / "not.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(KitError, match=r"not\.xlsx"):
        read_export(tmp_path / "not.xlsx")


def test_odd_but_valid_records_are_read_not_dropped():
    from kit.record import Finding as F

    base = HISTORY[4]
    twice = replace(base, id="T1", scope=replace(base.scope, sections=("7.1", "7.1")))
    odd = replace(base, id="T2", findings={"F1": F("7.8.m4", "描述", "warn_and_rectify")})
    sterile = replace(base, id="T3", profile="sterile-focus",
                      findings={"F1": F("x.bj-sterile.1", "无菌检查记录不全", "correct_on_site")})
    t = tables_of([twice, odd, sterile])
    assert t.skipped == ()
    t1 = t.results.loc[t.results["inspection_id"] == "T1", "item"]
    assert t1.is_unique  # 七、1 listed twice in the scope is still one checklist
    assert len(t1) == len(load_guide().checklist_items("7.1"))
    f = t.findings.set_index("inspection_id")
    assert f.loc["T2", "handling"] == "warn_and_rectify"  # the model keeps any text here
    assert not f.loc["T2", "needs_deadline"]
    assert f.loc["T3", "section"] is not None
    assert str(f.loc["T3", "section"]).startswith("7.")  # the profile item's own section
    assert f.loc["T3", "item_label"] != "x.bj-sterile.1"


def test_a_register_column_named_like_the_draws_own_is_kept_beside_it():
    from kit.record import Sampling

    base = HISTORY[4]
    drawn = replace(base, id="S1", sampling=Sampling(seed=9, columns=("record_id", "row"),
                                                     rows=({"record_id": "JL-1", "row": "17"},)))
    s = tables_of([drawn]).samples
    assert s.loc[0, "row"] == 1
    assert s.loc[0, "record_row"] == "17"
    assert s.loc[0, "seed"] == 9


def test_a_time_of_day_shows_in_the_export(tmp_path):
    from kit.frames import write_frames

    frame = pd.DataFrame({"day": pd.to_datetime(["2026-12-01", None]).astype("datetime64[us]"),
                          "at": pd.to_datetime(["2026-12-01 09:30", "2026-12-02 16:05"])
                          .astype("datetime64[us]")})
    path = write_frames({"t": frame}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["t"]
    assert sheet["A2"].number_format == "yyyy-mm-dd"
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm"
    pd.testing.assert_frame_equal(read_export(path)["t"], frame)
