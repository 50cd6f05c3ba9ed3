"""The inspection store (kit.store): rows per field, versions, conflicts, audit trail."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import platformdirs
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.errors import ConflictError, KitError, NotFoundError, ValidationError
from kit.store import (
    DELETE,
    FieldConflictError,
    Store,
    flatten,
    unflatten,
)
from kit.store.migrate import HEAD_REVISION

DOC: dict[str, Any] = {
    "company": {"name": "北京某医疗器械有限公司", "credit_code": "91350100M000100Y43"},
    "inspection": {"type": "监督检查", "start_date": "2026-11-20", "flight": False},
    "results": {
        "7.8.m4": {"result": "符合", "notes": "", "means": ["查阅文件"], "evidence": []},
        "7.8.c2": {"result": None, "notes": "抽查 3 批", "means": [], "evidence": ["照片1"]},
    },
    "findings": {},
    "team": {"组长": {"name": "张三", "years": 12, "score": 4.5}},
}


@pytest.fixture
def store(any_store_url: str) -> Iterator[Store]:
    """A new store, once on SQLite and once on PostgreSQL."""
    with Store(any_store_url) as s:
        yield s


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A new store in a SQLite file, for what only SQLite has (pragmas, file locks)."""
    with Store(data_dir=tmp_path) as s:
        yield s


def url_of(store: Store) -> str:
    return store.url.render_as_string(hide_password=False)


def raw(store: Store) -> Any:
    """Another DBAPI connection to the store's database, as someone outside the kit would."""
    return sa.create_engine(url_of(store), poolclass=sa.NullPool).raw_connection()


def trail(store: Store, iid: str) -> list[tuple[Any, ...]]:
    return [(e.user, e.action, e.path, e.old, e.new) for e in store.audit(iid)]


# -- documents as rows -------------------------------------------------------------------------
def test_flatten_gives_one_row_per_leaf() -> None:
    flat = flatten({"results": {"7.8.m4": {"result": "符合", "means": ["查阅文件"]}}, "f": {}})
    assert flat == {"results/7.8.m4/result": "符合", "results/7.8.m4/means": ["查阅文件"], "f": {}}
    assert unflatten(flat) == {
        "results": {"7.8.m4": {"result": "符合", "means": ["查阅文件"]}},
        "f": {},
    }


def test_a_slash_in_a_key_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError) as info:
        flatten({"results": {"7.8/m4": {"result": "符合"}, "": 1}})
    assert {(p.code, p.field) for p in info.value.problems} == {
        ("store.bad_key", "results"),
    }
    assert len(info.value.problems) == 2
    assert "'/'" in str(info.value)
    with pytest.raises(ValidationError):
        store.create({"a/b": 1}, user="张三")
    assert store.list() == []
    iid = store.create(DOC, user="张三")
    record = store.load(iid)
    with pytest.raises(ValidationError):
        store.save(record, {"findings/F1": {"text/2": "x"}}, user="张三")
    with pytest.raises(ValidationError):
        store.save(record, {"findings//F1": "x"}, user="张三")
    assert len(store.audit(iid)) == len(flatten(DOC)) + 1


def test_unflatten_refuses_a_path_that_is_both_value_and_group() -> None:
    for paths in ({"a": 1, "a/b": 2}, {"a/b": 2, "a": 1}, {"a": {}, "a/b": 1}, {"a": {"b": 1}}):
        with pytest.raises(ValidationError):
            unflatten(paths)


keys = st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
leaves: st.SearchStrategy[Any] = scalars | st.lists(scalars, max_size=3) | st.just({})
documents = st.recursive(
    st.dictionaries(keys, leaves, max_size=4),
    lambda children: st.dictionaries(keys, children | leaves, min_size=1, max_size=4),
    max_leaves=20,
)


@given(documents)
def test_unflatten_inverts_flatten(doc: dict[str, Any]) -> None:
    flat = flatten(doc)
    assert unflatten(flat) == doc
    assert flatten(unflatten(flat)) == flat


@settings(max_examples=30, deadline=None)
@given(documents)
def test_any_document_comes_back_from_the_store(doc: dict[str, Any]) -> None:
    with Store("sqlite://") as store:
        assert store.load(store.create(doc, user="t")).doc == doc


# -- create, load, set ---------------------------------------------------------------------
def test_create_and_load(store: Store) -> None:
    iid = store.create(DOC, user="张三")
    record = store.load(iid)
    assert record.doc == DOC
    assert record.id == iid
    assert record.created_by == "张三"
    assert set(record.versions) == set(flatten(DOC))
    assert record.get("results/7.8.m4/means") == ["查阅文件"]
    with pytest.raises(ConflictError):
        store.create(DOC, user="张三", inspection_id=iid)
    assert (
        store.create({}, user="李四", inspection_id="imported-1", action="import") == "imported-1"
    )
    assert store.load("imported-1").doc == {}


def test_set_saves_at_once_and_bumps_the_version(store: Store) -> None:
    iid = store.create(DOC, user="张三")
    record = store.load(iid)
    before = record.versions["results/7.8.m4/notes"]
    store.save(record, {"results/7.8.m4/notes": "已核对"}, user="李四")
    assert record.versions["results/7.8.m4/notes"] > before
    assert record.doc["results"]["7.8.m4"]["notes"] == "已核对"
    assert store.load(iid).doc == record.doc  # what the next tab sees
    entries = len(store.audit(iid))
    version = record.versions["results/7.8.m4/notes"]
    store.save(record, {"results/7.8.m4/notes": "已核对"}, user="李四")  # the same value again
    assert len(store.audit(iid)) == entries
    assert record.versions["results/7.8.m4/notes"] == version


def test_a_dict_replaces_the_subtree(store: Store) -> None:
    iid = store.create(DOC, user="张三")
    record = store.load(iid)
    store.save(record, {"findings/F1": {"text": "未验证", "grade": 2}}, user="张三")
    store.save(record, {"findings/F1": {"text": "未验证灭菌过程"}}, user="张三")
    assert store.load(iid).doc["findings"] == {"F1": {"text": "未验证灭菌过程"}}
    assert record.doc == store.load(iid).doc
    assert store.load(iid).versions == record.versions


def test_values_must_be_json(store: Store) -> None:
    record = store.load(store.create(DOC, user="张三"))
    for bad in (float("nan"), {1, 2}, [float("inf")], object()):
        with pytest.raises(ValidationError):
            store.save(record, {"company/name": bad}, user="张三")
    with pytest.raises(ValidationError, match="company/name"):
        store.save(record, {"company/name/short": "某公司"}, user="张三")  # below a value
    assert store.load(record.id).doc == DOC


def test_a_user_is_required_on_every_write(store: Store) -> None:
    with pytest.raises(KitError):
        store.create(DOC, user="  ")
    record = store.load(store.create(DOC, user="张三"))
    with pytest.raises(KitError):
        store.save(record, {"company/name": "x"}, user="")
    with pytest.raises(KitError):
        store.delete(record.id, user="")


# -- two tabs ------------------------------------------------------------------------------
def test_the_later_of_two_tabs_on_one_field_gets_a_conflict(store: Store) -> None:
    iid = store.create(DOC, user="张三")
    tab1, tab2 = store.load(iid), store.load(iid)
    store.save(tab1, {"results/7.8.m4/result": "不符合"}, user="张三")
    store.save(tab2, {"results/7.8.c2/notes": "另一个字段"}, user="李四")  # other fields are fine
    with pytest.raises(FieldConflictError) as info:
        store.save(tab2, {"results/7.8.m4/result": "不适用"}, user="李四")
    message = str(info.value)
    assert "results/7.8.m4/result" in message
    assert "张三" in message
    assert "不符合" in message
    assert message.index("已被") < message.index("was changed by")  # Chinese first
    conflict = info.value.conflicts[0]
    assert conflict.current == "不符合"
    assert conflict.changed_by == "张三"
    assert store.load(iid).doc["results"]["7.8.m4"]["result"] == "不符合"  # nothing written
    assert tab2.doc["results"]["7.8.m4"]["result"] == "符合"
    store.reload(tab2)
    assert tab2.doc["results"]["7.8.m4"]["result"] == "不符合"
    store.save(tab2, {"results/7.8.m4/result": "不适用"}, user="李四")
    assert store.load(iid).doc["results"]["7.8.m4"]["result"] == "不适用"


def test_two_tabs_add_entries_to_one_collection(store: Store) -> None:
    iid = store.create(DOC, user="张三")
    tab1, tab2 = store.load(iid), store.load(iid)
    store.save(tab1, {"findings/F1": {"text": "甲"}}, user="张三")
    store.save(tab2, {"findings/F2": {"text": "乙"}}, user="李四")  # tab 2 never saw F1
    assert store.load(iid).doc["findings"] == {"F1": {"text": "甲"}, "F2": {"text": "乙"}}
    with pytest.raises(FieldConflictError, match="findings/F1/text"):
        store.save(tab2, {"findings/F1": {"text": "丙"}}, user="李四")  # an id taken meanwhile


def test_delete_a_subtree(store: Store) -> None:
    iid = store.create(DOC, user="张三")
    tab1 = store.load(iid)
    store.save(tab1, {"findings/F1": {"text": "甲", "grade": 2}}, user="张三")
    tab2 = store.load(iid)
    store.save(tab1, {"findings/F1": DELETE}, user="张三", action="delete")
    assert store.load(iid).doc["findings"] == {} == tab1.doc["findings"]
    assert store.load(iid).versions == tab1.versions
    deleted = [(e.path, e.old) for e in store.audit(iid) if e.action == "delete"]
    assert set(deleted) >= {("findings/F1/text", "甲"), ("findings/F1/grade", 2)}
    with pytest.raises(FieldConflictError, match="删除"):
        store.save(tab2, {"findings/F1/text": "乙"}, user="李四")  # deleted since tab 2 read it
    entries = len(store.audit(iid))
    assert store.save(tab1, {"findings/F9": DELETE}, user="张三", action="delete") == []
    assert len(store.audit(iid)) == entries  # nothing there, nothing removed, no entry


def test_a_delete_never_removes_what_the_tab_has_not_seen(store: Store) -> None:
    iid = store.create(DOC, user="张三")
    tab1 = store.load(iid)
    store.save(tab1, {"findings/F1": {"text": "甲"}}, user="张三")
    tab2 = store.load(iid)
    store.save(tab1, {"findings/F1/photo": "p.jpg"}, user="张三")
    with pytest.raises(FieldConflictError, match="findings/F1/photo"):
        store.save(tab2, {"findings/F1": DELETE}, user="李四", action="delete")
    assert store.load(iid).doc["findings"]["F1"] == {"text": "甲", "photo": "p.jpg"}


def test_set_many_is_all_or_nothing(store: Store) -> None:
    iid = store.create(DOC, user="张三")
    tab = store.load(iid)
    store.save(store.load(iid), {"company/name": "新名称"}, user="李四")
    changes = {"inspection/type": "有因检查", "company/name": "旧表里的名称"}
    with pytest.raises(FieldConflictError):
        store.write(iid, changes, user="张三", expected=tab.versions)
    assert store.load(iid).doc["inspection"]["type"] == "监督检查"
    with pytest.raises(ValidationError):
        store.write(iid, {"inspection/type": "有因检查", "company/name/x": 1}, user="张三",
                    expected=None)
    assert store.load(iid).doc["inspection"]["type"] == "监督检查"
    store.write(iid, {**changes, "findings": DELETE}, user="导入", action="import",
                expected=None)
    doc = store.load(iid).doc
    assert doc["company"]["name"] == "旧表里的名称"
    assert "findings" not in doc
    assert {e.action for e in store.audit(iid)[-3:]} == {"import"}


# -- the audit trail -----------------------------------------------------------------------
def test_the_audit_trail_says_who_when_what(store: Store) -> None:
    iid = store.create({"company": {"name": "甲"}}, user="张三")
    record = store.load(iid)
    store.save(record, {"company/name": "乙"}, user="李四")
    store.save(record, {"findings/F1": {"text": "问题"}}, user="李四")
    store.save(record, {"findings/F1": DELETE}, user="王五", action="delete")
    store.delete(iid, user="王五")
    store.restore(iid, user="张三")
    assert trail(store, iid) == [
        ("张三", "create", None, None, None),
        ("张三", "create", "company/name", None, "甲"),
        ("李四", "update", "company/name", "甲", "乙"),
        ("李四", "update", "findings/F1/text", None, "问题"),
        ("王五", "delete", "findings/F1/text", "问题", None),
        ("王五", "delete", "findings", None, {}),
        ("王五", "delete", None, None, None),
        ("张三", "restore", None, None, None),
    ]
    entries = store.audit(iid)
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    assert all(e.at.tzinfo == UTC for e in entries)
    db = raw(store)
    cur = db.cursor()
    cur.execute("SELECT at FROM audit LIMIT 1")
    raw_at = cur.fetchone()[0]
    db.close()
    assert raw_at.endswith("Z")  # UTC, to the microsecond
    assert len(raw_at.split(".")[1]) == 6 + 1
    assert [e.new for e in store.audit(iid, "company")] == ["甲", "乙"]


def test_the_audit_trail_replays_to_the_document(store: Store) -> None:
    iid = store.create(DOC, user="张三")
    tab1, tab2 = store.load(iid), store.load(iid)
    store.save(tab1, {"findings/F1": {"text": "甲", "grade": 2}}, user="张三")
    store.save(tab2, {"results/7.8.m4": {"result": "不符合"}}, user="李四")
    store.save(tab1, {"findings/F1/grade": 3}, user="张三")
    store.save(tab1, {"findings/F1": DELETE}, user="张三", action="delete")
    store.save(tab2, {"team/组长/name": "赵六", "inspection/flight": True}, user="李四")
    flat: dict[str, Any] = {}
    for e in store.audit(iid):
        if e.path is None:
            continue
        assert flat.get(e.path) == e.old  # nothing changed without a trace
        if e.new_json is None:
            del flat[e.path]
        else:
            flat[e.path] = e.new
    assert unflatten(flat) == store.load(iid).doc


def test_the_database_refuses_to_change_the_audit_trail(store: Store) -> None:
    iid = store.create(DOC, user="张三")
    db = raw(store)
    for sql in ("UPDATE audit SET \"user\" = 'x'", "DELETE FROM audit", "DELETE FROM inspections",
                "UPDATE inspections SET created_by = 'x'"):
        with pytest.raises(store._dbapi.Error) as refused:
            db.cursor().execute(sql)
        assert "append-only" in str(refused.value) or "marked deleted" in str(refused.value) \
            or "is fixed" in str(refused.value)
        db.rollback()
    db.close()
    assert len(store.audit(iid)) == len(flatten(DOC)) + 1
    assert store.verify(iid) == []


# -- whole inspections ---------------------------------------------------------------------
def test_soft_delete_list_and_not_found(store: Store) -> None:
    first = store.create(DOC, user="张三")
    second = store.create({"company": {"name": "乙公司"}}, user="李四")
    listed = store.list()
    assert [i["id"] for i in listed] == [second, first]  # most recently changed first
    assert listed[1]["company/name"] == DOC["company"]["name"]
    assert store.list(("inspection/type",))[1]["inspection/type"] == "监督检查"
    assert store.list(("inspection/type",))[0]["inspection/type"] is None
    assert listed[1].keys() >= {"created_at", "created_by", "updated_at"}
    assert store.list(("team/组长/name",))[1]["team/组长/name"] == "张三"
    open_tab = store.load(first)
    store.delete(first, user="张三")
    assert [i["id"] for i in store.list()] == [second]
    with pytest.raises(NotFoundError, match="已删除"):
        store.save(open_tab, {"company/name": "删除后的修改"}, user="李四")
    assert store.list(include_deleted=True)[0]["deleted"]
    with pytest.raises(NotFoundError, match="已删除"):
        store.load(first)
    store.restore(first, user="张三")
    assert store.load(first).doc == DOC
    for call in (
        lambda: store.load("no-such-id"),
        lambda: store.audit("no-such-id"),
        lambda: store.delete("no-such-id", user="张三"),
        lambda: store.write("no-such-id", {"a": 1}, user="张三", expected={}),
    ):
        with pytest.raises(NotFoundError, match="no-such-id"):
            call()


# -- where the database is -----------------------------------------------------------------
def test_where_the_database_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIT_DB_URL", raising=False)
    monkeypatch.delenv("KIT_DATA_DIR", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "home"))
    with Store() as s:
        assert s.path == tmp_path / "home" / "kit.sqlite"
    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path / "env-dir"))
    with Store() as s:
        assert s.path == tmp_path / "env-dir" / "kit.sqlite"
    monkeypatch.setenv("KIT_DB_URL", f"sqlite:///{tmp_path / 'env-url.sqlite'}")
    with Store() as s:
        assert s.path == tmp_path / "env-url.sqlite"
    with Store(data_dir=tmp_path / "arg-dir") as s:
        assert s.path == tmp_path / "arg-dir" / "kit.sqlite"
    with Store(f"sqlite:///{tmp_path / 'arg.sqlite'}") as s:
        assert s.path == tmp_path / "arg.sqlite"
    with pytest.raises(KitError):
        Store("sqlite://", data_dir=tmp_path)


def test_sqlite_settings(sqlite_store: Store) -> None:
    db = sqlite_store._conn
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]


def test_a_busy_database_is_waited_for(sqlite_store: Store) -> None:
    """A save that finds another kernel writing waits for it (busy_timeout), then lands.

    Ordered by events, not by the clock: the save is seen to ask for the lock (its ``BEGIN
    IMMEDIATE`` begins) while the other connection holds it, and half a second later it has
    not ended. A waiting save cannot end before the other commits (or its own 5 s busy_timeout
    runs out), so no machine is too slow for this; one that does not wait fails at once."""
    store = sqlite_store
    assert store.path is not None
    record = store.load(store.create(DOC, user="张三"))
    other = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another kernel in the middle of a write
    asked, ended = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def traced(statement: str) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            asked.set()

    def save() -> None:
        try:
            store.save(record, {"company/name": "等待后保存"}, user="张三")
        except BaseException as exc:  # reported by the test's thread below
            failed.append(exc)
        finally:
            ended.set()

    store._conn.set_trace_callback(traced)
    saver = threading.Thread(target=save)
    try:
        saver.start()
        assert asked.wait(120)  # the save began its write while the lock is held
        assert not ended.wait(0.5)  # and waits: neither done nor refused as busy
    finally:
        other.execute("COMMIT")
        saver.join(120)
        store._conn.set_trace_callback(None)
        other.close()
    assert not saver.is_alive()
    assert failed == []
    assert store.load(record.id).doc["company"]["name"] == "等待后保存"


# -- other processes -----------------------------------------------------------------------
WRITER = textwrap.dedent(
    """
    import pathlib, sys, time
    from kit.errors import ConflictError
    from kit.store import Store
    url, iid, sync, user, *paths = sys.argv[1:]
    store = Store(url)
    record = store.load(iid)
    pathlib.Path(sync, user).touch()
    while not pathlib.Path(sync, "go").exists():
        time.sleep(0.001)
    for k in range(20):
        for path in paths:
            try:
                store.save(record, {path: f"{user} {k}"}, user=user)
            except ConflictError:
                print("conflict", path, flush=True)
                sys.exit(0)
    print("ok", flush=True)
    """
)


def run_writers(store: Store, iid: str, tmp_path: Path, jobs: dict[str, list[str]]) -> list[str]:
    """Start one process per user, let them all load, then let them write at once."""
    sync = tmp_path / "sync"
    sync.mkdir()
    url = url_of(store)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, iid, str(sync), user, *paths],
            stdout=subprocess.PIPE,
            text=True,
        )
        for user, paths in jobs.items()
    ]
    deadline = time.monotonic() + 120  # a wait for them to start, not a budget
    while not all((sync / user).exists() for user in jobs) and time.monotonic() < deadline:
        time.sleep(0.01)
    (sync / "go").touch()
    return [p.communicate(timeout=120)[0].strip() for p in procs]


def test_two_processes_edit_different_fields(store: Store, tmp_path: Path) -> None:
    iid = store.create(DOC, user="张三")
    jobs = {"p1": ["results/7.8.m4/notes", "findings/A"], "p2": ["results/7.8.c2/notes"]}
    assert run_writers(store, iid, tmp_path, jobs) == ["ok", "ok"]
    doc = store.load(iid).doc
    assert doc["results"]["7.8.m4"]["notes"] == "p1 19" == doc["findings"]["A"]
    assert doc["results"]["7.8.c2"]["notes"] == "p2 19"
    assert sum(e.user in jobs for e in store.audit(iid)) == 3 * 20 + 1  # + the {} marker


def test_two_processes_edit_the_same_field(store: Store, tmp_path: Path) -> None:
    iid = store.create(DOC, user="张三")
    jobs = {"p1": ["company/name"], "p2": ["company/name"]}
    outcomes = run_writers(store, iid, tmp_path, jobs)
    assert sorted(outcomes) == ["conflict company/name", "ok"]
    winner = "p1" if outcomes[0] == "ok" else "p2"
    assert store.load(iid).doc["company"]["name"] == f"{winner} 19"
    assert {e.user for e in store.audit(iid, "company/name")} == {"张三", winner}


KILLED = textwrap.dedent(
    """
    import sys
    from kit.store import Store
    store = Store(sys.argv[1])
    record = store.load(sys.argv[2])
    for k in range(100000):
        store.save(record, {f"log/{k}": {"k": k, "text": "第" + str(k) + "条"}}, user="记录员")
        print(k, flush=True)
    """
)


def test_a_killed_process_loses_nothing_committed(store: Store) -> None:
    iid = store.create({"log": {}}, user="张三")
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, url_of(store), iid],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    saved = [int(proc.stdout.readline()) for _ in range(40)]
    os.kill(proc.pid, signal.SIGKILL)
    saved += [int(line) for line in proc.stdout.read().split()]
    proc.wait()
    doc = store.load(iid).doc
    assert all(doc["log"][str(k)] == {"k": k, "text": f"第{k}条"} for k in saved)
    assert len(doc["log"]) in (len(saved), len(saved) + 1)  # at most one unreported write
    if store.is_sqlite:
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.verify(iid) == []
    written = {e.path for e in store.audit(iid) if e.user == "记录员" and e.new is not None}
    assert written == set(flatten(doc)) - {"log"}  # every row has its audit entry


def test_stored_values_are_plain_json(store: Store) -> None:
    iid = store.create(DOC, user="张三")
    db = raw(store)
    cur = db.cursor()
    cur.execute("SELECT f.path, f.value FROM fields f JOIN inspections i ON i.key = f.ins "
                f"WHERE i.id = '{iid}'")
    assert {p: json.loads(v) for p, v in cur.fetchall()} == flatten(DOC)


def test_two_tabs_creating_the_same_entry_do_not_both_think_it_theirs(store: Store) -> None:
    iid = store.create({"findings": {}}, user="a")
    first, second = store.load(iid), store.load(iid)
    store.save(first, {"findings/F1/description": ""}, user="a")
    with pytest.raises(ConflictError):
        store.save(second, {"findings/F1/description": ""}, user="b")
    assert [e.user for e in store.audit(iid, "findings/F1")] == ["a"]


def test_the_listing_names_who_is_on_the_team(store: Store) -> None:
    iid = store.create({"team": {"M1": {"name": "张三", "user": "zhangsan"}}}, user="zhangsan")
    assert store.list()[0]["team_users"] == ["zhangsan"]
    record = store.load(iid)
    store.save(record, {"team/M2": {"name": "李四", "user": "lisi"}}, user="zhangsan")
    assert store.list()[0]["team_users"] == ["lisi", "zhangsan"]
    store.save(record, {"team/M1": DELETE}, user="zhangsan", action="delete")
    assert store.list()[0]["team_users"] == ["lisi"]
    assert store.create({"company": {"name": "乙"}}, user="x") in {
        i["id"] for i in store.list() if i["team_users"] == []}
    assert store.verify() == []  # the kept list follows the trail


def test_find_gives_the_most_recent_page_or_what_the_search_names(store: Store) -> None:
    ids = [store.create({"company": {"name": f"北京第{k}医疗器械有限公司"},
                         "scope": {"start_date": f"2026-03-{k + 1:02d}"},
                         "team": {"M1": {"name": "甲", "user": "lihua" if k % 2 else "zm"}}},
                        user="u") for k in range(12)]
    store.save(store.load(ids[3]), {"stage": "on_site"}, user="u")  # changed last: first
    assert [r["id"] for r in store.find(limit=3)] == [ids[3], ids[11], ids[10]]
    assert [r["company/name"] for r in store.find("第7医疗")] == ["北京第7医疗器械有限公司"]
    assert {r["id"] for r in store.find("2026-03-1")} == set(ids[9:12])  # dates too
    assert {r["id"] for r in store.find(ids[5])} == {ids[5]}
    # a member finds their team's inspections only: one nobody has signed into yet is the
    # office leaders' to staff, and its company is no one else's to see
    lonely = store.create({"company": {"name": "北京无人公司"}}, user="u")
    mine = {r["id"] for r in store.find(member="lihua")}
    assert mine == {ids[k] for k in range(1, 12, 2)}
    assert lonely not in {r["id"] for r in store.list(member="lihua")}
    assert lonely in {r["id"] for r in store.find()}
    assert store.find("LIHUA")  # people are found, case aside
    # the words of the summary's keys are not what anyone searches for
    assert store.find("company") == []
    assert store.find("scope/type") == []
    # LIKE's own characters are plain text
    odd = store.create({"company": {"name": "北京_50%折扣\\公司"}}, user="u")
    assert [r["id"] for r in store.find("_50%")] == [odd]
    assert [r["id"] for r in store.find("%")] == [odd]
    assert [r["id"] for r in store.find("\\")] == [odd]
    store.delete(odd, user="u")
    assert store.find("_50%") == []


def _at_once(n: int, work: Any) -> list[BaseException | None]:
    """Run ``work(i)`` in ``n`` threads released together; what each raised (None: nothing)."""
    gate = threading.Barrier(n)
    out: list[BaseException | None] = [None] * n

    def run(i: int) -> None:
        gate.wait()
        try:
            work(i)
        except BaseException as exc:
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_kernels_creating_one_entry_at_once_get_the_conflict_message(store: Store) -> None:
    iid = store.create({"findings": {}}, user="a")
    stores = [Store(url_of(store)) for _ in range(6)]
    tabs = [s.load(iid) for s in stores]
    raised = _at_once(6, lambda i: stores[i].save(
        tabs[i], {"findings/F1/description": f"第{i}人"}, user=f"u{i}"))
    for s in stores:
        s.close()
    assert raised.count(None) == 1
    refused = [e for e in raised if e is not None]
    assert all(isinstance(e, FieldConflictError) for e in refused), refused
    winner = f"u{raised.index(None)}"
    assert all(winner in str(e) for e in refused)  # who changed it, as on one machine
    assert [e.user for e in store.audit(iid, "findings/F1")] == [winner]


def test_kernels_creating_one_inspection_id_at_once(store: Store) -> None:
    stores = [Store(url_of(store)) for _ in range(6)]
    raised = _at_once(6, lambda i: stores[i].create({"company": {"name": f"{i}"}}, user=f"u{i}",
                                                    inspection_id="demo-2026-1119"))
    for s in stores:
        s.close()
    assert raised.count(None) == 1
    assert all(isinstance(e, ConflictError) and "已存在" in str(e) for e in raised if e), raised
    assert store.verify() == []


def test_rows_reads_the_fields_of_the_inspections_that_meet_every_condition(
        any_store_url: str) -> None:
    """What analytics reads in one query, on SQLite and PostgreSQL alike."""
    from kit.store import Where

    with Store(any_store_url) as store:
        def doc(name: str, day: str, who: str) -> dict[str, Any]:
            return {"company": {"name": name}, "scope": {"start_date": day},
                    "scope-x": "not below scope", "team": {"M1": {"name": who, "user": ""}}}

        store.create(doc("甲", "2026-03-02", "赵磊"), user="u", inspection_id="A1")
        store.create(doc("乙", "2026-04-01", "孙悦"), user="u", inspection_id="B1")
        store.create(doc("丙_%", "2026-12-31", "赵磊"), user="u", inspection_id="C1")
        store.create(doc("丁", "2026-05-01", "赵磊"), user="u", inspection_id="D1")
        store.create({"company": {"name": "戊"}, "scope": {"start_date": None}}, user="u",
                     inspection_id="E1")  # no date yet: in no range
        store.delete("D1", user="u")

        def ids(*where: Where, prefixes: tuple[str, ...] = ("company/name",)) -> list[str]:
            return sorted(iid for iid, _p, _v in store.rows(prefixes, where=where))

        assert ids() == ["A1", "B1", "C1", "E1"]  # never a deleted one
        assert sorted(p for _i, p, _v in store.rows(["scope"]) if _i == "A1") == [
            "scope/start_date"]  # below scope, not scope-x
        assert ids(Where(("scope/start_date",), low="2026-03-02", high="2026-04-01")) == [
            "A1", "B1"]  # both ends included
        assert ids(Where(("scope/start_date",), low="2026-04-02")) == ["C1"]  # not E1's null
        assert ids(Where(("company/name",), ("丙_%", "乙"))) == ["B1", "C1"]
        assert ids(Where(("company/name",), ("丙__",))) == []  # values are not patterns
        assert ids(Where(("team/*/name",), ("赵磊",))) == ["A1", "C1"]
        assert ids(Where(("team/*/name",), ("赵磊",)),
                   Where(("scope/start_date",), high="2026-06-30")) == ["A1"]
        assert ids(Where(("team/*/user", "team/*/name"), ("孙悦",))) == ["B1"]
        rows = store.rows(["company/name"], where=[Where(("company/name",), ("甲",))])
        assert rows == [("A1", "company/name", '"甲"')]


# -- two processes opening one new store at once ---------------------------------------------------
def test_a_store_made_by_another_process_meanwhile_is_opened_not_made_twice(any_store_url,
                                                                             monkeypatch):
    """A page's kernel and the preheated one open a new store at the same moment: each sees
    it empty, one makes the schema, and the other, waiting for the write lock, must open what
    was made instead of failing with "table already exists" (the page then never came)."""
    with Store(any_store_url) as other:  # made while the first looked
        other.list()
    looks: list[set[str]] = []
    real = Store._table_names

    def first_look_before_it_was_made(self: Store, cur: Any) -> set[str]:
        found = real(self, cur)
        looks.append(found)
        return set() if len(looks) == 1 else found

    monkeypatch.setattr(Store, "_table_names", first_look_before_it_was_made)
    with Store(any_store_url) as store:
        assert store.list() == []
        assert not store.protection_problems
    assert len(looks) >= 2  # looked again under the lock
    assert looks[1]  # and found it made


def test_six_processes_opening_one_new_store_at_once_all_open_it(tmp_path):
    code = textwrap.dedent(f"""
        import sys, time
        from kit.store import Store
        time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
        with Store("sqlite:///{tmp_path / 'kit.sqlite'}") as store:
            store.list()
    """)
    start = time.time() + 3  # every process imports the kit first, then all open at once
    procs = [subprocess.Popen([sys.executable, "-c", code, str(start)], stderr=subprocess.PIPE,
                              text=True) for _ in range(6)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
