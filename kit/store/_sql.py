"""The store's SQL, compiled once per database dialect (see :mod:`kit.store._schema`).

Statements are written with SQLAlchemy Core, so any dialect renders them (quoting ``user``,
its own parameter style), then compiled once; the store runs the compiled text on its DBAPI
connection. That keeps an autosave within a few times a bare INSERT: no per-call compilation
or result processing, which matters when every keystroke may save a field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.compiler import SQLCompiler

from kit.record import SEP
from kit.schemas import canonical_json
from kit.store._schema import NOTICE_NUMBERS, answers, audit, blobs, fields, inspections

BUSY_TIMEOUT_S = 15.0  # how long a write waits for another tab's transaction
_INTS = {"n", "version", "old_version", "ins", "seq", "head_seq", "limit"}


def _p(name: str) -> sa.BindParameter[Any]:
    # bind names must differ from column names in INSERT/UPDATE; Sql strips the "p_" again
    kind: Any = sa.Integer if name in _INTS else sa.LargeBinary if name.endswith("mac") or \
        name == "snapshot" else None
    return sa.bindparam(f"p_{name}", type_=kind)


class Sql:
    """One statement compiled for a dialect, when it is first run (a command compiles only
    the statements it runs); :meth:`args` orders the values for the driver."""

    __slots__ = ("_dialect", "_stmt", "defaults", "names", "order", "returns", "text")
    text: str
    names: dict[str, str]
    defaults: dict[str, Any]
    order: tuple[str, ...] | None

    def __init__(self, stmt: sa.ClauseElement, dialect: sa.Dialect, returns: bool = False) -> None:
        self._stmt, self._dialect, self.returns = stmt, dialect, returns

    def __getattr__(self, name: str) -> Any:  # a compiled part asked for before the first run
        if name not in ("text", "names", "defaults", "order"):
            raise AttributeError(name)
        self._compile()
        return getattr(self, name)

    def _compile(self) -> None:
        stmt, dialect = self._stmt, self._dialect
        compiled = cast(SQLCompiler, stmt.compile(dialect=dialect))
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        self.text = compiled.string
        self.names = {_key(name): name for name in binds}
        self.defaults = {_key(n): b.effective_value for n, b in binds.items() if not b.required}
        positional = dialect.positional and compiled.positiontup is not None
        self.order = tuple(_key(n) for n in compiled.positiontup or ()) if positional else None

    def args(self, values: Mapping[str, Any]) -> Any:
        merged = {**self.defaults, **values} if self.defaults else values
        if self.order is not None:
            return [merged[name] for name in self.order]
        return {self.names[key]: value for key, value in merged.items() if key in self.names}


def below_args(path: str) -> dict[str, Any]:
    """Parameters that select the rows below ``path`` (for either form of the condition)."""
    return {"prefix": path + "/", "end": path + "0", "n": len(path) + 1}  # "0" follows "/"


def _key(name: str) -> str:
    return name[2:] if name.startswith("p_") else name


class Statements:
    """Every statement the store runs, compiled for one dialect."""

    def __init__(self, dialect: sa.Dialect) -> None:
        i, f, a = inspections.c, fields.c, audit.c
        self.returning = returning = dialect.name != "sqlite"  # SQLite: cursor.lastrowid
        below: sa.ColumnElement[bool]
        if dialect.name == "sqlite":  # BINARY collation: a range on the primary key
            below = sa.and_(f.path > _p("prefix"), f.path < _p("end"))
        else:  # a collation may not sort by code point; compare the prefix itself
            below = sa.func.substr(f.path, 1, _p("n")) == _p("prefix")
        self._below = below

        def sql(stmt: sa.ClauseElement, returns: bool = False) -> Sql:
            return Sql(stmt, dialect, returns)

        add_audit = audit.insert().values(
            ins=_p("ins"), at=_p("at"), user=_p("user"), action=_p("action"), path=_p("path"),
            value=_p("value"), snapshot=_p("snapshot"), mac=_p("mac"))
        add_inspection = inspections.insert().values(
            id=_p("iid"), created_at=_p("at"), created_by=_p("user"), deleted=False,
            updated_at=_p("at"), updated_by=_p("user"), head_seq=0, head_mac=b"",
            summary=_p("summary"), search=_p("search"))
        self.add_audit = sql(add_audit.returning(a.seq) if returning else add_audit, returning)
        self.add_inspection = sql(add_inspection.returning(i.key) if returning else
                                  add_inspection, returning)
        # (key, deleted, head_seq, head_mac, created_at, created_by, updated_by, summary,
        # search): what a write needs to move the head and keep the search's index
        head = sa.select(i.key, i.deleted, i.head_seq, i.head_mac, i.created_at, i.created_by,
                         i.updated_by, i.summary, i.search)
        self.inspection = sql(head.where(i.id == _p("iid")))
        self.inspection_for_write = sql(head.where(i.id == _p("iid")).with_for_update())
        self.inspection_ids = sql(sa.select(i.id).where(i.id == _p("iid")))
        self.all_keys = sql(sa.select(i.key, i.id).order_by(i.key))
        self.set_head = sql(
            inspections.update().where(i.key == _p("ins")).values(
                head_seq=_p("head_seq"), head_mac=_p("head_mac"), updated_at=_p("at"),
                updated_by=_p("user"), search=_p("search")))
        self.set_head_summary = sql(
            inspections.update().where(i.key == _p("ins")).values(
                head_seq=_p("head_seq"), head_mac=_p("head_mac"), updated_at=_p("at"),
                updated_by=_p("user"), summary=_p("summary"), search=_p("search")))
        self.set_deleted = sql(
            inspections.update().where(i.key == _p("ins")).values(
                deleted=_p("deleted"), head_seq=_p("head_seq"), head_mac=_p("head_mac"),
                updated_at=_p("at"), updated_by=_p("user"), search=_p("search")))
        self.head_of_id = sql(sa.select(i.key, i.id, i.deleted, i.head_seq, i.head_mac,
                                        i.summary, i.search, i.created_by, i.updated_by)
                              .where(i.id == _p("iid")))
        self.heads = sql(sa.select(i.key, i.id, i.deleted, i.head_seq, i.head_mac, i.summary,
                                   i.search, i.created_by, i.updated_by).order_by(i.key))
        self.audit_of = sql(
            sa.select(a.seq, a.at, a.user, a.action, a.path, a.value, a.snapshot)
            .where(a.ins == _p("ins")).order_by(a.seq))
        self.trail_of = sql(
            sa.select(a.seq, a.at, a.user, a.action, a.path, a.value, a.snapshot, a.mac)
            .where(a.ins == _p("ins")).order_by(a.seq))
        self.entry = sql(sa.select(a.user, a.at).where(a.seq == _p("seq")))
        self.last_entry_of_path = sql(
            sa.select(a.user, a.at).where(a.ins == _p("ins"), a.path == _p("path"))
            .order_by(a.seq.desc()).limit(1))
        self.fields_of = sql(
            sa.select(f.path, f.value, f.version).where(f.ins == _p("ins")).order_by(f.path))
        self.field = sql(sa.select(f.value, f.version).where(f.ins == _p("ins"),
                                                             f.path == _p("path")))
        self.field_everywhere = sql(
            sa.select(i.id, f.value).select_from(fields.join(inspections, f.ins == i.key))
            .where(f.path == _p("path")))
        self.notice_numbers = sql(sa.select(f.value).where(sa.text(NOTICE_NUMBERS)))
        b = blobs.c
        self.blob_exists = sql(sa.select(b.size).where(b.sha256 == _p("sha256")))
        self.blob = sql(sa.select(b.mime, b.data).where(b.sha256 == _p("sha256")))
        self.add_blob = sql(blobs.insert().values(
            sha256=_p("sha256"), mime=_p("mime"), size=_p("size"), data=_p("data"),
            at=_p("at"), user=_p("user")))
        self.all_blobs = sql(sa.select(b.sha256, b.data))
        n = answers.c
        if dialect.name == "sqlite":
            insert: Any = sqlite_insert(answers)
        else:  # PostgreSQL's dialect, loaded for a PostgreSQL store only
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            insert = pg_insert(answers)
        self.add_answer = sql(insert.values(
            at=_p("at"), user=_p("user"), exercise=_p("exercise"), record=_p("record"))
            .on_conflict_do_nothing(index_elements=["user", "exercise"]))
        self.answers_of = sql(sa.select(n.at, n.user, n.record).where(n.user == _p("user"))
                              .order_by(n.seq))
        self.all_answers = sql(sa.select(n.at, n.user, n.record).order_by(n.seq))
        self._dialect = dialect
        self._around: dict[int, Sql] = {}
        self.any_below = sql(sa.select(f.path).where(f.ins == _p("ins"), below).limit(1))
        self.insert_field = sql(fields.insert().values(
            ins=_p("ins"), path=_p("path"), value=_p("value"), version=_p("version")))
        self.update_field = sql(
            fields.update()
            .where(f.ins == _p("ins"), f.path == _p("path"), f.version == _p("old_version"))
            .values(value=_p("value"), version=_p("version")))
        self.delete_field = sql(fields.delete().where(f.ins == _p("ins"), f.path == _p("path")))

    def around(self, depth: int) -> Sql:
        """Rows at a path of ``depth`` keys, below it, and at each of its ancestors ``a0``...

        Each alternative names the inspection, so SQLite answers each from the primary key.
        """
        if depth not in self._around:
            f = fields.c
            here = f.ins == _p("ins")
            ancestors = [sa.and_(here, f.path == _p(f"a{k}")) for k in range(depth - 1)]
            stmt = sa.select(f.path, f.value, f.version).where(
                sa.or_(sa.and_(here, f.path == _p("path")), sa.and_(here, self._below), *ancestors)
            )
            self._around[depth] = Sql(stmt, self._dialect)
        return self._around[depth]


#: SQLite's page cache per connection, in KiB (its default is 2,000 KiB): a search at 100,000
#: inspections reads its matches' rows here, not through the file each time; used as read
CACHE_KIB = 32768


def sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    """WAL so readers never wait; FULL so a commit survives power loss; we issue BEGIN ourselves."""
    dbapi_conn.isolation_level = None
    for pragma in (
        f"busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}",
        "journal_mode = WAL",
        "synchronous = FULL",
        "foreign_keys = ON",
        f"cache_size = -{CACHE_KIB}",
    ):
        dbapi_conn.execute(f"PRAGMA {pragma}")


@dataclass(frozen=True)
class Where:
    """A condition on an inspection's current fields, for :meth:`kit.store.Store.rows`.

    It holds for an inspection when one of its fields at one of ``paths`` (``*`` stands for one
    key: ``team/*/name``) has one of ``values``, or lies within ``low``..``high`` (either may
    be None: open). Values are compared as the store keeps them, canonical JSON text, so a
    range suits ISO dates and codes; the text order is the code points' on every database.
    """

    paths: tuple[str, ...]
    values: tuple[Any, ...] = ()
    low: Any = None
    high: Any = None


def rows_statement(prefixes: Sequence[str], where: Sequence[Where],
                   dialect: sa.Dialect) -> tuple[str, Any]:
    """The SQL of :meth:`kit.store.Store.rows` and its parameters, for one dialect."""
    i, f = inspections.c, fields.c
    binds: dict[str, Any] = {}

    def bind(value: Any) -> sa.BindParameter[Any]:
        name = f"v{len(binds)}"
        binds[name] = value
        return sa.bindparam(f"p_{name}", type_=sa.Integer if isinstance(value, int) else None)

    def text_order(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        return column if dialect.name == "sqlite" else sa.collate(column, "C")

    def at(column: sa.ColumnElement[str], path: str) -> sa.ColumnElement[bool]:
        if "*" not in path:
            return column == bind(path)
        escaped = path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(bind(escaped.replace("*", "%")), escape="\\")

    def below(path: str) -> sa.ColumnElement[bool]:
        """At ``path`` or below it: a range in the code points' order ("0" follows "/"); a
        path with ``*`` (any key: ``findings/*/deadline``) matches as a pattern, the leaves
        it names only."""
        path = path.rstrip(SEP)
        if "*" in path:
            return at(f.path, path)
        return sa.and_(text_order(f.path) >= bind(path),
                       text_order(f.path) < bind(path + "0"),
                       sa.or_(f.path == bind(path), text_order(f.path) > bind(path + SEP)))

    stmt = (sa.select(i.id, f.path, f.value).select_from(fields.join(inspections, f.ins == i.key))
            .where(i.deleted == sa.false()))
    if prefixes:
        stmt = stmt.where(sa.or_(*(below(p) for p in prefixes)))
    for cond in where:
        w = fields.alias("w")
        test = [sa.or_(*(at(w.c.path, p) for p in cond.paths))]
        if cond.values:
            test.append(w.c.value.in_([bind(canonical_json(v)) for v in cond.values]))
        if cond.low is not None or cond.high is not None:  # a text, never a missing null
            test.append(sa.func.substr(w.c.value, 1, 1) == bind('"'))
        if cond.low is not None:
            test.append(text_order(w.c.value) >= bind(canonical_json(cond.low)))
        if cond.high is not None:
            test.append(text_order(w.c.value) <= bind(canonical_json(cond.high)))
        stmt = stmt.where(f.ins.in_(sa.select(w.c.ins).where(*test)))
    compiled = Sql(stmt, dialect)
    return compiled.text, compiled.args(binds)
