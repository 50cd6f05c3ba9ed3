"""Reminders of rectification deadlines through the door: what a run reads, who may send.

A reminder run (``kit remind``, :func:`kit.remind.remind`) reads every finding's deadline,
its extensions' new deadlines and its state, and each inspection's stage, in one query
(:data:`DEADLINE_PATHS`); it then opens only the inspections with a reminder due. Sending
reminders is an office task: on the office server only those who read every inspection (office
leaders, analysts) may; on one machine, or as the Hub's service, whoever holds the store. Each
reminder is sent and recorded in one transaction, at most once per finding, deadline and kind
(:meth:`kit.door.Door.remind_once`).
"""

from __future__ import annotations

from typing import Final

from kit.door._access import Identity

__all__ = ["DEADLINES", "DEADLINE_PATHS", "REMINDER_KINDS", "reminder_refusal"]

#: where a finding's deadlines are: the one first set, and each extension's (``*``: any key)
DEADLINES: Final = ("findings/*/deadline", "findings/*/extensions/*/new_deadline")
#: what a reminder run reads of every inspection
DEADLINE_PATHS: Final = ("stage", "findings/*/state", *DEADLINES)
#: a reminder before a deadline, or after it passed
REMINDER_KINDS: Final = ("before", "after")


def reminder_refusal(who: Identity | None) -> str | None:
    """Why ``who`` may not send reminders, or None (one machine; office leaders, analysts)."""
    if who is None or who.reads_everything:
        return None
    return (f"{who.user} 不是科室负责人或分析人员，不能发送整改期限提醒 / {who.user} is neither an "
            "office leader nor an analyst and may not send deadline reminders")
