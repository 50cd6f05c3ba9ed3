"""The store's tables and its SQL, compiled once per database dialect (see :mod:`kit.store`).

Statements are written with SQLAlchemy Core, so any dialect renders them (quoting ``user``,
its own parameter style), then compiled once; the store runs the compiled text on its one
DBAPI connection. That keeps an autosave within a few times a bare INSERT: no per-call
compilation or result processing, which matters when every keystroke may save a field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy.sql.compiler import SQLCompiler

from kit.errors import KitError

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 15.0  # how long a write waits for another tab's transaction

metadata = sa.MetaData()

schema_table = sa.Table("kit_schema", metadata, sa.Column("version", sa.Integer, nullable=False))

inspections = sa.Table(
    "inspections",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False),
)

fields = sa.Table(
    "fields",
    metadata,
    sa.Column("inspection_id", sa.Text, sa.ForeignKey("inspections.id"), primary_key=True),
    sa.Column("path", sa.Text, primary_key=True),
    sa.Column("value_json", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sqlite_with_rowid=False,  # the primary key is the table: one b-tree to write, not two
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("inspection_id", sa.Text, sa.ForeignKey("inspections.id"), nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("path", sa.Text),
    sa.Column("old_json", sa.Text),
    sa.Column("new_json", sa.Text),
    sa.Index("audit_by_inspection", "inspection_id", "seq"),
    sqlite_autoincrement=True,
)

_APPEND_ONLY = "审计记录只能追加，不能修改或删除 / the audit trail is append-only"
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
    f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
    f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END",
    "CREATE TRIGGER IF NOT EXISTS inspections_soft_delete_only BEFORE DELETE ON inspections "
    "BEGIN SELECT RAISE(ABORT, '检查记录只能标记删除 / inspections are only marked deleted'); END",
    "CREATE TRIGGER IF NOT EXISTS inspections_keep_origin "
    "BEFORE UPDATE OF id, created_at, created_by ON inspections "
    "BEGIN SELECT RAISE(ABORT, '检查记录的创建信息不能修改 / who created it is fixed'); END",
)


def _p(name: str) -> sa.BindParameter[Any]:
    # bind names must differ from column names in INSERT/UPDATE; Sql strips the "p_" again
    return sa.bindparam(f"p_{name}", type_=sa.Integer if name in {"n", "version"} else None)


class Sql:
    """One statement compiled for a dialect; :meth:`args` orders the values for the driver."""

    __slots__ = ("defaults", "names", "order", "returns", "text")

    def __init__(self, stmt: sa.ClauseElement, dialect: sa.Dialect, returns: bool = False) -> None:
        compiled = cast(SQLCompiler, stmt.compile(dialect=dialect))
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        self.text: str = compiled.string
        self.names = {_key(name): name for name in binds}
        self.defaults = {_key(n): b.effective_value for n, b in binds.items() if not b.required}
        positional = dialect.positional and compiled.positiontup is not None
        self.order = tuple(_key(n) for n in compiled.positiontup or ()) if positional else None
        self.returns = returns

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
        returning = dialect.name != "sqlite"  # SQLite gives the new seq as cursor.lastrowid
        add_audit = audit.insert().values(
            inspection_id=_p("iid"),
            at=_p("at"),
            user=_p("user"),
            action=_p("action"),
            path=_p("path"),
            old_json=_p("old"),
            new_json=_p("new"),
        )
        if returning:
            add_audit = add_audit.returning(a.seq)
        below: sa.ColumnElement[bool]
        if dialect.name == "sqlite":  # BINARY collation: a range on the primary key
            below = sa.and_(f.path > _p("prefix"), f.path < _p("end"))
        else:  # a collation may not sort by code point; compare the prefix itself
            below = sa.func.substr(f.path, 1, _p("n")) == _p("prefix")
        self._below = below
        head = inspections.outerjoin(fields, sa.and_(f.inspection_id == i.id, f.path == _p("path")))

        def sql(stmt: sa.ClauseElement, returns: bool = False) -> Sql:
            return Sql(stmt, dialect, returns)

        self.add_audit = sql(add_audit, returning)
        self.inspection = sql(
            sa.select(i.id, i.created_at, i.created_by, i.deleted).where(i.id == _p("iid"))
        )
        self.all_inspections = sql(sa.select(i.id, i.created_at, i.created_by, i.deleted))
        self.add_inspection = sql(
            inspections.insert().values(
                id=_p("iid"), created_at=_p("at"), created_by=_p("user"), deleted=False
            )
        )
        self.mark_deleted = sql(
            inspections.update().where(i.id == _p("iid")).values(deleted=_p("deleted"))
        )
        self.last_changes = sql(
            sa.select(a.inspection_id, sa.func.max(a.at)).group_by(a.inspection_id)
        )
        self.audit_of = sql(
            sa.select(
                a.seq, a.inspection_id, a.at, a.user, a.action, a.path, a.old_json, a.new_json
            )
            .where(a.inspection_id == _p("iid"))
            .order_by(a.seq)
        )
        self.last_audit_of = sql(
            sa.select(a.user, a.at)
            .where(a.inspection_id == _p("iid"), a.path == _p("path"))
            .order_by(a.seq.desc())
            .limit(1)
        )
        self.fields_of = sql(
            sa.select(f.path, f.value_json, f.version)
            .where(f.inspection_id == _p("iid"))
            .order_by(f.path)
        )
        self.field_everywhere = sql(
            sa.select(f.inspection_id, f.value_json).where(f.path == _p("path"))
        )
        self.field_with_head = sql(
            sa.select(i.deleted, f.value_json, f.version, f.updated_by, f.updated_at)
            .select_from(head)
            .where(i.id == _p("iid"))
        )
        self._dialect = dialect
        self._around: dict[int, Sql] = {}
        self.any_below = sql(sa.select(f.path).where(f.inspection_id == _p("iid"), below).limit(1))
        self.insert_field = sql(
            fields.insert().values(
                inspection_id=_p("iid"),
                path=_p("path"),
                value_json=_p("value"),
                version=_p("version"),
                updated_at=_p("at"),
                updated_by=_p("user"),
            )
        )
        self.update_field = sql(
            fields.update()
            .where(
                f.inspection_id == _p("iid"), f.path == _p("path"), f.version == _p("old_version")
            )
            .values(
                value_json=_p("value"),
                version=_p("version"),
                updated_at=_p("at"),
                updated_by=_p("user"),
            )
        )
        self.delete_field = sql(
            fields.delete().where(f.inspection_id == _p("iid"), f.path == _p("path"))
        )

    def around(self, depth: int) -> Sql:
        """Rows at a path of ``depth`` keys, below it, and at each of its ancestors ``a0``...

        Each alternative names the inspection, so SQLite answers each from the primary key.
        """
        if depth not in self._around:
            f = fields.c
            here = f.inspection_id == _p("iid")
            ancestors = [sa.and_(here, f.path == _p(f"a{k}")) for k in range(depth - 1)]
            stmt = sa.select(f.path, f.value_json, f.version, f.updated_by, f.updated_at).where(
                sa.or_(sa.and_(here, f.path == _p("path")), sa.and_(here, self._below), *ancestors)
            )
            self._around[depth] = Sql(stmt, self._dialect)
        return self._around[depth]


def create_schema(cur: Any, dialect: sa.Dialect) -> None:
    """Create missing tables (and on SQLite the append-only triggers) in the open transaction."""
    for table in metadata.sorted_tables:
        cur.execute(str(CreateTable(table, if_not_exists=True).compile(dialect=dialect)))
        for index in table.indexes:
            cur.execute(str(CreateIndex(index, if_not_exists=True).compile(dialect=dialect)))
    if dialect.name == "sqlite":
        for trigger in _SQLITE_TRIGGERS:
            cur.execute(trigger)
    cur.execute(str(sa.select(schema_table.c.version).compile(dialect=dialect)))
    row = cur.fetchone()
    if row is None:
        insert = Sql(schema_table.insert().values(version=_p("version")), dialect)
        cur.execute(insert.text, insert.args({"version": SCHEMA_VERSION}))
    elif row[0] > SCHEMA_VERSION:
        msg = (
            f"数据库由更新版本的工具包创建（结构版本 {row[0]}），请升级 kit"
            f" / the database was made by a newer kit (schema {row[0]} > {SCHEMA_VERSION})"
        )
        raise KitError(msg)


def sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    """WAL so readers never wait; FULL so a commit survives power loss; we issue BEGIN ourselves."""
    dbapi_conn.isolation_level = None
    for pragma in (
        f"busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}",
        "journal_mode = WAL",
        "synchronous = FULL",
        "foreign_keys = ON",
    ):
        dbapi_conn.execute(f"PRAGMA {pragma}")
