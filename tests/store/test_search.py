"""The picker's search through its index finds exactly what a plain scan of every inspection
finds, on both databases, kept current by every write and filled by `kit db upgrade`."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kit.errors import KitError
from kit.record import SUMMARY_PATHS
from kit.store import DELETE, Store, migrate
from kit.store import _search as search
from kit.store.migrate import HEAD_REVISION
from tests.store.test_migrate import app_role as _the_apps_role  # noqa: F401 - its fixture

ALPHABET = "北京示例医疗器械科技有限公司甲乙上海ABab12-_%\\ "
USERS = ("lihua", "zm", "Wang", "张明")
TYPES = ("supervisory", "focused", "for_cause", None)
STAGES = ("preparation", "on_site", "checklist", "closed")


def plain(listed: list[dict[str, Any]], text: str, member: str | None, limit: int
          ) -> list[str]:
    """The search as a plain scan of every inspection's summary (``listed``: the store's
    listing, most recent first)."""
    q = text.strip().casefold()
    found = []
    for row in listed:
        if member and member not in row["team_users"]:
            continue
        values = [row["id"], *(row[p] for p in SUMMARY_PATHS), *row["team_users"],
                  row["created_by"], row["updated_by"]]
        if any(isinstance(v, str) and q in v.casefold() for v in values):
            found.append(row["id"])
    return found[:limit]


def word(rng: random.Random, low: int = 1, high: int = 9) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high))).strip() or "甲"


def team(rng: random.Random) -> dict[str, Any]:
    return {f"M{k}": {"name": "某人", "user": rng.choice(USERS)}
            for k in range(rng.randint(0, 3))}


def random_store(store: Store, rng: random.Random, n: int) -> list[str]:
    ids = []
    for k in range(n):
        doc: dict[str, Any] = {"company": {"name": word(rng)}, "stage": rng.choice(STAGES),
                               "team": team(rng)}
        if (kind := rng.choice(TYPES)) is not None:
            doc["scope"] = {"type": kind, "start_date": f"2026-{rng.randint(1, 12):02d}-01"}
        ids.append(store.create(doc, user=rng.choice(USERS), inspection_id=f"R{k:03d}-{k % 7}"))
    for _ in range(n // 2):  # changes by others: names, teams, stages, the last to change
        record = store.load(rng.choice(ids))
        change = rng.choice([{"company/name": word(rng)}, {"team": team(rng) or DELETE},
                             {"stage": rng.choice(STAGES)}, {"company/contact": word(rng)}])
        store.save(record, change, user=rng.choice(USERS))
    for iid in rng.sample(ids, n // 10):
        store.delete(iid, user="admin")
    for iid in rng.sample(ids, 2):
        store.restore(iid, user="admin")
    return ids


def queries(store: Store, rng: random.Random) -> list[str]:
    values = [v for r in store.list() for v in (r["company/name"], r["id"], r["stage"],
                                                r["updated_by"]) if isinstance(v, str)]
    out = ["", " ", "%", "_", "\\", "示例", "京", "a", "A", "2026", "LIHUA", "张", "无此字",
           search.SEP, "北京示例医疗器械科技"]
    for _ in range(60):
        value = rng.choice(values)
        start = rng.randrange(len(value))
        piece = value[start:start + rng.randint(1, 5)]
        out += [piece, piece.upper(), f" {piece} "]
    out += [word(rng, 1, 2) for _ in range(20)]
    return out


@pytest.mark.parametrize("small", [False, True], ids=["as shipped", "small window"])
def test_the_search_finds_what_a_plain_scan_finds(any_store_url: str, small: bool,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if small:  # every way through the index at this size: rare pieces, the recent window
        monkeypatch.setattr(search, "CAP", 6)
        monkeypatch.setattr(search, "WINDOW", 5)
    rng = random.Random(28)
    with Store(any_store_url, connections="held") as store:
        random_store(store, rng, 80)
        listed = store.list()
        for text in queries(store, rng):
            for member in (None, *USERS, "nobody"):
                for limit in (3, 50):
                    got = [r["id"] for r in store.find(text, member=member, limit=limit)]
                    assert got == plain(listed, text, member, limit), (text, member, limit)
        assert store.verify() == []


def test_one_and_two_characters_are_found_and_the_index_follows_every_write(
        any_store_url: str) -> None:
    with Store(any_store_url) as store:
        a = store.create({"company": {"name": "北京示例医疗"}, "team": {
            "M1": {"name": "李华", "user": "lihua"}}}, user="张明")
        b = store.create({"company": {"name": "上海甲公司"}}, user="admin")
        assert [r["id"] for r in store.find("示例")] == [a]
        assert [r["id"] for r in store.find("示")] == [a]
        assert [r["id"] for r in store.find("公司")] == [b]
        assert [r["id"] for r in store.find(member="lihua")] == [a]
        store.save(store.load(a), {"company/name": "北京乙", "team/M1": DELETE}, user="wang")
        assert store.find("示例") == []
        assert [r["id"] for r in store.find("乙")] == [a]
        assert [r["id"] for r in store.find("WANG")] == [a]  # who changed it last
        assert store.find(member="lihua") == []
        store.delete(b, user="admin")
        assert store.find("上海") == []
        store.restore(b, user="admin")
        assert [r["id"] for r in store.find("上海")] == [b]
        assert store.verify() == []


def test_verify_names_a_search_index_changed_behind_the_store(tmp_path: Path) -> None:
    with Store(data_dir=tmp_path) as store:
        ids = [store.create({"company": {"name": f"北京{k}甲"}, "team": {
            "M1": {"name": "李华", "user": "lihua"}}}, user="u") for k in range(5)]
    db = sqlite3.connect(tmp_path / "kit.sqlite")
    key = {iid: db.execute("SELECT key FROM inspections WHERE id = ?", (iid,)).fetchone()[0]
           for iid in ids}
    db.execute("UPDATE inspections SET search = 'x' WHERE id = ?", (ids[0],))
    db.execute("DELETE FROM search_grams WHERE gram = '北京1' AND ins = ?", (key[ids[1]],))
    db.execute('INSERT INTO team_users ("user", updated_at, ins) SELECT \'wang\', updated_at, '
               "key FROM inspections WHERE id = ?", (ids[2],))  # off the team
    # lihua's picker would list it where it was before its last change
    db.execute("UPDATE team_users SET updated_at = '2020-01-01T00:00:00.000000Z' WHERE ins = ?",
               (key[ids[3]],))
    db.commit()
    db.close()
    with Store(data_dir=tmp_path) as store:
        for iid in ids[:4]:
            assert [(p.code, p.field) for p in store.verify(iid)] == [
                ("store.summary_mismatch", "search")]
        assert store.verify(ids[4]) == []  # that inspection only
        with pytest.raises(KitError):
            store.verify("no-such")


def test_the_listing_streams_on_a_snapshot_while_the_store_is_used(any_store_url: str) -> None:
    with Store(any_store_url) as store:
        ids = [store.create({"company": {"name": f"北京{k}"}}, user="u") for k in range(7)]
        seen = []
        for row in store.listing():
            seen.append(row["id"])
            # the caller may write between rows; the listing is the store as it began
            store.save(store.load(row["id"]), {"company/contact": "x"}, user="v")
            store.create({"company": {"name": "新"}}, user="u")
        assert seen == ids[::-1]
        assert len(store.list()) == 14


def _rows(url: str) -> dict[str, list[str]]:
    with Store(url) as store:
        return {q: [r["id"] for r in store.find(q)] for q in ("示例", "京", "lihua", "甲公")} | {
            "member": [r["id"] for r in store.find(member="lihua")]}


def _schema_9(url: str) -> None:
    from alembic import command

    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as connection:  # the store as schema 9 had it
        command.downgrade(migrate._config(connection), "0009")
    with engine.connect() as connection:
        assert not engine.dialect.has_table(connection, "search_grams")
    engine.dispose()


def test_a_schema_9_store_gets_its_search_index(any_store_url: str) -> None:
    with Store(any_store_url) as store:
        store.create({"company": {"name": "北京示例甲公司"}, "team": {
            "M1": {"name": "李华", "user": "lihua"}}}, user="u")
        store.create({"company": {"name": "北京乙"}}, user="lihua")
        store.delete(store.create({"company": {"name": "示例丙"}}, user="u"), user="u")
    before = _rows(any_store_url)
    assert before["示例"]
    assert before["member"]
    _schema_9(any_store_url)
    with pytest.raises(KitError, match="kit db upgrade"):
        Store(any_store_url)
    assert migrate.upgrade(any_store_url) == ("0009", HEAD_REVISION)
    assert _rows(any_store_url) == before
    with Store(any_store_url) as store:
        assert store.verify() == []


def test_the_app_role_keeps_the_search_index_after_the_upgrade(
        pg_url: str, request: pytest.FixtureRequest) -> None:
    name, url = request.getfixturevalue("_the_apps_role")
    with Store(pg_url) as owner:
        owner.create({"company": {"name": "北京示例"}}, user="admin")
        owner.grant_app_role(name)
    _schema_9(pg_url)
    assert migrate.upgrade(pg_url) == ("0009", HEAD_REVISION)
    with Store(url) as app:
        iid = app.create({"company": {"name": "北京新公司"}, "team": {
            "M1": {"name": "李华", "user": "lihua"}}}, user="张明")
        app.save(app.load(iid), {"company/name": "北京另一家"}, user="李华")
        assert [r["id"] for r in app.find("另一")] == [iid]
        assert [r["id"] for r in app.find(member="lihua")] == [iid]
        assert len(app.find("示例")) == 1
        assert app.verify() == []


def test_a_new_stores_app_role_may_keep_the_index(pg_url: str,
                                                  request: pytest.FixtureRequest) -> None:
    name, url = request.getfixturevalue("_the_apps_role")
    with Store(pg_url) as owner:
        owner.grant_app_role(name)
    with Store(url) as app:
        iid = app.create({"company": {"name": "北京"}, "team": {"M1": {"user": "zm"}}}, user="u")
        app.save(app.load(iid), {"team/M1/user": "lihua"}, user="u")
        assert [r["id"] for r in app.find(member="lihua")] == [iid]


def _pages(store: Store) -> dict[str, list[str]]:
    """The picker's page of everyone and of each sign-in, and what a plain scan of the listing
    (most recent first) gives for each."""
    listed = store.list()
    got, want = {}, {}
    for member in (None, "lihua", "zm", "wang"):
        got[str(member)] = [r["id"] for r in store.find(member=member)]
        want[str(member)] = plain(listed, "", member, 50)
        got[f"{member} listing"] = [r["id"] for r in store.list(member=member)]
    assert got == want | {f"{m} listing": want[m] for m in want}
    return got


def test_the_pickers_pages_follow_every_write_from_two_tabs(any_store_url: str) -> None:
    with Store(any_store_url) as tab, Store(any_store_url) as other:
        def team(*users: str) -> dict[str, Any]:
            return {f"M{k}": {"name": "某人", "user": u} for k, u in enumerate(users)}

        a = tab.create({"company": {"name": "甲"}, "team": team("lihua", "zm")}, user="u")
        b = tab.create({"company": {"name": "乙"}, "team": team("zm")}, user="u")
        c = other.create({"company": {"name": "丙"}, "team": team("lihua")}, user="u")
        assert _pages(tab)["lihua"] == [c, a]
        tab.save(tab.load(a), {"company/contact": "王"}, user="u")  # a save: a first again
        assert _pages(other)["lihua"] == [a, c]
        assert _pages(tab)["zm"] == [a, b]
        other.save(other.load(b), {"team/M1": {"name": "李华", "user": "lihua"}}, user="zm")
        assert _pages(tab)["lihua"] == [b, a, c]  # joined b's team: b on lihua's page, first
        tab.save(tab.load(c), {"team/M0/user": "wang"}, user="u")  # lihua left c's team
        assert _pages(other)["lihua"] == [b, a]
        assert _pages(other)["wang"] == [c]
        tab.delete(a, user="admin")
        assert _pages(other)["zm"] == [b]
        other.restore(a, user="admin")  # a restore is a change: first again
        assert _pages(tab)["zm"] == [a, b]
        # two tabs on one inspection: each saves its own field, in turn
        first, second = tab.load(b), other.load(b)
        tab.save(first, {"company/contact": "甲方"}, user="lihua")
        assert _pages(other)["lihua"] == [b, a]
        other.save(second, {"purpose": "日常监督检查"}, user="zm")
        other.save(other.load(a), {"purpose": "专项"}, user="zm")
        assert _pages(tab)["lihua"] == [a, b]
        assert _pages(tab)["None"] == [a, b, c]
        assert tab.verify() == []


def test_an_upgraded_store_answers_the_same_pages(any_store_url: str) -> None:
    from alembic import command

    with Store(any_store_url) as store:
        ids = [store.create({"company": {"name": f"北京{k}"}, "team": {
            "M1": {"name": "某人", "user": ("lihua", "zm", "wang")[k % 3]},
            "M2": {"name": "某人", "user": "zm"}}}, user="u") for k in range(9)]
        for iid in ids[::4]:
            store.save(store.load(iid), {"company/contact": "改"}, user="lihua")
        store.delete(ids[5], user="admin")
        before = _pages(store)
    engine = sa.create_engine(any_store_url, poolclass=sa.NullPool)
    with engine.begin() as connection:  # the store as schema 10 had it
        command.downgrade(migrate._config(connection), "0010")
    engine.dispose()
    with pytest.raises(KitError, match="kit db upgrade"):
        Store(any_store_url)
    assert migrate.upgrade(any_store_url) == ("0010", HEAD_REVISION)
    with Store(any_store_url) as store:
        assert _pages(store) == before
        assert store.verify() == []
        store.save(store.load(ids[1]), {"company/contact": "再改"}, user="u")
        assert _pages(store)["zm"][0] == ids[1]


def test_the_pickers_page_reads_one_ordered_range(tmp_path: Path) -> None:
    """What keeps the picker flat on SQLite: its page is read in the order of one index, an
    inspector's page in the order of their rows of ``team_users``: no sort of everything (all
    inspections, all of theirs), stopping at the page's end."""
    with Store(data_dir=tmp_path) as store:
        for k in range(30):
            store.create({"company": {"name": f"北京{k}"}, "team": {
                "M1": {"name": "某人", "user": "lihua"}}}, user="u")
        st, dialect = store._search, store.engine.dialect
        assert dialect.name == "sqlite"
    db = sqlite3.connect(tmp_path / "kit.sqlite")
    db.execute("ANALYZE")

    def plan(sql: Any, **values: Any) -> str:
        rows = db.execute(f"EXPLAIN QUERY PLAN {sql.text}", sql.args({"limit": 50, **values}))
        return " | ".join(r[3] for r in rows)

    everyone = plan(st.recent)
    assert "TEMP B-TREE" not in everyone
    assert "USING INDEX inspections_by_update" in everyone
    member = plan(st.by_member, member="lihua", like="")
    assert "TEMP B-TREE" not in member
    assert "SEARCH t USING PRIMARY KEY (user=?)" in member
    db.close()
