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
    # a store upgraded from schema 1 in the same run has them already (0002 builds from the
    # current definitions): create each only if it is missing
    present = set(schema.protection_names(bind))
    if bind.dialect.name == "sqlite":
        for statement in schema.sqlite_triggers():
            if any(f"TRIGGER {name} " in statement and name not in present for name in _NEW):
                op.execute(statement)
    elif bind.dialect.name == "postgresql":
        for statement in schema.postgres_triggers():
            if any(f"kit_{name}()" in statement and name not in present for name in _NEW):
                op.execute(statement)


def downgrade() -> None:
    for name in _NEW:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (
            " ON blobs" if op.get_bind().dialect.name == "postgresql" else ""))
    op.execute("DROP TABLE IF EXISTS blobs")
