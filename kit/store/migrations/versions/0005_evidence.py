"""Schema 5: evidence (photos, files, drawn signatures) kept once by SHA-256, never changed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

A new table ``blobs`` and its two protections (no update, no delete); no row is rewritten.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.schema import CreateTable

from kit.store import _schema as schema

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_NEW = ("blobs_no_update", "blobs_no_delete")


def upgrade() -> None:
    bind = op.get_bind()
    if not bind.dialect.has_table(bind, "blobs"):
        op.execute(str(CreateTable(schema.blobs).compile(dialect=bind.dialect)))
    for statement in schema.missing_protection_statements(bind, _NEW):
        op.execute(statement)


def downgrade() -> None:
    for name in _NEW:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (
            " ON blobs" if op.get_bind().dialect.name == "postgresql" else ""))
    op.execute("DROP TABLE IF EXISTS blobs")
