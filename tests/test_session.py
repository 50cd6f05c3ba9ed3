"""Editing sessions: what the apps use to change a record, one field at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest

from kit.door import LEADERS, AccessError, Door, Identity
from kit.errors import ConflictError, ValidationError
from kit.record import Member, new_inspection, to_doc
from kit.session import GateError, Session
from kit.store import Store


@pytest.fixture
def store(any_store_url: str) -> Iterator[Store]:
    """A new store, once on SQLite and once on PostgreSQL."""
    with Store(any_store_url) as s:
        yield s


@pytest.fixture
def session(store) -> Session:
    return Session.create(Door(store, Identity("张明")), new_inspection(start_date=date(2026, 11, 19)))


def test_each_change_is_saved_at_once_with_who(store, session):
    session.set("results/7.8.m4/result", "nonconform")
    session.set("scope/end_date", date(2026, 11, 20))
    again = Session(Door(store, Identity("李华")), session.id)
    assert again.inspection.result("7.8.m4").result == "nonconform"
    assert again.inspection.scope.end_date == date(2026, 11, 20)
    entry = store.audit(session.id, "results/7.8.m4/result")[-1]
    assert (entry.user, entry.old, entry.new) == ("张明", None, "nonconform")


def test_two_tabs_editing_different_items_both_keep_their_work(store, session):
    other = Session(Door(store, Identity("李华")), session.id)
    session.set("results/7.1.m1/result", "conform")
    other.set("results/7.2.m1/result", "nonconform")
    session.set("results/7.1.m1/notes", "证照齐全")
    fresh = Session(Door(store, Identity("x")), session.id).inspection
    assert fresh.result("7.1.m1").result == "conform"
    assert fresh.result("7.1.m1").notes == "证照齐全"
    assert fresh.result("7.2.m1").result == "nonconform"


def test_a_field_first_written_in_another_tab_is_not_overwritten(store, session):
    other = Session(Door(store, Identity("李华")), session.id)
    session.set("results/7.1.m1/notes", "first")
    with pytest.raises(ConflictError):
        other.set("results/7.1.m1/notes", "second")
    assert Session(Door(store, Identity("x")), session.id).get("results/7.1.m1/notes") == "first"
    assert other.get("results/7.1.m1/notes") == "first"


def test_conflicting_edit_is_refused_and_the_tab_sees_the_newer_value(store, session):
    session.set("company/name", "北京示例")
    other = Session(Door(store, Identity("李华")), session.id)
    session.set("company/name", "北京示例医疗科技有限公司")
    with pytest.raises(ConflictError) as info:
        other.set("company/name", "李华的名称")
    assert "张明" in str(info.value)
    assert other.get("company/name") == "北京示例医疗科技有限公司"
    other.set("company/name", "李华的名称")  # now it has seen the newer value
    assert Session(Door(store, Identity("x")), session.id).get("company/name") == "李华的名称"


def test_bad_values_are_refused_and_nothing_is_written(store, session):
    before = len(store.audit(session.id))
    for path, value in [
        ("scope/start_date", "2026-02-30"),
        ("results/7.1.m1/result", "maybe"),
        ("scope/remote", "yes"),
        ("team/M1/sections", "7.1"),
    ]:
        with pytest.raises(ValidationError) as info:
            session.set(path, value)
        assert info.value.problems[0].field.startswith("/" + path.split("/")[0])
    assert len(store.audit(session.id)) == before
    fresh = Session(Door(store, Identity("x")), session.id).inspection
    assert fresh.scope.start_date == date(2026, 11, 19)
    assert "7.1.m1" not in fresh.results


def test_set_many_is_all_or_nothing(store, session):
    with pytest.raises(ValidationError):
        session.set_many({"findings/F1/item": "7.1.m1", "findings/F1/deadline": "soon"})
    assert Session(Door(store, Identity("x")), session.id).inspection.findings == {}
    session.set_many({"findings/F1/item": "7.1.m1", "findings/F1/description": "证照过期"})
    assert session.inspection.findings["F1"].description == "证照过期"
    session.delete("findings/F1")
    assert Session(Door(store, Identity("x")), session.id).inspection.findings == {}
    assert store.audit(session.id)[-1].action == "delete"


def test_listeners_hear_every_saved_change(session):
    heard: list[str] = []
    session.on_change(heard.append)
    session.set("company/name", "x")
    with pytest.raises(ValidationError):
        session.set("scope/start_date", "bad")
    session.refresh()
    assert heard == ["company/name", "*"]


def test_problems_follow_the_record(session):
    assert {p.code for p in session.problems("team")} >= {"team.too_small", "team.no_leader"}
    session.set_many({"team/M1/name": "张明", "team/M1/role": "leader",
                      "team/M2/name": "李华", "team/M2/role": "inspector"})
    assert not {"team.too_small", "team.no_leader"} & {p.code for p in session.problems("team")}
    assert all(p.field.startswith("team") for p in session.problems("team"))


@pytest.mark.parametrize(("path", "value", "code"), [
    ("results/7.1.m1/nope", 1, "json.unknown_field"),
    ("company/name/x", "y", "json.not_a_group"),
    ("findings/F1/deadline", "2026-13-01", "json.date"),
    ("team/M1", {"name": "张明", "role": "boss"}, "json.choice"),
    ("sampling/rows", [{"record_id": 1}], "json.type"),
])
def test_only_values_the_record_can_hold_are_saved(session, path, value, code):
    with pytest.raises(ValidationError) as info:
        session.set(path, value)
    assert [p.code for p in info.value.problems] == [code]


# -- who may do what (四、1) --------------------------------------------------------------------
def _team_inspection(store: Store) -> str:
    ins = new_inspection(start_date=date(2026, 11, 19))
    team = {"M1": Member("张明", "leader", sections=("7.1",), user="zhangming"),
            "M2": Member("李华", "inspector", sections=("7.2",), user="lihua")}
    return Session.create(Door(store, Identity("zhangming")), replace(ins, team=team)).id


def test_the_team_works_others_read_or_are_refused(store):
    iid = _team_inspection(store)
    lihua = Session(Door(store, Identity("lihua", hub=True)), iid)
    lihua.set("results/7.2.c1/result", "conform")
    assert not lihua.read_only
    analyst = Session(Door(store, Identity(
        "wang", frozenset({"analysts"}), hub=True)), iid)
    assert analyst.read_only
    with pytest.raises(AccessError, match="read only"):
        analyst.set("results/7.2.c1/notes", "分析人员不能修改")
    with pytest.raises(AccessError, match="may not open"):
        Session(Door(store, Identity("zhao", hub=True)), iid)
    assert [e.user for e in store.audit(iid, "results/7.2.c1")] == ["lihua"]


@pytest.mark.parametrize(("path", "value"), [
    ("team/M2/sections", ["7.1", "7.2"]), ("team/M3/name", "王芳"), ("opinion/conclusion", "x"),
    ("stage", "closed")])
def test_only_the_leader_changes_the_team_division_opinion_or_closes(store, path, value):
    iid = _team_inspection(store)
    lihua = Session(Door(store, Identity("lihua", hub=True)), iid)
    with pytest.raises(AccessError, match="leader"):
        lihua.set(path, value)
    leader = Session(Door(store, Identity("zhangming", hub=True)), iid)
    if path == "stage":  # an unfinished record: the rules block it, the leader says why
        with pytest.raises(GateError):
            leader.set(path, value)
        leader.advance(value, override="试点记录，科室同意结案")
    else:
        leader.set(path, value)
    assert leader.get(path) == value


def test_an_inspection_with_nobody_signed_in_is_the_office_leaders_to_staff(store):
    iid = Session.create(Door(store, Identity("import")), new_inspection(start_date=date(2026, 11, 19))).id
    with pytest.raises(AccessError, match="no team yet: ask an office leader"):
        Session(Door(store, Identity("lihua", hub=True)), iid)
    chief = Session(Door(store, Identity("chen", frozenset({LEADERS}),
                                                               hub=True)), iid)
    chief.set("team/M1", {"name": "张明", "role": "leader", "user": "zhangming"})
    assert chief.read_only  # staffed: now the team's, the office leader only reads
    Session(Door(store, Identity("zhangming", hub=True)), iid).set(
        "team/M2", {"name": "李华", "user": "lihua"})
    assert Session(Door(store, Identity("lihua", hub=True)), iid).get(
        "team/M2/user") == "lihua"


# -- a team on one inspection at once ---------------------------------------------------------
def test_a_tab_sees_a_colleagues_save_at_the_next_poll(store, session):
    colleague = Session(Door(store, Identity("李华")), session.id)
    seen: list[str] = []
    session.on_change(seen.append)
    assert not session.poll()  # nothing new
    colleague.set("results/7.3.c1/notes", "李华的记录")
    assert session.poll()
    assert session.get("results/7.3.c1/notes") == "李华的记录"
    assert seen == ["*"]
    assert not session.poll()  # seen once


def test_a_tabs_own_saves_do_not_count_as_news(store, session):
    session.set("results/7.1.c1/notes", "我的记录")
    assert not session.poll()


def test_a_colleagues_save_just_before_ones_own_is_still_seen(store, session):
    colleague = Session(Door(store, Identity("李华")), session.id)
    colleague.set("results/7.3.c1/notes", "先保存")
    session.set("results/7.1.c1/notes", "后保存")  # this tab's write follows the colleague's
    assert session.poll()
    assert session.get("results/7.3.c1/notes") == "先保存"


def test_no_poll_while_typing_waits_to_be_saved(store, session):
    colleague = Session(Door(store, Identity("李华")), session.id)
    saved: list[str] = []
    session.defer(1, lambda: saved.append("flushed"))
    colleague.set("results/7.1.c1/notes", "李华改了同一字段")
    assert not session.poll()  # the pending typing keeps the version it was typed over
    assert saved == []
    session.undefer(1)
    assert session.poll()


def test_a_field_listener_wakes_for_its_field_its_rules_and_a_refresh_only(tmp_path):
    """A page of many fields: each is told of its own changes, of a group written over it, of
    a change elsewhere that changes what the rules say about it, and of a refresh."""
    from kit.record import new_inspection

    store = Store(data_dir=tmp_path)
    session = Session.create(Door(store, Identity("u")), new_inspection(sections=("7.8",)))
    woken: dict[str, list[str]] = {"scope/sections": [], "company/name": [],
                                   "results/7.8.c1/notes": []}
    for field, seen in woken.items():
        session.on_change(seen.append, field=field)
    assert any(p.code == "division.unowned" for p in session.problems("scope/sections"))
    session.set("company/name", "北京甲")
    session.set("results/7.8.c1", {"result": "conform", "notes": "看过"})  # the group
    session.set("results/7.8.c2/notes", "无关")  # nothing about these three
    session.set("team/M1", {"name": "张明", "role": "leader", "sections": ["7.8"]})
    assert not any(p.code == "division.unowned" for p in session.problems("scope/sections"))
    session.refresh()
    assert woken == {"company/name": ["company/name", "*"],
                     "results/7.8.c1/notes": ["results/7.8.c1", "*"],
                     "scope/sections": ["team/M1", "*"]}


def _leader_and_gap(tmp_path):
    """The demo, back at the visit, with one item unchecked: it cannot move to 检查文书."""
    from kit.interchange import demo_file, import_json

    store = Store(data_dir=tmp_path)
    iid = import_json(Door(store, Identity("张明")), demo_file())
    session = Session(Door(store, Identity("张明")), iid)
    first = sorted(session.inspection.results)[0]
    session.set_many({"stage": "on_site", f"results/{first}/result": "unchecked"})
    return store, session, first


def test_moving_on_runs_the_rules_and_their_errors_block_it(tmp_path):
    store, session, first = _leader_and_gap(tmp_path)
    with pytest.raises(GateError) as info:
        session.set("stage", "reporting")
    assert info.value.problems[0].code == "stage.blocked"
    assert "检查文书与签字" in info.value.problems[0].message
    assert [p.field for p in info.value.blocking] == [f"results/{first}/result"]
    assert Session(Door(store, Identity("x")), session.id).inspection.stage == "on_site"
    session.set(f"results/{first}/result", "conform")
    session.advance("reporting")  # fixed: it moves
    assert session.inspection.stage == "reporting"
    session.set("stage", "on_site")  # back is never blocked


def test_the_leader_overrides_with_a_reason_and_the_trail_keeps_it(tmp_path):
    store, session, _first = _leader_and_gap(tmp_path)
    with pytest.raises(GateError):
        session.advance("reporting")  # no reason given
    ins = session.inspection
    member = next(k for k, m in ins.team.items() if m.role != "leader")
    # on the office server only the team's leader may override
    team = {k: replace(m, user=f"u{k}") for k, m in ins.team.items()}
    session.set("team", to_doc(replace(ins, team=team))["team"])
    as_member = Session(Door(store, Identity(f"u{member}", hub=True)), session.id)
    with pytest.raises(AccessError):
        as_member.advance("reporting", override="赶时间")
    lead_key = next(k for k, m in team.items() if m.role == "leader")
    as_leader = Session(Door(store, Identity(f"u{lead_key}", hub=True)), session.id)
    as_leader.advance("reporting", override="该项由专家另行出具意见，经科室同意先行出具文书")
    fresh = Session(Door(store, Identity("x")), session.id).inspection
    assert fresh.stage == "reporting"
    kept = fresh.gate_overrides["reporting"]
    assert kept.by == f"u{lead_key}"
    assert kept.codes == ("result.unchecked",)
    assert "专家" in kept.reason
    entries = store.audit(session.id, "gate_overrides")
    assert entries
    assert entries[-1].action == "override"


def test_going_on_site_needs_the_plan_approved_when_its_review_is_required(tmp_path):
    """五、5 and 六、4: a plan the dispatching office must review is approved before the visit
    (and names who approved it); the team's leader cannot override that office's approval."""
    from kit.interchange import demo_file, import_json

    store = Store(data_dir=tmp_path)
    iid = import_json(Door(store, Identity("张明")), demo_file())
    session = Session(Door(store, Identity("张明")), iid)
    session.set_many({"stage": "preparation", "plan/state": "submitted",
                      "plan/approved_by": "", "plan/approved_at": None})
    assert session.inspection.plan.review_required
    with pytest.raises(GateError) as info:
        session.advance("on_site")
    assert [p.code for p in info.value.blocking] == ["plan.not_approved"]
    assert "五、5" in info.value.problems[0].message
    with pytest.raises(GateError):
        session.advance("on_site", override="企业已在等候")  # only the office approves
    with pytest.raises(GateError):
        session.set("stage", "on_site")
    assert Session(Door(store, Identity("x")), iid).inspection.stage == "preparation"
    assert "on_site" not in session.inspection.gate_overrides
    # marked approved with nobody named: still blocked
    session.set("plan/state", "approved")
    with pytest.raises(GateError) as info:
        session.advance("on_site")
    assert [p.code for p in info.value.blocking] == ["plan.no_approver"]
    # approved by the dispatching office: it goes on site
    session.set_many({"plan/approved_by": "王处长", "plan/approved_at": "2026-11-13T15:30:00"})
    session.advance("on_site")
    assert session.inspection.stage == "on_site"


def test_a_plan_needing_no_review_does_not_hold_up_the_visit(tmp_path):
    from kit.interchange import demo_file, import_json

    store = Store(data_dir=tmp_path)
    iid = import_json(Door(store, Identity("张明")), demo_file())
    session = Session(Door(store, Identity("张明")), iid)
    session.set_many({"stage": "preparation", "plan/review_required": False,
                      "plan/state": "draft", "plan/approved_by": "", "plan/approved_at": None})
    session.advance("on_site")
    assert session.inspection.stage == "on_site"


def test_an_inability_to_inspect_lets_the_record_on_without_the_leaders_override(tmp_path):
    """六、8: the company kept the team from checking an item; recorded with its reason and
    noted by two inspectors, the record moves to 检查文书 by the rules, not by an override."""
    store, session, first = _leader_and_gap(tmp_path)
    with pytest.raises(ValidationError):  # noted by someone not on the team: refused
        session.set("inability/noted_by", ["M1", "M9"])
    session.set_many({"inability/recorded": True, "inability/reason": "企业以停产为由拒绝进入车间",
                      "inability/noted_by": ["M1"]})
    with pytest.raises(GateError) as info:
        session.advance("reporting")
    assert {p.code for p in info.value.blocking} == {"inability.needs_two", "result.unchecked"}
    session.set("inability/noted_by", ["M1", "M2"])
    session.advance("reporting")
    fresh = Session(Door(store, Identity("x")), session.id).inspection
    assert fresh.stage == "reporting"
    assert "reporting" not in fresh.gate_overrides  # no override was needed
    assert fresh.inability.noted_by == ("M1", "M2")
    assert fresh.result(first).result == "unchecked"
