"""Upgrading a store: a database of the first kit refused until `kit db upgrade`, then intact."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kit.errors import KitError
from kit.store import NumberTakenError, Store, migrate, unflatten
from kit.store.migrate import HEAD_REVISION
from tests.conftest import data_file

V1 = data_file("store", "v1.sql")  # written by the first kit's own code (see the file's head)


def v1_sqlite(folder: Path) -> Path:
    path = folder / "kit.sqlite"
    db = sqlite3.connect(path)
    db.executescript(V1.read_text(encoding="utf-8"))
    db.close()
    return path


def v1_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    db = sqlite3.connect(path)
    rows = {
        "inspections": db.execute("SELECT id, created_by, deleted FROM inspections").fetchall(),
        "fields": db.execute("SELECT inspection_id, path, value_json FROM fields").fetchall(),
        "audit": db.execute('SELECT inspection_id, "user", action, path, new_json FROM audit '
                            "ORDER BY seq").fetchall(),
        "raw_audit": db.execute("SELECT * FROM audit ORDER BY seq").fetchall(),
        "raw_fields": db.execute("SELECT * FROM fields").fetchall(),
        "raw_inspections": db.execute("SELECT * FROM inspections").fetchall(),
    }
    db.close()
    return rows


def check_upgraded(url: str, before: dict[str, list[tuple[Any, ...]]]) -> None:
    with Store(url) as store:
        assert store.protection_problems == []
        assert store.verify() == []
        for iid, _by, _deleted in before["inspections"]:
            flat = {p: v for i, p, v in before["fields"] if i == iid}
            assert store.load(iid).doc == unflatten({p: json.loads(v) for p, v in flat.items()})
            was = sorted((u, a, p or "", v or "") for i, u, a, p, v in before["audit"]
                         if i == iid)
            now = sorted((e.user, e.action, e.path or "", e.new_json or "")
                         for e in store.audit(iid))
            assert now == was  # every entry of the first kit is still there, word for word
        listed = {row["id"]: row for row in store.list()}
        assert listed["demo-v1"]["company/name"] == "北京示例医疗科技有限公司"
        tab = store.load("demo-v1")
        store.save(tab, {"company/contact": "升级后的修改"}, user="李华")
        assert store.verify("demo-v1") == []


def test_a_first_kit_database_is_refused_then_upgraded(tmp_path: Path) -> None:
    path = v1_sqlite(tmp_path)
    before = v1_rows(path)
    with pytest.raises(KitError, match="kit db upgrade"):
        Store(data_dir=tmp_path)
    proc = subprocess.run([sys.executable, "-m", "kit", "list", "--data-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "kit db upgrade" in proc.stderr
    assert migrate.status(data_dir=tmp_path) == ("0001", HEAD_REVISION)
    assert migrate.upgrade(data_dir=tmp_path) == ("0001", HEAD_REVISION)
    check_upgraded(f"sqlite:///{path}", before)
    # again: nothing to do
    assert migrate.upgrade(data_dir=tmp_path) == (HEAD_REVISION, HEAD_REVISION)


def test_a_first_kit_database_on_postgresql_upgrades_too(tmp_path: Path, pg_url: str) -> None:
    before = v1_rows(v1_sqlite(tmp_path))
    engine = sa.create_engine(pg_url, poolclass=sa.NullPool)
    from alembic import command

    with engine.begin() as connection:  # schema 1 as the first kit made it, then its rows
        command.upgrade(migrate._config(connection), "0001")
        connection.exec_driver_sql("DROP TABLE alembic_version")
        for table in ("inspections", "fields", "audit"):
            rows = before[f"raw_{table}"]
            marks = ", ".join(["%s"] * len(rows[0]))
            cur = connection.connection.cursor()
            if table == "inspections":
                rows = [(r[0], r[1], r[2], bool(r[3])) for r in rows]
            cur.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        connection.exec_driver_sql(
            "SELECT setval('audit_seq_seq', (SELECT max(seq) FROM audit))")
    engine.dispose()
    with pytest.raises(KitError, match="kit db upgrade"):
        Store(pg_url)
    assert migrate.upgrade(pg_url) == ("0001", HEAD_REVISION)
    check_upgraded(pg_url, before)


def test_a_schema_2_store_gets_the_listing_index(tmp_path: Path) -> None:
    """Schema 3 adds only the index the picker reads its most recent page by."""
    with Store(data_dir=tmp_path) as store:
        iid = store.create({"company": {"name": "北京甲"}}, user="u")
    db = sqlite3.connect(tmp_path / "kit.sqlite")
    db.execute("DROP INDEX inspections_by_update")
    db.execute("UPDATE alembic_version SET version_num = '0002'")
    db.commit()
    db.close()
    with pytest.raises(KitError, match="kit db upgrade"):
        Store(data_dir=tmp_path)
    assert migrate.upgrade(data_dir=tmp_path) == ("0002", HEAD_REVISION)
    db = sqlite3.connect(tmp_path / "kit.sqlite")
    plan = db.execute("EXPLAIN QUERY PLAN SELECT id FROM inspections "
                      "ORDER BY updated_at DESC LIMIT 5").fetchall()
    db.close()
    assert "inspections_by_update" in str(plan)
    with Store(data_dir=tmp_path) as store:
        assert store.load(iid).doc["company"]["name"] == "北京甲"
        assert store.verify() == []


def test_a_schema_3_store_gets_unique_notice_numbers(tmp_path: Path) -> None:
    """Schema 4 adds only the index that keeps a notice's document number the office's own."""
    with Store(data_dir=tmp_path) as store:
        a = store.create({"notices": {"result": {"number": "京检〔2026〕001号"}}}, user="u")
        b = store.create({"company": {"name": "北京乙"}}, user="u")
    db = sqlite3.connect(tmp_path / "kit.sqlite")
    db.execute("DROP INDEX notice_numbers")
    db.execute("UPDATE alembic_version SET version_num = '0003'")
    db.commit()
    db.close()
    with pytest.raises(KitError, match="kit db upgrade"):
        Store(data_dir=tmp_path)
    assert migrate.upgrade(data_dir=tmp_path) == ("0003", HEAD_REVISION)
    with Store(data_dir=tmp_path) as store:
        assert store.notice_numbers() == {"京检〔2026〕001号"}
        with pytest.raises(NumberTakenError):
            store.write(b, {"notices/result/number": "京检〔2026〕001号"}, expected=None,
                        user="u")
        assert store.load(a).doc["notices"]["result"]["number"] == "京检〔2026〕001号"
        assert store.verify() == []


def test_a_database_of_a_newer_kit_is_refused(tmp_path: Path) -> None:
    Store(data_dir=tmp_path).close()
    db = sqlite3.connect(tmp_path / "kit.sqlite")
    db.execute("UPDATE alembic_version SET version_num = '0099'")
    db.commit()
    db.close()
    with pytest.raises(KitError, match="upgrade the kit"):
        Store(data_dir=tmp_path)
    with pytest.raises(KitError, match="unknown schema revision"):
        migrate.upgrade(data_dir=tmp_path)


def test_an_empty_database_is_created_at_the_head(tmp_path: Path) -> None:
    assert migrate.status(data_dir=tmp_path) == (None, HEAD_REVISION)
    assert migrate.upgrade(data_dir=tmp_path) == ("(empty)", HEAD_REVISION)
    with Store(data_dir=tmp_path) as store:
        assert store.protection_problems == []


@pytest.mark.parametrize("url", ["postgresql+psycopg://nobody@127.0.0.1:1/none",
                                 "not a url", "mysql+nosuchdriver://x/y"])
def test_a_wrong_database_url_is_one_clear_line(url: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "kit", "list", "--db-url", url],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.fixture
def app_role(pg_url: str) -> Iterator[tuple[str, str]]:
    """A login role of the test cluster, with nothing granted yet: (name, its store URL)."""
    name = f"kit_app_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_url, poolclass=sa.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{name}" LOGIN')
    url = sa.make_url(pg_url).set(username=name).render_as_string(hide_password=False)
    yield name, url
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP OWNED BY "{name}"')
        conn.exec_driver_sql(f'DROP ROLE "{name}"')
    admin.dispose()


def test_the_app_role_reads_and_appends_but_never_rewrites_the_trail(pg_url, app_role):
    name, url = app_role
    with Store(pg_url) as owner:  # the owner creates the schema ...
        assert owner.role_problems()  # ... and is told it must not run the apps
        iid = owner.create({"company": {"name": "甲"}}, user="admin")
        owner.grant_app_role(name)
    with Store(url) as app:
        assert app.role_problems() == []
        app.save(app.load(iid), {"company/name": "乙"}, user="张明")
        app.create({"company": {"name": "丙"}}, user="张明")
        assert app.add_answer("8-1-0", {"correct": True}, user="张明")  # trainees' answers
        db = sa.create_engine(url, poolclass=sa.NullPool)
        for statement in ("UPDATE audit SET \"user\" = 'x'", "DELETE FROM audit",
                          "TRUNCATE audit", "ALTER TABLE audit DISABLE TRIGGER ALL"):
            with pytest.raises(sa.exc.ProgrammingError, match=r"permission denied|must be owner"), \
                    db.begin() as conn:
                conn.exec_driver_sql(statement)
        db.dispose()
        assert app.verify() == []
        assert [e.user for e in app.audit(iid)][-1] == "张明"


def test_the_app_role_keeps_answers_after_an_upgrade_to_schema_6(pg_url, app_role):
    from alembic import command

    name, url = app_role
    with Store(pg_url) as owner:
        owner.grant_app_role(name)
    engine = sa.create_engine(pg_url, poolclass=sa.NullPool)
    with engine.begin() as connection:  # the store as schema 5 had it, the role granted
        command.downgrade(migrate._config(connection), "0005")
    assert migrate.status(pg_url)[0] == "0005"
    assert migrate.upgrade(pg_url) == ("0005", HEAD_REVISION)
    engine.dispose()
    with Store(url) as app:
        assert app.add_answer("8-1-0", {"correct": True}, user="张三")
        assert app.answers("张三")[0]["correct"] is True
        db = sa.create_engine(url, poolclass=sa.NullPool)
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), db.begin() as c:
            c.exec_driver_sql("DELETE FROM answers")
        db.dispose()


def test_a_schema_6_store_gets_the_register_and_the_app_role_keeps_it(pg_url, app_role):
    """Schema 7 adds the register of companies and its append-only trail; the apps' role may
    add and update companies with their trail entries, never rewrite the trail."""
    from alembic import command

    name, url = app_role
    with Store(pg_url) as owner:
        owner.grant_app_role(name)
    engine = sa.create_engine(pg_url, poolclass=sa.NullPool)
    with engine.begin() as connection:  # the store as schema 6 had it, the role granted
        command.downgrade(migrate._config(connection), "0006")
    assert migrate.status(pg_url)[0] == "0006"
    assert migrate.upgrade(pg_url) == ("0006", HEAD_REVISION)
    engine.dispose()
    with Store(url) as app:
        assert app.protection_problems == []
        app.put_companies([{"credit_code": "91350100M000100Y43", "name": "甲"}], user="王科长")
        [change] = app.put_companies([{"credit_code": "91350100M000100Y43", "name": "乙"}],
                                     user="王科长")
        assert (change.old, change.new) == ({"credit_code": "91350100M000100Y43", "name": "甲"},
                                            {"credit_code": "91350100M000100Y43", "name": "乙"})
        db = sa.create_engine(url, poolclass=sa.NullPool)
        for statement in ("DELETE FROM company_trail", "UPDATE company_trail SET \"user\" = 'x'",
                          "DELETE FROM companies"):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), \
                    db.begin() as c:
                c.exec_driver_sql(statement)
        with pytest.raises(sa.exc.DBAPIError, match="修改记录"), db.begin() as c:
            c.exec_driver_sql("UPDATE companies SET name = '丙'")  # a change without its entry
        db.dispose()
        assert [e.new["name"] for e in app.company_trail()] == ["甲", "乙"]


def test_the_register_is_kept_by_the_database_itself(tmp_path: Path) -> None:
    with Store(data_dir=tmp_path) as store:
        store.put_companies([{"credit_code": "91350100M000100Y43", "name": "甲"}], user="u")
    db = sqlite3.connect(tmp_path / "kit.sqlite")
    for statement in ("DELETE FROM company_trail", "UPDATE company_trail SET old = 'x'",
                      "DELETE FROM companies", "UPDATE companies SET name = '丙', doc = '{}'"):
        with pytest.raises(sqlite3.DatabaseError):
            db.execute(statement)
    db.close()


PLAN_LINE = {"month": "2027-03", "company": "甲", "leader": "赵磊", "inspector": "钱敏"}


def test_a_schema_7_store_gets_the_plan_and_keeps_its_register(tmp_path: Path) -> None:
    """Schema 8 adds the year's plan as saved, its trail and their protections; nothing of
    schema 7 is rewritten."""
    from alembic import command

    with Store(data_dir=tmp_path) as store:
        iid = store.create({"company": {"name": "北京甲"}}, user="u")
        store.put_companies([{"credit_code": "91350100M000100Y43", "name": "甲"}], user="u")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'kit.sqlite'}", poolclass=sa.NullPool)
    with engine.begin() as connection:  # the store as schema 7 had it
        command.downgrade(migrate._config(connection), "0007")
    with engine.connect() as connection:
        assert not engine.dialect.has_table(connection, "plan_lines")
    engine.dispose()
    with pytest.raises(KitError, match="kit db upgrade"):
        Store(data_dir=tmp_path)
    assert migrate.upgrade(data_dir=tmp_path) == ("0007", HEAD_REVISION)
    with Store(data_dir=tmp_path) as store:
        assert store.protection_problems == []
        assert store.load(iid).doc["company"]["name"] == "北京甲"
        assert [c.doc["name"] for c in store.companies()] == ["甲"]
        store.put_plan(2027, [("91350100M000100Y43", PLAN_LINE)], user="王科长")
        made, entry = store.create_for_line("2027-001", {"company": {"name": "甲"}}, user="u",
                                            guard=lambda line: None)
        assert entry.inspection_id == made
        assert store.verify() == []
    db = sqlite3.connect(tmp_path / "kit.sqlite")
    for statement in ("DELETE FROM plan_trail", "DELETE FROM plan_lines",
                      "UPDATE plan_lines SET inspection_id = NULL"):
        with pytest.raises(sqlite3.DatabaseError):
            db.execute(statement)
    db.close()


def test_a_schema_7_store_gets_the_plan_and_the_app_role_keeps_it(pg_url, app_role):
    """On PostgreSQL the apps' role may save plan lines and make inspections from them, each
    with its trail entry, never rewrite the trail nor delete a line."""
    from alembic import command

    name, url = app_role
    with Store(pg_url) as owner:
        owner.grant_app_role(name)
    engine = sa.create_engine(pg_url, poolclass=sa.NullPool)
    with engine.begin() as connection:  # the store as schema 7 had it, the role granted
        command.downgrade(migrate._config(connection), "0007")
    assert migrate.status(pg_url)[0] == "0007"
    assert migrate.upgrade(pg_url) == ("0007", HEAD_REVISION)
    engine.dispose()
    with Store(url) as app:
        assert app.protection_problems == []
        app.put_plan(2027, [("91350100M000100Y43", PLAN_LINE)], user="王科长")
        [change], _lines = app.put_plan(2027, [("91350100M000100Y43",
                                                {**PLAN_LINE, "month": "2027-04"})],
                                        user="王科长")
        assert (change.action, change.line_id) == ("change", "2027-001")
        made, _entry = app.create_for_line("2027-001", {"company": {"name": "甲"}}, user="张明",
                                           guard=lambda line: None)
        db = sa.create_engine(url, poolclass=sa.NullPool)
        for statement in ("DELETE FROM plan_trail", "UPDATE plan_trail SET \"user\" = 'x'",
                          "DELETE FROM plan_lines", "TRUNCATE plan_trail"):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), \
                    db.begin() as c:
                c.exec_driver_sql(statement)
        for statement in ("UPDATE plan_lines SET doc = '{}'",  # a change without its entry
                          "UPDATE plan_lines SET inspection_id = NULL"):  # a done line undone
            with pytest.raises(sa.exc.DBAPIError, match="计划"), db.begin() as c:
                c.exec_driver_sql(statement)
        db.dispose()
        assert [e.action for e in app.plan_trail(year=2027)] == ["add", "change", "done"]
        kept = app.plan_line("2027-001")
        assert kept is not None
        assert kept.inspection_id == made


def test_a_role_missing_what_the_kit_writes_with_is_told_to_run_kit_db_grant(pg_url, app_role):
    """A store upgraded after ``kit db grant`` may need more of the apps' role (schema 11: each
    save moves its team rows): the office server says so at start, not at the first save."""
    name, url = app_role
    with Store(pg_url) as owner:
        owner.grant_app_role(name)
        assert owner.role_problems() != []  # the owner: fine to administer, not for the apps
    with Store(url) as app:
        assert app.role_problems() == []
    engine = sa.create_engine(pg_url, poolclass=sa.NullPool)
    with engine.begin() as c:
        c.exec_driver_sql(f'REVOKE UPDATE ON team_users FROM "{name}"')
    engine.dispose()
    with Store(url) as app:
        [(zh, en)] = app.role_problems()
        assert "kit db grant" in zh
        assert "lacks a privilege" in en
    with Store(pg_url) as owner:
        owner.grant_app_role(name)
    with Store(url) as app:
        assert app.role_problems() == []
