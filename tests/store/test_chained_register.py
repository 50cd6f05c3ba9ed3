"""The register's and the saved plans' trails are chained like the inspections': an entry
changed, removed or inserted outside the kit, or a row its trail does not explain, is found by
``kit audit --verify`` on SQLite and PostgreSQL, and a store of schema 11 gets every entry's MAC
on upgrade."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from kit.store import Store, migrate
from kit.store.migrate import HEAD_REVISION

JIA, YI = "91350100M000100Y43", "91110000MA01AB2C3X"
LINE = {"month": "2027-03", "company": "甲", "leader": "赵磊", "inspector": "钱敏"}


@pytest.fixture
def store(any_store_url: str) -> Iterator[Store]:
    """A register of two companies, one changed since; a saved plan with one line done."""
    with Store(any_store_url) as s:
        s.put_companies([{"credit_code": JIA, "name": "甲"}, {"credit_code": YI, "name": "乙"}],
                        user="王科长")
        s.put_companies([{"credit_code": JIA, "name": "甲公司"}], user="王科长")
        s.put_plan(2027, [(JIA, LINE), (YI, {**LINE, "company": "乙"})], user="王科长")
        s.put_plan(2027, [(JIA, {**LINE, "month": "2027-04"}), (YI, {**LINE, "company": "乙"})],
                   user="王科长")
        s.create_for_line("2027-001", {"company": {"name": "甲公司"}}, user="张明",
                          guard=lambda line: None)
        yield s


def owner_sql(store: Store, *statements: str) -> None:
    """What someone holding the database does outside the kit: the protections lifted."""
    engine = sa.create_engine(_url(store), poolclass=sa.NullPool)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as c:
        for table in ("company_trail", "companies", "plan_trail", "plan_lines"):
            if postgres:
                c.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        if not postgres:
            for (name,) in c.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                c.exec_driver_sql(f"DROP TRIGGER {name}")
        for statement in statements:
            c.exec_driver_sql(statement)
        for table in ("company_trail", "companies", "plan_trail", "plan_lines"):
            if postgres:
                c.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER ALL")
    engine.dispose()


def found(store: Store) -> list[tuple[str, str]]:
    """What verifying everything reports, but the protections lifted to tamper: (code, field)."""
    return [(str(p.code), p.field) for p in store.verify()
            if str(p.code) != "store.protection_missing"]


def test_an_untouched_register_and_plan_verify(store: Store) -> None:
    assert store.verify() == []


def test_a_register_entry_rewritten_with_its_row_breaks_its_companys_chain(store) -> None:
    """The forger rewrites the company's row and the entry that wrote it alike: the row is
    explained, but the entry no longer matches its MAC."""
    owner_sql(store,
              "UPDATE company_trail SET new = '{\"credit_code\":\"" + JIA + "\",\"name\":\"丙\"}' "
              f"WHERE seq = (SELECT max(seq) FROM company_trail WHERE credit_code = '{JIA}')",
              "UPDATE companies SET name = '丙', doc = '{\"credit_code\":\"" + JIA +
              "\",\"name\":\"丙\"}' WHERE credit_code = '" + JIA + "'")
    assert found(store) == [("store.chain_broken", f"companies/{JIA}")]


def test_an_entry_removed_or_a_row_changed_without_one_is_found(store: Store) -> None:
    owner_sql(store, f"DELETE FROM company_trail WHERE credit_code = '{JIA}' AND seq = "
                     f"(SELECT min(seq) FROM company_trail WHERE credit_code = '{JIA}')",
              f"UPDATE companies SET name = '丁' WHERE credit_code = '{YI}'",
              "UPDATE companies SET doc = '{\"credit_code\":\"" + YI + "\",\"name\":\"丁\"}' "
              f"WHERE credit_code = '{YI}'")
    assert sorted(found(store)) == [("store.chain_broken", f"companies/{JIA}"),
                                    ("store.value_mismatch", f"companies/{YI}")]


def test_a_plan_lines_entry_rewritten_or_its_inspection_changed_is_found(store) -> None:
    owner_sql(store, "UPDATE plan_trail SET \"user\" = '李华' WHERE line_id = '2027-002'",
              "UPDATE plan_lines SET inspection_id = 'elsewhere' WHERE id = '2027-001'")
    assert sorted(found(store)) == [("store.chain_broken", "plan_lines/2027-002"),
                                    ("store.value_mismatch", "plan_lines/2027-001")]


def test_the_database_refuses_an_entry_without_its_mac(store: Store) -> None:
    engine = sa.create_engine(_url(store), poolclass=sa.NullPool)
    for statement in (
            "INSERT INTO company_trail (at, \"user\", action, credit_code, old, new) VALUES "
            f"('2026-12-07T00:00:00.000000Z', 'x', 'import', '{JIA}', NULL, '{{}}')",
            "INSERT INTO plan_trail (at, \"user\", action, year, line_id, old, new) VALUES "
            "('2026-12-07T00:00:00.000000Z', 'x', 'add', 2027, '2027-009', NULL, '{}')"):
        with pytest.raises(sa.exc.DBAPIError, match="校验值"), engine.begin() as c:
            c.exec_driver_sql(statement)
    engine.dispose()


def test_a_schema_11_store_gets_every_entrys_mac_on_upgrade(store: Store) -> None:
    from alembic import command

    before = [(e.seq, e.new) for e in store.company_trail()]
    url = _url(store)
    store.close()
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as connection:  # the store as schema 11 had it: no MACs
        command.downgrade(migrate._config(connection), "0011")
        columns = {c["name"] for c in sa.inspect(connection).get_columns("company_trail")}
    engine.dispose()
    assert "mac" not in columns
    assert migrate.upgrade(url) == ("0011", HEAD_REVISION)
    with Store(url) as upgraded:
        assert upgraded.protection_problems == []
        assert upgraded.verify() == []
        assert [(e.seq, e.new) for e in upgraded.company_trail()] == before
        upgraded.put_companies([{"credit_code": YI, "name": "乙公司"}], user="王科长")
        upgraded.put_plan(2027, [(JIA, {**LINE, "month": "2027-04"})], user="王科长")
        assert upgraded.verify() == []


def _url(store: Store) -> str:
    return store.url.render_as_string(hide_password=False)
