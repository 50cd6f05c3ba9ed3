"""Schema 12: the register's and the saved plans' trails chained, like the inspections'.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

``company_trail`` and ``plan_trail`` gain a ``mac``: each entry's MAC chained to the entry
before it of the same company (the same plan line), keyed by the office's key when
``KIT_SIGNING_KEY`` is set, as the inspections' trail is (:func:`kit.store._chain.row_mac`).
The upgrade computes the MAC of every entry already there, in order, leaving every other
column as it was (the append-only protections are lifted for that one statement per entry and
put back at once), then makes the database refuse an entry without one. ``kit audit --verify``
then replays every company's and every line's chain against its row.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from kit.store import _chain as chain
from kit.store import _schema as schema

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_NEW = ("company_trail_chained", "plan_trail_chained")
#: each trail: its table, the protection refusing an update, the chain's name, the columns
#: its MAC covers after who, when and what
_TRAILS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "company_trail": ("company_trail_no_update", "register:{}", ("credit_code", "old", "new")),
    "plan_trail": ("plan_trail_no_update", "plan:{}", ("line_id", "old", "new",
                                                      "inspection_id")),
}


def upgrade() -> None:
    bind = op.get_bind()
    key = chain.office_key()
    for table, (guard, name, columns) in _TRAILS.items():
        have = {c["name"] for c in sa.inspect(bind).get_columns(table)}
        if "mac" not in have:  # a store made by schema 2's tables of today has it already
            op.execute(f"ALTER TABLE {table} ADD COLUMN mac "
                       f"{'BYTEA' if bind.dialect.name == 'postgresql' else 'BLOB'}")
        _chain_entries(bind, table, guard, name, columns, key)
    for statement in schema.missing_protection_statements(bind, _NEW):
        op.execute(statement)


def _chain_entries(bind: Any, table: str, guard: str, name: str, columns: tuple[str, ...],
                   key: bytes | None) -> None:
    """Give every entry of ``table`` its MAC, each chain in the order of its entries."""
    rows = bind.exec_driver_sql(
        f"SELECT seq, at, \"user\", action, {', '.join(columns)}, mac FROM {table} "
        "ORDER BY seq").fetchall()
    missing = [r for r in rows if r[-1] is None]
    if not missing:
        return
    heads: dict[str, bytes] = {}
    macs: list[tuple[bytes, int]] = []
    for seq, at, user, action, ident, *parts, stored in rows:
        cid = name.format(ident)
        mac = bytes(stored) if stored is not None else chain.row_mac(
            heads.get(cid, b""), cid, at, user, action, tuple(parts), key)
        if stored is None:
            macs.append((mac, int(seq)))
        heads[cid] = mac
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {guard}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {guard}")
    update = sa.text(f"UPDATE {table} SET mac = :mac WHERE seq = :seq").bindparams(
        sa.bindparam("mac", type_=sa.LargeBinary))
    bind.execute(update, [{"mac": m, "seq": s} for m, s in macs])
    if postgres:
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {guard}")
    else:
        for statement in schema.sqlite_triggers():
            if f"TRIGGER {guard} " in statement:
                op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in _NEW:
        table = "company_trail" if name.startswith("company") else "plan_trail"
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS kit_{name}()")
    for table in _TRAILS:
        op.execute(f"ALTER TABLE {table} DROP COLUMN mac")
