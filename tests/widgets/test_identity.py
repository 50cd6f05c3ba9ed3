"""Who the apps record changes under, and who may open and change what (kit.access in the app)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kit.door import Door, Identity
from kit.interchange import demo_file, import_json
from kit.session import Session
from kit.store import Store
from kit.widgets import InspectorApp, fields_of

DEMO = demo_file()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(data_dir=tmp_path)


def sign_in(monkeypatch: pytest.MonkeyPatch, user: str, groups: str = "") -> None:
    """What the office server's spawner puts in a user's environment."""
    monkeypatch.setenv("JUPYTERHUB_USER", user)
    monkeypatch.setenv("KIT_USER_GROUPS", groups)


def by_path(widget, path: str):
    return next(f for f in fields_of(widget) if f.spec.path == path)


def test_on_one_machine_nothing_is_recorded_before_a_name_is_chosen(store):
    iid = import_json(Door(store, Identity("导入")), DEMO)
    app = InspectorApp(Door(store))
    assert app.identity is None
    assert app.name_form.layout.display == "flex"
    app.new_company.value = "北京某医疗"
    app._guard(app.create)
    assert "姓名" in app.message.value
    assert [r["id"] for r in store.list()] == [iid]  # nothing was created
    app.open_from_query(f"id={iid}&stage=checklist&section=7.2")
    assert app.session is None  # waits for the name
    app.guard.user = "王芳"  # what the page does with the name this browser remembers
    assert app.session is not None
    assert app.session.id == iid
    assert app.name_form.layout.display == "none"
    assert "王芳" in app.who.value
    rows = app.stage("checklist").current.rows
    assert rows.set("7.2.c1", "notes", "记录人：王芳") is None
    assert store.audit(iid, "results/7.2.c1/notes")[-1].user == "王芳"


def test_kit_serve_user_names_the_person(store, monkeypatch):
    monkeypatch.setenv("KIT_USER", "张三")
    app = InspectorApp(Door(store))
    assert app.user == "张三"
    assert "张三" in app.who.value
    app.choose_name("李四")  # on one machine the name can still be changed, and is remembered
    assert app.user == "李四"
    assert app.guard.user == "李四"


def test_signed_in_the_name_is_the_hubs_and_cannot_be_typed(store, monkeypatch):
    sign_in(monkeypatch, "zhangming")
    app = InspectorApp(Door(store))
    assert "已登录" in app.who.value
    assert "zhangming" in app.who.value
    assert app.name_form.layout.display == "none"
    app.guard.user = "王局长（冒名）"  # a name sent from the page is ignored
    assert app.user == "zhangming"
    iid = app.create()
    team = Session(Door(store, Identity("x")), iid).inspection.team
    assert [(m.user, m.role) for m in team.values()] == [("zhangming", "leader")]
    assert {e.user for e in store.audit(iid)} == {"zhangming"}


def test_an_outsider_gets_a_refusal_not_the_record(store, monkeypatch):
    sign_in(monkeypatch, "zhangming")
    mine = InspectorApp(Door(store)).create()
    sign_in(monkeypatch, "zhao")
    app = InspectorApp(Door(store))
    assert mine not in {v for _label, v in app.chooser.options}  # not even listed
    app.open_from_query(f"id={mine}")
    assert app.session is None
    assert "may not open" in app.message.value
    assert "检查组长" in app.message.value


def test_an_analyst_reads_with_every_field_greyed_out(store, monkeypatch):
    sign_in(monkeypatch, "zhangming")
    iid = InspectorApp(Door(store)).create()
    sign_in(monkeypatch, "wang", "analysts")
    app = InspectorApp(Door(store))
    assert iid in {v for _label, v in app.chooser.options}
    app.open_inspection(iid, stage="checklist")
    assert app.session is not None
    assert app.session.read_only
    assert "只读" in app.title.value
    rows = app.stage("checklist").current.rows
    assert rows.read_only  # every button and box of the rows is greyed out in the page
    why = rows.set("7.1.c1", "notes", "分析人员的修改")
    assert why is not None
    assert "read only" in why
    assert all(e.user == "zhangming" for e in store.audit(iid))


def test_only_the_leader_edits_the_team_panel(store, monkeypatch):
    sign_in(monkeypatch, "zhangming")
    app = InspectorApp(Door(store))
    iid = app.create()
    app.session.set("team/M2", {"name": "李华", "role": "inspector", "user": "lihua"})
    sign_in(monkeypatch, "lihua")
    member = InspectorApp(Door(store))
    member.open_inspection(iid, stage="preparation")
    prep = member.stage("preparation")
    prep.build(next(i for i, (title, _p) in enumerate(prep.PANELS) if "Team" in title))
    prep.build(0)  # the company
    team = [f for f in fields_of(prep) if f.spec.path.startswith("team/")]
    assert team
    assert all(f.control.disabled for f in team)
    assert not any(f.control.disabled for f in fields_of(prep)
                   if f.spec.path.startswith("company/"))
    member.session.set("company/name", "组员可以填写企业名称")
    assert store.audit(iid, "company/name")[-1].user == "lihua"


def test_the_team_sees_each_others_progress_without_reloading(store, monkeypatch):
    iid = import_json(Door(store, Identity("导入")), DEMO)
    Session(Door(store, Identity("x")), iid).set_many({f"results/{i}/result": "unchecked"
                                           for i in ("7.3.c1", "7.3.c2")})
    sign_in(monkeypatch, "zhangming")
    leader = InspectorApp(Door(store))
    leader.open_inspection(iid, stage="checklist")
    team = leader.stage("checklist").team
    assert team.selected_index == 0  # open for the leader
    def checked_73() -> int:
        row = next(r for r in team.table.value.split("<tr>") if "七、3." in r)
        assert "李华" in row  # who answers for it
        return int(re.search(r"(\d+)/\d+", row).group(1))

    before = checked_73()
    sign_in(monkeypatch, "lihua")
    member = InspectorApp(Door(store))
    member.open_inspection(iid, stage="checklist", section="7.3")
    assert member.stage("checklist").team.selected_index is None
    assert member.stage("checklist").current.rows.set("7.3.c1", "result", "conform") is None
    leader._polled = 0.0  # the next ping of the leader's page
    leader.poll()
    assert checked_73() == before + 1
    assert leader.session.get("results/7.3.c1/result") == "conform"
    assert [e.user for e in store.audit(iid, "results/7.3.c1")][-1] == "lihua"
