"""The year's supervision plan, on a small office whose levels and due dates are worked out here.

Companies (products as their latest inspection recorded them; full = all 14 sections):

- 输 (national catalogue: 一次性使用输液器): full 2026-03-02 -> level 4, due 2027-03-02.
- 压 (class II 电子血压计, 07-03): full 2024-05-06 -> level 2 (every 48 months), due 2028-05:
  not in the 2027 plan.
- 重 (class II 电子体温计): full 2025-06-02 and a partial visit 2026-04-01 found 七、9.检查方法（5）
  both times -> raised to level 3 (every 24 months), due 2027-06-02.
- 菌 (Beijing catalogue: 无菌敷料): full 2024-12-02 -> level 3, due 2026-12-02: overdue, so January.
- 点 (class II 医用冷敷贴) listed for key supervision (十、3（3）) after its 2026-09-07 full visit ->
  level 3, due 2028-09-07.
- 备 (class I 医用棉签): filed 2026-11-02, never inspected -> level 1, first full inspection
  due 2027-02-02.
- 抽 (class I 检查手套): full 2026-01-05 -> level 1, spot checks only: drawn (20 % of one is one).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kit.analytics import load_tables, read_frames, tables_of
from kit.door import Door, Identity
from kit.errors import KitError, ValidationError
from kit.identifiers import make_credit_code
from kit.planning import Grading, company_levels, grading_of, load_supervision_rules, year_plan
from kit.record import (
    Company,
    Finding,
    FollowUp,
    Licence,
    Member,
    Opinion,
    Product,
    new_inspection,
)
from kit.register import RegisteredCompany, RegisteredProduct
from kit.store import Store
from tests.policy.test_policy import office_templates

AS_OF = date(2026, 12, 1)
PEOPLE = {"M1": Member(name="赵磊", role="leader"), "M2": Member(name="钱敏"),
          "M3": Member(name="孙悦", role="leader"), "M4": Member(name="李华")}


def company(name: str, product: str, klass: str = "II", code: str = "",
            filed: date | None = None) -> Company:
    licences = {"L1": Licence(kind="class1_production_filing", number=f"京海械生产备{name}",
                              issued=filed)} if filed else {}
    return Company(name=f"北京{name}医疗器械有限公司", credit_code="",
                   products={"P1": Product(name=product, device_class=klass,
                                           category_code=code)}, licences=licences)


def visit(iid: str, who: Company, day: date, *, sections: tuple[str, ...] | None = None,
          findings: dict[str, Finding] | None = None, measures: tuple[str, ...] = (),
          team: tuple[str, str] = ("M1", "M2")):
    ins = new_inspection(company=who, start_date=day, sections=sections)
    return replace(ins, id=iid, team={k: PEOPLE[k] for k in team}, findings=findings or {},
                   follow_up=FollowUp(measures=measures), stage="closed")


REPEAT = Finding("7.9.m5", "未按规定留样", "rectify_by_deadline", "限期整改", date(2026, 5, 1))
OFFICE = [
    visit("S1", company("输", "一次性使用输液器", "III"), date(2026, 3, 2)),
    visit("Y1", company("压", "电子血压计", "II", "07-03"), date(2024, 5, 6), team=("M3", "M4")),
    visit("C1", company("重", "电子体温计"), date(2025, 6, 2), findings={"F1": REPEAT}),
    visit("C2", company("重", "电子体温计"), date(2026, 4, 1), sections=("7.9",),
          findings={"F1": REPEAT}, team=("M3", "M4")),
    visit("J1", company("菌", "无菌敷料"), date(2024, 12, 2)),
    visit("D1", company("点", "医用冷敷贴"), date(2026, 9, 7), measures=("key_supervision",)),
    visit("B0", company("备", "医用棉签", "I", filed=date(2026, 11, 2)), date(2026, 11, 20),
          sections=("7.1",), team=("M3", "M4")),
    visit("Z1", company("抽", "检查手套", "I"), date(2026, 1, 5)),
]


@pytest.fixture(scope="module")
def tables():
    return tables_of(OFFICE)


def short(name: str) -> str:
    return name.removeprefix("北京").removesuffix("医疗器械有限公司")


def test_each_company_gets_its_level_from_its_products_and_history(tables):
    levels = company_levels(tables, AS_OF).set_index(
        pd.Index([short(c) for c in company_levels(tables, AS_OF)["company"]]))
    assert levels["level"].to_dict() == {"输": 4, "压": 2, "重": 3, "菌": 3, "点": 3, "备": 1,
                                         "抽": 1}
    assert "国家重点监管医疗器械目录" in levels.loc["输", "basis"]
    assert "一次性使用输液器" in levels.loc["输", "basis"]
    assert levels.loc["重", "raised_by"] == ("同一检查项在两次及以上检查中发现问题",)
    assert "七、9.检查方法（5）" in levels.loc["重", "basis"]  # which item, by its label
    assert levels.loc["点", "raised_by"] == ("列为重点监管企业（十、3（3））",)
    assert levels.loc["菌", "basis"].startswith("按产品为三级监管：北京市重点监管医疗器械目录")
    due = levels["next_due"].dt.strftime("%Y-%m-%d").to_dict()
    assert due["输"] == "2027-03-02"
    assert due["压"] == "2028-05-06"
    assert due["重"] == "2027-06-02"  # two years after the last *full* inspection
    assert due["菌"] == "2026-12-02"
    assert due["备"] == "2027-02-02"  # three months after filing
    assert pd.isna(levels.loc["抽", "next_due"])  # spot checks only
    assert levels.loc["备", "kind"] == "全项目检查（备案后首次）"


def test_the_years_plan_takes_who_is_due_and_a_share_of_spot_checks(tables):
    plan = year_plan(tables, 2027, as_of=AS_OF).plan
    by = plan.assign(name=[short(c) for c in plan["company"]]).set_index("name")
    assert set(by.index) == {"输", "重", "菌", "备", "抽"}  # 压 and 点 are not due in 2027
    assert by.loc["菌", "overdue"]
    assert str(by.loc["菌", "month"]) == "2027-01"  # overdue: at once
    for name in ("输", "重", "备"):  # never after the due date
        assert by.loc[name, "month"].end_time >= by.loc[name, "month"].start_time
        assert by.loc[name, "month"].start_time <= by.loc[name, "next_due"]
    assert by.loc["抽", "kind"] == "抽查"
    again = year_plan(tables, 2027, as_of=AS_OF).plan
    pd.testing.assert_frame_equal(plan, again)  # the same data, the same plan


def test_teams_are_two_people_with_even_loads_and_a_new_leader(tables):
    plan = year_plan(tables, 2027, as_of=AS_OF)
    p = plan.plan
    assert (p["leader"] != p["inspector"]).all()
    assert set(p["leader"]) <= {"赵磊", "孙悦"}  # those who have led a team
    load = plan.load.set_index("inspector")["合计"]
    assert load.sum() == 2 * len(p)
    assert load.max() - load.min() <= 1
    # 输 was led by 赵磊 last time: someone else leads now
    assert p.loc[p["company"].str.contains("输"), "leader"].item() == "孙悦"


def test_the_named_inspectors_are_the_pool(tables):
    p = year_plan(tables, 2027, as_of=AS_OF, inspectors=["甲", "乙", "丙"]).plan
    assert set(p["leader"]) | set(p["inspector"]) <= {"甲", "乙", "丙"}


def test_months_stay_even_when_many_are_due_at_once():
    many = [visit(f"N{k}", replace(company("输", "一次性使用输液器", "III"),
                                   name=f"北京输{k}医疗器械有限公司"), date(2026, 12, 1))
            for k in range(24)]
    p = year_plan(tables_of(many), 2027, as_of=AS_OF).plan
    # 24 due on 2027-12-01, so by November: two a month, the two months before it a third
    assert p["month"].value_counts().max() == 3
    assert (p["month"].dt.month <= 11).all()
    assert p["month"].value_counts().min() == 2


def test_the_plan_workbook_reads_back(tables, tmp_path):
    plan = year_plan(tables, 2027, as_of=AS_OF)
    frames = read_frames(plan.to_excel(tmp_path / "plan.xlsx"))
    pd.testing.assert_frame_equal(frames["plan"], plan.plan)
    assert list(frames) == ["plan", "load", "levels", "source"]


def test_the_rules_are_office_data_checked_with_where(tmp_path):
    rules = load_supervision_rules()
    assert "234号" in rules.source
    assert [lv.every_months for lv in rules.levels] == [12, 24, 48, None]
    bad = tmp_path / "supervision.yaml"
    text = Path("templates/supervision.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("every_months: 12", "every_months: twelve"), encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_supervision_rules(bad)
    assert err.value.problems[0].field == "levels/0/every_months"
    bad.write_text(text.replace("level: 4", "level: 1", 1), encoding="utf-8")
    with pytest.raises(ValidationError, match="从高到低"):
        load_supervision_rules(bad)
    with pytest.raises(KitError, match="2000"):
        year_plan(tables_of(OFFICE), 1999)


def test_kit_plan_writes_the_workbook(tmp_path):
    with Store(data_dir=tmp_path / "data") as store:
        for ins in OFFICE:
            Door(store, Identity("分析")).create(ins)

    def kit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kit", *args, "--data-dir",
                               str(tmp_path / "data")], capture_output=True, text=True,
                              check=False)

    done = kit("plan", "--year", "2027", "--as-of", "2026-12-01", "--out",
               str(tmp_path / "plan.xlsx"))
    assert done.returncode == 0, done.stderr
    assert "2027 年度监督检查计划：5 家企业" in done.stdout
    assert "逾期 1 家" in done.stdout
    assert (tmp_path / "plan.xlsx").stat().st_size > 0
    assert done.stderr == ""
    wrong = kit("plan", "--year", "2027", "--out", str(tmp_path / "plan.csv"))
    assert wrong.returncode == 2
    assert ".xlsx" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    broken = tmp_path / "rules.yaml"
    broken.write_text("source: x\nlevels: []\n", encoding="utf-8")
    checked = kit("plan", "--check", "--rules", str(broken))
    assert checked.returncode == 2
    assert "levels" in checked.stderr


def test_a_visit_that_records_no_products_or_no_code_keeps_the_company_as_it_is():
    code = "91110108MA01ABCD2X"
    first = visit("P1", replace(company("输", "一次性使用输液器", "III"), credit_code=""),
                  date(2026, 1, 5))
    later = visit("P2", replace(company("输", "一次性使用输液器", "III"), credit_code=code,
                                products={}), date(2026, 6, 1), sections=("7.9",))
    levels = company_levels(tables_of([first, later]), AS_OF)
    assert len(levels) == 1  # one company, though the first visit had no credit code
    assert levels.loc[0, "level"] == 4  # its products are the first visit's
    assert levels.loc[0, "credit_code"] == code
    assert levels.loc[0, "next_due"] == pd.Timestamp(2027, 1, 5)


def test_the_planned_month_is_not_mostly_after_the_due_date(tables):
    plan = year_plan(tables, 2027, as_of=AS_OF).plan
    by = plan.assign(name=[short(c) for c in plan["company"]]).set_index("name")
    assert by.loc["输", "month"].month <= 2  # due 2027-03-02
    assert by.loc["备", "month"].month <= 1  # due 2027-02-02
    assert by.loc["重", "month"].month <= 5  # due 2027-06-02


# -- the register, the scope of a full inspection, raises and their cap, grades, verdicts ---------
FIRST13 = tuple(f"7.{k}" for k in range(1, 14))


def registered(name: str, product: str, klass: str = "II", *, contracts: bool = False,
               filed: date | None = None, k: int = 1) -> RegisteredCompany:
    return RegisteredCompany(
        make_credit_code(f"9111011{k:010d}"), f"北京{name}医疗器械有限公司", "海淀区", contracts,
        licence_no="" if filed else f"京药监械生产许2026{k:04d}号",
        filing_no=f"京海械生产备2026{k:04d}号" if filed else "", filed_on=filed,
        products=(RegisteredProduct(product, klass),))


def coded(who: Company, entry: RegisteredCompany) -> Company:
    return replace(who, credit_code=entry.credit_code)


def level_of(tables, entry, **kw):
    levels = company_levels(tables, AS_OF, **kw)
    return levels.set_index("credit_code").loc[entry.credit_code]


def test_a_company_without_contract_manufacturing_is_fully_inspected_on_1_to_13():
    """七、14 applies only where the company contracts manufacturing (the register says)."""
    keeps = registered("血", "电子血压计", k=1)
    breaks = registered("血", "电子血压计", contracts=True, k=1)
    visit_13 = visit("R1", coded(company("血", "电子血压计"), keeps), date(2025, 6, 2),
                     sections=FIRST13)
    tables = tables_of([visit_13])
    full = level_of(tables, keeps, register=[keeps])
    assert full["last_full_inspection"] == pd.Timestamp(2025, 6, 2)
    assert full["next_due"] == pd.Timestamp(2029, 6, 2)
    assert full["scope"] == "七、1-13（无委托生产）"
    partial = level_of(tables, breaks, register=[breaks])  # it contracts: 七、14 was missed
    assert pd.isna(partial["last_full_inspection"])
    assert partial["next_due"] == pd.Timestamp(AS_OF)
    assert partial["scope"] == "七、1-14"
    # without a register, what the inspections show decides: none shows 委托生产
    assert level_of(tables, keeps)["last_full_inspection"] == pd.Timestamp(2025, 6, 2)


def test_a_raised_level_names_its_real_reasons_and_is_capped():
    """A glove and swab maker listed for key supervision with a repeated finding: raised once
    (max_raise: 1), its basis the reasons and the new level's frequency, never a catalogue."""
    entry = registered("套", "检查手套", "I", k=2)
    who = coded(company("套", "检查手套", "I"), entry)
    history = [visit("G1", who, date(2025, 6, 2), findings={"F1": REPEAT}),
               visit("G2", who, date(2026, 6, 1), findings={"F1": REPEAT},
                     measures=("key_supervision",))]
    tables = tables_of(history)
    row = level_of(tables, entry, register=[entry])
    assert row["level"] == 2  # class I (1) + at most one step
    assert row["raised_by"] == ("列为重点监管企业（十、3（3））", "同一检查项在两次及以上检查中发现问题")
    assert "国家重点监管" not in row["basis"]
    assert "生产其他第二类" not in row["basis"]  # level 2's own condition is not the reason
    assert "提高一级：列为重点监管企业" in row["basis"]
    assert "本局规定最多提高 1 级" in row["basis"]
    assert row["basis"].endswith("定为二级监管：每四年至少一次全项目检查")
    two = replace(load_supervision_rules(), max_raise=2)
    assert level_of(tables, entry, register=[entry], rules=two)["level"] == 3
    none = replace(load_supervision_rules(), max_raise=0)
    held = level_of(tables, entry, register=[entry], rules=none)
    assert held["level"] == 1
    assert "未提高" in held["basis"]


def test_the_cap_is_office_data_checked_by_kit_plan_check(tmp_path):
    text = Path("templates/supervision.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "supervision.yaml"
    bad.write_text(text.replace("max_raise: 1", "max_raise: -1"), encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_supervision_rules(bad)
    assert err.value.problems[0].field == "max_raise"
    bad.write_text(text.replace("  fda:\n    grades: [significant]", "  fbi:\n    grades: [x]"),
                   encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_supervision_rules(bad)
    assert err.value.problems[0].field == "serious/fbi"
    checked = subprocess.run([sys.executable, "-m", "kit", "plan", "--check", "--rules", str(bad)],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 2
    assert "serious/fbi" in checked.stderr
    assert "Traceback" not in checked.stderr


def graded_office(grade: str, verdict: str) -> list:
    entry = registered("级", "电子体温计", k=3)
    who = coded(company("级", "电子体温计"), entry)
    finding = replace(REPEAT, grade=grade)
    ins = visit("K1", who, date(2026, 5, 4), findings={"F1": finding})
    return [replace(ins, opinion=Opinion(verdict=verdict, scheme="nmpa2015"))]


@pytest.mark.parametrize(("grade", "verdict", "raised"), [
    ("key", "recheck", "近三年有按本局问题分级办法评为严重的问题"),
    ("general", "fail", "近三年有检查结论为未通过检查或需采取监管行动"),
])
def test_a_serious_grade_or_verdict_raises_the_level(tmp_path, monkeypatch, grade, verdict,
                                                     raised):
    """The grades and verdicts the office's scheme counts as serious (supervision.yaml
    ``serious``) are reasons; read from the store while the tables do not carry them."""
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(office_templates(tmp_path, scheme="nmpa2015")))
    entry = registered("级", "电子体温计", k=3)
    door = Door.connect("sqlite://", identity=Identity("分析"))
    for ins in graded_office(grade, verdict):
        door.create(ins)
    tables = load_tables(door)
    grading = grading_of(door.rows(("findings", "opinion/verdict", "opinion/scheme")))
    row = level_of(tables, entry, register=[entry], grading=grading)
    assert row["raised_by"] == (raised,)
    assert row["level"] == 3
    door.close()


def test_a_general_finding_and_a_pass_raise_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(office_templates(tmp_path, scheme="nmpa2015")))
    entry = registered("级", "电子体温计", k=3)
    tables = tables_of(graded_office("general", "recheck"))
    grading = Grading(pd.DataFrame({"inspection_id": ["K1"], "finding": ["F1"],
                                    "grade": ["general"]}),
                      pd.DataFrame({"inspection_id": ["K1"], "verdict": ["recheck"],
                                    "verdict_scheme": ["nmpa2015"]}))
    row = level_of(tables, entry, register=[entry], grading=grading)
    assert row["raised_by"] == ()
    assert row["level"] == 2


def test_companies_in_the_register_never_inspected_are_planned_by_their_level():
    """Class I: within three months of filing; the others: due now (overdue in January)."""
    swab = registered("棉", "医用棉签", "I", filed=date(2026, 11, 2), k=4)
    pump = registered("泵", "输液泵", "II", k=5)
    inspected = registered("输", "一次性使用输液器", "III", k=6)
    history = [visit("S9", coded(company("输", "一次性使用输液器", "III"), inspected),
                     date(2026, 3, 2))]
    plan = year_plan(tables_of(history), 2027, as_of=AS_OF, register=[swab, pump, inspected],
                     inspectors=["甲", "乙"])
    by = plan.plan.set_index("credit_code")
    assert set(by.index) == {swab.credit_code, pump.credit_code, inspected.credit_code}
    assert by.loc[swab.credit_code, "next_due"] == pd.Timestamp(2027, 2, 2)
    assert by.loc[swab.credit_code, "kind"] == "全项目检查（备案后首次）"
    assert by.loc[pump.credit_code, "overdue"]
    assert str(by.loc[pump.credit_code, "month"]) == "2027-01"
    assert by.loc[inspected.credit_code, "company"] == "北京输医疗器械有限公司"
    levels = plan.levels.set_index("credit_code")
    assert pd.isna(levels.loc[pump.credit_code, "last_inspection"])
    assert levels["in_register"].all()
    empty = year_plan(tables_of([]), 2027, as_of=AS_OF, register=[pump], inspectors=["甲", "乙"])
    assert list(empty.plan["credit_code"]) == [pump.credit_code]


def test_kit_plan_takes_the_register_from_the_store(tmp_path):
    with Store(data_dir=tmp_path / "data") as store:
        door = Door(store, Identity("分析"))
        for ins in OFFICE:
            door.create(ins)
        door.import_companies([registered("泵", "输液泵", "II", k=5)])
    done = subprocess.run([sys.executable, "-m", "kit", "plan", "--year", "2027", "--as-of",
                           "2026-12-01", "--out", str(tmp_path / "plan.xlsx"), "--data-dir",
                           str(tmp_path / "data")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "2027 年度监督检查计划：6 家企业" in done.stdout
    assert "企业名录 1 家，其中从未检查 1 家" in done.stdout
    frames = read_frames(tmp_path / "plan.xlsx")
    assert "北京泵医疗器械有限公司" in set(frames["plan"]["company"])
