"""Where inspections are kept: one row per field, saved as it is typed, with an audit trail.

An inspection is a JSON document. The store keeps one row per *leaf* (see :func:`flatten`), so
two browser tabs (two kernels) editing different fields of one inspection never touch the same
row, and editing one field is one small transaction. Each row has a version; a write states the
version it last read, and if someone else changed the field since, nothing is written and a
:class:`FieldConflictError` says who changed it, when, and to what (optimistic concurrency).

Every change appends to the ``audit`` table (who, when in UTC, what, the old and the new
value): nothing updates or deletes it, and on SQLite triggers refuse it at the SQL level
(21 CFR 11.10(e): a change never hides what was there before). Deleting an inspection only
marks it deleted. Each write is committed (SQLite: WAL, ``synchronous=FULL``) before the call
returns; a busy database is waited for (``busy_timeout``) instead of failing.

>>> store = Store("sqlite://")                 # in memory; Store() uses the user's data folder
>>> iid = store.create({"company": {"name": "甲公司"}}, user="张三")
>>> record = store.load(iid)
>>> record.set("company/name", "乙公司", user="张三")
>>> [(e.action, e.path, e.old, e.new) for e in store.audit(iid)][-1]
('update', 'company/name', '甲公司', '乙公司')
"""

from __future__ import annotations

import getpass
import json
import os
import re
import secrets
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, NamedTuple, NoReturn

import platformdirs
import sqlalchemy as sa

from kit.errors import ConflictError, KitError, NotFoundError, Problem, ValidationError
from kit.store._doc import (
    DELETE,
    SEP,
    AuditEntry,
    FieldConflict,
    FieldConflictError,
    decode,
    encode_rows,
    flatten,
    leaf_rows,
)
from kit.store._record import Record
from kit.store._sql import (
    BUSY_TIMEOUT_S,
    Sql,
    Statements,
    below_args,
    create_schema,
    sqlite_on_connect,
)

APP_NAME: Final = "bj-inspection-kit"
DB_FILE: Final = "kit.sqlite"
SUMMARY_PATHS: Final = ("company/name", "inspection/type", "inspection/start_date")
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_ACTION_RE = re.compile(r"[a-z][a-z_]{0,31}")


# -- who ----------------------------------------------------------------------------------------
def current_user(default: str | None = None) -> str:
    """The JupyterHub user (``JUPYTERHUB_USER``) when set, else ``default``, else the OS login."""
    hub = os.environ.get("JUPYTERHUB_USER", "").strip()
    if hub:
        return hub
    if default:
        return default
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _check_user(user: str) -> str:
    if not isinstance(user, str) or not user.strip():
        msg = "每次修改都必须写明修改人 / every change needs a user (who made it)"
        raise KitError(msg)
    return user.strip()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class _Change:
    path: str
    value_json: str | None  # None: the row is gone
    version: int | None


# -- the store ----------------------------------------------------------------------------------
def resolve_url(url: str | None = None, data_dir: str | os.PathLike[str] | None = None) -> sa.URL:
    """The database: ``url``, else ``data_dir/kit.sqlite``, else env ``KIT_DB_URL``, else
    ``$KIT_DATA_DIR/kit.sqlite``, else ``kit.sqlite`` in the user's data folder (platformdirs)."""
    if url is not None and data_dir is not None:
        msg = "url 与 data_dir 只能给一个 / give url or data_dir, not both"
        raise KitError(msg)
    if url is None and data_dir is None:
        url = os.environ.get("KIT_DB_URL") or None
        data_dir = os.environ.get("KIT_DATA_DIR") or None
    if url is not None:
        return sa.make_url(url)
    folder = Path(data_dir or platformdirs.user_data_dir(APP_NAME)).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return sa.URL.create("sqlite", database=str(folder / DB_FILE))


class _Edit(NamedTuple):
    """One write transaction on one inspection: the open cursor, who, when and why."""

    cur: Any
    iid: str
    at: str
    user: str
    action: str


class Store:
    """Inspections in any SQLAlchemy database; by default a SQLite file in the data folder.

    One connection per store, used under a lock (widget callbacks may come from threads).
    """

    def __init__(self, url: str | None = None, *, data_dir: Path | str | None = None) -> None:
        self.url = resolve_url(url, data_dir)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        args = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_S} if self.is_sqlite else {}
        self.engine = sa.create_engine(self.url, connect_args=args)
        if self.is_sqlite:
            sa.event.listen(self.engine, "connect", sqlite_on_connect)
        self._lock = threading.RLock()
        self._pooled = self.engine.raw_connection()
        self._conn: Any = self._pooled.driver_connection
        self._dbapi: Any = self.engine.dialect.loaded_dbapi
        try:
            self._sql = Statements(self.engine.dialect)
            with self._tx(write=True) as cur:
                create_schema(cur, self.engine.dialect)
        except BaseException:
            self.close()
            raise

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None (another database, or SQLite in memory)."""
        db = self.url.database
        return Path(db) if self.is_sqlite and db and db != ":memory:" else None

    def __repr__(self) -> str:
        return f"Store({self.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        with self._lock:
            self._pooled.close()
            self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------------------------
    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[Any]:
        """A transaction on the store's connection; on SQLite a write takes the lock up front,
        so it waits for another tab (busy_timeout) instead of failing half-way."""
        with self._lock:
            try:
                cur = self._conn.cursor()
                if self.is_sqlite:
                    cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield cur
                self._conn.commit()
            except BaseException as err:
                self._conn.rollback()
                if isinstance(err, self._dbapi.OperationalError) and "locked" in str(err):
                    msg = (
                        f"数据库忙（其他窗口正在保存），{BUSY_TIMEOUT_S:.0f} 秒内未能保存，请重试"
                        f" / the database stayed busy for {BUSY_TIMEOUT_S:.0f} s; try again"
                    )
                    raise KitError(msg) from err
                raise

    def _run(self, cur: Any, sql: Sql, **values: Any) -> Any:
        cur.execute(sql.text, sql.args(values))
        return cur

    def _inspection(self, cur: Any, inspection_id: str, *, deleted_ok: bool = False) -> Any:
        row = self._run(cur, self._sql.inspection, iid=inspection_id).fetchone()
        if row is None or (row[3] and not deleted_ok):
            _not_found(inspection_id, deleted=row is not None)
        return row

    def _log(self, e: _Edit, path: str | None, old: str | None, new: str | None) -> int:
        """Append one audit row; its seq becomes the field's new version (never reused)."""
        sql = self._sql.add_audit
        values = {"iid": e.iid, "at": e.at, "user": e.user, "action": e.action}
        e.cur.execute(sql.text, sql.args({**values, "path": path, "old": old, "new": new}))
        return int(e.cur.fetchone()[0] if sql.returns else e.cur.lastrowid)

    def _put(self, e: _Edit, path: str, old: Any, value_json: str) -> _Change:
        """Write one row (``old``: its current row, or None) and its audit entry."""
        seq = self._log(e, path, old and old[1], value_json)
        values = {"iid": e.iid, "path": path, "value": value_json, "version": seq}
        values.update(at=e.at, user=e.user)
        if old is None:
            self._run(e.cur, self._sql.insert_field, **values)
        elif self._run(e.cur, self._sql.update_field, old_version=old[2], **values).rowcount != 1:
            # changed between our read and our write: only where SQLite's lock is not used
            raise FieldConflictError([self._current(e, path)])
        return _Change(path, value_json, seq)

    def _drop(self, e: _Edit, row: Any) -> _Change:
        self._log(e, row[0], row[1], None)
        self._run(e.cur, self._sql.delete_field, iid=e.iid, path=row[0])
        return _Change(row[0], None, None)

    # -- whole inspections --------------------------------------------------------------------
    def create(
        self,
        doc: Mapping[str, Any],
        *,
        user: str,
        inspection_id: str | None = None,
        action: str = "create",
    ) -> str:
        """Store a new inspection and return its id (``2026-1120-a1b2c3`` unless given)."""
        user, action = _check_user(user), _check_action(action)
        rows = encode_rows(flatten(doc))
        if inspection_id is not None and not _ID_RE.fullmatch(inspection_id):
            msg = (
                f"检查记录编号 {inspection_id!r} 只能含字母、数字、. _ -"
                f" / an inspection id is letters, digits, '.', '_' or '-' (64 at most)"
            )
            raise KitError(msg)
        with self._tx(write=True) as cur:
            iid = inspection_id or _new_id()
            while self._run(cur, self._sql.inspection, iid=iid).fetchone() is not None:
                if inspection_id is not None:
                    msg = f"检查记录 {iid} 已存在 / inspection {iid} already exists"
                    raise ConflictError(msg)
                iid = _new_id()
            e = _Edit(cur, iid, _now(), user, action)
            self._run(cur, self._sql.add_inspection, iid=iid, at=e.at, user=user)
            self._log(e, None, None, None)
            for path, value_json in rows.items():
                self._put(e, path, None, value_json)
        return iid

    def load(self, inspection_id: str) -> Record:
        """The inspection as it is now; :class:`NotFoundError` if unknown or deleted."""
        with self._tx(write=False) as cur:
            head = self._inspection(cur, inspection_id)
            rows = self._run(cur, self._sql.fields_of, iid=inspection_id).fetchall()
        doc, versions = decode(rows)
        return Record(self, inspection_id, doc, versions, head[1], head[2])

    def audit(self, inspection_id: str, path: str | None = None) -> list[AuditEntry]:
        """The audit trail of an inspection, oldest first (with ``path``: of that subtree)."""
        with self._tx(write=False) as cur:
            self._inspection(cur, inspection_id, deleted_ok=True)
            rows = self._run(cur, self._sql.audit_of, iid=inspection_id).fetchall()
        entries = [AuditEntry(r[0], r[1], datetime.fromisoformat(r[2]), *r[3:]) for r in rows]
        if path is None:
            return entries
        return [e for e in entries if e.path == path or (e.path or "").startswith(path + SEP)]

    def keys_ever(self, inspection_id: str, base: str) -> set[str]:
        """Every id an entry under ``base`` (``findings``, ``team``...) ever had, deleted or not.

        New entries take an id outside this set, so a removed entry's id is never given again
        and the trail of each id tells one entry's story.
        """
        depth = base.count(SEP) + 1
        return {e.path.split(SEP)[depth] for e in self.audit(inspection_id, base)
                if e.path and e.path.count(SEP) >= depth}

    def delete(self, inspection_id: str, *, user: str) -> None:
        """Mark an inspection deleted (it stays in the database and in the audit trail)."""
        self._set_deleted(inspection_id, True, _check_user(user), "delete")

    def restore(self, inspection_id: str, *, user: str) -> None:
        """Undo :meth:`delete`."""
        self._set_deleted(inspection_id, False, _check_user(user), "restore")

    def _set_deleted(self, inspection_id: str, deleted: bool, user: str, action: str) -> None:
        with self._tx(write=True) as cur:
            if bool(self._inspection(cur, inspection_id, deleted_ok=True)[3]) == deleted:
                return
            self._run(cur, self._sql.mark_deleted, iid=inspection_id, deleted=deleted)
            self._log(_Edit(cur, inspection_id, _now(), user, action), None, None, None)

    # -- fields ---------------------------------------------------------------------------------
    def set_many(
        self,
        inspection_id: str,
        changes: Mapping[str, Any],
        *,
        user: str,
        action: str = "import",
        expected: Mapping[str, int] | None = None,
    ) -> None:
        """Apply ``changes`` (path -> value, or :data:`DELETE`) in one transaction, or none.

        With ``expected`` (path -> version last read; a path absent = expected absent), a
        field changed since raises :class:`FieldConflictError`; without it, changes win.
        """
        self._write(inspection_id, list(changes.items()), expected, user, action)

    def _write(
        self,
        iid: str,
        ops: list[tuple[str, Any]],
        expected: Mapping[str, int] | None,
        user: str,
        action: str,
    ) -> list[_Change]:
        user, action = _check_user(user), _check_action(action)
        prepared = [(path, None if v is DELETE else leaf_rows(path, v)) for path, v in ops]
        batch = dict(expected) if expected is not None and len(ops) > 1 else None
        changes: list[_Change] = []
        with self._tx(write=True) as cur:
            e = _Edit(cur, iid, _now(), user, action)
            for path, new in prepared:
                done = self._apply(e, path, new, expected if batch is None else batch)
                if batch is not None:  # later changes in the batch see the earlier ones
                    for c in done:
                        if c.version is None:
                            batch.pop(c.path, None)
                        else:
                            batch[c.path] = c.version
                changes += done
        return changes

    def _apply(
        self, e: _Edit, path: str, new: dict[str, str] | None, expected: Mapping[str, int] | None
    ) -> list[_Change]:
        """Make the subtree at ``path`` hold the rows ``new`` (None: remove it)."""
        head = self._run(e.cur, self._sql.field_with_head, iid=e.iid, path=path).fetchone()
        if head is None or head[0]:
            _not_found(e.iid, deleted=head is not None)
        if new is not None and head[1] is not None and len(new) == 1 and path in new:
            # the common case: an existing value replaced by another. A writer that has not
            # seen the field yet is refused even when the value is the same: otherwise two tabs
            # creating the same entry would both think it theirs, and one left no audit row.
            unseen = expected is not None and path not in expected
            if new[path] == head[1] and not unseen:
                return [_Change(path, head[1], head[2])]
            if expected is not None and expected.get(path) != head[2]:
                raise FieldConflictError([FieldConflict(path, head[1], head[3], head[4])])
            return [self._put(e, path, (path, head[1], head[2]), new[path])]
        keys = path.split(SEP)
        ancestors = {f"a{k}": SEP.join(keys[: k + 1]) for k in range(len(keys) - 1)}
        around = self._sql.around(len(keys))
        rows = self._run(e.cur, around, iid=e.iid, path=path, **below_args(path), **ancestors)
        rows, prefix = rows.fetchall(), path + SEP
        above = [r for r in rows if prefix.startswith(r[0] + SEP)]
        old = {r[0]: r for r in rows if r[0] == path or r[0].startswith(prefix)}
        for row in above:
            if row[1] != "{}":
                if new is None:
                    return []  # nothing can be below a value
                zh = f"字段 {row[0]} 是一个值，不能在其下写入 {path}"
                en = f"{row[0]} holds a value, so {path} cannot be written below it"
                raise ValidationError([Problem("store.not_a_group", zh, en, path)], path)
        new = new or {}
        if expected is not None:
            conflicts = [
                FieldConflict(p, r[1], r[3], r[4])
                for p, r in old.items()
                if new.get(p) != r[1] and expected.get(p) != r[2]
            ]
            conflicts += [self._current(e, p) for p in new if p not in old and p in expected]
            if conflicts:
                raise FieldConflictError(conflicts)
        changes = [self._drop(e, r) for r in above if new]  # {} markers of groups now filled
        changes += [self._drop(e, r) for p, r in old.items() if p not in new]
        for p, value_json in new.items():
            row = old.get(p)
            if row is not None and row[1] == value_json:
                changes.append(_Change(p, value_json, row[2]))
            else:
                changes.append(self._put(e, p, row, value_json))
        if not new and old and SEP in path:  # an emptied group keeps its place as {}
            parent = path.rsplit(SEP, 1)[0]
            below = self._run(e.cur, self._sql.any_below, iid=e.iid, **below_args(parent))
            if below.fetchone() is None:
                changes.append(self._put(e, parent, None, "{}"))
        return changes

    def _current(self, e: _Edit, path: str) -> FieldConflict:
        """Who changed ``path`` last, when, and what it holds now (None: deleted)."""
        head = self._run(e.cur, self._sql.field_with_head, iid=e.iid, path=path).fetchone()
        if head is not None and head[1] is not None:
            return FieldConflict(path, head[1], head[3], head[4])
        row = self._run(e.cur, self._sql.last_audit_of, iid=e.iid, path=path).fetchone()
        return FieldConflict(path, None, *(row or ("?", e.at)))

    # -- listing (last: its name hides the builtin in the class body) ---------------------
    def list(
        self, summary_paths: Sequence[str] = SUMMARY_PATHS, *, include_deleted: bool = False
    ) -> list[dict[str, Any]]:
        """Every inspection, most recently changed first: ``id``, ``created_at``,
        ``created_by``, ``updated_at``, ``deleted`` and the value at each summary path."""
        with self._tx(write=False) as cur:
            heads = self._run(cur, self._sql.all_inspections).fetchall()
            updated = dict(self._run(cur, self._sql.last_changes).fetchall())
            summary: dict[tuple[str, str], Any] = {}
            for path in summary_paths:
                for iid, value_json in self._run(cur, self._sql.field_everywhere, path=path):
                    summary[iid, path] = json.loads(value_json)
        out = [
            {
                "id": iid,
                "created_at": created_at,
                "created_by": created_by,
                "updated_at": updated.get(iid, created_at),
                "deleted": bool(deleted),
                **{path: summary.get((iid, path)) for path in summary_paths},
            }
            for iid, created_at, created_by, deleted in heads
            if include_deleted or not deleted
        ]
        return sorted(out, key=lambda item: item["updated_at"], reverse=True)


def _not_found(inspection_id: str, *, deleted: bool) -> NoReturn:
    if deleted:
        msg = (
            f"检查记录 {inspection_id} 已删除（可用 restore 恢复）"
            f" / inspection {inspection_id} was deleted (Store.restore brings it back)"
        )
    else:
        msg = f"没有编号为 {inspection_id!r} 的检查记录 / no inspection {inspection_id!r}"
    raise NotFoundError(msg)


def _check_action(action: str) -> str:
    if not isinstance(action, str) or not _ACTION_RE.fullmatch(action):
        msg = f"操作名 {action!r} 无效 / bad audit action {action!r} (lower-case word)"
        raise KitError(msg)
    return action


def _new_id() -> str:
    return f"{date.today():%Y-%m%d}-{secrets.token_hex(3)}"
