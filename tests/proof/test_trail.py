"""The trail's checkpoints: the chain's head signed at each milestone, checked with the
certificate; an administrator holding no private key cannot rewrite history before one.

An administrator here drops the database's protections and rewrites entries, recomputing
every plain hash after them, as someone holding the database's credentials could.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kit.door import Door, Identity, local_checkpointer
from kit.proof import Signer
from kit.store import Store
from kit.store import _chain as chain

DOC: dict[str, Any] = {
    "company": {"name": "北京某医疗器械有限公司"},
    "stage": "preparation",
    "results": {"7.8.m4": {"result": "conform", "notes": "抽查 3 批"}},
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'kit.sqlite'}") as s:
        yield s


def _record(store: Store, signer: Signer) -> tuple[Door, str]:
    """An inspection whose stage moved once (a checkpoint), then edited after it."""
    iid = store.create(DOC, user="张三")
    door = Door(store, Identity("张三"), checkpointer=local_checkpointer(signer))
    record = door.open(iid)
    door.save(record, {"stage": "on_site"})
    door.save(record, {"results/7.8.m4/notes": "第 2 批记录缺签字"})
    return door, iid


class Admin:
    """The database's administrator, from outside the kit (SQLite, protections dropped)."""

    def __init__(self, store: Store) -> None:
        self.db = sqlite3.connect(store.url.database or "")
        for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type='trigger'"):
            self.db.execute(f"DROP TRIGGER {name}")
        self.db.commit()

    def trail(self, iid: str) -> list[tuple[Any, ...]]:
        return self.db.execute(
            "SELECT a.seq, a.at, a.\"user\", a.action, a.path, a.value, a.snapshot, a.mac, a.ins "
            "FROM audit a JOIN inspections i ON i.key = a.ins WHERE i.id = ? ORDER BY a.seq",
            (iid,)).fetchall()

    def rechain(self, iid: str) -> None:
        """Recompute every plain hash of the trail and the head, as a forger without keys."""
        prev = b""
        for seq, at, user, action, path, value, snapshot, _mac, _ins in self.trail(iid):
            covered = chain.unpack_snapshot(snapshot) if snapshot is not None else None
            text = chain.snapshot_text(covered) if covered is not None else value
            prev = chain.mac(prev, iid, at, user, action, path, text, None)
            self.db.execute("UPDATE audit SET mac = ? WHERE seq = ?", (prev, seq))
        self.db.execute("UPDATE inspections SET head_mac = ? WHERE id = ?", (prev, iid))
        self.db.commit()


def _broken(store: Store, iid: str) -> list[str]:
    return [p.message for p in store.verify(iid) if p.code == "store.chain_broken"]


def test_a_stage_change_signs_the_chains_head_and_it_verifies(
        store: Store, office: Signer, trust: Path) -> None:
    _door, iid = _record(store, office)
    entries = [e for e in store.audit(iid) if e.action == "checkpoint"]
    assert len(entries) == 1
    assert json.loads(entries[0].new_json or "{}")["signer"] == office.certificate.subject
    assert store.verify(iid) == []


def test_history_rewritten_before_a_checkpoint_is_found_without_the_private_key(
        store: Store, office: Signer, trust: Path) -> None:
    _door, iid = _record(store, office)
    admin = Admin(store)
    admin.db.execute("UPDATE audit SET \"user\" = '王局长' WHERE seq = ?",
                     (admin.trail(iid)[1][0],))  # the stage change, before the checkpoint
    admin.rechain(iid)
    broken = _broken(store, iid)
    assert len(broken) == 1
    assert "其前的记录被改写" in broken[0]


def test_a_checkpoint_replayed_from_another_inspection_or_position_is_found(
        store: Store, office: Signer, trust: Path) -> None:
    _door, first = _record(store, office)
    door, second = _record(store, office)
    door.save(door.open(second), {"results/7.8.m4/notes": "又改"})
    admin = Admin(store)
    taken = next(r for r in admin.trail(first) if r[3] == "checkpoint")
    last = admin.trail(second)[-1]
    admin.db.execute("UPDATE audit SET action = 'checkpoint', path = NULL, value = ? "
                     "WHERE seq = ?", (taken[5], last[0]))
    admin.db.execute("DELETE FROM fields WHERE path = 'results/7.8.m4/notes' AND ins = ?",
                     (last[8],))
    admin.rechain(second)
    assert any("重放" in m for m in _broken(store, second))


def test_a_checkpoint_signed_with_a_key_the_office_does_not_trust_is_found(
        store: Store, attacker: Signer, trust: Path) -> None:
    _door, iid = _record(store, attacker)
    broken = _broken(store, iid)
    assert len(broken) == 1
    assert attacker.certificate.fingerprint in broken[0]


def test_a_keyed_trail_switches_to_plain_hashes_at_a_checkpoint(
        store: Store, office: Signer, trust: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An earlier release's trail, keyed with KIT_SIGNING_KEY, then written by people's
    servers that hold no secret: a downgrade unless a checkpoint (the switch) comes between."""
    url = store.url.render_as_string(hide_password=False)

    def as_before(with_switch: bool) -> str:
        monkeypatch.setenv("KIT_SIGNING_KEY", "旧密钥")
        with Store(url) as keyed:
            iid = keyed.create(DOC, user="张三")
            keyed.save(keyed.load(iid), {"company/name": "乙"}, user="张三")
            if with_switch:
                Door(keyed, Identity("管理员")).checkpoint(iid, office)
        monkeypatch.delenv("KIT_SIGNING_KEY")
        with Store(url) as plain:
            plain.save(plain.load(iid), {"company/name": "丙"}, user="李四")
        monkeypatch.setenv("KIT_SIGNING_KEY", "旧密钥")  # verified with the old key
        return iid

    without, switched = as_before(False), as_before(True)
    with Store(url) as checker:
        assert any("降级" in m for m in _broken(checker, without))
        assert checker.verify(switched) == []
