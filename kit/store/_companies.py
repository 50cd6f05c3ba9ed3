"""The office's register of companies in the store: each company's current row and the trail
of every change (who, when, the row before and after), in the store's own transactions.

An import writes, in one transaction: a trail entry for each company that is new or whose
row differs from the one kept (nothing for one unchanged), then the current rows, each naming
its entry (the database refuses a row without it, :mod:`kit.store._schema`). Rows are
compared as canonical JSON, so the same register imported twice changes nothing. Each entry
is chained by its MAC to the company's entry before it (:func:`kit.store._chain.row_mac`), so
:func:`register_problems` finds an entry changed, removed or inserted outside the kit, and a
row its trail does not explain.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from kit.errors import ConflictError, Problem
from kit.schemas import canonical_json
from kit.store import _chain as chain
from kit.store._schema import companies, company_trail
from kit.store._sql import Sql

__all__ = ["CompanyChange", "CompanyStatements", "KeptCompany", "chain_id", "company_row",
           "company_rows", "put_companies", "register_problems", "trail_of"]


@dataclass(frozen=True)
class CompanyChange:
    """One entry of the register's trail: ``old`` None for a company added, else its row
    before the change; ``new`` its row after."""

    seq: int
    at: str
    user: str
    action: str
    credit_code: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


@dataclass(frozen=True)
class KeptCompany:
    """A company's current row in the register, and who last changed it, when."""

    doc: dict[str, Any]
    updated_at: str
    updated_by: str


def chain_id(credit_code: str) -> str:
    """The name a company's trail is chained under (no inspection id looks like it)."""
    return f"register:{credit_code}"


def _p(name: str) -> sa.BindParameter[Any]:
    return sa.bindparam(f"p_{name}", type_=sa.Integer if name in ("seq", "version") else None)


class CompanyStatements:
    """The register's statements, compiled for one dialect."""

    def __init__(self, dialect: sa.Dialect) -> None:
        c, t = companies.c, company_trail.c
        self.lock = ("LOCK TABLE companies IN SHARE ROW EXCLUSIVE MODE"
                     if dialect.name == "postgresql" else "")
        self.current = Sql(sa.select(c.credit_code, c.doc, c.version), dialect)
        self.rows = Sql(sa.select(c.doc, c.updated_at, c.updated_by).order_by(c.credit_code),
                        dialect)
        self.one = Sql(sa.select(c.doc, c.updated_at, c.updated_by)
                       .where(c.credit_code == _p("code")), dialect)
        self.last_seq = Sql(sa.select(sa.func.coalesce(sa.func.max(t.seq), 0)), dialect)
        self.add_entry = Sql(company_trail.insert().values(
            at=_p("at"), user=_p("user"), action=_p("action"), credit_code=_p("code"),
            old=_p("old"), new=_p("new"), mac=sa.bindparam("p_mac", type_=sa.LargeBinary)),
            dialect)
        #: each company's last entry's MAC: the entry its row names
        self.heads = Sql(sa.select(c.credit_code, t.mac).join_from(
            companies, company_trail, t.seq == c.version), dialect)
        self.chain = Sql(sa.select(t.seq, t.credit_code, t.at, t.user, t.action, t.old, t.new,
                                   t.mac).order_by(t.seq), dialect)
        self.versions = Sql(sa.select(c.credit_code, c.doc, c.version), dialect)
        self.entries_after = Sql(sa.select(t.seq, t.credit_code).where(t.seq > _p("seq")),
                                 dialect)
        self.insert = Sql(companies.insert().values(
            credit_code=_p("code"), name=_p("name"), doc=_p("doc"), version=_p("version"),
            updated_at=_p("at"), updated_by=_p("user")), dialect)
        self.update = Sql(companies.update().where(c.credit_code == _p("code")).values(
            name=_p("name"), doc=_p("doc"), version=_p("version"), updated_at=_p("at"),
            updated_by=_p("user")), dialect)
        columns = (t.seq, t.at, t.user, t.action, t.credit_code, t.old, t.new)
        self.trail = Sql(sa.select(*columns).order_by(t.seq), dialect)
        self.trail_of = Sql(sa.select(*columns).where(t.credit_code == _p("code"))
                            .order_by(t.seq), dialect)


def put_companies(cur: Any, sql: CompanyStatements, docs: Sequence[Mapping[str, Any]], *,
                  user: str, at: str, action: str, mac_key: bytes | None) -> list[CompanyChange]:
    """Write the register rows ``docs`` (each with its ``credit_code`` and ``name``) inside the
    open transaction ``cur``, each entry chained (keyed by ``mac_key``, the office's, when set);
    the entries written, in the order of ``docs``."""
    if sql.lock:
        cur.execute(sql.lock)  # one import at a time: the trail's entries are read back below
    cur.execute(sql.current.text, sql.current.args({}))
    kept = {str(code): (str(doc), int(version)) for code, doc, version in cur.fetchall()}
    changed: list[tuple[str, str | None, str, dict[str, Any]]] = []
    for doc in docs:
        code, text = str(doc["credit_code"]), canonical_json(dict(doc))
        old = kept.get(code)
        if old is None or old[0] != text:
            changed.append((code, old[0] if old else None, text, dict(doc)))
    if not changed:
        return []
    _one_company_an_account(kept, changed)
    cur.execute(sql.heads.text, sql.heads.args({}))
    heads = {str(code): bytes(mac) if mac is not None else b"" for code, mac in cur.fetchall()}
    cur.execute(sql.last_seq.text, sql.last_seq.args({}))
    before = int(cur.fetchone()[0])
    cur.executemany(sql.add_entry.text, [sql.add_entry.args(
        {"at": at, "user": user, "action": action, "code": code, "old": old, "new": new,
         "mac": chain.row_mac(heads.get(code, b""), chain_id(code), at, user, action,
                              (old, new), mac_key)})
        for code, old, new, _doc in changed])
    cur.execute(sql.entries_after.text, sql.entries_after.args({"seq": before}))
    seqs = {str(code): int(seq) for seq, code in cur.fetchall()}
    for statement, rows in ((sql.insert, [r for r in changed if r[1] is None]),
                            (sql.update, [r for r in changed if r[1] is not None])):
        if rows:
            cur.executemany(statement.text, [statement.args(
                {"code": code, "name": str(doc["name"]), "doc": new, "version": seqs[code],
                 "at": at, "user": user}) for code, _old, new, doc in rows])
    return [CompanyChange(seqs[code], at, user, action, code,
                          json.loads(old) if old is not None else None, doc)
            for code, old, _new, doc in changed]


def _one_company_an_account(kept: Mapping[str, tuple[str, int]],
                            changed: Sequence[tuple[str, str | None, str, dict[str, Any]]]) -> None:
    """Refuse a write that would leave a company account (``accounts``) bound to two companies,
    read under the import's lock: two leaders binding one account at once cannot both win."""
    rewritten = {code for code, *_ in changed}
    owner: dict[str, str] = {}
    for code, (text, _version) in kept.items():
        if code not in rewritten and '"accounts"' in text:
            owner.update(dict.fromkeys(json.loads(text).get("accounts") or (), code))
    for code, _old, _new, doc in changed:
        for account in doc.get("accounts") or ():
            other = owner.setdefault(str(account), code)
            if other != code:
                msg = (f"账号 {account} 已绑定企业 {other}，一个账号只对应一家企业；未写入 / "
                       f"account {account} is bound to {other}: one account, one company; "
                       "nothing was written")
                raise ConflictError(msg)


def register_problems(cur: Any, sql: CompanyStatements, key: bytes | None) -> list[Problem]:
    """Where the register differs from what its trail says: an entry whose chain is broken
    (changed, removed, inserted outside the kit), a company's row that is not its last
    entry's (its row, or the entry its version names)."""
    cur.execute(sql.chain.text, sql.chain.args({}))
    last: dict[str, tuple[int, str | None]] = {}
    rows = []
    for seq, code, at, user, action, old, new, mac in cur.fetchall():
        rows.append((seq, chain_id(str(code)), at, user, action, (old, new), mac))
        last[str(code)] = (int(seq), new)
    replayed = chain.replay_rows(rows, key)
    out = [_problem(cid.removeprefix("register:"), *b.said(), "store.chain_broken")
           for cid, b in sorted(replayed.broken.items())]
    cur.execute(sql.versions.text, sql.versions.args({}))
    for code, doc, version in cur.fetchall():
        seq, new = last.get(str(code), (None, None))
        if (seq, new) != (int(version), str(doc)):
            out.append(_problem(str(code), "当前名录行不是其最后一条修改记录所写的（被绕过记录修改）",
                                "the company's row is not what its last trail entry wrote",
                                "store.value_mismatch"))
    return out


def _problem(code: str, zh: str, en: str, reason: str) -> Problem:
    return Problem(reason, f"企业名录 {code}：{zh}", f"the register, {code}: {en}",
                   field=f"companies/{code}")


def company_rows(cur: Any, sql: CompanyStatements) -> list[KeptCompany]:
    """Every company of the register, by credit code."""
    cur.execute(sql.rows.text, sql.rows.args({}))
    return [KeptCompany(json.loads(doc), str(at), str(by)) for doc, at, by in cur.fetchall()]


def company_row(cur: Any, sql: CompanyStatements, credit_code: str) -> KeptCompany | None:
    """One company of the register, or None."""
    cur.execute(sql.one.text, sql.one.args({"code": credit_code}))
    row = cur.fetchone()
    return KeptCompany(json.loads(row[0]), str(row[1]), str(row[2])) if row else None


def trail_of(cur: Any, sql: CompanyStatements, credit_code: str | None) -> list[CompanyChange]:
    """The register's trail (of one company, if given), oldest first."""
    stmt = sql.trail if credit_code is None else sql.trail_of
    cur.execute(stmt.text, stmt.args({} if credit_code is None else {"code": credit_code}))
    return [CompanyChange(int(seq), str(at), str(user), str(action), str(code),
                          json.loads(old) if old is not None else None,
                          json.loads(new) if new is not None else None)
            for seq, at, user, action, code, old, new in cur.fetchall()]
