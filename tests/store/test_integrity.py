"""A record nobody changes without a trace: the chained trail, its replay, the database's refusals.

Each tampering is done as an attacker with the database file or a database login would do it,
outside the kit; each test then asks the kit what it sees. Run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from kit.door import Door
from kit.errors import ValidationError
from kit.interchange import export_workbook
from kit.store import Store
from kit.store import _chain as chain
from kit.store._schema import PROTECTIONS

DOC: dict[str, Any] = {
    "company": {"name": "北京某医疗器械有限公司"},
    "stage": "on_site",
    "results": {"7.8.m4": {"result": "conform", "notes": "抽查 3 批"}},
}


@pytest.fixture
def store(any_store_url: str) -> Iterator[Store]:
    with Store(any_store_url) as s:
        yield s


@pytest.fixture
def record(store: Store) -> str:
    iid = store.create(DOC, user="张三")
    tab = store.load(iid)
    store.save(tab, {"results/7.8.m4/result": "nonconform"}, user="李四")
    store.save(tab, {"results/7.8.m4/notes": "第 2 批记录缺签字"}, user="李四")
    store.save(tab, {"company/name": "北京某医疗器械股份有限公司"}, user="张三")
    return iid


class Attacker:
    """A connection to the store's database from outside the kit."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = sa.create_engine(store.url.render_as_string(hide_password=False),
                                       poolclass=sa.NullPool)
        self.conn = self.engine.raw_connection()
        self.error = store._dbapi.Error

    def run(self, sql: str) -> None:
        cur = self.conn.cursor()
        try:
            cur.execute(sql)
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        cur.execute(sql)
        rows = cur.fetchall()
        self.conn.rollback()
        return list(rows)

    def drop_protections(self) -> None:
        for name in PROTECTIONS:
            if self.store.is_sqlite:
                self.run(f"DROP TRIGGER IF EXISTS {name}")
            else:
                # audit, fields, inspections, blobs, answers, companies, company_trail,
                # plan_lines, plan_trail
                table = next((t for t in ("company_trail", "plan_lines", "plan_trail")
                              if name.startswith(t)), name.split("_", 1)[0])
                self.run(f"DROP TRIGGER IF EXISTS {name} ON {table}")

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


@pytest.fixture
def attacker(store: Store) -> Iterator[Attacker]:
    a = Attacker(store)
    yield a
    a.close()


def codes(problems: list[Any]) -> set[str]:
    return {p.code for p in problems}


def test_an_untouched_store_verifies(store: Store, record: str) -> None:
    assert store.protection_problems == []
    assert store.verify(record) == []
    assert store.verify() == []


@pytest.mark.parametrize("sql", [
    "UPDATE audit SET value = '\"符合\"' WHERE path = 'results/7.8.m4/result'",
    "DELETE FROM audit WHERE path = 'company/name'",
    "UPDATE fields SET value = '\"conform\"' WHERE path = 'results/7.8.m4/result'",
    "DELETE FROM fields WHERE path = 'results/7.8.m4/notes'",
    "INSERT INTO fields (ins, path, value, version) SELECT ins, 'findings/F9/description', "
    "'\"伪造\"', version FROM fields WHERE path = 'company/name'",
    "UPDATE inspections SET head_seq = head_seq - 1",
    "UPDATE inspections SET deleted = TRUE",
    "DELETE FROM inspections",
], ids=["edit-entry", "remove-entry", "edit-value", "remove-value", "add-value", "move-head",
        "mark-deleted", "remove-inspection"])
def test_the_database_refuses_changes_the_kit_never_makes(store: Store, record: str,
                                                          attacker: Attacker, sql: str) -> None:
    with pytest.raises(attacker.error):
        attacker.run(sql)
    assert store.verify(record) == []


def test_a_back_dated_entry_is_refused(store: Store, record: str, attacker: Attacker) -> None:
    ins = attacker.rows(f"SELECT key FROM inspections WHERE id = '{record}'")[0][0]
    for at in ("2020-01-01T00:00:00.000000Z", "2099-01-01T00:00:00.000000Z"):
        with pytest.raises(attacker.error):
            attacker.run(f"INSERT INTO audit (ins, at, \"user\", action, path, value, mac) "
                         f"VALUES ({ins}, '{at}', '冒名', 'update', 'company/name', '\"x\"', "
                         "X'00')" if store.is_sqlite else
                         f"INSERT INTO audit (ins, at, \"user\", action, path, value, mac) "
                         f"VALUES ({ins}, '{at}', '冒名', 'update', 'company/name', '\"x\"', "
                         "'\\x00'::bytea)")


def test_with_its_protections_dropped_a_changed_value_is_found(
        store: Store, record: str, attacker: Attacker) -> None:
    attacker.drop_protections()
    attacker.run("UPDATE fields SET value = '\"conform\"' WHERE path = 'results/7.8.m4/result'")
    again = Store(store.url.render_as_string(hide_password=False))
    assert set(again.protection_problems) == set(PROTECTIONS)  # reported...
    again.close()
    again = Store(store.url.render_as_string(hide_password=False))
    assert set(again.protection_problems) == set(PROTECTIONS)  # ...and never recreated
    problems = again.verify(record)
    assert {"store.protection_missing", "store.value_mismatch"} <= codes(problems)
    mismatch = next(p for p in problems if p.code == "store.value_mismatch")
    assert mismatch.field == "results/7.8.m4/result"
    assert '"nonconform"' in mismatch.message  # what the trail says it must be
    again.close()


def test_an_edited_entry_breaks_the_chain_at_that_entry(
        store: Store, record: str, attacker: Attacker) -> None:
    attacker.drop_protections()
    seq = attacker.rows("SELECT seq FROM audit WHERE path = 'results/7.8.m4/notes'")[0][0]
    attacker.run(f"UPDATE audit SET \"user\" = '王局长' WHERE seq = {seq}")
    broken = [p for p in store.verify(record) if p.code == "store.chain_broken"]
    assert len(broken) == 1
    assert broken[0].field == f"audit/{seq}"
    assert "王局长" in broken[0].message


def test_a_removed_entry_breaks_the_chain_at_the_next(
        store: Store, record: str, attacker: Attacker) -> None:
    attacker.drop_protections()
    seqs = [r[0] for r in attacker.rows("SELECT seq FROM audit ORDER BY seq")]
    attacker.run(f"DELETE FROM audit WHERE seq = {seqs[1]}")
    broken = [p for p in store.verify(record) if p.code == "store.chain_broken"]
    assert [p.field for p in broken] == [f"audit/{seqs[2]}"]


def test_a_forged_entry_is_found_when_the_office_keys_its_trail(
        any_store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(chain.SIGNING_KEY_ENV, "局里的密钥")
    with Store(any_store_url) as store:
        iid = store.create(DOC, user="张三")
        store.save(store.load(iid), {"company/name": "乙"}, user="张三")
        attacker = Attacker(store)
        attacker.drop_protections()
        # the attacker rewrites the last entry and recomputes a plain digest (no key)
        last = attacker.rows("SELECT a.seq, a.at, a.\"user\", a.action, a.path FROM audit a "
                             "ORDER BY a.seq DESC")[0]
        prev = bytes(attacker.rows(f"SELECT mac FROM audit WHERE seq < {last[0]} "
                                   "ORDER BY seq DESC")[0][0])
        forged = chain.mac(prev, iid, last[1], last[2], last[3], last[4], '"丙"', None)
        hexed = forged.hex()
        attacker.run("UPDATE audit SET value = '\"丙\"', mac = "
                     + (f"X'{hexed}'" if store.is_sqlite else f"'\\x{hexed}'::bytea")
                     + f" WHERE seq = {last[0]}")
        attacker.run("UPDATE fields SET value = '\"丙\"' WHERE path = 'company/name'")
        broken = [p for p in store.verify(iid) if p.code == "store.chain_broken"]
        assert broken
        assert "降级" in broken[0].message
        attacker.close()
    monkeypatch.delenv(chain.SIGNING_KEY_ENV)
    with Store(any_store_url) as store:  # without the key a keyed trail cannot be vouched for
        assert any("KIT_SIGNING_KEY" in p.message for p in store.verify(iid))


def test_a_tampered_record_is_not_sealed_and_the_command_says_why(
        store: Store, record: str, attacker: Attacker, tmp_path: Any) -> None:
    out = tmp_path / "record.xlsx"
    assert export_workbook(Door(store), record, out).is_file()
    attacker.drop_protections()
    attacker.run("UPDATE fields SET value = '\"conform\"' WHERE path = 'results/7.8.m4/result'")
    again = Store(store.url.render_as_string(hide_password=False))
    with pytest.raises(ValidationError, match="does not verify"):
        export_workbook(Door(again), record, tmp_path / "sealed.xlsx")
    assert not (tmp_path / "sealed.xlsx").exists()
    url = store.url.render_as_string(hide_password=False)
    run = [sys.executable, "-m", "kit"]
    verify = subprocess.run([*run, "audit", "--verify", record, "--db-url", url],
                            capture_output=True, text=True, timeout=120)
    assert verify.returncode == 1
    assert "results/7.8.m4/result" in verify.stdout
    export = subprocess.run([*run, "export", record, "--out", str(tmp_path / "x.xlsx"),
                             "--db-url", url], capture_output=True, text=True, timeout=120)
    assert export.returncode == 2
    assert "Traceback" not in export.stderr
    assert "does not verify" in export.stderr
    again.close()


def test_the_trail_shows_old_values_it_does_not_store(store: Store, record: str) -> None:
    notes = [(e.old, e.new) for e in store.audit(record, "results/7.8.m4/notes")]
    assert notes == [(None, "抽查 3 批"), ("抽查 3 批", "第 2 批记录缺签字")]
    # a new inspection is one entry, shown field by field
    created = [e for e in store.audit(record) if e.action == "create"]
    assert len({e.seq for e in created}) == 1
    assert {e.path for e in created} == {None, "company/name", "stage",
                                         "results/7.8.m4/result", "results/7.8.m4/notes"}
    assert json.loads(created[1].new_json or "null") is not None
