"""Schema 11: an inspector's picker reads their page in order, at any size of store.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

``team_users`` gains each inspection's ``updated_at`` and is keyed by (sign-in,
``updated_at``, inspection), so that an inspector's picker (the office server's access
filter) reads the first rows of their range and stops at the page's end, instead of reading
every inspection of their teams and sorting them. The upgrade fills ``team_users`` again
from every inspection's kept summary and time (the trail is not touched). On PostgreSQL the apps' role
(the one ``kit db grant`` gave the evidence table) may also update ``team_users``: every save
moves its rows' time.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import CreateIndex, CreateTable

from kit.store import _schema as schema
from kit.store._search import team_of

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_BATCH = 1000
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TABLES = sa.MetaData()
sa.Table("inspections", _TABLES, sa.Column("key", _ID, primary_key=True))
#: ``team_users`` as schema 10 has it (revision 0010's), what a downgrade makes again
_TEAM_USERS_10 = sa.Table(
    "team_users", _TABLES,
    sa.Column("user", sa.Text, primary_key=True),
    sa.Column("ins", _ID, sa.ForeignKey("inspections.key"), primary_key=True),
    sa.Index("team_users_by_inspection", "ins"),
    sqlite_with_rowid=False,
)
#: ``team_users`` as schema 11 has it, frozen here (a later schema's may differ)
_TEAM_USERS_11 = sa.Table(
    "team_users", sa.MetaData(),
    sa.Column("user", sa.Text, primary_key=True),
    sa.Column("updated_at", sa.Text, primary_key=True),
    sa.Column("ins", _ID, sa.ForeignKey(_TABLES.tables["inspections"].c.key), primary_key=True),
    sa.Index("team_users_by_inspection", "ins", "user", unique=True),
    sqlite_with_rowid=False,
)


def upgrade() -> None:
    bind = op.get_bind()
    _remake_team_users(bind, _TEAM_USERS_11, with_time=True)  # the apps' role granted again


def downgrade() -> None:
    bind = op.get_bind()
    _remake_team_users(bind, _TEAM_USERS_10, with_time=False)


def _app_roles(bind: sa.Connection) -> list[str]:
    """The apps' role(s): given evidence by ``kit db grant`` (schema 5), not the owner."""
    return [r[0] for r in bind.exec_driver_sql(
        "SELECT DISTINCT grantee FROM information_schema.role_table_grants WHERE "
        "table_schema = current_schema() AND table_name = 'blobs' AND privilege_type = "
        "'INSERT' AND grantee <> current_user")]


def _remake_team_users(bind: sa.Connection, table: sa.Table, *, with_time: bool) -> None:
    """``team_users`` made again as ``table`` and filled from every inspection's summary."""
    roles = _app_roles(bind) if bind.dialect.name == "postgresql" else []
    op.execute("DROP TABLE IF EXISTS team_users")
    op.execute(str(CreateTable(table).compile(dialect=bind.dialect)))
    for index in table.indexes:
        op.execute(str(CreateIndex(index).compile(dialect=bind.dialect)))
    for role in roles:  # what the apps' role had on the table before
        privileges = "SELECT, INSERT, UPDATE, DELETE" if with_time else "SELECT, INSERT, DELETE"
        op.execute(f"GRANT {privileges} ON team_users TO {schema.quoted(role)}")
    page = sa.text("SELECT key, updated_at, summary FROM inspections WHERE key > :last "
                   "ORDER BY key LIMIT :n")
    last = -1
    while batch := bind.execute(page, {"last": last, "n": _BATCH}).fetchall():
        last = int(batch[-1][0])
        users = [{"user": u, "ins": ins, **({"updated_at": at} if with_time else {})}
                 for ins, at, summary in batch
                 for u in sorted(team_of(json.loads(summary or "{}")))]
        if users:
            bind.execute(table.insert(), users)
