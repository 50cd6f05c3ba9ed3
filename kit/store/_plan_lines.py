"""The year's plan as saved in the store: each line's current row and the trail of every change
(who, when, the line before and after, the inspection it was done by), in the store's own
transactions.

Saving a year's plan writes, in one transaction: a trail entry for each line that is new, whose
line differs from the one kept, or that the plan no longer holds (withdrawn), then the rows,
each naming its entry (the database refuses a row without it, :mod:`kit.store._schema`). A line
is matched to the one kept by its company's ``key`` (one line per company and year), so a line
that remains keeps its id; a new one takes the next number of its year, never one used before.
A line once done (an inspection made from it) is kept as it was. Lines are compared as
canonical JSON: the same plan saved twice changes nothing. Each entry is chained by its MAC to
the line's entry before it (:func:`kit.store._chain.row_mac`), as the register's are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from kit.errors import Problem
from kit.schemas import canonical_json
from kit.store import _chain as chain
from kit.store._schema import plan_lines, plan_trail
from kit.store._sql import Sql

__all__ = ["WITHDRAWN", "KeptLine", "PlanChange", "PlanStatements", "line_id", "line_rows",
           "mark_done", "plan_problems", "plan_trail_of", "put_plan", "read_line"]

#: the key a withdrawn line's document carries (true), what the plan no longer holds
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class KeptLine:
    """A line of a saved plan as the store keeps it: its id, year and number, the company it
    plans (``key``), the line, the inspection made from it (None: not done) and its last
    change."""

    id: str
    year: int
    no: int
    key: str
    doc: dict[str, Any]
    inspection_id: str | None
    updated_at: str
    updated_by: str


@dataclass(frozen=True)
class PlanChange:
    """One entry of the plan's trail: ``action`` ``add``, ``change``, ``withdraw`` or
    ``done``; ``old`` None for a line added, else the line before; ``new`` the line after;
    ``inspection_id`` the inspection it was done by (``done``)."""

    seq: int
    at: str
    user: str
    action: str
    year: int
    line_id: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    inspection_id: str | None


def _p(name: str) -> sa.BindParameter[Any]:
    return sa.bindparam(f"p_{name}",
                        type_=sa.Integer if name in ("seq", "version", "year", "no") else None)


class PlanStatements:
    """The plan's statements, compiled for one dialect."""

    def __init__(self, dialect: sa.Dialect) -> None:
        c, t = plan_lines.c, plan_trail.c
        postgres = dialect.name == "postgresql"
        self.lock = "LOCK TABLE plan_lines IN SHARE ROW EXCLUSIVE MODE" if postgres else ""
        # making an inspection from a line waits for a save under way (and a save for it),
        # rather than each holding what the other needs; lines are made in parallel
        self.lock_line = "LOCK TABLE plan_lines IN ROW EXCLUSIVE MODE" if postgres else ""
        columns = (c.id, c.year, c.no, c.key, c.doc, c.inspection_id, c.updated_at,
                   c.updated_by)
        self.of_year = Sql(sa.select(*columns).where(c.year == _p("year")).order_by(c.no),
                           dialect)
        self.years = Sql(sa.select(*columns).order_by(c.year, c.no), dialect)
        one = sa.select(*columns).where(c.id == _p("id"))
        self.line = Sql(one, dialect)
        self.line_for_write = Sql(one.with_for_update() if postgres else one, dialect)
        self.last_seq = Sql(sa.select(sa.func.coalesce(sa.func.max(t.seq), 0)), dialect)
        self.add_entry = Sql(plan_trail.insert().values(
            at=_p("at"), user=_p("user"), action=_p("action"), year=_p("year"),
            line_id=_p("id"), old=_p("old"), new=_p("new"), inspection_id=_p("iid"),
            mac=sa.bindparam("p_mac", type_=sa.LargeBinary)), dialect)
        #: each line's last entry's MAC (the entry its row names), of a year or of one line
        heads = sa.select(c.id, t.mac).join_from(plan_lines, plan_trail, t.seq == c.version)
        self.heads_of_year = Sql(heads.where(c.year == _p("year")), dialect)
        self.head_of_line = Sql(heads.where(c.id == _p("id")), dialect)
        self.chain = Sql(sa.select(t.seq, t.line_id, t.at, t.user, t.action, t.old, t.new,
                                   t.inspection_id, t.mac).order_by(t.seq), dialect)
        self.versions = Sql(sa.select(c.id, c.doc, c.inspection_id, c.version), dialect)
        self.entries_after = Sql(sa.select(t.seq, t.line_id).where(t.seq > _p("seq")), dialect)
        self.insert = Sql(plan_lines.insert().values(
            id=_p("id"), year=_p("year"), no=_p("no"), key=_p("key"), doc=_p("doc"),
            inspection_id=None, version=_p("version"), updated_at=_p("at"),
            updated_by=_p("user")), dialect)
        self.update = Sql(plan_lines.update().where(
            c.id == _p("id"), c.inspection_id.is_(None)).values(
            doc=_p("doc"), version=_p("version"), updated_at=_p("at"), updated_by=_p("user")),
            dialect)
        self.done = Sql(plan_lines.update().where(
            c.id == _p("id"), c.inspection_id.is_(None)).values(
            inspection_id=_p("iid"), version=_p("version"), updated_at=_p("at"),
            updated_by=_p("user")), dialect)
        trail = (t.seq, t.at, t.user, t.action, t.year, t.line_id, t.old, t.new,
                 t.inspection_id)
        self.trail = Sql(sa.select(*trail).order_by(t.seq), dialect)
        self.trail_of_year = Sql(sa.select(*trail).where(t.year == _p("year")).order_by(t.seq),
                                 dialect)
        self.trail_of_line = Sql(sa.select(*trail).where(t.line_id == _p("id"))
                                 .order_by(t.seq), dialect)


def _kept(row: Sequence[Any]) -> KeptLine:
    iid, year, no, key, doc, inspection_id, at, by = row
    return KeptLine(str(iid), int(year), int(no), str(key), json.loads(doc),
                    None if inspection_id is None else str(inspection_id), str(at), str(by))


def chain_id(line: str) -> str:
    """The name a plan line's trail is chained under (no inspection id looks like it)."""
    return f"plan:{line}"


def _mac(prev: bytes, line: str, at: str, user: str, action: str, old: str | None,
         new: str | None, inspection_id: str | None, key: bytes | None) -> bytes:
    return chain.row_mac(prev, chain_id(line), at, user, action, (old, new, inspection_id), key)


def line_id(year: int, no: int) -> str:
    """A line's id: its year and number, three digits at least (``2027-014``)."""
    return f"{year}-{no:03d}"


def put_plan(cur: Any, sql: PlanStatements, year: int,
             lines: Sequence[tuple[str, Mapping[str, Any]]], *, user: str,
             at: str, mac_key: bytes | None) -> tuple[list[PlanChange], list[KeptLine]]:
    """Save the plan of ``year`` (``lines``: each company's key and its line, in the plan's
    order) inside the open transaction ``cur``, each entry chained (keyed by ``mac_key``,
    the office's, when set): the entries written, and the year's lines as they are now."""
    if sql.lock:
        cur.execute(sql.lock)  # one save at a time: numbers are taken and entries read back
    cur.execute(sql.of_year.text, sql.of_year.args({"year": year}))
    kept = {k.key: k for k in map(_kept, cur.fetchall())}
    next_no = max((k.no for k in kept.values()), default=0) + 1
    # (action, id, no, key, old, new)
    changed: list[tuple[str, str, int, str, str | None, str]] = []
    planned: set[str] = set()
    for key, line in lines:
        planned.add(key)
        text = canonical_json({k: v for k, v in line.items() if k != WITHDRAWN})
        old = kept.get(key)
        if old is None:
            changed.append(("add", line_id(year, next_no), next_no, key, None, text))
            next_no += 1
        elif old.inspection_id is None and canonical_json(old.doc) != text:
            changed.append(("change", old.id, old.no, key, canonical_json(old.doc), text))
    for key, old in kept.items():
        if key not in planned and old.inspection_id is None and not old.doc.get(WITHDRAWN):
            changed.append(("withdraw", old.id, old.no, key, canonical_json(old.doc),
                            canonical_json({**old.doc, WITHDRAWN: True})))
    if changed:
        cur.execute(sql.heads_of_year.text, sql.heads_of_year.args({"year": year}))
        heads = {str(i): bytes(m) if m is not None else b"" for i, m in cur.fetchall()}
        cur.execute(sql.last_seq.text, sql.last_seq.args({}))
        before = int(cur.fetchone()[0])
        cur.executemany(sql.add_entry.text, [sql.add_entry.args(
            {"at": at, "user": user, "action": action, "year": year, "id": iid, "old": old,
             "new": new, "iid": None,
             "mac": _mac(heads.get(iid, b""), iid, at, user, action, old, new, None, mac_key)})
            for action, iid, _no, _key, old, new in changed])
        cur.execute(sql.entries_after.text, sql.entries_after.args({"seq": before}))
        seqs = {str(iid): int(seq) for seq, iid in cur.fetchall()}
        added = [r for r in changed if r[0] == "add"]
        if added:
            cur.executemany(sql.insert.text, [sql.insert.args(
                {"id": iid, "year": year, "no": no, "key": key, "doc": new,
                 "version": seqs[iid], "at": at, "user": user})
                for _a, iid, no, key, _old, new in added])
        others = [r for r in changed if r[0] != "add"]
        if others:
            cur.executemany(sql.update.text, [sql.update.args(
                {"id": iid, "doc": new, "version": seqs[iid], "at": at, "user": user})
                for _a, iid, _no, _key, _old, new in others])
        entries = [PlanChange(seqs[iid], at, user, action, year, iid,
                              json.loads(old) if old is not None else None, json.loads(new),
                              None) for action, iid, _no, _key, old, new in changed]
    else:
        entries = []
    cur.execute(sql.of_year.text, sql.of_year.args({"year": year}))
    return entries, [_kept(r) for r in cur.fetchall()]


def line_rows(cur: Any, sql: PlanStatements, year: int | None) -> list[KeptLine]:
    """The lines of ``year`` (every year's, if None), by year and number."""
    stmt = sql.years if year is None else sql.of_year
    cur.execute(stmt.text, stmt.args({} if year is None else {"year": year}))
    return [_kept(r) for r in cur.fetchall()]


def read_line(cur: Any, sql: PlanStatements, iid: str, *, write: bool = False
              ) -> KeptLine | None:
    """One line (locked for the transaction when ``write``), or None."""
    if write and sql.lock_line:
        cur.execute(sql.lock_line)
    stmt = sql.line_for_write if write else sql.line
    cur.execute(stmt.text, stmt.args({"id": iid}))
    row = cur.fetchone()
    return _kept(row) if row is not None else None


def mark_done(cur: Any, sql: PlanStatements, line: KeptLine, inspection_id: str, *, user: str,
              at: str, mac_key: bytes | None) -> PlanChange | None:
    """Record ``inspection_id`` as the inspection made from ``line`` (locked by
    :func:`read_line`), with its trail entry chained to the line's; None if the line was done
    meanwhile."""
    doc = canonical_json(line.doc)
    cur.execute(sql.head_of_line.text, sql.head_of_line.args({"id": line.id}))
    head = cur.fetchone()
    prev = bytes(head[1]) if head is not None and head[1] is not None else b""
    cur.execute(sql.last_seq.text, sql.last_seq.args({}))
    before = int(cur.fetchone()[0])
    cur.execute(sql.add_entry.text, sql.add_entry.args(
        {"at": at, "user": user, "action": "done", "year": line.year, "id": line.id,
         "old": doc, "new": doc, "iid": inspection_id,
         "mac": _mac(prev, line.id, at, user, "done", doc, doc, inspection_id, mac_key)}))
    cur.execute(sql.entries_after.text, sql.entries_after.args({"seq": before}))
    seq = max(int(s) for s, iid in cur.fetchall() if iid == line.id)
    cur.execute(sql.done.text, sql.done.args(
        {"id": line.id, "iid": inspection_id, "version": seq, "at": at, "user": user}))
    if cur.rowcount != 1:
        return None
    return PlanChange(seq, at, user, "done", line.year, line.id, line.doc, line.doc,
                      inspection_id)


def plan_problems(cur: Any, sql: PlanStatements, key: bytes | None) -> list[Problem]:
    """Where the saved plans differ from what their trail says: an entry whose chain is broken
    (changed, removed, inserted outside the kit), a line's row that is not its last entry's
    (its line, its inspection, or the entry its version names)."""
    cur.execute(sql.chain.text, sql.chain.args({}))
    last: dict[str, tuple[int, str | None, str | None]] = {}
    rows = []
    for seq, line, at, user, action, old, new, iid, mac in cur.fetchall():
        rows.append((seq, chain_id(str(line)), at, user, action, (old, new, iid), mac))
        done = iid if iid is not None else last.get(str(line), (0, None, None))[2]
        last[str(line)] = (int(seq), new, done)
    replayed = chain.replay_rows(rows, key)
    out = [_problem(cid.removeprefix("plan:"), *b.said(), "store.chain_broken")
           for cid, b in sorted(replayed.broken.items())]
    cur.execute(sql.versions.text, sql.versions.args({}))
    for line, doc, iid, version in cur.fetchall():
        if last.get(str(line)) != (int(version), str(doc), iid):
            out.append(_problem(str(line), "当前计划行不是其最后一条修改记录所写的（被绕过记录修改）",
                                "the line's row is not what its last trail entry wrote",
                                "store.value_mismatch"))
    return out


def _problem(line: str, zh: str, en: str, reason: str) -> Problem:
    return Problem(reason, f"年度计划 {line}：{zh}", f"the plan, line {line}: {en}",
                   field=f"plan_lines/{line}")


def plan_trail_of(cur: Any, sql: PlanStatements, *, year: int | None = None,
                  line: str | None = None) -> list[PlanChange]:
    """The plan's trail (of one year, or one line, if given), oldest first."""
    args: dict[str, Any]
    if line is not None:
        stmt, args = sql.trail_of_line, {"id": line}
    elif year is not None:
        stmt, args = sql.trail_of_year, {"year": year}
    else:
        stmt, args = sql.trail, {}
    cur.execute(stmt.text, stmt.args(args))
    return [PlanChange(int(seq), str(at), str(user), str(action), int(year_), str(iid),
                       json.loads(old) if old is not None else None,
                       json.loads(new) if new is not None else None,
                       None if ins is None else str(ins))
            for seq, at, user, action, year_, iid, old, new, ins in cur.fetchall()]
