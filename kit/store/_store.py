"""Where inspections are kept: one row per field, saved as it is typed, with a chained trail.

An inspection is a JSON document. The store keeps one row per *leaf* (see :func:`flatten`), so
two browser tabs (two kernels) editing different fields of one inspection never touch the same
row, and editing one field is one small transaction. Each row has a version; a write states the
version it last read, and if someone else changed the field since, nothing is written and a
:class:`FieldConflictError` says who changed it, when, and to what (optimistic concurrency).

Every change appends to the audit trail (who, when in UTC, what, the new value), each entry
chained to the one before by a MAC (:mod:`kit.store._chain`), and the current values follow
from the trail: :meth:`Store.verify` replays it and names the first broken entry or mismatched
field. The database itself refuses to change or delete the trail, or to change a value without
its entry (:mod:`kit.store._schema`). Each write is committed (SQLite: WAL,
``synchronous=FULL``) before the call returns; a busy database is waited for.

>>> store = Store("sqlite://")                 # in memory; Store() uses the user's data folder
>>> iid = store.create({"company": {"name": "甲公司"}}, user="张三")
>>> record = store.load(iid)
>>> [a.path for a in store.save(record, {"company/name": "乙公司"}, user="张三")]
['company/name']
>>> [(e.action, e.path, e.old, e.new) for e in store.audit(iid)][-1]
('update', 'company/name', '甲公司', '乙公司')
>>> store.verify(iid)
[]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn

import platformdirs
import sqlalchemy as sa

from kit.config import settings
from kit.errors import ConflictError, KitError, NotFoundError, Problem, ValidationError
from kit.record import SEP, SUMMARY_LISTS, SUMMARY_PATHS
from kit.schemas import canonical_json
from kit.store import _chain as chain
from kit.store._companies import (
    CompanyChange,
    CompanyStatements,
    KeptCompany,
    company_row,
    company_rows,
    put_companies,
    register_problems,
    trail_of,
)
from kit.store._doc import (
    DELETE,
    AuditEntry,
    FieldConflict,
    FieldConflictError,
    decode,
    encode_rows,
    flatten,
    leaf_rows,
)
from kit.store._plan_lines import (
    KeptLine,
    PlanChange,
    PlanStatements,
    line_rows,
    mark_done,
    plan_problems,
    plan_trail_of,
    put_plan,
    read_line,
)
from kit.store._record import Applied, Record
from kit.store._reminders import (
    KeptReminder,
    ReminderStatements,
    claim_and_send,
    reminder_rows,
)
from kit.store._schema import (
    HEAD_REVISION,
    PROTECTIONS,
    ROLE_CHECKS,
    SCHEMA_NUMBER,
    create_schema,
    missing_protections,
    postgres_grants,
)
from kit.store._search import (
    SearchStatements,
    find_rows,
    index_kept,
    index_rows,
    listing_sql,
    reindex,
    search_text,
    search_values,
    team_of,
    touch,
)
from kit.store._sql import (
    BUSY_TIMEOUT_S,
    Sql,
    Statements,
    Where,
    below_args,
    rows_statement,
    sqlite_on_connect,
)

if TYPE_CHECKING:
    from kit.proof import Certificate, Signer

__all__ = ["APP_NAME", "CONNECTION_MODES", "DB_FILE", "Guard", "Peek", "Store", "resolve_url"]

APP_NAME: Final = "bj-inspection-kit"
DB_FILE: Final = "kit.sqlite"
#: tables whose presence means a kit's schema is there (of this kit or an earlier one)
_KIT_TABLES: Final = frozenset({"inspections", "audit", "fields", "kit_schema", "alembic_version"})
#: the PostgreSQL advisory lock two processes making the schema of one empty database take
_SCHEMA_LOCK: Final = 0x6B69745F736368  # "kit_sch"
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_ACTION_RE = re.compile(r"[a-z][a-z_]{0,31}")


def _check_user(user: str) -> str:
    if not isinstance(user, str) or not user.strip():
        msg = "每次修改都必须写明修改人 / every change needs a user (who made it)"
        raise KitError(msg)
    return user.strip()


def _now() -> str:
    """UTC, to the microsecond, in the one form every entry has (sorts as text, SQLite reads it)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# -- the store ----------------------------------------------------------------------------------
def resolve_url(url: str | None = None, data_dir: str | os.PathLike[str] | None = None) -> sa.URL:
    """The database: ``url``, else ``data_dir/kit.sqlite``, else env ``KIT_DB_URL``, else
    ``$KIT_DATA_DIR/kit.sqlite``, else ``kit.sqlite`` in the user's data folder (platformdirs)."""
    if url is not None and data_dir is not None:
        msg = "url 与 data_dir 只能给一个 / give url or data_dir, not both"
        raise KitError(msg)
    if url is None and data_dir is None:
        now = settings()
        url, data_dir = now.db_url, now.data_dir
    if url is not None:
        try:
            return sa.make_url(url)
        except sa.exc.ArgumentError:
            msg = (f"数据库地址无效：{url!r}（应如 postgresql+psycopg://用户@主机:端口/库名 或 "
                   f"sqlite:///路径）/ not a database URL: {url!r}")
            raise KitError(msg) from None
    folder = Path(data_dir or platformdirs.user_data_dir(APP_NAME)).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return sa.URL.create("sqlite", database=str(folder / DB_FILE))


@dataclass
class _Edit:
    """One write transaction on one inspection: the cursor, who, when, why, and the chain head."""

    cur: Any
    iid: str
    ins: int
    at: str
    user: str
    action: str
    head_seq: int
    head_mac: bytes
    key: bytes | None
    logged: int = 0
    deleted: bool = False
    touched: set[str] = field(default_factory=set)
    #: the inspection's row as the write found it: who made it, who changed it last, its
    #: summary and searched text (what the search's index is moved from)
    created_by: str = ""
    updated_by: str = ""
    summary: str = "{}"
    search: str = ""


class Peek:
    """What an inspection holds at the moment a write has locked it (for a write's guard).

    ``head`` is its last audit entry: equal to a reader's :attr:`Record.head`, nobody has
    written since that reader read it, and its copy is what the store holds."""

    def __init__(self, store: Store, edit: _Edit) -> None:
        self._store, self._edit = store, edit
        self.inspection_id = edit.iid
        self.head = edit.head_seq

    def document(self) -> tuple[dict[str, Any], dict[str, int]]:
        """The whole inspection as it is inside the transaction: document and versions."""
        rows = self._store._run(self._edit.cur, self._store._sql.fields_of,
                                ins=self._edit.ins).fetchall()
        return decode(rows)


#: a write's guard: called inside the write's transaction, it raises to refuse the write
Guard = Callable[[Peek], None]


#: how a store holds its database connection (``KIT_DB_CONNECTIONS``): ``held`` keeps one
#: for the store's life; ``per_transaction`` opens one for each transaction and closes it, so
#: that a server's connections follow the saves in flight, not the kernels open (200 kernels
#: of an office on one PostgreSQL server with max_connections=100: benchmarks/bench_office.py).
CONNECTION_MODES: Final = ("held", "per_transaction")


def _connection_mode(mode: str | None, is_sqlite: bool) -> str:
    chosen = (mode or settings().db_connections).strip()
    if not chosen:
        return "held" if is_sqlite else "per_transaction"
    if chosen not in CONNECTION_MODES:
        msg = (f"KIT_DB_CONNECTIONS={chosen!r} 无效，应为 held 或 per_transaction / "
               f"connections must be one of {', '.join(CONNECTION_MODES)}, not {chosen!r}")
        raise KitError(msg)
    return chosen


class Store:
    """Inspections in a SQLAlchemy database (SQLite or PostgreSQL); by default a SQLite file.

    One connection at a time per store, used under a lock (widget callbacks may come from
    threads): held for the store's life on SQLite, opened per transaction on a server (see
    :data:`CONNECTION_MODES`). ``protection_problems`` lists what the database should refuse
    and no longer does.
    """

    def __init__(self, url: str | None = None, *, data_dir: Path | str | None = None,
                 connections: str | None = None) -> None:
        self.url = resolve_url(url, data_dir)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.connections = _connection_mode(connections, self.is_sqlite)
        # psycopg prepares a statement run five times on a connection; a pooler in
        # transaction mode (PgBouncer) hands the next transaction another server connection
        args: dict[str, Any] = (
            {"check_same_thread": False, "timeout": BUSY_TIMEOUT_S} if self.is_sqlite
            else {"prepare_threshold": None})
        try:
            self.engine = sa.create_engine(self.url, connect_args=args, poolclass=sa.NullPool)
        except (ModuleNotFoundError, ImportError, sa.exc.NoSuchModuleError) as exc:
            msg = (f"缺少数据库驱动（{exc}）；PostgreSQL 请安装：pip install \".[server]\""
                   f" / the database driver is missing ({exc}): pip install \".[server]\"")
            raise KitError(msg) from None
        if self.is_sqlite:
            sa.event.listen(self.engine, "connect", sqlite_on_connect)
        self._lock = threading.RLock()
        self._dbapi: Any = self.engine.dialect.loaded_dbapi
        self._pooled: Any = None
        self._conn: Any = None
        self._connect()
        self.key = chain.office_key()
        try:
            self._sql = Statements(self.engine.dialect)
            self._companies = CompanyStatements(self.engine.dialect)
            self._plan = PlanStatements(self.engine.dialect)
            self._reminders = ReminderStatements(self.engine.dialect)
            self._search = SearchStatements(self.engine.dialect)
            self.protection_problems = self._open_schema()
        except BaseException:
            self.close()
            raise
        self._release()

    def _connect(self) -> None:
        try:
            self._pooled = self.engine.raw_connection()
        except (sa.exc.DBAPIError, self._dbapi.Error) as exc:
            where = self.url.render_as_string(hide_password=True)
            cause = getattr(exc, "orig", None) or exc
            reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
            msg = (f"无法连接数据库 {where}：{reason}（请检查地址、端口、用户名和服务器是否运行）"
                   f" / cannot connect to {where}: {reason}")
            raise KitError(msg) from None
        self._conn = self._pooled.driver_connection

    def _open_schema(self) -> list[str]:
        """Create the schema in an empty database; check an existing one's revision (one
        transaction when the schema is there: a kernel opening its store is cheap)."""
        with self._tx(write=False) as cur:
            tables = self._table_names(cur)
            revision = self._revision(cur, tables)
            missing = (missing_protections(cur, self.engine.dialect.name)
                       if revision == HEAD_REVISION else None)
        if missing is not None:
            return missing
        if tables & _KIT_TABLES:
            self.close()
            raise KitError(_schema_message(revision, self))
        with self._tx(write=True) as cur:  # an empty database: the current schema
            if not self.is_sqlite:  # SQLite's write lock is taken by BEGIN IMMEDIATE
                cur.execute(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
            if not self._table_names(cur) & _KIT_TABLES:  # still empty, under the lock
                create_schema(cur, self.engine.dialect)
                return missing_protections(cur, self.engine.dialect.name)
        # Another process (a second tab's kernel, the preheated one) made it meanwhile:
        # checked as any existing schema is.
        return self._open_schema()

    def _table_names(self, cur: Any) -> set[str]:
        if self.is_sqlite:
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        else:
            cur.execute("SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema()")
        return {r[0] for r in cur.fetchall()}

    def _revision(self, cur: Any, tables: set[str]) -> str | None:
        if "alembic_version" in tables:
            cur.execute("SELECT version_num FROM alembic_version")
            row = cur.fetchone()
            return str(row[0]) if row else None
        if "kit_schema" in tables:  # the first kit's schema, before Alembic
            return "0001"
        return None

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None (another database, or SQLite in memory)."""
        db = self.url.database
        return Path(db) if self.is_sqlite and db and db != ":memory:" else None

    @property
    def dialect(self) -> str:
        return str(self.engine.dialect.name)

    def __repr__(self) -> str:
        return f"Store({self.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        with self._lock:
            if self._pooled is not None:
                self._pooled.close()
                self._pooled = None
            self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- administration ---------------------------------------------------------------------
    def grant_app_role(self, role: str) -> list[str]:
        """Give the kit's own PostgreSQL role what it needs and nothing more; return the
        grants."""
        if self.dialect != "postgresql":
            msg = "只有 PostgreSQL 需要单独的应用角色 / an app role is for PostgreSQL only"
            raise KitError(msg)
        with self._tx(write=True) as cur:
            cur.execute("SELECT current_schema()")
            statements = postgres_grants(role, str(cur.fetchone()[0]))
            for statement in statements:
                cur.execute(statement)
        return statements

    def role_problems(self) -> list[tuple[str, str]]:
        """What is wrong with the role a PostgreSQL store connected as, for the office server:
        it must not be a superuser or the tables' owner, nor able to rewrite the trail (``[]``:
        fine; always ``[]`` on SQLite, where no role can be told apart). Each: (中文, English)."""
        if self.dialect != "postgresql":
            return []
        found = []
        with self._tx(write=False) as cur:
            for query, zh, en in ROLE_CHECKS:
                cur.execute(query)
                row = cur.fetchone()
                if row is not None and row[0]:
                    found.append((zh, en))
        return found

    # -- plumbing -------------------------------------------------------------------------------
    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[Any]:
        """A transaction on the store's connection; on SQLite a write takes the lock up front,
        so it waits for another tab (busy_timeout) instead of failing half-way."""
        with self._lock:
            if self._pooled is None:
                self._connect()
            try:
                cur = self._conn.cursor()
                if self.is_sqlite:
                    cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield cur
                self._conn.commit()
            except BaseException as err:
                self._rollback(err)
                raise self._translate(err) from err
            finally:
                self._release()

    def _release(self) -> None:
        """Per transaction: give the connection back to the server once the work is done."""
        if self.connections == "per_transaction" and self._pooled is not None:
            with contextlib.suppress(Exception):  # already broken: nothing more to give back
                self._pooled.close()
            self._pooled = None

    def _rollback(self, err: BaseException) -> None:
        try:
            self._conn.rollback()
        except Exception:  # the connection itself is gone: reconnect on the next call
            self._drop_connection()
        if isinstance(err, self._dbapi.OperationalError) and not self.is_sqlite:
            self._drop_connection()

    def _drop_connection(self) -> None:
        try:
            if self._pooled is not None:
                self._pooled.invalidate()
        except Exception:  # already broken; nothing more to release
            pass
        self._pooled = None

    def _translate(self, err: BaseException) -> BaseException:
        """A driver's error as a message a person can act on; the kit's own errors as they are."""
        if isinstance(err, KitError) or not isinstance(err, self._dbapi.Error):
            return err
        text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        if isinstance(err, self._dbapi.OperationalError) and "locked" in text:
            msg = (f"数据库忙（其他窗口正在保存），{BUSY_TIMEOUT_S:.0f} 秒内未能保存，请重试"
                   f" / the database stayed busy for {BUSY_TIMEOUT_S:.0f} s; try again")
            return KitError(msg)
        if isinstance(err, self._dbapi.IntegrityError) and (
                "notice_numbers" in text or "fields.value" in text):
            msg = ("这个文书编号已被另一份文书使用，未保存 / that document number is already "
                   "another notice's; not saved")
            return NumberTakenError(msg)
        if isinstance(err, self._dbapi.IntegrityError):
            msg = f"数据库拒绝了这次写入，未保存：{text} / the database refused the write: {text}"
            return KitError(msg)
        if not self.is_sqlite and isinstance(err, self._dbapi.OperationalError |
                                             self._dbapi.InterfaceError):
            msg = (f"与数据库的连接中断，这次修改未保存，请重试：{text}"
                   f" / the connection to the database was lost; not saved, try again: {text}")
            return KitError(msg)
        return KitError(f"数据库错误，未保存：{text} / database error, not saved: {text}")

    def _run(self, cur: Any, sql: Sql, **values: Any) -> Any:
        cur.execute(sql.text, sql.args(values))
        return cur

    def _head(self, cur: Any, inspection_id: str, *, deleted_ok: bool = False,
              write: bool = False) -> Any:
        """(key, deleted, head_seq, head_mac, created_at, created_by) of an inspection."""
        stmt = self._sql.inspection_for_write if write else self._sql.inspection
        row = self._run(cur, stmt, iid=inspection_id).fetchone()
        if row is None or (row[1] and not deleted_ok):
            _not_found(inspection_id, deleted=row is not None)
        return row

    def _edit(self, cur: Any, inspection_id: str, user: str, action: str, *,
              deleted_ok: bool = False) -> _Edit:
        head = self._head(cur, inspection_id, deleted_ok=deleted_ok, write=True)
        return _Edit(cur, inspection_id, int(head[0]), _now(), user, action, int(head[2]),
                     bytes(head[3]), self.key, deleted=bool(head[1]), created_by=str(head[5]),
                     updated_by=str(head[6]), summary=str(head[7]), search=str(head[8]))

    def _log(self, e: _Edit, path: str | None, value: str | None,
             snapshot: str | None = None) -> int:
        """Append one chained audit entry; its seq becomes the field's new version."""
        covered = snapshot if snapshot is not None else value
        mac = chain.mac(e.head_mac, e.iid, e.at, e.user, e.action, path, covered, e.key)
        packed = chain.pack_snapshot(snapshot) if snapshot is not None else None
        sql = self._sql.add_audit
        e.cur.execute(sql.text, sql.args({"ins": e.ins, "at": e.at, "user": e.user,
                                          "action": e.action, "path": path, "value": value,
                                          "snapshot": packed, "mac": mac}))
        seq = int(e.cur.fetchone()[0] if sql.returns else e.cur.lastrowid)
        e.head_seq, e.head_mac, e.logged = seq, mac, e.logged + 1
        if path is not None:
            e.touched.add(path)
        return seq

    def _close_edit(self, e: _Edit) -> None:
        """Move the inspection's chain head to its last entry, with the summary if it changed,
        and the search's index with them."""
        if not e.logged:
            return
        if any(_affects(path, p) for path in e.touched for p in _SUMMARY_SOURCES):
            summary = self._summary_of(e.cur, e.ins)
            self._run(e.cur, self._sql.set_head_summary, ins=e.ins, head_seq=e.head_seq,
                      head_mac=e.head_mac, at=e.at, user=e.user, summary=summary,
                      search=self._searched(e, summary))
        else:
            self._run(e.cur, self._sql.set_head, ins=e.ins, head_seq=e.head_seq,
                      head_mac=e.head_mac, at=e.at, user=e.user, search=self._searched(e))

    def _searched(self, e: _Edit, summary: str | None = None) -> str:
        """The inspection's searched text once ``e`` is written (its summary ``summary`` if
        that changed), the search's index moved to it in the same transaction."""
        if summary in (None, e.summary) and e.user == e.updated_by and e.search:
            touch(e.cur, self._search, e.ins, e.at)  # the team's pages follow its time
            return e.search  # the usual save: nothing searched has changed
        old = json.loads(e.summary)
        new = old if summary is None else json.loads(summary)
        text = search_text(search_values(e.iid, new, e.created_by, e.user))
        reindex(e.cur, self._search, e.ins, (e.search, team_of(old)), (text, team_of(new)),
                e.at)
        return text

    def _summary_of(self, cur: Any, ins: int) -> str:
        found = {}
        for path in SUMMARY_PATHS:
            row = self._run(cur, self._sql.field, ins=ins, path=path).fetchone()
            if row is not None:
                found[path] = json.loads(row[0])
        rows: dict[str, str] = {}
        for base, _leaf in SUMMARY_LISTS.values():
            for path, value, _v in self._run(cur, self._sql.around(1), ins=ins, path=base,
                                             **below_args(base)).fetchall():
                rows[path] = value
        return _summary_text(summary_of(rows | {p: canonical_json(v) for p, v in found.items()}))

    def _put(self, e: _Edit, path: str, old: Any, value_json: str) -> Applied:
        """Write one row (``old``: its current (path, value, version), or None) and its entry."""
        seq = self._log(e, path, value_json)
        values = {"ins": e.ins, "path": path, "value": value_json, "version": seq}
        if old is None:
            self._run(e.cur, self._sql.insert_field, **values)
        elif self._run(e.cur, self._sql.update_field, old_version=old[2], **values).rowcount != 1:
            # changed between our read and our write: only where the row lock is not used
            raise FieldConflictError([self._current(e, path)])
        return Applied(path, value_json, seq)

    def _drop(self, e: _Edit, row: Any) -> Applied:
        self._log(e, row[0], None)
        self._run(e.cur, self._sql.delete_field, ins=e.ins, path=row[0])
        return Applied(row[0], None, None)

    def _who(self, cur: Any, version: int) -> tuple[str, str]:
        row = self._run(cur, self._sql.entry, seq=version).fetchone()
        return (str(row[0]), str(row[1])) if row else ("?", "")

    # -- whole inspections --------------------------------------------------------------------
    def create(
        self,
        doc: Mapping[str, Any],
        *,
        user: str,
        inspection_id: str | None = None,
        action: str = "create",
    ) -> str:
        """Store a new inspection and return its id (``2026-1120-a1b2c3`` unless given).

        The whole document is one audit entry (``action``), so a new inspection of hundreds
        of fields costs one entry, not hundreds; :meth:`audit` shows it field by field.
        """
        user, action = _check_user(user), _check_action(action)
        made = self._made(doc, inspection_id)
        with self._tx(write=True) as cur:
            return self._create_in(cur, made, user=user, action=action,
                                   inspection_id=inspection_id)

    def create_many(self, docs: Sequence[tuple[str, Mapping[str, Any]]], *, user: str,
                    action: str = "create") -> list[str]:
        """Store new inspections ``(id, document)`` in one transaction, each as :meth:`create`
        stores it (its rows, one ``create`` entry starting its own chain), and the rows of all
        of them in one statement: what ``kit demo`` loads in batches. An id already in the
        store is left as it is; the ids stored, in order. A clash with another writer (an id
        stored a moment ago) raises :class:`ConflictError` and stores none of them."""
        user, action = _check_user(user), _check_action(action)
        made = [(iid, self._made(doc, iid)) for iid, doc in docs]
        stored: dict[str, None] = {}
        with self._tx(write=True) as cur:
            pending: list[tuple[int, str, str, int]] = []
            for iid, one in made:
                if iid in stored or \
                        self._run(cur, self._sql.inspection_ids, iid=iid).fetchone() is not None:
                    continue
                stored[self._create_in(cur, one, user=user, action=action, inspection_id=iid,
                                       pending=pending)] = None
            if pending:
                self._insert_fields(cur, pending)
        return list(stored)

    def _insert_fields(self, cur: Any, rows: list[tuple[int, str, str, int]]) -> None:
        """Insert rows (ins, path, value, version) of fields: on PostgreSQL as one statement
        over arrays (a batch's 90,000 rows without a round of the driver each), elsewhere by
        executemany."""
        if self.engine.dialect.name != "postgresql":
            insert = self._sql.insert_field
            cur.executemany(insert.text, [insert.args({"ins": i, "path": p, "value": v,
                                                       "version": s}) for i, p, v, s in rows])
            return
        keys, paths, values, versions = (list(column) for column in zip(*rows, strict=True))
        cur.execute("INSERT INTO fields (ins, path, value, version) SELECT * FROM "
                    "unnest(%(ins)s::bigint[], %(path)s::text[], %(value)s::text[], "
                    "%(version)s::bigint[])",
                    {"ins": keys, "path": paths, "value": values, "version": versions})

    def _made(self, doc: Mapping[str, Any], inspection_id: str | None
              ) -> tuple[dict[str, str], str, str]:
        """A new inspection's rows, summary and snapshot (worked out before the transaction)."""
        rows = encode_rows(flatten(doc))
        if inspection_id is not None and not _ID_RE.fullmatch(inspection_id):
            msg = (
                f"检查记录编号 {inspection_id!r} 只能含字母、数字、. _ -"
                f" / an inspection id is letters, digits, '.', '_' or '-' (64 at most)"
            )
            raise KitError(msg)
        return rows, _summary_text(summary_of(rows)), chain.snapshot_text(rows)

    def _create_in(self, cur: Any, made: tuple[dict[str, str], str, str], *, user: str,
                   action: str, inspection_id: str | None,
                   pending: list[tuple[int, str, str, int]] | None = None) -> str:
        """Store a new inspection inside the open transaction ``cur``; its id. ``pending``:
        its rows are added there for the caller to insert with a batch's (after this entry,
        which they name), instead of now."""
        rows, summary, snapshot = made
        iid = inspection_id or _new_id()
        while self._run(cur, self._sql.inspection_ids, iid=iid).fetchone() is not None:
            if inspection_id is not None:
                msg = f"检查记录 {iid} 已存在 / inspection {iid} already exists"
                raise ConflictError(msg)
            iid = _new_id()
        at = _now()
        kept = json.loads(summary)
        searched = search_text(search_values(iid, kept, user, user))
        try:
            added = self._run(cur, self._sql.add_inspection, iid=iid, at=at, user=user,
                              summary=summary, search=searched)
        except self._dbapi.IntegrityError:  # another kernel stored this id a moment ago
            msg = f"检查记录 {iid} 已存在 / inspection {iid} already exists"
            raise ConflictError(msg) from None
        ins = int(added.fetchone()[0] if self._sql.add_inspection.returns else
                  added.lastrowid)
        index_rows(cur, self._search, [(ins, searched, team_of(kept), at)])
        e = _Edit(cur, iid, ins, at, user, action, 0, b"", self.key)
        seq = self._log(e, None, None, snapshot)
        insert = self._sql.insert_field
        if pending is None:
            cur.executemany(insert.text, [insert.args({"ins": ins, "path": p, "value": v,
                                                       "version": seq})
                                          for p, v in rows.items()])
        else:
            pending.extend((ins, p, v, seq) for p, v in rows.items())
        self._run(cur, self._sql.set_head, ins=ins, head_seq=seq, head_mac=e.head_mac,
                  at=at, user=user, search=searched)
        return iid

    def load(self, inspection_id: str) -> Record:
        """The inspection as it is now; :class:`NotFoundError` if unknown or deleted."""
        with self._tx(write=False) as cur:
            head = self._head(cur, inspection_id)
            rows = self._run(cur, self._sql.fields_of, ins=head[0]).fetchall()
        doc, versions = decode(rows)
        return Record(inspection_id, doc, versions, head[4], head[5], head=int(head[2]))

    def reload(self, record: Record) -> None:
        """Read ``record``'s inspection again into the same object (to see others' changes)."""
        record.replace(self.load(record.id))

    def head_of(self, inspection_id: str) -> int:
        """The inspection's last audit entry (its chain head): it moves with every change, so
        a tab can ask cheaply whether anyone changed the inspection since it read it."""
        with self._tx(write=False) as cur:
            return int(self._head(cur, inspection_id)[2])

    def audit(self, inspection_id: str, path: str | None = None) -> list[AuditEntry]:
        """The audit trail of an inspection, oldest first (with ``path``: of that subtree).

        A ``create`` entry is shown as its head (no field) and one line per field it set; each
        line's old value is what the field held before, replayed from the trail.
        """
        with self._tx(write=False) as cur:
            head = self._head(cur, inspection_id, deleted_ok=True)
            rows = self._run(cur, self._sql.audit_of, ins=head[0]).fetchall()
        entries: list[AuditEntry] = []
        current: dict[str, str] = {}
        for seq, at_text, user, action, p, value in chain.iter_entries(rows):
            at = datetime.fromisoformat(at_text)
            old = current.get(p) if p is not None else None
            if p is not None:
                if value is None:
                    current.pop(p, None)
                else:
                    current[p] = value
            entries.append(AuditEntry(seq, inspection_id, at, user, action, p, old, value))
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

    # -- evidence -----------------------------------------------------------------------------
    def put_blob(self, data: bytes, mime: str, *, user: str) -> str:
        """Keep ``data`` (a photo, a file, a drawn signature) once, by its SHA-256; return the
        hash. The same bytes kept twice are one row; a kept row is never changed or removed
        (the database refuses it)."""
        user = _check_user(user)
        digest = hashlib.sha256(data).hexdigest()
        with self._tx(write=True) as cur:
            if self._run(cur, self._sql.blob_exists, sha256=digest).fetchone() is None:
                self._run(cur, self._sql.add_blob, sha256=digest, mime=mime, size=len(data),
                          data=data, at=_now(), user=user)
        return digest

    def blob(self, sha256: str) -> tuple[str, bytes]:
        """The kept bytes with this hash and their type; NotFoundError if there are none."""
        with self._tx(write=False) as cur:
            row = self._run(cur, self._sql.blob, sha256=sha256).fetchone()
        if row is None:
            msg = f"没有这份证据材料 / no evidence with hash {sha256[:16]}…"
            raise NotFoundError(msg)
        return str(row[0]), bytes(row[1])

    # -- trainees' answers ------------------------------------------------------------------
    def add_answer(self, exercise: str, record: Mapping[str, Any], *, user: str) -> bool:
        """Keep a trainee's answer to one exercise (``record``: what it was, as JSON); False
        when ``user`` had answered that exercise before: the first answer is the one kept."""
        user = _check_user(user)
        text = json.dumps(dict(record), ensure_ascii=False, sort_keys=True, default=str)
        with self._tx(write=True) as cur:
            cur.execute(self._sql.add_answer.text, self._sql.add_answer.args(
                {"at": _now(), "user": user, "exercise": exercise, "record": text}))
            return bool(cur.rowcount == 1)

    def answers(self, user: str | None = None) -> list[dict[str, Any]]:
        """Every kept answer (of ``user`` only, if given), oldest first: each record with the
        ``user`` and the time ``kept_at`` (UTC) it was kept."""
        with self._tx(write=False) as cur:
            if user is None:
                rows = self._run(cur, self._sql.all_answers).fetchall()
            else:
                rows = self._run(cur, self._sql.answers_of, user=user).fetchall()
        return [{**json.loads(record), "user": who, "kept_at": at} for at, who, record in rows]

    # -- the office's register of companies -------------------------------------------------
    def put_companies(self, docs: Sequence[Mapping[str, Any]], *, user: str,
                      action: str = "import") -> list[CompanyChange]:
        """Add or update the register's rows ``docs`` (each with ``credit_code`` and
        ``name``) in one transaction, each change with its trail entry (the row before and
        after); an unchanged row writes nothing. The entries written."""
        user, action = _check_user(user), _check_action(action)
        with self._tx(write=True) as cur:
            return put_companies(cur, self._companies, docs, user=user, at=_now(), mac_key=self.key,
                                 action=action)

    def companies(self) -> list[KeptCompany]:
        """Every company of the register, by credit code."""
        with self._tx(write=False) as cur:
            return company_rows(cur, self._companies)

    def company(self, credit_code: str) -> KeptCompany | None:
        """One company of the register, or None."""
        with self._tx(write=False) as cur:
            return company_row(cur, self._companies, credit_code)

    def company_trail(self, credit_code: str | None = None) -> list[CompanyChange]:
        """Every change to the register (of one company, if given), oldest first."""
        with self._tx(write=False) as cur:
            return trail_of(cur, self._companies, credit_code)

    # -- the year's plan as saved ------------------------------------------------------------
    def put_plan(self, year: int, lines: Sequence[tuple[str, Mapping[str, Any]]], *,
                 user: str) -> tuple[list[PlanChange], list[KeptLine]]:
        """Save the plan of ``year`` (each company's key and its line, in the plan's order) in
        one transaction: a line that remains keeps its id, a new one takes the year's next
        number, one the plan no longer holds is withdrawn, a done one is kept as it was; each
        change with its trail entry. The entries written, and the year's lines now."""
        user = _check_user(user)
        with self._tx(write=True) as cur:
            return put_plan(cur, self._plan, year, lines, user=user, at=_now(), mac_key=self.key)

    def plan_lines(self, year: int | None = None) -> list[KeptLine]:
        """The saved lines of ``year`` (of every year, if None), by year and number."""
        with self._tx(write=False) as cur:
            return line_rows(cur, self._plan, year)

    def plan_line(self, line_id: str) -> KeptLine | None:
        """One saved line, or None."""
        with self._tx(write=False) as cur:
            return read_line(cur, self._plan, line_id)

    def plan_trail(self, *, year: int | None = None, line: str | None = None
                   ) -> list[PlanChange]:
        """Every change to the saved plans (of one year, or one line), oldest first."""
        with self._tx(write=False) as cur:
            return plan_trail_of(cur, self._plan, year=year, line=line)

    def create_for_line(self, line_id: str, doc: Mapping[str, Any], *, user: str,
                        guard: Callable[[KeptLine], None], inspection_id: str | None = None,
                        action: str = "create") -> tuple[str, PlanChange]:
        """Store a new inspection made from the plan's line ``line_id`` and record it on the
        line, in one transaction: ``guard`` sees the line as it is once locked and raises to
        refuse (a line done a moment ago by someone else); nothing is written then."""
        user, action = _check_user(user), _check_action(action)
        made = self._made(doc, inspection_id)
        with self._tx(write=True) as cur:
            line = read_line(cur, self._plan, line_id, write=True)
            if line is None:
                msg = f"没有计划行 {line_id} / no plan line {line_id}"
                raise NotFoundError(msg)
            guard(line)
            iid = self._create_in(cur, made, user=user, action=action,
                                  inspection_id=inspection_id)
            entry = mark_done(cur, self._plan, line, iid, user=user, at=_now(), mac_key=self.key)
            if entry is None:  # done between the lock and the write: only without row locks
                msg = f"计划行 {line_id} 已建立检查记录 / plan line {line_id} is already done"
                raise ConflictError(msg)
            return iid, entry

    # -- the reminders sent (kit remind) ----------------------------------------------------
    def remind_once(self, key: tuple[str, str, str, str], *, sent_on: str,
                    recipients: Sequence[str], user: str, send: Callable[[], None]) -> bool:
        """Send the reminder ``key`` (inspection, finding, deadline, kind) with ``send`` and
        record it, in one transaction, unless it was recorded before (False: nothing sent).
        ``send`` raising records nothing; a run at the same moment waits for this one and
        then finds it recorded."""
        user = _check_user(user)
        with self._tx(write=True) as cur:
            return claim_and_send(cur, self._reminders, key, sent_on=sent_on,
                                  recipients=recipients, at=_now(), user=user, send=send)

    def reminders(self, inspection_id: str | None = None) -> list[KeptReminder]:
        """Every reminder recorded (of one inspection, if given), oldest first."""
        with self._tx(write=False) as cur:
            return reminder_rows(cur, self._reminders, inspection_id)

    def notice_numbers(self) -> set[str]:
        """Every document number given to a notice in this store, deleted inspections' too
        (read through the index that keeps them unique)."""
        with self._tx(write=False) as cur:
            return {json.loads(v) for (v,) in self._run(cur, self._sql.notice_numbers)}

    def delete(self, inspection_id: str, *, user: str) -> None:
        """Mark an inspection deleted (it stays in the database and in the audit trail)."""
        self._set_deleted(inspection_id, True, _check_user(user), "delete")

    def restore(self, inspection_id: str, *, user: str) -> None:
        """Undo :meth:`delete`."""
        self._set_deleted(inspection_id, False, _check_user(user), "restore")

    def _set_deleted(self, inspection_id: str, deleted: bool, user: str, action: str) -> None:
        with self._tx(write=True) as cur:
            e = self._edit(cur, inspection_id, user, action, deleted_ok=True)
            if e.deleted == deleted:
                return
            self._log(e, None, None)
            self._run(cur, self._sql.set_deleted, ins=e.ins, deleted=deleted,
                      head_seq=e.head_seq, head_mac=e.head_mac, at=e.at, user=user,
                      search=self._searched(e))

    # -- fields ---------------------------------------------------------------------------------
    def save(self, record: Record, changes: Mapping[str, Any], *, user: str,
             action: str = "update", guard: Guard | None = None) -> list[Applied]:
        """Apply ``changes`` (path -> value, or :data:`DELETE`) in one transaction, or none,
        checked against the versions ``record`` read; ``record`` then holds what was written.

        A field someone else changed since ``record`` read it raises
        :class:`FieldConflictError` and nothing is written. ``guard`` (see :meth:`write`)
        may refuse the write from inside the transaction.
        """
        applied, before, after = self._write(record.id, list(changes.items()), record.versions,
                                             user, action, guard)
        record.apply(applied, before, after)
        return applied

    def write(
        self,
        inspection_id: str,
        changes: Mapping[str, Any],
        *,
        expected: Mapping[str, int] | None,
        user: str,
        action: str = "update",
        guard: Guard | None = None,
    ) -> list[Applied]:
        """Apply ``changes`` (path -> value, or :data:`DELETE`) in one transaction, or none;
        return the rows written, in order.

        ``expected`` (path -> version last read; a path absent = expected absent): a field
        changed since raises :class:`FieldConflictError`. None lets the changes win over
        anything (an administrator's repair; the kit's own callers always pass versions).
        ``guard(peek)`` runs inside the transaction once the inspection is locked for the
        write, with what it holds then (:class:`Peek`); whatever it raises aborts the write.
        """
        return self._write(inspection_id, list(changes.items()), expected, user, action,
                           guard)[0]

    def _write(
        self,
        iid: str,
        ops: list[tuple[str, Any]],
        expected: Mapping[str, int] | None,
        user: str,
        action: str,
        guard: Guard | None = None,
    ) -> tuple[list[Applied], int, int]:
        """The rows written, and the chain head before and after them."""
        user, action = _check_user(user), _check_action(action)
        prepared = [(path, None if v is DELETE else leaf_rows(path, v)) for path, v in ops]
        batch = dict(expected) if expected is not None and len(ops) > 1 else None
        changes: list[Applied] = []
        with self._tx(write=True) as cur:
            e = self._edit(cur, iid, user, action)
            before = e.head_seq
            if guard is not None:
                guard(Peek(self, e))
            for path, new in prepared:
                done = self._apply(e, path, new, expected if batch is None else batch)
                if batch is not None:  # later changes in the batch see the earlier ones
                    for c in done:
                        if c.version is None:
                            batch.pop(c.path, None)
                        else:
                            batch[c.path] = c.version
                changes += done
            self._close_edit(e)
        return changes, before, e.head_seq

    def _apply(
        self, e: _Edit, path: str, new: dict[str, str] | None, expected: Mapping[str, int] | None
    ) -> list[Applied]:
        """Make the subtree at ``path`` hold the rows ``new`` (None: remove it)."""
        if new is not None and len(new) == 1 and path in new:
            row = self._run(e.cur, self._sql.field, ins=e.ins, path=path).fetchone()
            if row is not None:
                # the common case: an existing value replaced by another. A writer that has
                # not seen the field yet is refused even when the value is the same: otherwise
                # two tabs creating the same entry would both think it theirs.
                unseen = expected is not None and path not in expected
                if new[path] == row[0] and not unseen:
                    # the same value as stored (another tab of this person saved it first,
                    # say): nothing to write and nothing overwritten, so no conflict either
                    return [Applied(path, row[0], row[1])]
                if expected is not None and expected.get(path) != row[1]:
                    raise FieldConflictError([self._conflict(e, path, row[0], row[1])])
                return [self._put(e, path, (path, row[0], row[1]), new[path])]
        keys = path.split(SEP)
        ancestors = {f"a{k}": SEP.join(keys[: k + 1]) for k in range(len(keys) - 1)}
        around = self._sql.around(len(keys))
        rows = self._run(e.cur, around, ins=e.ins, path=path, **below_args(path), **ancestors)
        rows, prefix = rows.fetchall(), path + SEP
        above = [r for r in rows if r[0] != path and prefix.startswith(r[0] + SEP)]
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
                self._conflict(e, p, r[1], r[2])
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
                changes.append(Applied(p, value_json, row[2]))
            else:
                changes.append(self._put(e, p, row, value_json))
        if not new and old and SEP in path:  # an emptied group keeps its place as {}
            parent = path.rsplit(SEP, 1)[0]
            below = self._run(e.cur, self._sql.any_below, ins=e.ins, **below_args(parent))
            if below.fetchone() is None:
                changes.append(self._put(e, parent, None, "{}"))
        return changes

    def _conflict(self, e: _Edit, path: str, value: str, version: int) -> FieldConflict:
        user, at = self._who(e.cur, version)
        return FieldConflict(path, value, user, at)

    def _current(self, e: _Edit, path: str) -> FieldConflict:
        """Who changed ``path`` last, when, and what it holds now (None: deleted)."""
        row = self._run(e.cur, self._sql.field, ins=e.ins, path=path).fetchone()
        if row is not None:
            return self._conflict(e, path, row[0], row[1])
        last = self._run(e.cur, self._sql.last_entry_of_path, ins=e.ins, path=path).fetchone()
        return FieldConflict(path, None, *(last or ("?", e.at)))

    # -- integrity ------------------------------------------------------------------------------
    def checkpoint(self, inspection_id: str, signer: Signer, *, user: str) -> int:
        """Sign the chain's head as a checkpoint entry, after replaying the trail in the same
        transaction (the signer signs only what it computed here); its seq. A trail that does
        not verify is refused with its problems: a signature must never vouch for it."""
        from kit.proof import office_certificates

        user = _check_user(user)
        trusted = office_certificates()
        with self._tx(write=True) as cur:
            e = self._edit(cur, inspection_id, user, chain.CHECKPOINT, deleted_ok=True)
            trail = self._run(cur, self._sql.trail_of, ins=e.ins).fetchall()
            stored = self._run(cur, self._sql.fields_of, ins=e.ins).fetchall()
            head = self._head(cur, inspection_id, deleted_ok=True)
            replayed = chain.replay(inspection_id, trail, self.key, trusted=trusted)
            problems = _compare(inspection_id, replayed, stored, bool(head[1]), int(head[2]),
                                bytes(head[3]), json.dumps(summary_of(replayed.values)))
            if problems:
                raise ValidationError(problems, f"检查记录 {inspection_id} 的审计记录核验未通过，"
                                      f"未签检查点 / the trail does not verify; no checkpoint")
            value = chain.checkpoint_value(inspection_id, e.head_seq, e.head_mac, signer)
            e.key = None  # the checkpoint entry is chained by plain hash: the switch
            seq = self._log(e, None, value)
            self._close_edit(e)
            return seq

    def verify(self, inspection_id: str | None = None) -> list[Problem]:
        """Replay the trail of one inspection (or of all) and compare it with what is stored.

        Reports, each with where it is: a protection the database no longer has, the first
        entry whose MAC does not match (changed, inserted, removed or reordered entries), a
        current value or version that the trail does not explain, a chain head or summary that
        is not the trail's. An empty list: the record is exactly what its trail says. Over
        every inspection (no ``inspection_id``), the register's and the saved plans' trails
        are replayed too, each company's and each line's chain, against their rows.
        """
        problems = [_protection_problem(name) for name in self.protection_problems]
        trusted: list[Certificate] | None = None  # read where a trail has a checkpoint
        with self._tx(write=False) as cur:
            if inspection_id is None:
                problems += register_problems(cur, self._companies, self.key)
                problems += plan_problems(cur, self._plan, self.key)
                heads = self._run(cur, self._sql.heads).fetchall()
            else:  # that inspection's row only, by its id
                heads = self._run(cur, self._sql.head_of_id, iid=inspection_id).fetchall()
                if not heads:
                    _not_found(inspection_id, deleted=False)
            for key, iid, deleted, head_seq, head_mac, summary, searched, made_by, changed_by \
                    in heads:
                trail = self._run(cur, self._sql.trail_of, ins=key).fetchall()
                if trusted is None and any(row[3] == chain.CHECKPOINT for row in trail):
                    # cryptography: an export of a trail without a checkpoint loads none
                    from kit.proof import office_certificates

                    trusted = office_certificates()
                stored = self._run(cur, self._sql.fields_of, ins=key).fetchall()
                problems += _compare(iid, chain.replay(iid, trail, self.key, trusted=trusted),
                                     stored,
                                     bool(deleted), int(head_seq), bytes(head_mac), summary)
                kept = json.loads(summary) if summary else {}
                text = search_text(search_values(iid, kept, made_by, changed_by))
                if searched != text or not index_kept(cur, self._search, key, text,
                                                      team_of(kept)):
                    problems.append(_problem("store.summary_mismatch", iid,
                                             "检索文本或检索索引与记录不符（搜索可能找不到它，"
                                             "或列给检查组以外的人）",
                                             "the searched text or its index does not match the "
                                             "record (a search may miss it, or list it to "
                                             "someone off the team)", "search"))
                for path, value_json, _version in stored:  # each attachment's bytes
                    if _EVIDENCE.fullmatch(path) and (digest := json.loads(value_json)):
                        problems += self._evidence_problems(cur, iid, path, str(digest))
        return problems

    def _evidence_problems(self, cur: Any, iid: str, path: str, digest: str) -> list[Problem]:
        row = self._run(cur, self._sql.blob, sha256=digest).fetchone()
        if row is None:
            return [_problem("store.evidence_missing", iid,
                             f"{path} 所指的证据材料不在库中", "the evidence is not in the store",
                             path)]
        if hashlib.sha256(bytes(row[1])).hexdigest() != digest:
            return [_problem("store.evidence_changed", iid,
                             f"{path} 所指的证据材料已被改动（内容与其 SHA-256 不符）",
                             "the evidence was changed: its bytes do not match their hash", path)]
        return []

    def find(self, text: str = "", *, member: str | None = None, limit: int = 50
             ) -> list[dict[str, Any]]:
        """The most recently changed inspections (as :meth:`list` gives them), at most
        ``limit``, whose id, summary (company, type, start date, stage, the team's sign-ins)
        or people (who created it, who changed it last) contain ``text``, case aside; with
        ``member``, only those whose team has that sign-in. Read by key and stopping at the
        limit, whatever the size of the store (:mod:`kit.store._search`): what the app's
        picker shows while someone types."""
        with self._tx(write=False) as cur:
            rows = find_rows(cur, self._search, text, member, limit)
        return [_listed(row, SUMMARY_PATHS, {}) for row in rows]

    def rows(self, prefixes: Sequence[str] = (), *, where: Sequence[Where] = ()
             ) -> list[tuple[str, str, str]]:
        """``(inspection id, path, value JSON)`` of the current fields at or below each of
        ``prefixes`` (all fields if none) of every inspection not deleted that meets each
        :class:`Where`: one query, for readers of the whole office (analytics). A prefix
        with ``*`` (any key) names leaves, not what lies below them; its ``*`` is SQL's ``%``
        and may span a ``/`` too, so a caller reading ``findings/*/deadline`` checks the paths
        it gets.

        >>> store = Store("sqlite://")
        >>> _ = store.create({"company": {"name": "甲"}, "stage": "closed"}, user="u",
        ...                  inspection_id="A1")
        >>> store.rows(["company"], where=[Where(("stage",), ("closed",))])
        [('A1', 'company/name', '"甲"')]
        """
        text, args = rows_statement(prefixes, where, self.engine.dialect)
        with self._tx(write=False) as cur:
            cur.execute(text, args)
            return cur.fetchall()

    def row_chunks(self, prefixes: Sequence[str] = (), *, where: Sequence[Where] = (),
                   size: int = 50_000) -> Iterator[list[tuple[str, str, str]]]:
        """:meth:`rows`, in chunks of at most ``size`` rows read as they are used (one query,
        one transaction): an office's fields are never all held as Python text at once."""
        text, args = rows_statement(prefixes, where, self.engine.dialect)
        with self._tx(write=False) as cur:
            cur.execute(text, args)
            while chunk := cur.fetchmany(size):
                yield chunk

    # -- listing (last: its name hides the builtin in the class body) ---------------------
    def list(
        self, summary_paths: Sequence[str] = SUMMARY_PATHS, *, include_deleted: bool = False,
        member: str | None = None,
    ) -> list[dict[str, Any]]:
        """Every inspection, most recently changed first (:meth:`listing`, gathered)."""
        return [*self.listing(summary_paths, include_deleted=include_deleted, member=member)]

    def listing(
        self, summary_paths: Sequence[str] = SUMMARY_PATHS, *, include_deleted: bool = False,
        member: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every inspection, most recently changed first: ``id``, ``created_at``,
        ``created_by``, ``updated_at``, ``updated_by``, ``deleted`` and the value at each
        summary path (one query: the summary is kept with each inspection, another path is
        read in the same query); with ``member``, only those whose team has that sign-in.
        Streamed: the first row comes before the last is read, on a connection of its own
        (one snapshot of the store), so the caller may use the store between rows."""
        extra = [p for p in summary_paths if p not in SUMMARY_PATHS]
        sql = listing_sql(self.engine.dialect, len(extra), member=bool(member),
                          include_deleted=include_deleted)
        values: dict[str, Any] = {f"path{k}": p for k, p in enumerate(extra)}
        if member:
            values["member"] = member
        for row in self._stream(sql, values):
            others = {(row[0], p): json.loads(v) for p, v in zip(extra, row[7:], strict=True)
                      if v is not None}
            yield _listed(row[:7], summary_paths, others)

    def _stream(self, sql: Sql, values: Mapping[str, Any], batch: int = 500
                ) -> Iterator[Sequence[Any]]:
        """The rows of one read, a batch at a time, on a connection of its own (a SQLite
        store in memory has only its own: read whole there)."""
        if self.is_sqlite and self.path is None:
            with self._tx(write=False) as cur:
                rows = self._run(cur, sql, **values).fetchall()
            yield from rows
            return
        try:
            pooled = self.engine.raw_connection()
        except (sa.exc.DBAPIError, self._dbapi.Error) as exc:
            raise self._translate(getattr(exc, "orig", None) or exc) from None
        try:
            conn: Any = pooled.driver_connection
            # PostgreSQL: a cursor on the server, so that the rows come as they are read
            cur = conn.cursor() if self.is_sqlite else conn.cursor(name="kit_listing")
            if self.is_sqlite:
                cur.execute("BEGIN")
            cur.execute(sql.text, sql.args(values))
            while rows := cur.fetchmany(batch):
                yield from rows
            cur.close()
            conn.rollback()  # read only: nothing to keep
        except self._dbapi.Error as err:
            raise self._translate(err) from err
        finally:
            pooled.close()


#: the record's leaves that name a piece of evidence by its hash
_EVIDENCE = re.compile(r"attachments/[^/]+/(sha256|thumb_sha256)")


class NumberTakenError(ConflictError):
    """A notice's document number is already another notice's (the office's numbering is
    unique; :meth:`kit.session.Session.issue_notice` then takes the next one)."""


def _listed(row: Sequence[Any], summary_paths: Sequence[str],
            others: Mapping[tuple[str, str], Any]) -> dict[str, Any]:
    iid, created_at, created_by, updated_at, updated_by, deleted, summary = row
    kept = json.loads(summary)
    return {
        "id": iid, "created_at": created_at, "created_by": created_by,
        "updated_at": updated_at, "updated_by": updated_by, "deleted": bool(deleted),
        **{p: kept.get(p) if p in SUMMARY_PATHS else others.get((iid, p))
           for p in summary_paths},
        **{name: kept.get(name, []) for name in SUMMARY_LISTS},
    }


_SUMMARY_SOURCES = (*SUMMARY_PATHS, *(base for base, _leaf in SUMMARY_LISTS.values()))


def summary_of(rows: Mapping[str, str]) -> dict[str, Any]:
    """The listing summary of an inspection from its rows (path -> value JSON)."""
    out: dict[str, Any] = {p: json.loads(rows[p]) for p in SUMMARY_PATHS if p in rows}
    for name, (base, leaf) in SUMMARY_LISTS.items():
        pattern = re.compile(rf"{re.escape(base)}/[^/]+/{re.escape(leaf)}")
        values = sorted({v for p, text in rows.items() if pattern.fullmatch(p)
                         and isinstance(v := json.loads(text), str) and v})
        if values:
            out[name] = values
    return out


def _affects(path: str, summary_path: str) -> bool:
    return path == summary_path or summary_path.startswith(path + SEP) or \
        path.startswith(summary_path + SEP)


def _summary_text(values: Mapping[str, Any]) -> str:
    return canonical_json(dict(values))


def _problem(code: str, iid: str, zh: str, en: str, field_: str = "") -> Problem:
    return Problem(code, f"检查记录 {iid}：{zh}", f"inspection {iid}: {en}", field=field_)


def _protection_problem(name: str) -> Problem:
    what = PROTECTIONS[name]
    return Problem("store.protection_missing",
                   f"数据库缺少保护规则 {name}（{what}）：可能有人绕过工具包修改过数据库；未自动补回，"
                   "请管理员核查后运行 kit db upgrade",
                   f"the database lacks its protection {name} ({what}): it may have been "
                   "tampered with outside the kit; not recreated silently", field=name)


def _compare(iid: str, replayed: chain.Replay, stored: Sequence[Sequence[Any]], deleted: bool,
             head_seq: int, head_mac: bytes, summary: str) -> list[Problem]:
    """Where the stored inspection differs from what its trail says."""
    out: list[Problem] = []
    if replayed.broken is not None:
        b = replayed.broken
        out.append(_problem("store.chain_broken", iid, *b.said("审计记录"), f"audit/{b.seq}"))
    values = {r[0]: r[1] for r in stored}
    versions = {r[0]: r[2] for r in stored}
    same = values == replayed.values and versions == replayed.versions  # the usual case, at C speed
    for path in () if same else sorted(set(values) | set(replayed.values)):
        want, got = replayed.values.get(path), values.get(path)
        if want != got:
            out.append(_problem(
                "store.value_mismatch", iid,
                f"字段 {path} 的当前值 {_short(got)} 与审计记录推演的值 {_short(want)} 不符"
                "（当前值被绕过审计修改）",
                f"{path} holds {_short(got)} but its trail gives {_short(want)}", path))
        elif versions.get(path) != replayed.versions.get(path):
            out.append(_problem(
                "store.value_mismatch", iid,
                f"字段 {path} 的版本与写入它的审计记录不符",
                f"the version of {path} is not the entry that wrote it", path))
        if len(out) > 50:
            break
    if (head_seq, head_mac) != (replayed.head_seq, replayed.head_mac):
        out.append(_problem("store.head_mismatch", iid, "链头不是最后一条审计记录",
                            "the chain head is not the trail's last entry", "head"))
    if deleted != replayed.deleted:
        out.append(_problem("store.head_mismatch", iid, "删除标记与审计记录不符",
                            "the deleted mark does not follow the trail", "deleted"))
    kept = json.loads(summary) if summary else {}
    expected = summary_of(replayed.values)
    if kept != expected:
        out.append(_problem("store.summary_mismatch", iid, "列表摘要与记录不符",
                            "the listing summary does not match the record", "summary"))
    return out


def _short(value: str | None) -> str:
    if value is None:
        return "（无）"
    return value if len(value) <= 60 else value[:57] + "…"


def _schema_message(revision: str | None, store: Store) -> str:
    where = store.url.render_as_string(hide_password=True)
    have = SCHEMA_NUMBER.get(revision or "", revision)
    want = SCHEMA_NUMBER[HEAD_REVISION]
    plain = store.is_sqlite and store.path is not None and store.path.name == DB_FILE
    option = f"--data-dir '{store.path.parent}'" if plain and store.path else \
        f"--db-url '{where}'"
    if revision in SCHEMA_NUMBER and SCHEMA_NUMBER[revision] < want:
        return (f"数据库 {where} 的结构版本为 {have}，本工具需要 {want}：请先备份，再运行 "
                f"kit db upgrade {option} / the database is at schema {have}, this kit needs "
                f"{want}: back it up, then run `kit db upgrade {option}`").replace("  ", " ")
    return (f"数据库 {where} 的结构版本为 {have}，不是本工具（结构版本 {want}）能使用的；请升级 "
            f"kit / the database is at schema {have}, which this kit (schema {want}) cannot "
            "use: upgrade the kit")


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
