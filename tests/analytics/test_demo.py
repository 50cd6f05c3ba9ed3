"""The generated demo data: reproducible, valid under the guide's rules, loadable with one command."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest

from kit.analytics import (
    DEFAULT_END,
    demo_inspections,
    load_demo_data,
    overdue_rectifications,
    repeat_findings,
    tables_of,
)
from kit.door import Door, Identity
from kit.errors import KitError
from kit.identifiers import credit_code_problem
from kit.record import to_doc
from kit.rules import check, errors
from kit.store import Store


@pytest.fixture(scope="module")
def generated():
    return demo_inspections(30, 10, seed=1)


def test_the_same_seed_gives_the_same_inspections_and_another_seed_others(generated):
    again = demo_inspections(30, 10, seed=1)
    assert [to_doc(i) for i in again] == [to_doc(i) for i in generated]
    other = demo_inspections(30, 10, seed=2)
    assert [i.company.name for i in other] != [i.company.name for i in generated]


def test_thirty_inspections_of_ten_companies_over_two_years(generated):
    assert len(generated) == 30
    assert len({i.id for i in generated}) == 30
    assert len({i.company.name for i in generated}) == 10
    starts = [i.scope.start_date for i in generated]
    assert all(s is not None and DEFAULT_END - timedelta(days=731) < s <= DEFAULT_END
               for s in starts)
    assert max(starts) - min(starts) > timedelta(days=365)  # spread over the period
    assert len({i.scope.type for i in generated}) >= 3


def test_credit_codes_are_valid_and_one_per_company(generated):
    codes = {}
    for ins in generated:
        assert credit_code_problem(ins.company.credit_code) is None
        codes.setdefault(ins.company.name, set()).add(ins.company.credit_code)
        for partner in ins.company.partners.values():
            assert credit_code_problem(partner.credit_code) is None
    assert all(len(c) == 1 for c in codes.values())


def test_every_inspection_passes_the_guides_rules(generated):
    for ins in generated:
        assert errors(check(ins, today=date(2026, 11, 24))) == [], ins.id


def test_the_history_holds_what_analysts_look_for(generated):
    tables = tables_of(generated)
    findings = tables.findings
    assert len(findings) >= 30
    assert set(findings["handling"]) >= {"correct_on_site", "rectify_by_deadline"}
    assert findings.loc[findings["needs_deadline"], "deadline"].notna().all()
    over = overdue_rectifications(tables, DEFAULT_END)
    assert {"overdue", "late"} <= set(over["status"])
    assert not repeat_findings(tables).empty
    assert (tables.inspections["stage"] == "follow_up").any()
    assert not tables.samples.empty


def test_loading_twice_adds_nothing_the_second_time(tmp_path):
    store = Store(data_dir=tmp_path)
    assert load_demo_data(Door(store, Identity("demo")), inspections=12, companies=4, seed=3) == 12
    assert load_demo_data(Door(store, Identity("demo")), inspections=12, companies=4, seed=3) == 0
    ids = sorted(r["id"] for r in store.list(()))
    assert len(ids) == 12
    assert Door(store).inspection(ids[0]).company.name.startswith("北京")


def test_impossible_sizes_are_refused():
    with pytest.raises(KitError, match="企业数"):
        demo_inspections(5, 0)
    with pytest.raises(KitError, match="检查数"):
        demo_inspections(0, 3)


def test_an_office_sized_demo_of_any_size():
    """More inspections than weeks in two years per company, more companies than names."""
    many = demo_inspections(1500, 8, seed=2)
    assert len(many) == 1500
    assert len({i.id for i in many}) == 1500
    assert len({i.company.name for i in many}) == 8
    wide = demo_inspections(700, 600, seed=2)
    assert len({i.company.name for i in wide}) == 600
    assert len({i.company.credit_code for i in wide}) == 600
    assert [i.id for i in demo_inspections(700, 600, seed=2)] == [i.id for i in wide]


def test_kit_demo_loads_into_the_store_and_says_how_many(tmp_path):
    run = [sys.executable, "-m", "kit", "demo", "--data-dir", str(tmp_path), "--inspections",
           "12", "--companies", "4", "--seed", "5"]
    first = subprocess.run(run, capture_output=True, text=True, encoding="utf-8", timeout=120,
                           check=True)
    assert "已载入 12 条示例检查记录" in first.stdout
    second = subprocess.run(run, capture_output=True, text=True, encoding="utf-8", timeout=120,
                            check=True)
    assert "已载入 0 条" in second.stdout
    assert "存储中共 12 条" in second.stdout
    assert len(Store(data_dir=tmp_path).list(())) == 12
    bad = subprocess.run([*run[:6], "--inspections", "0"], capture_output=True,
                         text=True, encoding="utf-8", timeout=120)
    assert bad.returncode == 2
    assert "--inspections" in bad.stderr
    assert "Traceback" not in bad.stderr
