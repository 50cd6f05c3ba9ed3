"""Where inspections are kept: one row per field, saved as typed, with an append-only trail.

:class:`Store` holds inspections in any SQLAlchemy database (a SQLite file in the user's data
folder by default); :class:`Record` is one inspection as a tab last read it, saving each change
at once with a version check; every change is an :class:`AuditEntry`.

>>> store = Store("sqlite://")
>>> iid = store.create({"company": {"name": "甲公司"}}, user="张三")
>>> store.load(iid).get("company/name")
'甲公司'
"""

from __future__ import annotations

from kit.store._doc import (
    DELETE,
    AuditEntry,
    FieldConflict,
    FieldConflictError,
    flatten,
    unflatten,
)
from kit.store._record import Record
from kit.store._sql import Where
from kit.store._store import (
    APP_NAME,
    CONNECTION_MODES,
    DB_FILE,
    NumberTakenError,
    Store,
    current_user,
    resolve_url,
)

__all__ = [
    "APP_NAME",
    "CONNECTION_MODES",
    "DB_FILE",
    "DELETE",
    "AuditEntry",
    "FieldConflict",
    "FieldConflictError",
    "NumberTakenError",
    "Record",
    "Store",
    "Where",
    "current_user",
    "flatten",
    "resolve_url",
    "unflatten",
]
