"""Which reminders are due on a day: from every finding's deadline in force, its state and its
inspection's stage, counted in working days on the office's calendar.

A reminder ``before`` is due once the deadline in force (the last extension's, else the first:
:attr:`kit.record.Finding.due`) is at most N working days away, up to the deadline itself; a
reminder ``after`` once the deadline has passed by one working day, up to N. So a run on the
day N working days before sends it, and a run missed (a server down, a weekend) is caught up
by the next one within the window, never long after. Nothing is due for a finding that passed
its review, one with no deadline, or an inspection closed (已结案).

>>> from datetime import date
>>> from kit.workdays import load_calendar
>>> rows = [("A", "stage", '"follow_up"'), ("A", "findings/F1/deadline", '"2026-03-13"'),
...         ("A", "findings/F1/state", '"open"')]
>>> [(d.kind, d.days) for d in due_reminders(rows, load_calendar(), date(2026, 3, 10), 3)]
[('before', 3)]
>>> [(d.kind, d.days) for d in due_reminders(rows, load_calendar(), date(2026, 3, 16), 3)]
[('after', 1)]
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from kit.record import Extension, Finding, natural_key
from kit.workdays import WorkCalendar, WorkdayCount

__all__ = ["Due", "due_reminders", "reach_of"]


@dataclass(frozen=True)
class Due:
    """A reminder due: which finding, its deadline in force, ``before`` or ``after`` it, and
    the working days left (before; 0 on the deadline) or late (after)."""

    inspection_id: str
    finding: str
    deadline: date
    kind: str
    days: int
    estimated: bool = False
    #: the deadline first set, when an extension moved it
    first_deadline: date | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(inspection, finding, deadline, kind): what is sent at most once."""
        return self.inspection_id, self.finding, self.deadline.isoformat(), self.kind


@dataclass
class _Read:
    deadline: date | None = None
    state: str = "open"
    extensions: dict[str, date | None] = field(default_factory=dict)


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def reach_of(days_before: int) -> timedelta:
    """How far from today a deadline with a reminder due can be: N working days never span
    more calendar days than this (weekends, a holiday week)."""
    return timedelta(days=2 * days_before + 21)


def due_reminders(rows: Iterable[tuple[str, str, str]], calendar: WorkCalendar, today: date,
                  days_before: int) -> list[Due]:
    """The reminders due on ``today`` from ``rows`` (``(inspection id, path, value JSON)`` of
    :data:`kit.door.DEADLINE_PATHS`), by inspection and finding."""
    stages: dict[str, str] = {}
    found: dict[tuple[str, str], _Read] = {}
    for iid, path, value_json in rows:
        value = _value(value_json)
        if path == "stage":
            stages[iid] = str(value)
            continue
        parts = path.split("/")
        read = found.setdefault((iid, parts[1]), _Read())
        if parts[2] == "deadline":
            read.deadline = _date(value)
        elif parts[2] == "state":
            read.state = str(value)
        elif len(parts) == 5:
            read.extensions[parts[3]] = _date(value)
    counts: dict[tuple[date, date], WorkdayCount] = {}

    def between(a: date, b: date) -> WorkdayCount:
        if (a, b) not in counts:
            counts[a, b] = calendar.workdays_between(a, b, allow_estimate=True)
        return counts[a, b]

    reach = reach_of(days_before)
    out = []
    for (iid, key), read in found.items():
        if read.state == "passed" or stages.get(iid) == "closed":
            continue
        due = read.deadline if not read.extensions else Finding(
            deadline=read.deadline, extensions={
                k: Extension(new_deadline=d) for k, d in read.extensions.items()}).due
        if due is None or abs(due - today) > reach:
            continue
        first = read.deadline if read.deadline != due else None
        if due >= today:
            left = between(today, due)
            if left.days <= days_before:
                out.append(Due(iid, key, due, "before", left.days, left.estimated, first))
        else:
            late = between(due, today)
            if 1 <= late.days <= days_before:
                out.append(Due(iid, key, due, "after", late.days, late.estimated, first))
    return sorted(out, key=lambda d: (d.inspection_id, natural_key(d.finding), d.kind))


def _value(value_json: str) -> object:
    """A stored value: a plain text (a date, a state) without the JSON parser's cost."""
    if len(value_json) > 1 and value_json[0] == '"' == value_json[-1] and "\\" not in value_json:
        return value_json[1:-1]
    return json.loads(value_json)
