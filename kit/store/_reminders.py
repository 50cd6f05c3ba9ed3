"""The reminders sent (``kit remind``), in the store: one row per finding, deadline and kind,
written in the same transaction as the mail is handed to the mail server.

A reminder is claimed by inserting its row (``ON CONFLICT DO NOTHING`` on the unique key
finding, deadline, kind); only when the row went in is the mail sent, and the transaction
commits once the mail server has taken it. A send that fails rolls the row back: nothing is
recorded, and the next run tries again. Two runs at once never send one reminder twice: on
PostgreSQL the second insert waits for the first transaction and then finds the row; on SQLite
the first write transaction holds the database until it commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kit.store._schema import reminders
from kit.store._sql import Sql

__all__ = ["KeptReminder", "ReminderStatements", "claim_and_send", "reminder_rows"]


@dataclass(frozen=True)
class KeptReminder:
    """A reminder as the store keeps it: which finding, deadline and kind, the working day it
    was for, to whom, when (UTC) and by whom it was sent."""

    seq: int
    inspection_id: str
    finding: str
    deadline: str
    kind: str
    sent_on: str
    recipients: tuple[str, ...]
    at: str
    user: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(inspection, finding, deadline, kind): what is sent at most once."""
        return self.inspection_id, self.finding, self.deadline, self.kind


def _p(name: str) -> sa.BindParameter[Any]:
    return sa.bindparam(f"p_{name}")


class ReminderStatements:
    """The reminders' statements, compiled for one dialect."""

    def __init__(self, dialect: sa.Dialect) -> None:
        r = reminders.c
        if dialect.name == "sqlite":
            insert: Any = sqlite_insert(reminders)
        else:  # PostgreSQL's dialect, loaded for a PostgreSQL store only
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            insert = pg_insert(reminders)
        self.claim = Sql(insert.values(
            inspection_id=_p("iid"), finding=_p("finding"), deadline=_p("deadline"),
            kind=_p("kind"), sent_on=_p("sent_on"), recipients=_p("recipients"), at=_p("at"),
            user=_p("user")).on_conflict_do_nothing(
                index_elements=["inspection_id", "finding", "deadline", "kind"]), dialect)
        columns = (r.seq, r.inspection_id, r.finding, r.deadline, r.kind, r.sent_on,
                   r.recipients, r.at, r.user)
        self.all = Sql(sa.select(*columns).order_by(r.seq), dialect)
        self.of = Sql(sa.select(*columns).where(r.inspection_id == _p("iid")).order_by(r.seq),
                      dialect)


def claim_and_send(cur: Any, sql: ReminderStatements, key: tuple[str, str, str, str], *,
                   sent_on: str, recipients: Sequence[str], at: str, user: str,
                   send: Callable[[], None]) -> bool:
    """Inside the open write transaction ``cur``: record the reminder ``key`` (inspection,
    finding, deadline, kind) and call ``send``; False (nothing sent) when it was recorded
    before. ``send`` raising rolls the row back with the transaction."""
    iid, finding, deadline, kind = key
    cur.execute(sql.claim.text, sql.claim.args({
        "iid": iid, "finding": finding, "deadline": deadline, "kind": kind,
        "sent_on": sent_on, "recipients": json.dumps(list(recipients), ensure_ascii=False),
        "at": at, "user": user}))
    if cur.rowcount != 1:
        return False
    send()
    return True


def reminder_rows(cur: Any, sql: ReminderStatements, inspection_id: str | None
                  ) -> list[KeptReminder]:
    """Every reminder recorded (of one inspection, if given), oldest first."""
    stmt = sql.all if inspection_id is None else sql.of
    cur.execute(stmt.text, stmt.args({} if inspection_id is None else {"iid": inspection_id}))
    return [KeptReminder(int(seq), str(iid), str(finding), str(deadline), str(kind),
                         str(sent_on), tuple(json.loads(recipients)), str(at), str(user))
            for seq, iid, finding, deadline, kind, sent_on, recipients, at, user
            in cur.fetchall()]
