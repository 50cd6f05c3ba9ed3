"""Schema 9: the reminders sent (``kit remind``), one per finding, deadline and kind.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10

One new table, ``reminders`` (each reminder mail sent: which inspection and finding, the
deadline in force then, ``before`` it or ``after`` it passed, the working day it was for, its
recipients, who sent it and when), unique per finding, deadline and kind, and its protections:
append-only, no row changed or removed. On PostgreSQL the apps' role (the one ``kit db grant``
gave the evidence table) may read it and add to it, never rewrite it.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.schema import CreateIndex, CreateTable

from kit.store import _schema as schema

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_NEW = ("reminders_no_update", "reminders_no_delete")


def upgrade() -> None:
    bind = op.get_bind()
    table = schema.reminders
    if not bind.dialect.has_table(bind, table.name):
        op.execute(str(CreateTable(table).compile(dialect=bind.dialect)))
        for index in table.indexes:
            op.execute(str(CreateIndex(index).compile(dialect=bind.dialect)))
    for statement in schema.missing_protection_statements(bind, _NEW):
        op.execute(statement)
    if bind.dialect.name == "postgresql":
        # the apps' role (given evidence by `kit db grant` for schema 5) records reminders too
        roles = [r[0] for r in bind.exec_driver_sql(
            "SELECT DISTINCT grantee FROM information_schema.role_table_grants WHERE "
            "table_schema = current_schema() AND table_name = 'blobs' AND privilege_type = "
            "'INSERT' AND grantee <> current_user")]
        for role in roles:
            who = schema.quoted(role)
            op.execute(f"GRANT SELECT, INSERT ON reminders TO {who}")
            op.execute(f"GRANT USAGE, SELECT ON SEQUENCE reminders_seq_seq TO {who}")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in _NEW:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON reminders" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS kit_{name}()")
    op.execute("DROP TABLE IF EXISTS reminders")
