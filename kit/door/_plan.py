"""The year's plan through the door: its lines as saved, and an inspection made from a line or
from the register.

A line of a saved plan (:class:`PlanLine`) names a company, its level, the kind of inspection,
the month and the proposed team (五、1); the store keeps it under a stable id (``2027-014``)
with a trail. On the office server only office leaders (group ``leaders``) save a plan; everyone
reads it. An inspection made from a line (:func:`inspection_for`) takes the company as the
register has it (name, credit code, licence or filing, products), the scope (监督检查, sections
七、1-13, and 七、14 where the company contracts manufacturing), a start date in the line's month
and the proposed team, leader first; the line then records the inspection and is done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final

from kit.door._access import LEADERS, Identity
from kit.errors import Problem
from kit.guide import load_guide
from kit.record import (
    Company,
    InspectionType,
    Licence,
    Member,
    Product,
    Role,
    new_inspection,
)
from kit.record.model import Inspection
from kit.register import RegisteredCompany
from kit.store import WITHDRAWN, KeptLine, PlanChange
from kit.workdays import WorkCalendar

__all__ = ["CONTRACT_SECTION", "LineMade", "PlanLine", "PlanSaved", "SavedLine", "first_workday",
           "inspection_for", "line_problems", "plan_refusal", "sections_for"]

#: the section that applies only where the company contracts manufacturing (委托生产)
CONTRACT_SECTION: Final = "7.14"
#: the words of a line's fields, for what a re-plan changed
FIELD_WORDS: Final = {"month": "月份", "company": "企业名称", "credit_code": "统一社会信用代码",
                      "level": "级别", "level_zh": "级别", "kind": "检查类别", "scope": "检查范围",
                      "basis": "依据", "leader": "组长", "inspector": "检查员",
                      "next_due": "应检日期", "overdue": "逾期", WITHDRAWN: "撤销"}


@dataclass(frozen=True)
class PlanLine:
    """One inspection of the year's plan: who, what kind, when, by whom (五、1), and why."""

    year: int
    month: int
    company: str
    credit_code: str = ""
    level: int = 0
    level_zh: str = ""
    kind: str = ""
    scope: str = ""
    basis: str = ""
    leader: str = ""
    inspector: str = ""
    next_due: date | None = None
    overdue: bool = False

    @property
    def key(self) -> str:
        """The company the line plans: its credit code, else its name (one line per company
        and year: a re-plan keeps the id of the line with the same key)."""
        return self.credit_code or f"名称:{self.company}"

    @property
    def members(self) -> tuple[str, ...]:
        """The proposed team by name, leader first."""
        return tuple(n for n in (self.leader, self.inspector) if n)

    def to_doc(self) -> dict[str, Any]:
        """Plain JSON values (what the store keeps; the year is the line's row's)."""
        return {"month": f"{self.year}-{self.month:02d}", "company": self.company,
                "credit_code": self.credit_code, "level": self.level,
                "level_zh": self.level_zh, "kind": self.kind, "scope": self.scope,
                "basis": self.basis, "leader": self.leader, "inspector": self.inspector,
                "next_due": self.next_due.isoformat() if self.next_due else None,
                "overdue": self.overdue}

    @classmethod
    def from_doc(cls, year: int, doc: Mapping[str, Any]) -> PlanLine:
        """The line :meth:`to_doc` gave."""
        due = doc.get("next_due")
        return cls(year=year, month=int(str(doc["month"])[-2:]), company=str(doc["company"]),
                   credit_code=str(doc.get("credit_code") or ""),
                   level=int(doc.get("level") or 0), level_zh=str(doc.get("level_zh", "")),
                   kind=str(doc.get("kind", "")), scope=str(doc.get("scope", "")),
                   basis=str(doc.get("basis", "")), leader=str(doc.get("leader") or ""),
                   inspector=str(doc.get("inspector") or ""),
                   next_due=date.fromisoformat(due) if due else None,
                   overdue=bool(doc.get("overdue", False)))


@dataclass(frozen=True)
class SavedLine:
    """A line of a saved plan: its id (``2027-014``), the line, and the inspection made from
    it (None: not done); ``withdrawn`` when a later plan no longer holds it."""

    id: str
    line: PlanLine
    inspection_id: str | None
    withdrawn: bool
    updated_at: str  # UTC, as the trail keeps it
    updated_by: str

    @property
    def done(self) -> bool:
        return self.inspection_id is not None

    @property
    def state(self) -> str:
        """已完成 done, 已撤销 withdrawn or 未开始 not done, in words."""
        if self.done:
            return "已建检查 done"
        return "已撤销 withdrawn" if self.withdrawn else "未开始 not done"

    @classmethod
    def of(cls, kept: KeptLine) -> SavedLine:
        return cls(kept.id, PlanLine.from_doc(kept.year, kept.doc), kept.inspection_id,
                   bool(kept.doc.get(WITHDRAWN)), kept.updated_at, kept.updated_by)


@dataclass(frozen=True)
class PlanSaved:
    """What saving a year's plan did: the lines added, changed (with the fields that changed),
    withdrawn (the plan no longer holds them), unchanged, and the done lines kept as they were;
    ``lines`` the year's lines now."""

    year: int
    added: tuple[str, ...]
    changed: tuple[tuple[str, tuple[str, ...]], ...]
    withdrawn: tuple[str, ...]
    unchanged: tuple[str, ...]
    done: tuple[str, ...]
    lines: tuple[SavedLine, ...]
    entries: tuple[PlanChange, ...]

    @classmethod
    def of(cls, year: int, planned: Sequence[PlanLine], entries: Sequence[PlanChange],
           kept: Sequence[KeptLine]) -> PlanSaved:
        by_key = {k.key: k for k in kept}
        touched = {e.line_id for e in entries}
        now = [by_key[p.key] for p in planned]
        return cls(
            year,
            tuple(e.line_id for e in entries if e.action == "add"),
            tuple((e.line_id, _fields(e.old or {}, e.new or {})) for e in entries
                  if e.action == "change"),
            tuple(e.line_id for e in entries if e.action == "withdraw"),
            tuple(k.id for k in now if k.id not in touched and k.inspection_id is None),
            tuple(k.id for k in now if k.inspection_id is not None),
            tuple(SavedLine.of(k) for k in kept), tuple(entries))

    def summary(self) -> str:
        """What changed, in one paragraph (Chinese, then English)."""
        head = (f"{self.year} 年度计划已保存：{len(self.lines)} 行；新增 {len(self.added)} 行、更新 "
                f"{len(self.changed)} 行、撤销 {len(self.withdrawn)} 行、未变 {len(self.unchanged)} "
                f"行、已建检查 {len(self.done)} 行（保持不变） / the {self.year} plan is saved: "
                f"{len(self.added)} added, {len(self.changed)} changed, {len(self.withdrawn)} "
                f"withdrawn, {len(self.unchanged)} unchanged, {len(self.done)} done (kept)")
        parts = [head]
        if self.added:
            parts.append("新增 added: " + _ids(self.added))
        parts += [f"更新 changed: {e.line_id} {(e.new or {}).get('company', '')}："
                  f"{_changes(e.old or {}, e.new or {})}"
                  for e in self.entries if e.action == "change"]
        if self.withdrawn:
            parts.append("撤销 withdrawn: " + _ids(self.withdrawn))
        return "\n".join(parts)


def _ids(ids: Sequence[str]) -> str:
    return "、".join(ids[:20]) + (f" 等 {len(ids)} 行" if len(ids) > 20 else "")


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """What changed in a line, in words: the month and the team with their values."""
    out = []
    for f in _fields(old, new):
        if f in ("basis", "scope", "next_due", "overdue", "level"):
            out.append(FIELD_WORDS[f])
        elif f == WITHDRAWN:
            out.append("恢复 reinstated")
        else:
            out.append(f"{FIELD_WORDS.get(f, f)} {old.get(f) or '-'} → {new.get(f) or '-'}")
    return "；".join(dict.fromkeys(out))


def _fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k))


@dataclass(frozen=True)
class LineMade:
    """An inspection made from a plan line: its id, the line now done, its start date and
    whether that date is an estimate (the year's official calendar not known)."""

    inspection_id: str
    line: SavedLine
    start: date
    estimated: bool
    entry: PlanChange


def plan_refusal(who: Identity | None) -> str | None:
    """Why ``who`` may not save the year's plan, or None."""
    if who is None or not who.hub or LEADERS in who.groups:
        return None
    return (f"{who.user} 不是科室负责人，不能保存年度监督检查计划 / {who.user} is not an office "
            "leader and may not save the year's plan")


def line_problems(year: int, lines: Sequence[PlanLine]) -> list[Problem]:
    """What a saved plan must never hold: a line of another year, a month that is not 1-12, a
    line without a company, one company twice."""
    out: list[Problem] = []
    seen: dict[str, int] = {}
    for k, line in enumerate(lines):
        where = f"lines/{k}"
        if line.year != year or not 1 <= line.month <= 12:
            out.append(Problem("plan_line.wrong_month",
                               f"计划行的月份 {line.year}-{line.month:02d} 不在 {year} 年内",
                               f"the line's month is not in {year}", field=f"{where}/month"))
        if not line.company.strip():
            out.append(Problem("missing_value", "计划行没有企业名称", "a line without a company",
                               field=f"{where}/company"))
        if line.key in seen:
            out.append(Problem("plan_line.same_company",
                               f"{line.company} 在 {year} 年度计划中有两行（第 {seen[line.key] + 1} 行）",
                               "one company has two lines in the year's plan",
                               field=f"{where}/credit_code"))
        seen.setdefault(line.key, k)
    return out


def sections_for(company: RegisteredCompany) -> tuple[str, ...]:
    """The sections a full inspection of ``company`` covers: 七、1-13, and 七、14 only where it
    contracts manufacturing (委托生产)."""
    return tuple(s.id for s in load_guide().sections
                 if s.id != CONTRACT_SECTION or company.contracts)


def first_workday(year: int, month: int, calendar: WorkCalendar) -> tuple[date, bool]:
    """The month's first working day, and whether it is an estimate (the year's official
    schedule not known: weekends and the statutory holidays skipped, make-up days unknown)."""
    day = date(year, month, 1)
    while calendar.is_day_off(day):
        day = date.fromordinal(day.toordinal() + 1)
    return day, not calendar.knows(day)


def _company(c: RegisteredCompany) -> Company:
    """The company as the register has it: name, credit code, licence or filing, products."""
    licences: dict[str, Licence] = {}
    if c.licence_no:
        licences[f"L{len(licences) + 1}"] = Licence(
            kind="production_licence", number=c.licence_no, holder=c.name,
            issued=c.licence_issued, expires=c.licence_expires)
    if c.filing_no:
        licences[f"L{len(licences) + 1}"] = Licence(
            kind="class1_production_filing", number=c.filing_no, holder=c.name,
            issued=c.filed_on)
    products = {f"P{k}": Product(name=p.name, device_class=p.device_class,
                                 certificate="filing" if p.device_class == "I" else
                                 "registration", registration_no=p.registration_no,
                                 category_code=p.category_code, holder=c.name)
                for k, p in enumerate(c.products, 1)}
    role: Role = "filer" if c.filing_no and not c.licence_no else "registrant"
    return Company(name=c.name, credit_code=c.credit_code, role=role, licences=licences,
                   products=products)


def inspection_for(company: RegisteredCompany, *, type: InspectionType = "supervisory",
                   start: date | None = None, members: Sequence[str] = (),
                   purpose: str = "") -> Inspection:
    """A new inspection of ``company`` from the register: its company part, the scope
    (``type``, the sections :func:`sections_for` gives, ``start``), and the team by name,
    the first the leader."""
    ins = new_inspection(company=_company(company), type=type, start_date=start,
                         sections=sections_for(company))
    team = {f"M{k}": Member(name=name, role="leader" if k == 1 else "inspector")
            for k, name in enumerate(members, 1)}
    return replace(ins, team=team, scope=replace(ins.scope, purpose=purpose))
