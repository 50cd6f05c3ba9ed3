"""Schema 6: trainees' answers to the training exercises, one per person and exercise, kept.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

A new table ``answers`` (unique per user and exercise: the first answer counts) and its two
protections (no update, no delete); no row is rewritten. On PostgreSQL the apps' role (the one
``kit db grant`` gave the evidence table) may read and add answers, never change them.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.schema import CreateTable

from kit.store import _schema as schema

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_NEW = ("answers_no_update", "answers_no_delete")


def upgrade() -> None:
    bind = op.get_bind()
    if not bind.dialect.has_table(bind, "answers"):
        op.execute(str(CreateTable(schema.answers).compile(dialect=bind.dialect)))
    for statement in schema.missing_protection_statements(bind, _NEW):
        op.execute(statement)
    if bind.dialect.name == "postgresql":
        # the apps' role (given evidence by `kit db grant` for schema 5) may keep answers too
        roles = [r[0] for r in bind.exec_driver_sql(
            "SELECT DISTINCT grantee FROM information_schema.role_table_grants WHERE "
            "table_schema = current_schema() AND table_name = 'blobs' AND privilege_type = "
            "'INSERT' AND grantee <> current_user")]
        for role in roles:
            op.execute(f"GRANT SELECT, INSERT ON answers TO {schema.quoted(role)}")
            op.execute(f"GRANT USAGE, SELECT ON SEQUENCE answers_seq_seq TO "
                       f"{schema.quoted(role)}")


def downgrade() -> None:
    for name in _NEW:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (
            " ON answers" if op.get_bind().dialect.name == "postgresql" else ""))
    op.execute("DROP TABLE IF EXISTS answers")
