"""The page guard's kernel side, without a browser: kept texts saved or reported as conflicts."""

from __future__ import annotations

from typing import Any

import pytest

from kit.door import Door, Identity
from kit.interchange import import_json
from kit.session import Session
from kit.store import Store
from kit.widgets._common import vocab_options
from kit.widgets._guard import PageGuard, path_class
from tests.conftest import demo_file

PATH = "results/7.2.c1/notes"


@pytest.fixture
def guarded(tmp_path: Any) -> tuple[PageGuard, Session, list[dict[str, Any]]]:
    store = Store(data_dir=tmp_path)
    door = Door(store, Identity("张明"))
    session = Session(door, import_json(door, demo_file()))
    guard = PageGuard()
    sent: list[dict[str, Any]] = []
    guard.send = sent.append  # type: ignore[method-assign]
    guard.watch(session)
    return guard, session, sent


def test_a_kept_text_typed_over_the_stored_version_is_saved(guarded) -> None:
    guard, session, sent = guarded
    base = guard.versions.get(PATH)
    guard._message(guard, {"kind": "kept", "person": "张明", "items": [
        {"path": PATH, "value": "浏览器保存的文字", "base": base}]}, [])
    assert session.get(PATH) == "浏览器保存的文字"
    saved = [m for m in sent if m["kind"] == "saved" and m["path"] == PATH]
    assert saved[-1]["value"] == "浏览器保存的文字"
    assert sent[-1] == {"kind": "taken", "path": PATH, "kept": "浏览器保存的文字"}
    assert session.door.audit(session.id, PATH)[-1].user == "张明"


def test_the_persons_own_partial_saves_do_not_make_a_conflict(guarded) -> None:
    guard, session, _sent = guarded
    base = guard.versions.get(PATH)
    session.set(PATH, "浏览器保存的")  # the old page's kernel saved part of the typing
    guard._message(guard, {"kind": "kept", "person": "张明", "items": [
        {"path": PATH, "value": "浏览器保存的文字", "base": base}]}, [])
    assert session.get(PATH) == "浏览器保存的文字"


def test_someone_elses_change_makes_it_a_conflict_and_nothing_is_written(guarded) -> None:
    guard, session, sent = guarded
    base = guard.versions.get(PATH)
    other = Session(session.door.as_(Identity("李华")), session.id)
    other.set(PATH, "李华的记录")
    session.refresh()
    guard._message(guard, {"kind": "kept", "person": "张明", "items": [
        {"path": PATH, "value": "浏览器保存的文字", "base": base}]}, [])
    assert session.get(PATH) == "李华的记录"
    assert sent[-1] == {"kind": "conflict", "path": PATH}


def test_what_the_browser_kept_for_another_person_is_never_saved_under_this_one(
        guarded) -> None:
    """A shared tablet: 李华 typed, then 张明 signed in on the same browser. The page keeps
    drafts per person; were 李华's ever sent, the kernel of 张明's page still refuses them."""
    guard, session, sent = guarded
    before = session.get(PATH)
    guard._message(guard, {"kind": "kept", "person": "李华", "items": [
        {"path": PATH, "value": "李华在这台平板上的输入", "base": guard.versions.get(PATH)}]}, [])
    guard._message(guard, {"kind": "kept", "items": [
        {"path": PATH, "value": "没有署名的输入", "base": guard.versions.get(PATH)}]}, [])
    assert session.get(PATH) == before
    # nothing written there since the record was imported (an empty note is no row at all)
    assert {e.action for e in session.door.audit(session.id, PATH)} <= {"import"}
    assert sent == []
    assert guard.person == "张明"  # what this page keeps from now on is 张明's


def test_a_flush_saves_the_latest_text_the_page_sends(guarded) -> None:
    guard, session, _sent = guarded
    guard._message(guard, {"kind": "flush", "values": {PATH: "离开页面前的最后输入", 7: "x"}}, [])
    assert session.get(PATH) == "离开页面前的最后输入"


def test_fields_are_found_by_their_path_class() -> None:
    assert path_class("results/7.2.c1/notes") == "kp:results/7.2.c1/notes"


# -- taps kept as their field shows them (a drop-down's label, a date's text, a tick) -----------
def _field(session: Session, path: str, kind: str, options: tuple = ()) -> Any:
    from kit.widgets._fields import BoundField, FieldSpec

    return BoundField(session, FieldSpec(path, "标签", kind, options=options))


def _kept(guard: PageGuard, session: Session, path: str, shown: Any) -> None:
    guard._message(guard, {"kind": "kept", "person": session.user, "items": [
        {"path": path, "value": {"shown": shown}, "base": guard.versions.get(path)}]}, [])


def test_a_kept_tap_on_a_drop_down_is_saved_as_the_choice_its_label_names(guarded) -> None:
    guard, session, sent = guarded
    options = vocab_options("roles")
    label, value = next((lab, v) for lab, v in options if v != session.get("company/role"))
    field = _field(session, "company/role", "choice", options)
    _kept(guard, session, "company/role", label)
    assert session.get("company/role") == value
    assert field.control.value == value  # the field shows it, as a tap would have
    assert sent[-1] == {"kind": "taken", "path": "company/role", "kept": {"shown": label}}
    saved = [m for m in sent if m["kind"] == "saved" and m["path"] == "company/role"]
    assert saved[-1]["shown"] == label  # the page knows its kept tap is in


def test_a_kept_date_typed_in_any_form_is_saved_as_a_date(guarded) -> None:
    guard, session, _sent = guarded
    _field(session, "scope/end_date", "date")
    _kept(guard, session, "scope/end_date", "2026年11月21日")
    assert session.get("scope/end_date") == "2026-11-21"


def test_a_kept_tap_naming_no_choice_is_said_and_nothing_is_written(guarded) -> None:
    guard, session, sent = guarded
    before = session.get("company/role")
    _field(session, "company/role", "choice", vocab_options("roles"))
    _kept(guard, session, "company/role", "<b>伪造</b>")
    assert session.get("company/role") == before
    assert sent[-1]["kind"] == "conflict"
    assert "伪造" in sent[-1]["message"]


def test_a_kept_tap_whose_field_is_not_shown_yet_waits(guarded) -> None:
    """After a reload the stage with the field may not be built yet: the tap stays kept in the
    browser (nothing said, nothing written) until the field is on the page."""
    guard, session, sent = guarded
    before = session.get("company/role")
    _kept(guard, session, "company/role", vocab_options("roles")[-1][0])
    assert session.get("company/role") == before
    assert sent == []


def test_a_kept_change_that_breaks_never_holds_up_the_others(guarded) -> None:
    """The browser sends everything it keeps in one message, in no set order: one change the
    kernel cannot take (here a field that fails) is said, and the others are saved."""
    from kit.widgets._guard import show_field

    guard, session, sent = guarded

    class Broken:
        def kept(self, shown: Any) -> Any:
            raise RuntimeError("broken field")

    broken = Broken()
    show_field(session, "company/role", broken)
    guard._message(guard, {"kind": "kept", "person": "张明", "items": [
        {"path": "company/role", "value": {"shown": "x"}, "base": None},
        {"path": PATH, "value": "之后的文字", "base": guard.versions.get(PATH)}]}, [])
    assert session.get(PATH) == "之后的文字"
    said = next(m for m in sent if m["path"] == "company/role")
    assert said["kind"] == "conflict"
    assert "broken field" in said["message"]


def test_a_kept_tap_on_a_stage_not_built_has_it_built_then_is_saved(guarded) -> None:
    """After a reload the page opens another stage: the app builds the one that shows the
    kept tap's field, and the tap is saved."""
    guard, session, sent = guarded
    options = vocab_options("roles")
    label, value = next((lab, v) for lab, v in options if v != session.get("company/role"))
    built: list[Any] = []

    def build(paths: list[str]) -> None:
        assert paths == ["company/role"]
        built.append(_field(session, "company/role", "choice", options))

    guard.on_unshown = build
    _kept(guard, session, "company/role", label)
    assert session.get("company/role") == value
    assert sent[-1] == {"kind": "taken", "path": "company/role", "kept": {"shown": label}}
