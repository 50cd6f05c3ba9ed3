"""The picker's search and the access filter, read by key at any size of store.

Each inspection keeps its *searched text* (``inspections.search``): its id, the values of its
listing summary (company, type, start date, stage), its team's sign-ins, who created it and who
changed it last, each case folded (:meth:`str.casefold`) and joined by a separator no value
holds. Beside it, ``search_grams`` holds every piece of one, two and three characters of each
value, and
``team_users`` every sign-in of each team with the inspection's ``updated_at``. The store
writes all three in the same transaction as the inspection's row (create, save, delete,
restore, a checkpoint): :func:`index_rows`, :func:`reindex` and :func:`touch`.

A search for ``text`` finds the inspections whose searched text contains it (case aside), most
recently changed first, stopping at the page's limit:

* up to three characters (示例, 京, "a1") the query is one key of ``search_grams``: one or two
  characters as fast as longer ones (a trigram index alone needs three);
* a longer query is read by its rarest three-character piece and checked whole (``LIKE``);
* a query common enough that the most recent inspections already fill the page (京, 2026) is
  answered from the most recent :data:`WINDOW` inspections, without reading its every match;
* a person who reads only their teams' inspections (an inspector on the office server) is
  read through ``team_users`` in the same query: never a filter after loading. Their rows are
  keyed by (sign-in, ``updated_at``), so their picker reads its page in order and stops at
  its end, however many inspections they have.

>>> sorted(grams(search_text(["Ab-1"])))
['-', '-1', '1', 'a', 'ab', 'ab-', 'b', 'b-', 'b-1']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import sqlalchemy as sa

from kit.record import SUMMARY_LISTS, SUMMARY_PATHS
from kit.store._sql import Sql

__all__ = ["CAP", "SEP", "WINDOW", "SearchStatements", "find_rows", "grams", "index_kept",
           "index_rows", "listing_sql", "query_grams", "reindex", "search_text", "search_values",
           "team_of", "touch"]

#: what joins the searched values (no value holds it: one there is read as a space)
SEP: Final = "\x1f"
#: how many of the most recent inspections a common query is looked for in first
WINDOW: Final = 2000
#: a piece with fewer inspections than this is read through directly
CAP: Final = 2000


def search_values(iid: str, summary: Mapping[str, Any], created_by: str, updated_by: str
                  ) -> list[str]:
    """What a search looks in, as written: id, summary values, team sign-ins, people."""
    values: list[Any] = [iid, *(summary.get(p) for p in SUMMARY_PATHS)]
    for name in SUMMARY_LISTS:
        values += list(summary.get(name) or [])
    values += [created_by, updated_by]
    return [v for v in values if isinstance(v, str) and v]


def search_text(values: Iterable[str]) -> str:
    """The searched text kept with an inspection: each value case folded, joined by SEP."""
    return SEP.join(v.casefold().replace(SEP, " ") for v in values)


def grams(text: str) -> set[str]:
    """Every piece of one, two and three characters of each value of a searched text."""
    out: set[str] = set()
    for value in text.split(SEP):
        for width in (1, 2, 3):
            out.update(value[k:k + width] for k in range(len(value) - width + 1))
    return out


def query_grams(folded: str) -> list[str]:
    """The pieces an inspection found by ``folded`` has: itself up to three characters, else
    each three-character piece (distinct, in the query's order)."""
    if len(folded) <= 3:
        return [folded]
    return list(dict.fromkeys(folded[k:k + 3] for k in range(len(folded) - 2)))


def team_of(summary: Mapping[str, Any]) -> frozenset[str]:
    """The sign-ins of the team a summary names."""
    return frozenset(u for u in summary.get("team_users") or [] if isinstance(u, str) and u)


def _like(folded: str) -> str:
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_COLUMNS = "i.id, i.created_at, i.created_by, i.updated_at, i.updated_by, i.deleted, i.summary"
_ORDER = "ORDER BY i.updated_at DESC, i.key DESC"
#: the same order read from a member's rows of ``team_users`` (their key: no sort)
_TEAM_ORDER = "ORDER BY t.updated_at DESC, t.ins DESC"
_LIKE = "i.search LIKE :p_like ESCAPE '\\'"
_MEMBER = ('(:p_member = \'\' OR EXISTS (SELECT 1 FROM team_users t WHERE t."user" = :p_member '
           "AND t.ins = i.key))")


class SearchStatements:
    """The search's statements, compiled for one dialect (``CROSS JOIN``: SQLite reads the
    key's rows first, then their inspections, instead of walking every inspection in order)."""

    def __init__(self, dialect: sa.Dialect) -> None:
        def sql(text: str) -> Sql:
            return Sql(sa.text(text), dialect)

        self.count_gram = sql("SELECT count(*) FROM (SELECT 1 FROM search_grams WHERE gram = "
                              ":p_gram LIMIT :p_cap) c")
        self.count_member = sql('SELECT count(*) FROM (SELECT 1 FROM team_users WHERE "user" = '
                                ":p_member LIMIT :p_cap) c")
        live = "i.deleted = false"

        def page(keys: str) -> Sql:
            # the page's keys first (sorted on two narrow columns), then their rows
            return sql(f"SELECT {_COLUMNS} FROM inspections i WHERE i.key IN ({keys} {_ORDER} "
                       f"LIMIT :p_limit) {_ORDER}")

        # the rarest piece's inspections, those with the next rarest too (read in the same
        # index, before any inspection's row), then the whole query
        self.by_gram = page(
            "SELECT i.key FROM search_grams g CROSS JOIN inspections i WHERE g.gram = :p_gram "
            "AND EXISTS (SELECT 1 FROM search_grams h WHERE h.gram = :p_next AND h.ins = g.ins) "
            f"AND i.key = g.ins AND {live} AND {_LIKE} AND {_MEMBER}")
        # a member's inspections in update order (their rows' key), stopping at the limit
        self.by_member = sql(
            f'SELECT {_COLUMNS} FROM team_users t CROSS JOIN inspections i WHERE t."user" = '
            f":p_member AND i.key = t.ins AND {live} AND (:p_like = '' OR {_LIKE}) "
            f"{_TEAM_ORDER} LIMIT :p_limit")
        self.recent = sql(f"SELECT {_COLUMNS} FROM inspections i WHERE {live} {_ORDER} "
                          "LIMIT :p_limit")
        self.in_window = page(
            f"SELECT i.key FROM (SELECT i.key, i.updated_at, i.search FROM inspections i WHERE "
            f"{live} {_ORDER} LIMIT :p_window) i WHERE {_LIKE}")
        # each sign-in of an inspection's team, and whether its row has the inspection's time
        self.users_of = sql('SELECT t."user", CASE WHEN t.updated_at = i.updated_at THEN 1 '
                            "ELSE 0 END FROM team_users t CROSS JOIN inspections i WHERE "
                            "t.ins = :p_ins AND i.key = t.ins")
        if dialect.name == "sqlite":
            self.grams_present = sql("SELECT count(*) FROM search_grams WHERE ins = :p_ins AND "
                                     "gram IN (SELECT value FROM json_each(:p_grams))")
        else:
            self.grams_present = sql("SELECT count(*) FROM search_grams WHERE ins = :p_ins AND "
                                     "gram = ANY(:p_grams)")
        #: SQLite reads a list of pieces as JSON, PostgreSQL as an array
        self.json_lists = dialect.name == "sqlite"
        self.add_gram = sql("INSERT INTO search_grams (gram, ins) VALUES (:p_gram, :p_ins)")
        self.drop_gram = sql("DELETE FROM search_grams WHERE gram = :p_gram AND ins = :p_ins")
        self.add_user = sql('INSERT INTO team_users ("user", updated_at, ins) VALUES '
                            "(:p_user, :p_at, :p_ins)")
        self.touch = sql("UPDATE team_users SET updated_at = :p_at WHERE ins = :p_ins")
        self.drop_user = sql('DELETE FROM team_users WHERE "user" = :p_user AND ins = :p_ins')


def _count(cur: Any, sql: Sql, **values: Any) -> int:
    cur.execute(sql.text, sql.args({"cap": CAP, **values}))
    return int(cur.fetchone()[0])


def find_rows(cur: Any, st: SearchStatements, text: str, member: str | None, limit: int
              ) -> list[Sequence[Any]]:
    """The listing rows (id, created_at, created_by, updated_at, updated_by, deleted, summary)
    of the ``limit`` most recently changed inspections not deleted whose searched text holds
    ``text`` (case aside; all for ""), of ``member``'s teams only when given."""
    folded = text.strip().casefold()
    if SEP in folded or limit <= 0:
        return []

    def run(sql: Sql, **values: Any) -> list[Sequence[Any]]:
        cur.execute(sql.text, sql.args({"limit": limit, **values}))
        return list(cur.fetchall())

    if not folded:
        return run(st.by_member, member=member, like="") if member else run(st.recent)
    like = _like(folded)
    best, rarest, then = _rarest(cur, st, query_grams(folded), CAP)
    if best == 0:
        return []
    if member:
        if _count(cur, st.count_member, member=member) <= best:
            return run(st.by_member, member=member, like=like)
        return run(st.by_gram, gram=rarest, next=then, like=like, member=member)
    if best >= CAP:  # common: the most recent inspections may fill the page
        rows = run(st.in_window, like=like, window=WINDOW)
        if len(rows) >= limit:
            return rows
        # each piece is common and the whole is not (a date, a sign-in): count further to
        # read the fewest inspections
        # (from its end, where a query's most telling part tends to be: digits, a day)
        best, rarest, then = _rarest(cur, st, query_grams(folded)[::-1], 16 * CAP)
    return run(st.by_gram, gram=rarest, next=then, like=like, member="")


def _rarest(cur: Any, st: SearchStatements, pieces: list[str], cap: int
            ) -> tuple[int, str, str]:
    """The fewest inspections one of ``pieces`` is in (counted up to ``cap``, and each no
    further than the fewest so far), that piece, and the next rarest piece counted in full
    (itself if none): it sorts out more of the rest before any inspection's row is read.
    Stops at a piece rare enough to read through."""
    best, rarest = cap, pieces[0]
    exact: list[tuple[int, str]] = []
    for gram in pieces:
        n = _count(cur, st.count_gram, gram=gram, cap=best)
        if n < best:
            exact.append((n, gram))
            best, rarest = n, gram
        if n < CAP // 10:
            break
    others = [(n, g) for n, g in exact if g != rarest]
    return best, rarest, min(others)[1] if others else rarest


def index_kept(cur: Any, st: SearchStatements, ins: int, text: str, users: frozenset[str]
               ) -> bool:
    """Whether the index holds every piece of ``text`` for the inspection ``ins``, and
    exactly the team ``users`` (a sign-in too many would list it to someone off the team),
    each with the inspection's ``updated_at`` (else their picker would misplace it)."""
    cur.execute(st.users_of.text, st.users_of.args({"ins": ins}))
    kept = cur.fetchall()
    if {str(r[0]) for r in kept} != users or not all(int(r[1]) for r in kept):
        return False
    wanted = sorted(grams(text))
    cur.execute(st.grams_present.text, st.grams_present.args(
        {"ins": ins, "grams": json.dumps(wanted) if st.json_lists else wanted}))
    return int(cur.fetchone()[0]) == len(wanted)


def index_rows(cur: Any, st: SearchStatements,
               new: Iterable[tuple[int, str, frozenset[str], str]]) -> None:
    """Index new inspections: each (key, searched text, team sign-ins, ``updated_at``)."""
    add_gram, add_user = [], []
    for ins, text, users, at in new:
        add_gram += [st.add_gram.args({"gram": g, "ins": ins}) for g in sorted(grams(text))]
        add_user += [st.add_user.args({"user": u, "ins": ins, "at": at}) for u in sorted(users)]
    if add_gram:
        cur.executemany(st.add_gram.text, add_gram)
    if add_user:
        cur.executemany(st.add_user.text, add_user)


def touch(cur: Any, st: SearchStatements, ins: int, at: str) -> None:
    """Give the team's rows of the inspection ``ins`` its new ``updated_at`` (every write
    moves it: their picker's order follows)."""
    cur.execute(st.touch.text, st.touch.args({"ins": ins, "at": at}))


def reindex(cur: Any, st: SearchStatements, ins: int, old: tuple[str, frozenset[str]],
            new: tuple[str, frozenset[str]], at: str) -> None:
    """Follow an inspection's searched text and team from ``old`` to ``new`` (what changed
    only), its team's rows to its new ``updated_at`` ``at``."""
    (old_text, old_users), (new_text, new_users) = old, new
    touch(cur, st, ins, at)
    if old_text != new_text:
        before, after = grams(old_text), grams(new_text)
        if before - after:
            cur.executemany(st.drop_gram.text, [st.drop_gram.args({"gram": g, "ins": ins})
                                                for g in sorted(before - after)])
        if after - before:
            cur.executemany(st.add_gram.text, [st.add_gram.args({"gram": g, "ins": ins})
                                               for g in sorted(after - before)])
    if old_users != new_users:
        if old_users - new_users:
            cur.executemany(st.drop_user.text, [st.drop_user.args({"user": u, "ins": ins})
                                                for u in sorted(old_users - new_users)])
        if new_users - old_users:
            cur.executemany(st.add_user.text, [st.add_user.args({"user": u, "ins": ins,
                                                                 "at": at})
                                               for u in sorted(new_users - old_users)])


def listing_sql(dialect: sa.Dialect, extras: int, *, member: bool, include_deleted: bool
                ) -> Sql:
    """Every inspection's listing row, most recently changed first, with the value of
    ``extras`` more fields (``:p_path0``...) each, of ``:p_member``'s teams only if
    ``member`` (in their rows' order, the same): one query, read as it streams."""
    joins = "".join(f" LEFT JOIN fields f{k} ON f{k}.ins = i.key AND f{k}.path = :p_path{k}"
                    for k in range(extras))
    columns = _COLUMNS + "".join(f", f{k}.value" for k in range(extras))
    where = [] if include_deleted else ["i.deleted = false"]
    source, order = "inspections i", _ORDER
    if member:
        order = _TEAM_ORDER
        source = "team_users t CROSS JOIN inspections i"
        where = ['t."user" = :p_member', "i.key = t.ins", *where]
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    return Sql(sa.text(f"SELECT {columns} FROM {source}{joins}{condition} {order}"), dialect)
