"""Plan lines become inspections: the year's plan kept with a stable id per line, re-planned
with its ids kept, each line made into an inspection once (the company, scope, month and team
from the register and the plan), and every refusal leaving the store as it was; on SQLite and
PostgreSQL."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kit.analytics import tables_of
from kit.door import AccessError, Door, Identity, PlanLine, first_workday
from kit.errors import ConflictError, KitError, NotFoundError, ValidationError
from kit.identifiers import make_credit_code
from kit.planning import plan_lines_of, save_year_plan, year_plan
from kit.register import RegisteredCompany, RegisteredProduct
from kit.store import Store
from kit.workdays import load_calendar

AS_OF = date(2026, 12, 1)
LEADER = Identity("王科长")


def registered(k: int, *, contracts: bool = False, filed: date | None = None,
               products: tuple[RegisteredProduct, ...] | None = None) -> RegisteredCompany:
    return RegisteredCompany(
        make_credit_code(f"9111011{k:010d}"), f"北京第{k}医疗器械有限公司", "海淀区", contracts,
        licence_no="" if filed else f"京药监械生产许2026{k:04d}号",
        licence_issued=None if filed else date(2026, 3, 5),
        licence_expires=None if filed else date(2031, 3, 4),
        filing_no=f"京海械生产备2026{k:04d}号" if filed else "", filed_on=filed,
        products=products or (RegisteredProduct("电子血压计", "II", "07-03-01", f"京械注准{k:04d}"),
                              RegisteredProduct("电子体温计", "II", "07-03-02")))


def line(k: int, month: int, *, year: int = 2027, leader: str = "赵磊",
         inspector: str = "钱敏", company: RegisteredCompany | None = None) -> PlanLine:
    c = company or registered(k)
    return PlanLine(year=year, month=month, company=c.name, credit_code=c.credit_code, level=3,
                    level_zh="三级监管", kind="全项目检查", scope="七、1-13（无委托生产）",
                    basis="按产品为二级监管", leader=leader, inspector=inspector,
                    next_due=date(year, month, 20), overdue=False)


@pytest.fixture
def door(any_store_url: str):
    with Door.connect(any_store_url, identity=LEADER) as d:
        yield d


def test_a_saved_plan_keeps_each_line_with_its_id_company_level_month_team_and_basis(door):
    register = [registered(1), registered(2, contracts=True)]
    door.import_companies(register)
    plan = year_plan(tables_of([]), 2027, as_of=AS_OF, register=register,
                     inspectors=["赵磊", "钱敏", "孙悦"])
    saved = save_year_plan(door, plan)
    assert saved.added == ("2027-001", "2027-002")
    kept = door.plan_lines(2027)
    assert [s.id for s in kept] == ["2027-001", "2027-002"]
    rows = plan.plan.reset_index(drop=True)
    for s, (_i, row) in zip(kept, rows.iterrows(), strict=True):
        assert s.line.credit_code == row["credit_code"]
        assert s.line.company == row["company"]
        assert (s.line.level, s.line.level_zh, s.line.kind) == (
            row["level"], row["level_zh"], row["kind"])
        assert s.line.month == row["month"].month
        assert (s.line.leader, s.line.inspector) == (row["leader"], row["inspector"])
        assert s.line.basis == row["basis"]
        assert not s.done
        assert not s.withdrawn
    assert door.plan_lines(2026) == []
    again = save_year_plan(door, plan)  # the same plan again changes nothing
    assert (again.added, again.changed, again.withdrawn, again.entries) == ((), (), (), ())
    assert again.unchanged == ("2027-001", "2027-002")
    assert [e.action for e in door.plan_trail(year=2027)] == ["add", "add"]


def test_replanning_keeps_the_ids_of_lines_that_remain_and_says_what_changed(door):
    first = [registered(1), registered(2), registered(3)]
    door.import_companies(first)
    plan = year_plan(tables_of([]), 2027, as_of=AS_OF, register=first,
                     inspectors=["赵磊", "钱敏"])
    ids = {s.line.credit_code: s.id for s in save_year_plan(door, plan).lines}
    made = door.new_from_line(ids[first[0].credit_code])  # done: kept whatever the plan says
    # company 3 leaves the plan, company 4 joins it, the team changes for the others
    second = [first[0], first[1], registered(4)]
    door.import_companies(second)
    replan = year_plan(tables_of([]), 2027, as_of=AS_OF, register=second,
                       inspectors=["孙悦", "李华"])
    saved = save_year_plan(door, replan)
    now = {s.line.credit_code: s for s in saved.lines}
    assert {c.credit_code: now[c.credit_code].id for c in first} == ids  # ids kept
    assert now[registered(4).credit_code].id == "2027-004"  # the next number, never reused
    assert saved.added == ("2027-004",)
    assert saved.withdrawn == (ids[first[2].credit_code],)
    assert now[first[2].credit_code].withdrawn
    assert saved.done == (ids[first[0].credit_code],)
    assert now[first[0].credit_code].inspection_id == made.inspection_id
    assert now[first[0].credit_code].line.leader in ("赵磊", "钱敏")  # the done line as it was
    [(changed_id, fields)] = saved.changed
    assert changed_id == ids[first[1].credit_code]
    assert {"leader", "inspector"} <= set(fields)
    text = saved.summary()
    assert "新增 1 行" in text
    assert "撤销 1 行" in text
    assert "已建检查 1 行" in text
    assert f"更新 changed: {changed_id}" in text
    assert "→ 孙悦" in text  # the new team, named
    assert "→ 李华" in text
    # the company comes back: its old line again, not a new one
    back = save_year_plan(door, year_plan(tables_of([]), 2027, as_of=AS_OF,
                                          register=[*second, first[2]],
                                          inspectors=["孙悦", "李华"]))
    assert {s.line.credit_code: s.id for s in back.lines}[first[2].credit_code] == \
        ids[first[2].credit_code]
    assert not {s.id: s for s in back.lines}[ids[first[2].credit_code]].withdrawn


def test_the_trail_says_who_added_changed_withdrew_and_made_each_line(door):
    door.import_companies([registered(1), registered(2)])
    door.save_plan(2027, [line(1, 3), line(2, 4)])
    door.as_(Identity("李科长")).save_plan(2027, [line(1, 5)])
    made = door.as_(Identity("张明")).new_from_line("2027-001")
    trail = door.plan_trail(year=2027)
    assert [(e.action, e.line_id, e.user) for e in trail] == [
        ("add", "2027-001", "王科长"), ("add", "2027-002", "王科长"),
        ("change", "2027-001", "李科长"), ("withdraw", "2027-002", "李科长"),
        ("done", "2027-001", "张明")]
    change = trail[2]
    assert (change.old or {})["month"] == "2027-03"
    assert (change.new or {})["month"] == "2027-05"
    assert trail[3].new == {**(trail[3].old or {}), "withdrawn": True}
    assert trail[4].inspection_id == made.inspection_id
    assert [e.action for e in door.plan_trail(line="2027-001")] == ["add", "change", "done"]
    assert all(e.at.endswith("Z") for e in trail)


def test_a_plan_line_becomes_the_inspection_it_plans(door):
    company = registered(1, contracts=True, products=(
        RegisteredProduct("一次性使用输液器", "III", "14-02-01", "国械注准20263140001"),))
    door.import_companies([company])
    door.save_plan(2026, [line(1, 10, year=2026, company=company)])
    made = door.as_(Identity("张明")).new_from_line("2026-001")
    ins = door.inspection(made.inspection_id)
    assert (ins.company.name, ins.company.credit_code) == (company.name, company.credit_code)
    [licence] = ins.company.licences.values()
    assert (licence.kind, licence.number, licence.issued, licence.expires) == (
        "production_licence", company.licence_no, date(2026, 3, 5), date(2031, 3, 4))
    [product] = ins.company.products.values()
    assert (product.name, product.device_class, product.category_code,
            product.registration_no) == ("一次性使用输液器", "III", "14-02-01", "国械注准20263140001")
    assert ins.scope.type == "supervisory"
    assert ins.scope.sections == tuple(f"7.{n}" for n in range(1, 15))  # 委托生产: 七、14 too
    assert ins.scope.start_date == date(2026, 10, 8)  # 国庆节 2026: 1-7 October off
    assert not made.estimated
    assert [(m.name, m.role) for m in ins.team.values()] == [("赵磊", "leader"),
                                                              ("钱敏", "inspector")]
    assert "2026-001" in ins.scope.purpose
    saved = door.plan_line("2026-001")
    assert (saved.done, saved.inspection_id) == (True, made.inspection_id)
    assert made.line == saved


def test_without_contract_manufacturing_the_scope_is_1_to_13_and_a_start_can_be_given(door):
    filer = registered(2, filed=date(2026, 11, 2),
                       products=(RegisteredProduct("医用棉签", "I", "14-13-02", "京海械备0001"),))
    door.import_companies([filer])
    door.save_plan(2027, [line(2, 1, company=filer)])
    made = door.new_from_line("2027-001", start=date(2027, 1, 12))
    ins = door.inspection(made.inspection_id)
    assert ins.scope.sections == tuple(f"7.{n}" for n in range(1, 14))
    assert ins.scope.start_date == date(2027, 1, 12)
    [licence] = ins.company.licences.values()
    assert (licence.kind, licence.number, licence.issued) == (
        "class1_production_filing", filer.filing_no, date(2026, 11, 2))
    assert ins.company.role == "filer"
    assert next(iter(ins.company.products.values())).certificate == "filing"


def test_the_first_working_day_past_the_known_years_is_an_estimate():
    calendar = load_calendar()
    if calendar.knows(date(2027, 1, 1)):
        pytest.skip("the office's calendar holds 2027's official schedule")
    assert first_workday(2027, 1, calendar) == (date(2027, 1, 4), True)  # 元旦 a Friday
    assert first_workday(2026, 2, calendar)[1] is False


def test_refusals_are_clear_and_write_nothing(door):
    door.import_companies([registered(1)])
    outside = registered(9)  # planned, never imported into the register
    door.save_plan(2027, [line(1, 2), line(9, 3, company=outside)])
    door.save_plan(2027, [line(1, 2), line(9, 3, company=outside), line(5, 4)])
    door.save_plan(2027, [line(1, 2), line(9, 3, company=outside)])  # 2027-003 withdrawn
    made = door.new_from_line("2027-001")

    def store_as_it_is() -> tuple[Any, ...]:
        return (len(door.list(())), len(door.plan_trail()), door.plan_lines(2027))

    before = store_as_it_is()
    with pytest.raises(NotFoundError, match="没有计划行 2027-099"):
        door.new_from_line("2027-099")
    with pytest.raises(ConflictError, match=made.inspection_id):
        door.new_from_line("2027-001")
    with pytest.raises(ConflictError, match="已撤销"):
        door.new_from_line("2027-003")
    with pytest.raises(NotFoundError, match="不在企业名录中"):
        door.new_from_line("2027-002")
    with pytest.raises(NotFoundError, match="不在企业名录中"):
        door.new_for_company(outside.credit_code)
    with pytest.raises(ValidationError) as bad:
        door.save_plan(2027, [line(1, 2), line(1, 5), line(4, 6, year=2028)])
    assert {p.code for p in bad.value.problems} == {"plan_line.same_company",
                                                   "plan_line.wrong_month"}
    assert store_as_it_is() == before


def test_an_ad_hoc_inspection_from_the_register(door):
    company = registered(3)
    door.import_companies([company])
    iid = door.new_for_company(company.credit_code.lower(), type="for_cause",
                               start=date(2026, 12, 7), members=["孙悦", "李华"])
    ins = door.inspection(iid)
    assert (ins.scope.type, ins.scope.start_date) == ("for_cause", date(2026, 12, 7))
    assert ins.company.credit_code == company.credit_code
    assert [p.name for p in ins.company.products.values()] == ["电子血压计", "电子体温计"]
    assert [(m.name, m.role) for m in ins.team.values()] == [("孙悦", "leader"),
                                                              ("李华", "inspector")]
    assert door.plan_trail() == []  # no plan line involved


def test_two_people_making_the_same_line_at_once_make_one_inspection(any_store_url):
    with Door.connect(any_store_url, identity=LEADER) as setup:
        setup.import_companies([registered(1)])
        setup.save_plan(2027, [line(1, 3)])
    doors = [Door.connect(any_store_url, identity=Identity(name)) for name in ("张明", "李华")]
    ready = threading.Barrier(2)
    results: dict[str, Any] = {}

    def make(d: Door) -> None:
        d.plan_line("2027-001")  # both have read the line as not done
        ready.wait()
        try:
            results[d.user] = d.new_from_line("2027-001")
        except KitError as exc:
            results[d.user] = exc

    threads = [threading.Thread(target=make, args=(d,)) for d in doors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    made = [r for r in results.values() if not isinstance(r, Exception)]
    refused = [r for r in results.values() if isinstance(r, Exception)]
    assert len(made) == 1
    assert len(refused) == 1
    assert isinstance(refused[0], ConflictError)
    assert made[0].inspection_id in str(refused[0])  # the other is told which inspection
    with Door.connect(any_store_url, identity=LEADER) as check:
        assert [r["id"] for r in check.list(())] == [made[0].inspection_id]
        assert check.plan_line("2027-001").inspection_id == made[0].inspection_id
        assert [e.action for e in check.plan_trail(line="2027-001")] == ["add", "done"]
        assert check.verify() == []
    for d in doors:
        d.close()


def test_on_the_office_server_only_office_leaders_save_the_plan(door):
    door.import_companies([registered(1)])
    inspector = door.as_(Identity("zhangming", hub=True))
    with pytest.raises(AccessError, match="不是科室负责人"):
        inspector.save_plan(2027, [line(1, 3)])
    assert door.plan_lines(2027) == []
    leader = door.as_(Identity("wangke", frozenset({"leaders"}), hub=True))
    leader.save_plan(2027, [line(1, 3)])
    assert [s.id for s in inspector.plan_lines(2027)] == ["2027-001"]  # everyone reads it
    with pytest.raises(AccessError):  # the planned team has no sign-ins: a leader staffs it
        inspector.new_from_line("2027-001")
    assert not door.plan_line("2027-001").done
    made = leader.new_from_line("2027-001")
    assert door.plan_line("2027-001").inspection_id == made.inspection_id


def test_the_plan_is_kept_by_the_database_itself(tmp_path: Path) -> None:
    with Door.connect(data_dir=str(tmp_path), identity=LEADER) as door:
        door.import_companies([registered(1), registered(2)])
        door.save_plan(2027, [line(1, 3), line(2, 4)])
        made = door.new_from_line("2027-001")
    db = sqlite3.connect(tmp_path / "kit.sqlite")
    for statement in ("DELETE FROM plan_trail", "UPDATE plan_trail SET user = 'x'",
                      "DELETE FROM plan_lines",
                      "UPDATE plan_lines SET doc = '{}' WHERE id = '2027-002'",
                      "UPDATE plan_lines SET inspection_id = NULL WHERE id = '2027-001'",
                      "UPDATE plan_lines SET inspection_id = 'x' WHERE id = '2027-002'",
                      "UPDATE plan_lines SET id = '2027-009' WHERE id = '2027-002'"):
        with pytest.raises(sqlite3.DatabaseError):
            db.execute(statement)
    db.close()
    with Store(data_dir=tmp_path) as store:
        assert store.protection_problems == []
        assert store.plan_line("2027-001").inspection_id == made.inspection_id


# -- the command --------------------------------------------------------------------------
def kit(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kit", *args, "--db-url", url,
                           "--user", "王科长"], capture_output=True, text=True, check=False)


def test_kit_plan_save_show_and_kit_new(any_store_url, tmp_path):
    company = registered(1)
    with Door.connect(any_store_url, identity=LEADER) as door:
        door.import_companies([company, registered(2)])
    saved = kit(any_store_url, "plan", "--year", "2027", "--as-of", "2026-12-01", "--save",
                "--inspector", "赵磊", "--inspector", "钱敏")
    assert saved.returncode == 0, saved.stderr
    assert "2027 年度计划已保存：2 行；新增 2 行" in saved.stdout
    with Door.connect(any_store_url, identity=LEADER) as door:
        first = next(s for s in door.plan_lines(2027) if s.line.credit_code == company.credit_code)
    made = kit(any_store_url, "new", "--plan-line", first.id)
    assert made.returncode == 0, made.stderr
    assert company.name in made.stdout
    assert "七、1-13" in made.stdout
    # an estimate while 2027's official schedule is not in the calendar
    assert ("估算" in made.stdout) is not load_calendar().knows(date(2027, 1, 4))
    with Door.connect(any_store_url, identity=LEADER) as door:
        iid = door.plan_line(first.id).inspection_id
        assert iid is not None
        assert iid in made.stdout
        assert door.inspection(iid).company.credit_code == company.credit_code
    shown = kit(any_store_url, "plan", "--year", "2027", "--show")
    assert shown.returncode == 0, shown.stderr
    done_row = next(r for r in shown.stdout.splitlines() if r.startswith(first.id))
    assert done_row.split("\t")[-2:] == ["已建检查 done", iid]
    assert "已建检查 1 行、未开始 1 行" in shown.stdout
    trail = kit(any_store_url, "plan", "--year", "2027", "--trail")
    assert f"建立检查记录 done: {iid}" in trail.stdout
    adhoc = kit(any_store_url, "new", "--company", company.credit_code, "--type", "special",
                "--start", "2027-02-03", "--member", "孙悦", "--member", "李华")
    assert adhoc.returncode == 0, adhoc.stderr
    assert "专项检查" in adhoc.stdout
    assert "孙悦（组长）" in adhoc.stdout


@pytest.mark.parametrize(("args", "says"), [
    (("new", "--plan-line", "2027-404"), "没有计划行 2027-404"),
    (("new", "--plan-line", "2027-001"), "已由"),
    (("new", "--company", make_credit_code("91110110000000042")), "不在企业名录中"),
    (("new",), "--plan-line"),
    (("new", "--plan-line", "2027-001", "--type", "special"), "--company"),
])
def test_kit_new_refusals_are_one_line_exit_2_nothing_written(tmp_path, args, says):
    url = f"sqlite:///{tmp_path / 'kit.sqlite'}"
    with Door.connect(url, identity=LEADER) as door:
        door.import_companies([registered(1)])
        door.save_plan(2027, [line(1, 3)])
        door.new_from_line("2027-001")
        before = (door.list(()), door.plan_trail())
    done = kit(url, *args)
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""
    with Door.connect(url, identity=LEADER) as door:
        assert (door.list(()), door.plan_trail()) == before


def test_the_lines_of_a_plan_are_its_rows():
    register = [registered(1), registered(2, contracts=True)]
    plan = year_plan(tables_of([]), 2027, as_of=AS_OF, register=register, inspectors=["甲"])
    lines = plan_lines_of(plan)
    assert [ln.credit_code for ln in lines] == list(plan.plan["credit_code"])
    assert all(ln.members == ("甲",) for ln in lines)  # one person: no second member
    assert all(ln.overdue and ln.month == 1 for ln in lines)  # never inspected: due at once
