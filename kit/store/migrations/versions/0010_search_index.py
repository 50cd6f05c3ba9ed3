"""Schema 10: the picker's search and the access filter read by key, at any size of store.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

Each inspection's row gains its searched text (``inspections.search``: id, summary values,
team sign-ins and people, case folded), and two new tables hold what is read by key:
``search_grams`` (every piece of one, two and three characters of each searched value) and
``team_users`` (the sign-ins of each team: the office server's access filter). The upgrade
fills all three from every inspection's kept summary (the trail is not touched: its entries
and MACs stay as they are). On PostgreSQL the apps' role (the one ``kit db grant`` gave the
evidence table) keeps both tables current as it writes inspections.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import CreateIndex, CreateTable

from kit.store import _schema as schema
from kit.store._search import grams, search_text, search_values, team_of

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TABLES = sa.MetaData()
sa.Table("inspections", _TABLES, sa.Column("key", _ID, primary_key=True))
#: ``team_users`` as schema 10 has it (schema 11 keys it by update too: revision 0011)
TEAM_USERS = sa.Table(
    "team_users", _TABLES,
    sa.Column("user", sa.Text, primary_key=True),
    sa.Column("ins", _ID, sa.ForeignKey("inspections.key"), primary_key=True),
    sa.Index("team_users_by_inspection", "ins"),
    sqlite_with_rowid=False,
)

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    bind = op.get_bind()
    columns = {c["name"] for c in sa.inspect(bind).get_columns("inspections")}
    if "search" not in columns:
        op.execute("ALTER TABLE inspections ADD COLUMN search TEXT NOT NULL DEFAULT ''")
    if bind.dialect.has_table(bind, "team_users"):
        # made by 0002 from the current definitions (a store upgraded from schema 1 in this
        # run): schema 10's own, filled below
        op.execute("DROP TABLE team_users")
    for table in (schema.search_grams, TEAM_USERS):
        if not bind.dialect.has_table(bind, table.name):
            op.execute(str(CreateTable(table).compile(dialect=bind.dialect)))
            for index in table.indexes:
                op.execute(str(CreateIndex(index).compile(dialect=bind.dialect)))
    # a store upgraded from schema 1 in this run made both tables empty in 0002: fill them
    # from every inspection's kept summary, once
    op.execute("DELETE FROM search_grams")
    op.execute("DELETE FROM team_users")
    page = sa.text("SELECT key, id, created_by, updated_by, summary FROM inspections "
                   "WHERE key > :last ORDER BY key LIMIT :n")
    last = -1
    while batch := bind.execute(page, {"last": last, "n": _BATCH}).fetchall():
        last = int(batch[-1][0])
        texts: list[dict[str, object]] = []
        pieces: list[dict[str, object]] = []
        users: list[dict[str, object]] = []
        for ins, iid, created_by, updated_by, summary in batch:
            kept = json.loads(summary or "{}")
            text = search_text(search_values(str(iid), kept, str(created_by), str(updated_by)))
            texts.append({"ins": ins, "search": text})
            pieces += [{"gram": g, "ins": ins} for g in sorted(grams(text))]
            users += [{"user": u, "ins": ins} for u in sorted(team_of(kept))]
        _fill(bind, texts, pieces, users)
    if bind.dialect.name == "postgresql":
        # the apps' role (given evidence by `kit db grant` for schema 5) keeps the index too
        roles = [r[0] for r in bind.exec_driver_sql(
            "SELECT DISTINCT grantee FROM information_schema.role_table_grants WHERE "
            "table_schema = current_schema() AND table_name = 'blobs' AND privilege_type = "
            "'INSERT' AND grantee <> current_user")]
        for role in roles:
            who = schema.quoted(role)
            op.execute(f"GRANT SELECT, INSERT, DELETE ON search_grams TO {who}")
            op.execute(f"GRANT SELECT, INSERT, DELETE ON team_users TO {who}")


def _fill(bind: sa.Connection, texts: list[dict[str, object]],
          pieces: list[dict[str, object]], users: list[dict[str, object]]) -> None:
    bind.execute(sa.text("UPDATE inspections SET search = :search WHERE key = :ins"), texts)
    if pieces:
        bind.execute(schema.search_grams.insert(), pieces)
    if users:
        bind.execute(TEAM_USERS.insert(), users)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_grams")
    op.execute("DROP TABLE IF EXISTS team_users")
    op.execute("ALTER TABLE inspections DROP COLUMN search")
