"""Where inspections are kept: one row per field, saved as typed, with an append-only trail.

:class:`Store` holds inspections in any SQLAlchemy database (a SQLite file in the user's data
folder by default); :class:`Record` is one inspection as a reader last read it, kept current by
the rows each write through it made (:class:`Applied`); every change is an :class:`AuditEntry`.
Only :mod:`kit.door` uses the store: it decides who may read and write what.

>>> store = Store("sqlite://")
>>> iid = store.create({"company": {"name": "甲公司"}}, user="张三")
>>> store.load(iid).get("company/name")
'甲公司'
"""

from __future__ import annotations

from kit.store._companies import CompanyChange, KeptCompany
from kit.store._doc import (
    DELETE,
    AuditEntry,
    FieldConflict,
    FieldConflictError,
    flatten,
    unflatten,
)
from kit.store._plan_lines import WITHDRAWN, KeptLine, PlanChange
from kit.store._record import Applied, Record
from kit.store._reminders import KeptReminder
from kit.store._sql import Where
from kit.store._store import (
    APP_NAME,
    CONNECTION_MODES,
    DB_FILE,
    Guard,
    NumberTakenError,
    Peek,
    Store,
    resolve_url,
)

__all__ = [
    "APP_NAME",
    "CONNECTION_MODES",
    "DB_FILE",
    "DELETE",
    "WITHDRAWN",
    "Applied",
    "AuditEntry",
    "CompanyChange",
    "FieldConflict",
    "FieldConflictError",
    "Guard",
    "KeptCompany",
    "KeptLine",
    "KeptReminder",
    "NumberTakenError",
    "Peek",
    "PlanChange",
    "Record",
    "Store",
    "Where",
    "flatten",
    "resolve_url",
    "unflatten",
]
