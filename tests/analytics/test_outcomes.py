"""Each finding carried to its outcome in the analysts' tables: grades and verdicts under the
office's scheme, the deadline in force after extensions, every review round (kept and under
way), the handling's outcome, production suspended or resumed, the 延伸检查 link.

Every expected value is read from the records built here."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pandas as pd
import pytest

from kit.analytics import export_excel, load_tables, overdue_rectifications, read_export, tables_of
from kit.door import Door, Identity
from kit.policy import load_policy
from kit.record import (
    Company,
    Extension,
    Finding,
    Inspection,
    Member,
    Opinion,
    Review,
    new_inspection,
)
from kit.store import Store
from kit.workdays import load_calendar

TEAM = {"M1": Member(name="赵磊", role="leader"), "M2": Member(name="钱敏")}
FAILED = Review(date(2026, 3, 20), "整改报告（初稿）", "written", date(2026, 3, 23), "赵磊",
                "failed", "未做原因分析，退回补充")
RECTIFIED = Finding(
    "7.9.m5", "未按规定留样", "rectify_by_deadline", "限期整改", date(2026, 4, 1), grade="general",
    state="passed", submitted_on=date(2026, 3, 30), evidence="留样记录", review_mode="written",
    reviewed_on=date(2026, 4, 2), reviewer="赵磊", reviews={"R1": FAILED},
    extensions={"E2": Extension(date(2026, 4, 29), "第二次延期", "王处长", date(2026, 4, 10)),
                "E1": Extension(date(2026, 4, 15), "设备采购周期长", "王处长", date(2026, 3, 25))})
CORRECTED = Finding("7.3.m2", "货架标识脱落", "correct_on_site", grade="general",
                    corrected_by="M2", corrected_at=datetime(2026, 3, 2, 10, 40))
WARNED = Finding("7.5.m4", "产品无菌检验不合格仍放行", "suspend_and_warn", "暂停生产，召回相关批次",
                 grade="key", state="submitted", submitted_on=date(2026, 3, 25),
                 warning_on=date(2026, 3, 3), warning_channel="北京市药品监督管理局网站",
                 warning_text="暂停相关产品的生产和销售")
SUSPENDED = Finding("7.8.m4", "灭菌参数未经确认", "suspend_and_rectify", "暂停生产并整改",
                    date(2026, 3, 20), grade="key", state="passed",
                    submitted_on=date(2026, 3, 18), review_mode="on_site",
                    reviewed_on=date(2026, 3, 19), reviewer="赵磊")
FILED = Finding("7.1.c3", "无证生产", "file_case", grade="key", case_number="京药监械立〔2026〕12号")
MOVED = Finding("7.1.c4", "涉嫌伪造记录", "file_case", grade="key", transferred_to="北京市公安局",
                transferred_on=date(2026, 3, 6), handed_over="检查记录和证据材料复印件")


def inspection(iid: str, findings: dict[str, Finding], **scope) -> Inspection:
    ins = new_inspection(company=Company(name=f"北京{iid}医疗器械有限公司"),
                         start_date=date(2026, 3, 2), **scope)
    return replace(ins, id=iid, team=TEAM, findings=findings, stage="follow_up",
                   opinion=Opinion("发现问题，限期整改。", date(2026, 3, 2), "recheck", "nmpa2015",
                                   "赵磊", datetime(2026, 3, 2, 16), "按一般项处理"))


MAIN = inspection("P1", {"F1": RECTIFIED, "F2": CORRECTED, "F3": WARNED, "F4": SUSPENDED,
                         "F5": FILED, "F6": MOVED})
SUPPLIER = replace(inspection("X1", {}, type="extended"),
                   company=Company(name="北京灭菌服务有限公司", role="service_provider"),
                   scope=replace(MAIN.scope, type="extended", principal="P1",
                                 start_date=date(2026, 3, 9)))
RECORDS = [MAIN, SUPPLIER]


@pytest.fixture(scope="module")
def tables():
    return tables_of(RECORDS)


def by_finding(frame: pd.DataFrame, iid: str = "P1") -> pd.DataFrame:
    return frame[frame["inspection_id"] == iid].set_index("finding")


def test_each_finding_shows_its_grade_deadline_in_force_and_outcome(tables):
    f = by_finding(tables.findings)
    for key, finding in MAIN.findings.items():
        row = f.loc[key]
        assert row["grade"] == finding.grade
        if finding.due is None:
            assert pd.isna(row["due"])
        else:
            assert row["due"] == pd.Timestamp(finding.due)
        assert bool(row["extended"]) == bool(finding.extensions)
    assert f.loc["F1", "due"] == pd.Timestamp(RECTIFIED.extensions["E2"].new_deadline)
    assert f.loc["F1", "deadline"] == pd.Timestamp(RECTIFIED.deadline)  # the first one kept
    # the record keeps Beijing wall time: the table has that time, aware, in Beijing
    assert f.loc["F2", ["corrected_by", "corrected_at"]].tolist() == [
        CORRECTED.corrected_by, pd.Timestamp(CORRECTED.corrected_at, tz="Asia/Shanghai")]
    assert f.loc["F3", ["warning_on", "warning_channel"]].tolist() == [
        pd.Timestamp(WARNED.warning_on), WARNED.warning_channel]
    assert f.loc["F5", "case_number"] == FILED.case_number
    assert f.loc["F6", ["transferred_to", "transferred_on"]].tolist() == [
        MOVED.transferred_to, pd.Timestamp(MOVED.transferred_on)]
    assert pd.isna(f.loc["F6", "case_number"])
    # production suspended until a review passes (templates/handling.yaml), then resumed
    assert (f.loc["F3", "production"], f.loc["F3", "production_zh"]) == ("suspended", "暂停生产")
    assert f.loc["F4", "production"] == "resumed"
    assert pd.isna(f.loc["F1", "production"])


def test_every_round_kept_and_under_way_is_a_row_so_rounds_count_per_finding(tables):
    r = tables.reviews
    counts = r.groupby("finding").size().to_dict()
    # F1 failed once then passed; F3 submitted, waiting; F4 passed at once; F2 had no review
    assert counts == {"F1": 2, "F3": 1, "F4": 1}
    f1 = r[r["finding"] == "F1"]
    assert f1["round"].tolist() == [1, 2]
    assert f1["kept"].tolist() == [True, False]
    assert f1["result"].tolist() == [FAILED.result, RECTIFIED.state]
    assert f1["reviewed_on"].tolist() == [pd.Timestamp(FAILED.reviewed_on),
                                          pd.Timestamp(RECTIFIED.reviewed_on)]
    assert f1["note"].iloc[0] == FAILED.note
    assert f1["result_zh"].tolist() == ["不合格", "合格"]
    waiting = r[r["finding"] == "F3"].iloc[0]
    assert pd.isna(waiting["result"])  # under review: no result yet
    assert waiting["submitted_on"] == pd.Timestamp(WARNED.submitted_on)


def test_extensions_in_order_with_the_deadline_each_replaced(tables):
    e = tables.extensions
    assert e["extension"].tolist() == ["E1", "E2"]  # in order, whatever the record's order
    assert e["previous_deadline"].tolist() == [
        pd.Timestamp(RECTIFIED.deadline), pd.Timestamp(RECTIFIED.extensions["E1"].new_deadline)]
    assert e["approved_by"].tolist() == ["王处长", "王处长"]


def test_an_extended_rectification_is_overdue_only_after_its_new_deadline():
    late = replace(RECTIFIED, state="open", submitted_on=None, review_mode="", reviewed_on=None,
                   reviewer="", reviews={})
    t = tables_of([replace(MAIN, findings={"F1": late})])
    before = late.extensions["E2"].new_deadline
    assert overdue_rectifications(t, before).empty  # the first deadline passed long ago
    as_of = date(2026, 5, 8)
    over = overdue_rectifications(t, as_of)
    assert over["workdays_overdue"].tolist() == [
        load_calendar().workdays_between(late.due, as_of).days]
    assert over["due"].tolist() == [pd.Timestamp(late.due)]


def test_the_verdict_and_the_extended_inspections_link(tables):
    heads = tables.inspections.set_index("inspection_id")
    assert heads.loc["P1", ["verdict", "verdict_scheme", "verdict_reason"]].tolist() == [
        MAIN.opinion.verdict, MAIN.opinion.scheme, MAIN.opinion.verdict_reason]
    # the words of a scheme the office ships, even while it grades nothing (the default)
    nmpa = load_policy().scheme_named("nmpa2015")
    assert heads.loc["P1", "verdict_zh"] == nmpa.verdict("recheck").zh
    assert by_finding(tables.findings).loc["F3", "grade_zh"] == nmpa.grade("key").zh
    assert pd.isna(heads.loc["P1", "proposed_verdict"])  # the office proposes none
    assert heads.loc["X1", ["principal", "role", "type"]].tolist() == [
        "P1", "service_provider", "extended"]
    assert heads.loc["X1", "role_zh"].startswith("提供服务的单位")
    assert pd.isna(heads.loc["P1", "principal"])


def test_under_the_offices_scheme_the_verdict_proposed_from_the_grades(office_scheme):
    office_scheme("nmpa2015")
    scheme = load_policy().scheme
    light = replace(MAIN, id="P2", findings={"F1": RECTIFIED, "F2": CORRECTED})
    t = tables_of([MAIN, light])
    heads = t.inspections.set_index("inspection_id")
    for ins in (MAIN, light):
        proposed = scheme.propose(f.grade for f in ins.findings.values())
        assert heads.loc[ins.id, "proposed_verdict"] == proposed
        assert heads.loc[ins.id, "proposed_verdict_zh"] == scheme.verdict(proposed).zh
    assert heads.loc["P1", "proposed_verdict"] != heads.loc["P2", "proposed_verdict"]
    assert list(t.findings["grade"].cat.categories)[:3] == [g.code for g in scheme.grades]


def test_the_export_and_the_store_give_the_same_rounds_and_extensions(office_scheme, tmp_path):
    office_scheme("nmpa2015")  # the door keeps only the office's own grades and verdicts
    tables = tables_of(RECORDS)
    back = read_export(export_excel(tables, tmp_path / "a.xlsx", today=date(2026, 5, 8)))
    for name in ("reviews", "extensions", "findings", "inspections"):
        pd.testing.assert_frame_equal(back[name], getattr(tables, name), obj=name)
    with Store(data_dir=tmp_path / "store") as store:
        for ins in RECORDS:
            Door(store, Identity("分析")).create(ins)
        loaded = load_tables(Door(store))
    for name in ("reviews", "extensions", "findings", "inspections"):
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(tables, name), obj=name)


def test_a_kept_round_the_model_refuses_is_named_by_its_whole_path(office_scheme, tmp_path):
    office_scheme("nmpa2015")
    with Store(data_dir=tmp_path) as store:
        Door(store, Identity("分析")).create(MAIN)
        store.create({"findings": {"F1": {"item": "7.8.m4", "reviews": {
            "R1": {"reviewed_on": "2026-02-30"}}}}}, user="分析", inspection_id="broken")
        tables = load_tables(Door(store))
    assert [iid for iid, _ in tables.skipped] == ["broken"]
    assert tables.skipped[0][1].startswith("findings/F1/reviews/R1/reviewed_on：")
    assert set(tables.reviews["inspection_id"]) == {"P1"}
