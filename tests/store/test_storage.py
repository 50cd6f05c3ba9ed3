"""What the store keeps of an inspection: no default or empty leaf, the record reading the same.

A new inspection is stored lean (a field holding its default, an empty note, no evidence, is no
row), yet every reader sees the record it was: the model read back equals the one saved, the
document the app reads holds every field, a change back to a default is in the trail, and a
store written before (every default a row) reads and verifies as it did. ``kit demo`` stores
its inspections in batches: the same records for the same seed, each trail verifying.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from kit.analytics import load_demo_data
from kit.analytics._demo import demo_inspections
from kit.door import Door, Identity
from kit.errors import ConflictError, ValidationError
from kit.record import Inspection, flatten, from_doc, to_doc
from kit.store import Store

SEED = 3


@pytest.fixture(scope="module")
def made(demo: Inspection) -> list[Inspection]:
    """Demo inspections of every stage, and the sample company's finished record (its
    evidence's bytes are not here: not its attachments either)."""
    return [*demo_inspections(12, 4, seed=SEED), dataclasses.replace(demo, attachments={})]


def door_at(url: str) -> Door:
    return Door.connect(url, identity=Identity("tester"))


def stored_paths(door: Door, iid: str) -> set[str]:
    return {path for i, path, _value in door.rows() if i == iid}


def test_a_new_inspection_keeps_no_default_leaf_and_reads_back_the_same(
        any_store_url: str, made: list[Inspection]) -> None:
    door = door_at(any_store_url)
    for ins in made:
        iid = door.create(ins)
        assert door.inspection(iid) == ins
        # what the app reads: every field, as the full document has it
        assert iid == ins.id
        assert door.open(iid).doc == to_doc(ins)
        full = flatten(to_doc(ins))
        kept = stored_paths(door, iid)
        assert kept < set(full)
        # an empty note and no evidence are no rows; a result and its means are
        empty = {p for p, v in full.items() if p.startswith("results/") and v in ("", [])}
        assert empty
        assert not empty & kept
        assert {p for p in full if p.startswith("results/") and p.endswith("/result")} <= kept
        assert door.verify(iid) == []
    listed = {row["id"]: row for row in door.list()}
    for ins in made:  # the listing's summary reads its fields where they are stored
        assert listed[ins.id]["stage"] == ins.stage
        assert listed[ins.id]["scope/type"] == ins.scope.type


def test_a_change_back_to_a_default_is_in_the_trail(any_store_url: str,
                                                    made: list[Inspection]) -> None:
    door = door_at(any_store_url)
    ins = made[0]
    iid = door.create(ins)
    item = next(iter(ins.results))
    path = f"results/{item}/notes"
    assert door.open(iid).doc["results"][item]["notes"] == ""
    door.save(door.open(iid), {path: "抽查记录一份"})
    record = door.open(iid)
    door.save(record, {path: ""})
    assert record.get(path) == ""
    assert door.open(iid).get(path) == ""
    assert door.inspection(iid) == ins
    assert [e.new for e in door.audit(iid, path) if e.action != "create"] == ["抽查记录一份", ""]
    assert door.verify(iid) == []


def test_a_store_holding_every_default_reads_and_verifies_as_before(
        tmp_path: Path, made: list[Inspection]) -> None:
    """An inspection stored whole, as the kit stored it before, is the same record."""
    url = f"sqlite:///{tmp_path / 'kit.sqlite'}"
    store = Store(url)
    for ins in made:
        store.create(to_doc(ins), user="before", inspection_id=ins.id)
    store.close()
    door = door_at(url)
    for ins in made:
        assert stored_paths(door, ins.id) == set(flatten(to_doc(ins)))
        assert door.inspection(ins.id) == ins
        assert door.open(ins.id).doc == to_doc(ins)
        assert door.verify(ins.id) == []


def test_a_batch_stores_each_inspection_with_its_own_trail(
        any_store_url: str, made: list[Inspection]) -> None:
    door = door_at(any_store_url)
    first = door.create(made[0])
    ids = door.create_many(made)
    assert ids == [ins.id for ins in made[1:]]  # the one stored already is left as it was
    for ins in made:
        assert door.inspection(ins.id) == ins
        assert [e.action for e in door.audit(ins.id) if e.path is None] == ["create"]
        assert door.verify(ins.id) == []
    assert door.verify() == []
    assert door.create_many(made) == []
    assert first == made[0].id


def test_a_refused_inspection_stores_none_of_its_batch(tmp_path: Path,
                                                       made: list[Inspection]) -> None:
    door = door_at(f"sqlite:///{tmp_path / 'kit.sqlite'}")
    some = next(iter(made[1].results.values()))
    bad = dataclasses.replace(made[1], id="bad-one", results={"no.such.item": some})
    with pytest.raises(ValidationError, match=r"no\.such\.item"):
        door.create_many([made[0], bad])
    assert door.list(()) == []


def test_a_clash_with_another_writer_stores_none_of_the_batch(
        tmp_path: Path, made: list[Inspection], monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'kit.sqlite'}"
    door = door_at(url)
    store: Any = door._store  # the clash needs another writer mid-batch
    real = store._create_in

    def other_writer_first(cur: Any, made_one: Any, **kw: Any) -> str:
        if kw["inspection_id"] == made[1].id:  # stored by someone else a moment ago
            msg = f"检查记录 {made[1].id} 已存在 / inspection {made[1].id} already exists"
            raise ConflictError(msg)
        return str(real(cur, made_one, **kw))

    monkeypatch.setattr(store, "_create_in", other_writer_first)
    with pytest.raises(ConflictError):
        door.create_many(made[:3])
    assert door.list(()) == []


def documents(door: Door) -> dict[str, dict[str, Any]]:
    return {row["id"]: door.document(row["id"]) for row in door.list(())}


def test_kit_demo_gives_the_same_records_for_the_same_seed(tmp_path: Path) -> None:
    one, two = (door_at(f"sqlite:///{tmp_path / name}") for name in ("a.sqlite", "b.sqlite"))
    seen: list[int] = []
    assert load_demo_data(one, inspections=25, companies=4, seed=SEED,
                          progress=seen.append) == 25
    assert sum(seen) == 25
    assert load_demo_data(two, inspections=25, companies=4, seed=SEED) == 25
    first, second = documents(one), documents(two)
    assert len(first) == 25
    assert first == second
    made = {ins.id: ins for ins in demo_inspections(25, 4, seed=SEED)}
    for iid, doc in first.items():
        assert from_doc(doc) == made[iid]
        assert one.verify(iid) == []
    # again: nothing new, nothing changed
    again: list[int] = []
    assert load_demo_data(one, inspections=25, companies=4, seed=SEED,
                          progress=again.append) == 0
    assert sum(again) == 25
    assert documents(one) == first


def test_kit_demo_on_postgresql_stores_in_batches(pg_url: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import kit.analytics._demo as maker

    monkeypatch.setattr(maker, "BATCH", 7)  # several batches, the last one short
    door = door_at(pg_url)
    assert load_demo_data(door, inspections=20, companies=3, seed=SEED) == 20
    made = {ins.id: ins for ins in demo_inspections(20, 3, seed=SEED)}
    assert {row["id"] for row in door.list(())} == set(made)
    for iid, ins in made.items():
        assert door.inspection(iid) == ins
    assert door.verify() == []


def test_the_kit_demo_command_makes_the_same_store_twice_and_its_trail_verifies(
        tmp_path: Path) -> None:
    import subprocess
    import sys

    def kit(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "kit", *args, "--user", "tester"],
                              capture_output=True, text=True, encoding="utf-8", timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    for name in ("a", "b"):
        out = kit("demo", "--inspections", "30", "--companies", "5", "--seed", "4",
                  "--data-dir", str(tmp_path / name))
        assert "loaded 30 demo inspection(s); the store holds 30" in out
        assert "the trail is intact" in kit("audit", "--verify", "--data-dir",
                                            str(tmp_path / name))
    one, two = (door_at(f"sqlite:///{tmp_path / name / 'kit.sqlite'}") for name in "ab")
    assert documents(one) == documents(two)
    assert len(documents(one)) == 30
