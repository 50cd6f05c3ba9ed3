"""Schema 7: the office's register of companies (``kit companies import``), with its trail.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08

Two new tables, ``companies`` (one row per credit code) and ``company_trail`` (every change:
who, when, the row before and after), and their protections: the trail is append-only, a
company's row changes only with its trail entry and is never deleted. No row is rewritten. On
PostgreSQL the apps' role (the one ``kit db grant`` gave the evidence table) may read the
register, add to it and update it with its trail, never rewrite the trail.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.schema import CreateIndex, CreateTable

from kit.store import _schema as schema

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_NEW = ("company_trail_no_update", "company_trail_no_delete", "companies_insert_audited",
        "companies_update_audited", "companies_no_delete")


def upgrade() -> None:
    bind = op.get_bind()
    for table in (schema.company_trail, schema.companies):
        if not bind.dialect.has_table(bind, table.name):
            op.execute(str(CreateTable(table).compile(dialect=bind.dialect)))
            for index in table.indexes:
                op.execute(str(CreateIndex(index).compile(dialect=bind.dialect)))
    for statement in schema.missing_protection_statements(bind, _NEW):
        op.execute(statement)
    if bind.dialect.name == "postgresql":
        # the apps' role (given evidence by `kit db grant` for schema 5) keeps the register too
        roles = [r[0] for r in bind.exec_driver_sql(
            "SELECT DISTINCT grantee FROM information_schema.role_table_grants WHERE "
            "table_schema = current_schema() AND table_name = 'blobs' AND privilege_type = "
            "'INSERT' AND grantee <> current_user")]
        for role in roles:
            who = schema.quoted(role)
            op.execute(f"GRANT SELECT, INSERT, UPDATE ON companies TO {who}")
            op.execute(f"GRANT SELECT, INSERT ON company_trail TO {who}")
            op.execute(f"GRANT USAGE, SELECT ON SEQUENCE company_trail_seq_seq TO {who}")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in _NEW:
        table = "company_trail" if name.startswith("company_trail") else "companies"
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS kit_{name}()")
    op.execute("DROP TABLE IF EXISTS companies")
    op.execute("DROP TABLE IF EXISTS company_trail")
