"""Upgrading a store's schema, and the PostgreSQL role the kit connects as (``kit db``).

A database is upgraded only when someone asks for it (``kit db upgrade``), never on opening:
take a backup first. The migrations are Alembic revisions in ``kit/store/migrations``; a
database made by the first kit (schema 1, no Alembic stamp) is stamped 0001 first.

>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> status(data_dir=folder)
(None, '0012')
>>> upgrade(data_dir=folder)
('(empty)', '0012')
>>> status(data_dir=folder)
('0012', '0012')
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from kit.errors import KitError
from kit.store._schema import HEAD_REVISION, SCHEMA_NUMBER
from kit.store._store import Store, resolve_url

__all__ = ["HEAD_REVISION", "status", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _current(connection: sa.Connection) -> str | None:
    revision = MigrationContext.configure(connection).get_current_revision()
    if revision is None and sa.inspect(connection).has_table("kit_schema"):
        return "0001"
    return revision


def status(url: str | None = None, *, data_dir: str | Path | None = None
           ) -> tuple[str | None, str]:
    """(the database's revision, or None for an empty one; the revision this kit needs)."""
    engine = sa.create_engine(resolve_url(url, data_dir), poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            return _current(connection), HEAD_REVISION
    except sa.exc.OperationalError as exc:
        msg = f"无法连接数据库：{exc.orig} / cannot reach the database: {exc.orig}"
        raise KitError(msg) from None
    finally:
        engine.dispose()


def upgrade(url: str | None = None, *, data_dir: str | Path | None = None) -> tuple[str, str]:
    """Bring a database to this kit's schema; return (revision before, revision after)."""
    engine = sa.create_engine(resolve_url(url, data_dir), poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            before = _current(connection)
            if before is None and not sa.inspect(connection).get_table_names():
                before = "(empty)"
            elif before == "0001" and MigrationContext.configure(
                    connection).get_current_revision() is None:
                command.stamp(_config(connection), "0001")
            if before not in SCHEMA_NUMBER and before != "(empty)":
                msg = f"数据库的结构版本 {before!r} 未知，无法升级 / unknown schema revision {before!r}"
                raise KitError(msg)
        if before == "(empty)":
            Store(url, data_dir=data_dir).close()  # an empty database: created at the head
            return before, HEAD_REVISION
        with engine.begin() as connection:
            command.upgrade(_config(connection), "head")
    except sa.exc.OperationalError as exc:
        msg = f"无法连接数据库：{exc.orig} / cannot reach the database: {exc.orig}"
        raise KitError(msg) from None
    finally:
        engine.dispose()
    return before, HEAD_REVISION
