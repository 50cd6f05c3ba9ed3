"""The one door: every read and write of a stored inspection under an identity, checked once.

Each promise is tried through the door's own API and through the ways in that lead to it (a
session, the JSON and workbook imports, the analysts' tables, the credit file, the class view,
the command line), as an attacker or a careless caller would.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date

import pytest

from kit.analytics import analysis_door, credit_file, load_tables
from kit.cli import main
from kit.door import (
    ANALYSTS,
    DELETE,
    LEADERS,
    TRAINERS,
    AccessError,
    Door,
    FieldConflictError,
    Identity,
)
from kit.errors import NotFoundError, ValidationError
from kit.interchange import export_json, import_json, import_workbook
from kit.record import Finding, Inspection, Member, new_inspection
from kit.session import Session
from kit.store import Store
from kit.workbook import write_workbook
from tests.workbook.helpers import edit


def hub(user: str, *groups: str) -> Identity:
    return Identity(user, frozenset(groups), hub=True)


ZHANG, LI, ZHAO, CHEN, WANG = (hub("zhangming"), hub("lihua"), hub("zhao"), hub("chen", LEADERS),
                               hub("wang", ANALYSTS))
TEAM_A = {"M1": Member("张明", "leader", user="zhangming"), "M2": Member("李华", user="lihua")}
TEAM_B = {"M1": Member("赵磊", "leader", user="zhao"), "M2": Member("孙悦", user="sun")}


@pytest.fixture
def store(any_store_url: str):
    with Store(any_store_url) as s:
        yield s


def two_teams(store: Store, demo: Inspection) -> tuple[str, str]:
    """Team A's inspection of the demo company and team B's of a confidential one."""
    admin = Door(store, Identity("admin"))
    a = admin.create(replace(demo, id="team-a", team=TEAM_A, attachments={}))
    secret = replace(demo.company, name="机密企业甲", credit_code="91110108MA01ABCD2X")
    b = admin.create(replace(demo, id="team-b", team=TEAM_B, company=secret, notices={},
                             attachments={}))
    return a, b


# -- reads under identity -------------------------------------------------------------------
def test_each_person_lists_and_opens_only_what_they_may_read(store, demo) -> None:
    a, b = two_teams(store, demo)
    assert [r["id"] for r in Door(store, LI).list(())] == [a]
    assert [r["id"] for r in Door(store, LI).find("")] == [a]
    assert Door(store, LI).find("机密") == []
    assert {r["id"] for r in Door(store, WANG).list(())} == {a, b}
    assert {r["id"] for r in Door(store, CHEN).find("")} == {a, b}
    assert Door(store, hub("nobody")).list(()) == []
    for way in (lambda d: d.open(b), lambda d: d.inspection(b), lambda d: d.document(b),
                lambda d: d.audit(b), lambda d: d.verify(b), lambda d: d.keys_ever(b, "findings"),
                lambda d: d.verify()):
        with pytest.raises(AccessError):
            way(Door(store, LI))
    assert Door(store, WANG).verify() == []


def test_the_analysts_tables_hold_only_what_the_person_may_read_filtered_in_the_query(
        store, demo, monkeypatch) -> None:
    a, b = two_teams(store, demo)
    asked = []
    real = Store.rows

    def rows(self, prefixes=(), *, where=()):
        asked.append(list(where))
        return real(self, prefixes, where=where)

    monkeypatch.setattr(Store, "rows", rows)
    mine = load_tables(Door(store, LI))
    assert mine.inspections["inspection_id"].tolist() == [a]
    assert set(mine.findings["inspection_id"]) == {a}
    assert asked[-1][-1].paths == ("team/*/user",)  # one more condition of the same query
    everything = load_tables(Door(store, WANG))
    assert set(everything.inspections["inspection_id"]) == {a, b}
    assert len(load_tables(Door(store, hub("nobody"))).inspections) == 0


def test_a_person_who_reads_nothing_is_told_why_and_sees_no_demo(store, demo) -> None:
    two_teams(store, demo)
    door, why = analysis_door(Door(store, hub("nobody")))
    assert "不在任何检查组" in why
    assert "nothing you may read" in why
    assert len(load_tables(door).inspections) == 0
    _door, note = analysis_door(Door(store, LI))
    assert "lihua" in note
    assert "teams" in note


def test_the_credit_file_and_an_export_show_only_what_the_person_may_read(
        store, demo, tmp_path) -> None:
    _a, b = two_teams(store, demo)
    door = Door(store, LI)
    inspections = [door.inspection(r["id"]) for r in door.list(())]
    companies = credit_file(inspections)["companies"]
    assert [c["name"] for c in companies] == [demo.company.name]
    with pytest.raises(AccessError):
        export_json(door, b, tmp_path / "b.json")
    assert not (tmp_path / "b.json").exists()


def test_evidence_is_given_only_for_an_inspection_that_names_it(store, demo) -> None:
    a, b = two_teams(store, demo)
    theirs = Session(Door(store, hub("sun")), b)
    key = theirs.attach("results/7.5.m4", "机密.png", demo_png())
    sha = theirs.inspection.attachments[key].sha256
    with pytest.raises(AccessError):
        Door(store, LI).evidence(b, sha)
    with pytest.raises(NotFoundError, match="no evidence"):
        Door(store, LI).evidence(a, sha)  # the same bytes asked for through her own record
    assert Door(store, WANG).evidence(b, sha)[0].startswith("image/")


def test_the_class_view_is_for_trainers(store) -> None:
    Door(store, hub("t1")).keep_answer("1-1-0", {"correct": True})
    Door(store, hub("t2")).keep_answer("1-1-0", {"correct": False})
    assert [r["user"] for r in Door(store, hub("t1")).answers("t1")] == ["t1"]
    with pytest.raises(AccessError):
        Door(store, hub("t1")).answers()
    with pytest.raises(AccessError):
        Door(store, hub("t1")).answers("t2")
    assert len(Door(store, hub("liu", TRAINERS)).answers()) == 2
    assert len(Door(store, Identity("本机")).answers()) == 2  # one machine: the owner's


# -- writes: access -------------------------------------------------------------------------
def test_changes_are_decided_on_the_team_as_it_is_when_written(store, demo) -> None:
    a, _b = two_teams(store, demo)
    lihua = Session(Door(store, LI), a)
    leader = Session(Door(store, ZHANG), a)
    leader.delete("team/M2")  # 李华 is taken off the team a moment ago
    with pytest.raises(AccessError):
        lihua.set("results/7.1.c1/notes", "从旧页面写入")  # her page still shows her on it
    assert Door(store, ZHANG).open(a).get("results/7.1.c1/notes") != "从旧页面写入"


def test_a_team_without_a_signed_in_leader_is_staffed_by_an_office_leader(store, demo) -> None:
    team = {"M1": Member("老组长", "leader"), "M2": Member("李华", user="lihua")}
    iid = Door(store, Identity("admin")).create(replace(demo, id="no-leader", team=team,
                                                         stage="on_site"))
    lihua = Session(Door(store, LI), iid)
    for path, value in (("opinion/conclusion", "无问题"), ("team/M3", {"name": "外人",
                        "user": "zhao"}), ("team/M2/role", "leader")):
        with pytest.raises(AccessError, match="科室负责人"):
            lihua.set(path, value)
    lihua.set("results/7.1.c1/notes", "组员照常记录")  # her own work goes on
    chief = Session(Door(store, CHEN), iid)
    chief.set("team/M1/role", "inspector")
    chief.set("team/M2/role", "leader")  # from now on 李华 leads, and no longer the office
    Session(Door(store, LI), iid).set("opinion/conclusion", "组长李华填写")
    with pytest.raises(AccessError):
        chief.set("team/M3", {"name": "外人", "user": "zhao"})


def test_nobody_is_recorded_as_signed_without_their_signature(store, demo) -> None:
    iid = Door(store, Identity("admin")).create(replace(
        demo, id="sign", team=TEAM_A, attachments={}, stage="on_site",
        signatures=replace(demo.signatures, company_signer="", inspector_signers=())))
    lihua = Session(Door(store, LI), iid)
    with pytest.raises(ValidationError) as info:
        lihua.set("signatures/inspector_signers", ["M1", "M2"])  # ticking the leader as signed
    assert {p.code for p in info.value.problems} == {"signatures.not_drawn"}
    with pytest.raises(ValidationError):
        lihua.set("signatures/company_signer", "陈示例")
    with pytest.raises(ValidationError):
        lihua.set("signatures/witness_signed", True)
    png = demo_png()
    lihua.attach("signatures/M2", "签名.png", png, signature=True)  # she signs herself
    assert lihua.inspection.signatures.inspector_signers == ("M2",)
    kept = lihua.inspection.attachments["A1"]
    assert (kept.signer, kept.by) == ("李华", "lihua")
    lihua.attach("signatures/company", "签名.png", png, signature=True, signer="陈示例")
    sig = lihua.inspection.signatures
    assert sig.company_signer == "陈示例"
    assert sig.company_signed_at is not None
    assert lihua.inspection.attachments["A2"].signer == "陈示例"  # drawn by, captured by lihua
    with pytest.raises(ValidationError):
        lihua.attach("signatures/witness", "签名.png", png, signature=True)  # no name given


def demo_png() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 150), (200, 40), (420, 160)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_on_the_office_server_a_person_starts_only_their_own_teams_inspection(store) -> None:
    with pytest.raises(AccessError):
        Door(store, LI).create(new_inspection())
    mine = replace(new_inspection(), team={"M1": Member("李华", "leader", user="lihua")})
    assert Door(store, LI).open(Door(store, LI).create(mine))
    Door(store, CHEN).create(new_inspection())  # an office leader staffs it later
    with pytest.raises(AccessError):
        Door(store, LI).import_evidence({"a" * 64: ("image/png", b"x")})


# -- writes: valid values -------------------------------------------------------------------
@pytest.mark.parametrize(("path", "value"), [
    ("findings/F1/handling", "no_such_handling"),
    ("findings/F1/item", "7.99.c1"),
    ("follow_up/measures", ["recheck", "no_such_measure"]),
    ("past_products/measures", ["destroy_everything"]),
    ("signatures/inspector_signers", ["M9"]),
    ("scope/sections", ["7.1", "7.15"]),
    ("results/9.9.c1/result", "conform"),
    ("results/7.1.c1/means", ["telepathy"]),
    ("team/M1/sections", ["八"]),
    ("notices/summons/number", "1"),
    ("background/notes/gossip", "x"),
    ("steps/6.11/done", True),
])
def test_an_unknown_code_is_refused_at_every_door_and_nothing_is_written(
        store, demo, tmp_path, path, value) -> None:
    iid = Door(store, Identity("admin")).create(replace(demo, id="codes"))
    before = len(store.audit(iid))
    with pytest.raises(ValidationError) as info:
        Session(Door(store, Identity("张明")), iid).set(path, value)
    assert info.value.problems[0].field == path
    assert info.value.problems[0].code == "record.unknown_code"
    # the same value in a JSON file: refused with its JSON path, nothing stored
    doc = Door(store).document(iid)
    node = doc
    *parents, last = path.split("/")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    doc["id"] = "codes-json"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        import_json(Door(store, Identity("admin")), bad)
    assert any(p.field == "/" + path and p.file == str(bad) for p in info.value.problems)
    assert [r["id"] for r in store.list(())] == [iid]
    assert len(store.audit(iid)) == before
    assert main(["import", str(bad)]) == 2  # the command: exit 2, a message, no traceback


def test_a_workbook_import_of_an_unknown_code_names_the_sheet_and_cell(store, demo,
                                                                        tmp_path) -> None:
    door = Door(store, Identity("张明"))
    iid = door.create(replace(demo, id="wb", stage="on_site", attachments={},
                              signatures=replace(demo.signatures, company_signer="")))
    book = write_workbook(door.inspection(iid), tmp_path / "r.xlsx", audit=door.audit(iid))
    edit(book, {"签字确认": {("企业签字人", 2): "陈冒名"}})  # a signer typed, nobody drew
    with pytest.raises(ValidationError) as info:
        import_workbook(door, book)
    (problem,) = info.value.problems
    assert (problem.code, problem.sheet) == ("signatures.not_drawn", "签字确认")
    assert problem.column  # the cell, such as B5
    assert door.inspection(iid).signatures.company_signer == ""


# -- no silent overwrite --------------------------------------------------------------------
def test_a_colleagues_save_while_a_workbook_is_checked_is_a_conflict_never_overwritten(
        store, demo, tmp_path, monkeypatch) -> None:
    door = Door(store, Identity("张明"))
    iid = door.create(replace(demo, id="race", stage="on_site"))
    book = write_workbook(door.inspection(iid), tmp_path / "r.xlsx", audit=door.audit(iid))
    edit(book, {"现场检查记录": {("七、1.检查内容（1）", 4): "工作簿中写的备注"}})
    import kit.workbook as reader  # what the import reads the workbook with

    real = reader.read_filled

    def checked_slowly(*args, **kwargs):
        changes = real(*args, **kwargs)  # meanwhile, a colleague saves the same field
        Session(Door(store, Identity("李华")), iid).set("results/7.1.c1/notes", "李华刚保存的")
        return changes

    monkeypatch.setattr(reader, "read_filled", checked_slowly)
    with pytest.raises(ValidationError) as info:
        import_workbook(door, book)
    (problem,) = info.value.problems
    assert problem.code == "workbook.conflict"
    assert "李华" in problem.message
    assert problem.sheet == "现场检查记录"
    assert problem.column
    assert door.inspection(iid).results["7.1.c1"].notes == "李华刚保存的"
    assert [e.action for e in store.audit(iid, "results/7.1.c1/notes")][-1] == "update"


def test_what_a_record_holds_after_any_writes_is_what_the_store_holds(store, demo) -> None:
    """600 random sets and deletes of leaves, entries and groups through two tabs: after each,
    each tab's copy (document, versions, model) equals a fresh read, or the write was a
    conflict and the tab re-read."""
    door = Door(store, Identity("张明"))
    iid = door.create(replace(demo, id="mirror", attachments={}))
    tabs = [Session(door, iid), Session(door.as_(Identity("李华")), iid)]
    rng = random.Random(7)
    paths = ["background/notes/licences", "background/notes/other", "background/notes",
             "results/7.1.c1/notes", "results/7.1.c1", "results/7.1.c2/result", "findings/F9",
             "findings/F9/description", "past_products/note", "company/products/P9/name",
             "company/products/P9", "company/products", "steps/6.4/note", "adjustments/J1"]
    values = {"results/7.1.c1": {"result": "conform", "notes": "整项"},
              "findings/F9": {"item": "7.1.c1", "description": "新问题"},
              "company/products/P9": {"name": "新产品"}, "adjustments/J1": {"description": "调整"},
              "background/notes": {"licences": "整组"}, "company/products": {},
              "results/7.1.c2/result": "nonconform"}
    for _ in range(600):
        tab = rng.choice(tabs)
        path = rng.choice(paths)
        try:
            if rng.random() < 0.4 and tab.get(path) is not None:
                tab.delete(path)
            else:
                tab.set(path, values.get(path, f"文字{rng.randrange(100)}"))
        except FieldConflictError:
            pass
        fresh = Session(door, iid)
        if tab.record.head == fresh.record.head:
            assert tab.record.doc == fresh.record.doc
            assert tab.record.versions == fresh.record.versions
            assert tab.inspection == fresh.inspection
    assert store.verify(iid) == []


def test_deleting_one_note_deletes_it_for_every_tab(store, demo) -> None:
    door = Door(store, Identity("张明"))
    iid = door.create(replace(demo, id="notes", attachments={}))
    tab, other = Session(door, iid), Session(door, iid)
    tab.delete("background/notes/licences")
    assert "licences" not in tab.record.doc["background"]["notes"]
    assert "licences" not in tab.inspection.background.notes
    assert "licences" not in Session(door, iid).inspection.background.notes
    other.refresh()
    assert "licences" not in other.inspection.background.notes
    assert store.audit(iid, "background/notes/licences")[-1].new is None


def test_the_door_refuses_a_write_from_someone_not_named(store) -> None:
    iid = Door(store, Identity("admin")).create(new_inspection())
    with pytest.raises(AccessError, match="enter your name"):
        Door(store).save(Door(store).open(iid), {"company/name": "无名氏"})


def test_an_import_through_the_door_of_a_copy_keeps_evidence_and_checks_codes(
        store, demo, tmp_path) -> None:
    door = Door(store, Identity("admin"))
    iid = door.create(replace(demo, id="src"), evidence=None)
    out = export_json(door, iid, tmp_path / "src.json")
    with Store(f"sqlite:///{tmp_path / 'other.sqlite'}") as other:
        assert import_json(Door(other, Identity("李华")), out) == "src"
    finding = Finding(item="7.1.c1", description="x", handling="no_such", deadline=date(2027, 1, 5))
    with pytest.raises(ValidationError):
        door.create(replace(demo, id="bad", findings={"F1": finding}))
    assert "bad" not in {r["id"] for r in door.list(())}
    door.save(door.open(iid), {"findings/F2": DELETE})  # F1 keeps review rounds: not removable


def test_who_runs_a_command_the_hub_sign_in_else_the_name_given_else_the_login(
        monkeypatch) -> None:
    from kit.door import login_name

    monkeypatch.setenv("JUPYTERHUB_USER", "wang.wu")
    monkeypatch.setenv("KIT_USER_GROUPS", "analysts")
    assert Identity.of_command("冒充") == Identity("wang.wu", frozenset({ANALYSTS}), hub=True)
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert Identity.of_command("张明") == Identity("张明")
    monkeypatch.setenv("KIT_USER", "李华")
    assert Identity.of_command() == Identity("李华")
    monkeypatch.delenv("KIT_USER")
    assert Identity.of_command() == Identity(login_name())
    assert login_name() != ""
    assert Identity.from_environment() is None  # the apps ask for a name first


# -- an issued notice is frozen ---------------------------------------------------------------
def test_an_issued_notice_cannot_be_changed_nor_its_evidence_removed(store, demo) -> None:
    """Once a notice's PDF is kept, its number, date, PDF, text and recorded service are
    refused with the field named, and so is removing the attachment holding its PDF; what
    happens after issuing (its service) is still recorded."""
    door = Door(store, Identity("张明"))
    iid = door.create(replace(demo, id="frozen", stage="reporting", notices={}))
    session = Session(door, iid)
    number = session.issue_notice("rectification", on=date(2026, 11, 20))
    notice = door.inspection(iid).notices["rectification"]
    assert notice.pdf
    assert notice.issued_text
    for path, value in (("notices/rectification/number", "京药监械整改〔2026〕999号"),
                        ("notices/rectification/issued_on", "2026-11-21"),
                        ("notices/rectification/issued_text", "{}"),
                        ("notices/rectification/pdf", DELETE),
                        ("notices/rectification", DELETE),
                        (f"attachments/{notice.pdf}", DELETE)):
        with pytest.raises(ValidationError, match=r"notices\.issued_frozen") as caught:
            door.save(door.open(iid), {path: value})
        fields = {p.field for p in caught.value.problems}
        assert path in fields or any(f.startswith(path) for f in fields), (path, fields)
    after = door.inspection(iid)
    assert after.notices["rectification"].number == number
    assert after.notices["rectification"].pdf in after.attachments
    session.serve_notice("rectification", on=date(2026, 11, 20), received_by="陈示例")
    assert door.inspection(iid).notices["rectification"].served_on == date(2026, 11, 20)
