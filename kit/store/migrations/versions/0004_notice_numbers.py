"""Schema 4: a written notice's document number is never given twice (a unique index over the
current values at ``notices/<kind>/number``, numbers of deleted inspections included).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

No row is rewritten; stores of schema 3 hold no notices yet.
"""

from __future__ import annotations

from alembic import op

from kit.store._schema import NOTICE_NUMBERS

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS notice_numbers ON fields (value) "
               f"WHERE {NOTICE_NUMBERS}")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS notice_numbers")
