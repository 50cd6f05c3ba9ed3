"""Schema 8: the year's plan as saved (``kit plan --save``), each line with its id and trail.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09

Two new tables, ``plan_lines`` (one row per line of a year's plan: its stable id such as
``2027-014``, the company it plans, the line, and the inspection made from it once done) and
``plan_trail`` (every change: who, when, the line before and after, the inspection it was done
by), and their protections: the trail is append-only, a line changes only with its trail
entry, is never deleted, and once done keeps its inspection. No row is rewritten. On
PostgreSQL the apps' role (the one ``kit db grant`` gave the evidence table) may read the
plan, add lines and change them with their trail, never rewrite the trail.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.schema import CreateIndex, CreateTable

from kit.store import _schema as schema

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_NEW = ("plan_trail_no_update", "plan_trail_no_delete", "plan_lines_insert_audited",
        "plan_lines_update_audited", "plan_lines_no_delete", "plan_lines_done_kept")


def upgrade() -> None:
    bind = op.get_bind()
    for table in (schema.plan_trail, schema.plan_lines):
        if not bind.dialect.has_table(bind, table.name):
            op.execute(str(CreateTable(table).compile(dialect=bind.dialect)))
            for index in table.indexes:
                op.execute(str(CreateIndex(index).compile(dialect=bind.dialect)))
    for statement in schema.missing_protection_statements(bind, _NEW):
        op.execute(statement)
    if bind.dialect.name == "postgresql":
        # the apps' role (given evidence by `kit db grant` for schema 5) keeps the plan too
        roles = [r[0] for r in bind.exec_driver_sql(
            "SELECT DISTINCT grantee FROM information_schema.role_table_grants WHERE "
            "table_schema = current_schema() AND table_name = 'blobs' AND privilege_type = "
            "'INSERT' AND grantee <> current_user")]
        for role in roles:
            who = schema.quoted(role)
            op.execute(f"GRANT SELECT, INSERT, UPDATE ON plan_lines TO {who}")
            op.execute(f"GRANT SELECT, INSERT ON plan_trail TO {who}")
            op.execute(f"GRANT USAGE, SELECT ON SEQUENCE plan_trail_seq_seq TO {who}")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in _NEW:
        table = "plan_trail" if name.startswith("plan_trail") else "plan_lines"
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS kit_{name}()")
    op.execute("DROP TABLE IF EXISTS plan_lines")
    op.execute("DROP TABLE IF EXISTS plan_trail")
