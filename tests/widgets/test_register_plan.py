"""Issue 26 in the apps, without a browser: a company picked from the office's register fills a
new inspection; the saved plan's lines listed, each made an inspection once by 新建, a refusal
said; deadlines past the known calendar shown as estimates, a day off named. Every value goes in
through the app's own controls and save path and is read back from the store."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kit.door import Door, Identity, PlanLine
from kit.identifiers import make_credit_code
from kit.record import Member, new_inspection
from kit.register import RegisteredCompany
from kit.session import Session
from kit.store import Store
from kit.widgets import InspectorApp
from kit.widgets.plan import PlanLinesWidget
from kit.workdays import ESTIMATE_MARK, load_calendar, statutory_days_off

#: a company making syringes under its own licence, and one that contracts manufacturing
SYRINGES = RegisteredCompany.from_doc({
    "credit_code": make_credit_code("91110108MA0000001"), "name": "北京注册测试医疗器械有限公司",
    "region": "海淀区", "contracts": False, "licence_no": "京药监械生产许20260101号",
    "licence_issued": "2026-01-05", "licence_expires": "2031-01-04",
    "products": [{"name": "一次性使用无菌注射器", "device_class": "III",
                  "category_code": "14-01-01", "registration_no": "国械注准20263140101"},
                 {"name": "医用口罩", "device_class": "II", "category_code": "14-14-02",
                  "registration_no": "京械注准20262140102"}]})
CONTRACTS = RegisteredCompany.from_doc({
    "credit_code": make_credit_code("91110115MA0000002"), "name": "北京委托测试科技有限公司",
    "region": "大兴区", "contracts": True, "filing_no": "京大药监械生产备20260002号",
    "filed_on": "2026-03-01",
    "products": [{"name": "医用棉签", "device_class": "I", "category_code": "14-10-01"}]})


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(data_dir=tmp_path / "data")


@pytest.fixture
def door(store: Store) -> Door:
    door = Door(store, Identity("王科长"))
    door.import_companies([SYRINGES, CONTRACTS])
    return door


# -- the register in the inspector's app ----------------------------------------------------
def test_a_company_picked_from_the_register_fills_the_new_inspection(store, door):
    app = InspectorApp(Door(store), user="张明")
    app.register.search.value = "注册测试"  # part of the name, as typed on the tablet
    assert app.register.choice.options[0] == (
        f"北京注册测试医疗器械有限公司 · {SYRINGES.credit_code} · 海淀区", SYRINGES.credit_code)
    assert app.register.chosen == SYRINGES  # what the search found first is picked
    assert "一次性使用无菌注射器（三类）" in app.register.summary.value
    assert app.new_company.value == SYRINGES.name
    assert app.new_company.layout.display == "none"  # named by the register, not typed
    app.new_date.value = "2026-12-10"
    app.new_button.click()

    assert app.session is not None
    ins = Session(Door(store, Identity("检查")), app.session.id).inspection
    assert (ins.company.name, ins.company.credit_code) == (SYRINGES.name, SYRINGES.credit_code)
    assert [(lic.kind, lic.number) for lic in ins.company.licences.values()] == [
        ("production_licence", "京药监械生产许20260101号")]
    assert sorted((p.name, p.device_class, p.registration_no)
                  for p in ins.company.products.values()) == [
        ("一次性使用无菌注射器", "III", "国械注准20263140101"), ("医用口罩", "II", "京械注准20262140102")]
    assert "7.14" not in ins.scope.sections
    assert "7.13" in ins.scope.sections
    assert ins.scope.start_date == date(2026, 12, 10)
    trail = store.audit(app.session.id)
    assert {e.user for e in trail} == {"张明"}
    # the form is ready for the next: nothing picked, the name box typed in again
    assert app.register.chosen is None
    assert app.new_company.value == ""
    assert app.new_company.layout.display is None


def test_the_register_is_searched_by_credit_code_and_says_what_it_did_not_find(store, door):
    app = InspectorApp(Door(store), user="张明")
    app.fold(False)
    app.register.search.value = CONTRACTS.credit_code[2:10].lower()  # any case, any part
    assert [v for _k, v in app.register.choice.options] == [CONTRACTS.credit_code]
    assert "委托生产" in app.register.summary.value
    app.new_button.click()
    assert app.session is not None
    assert "7.14" in app.session.inspection.scope.sections  # it contracts manufacturing
    assert app.session.inspection.company.role == "filer"
    app.fold(False)
    app.register.search.value = "没有这家"
    assert app.register.chosen is None
    assert "名录中没有“没有这家”" in app.register.note.value
    app.register.clear_button.click()
    assert app.register.search.value == ""
    assert app.register.note.value == ""


def test_an_empty_register_is_said_and_a_typed_name_still_makes_an_inspection(store):
    app = InspectorApp(Door(store), user="张明")
    app.register.search.value = "医疗"
    assert "企业名录为空" in app.register.note.value
    app.new_company.value = "北京手填医疗有限公司"
    app.new_button.click()
    assert app.session is not None
    assert app.session.inspection.company.name == "北京手填医疗有限公司"
    assert app.session.inspection.company.credit_code == ""


# -- the saved plan's lines ------------------------------------------------------------------
def saved_plan(door: Door, year: int) -> list[str]:
    lines = [PlanLine(year, 3, SYRINGES.name, SYRINGES.credit_code, 3, "三级", "全项目检查",
                      leader="张明", inspector="李华"),
             PlanLine(year, 5, CONTRACTS.name, CONTRACTS.credit_code, 1, "一级", "全项目检查",
                      leader="李华"),
             PlanLine(year, 6, "北京不在名录有限公司", "", 2, "二级", "全项目检查", leader="张明")]
    return [s.id for s in door.save_plan(year, lines).lines]


def test_new_from_a_plan_line_makes_the_inspection_once_and_the_line_shows_done(store, door):
    ids = saved_plan(door, 2027)
    page = PlanLinesWidget(door, 2027, app_url="app.ipynb")
    other = PlanLinesWidget(Door(store, Identity("李华")), 2027)  # a colleague's page, open too
    rows = page.table.children[1:]
    assert [r._dom_classes[-1] for r in rows] == [f"kit-plan-line-{i}" for i in ids]
    first = rows[0].children
    assert [c.value for c in first[:5]] == [
        ids[0], "2027-03", f"北京注册测试医疗器械有限公司<br><small>{SYRINGES.credit_code} · 三级"
        "</small>", "张明、李华", "未开始 not done"]
    before = len(door.list(()))
    first[5].click()  # 新建

    made = door.plan_line(ids[0]).inspection_id
    assert made is not None
    assert len(door.list(())) == before + 1
    assert f"app.ipynb?id={made}&amp;stage=preparation" in page.message.value
    ins = Session(door, made).inspection
    assert ins.company.credit_code == SYRINGES.credit_code
    assert [m.name for m in ins.team.values()] == ["张明", "李华"]
    start = ins.scope.start_date
    assert start is not None
    assert (start.year, start.month) == (2027, 3)
    assert (ESTIMATE_MARK in page.message.value) == (not load_calendar().knows(start))
    row = page.table.children[1].children
    assert row[4].value == "已建检查 done"
    assert made in row[5].value
    # the colleague's page still offers 新建: pressed, it is refused, naming the inspection
    other.table.children[1].children[5].click()
    assert len(door.list(())) == before + 1
    assert "未再新建" in other.message.value
    assert made in other.message.value
    assert "color:#b00020" in other.message.value
    assert made in other.table.children[1].children[5].value  # now shown as done there too


def test_a_line_whose_company_is_not_in_the_register_is_refused_and_nothing_made(store, door):
    ids = saved_plan(door, 2027)
    page = PlanLinesWidget(door, 2027)
    page.state.value = "open"
    page.search.value = "不在名录"
    (row,) = page.table.children[1:]
    before = len(door.list(()))
    row.children[5].click()
    assert "不在企业名录中" in page.message.value
    assert len(door.list(())) == before
    assert door.plan_line(ids[2]).inspection_id is None


def test_a_bad_start_date_is_said_and_nothing_made(store, door):
    ids = saved_plan(door, 2027)
    page = PlanLinesWidget(door, 2027)
    page.start.value = "2027-13-01"
    page.table.children[1].children[5].click()
    assert "color:#b00020" in page.message.value
    assert door.plan_line(ids[0]).inspection_id is None


def test_only_office_leaders_on_the_server_are_offered_the_save_and_it_keeps_the_plan(
        store, door):
    from kit.analytics import load_tables
    from kit.planning import year_plan

    plan = year_plan(load_tables(door), 2027, as_of=date(2026, 12, 1),
                     register=[SYRINGES, CONTRACTS], inspectors=["张明", "李华"])
    inspector = PlanLinesWidget(Door(store, Identity("李华", hub=True)), 2027, plan)
    assert inspector.save_button.layout.display == "none"
    leader = PlanLinesWidget(Door(store, Identity("王科长", frozenset({"leaders"}), hub=True)),
                             2027, plan)
    assert leader.save_button.layout.display != "none"
    assert "尚未保存" in leader.heading.value
    assert leader.table.children[1:] == ()
    leader.save_button.click()
    lines = door.plan_lines(2027)
    assert {s.line.credit_code for s in lines} == {SYRINGES.credit_code, CONTRACTS.credit_code}
    assert len(leader.table.children) == 1 + len(lines)
    assert "已保存" in leader.message.value


# -- deadlines on the official calendar ------------------------------------------------------
def findings_on(store: Store, deadline: date):
    ins = replace(new_inspection(start_date=date(2026, 12, 1)),
                  team={"M1": Member("张明", "leader")})
    session = Session.create(Door(store, Identity("张明")), ins)
    session.set_many({"scope/end_date": "2026-12-03", "findings/F1": {
        "item": "7.1.c1", "description": "未建立质量管理体系", "handling": "rectify_by_deadline",
        "deadline": deadline.isoformat()}})
    app = InspectorApp(Door(store), user="张明")
    app.open_inspection(session.id, stage="findings")
    stage = app.stage("findings")
    return stage, stage._outcomes["F1"]  # a deadline's finding shows its deadline group


def test_a_deadline_past_the_known_calendar_is_shown_as_an_estimate(store):
    calendar = load_calendar()
    year = max(calendar.known_years()) + 1
    day = date(year, 3, 10)  # a Wednesday or so: whatever it is, the calendar says
    _stage, outcome = findings_on(store, day)
    helper = outcome.deadline_helper
    assert helper is not None
    shown = helper.info.value
    assert f"{day.isoformat()}{ESTIMATE_MARK}" in shown
    assert f"个工作日 working days{ESTIMATE_MARK}" in shown  # the count is one too
    assert f"{year} 年放假安排尚未公布" in shown  # the note, on hover and below
    assert "kit-estimate-note" in shown
    assert f"{day.isoformat()}{ESTIMATE_MARK}" in outcome.due.value


def test_a_deadline_on_a_holiday_names_it_estimated_or_official(store):
    calendar = load_calendar()
    year = max(calendar.known_years()) + 1
    spring = min(d for d, name in statutory_days_off(year).items() if name == "春节")
    _stage, outcome = findings_on(store, spring)
    assert f"是{calendar.why_day_off(spring)}（估算），不是工作日" in outcome.deadline_helper.info.value
    known = date(2026, 10, 5)  # 国庆节 2026, in the official schedule
    _stage, outcome = findings_on(store, known)
    shown = outcome.deadline_helper.info.value
    assert "是国庆节，不是工作日" in shown
    assert ESTIMATE_MARK not in shown
