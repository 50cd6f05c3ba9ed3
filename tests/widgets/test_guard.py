"""The page guard's kernel side, without a browser: kept texts saved or reported as conflicts."""

from __future__ import annotations

from typing import Any

import pytest

from kit.door import Door, Identity
from kit.interchange import import_json
from kit.session import Session
from kit.store import Store
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
    assert sent[-1]["kind"] == "saved"
    assert sent[-1]["value"] == "浏览器保存的文字"
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
    assert [e.action for e in session.door.audit(session.id, PATH)] == ["import"]
    assert sent == []
    assert guard.person == "张明"  # what this page keeps from now on is 张明's


def test_a_flush_saves_the_latest_text_the_page_sends(guarded) -> None:
    guard, session, _sent = guarded
    guard._message(guard, {"kind": "flush", "values": {PATH: "离开页面前的最后输入", 7: "x"}}, [])
    assert session.get(PATH) == "离开页面前的最后输入"


def test_fields_are_found_by_their_path_class() -> None:
    assert path_class("results/7.2.c1/notes") == "kp:results/7.2.c1/notes"
