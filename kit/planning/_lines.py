"""The year's plan as lines to keep: each planned inspection as a :class:`~kit.door.PlanLine`,
saved through the door with a stable id (``kit plan --year 2027 --save``).

>>> from kit.door import Door, Identity
>>> from kit.analytics import tables_of
>>> from kit.planning import year_plan
>>> from kit.register import EXAMPLE
>>> door = Door.connect("sqlite://", identity=Identity("王科长"))
>>> plan = year_plan(tables_of([]), 2027, as_of=date(2026, 12, 1), register=[EXAMPLE],
...                  inspectors=["赵磊", "钱敏"])
>>> saved = save_year_plan(door, plan)
>>> [(s.id, s.line.month, s.line.members, s.done) for s in saved.lines]
[('2027-001', 1, ('赵磊', '钱敏'), False)]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from kit.analytics import Tables, load_plan_tables
from kit.door import Door, PlanLine, PlanSaved
from kit.planning._plan import YearPlan, grading_of, year_plan
from kit.planning._rules import SupervisionRules

__all__ = ["plan_lines_of", "save_year_plan"]


def office_year_plan(door: Door, tables: Tables | None, year: int, *,
                     as_of: date | None = None, rules: SupervisionRules | None = None,
                     inspectors: Sequence[str] | None = None,
                     seed: int | None = None) -> YearPlan:
    """The plan of ``year`` over the office's store as ``door`` shows it: ``tables`` (its
    inspections; None: only what the plan needs is read, in one query,
    :func:`kit.analytics.load_plan_tables`, the same plan at a fraction of the price) and
    every company of its register, inspected or not; the findings' grades and verdicts from
    the store when ``tables`` do not carry them. What ``kit plan`` and the analytics notebook
    plan. The register's companies join only a plan of someone who reads every inspection (an
    office leader or analyst on the office server; anyone on one machine): an inspector's plan
    holds the companies of their teams' inspections alone."""
    if tables is None:
        tables = load_plan_tables(door)
    who = door.identity
    everything = who is None or not who.hub or who.reads_everything
    register = [r.company for r in door.companies()] if everything else []
    grading = None if "grade" in tables.findings and "verdict" in tables.inspections \
        else grading_of(door.rows(("findings", "opinion/verdict", "opinion/scheme")))
    return year_plan(tables, year, as_of=as_of, rules=rules, inspectors=inspectors, seed=seed,
                     register=register or None, grading=grading)


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def plan_lines_of(plan: YearPlan) -> list[PlanLine]:
    """Each inspection of ``plan`` as a line to keep, in the plan's order (by month)."""
    out = []
    for row in plan.plan.to_dict("records"):
        due = row["next_due"]
        out.append(PlanLine(
            year=plan.year, month=int(row["month"].month), company=_text(row["company"]),
            credit_code=_text(row["credit_code"]), level=int(row["level"]),
            level_zh=_text(row["level_zh"]), kind=_text(row["kind"]), scope=_text(row["scope"]),
            basis=_text(row["basis"]), leader=_text(row["leader"]),
            inspector=_text(row["inspector"]),
            next_due=None if pd.isna(due) else date(due.year, due.month, due.day),
            overdue=bool(row["overdue"])))
    return out


def save_year_plan(door: Door, plan: YearPlan) -> PlanSaved:
    """Keep ``plan`` in the store through ``door`` (:meth:`kit.door.Door.save_plan`): re-saving
    a year keeps the ids of the lines that remain and says what changed."""
    return door.save_plan(plan.year, plan_lines_of(plan))
