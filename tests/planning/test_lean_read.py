"""``kit plan`` reads only what the plan needs (:func:`kit.analytics.load_plan_tables`), and
the plan is the one the whole tables give.

The store is varied on purpose: generated demo inspections of many companies (products,
licences, findings with grades and handling, follow-up measures, teams), the small office of
``test_plan`` (a repeat finding, key supervision, a class I filing, partial visits), graded
findings and verdicts under another scheme, a company of the register never inspected, and a
deleted inspection. The lean read and the whole read are compared column by column, then the
plans (levels, lines, loads) made from each, for an analyst and for an inspector who reads
their teams' inspections only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kit.analytics import PLAN_PATHS, load_demo_data, load_plan_tables, load_tables
from kit.door import LEADERS, Door, Identity
from kit.planning import office_year_plan
from kit.record import Member, Opinion
from tests.planning.test_plan import OFFICE, REPEAT, company, registered, visit
from tests.policy.test_policy import office_templates

AS_OF = date(2026, 12, 1)
READ = ("inspections", "findings", "follow_ups", "team", "products", "licences")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The store, its office grading under a scheme with grades and verdicts (nmpa2015)."""
    folder = tmp_path_factory.mktemp("lean")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KIT_TEMPLATES_DIR", str(office_templates(folder, scheme="nmpa2015")))
        fill(folder)
        yield folder


def fill(folder: Path) -> None:
    with Door.connect(data_dir=str(folder), identity=Identity("demo")) as door:
        load_demo_data(door, inspections=60, companies=9, seed=3)
        for ins in OFFICE:
            door.create(ins)
        graded = visit("K1", company("级", "电子体温计"), date(2026, 5, 4),
                       findings={"F1": replace(REPEAT, grade="key")})
        door.create(replace(graded, opinion=Opinion(verdict="fail", scheme="nmpa2015")))
        mine = visit("M9", company("守", "一次性使用输液器", "III"), date(2026, 2, 2))
        door.create(replace(mine, team={"M1": Member("赵磊", "leader", user="zhaolei"),
                                        "M2": Member("钱敏", user="qianmin")}))
        gone = visit("X1", company("删", "一次性使用输液器", "III"), date(2026, 6, 1))
        door.create(gone)
        door.delete("X1")
        door.import_companies([registered("泵", "输液泵", "II", k=5),
                               registered("棉", "医用棉签", "I", filed=date(2026, 11, 2), k=4)])
    return folder


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


@pytest.mark.parametrize("who", [Identity("分析人员"),
                                 Identity("chen", frozenset({LEADERS}), hub=True),
                                 Identity("zhaolei", hub=True)], ids=["analyst", "leader",
                                                                      "inspector"])
def test_the_lean_read_gives_the_plan_the_whole_tables_give(office, who):
    with Door.connect(data_dir=str(office), identity=who) as door:
        whole, lean = load_tables(door), load_plan_tables(door)
        assert len(lean.inspections) == len(whole.inspections) > 0
        for name in READ:  # every column the lean read has is the whole read's, as it is
            part = getattr(lean, name)
            assert set(part.columns) <= set(getattr(whole, name).columns)
            same(getattr(whole, name)[list(part.columns)], part)
        assert "X1" not in set(lean.inspections["inspection_id"])
        a = office_year_plan(door, whole, 2027, as_of=AS_OF, seed=5)
        b = office_year_plan(door, None, 2027, as_of=AS_OF, seed=5)
    assert len(a.plan) > 0
    same(a.plan, b.plan)
    same(a.levels, b.levels)
    same(a.load, b.load)
    if who.user == "zhaolei":  # their teams' inspections only
        assert set(lean.inspections["inspection_id"]) == {"M9"}
    else:
        assert a.levels["raised_by"].map(len).sum() > 0  # the history raised some levels


def test_the_lean_read_reads_a_small_share_of_the_fields(office):
    with Door.connect(data_dir=str(office), identity=Identity("分析人员")) as door:
        every = len(door.rows())
        read = sum(len(chunk) for chunk in door.row_chunks(PLAN_PATHS, size=100))
    assert 0 < read < every / 5


def test_the_lean_read_is_the_same_on_postgresql_as_on_sqlite(any_store_url):
    """One query read in chunks on either database: the same tables and the same plan."""
    with Door.connect(any_store_url, identity=Identity("分析人员")) as door:
        load_demo_data(door, inspections=12, companies=4, seed=5)
        for ins in OFFICE:
            door.create(ins)
        whole = load_tables(door)
        lean = load_plan_tables(door, chunk=7)  # many small chunks
        for name in READ:
            part = getattr(lean, name)
            same(getattr(whole, name)[list(part.columns)], part)
        a = office_year_plan(door, whole, 2027, as_of=AS_OF)
        b = office_year_plan(door, None, 2027, as_of=AS_OF)
    assert len(a.plan) > 0
    same(a.plan, b.plan)
    same(a.levels, b.levels)
