"""The first kit's schema (schema 1): one row per field, an audit row per change.

Revision ID: 0001
Revises:
Create Date: 2026-11-20

A database made by the first kit has these tables and a ``kit_schema`` row saying 1, but no
``alembic_version``; ``kit db upgrade`` stamps it with this revision before upgrading.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("kit_schema", sa.Column("version", sa.Integer, nullable=False))
    op.create_table(
        "inspections",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
    )
    op.create_table(
        "fields",
        sa.Column("inspection_id", sa.Text, sa.ForeignKey("inspections.id"), primary_key=True),
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("value_json", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "audit",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("inspection_id", sa.Text, sa.ForeignKey("inspections.id"), nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("path", sa.Text),
        sa.Column("old_json", sa.Text),
        sa.Column("new_json", sa.Text),
        sqlite_autoincrement=True,
    )
    op.create_index("audit_by_inspection", "audit", ["inspection_id", "seq"])
    op.execute("INSERT INTO kit_schema (version) VALUES (1)")


def downgrade() -> None:
    for table in ("audit", "fields", "inspections", "kit_schema"):
        op.drop_table(table)
