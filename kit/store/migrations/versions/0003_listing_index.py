"""Schema 3: an index on when each inspection last changed, so that the app's picker reads the
most recent page of inspections by key, not the whole table (an office keeps thousands).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Nothing else changes; no row is rewritten. (A store upgraded from schema 1 in the same run
already has the index: revision 0002 builds its tables from the current definitions.)
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS inspections_by_update "
               "ON inspections (updated_at)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS inspections_by_update")
