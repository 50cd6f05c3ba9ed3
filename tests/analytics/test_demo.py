"""The generated demo data: reproducible, valid under the guide's rules, loadable with one command."""

from __future__ import annotations

import gc
import itertools
import subprocess
import sys
import weakref
from datetime import date, timedelta

import pytest

from kit.analytics import (
    DEFAULT_END,
    demo_inspections,
    iter_demo_inspections,
    load_demo_data,
    overdue_rectifications,
    repeat_findings,
    tables_of,
)
from kit.door import Door, Identity
from kit.errors import KitError
from kit.guide import load_guide
from kit.identifiers import credit_code_problem
from kit.policy import load_policy
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


def test_the_demo_is_made_one_at_a_time_holding_only_each_companys_latest():
    """``kit demo --inspections 100000`` must not hold 100,000 records: the generator keeps
    each company's latest (what its next visit follows) and nothing else it has given."""
    made = iter_demo_inspections(300, 3, seed=2)
    alive = [weakref.ref(ins) for ins in itertools.islice(made, 250)]  # still making
    gc.collect()
    assert 1 <= sum(r() is not None for r in alive) <= 3 + 1  # one a company, one just followed
    assert [i.id for i in iter_demo_inspections(40, 3, seed=2)] == \
        [i.id for i in demo_inspections(40, 3, seed=2)]


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


@pytest.fixture(scope="module")
def small():
    return demo_inspections(12, 4, seed=1)


def test_a_small_demo_carries_every_handling_of_ten_1_to_its_outcome(small):
    findings = [(ins, key, f) for ins in small for key, f in ins.findings.items()]
    kinds = {t.code for t in load_guide().terms("handling_kinds")}
    assert {f.handling for _, _, f in findings} == kinds
    for ins, key, f in findings:
        if f.handling == "correct_on_site":  # confirmed by an inspector of the team, on the day
            assert f.corrected_by in ins.inspectors, (ins.id, key)
            assert f.corrected_at is not None
            assert ins.scope.start_date <= f.corrected_at.date() <= ins.scope.ended_on
        if f.handling == "suspend_and_warn":  # the safety warning, its date, channel and text
            assert f.warning_on is not None
            assert f.warning_channel
            assert f.warning_text
        if f.handling == "file_case":  # a case number, or the transfer recorded in full
            assert f.case_number or (f.transferred_to and f.transferred_on and f.handed_over)
    policy = load_policy()
    suspended = [(ins, f) for ins, _, f in findings if f.handling in policy.handling.resume_kinds]
    assert suspended
    for ins, f in suspended:
        notice = ins.notices["suspension"]  # 暂停生产通知书, issued and served
        assert notice.number
        assert notice.served_on is not None
        if ins.stage == "closed":  # resumed only after an on-site recheck that passed
            assert (f.state, f.review_mode) == ("passed", "on_site")
    assert any(ins.stage == "closed" for ins, _ in suspended)


def test_a_small_demo_has_a_failed_round_an_extension_an_extended_and_a_joint_inspection(small):
    rounds = [(ins, f) for ins in small for f in ins.findings.values() if f.reviews]
    assert rounds
    for _ins, f in rounds:  # failed, resubmitted after that review, then passed
        (first,) = f.reviews.values()
        assert first.result == "failed"
        assert f.state == "passed"
        assert first.reviewed_on < f.submitted_on <= f.reviewed_on
    extended = [f for ins in small for f in ins.findings.values() if f.extensions]
    assert extended
    for f in extended:
        assert f.due > f.deadline
    by_id = {ins.id: ins for ins in small}
    extensions = [ins for ins in small if ins.scope.type == "extended"]
    assert extensions
    for ins in extensions:  # a supplier, linked to an earlier inspection of another company
        principal = by_id[ins.scope.principal]
        assert ins.company.role in ("supplier", "service_provider")
        assert principal.company.name != ins.company.name
        assert principal.scope.start_date < ins.scope.start_date
    assert all(not ins.scope.principal for ins in small if ins.scope.type != "extended")
    for kind in ("joint", "delegated"):
        across = [ins for ins in small if ins.scope.cooperation == kind]
        assert across, kind
        for ins in across:  # 五、8: the other authority told beforehand
            cr = ins.cross_region
            assert cr.communicated_with
            assert cr.communicated_on < ins.scope.start_date
            if kind == "joint":
                assert cr.report_to_both_on is not None
    for ins in small:
        assert errors(check(ins, today=date(2026, 11, 24))) == [], ins.id


def test_the_tables_count_the_rounds_and_show_the_extensions_and_links(small):
    tables = tables_of(small)
    (ins, key, _f) = next((i, k, f) for i in small for k, f in i.findings.items() if f.reviews)
    mine = tables.reviews[(tables.reviews["inspection_id"] == ins.id)
                          & (tables.reviews["finding"] == key)]
    assert mine["round"].tolist() == [1, 2]  # the kept round, then the one that passed
    assert mine["result"].tolist() == ["failed", "passed"]
    assert mine["kept"].tolist() == [True, False]
    n_ext = sum(len(f.extensions) for i in small for f in i.findings.values())
    assert len(tables.extensions) == n_ext
    heads = tables.inspections.set_index("inspection_id")
    for i in small:
        if i.scope.principal:
            assert heads.loc[i.id, "principal"] == i.scope.principal
            assert heads.loc[i.id, "role"] == i.company.role


def test_under_a_grading_scheme_the_same_demo_is_graded_and_passes(office_scheme, tmp_path):
    plain = demo_inspections(30, 10, seed=1)
    office_scheme("nmpa2015")
    graded = demo_inspections(30, 10, seed=1)
    assert graded == demo_inspections(30, 10, seed=1)  # the same seed, the same data
    scheme = load_policy().scheme
    grades = {t.code for t in scheme.grades}
    for a, b in zip(plain, graded, strict=True):  # the same history, graded
        assert [f.handling for f in a.findings.values()] == [
            f.handling for f in b.findings.values()]
        assert all(f.grade in grades for f in b.findings.values())
        assert not any(f.grade for f in a.findings.values())
        if b.stage in ("follow_up", "closed"):  # the leader confirmed the verdict proposed
            op = b.opinion
            assert op.scheme == "nmpa2015"
            assert op.verdict == scheme.propose(f.grade for f in b.findings.values())
            assert op.verdict_by
            assert op.verdict_at is not None
        assert errors(check(b, today=date(2026, 11, 24))) == [], b.id
    assert len({i.opinion.verdict for i in graded}) >= 2
    heads = tables_of(graded).inspections
    assert (heads["verdict"].astype(str) == heads["proposed_verdict"].astype(str)).all()
    with Store(data_dir=tmp_path) as store:  # the door takes them, grades and all
        assert load_demo_data(Door(store, Identity("demo")), inspections=30, companies=10,
                              seed=1) == 30
