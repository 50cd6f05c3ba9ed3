"""The guide's rules as plain functions over an inspection record.

Each rule takes a :class:`Context` and yields every :class:`~kit.errors.Problem` it finds, with
a reason code (:class:`kit.reasons.Reason`), a message in Chinese and English that cites the
guide, and the field of the record it concerns (its document path, e.g. ``team/M2/sections``).
:func:`check` runs them all and returns every problem at once; nothing here raises for a
broken record.

>>> from kit.record import new_inspection
>>> sorted({p.code for p in check(new_inspection())})[:2]
['company.credit_code_missing', 'division.unowned']
"""

from __future__ import annotations

from kit.rules._check import RULE_NAMES, RULES, check, errors, notice_problems
from kit.rules._context import DELEGATED_FEEDBACK_WORKDAYS, SECTION_14, Context, Rule
from kit.rules._licences import credit_code_problems, licence_problems
from kit.rules._progress import SectionProgress, progress

__all__ = [
    "DELEGATED_FEEDBACK_WORKDAYS",
    "RULES",
    "RULE_NAMES",
    "SECTION_14",
    "Context",
    "Rule",
    "SectionProgress",
    "check",
    "credit_code_problems",
    "errors",
    "licence_problems",
    "notice_problems",
    "progress",
]
