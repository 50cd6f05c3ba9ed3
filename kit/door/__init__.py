"""The one door to stored inspections: who may read and change what, valid values, no silent
overwrite, whichever way a record is read or written.

Every caller, the apps through :class:`kit.session.Session`, imports, the demo generator, the
analysts' tables, the credit file, the plan, the class view and every command, reads and
writes through a :class:`Door` that knows who is acting (:class:`Identity`). Nothing else in
the kit uses :mod:`kit.store` (an import-linter contract holds it); the store's migrations and
administration (``kit db``) are re-exported here for the command line.

>>> from kit.record import new_inspection
>>> door = Door.connect("sqlite://", identity=Identity("张明"))
>>> iid = door.create(new_inspection())
>>> door.save(door.open(iid), {"company/name": "甲公司"})[0].path
'company/name'
"""

from __future__ import annotations

from kit.door._access import (
    ANALYSTS,
    COMPANIES,
    LEADER_PATHS,
    LEADERS,
    READERS,
    TRAINERS,
    AccessError,
    Identity,
    is_company,
    is_team_leader,
    login_name,
    may_edit,
    may_read,
    read_refusal,
    refusal,
    signed_in_leaders,
)
from kit.door._company import MAX_FILES, MAX_REPORT
from kit.door._door import (
    GATED_STAGES,
    ON_SITE_GATE,
    OVERRIDES,
    Checkpointer,
    Door,
    GateError,
    local_checkpointer,
    new_inspection_id,
)
from kit.door._plan import (
    CONTRACT_SECTION,
    LineMade,
    PlanLine,
    PlanSaved,
    SavedLine,
    first_workday,
    inspection_for,
    plan_refusal,
    sections_for,
)
from kit.door._register import Registered, register_refusal
from kit.door._reminders import DEADLINE_PATHS, REMINDER_KINDS, reminder_refusal
from kit.store import (
    APP_NAME,
    CONNECTION_MODES,
    DB_FILE,
    DELETE,
    Applied,
    AuditEntry,
    CompanyChange,
    FieldConflict,
    FieldConflictError,
    KeptReminder,
    NumberTakenError,
    PlanChange,
    Record,
    Where,
    resolve_url,
)

__all__ = [
    "ANALYSTS",
    "APP_NAME",
    "COMPANIES",
    "CONNECTION_MODES",
    "CONTRACT_SECTION",
    "DB_FILE",
    "DEADLINE_PATHS",
    "DELETE",
    "GATED_STAGES",
    "LEADERS",
    "LEADER_PATHS",
    "MAX_FILES",
    "MAX_REPORT",
    "ON_SITE_GATE",
    "OVERRIDES",
    "READERS",
    "REMINDER_KINDS",
    "TRAINERS",
    "AccessError",
    "Applied",
    "AuditEntry",
    "Checkpointer",
    "CompanyChange",
    "Door",
    "FieldConflict",
    "FieldConflictError",
    "GateError",
    "Identity",
    "KeptReminder",
    "LineMade",
    "NumberTakenError",
    "PlanChange",
    "PlanLine",
    "PlanSaved",
    "Record",
    "Registered",
    "SavedLine",
    "Where",
    "first_workday",
    "inspection_for",
    "is_company",
    "is_team_leader",
    "local_checkpointer",
    "login_name",
    "may_edit",
    "may_read",
    "new_inspection_id",
    "plan_refusal",
    "read_refusal",
    "refusal",
    "register_refusal",
    "reminder_refusal",
    "resolve_url",
    "schema_status",
    "sections_for",
    "signed_in_leaders",
    "upgrade_schema",
]


def schema_status(url: str | None = None, *, data_dir: str | None = None
                  ) -> tuple[str | None, str]:
    """(the database's schema revision, or None for an empty one; the one this kit needs)."""
    from kit.store import migrate  # Alembic: only for ``kit db``, not at every start

    return migrate.status(url, data_dir=data_dir)


def upgrade_schema(url: str | None = None, *, data_dir: str | None = None) -> tuple[str, str]:
    """Bring a database to this kit's schema (back it up first): (revision before, after)."""
    from kit.store import migrate

    return migrate.upgrade(url, data_dir=data_dir)
