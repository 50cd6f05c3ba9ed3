"""Schema 2: a chained, tamper-evident trail; current values that follow from it; a summary row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Every inspection, field and audit entry of schema 1 is carried over, nothing dropped:

* each inspection gets an integer key, its listing summary and its chain head;
* a new inspection's block of entries (the ``create`` or ``import`` head and one entry per
  field, all at one time) becomes one entry holding the whole document; every later entry is
  kept as it was (who, when, what, the new value; the old value follows from the trail);
* every entry gets its MAC, chained per inspection (keyed when ``KIT_SIGNING_KEY`` is set), and
  each field's version becomes the new number of the entry that wrote it;
* the protections of schema 2 are created last, once the history is in place.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from kit.store import _chain as chain
from kit.store import _schema as schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_V1_TRIGGERS = ("audit_no_update", "audit_no_delete", "inspections_soft_delete_only",
                "inspections_keep_origin")
_SUMMARY = ("company/name", "scope/type", "scope/start_date", "stage")


def _at(text: str) -> str:
    moment = datetime.fromisoformat(text).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _blocks(entries: list[Any]) -> list[tuple[Any, list[Any]]]:
    """Schema 1's entries grouped: a new inspection's head with its per-field entries, or one."""
    out: list[tuple[Any, list[Any]]] = []
    for entry in entries:
        _seq, at, user, action, path, _new = entry
        if out and path is not None:
            head, members = out[-1]
            if head[4] is None and head[3] not in ("delete", "restore") and \
                    (head[1], head[2], head[3]) == (at, user, action):
                members.append(entry)
                continue
        out.append((entry, [entry]))
    return out


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "sqlite":
        for name in _V1_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for name in _V1_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON audit")
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON inspections")
    op.drop_index("audit_by_inspection", table_name="audit")
    for table in ("audit", "fields", "inspections"):
        op.rename_table(table, f"v1_{table}")
        if dialect == "postgresql":  # the names schema 2's tables will want
            op.execute(f"ALTER INDEX IF EXISTS {table}_pkey RENAME TO v1_{table}_pkey")
    if dialect == "postgresql":
        op.execute("ALTER SEQUENCE IF EXISTS audit_seq_seq RENAME TO v1_audit_seq_seq")
    schema.metadata.create_all(bind)
    key = chain.office_key()
    i, f, a = schema.inspections, schema.fields, schema.audit
    heads = bind.execute(sa.text(
        "SELECT id, created_at, created_by, deleted FROM v1_inspections")).fetchall()
    order = bind.execute(sa.text(
        "SELECT inspection_id, min(seq) FROM v1_audit GROUP BY inspection_id")).fetchall()
    first: dict[str, int] = {str(iid): int(seq) for iid, seq in order}
    for iid, created_at, created_by, deleted in sorted(heads, key=lambda h: first.get(h[0], 0)):
        entries = bind.execute(sa.text(
            'SELECT seq, at, "user", action, path, new_json FROM v1_audit '
            "WHERE inspection_id = :iid ORDER BY seq"), {"iid": iid}).fetchall()
        rows = bind.execute(sa.text(
            "SELECT path, value_json, version FROM v1_fields WHERE inspection_id = :iid"),
            {"iid": iid}).fetchall()
        ins = bind.execute(i.insert().values(
            id=iid, created_at=_at(created_at), created_by=created_by, deleted=bool(deleted),
            updated_at=_at(created_at), updated_by=created_by, head_seq=0, head_mac=b"",
            summary="{}").returning(i.c.key)).scalar_one()
        new_seq: dict[int, int] = {}
        prev, last_at, last_user, head_seq = b"", _at(created_at), created_by, 0
        for head, members in _blocks(list(entries)):
            _seq, at_text, user, action, path, new = head
            at = _at(at_text)
            if path is None and action not in ("delete", "restore"):
                snapshot = chain.snapshot_text({m[4]: m[5] for m in members[1:]
                                                if m[5] is not None})
                mac = chain.mac(prev, iid, at, user, action, None, snapshot, key)
                values = {"path": None, "value": None,
                          "snapshot": chain.pack_snapshot(snapshot)}
            else:
                mac = chain.mac(prev, iid, at, user, action, path, new, key)
                values = {"path": path, "value": new, "snapshot": None}
            head_seq = bind.execute(a.insert().values(
                ins=ins, at=at, user=user, action=action, mac=mac, **values)
                .returning(a.c.seq)).scalar_one()
            for member in members:
                new_seq[member[0]] = head_seq
            prev, last_at, last_user = mac, at, user
        if rows:
            bind.execute(f.insert(), [{"ins": ins, "path": p, "value": v,
                                       "version": new_seq.get(version, head_seq)}
                                      for p, v, version in rows])
        values_now = {p: json.loads(v) for p, v, _version in rows if p in _SUMMARY}
        summary = json.dumps(values_now, ensure_ascii=False, sort_keys=True,
                             separators=(",", ":"))
        bind.execute(i.update().where(i.c.key == ins).values(
            head_seq=head_seq, head_mac=prev, updated_at=last_at, updated_by=last_user,
            summary=summary))
    for table in ("audit", "fields", "inspections"):
        op.drop_table(f"v1_{table}")
    op.drop_table("kit_schema")
    for statement in (schema.sqlite_triggers() if dialect == "sqlite" else
                      schema.postgres_triggers() if dialect == "postgresql" else []):
        op.execute(statement)


def downgrade() -> None:
    msg = ("schema 2 keeps the trail as a chain; going back to schema 1 would throw that away: "
           "restore the backup taken before `kit db upgrade` instead")
    raise NotImplementedError(msg)
