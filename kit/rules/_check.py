"""Every rule, in the order problems are listed, and :func:`check` that runs them all."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from kit.dates import beijing_today
from kit.errors import Problem
from kit.guide import Guide, load_guide
from kit.policy import Policy, load_policy
from kit.profiles import Profile, items_in_scope, resolve_profile
from kit.record import Inspection
from kit.rules._calendar import deadlines_on_days_off
from kit.rules._company import credit_codes, licences_valid
from kit.rules._context import Context, Rule
from kit.rules._findings import checklist_complete, findings, past_products, rectification
from kit.rules._notices import issue_problems, notices
from kit.rules._outcomes import (
    cross_region,
    extended,
    grading,
    outcomes,
    review_unit_told,
    rounds_and_extensions,
)
from kit.rules._preparation import (
    contract_manufacturing,
    contract_manufacturing_scope,
    dates_in_order,
    delegated_feedback,
    joint_inspection_lead,
    notification,
    plan_review,
    products_in_scope,
    remote_inspection,
)
from kit.rules._report import follow_up, inability, opinion, signatures, steps_done
from kit.rules._team import division_of_labour, qualifications, team_size_and_leader
from kit.workdays import WorkCalendar, load_calendar

RULES: tuple[Rule, ...] = (
    team_size_and_leader,
    qualifications,
    dates_in_order,
    division_of_labour,
    notification,
    remote_inspection,
    contract_manufacturing_scope,
    contract_manufacturing,
    products_in_scope,
    joint_inspection_lead,
    delegated_feedback,
    cross_region,
    extended,
    plan_review,
    credit_codes,
    licences_valid,
    checklist_complete,
    findings,
    past_products,
    review_unit_told,
    outcomes,
    rectification,
    rounds_and_extensions,
    deadlines_on_days_off,
    grading,
    opinion,
    signatures,
    inability,
    notices,
    steps_done,
    follow_up,
)
RULE_NAMES = tuple(r.__name__ for r in RULES)


def check(
    inspection: Inspection,
    *,
    guide: Guide | None = None,
    profile: Profile | None = None,
    calendar: WorkCalendar | None = None,
    today: date | None = None,
    policy: Policy | None = None,
) -> list[Problem]:
    """Every problem the guide's rules (and the office's, ``templates/``) find in
    ``inspection``, errors first."""
    ctx = _context(inspection, guide, profile, calendar, today, policy)
    problems = [p for r in RULES for p in r(ctx)]
    return sorted(problems, key=lambda p: p.severity != "error")


def notice_problems(
    inspection: Inspection,
    kind: str,
    *,
    guide: Guide | None = None,
    profile: Profile | None = None,
    calendar: WorkCalendar | None = None,
    today: date | None = None,
    policy: Policy | None = None,
) -> list[Problem]:
    """What stops the notice of ``kind`` being issued now (an opinion for the result notice,
    every finding to rectify complete for the rectification notice; none before the visit
    ends)."""
    return issue_problems(_context(inspection, guide, profile, calendar, today, policy), kind)


def _context(inspection: Inspection, guide: Guide | None, profile: Profile | None,
             calendar: WorkCalendar | None, today: date | None,
             policy: Policy | None = None) -> Context:
    guide = guide or load_guide()
    profile = profile or resolve_profile(inspection.profile)
    checklist = _checklist(profile, inspection.scope.sections, guide)
    return Context(
        inspection=inspection,
        guide=guide,
        profile=profile,
        calendar=calendar or load_calendar(),
        today=today or beijing_today(),
        known_items=frozenset(checklist),
        checklist=checklist,
        policy=policy or load_policy(),
    )


_KNOWN: dict[tuple[int, int, tuple[str, ...]], tuple[Profile | None, Guide, tuple[str, ...]]] = {}


def _checklist(profile: Profile | None, sections: tuple[str, ...], guide: Guide
               ) -> tuple[str, ...]:
    """The ids of the items in scope, in order, kept per (profile, sections, guide) object:
    a save checks the record again, and its scope rarely changes."""
    key = (id(profile), id(guide), sections)
    hit = _KNOWN.get(key)
    if hit is not None and hit[0] is profile and hit[1] is guide:
        return hit[2]
    if len(_KNOWN) > 64:
        _KNOWN.clear()
    items = tuple(i.id for i in items_in_scope(profile, sections, guide))
    _KNOWN[key] = (profile, guide, items)
    return items


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
