"""What the rules read (:class:`Context`) and what a rule is: a function yielding problems."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from kit.errors import KitError, Problem
from kit.guide import Guide, Term
from kit.policy import Policy, with_deadline
from kit.profiles import Profile, find_item
from kit.record import Inspection
from kit.workdays import WorkCalendar

DELEGATED_FEEDBACK_WORKDAYS = 10  # 八、5.（3）
SECTION_14 = "7.14"
#: the stages after the visit: the checklist and the record are written by then
PAST_ON_SITE = frozenset({"reporting", "follow_up", "closed"})
#: the stages after the record and its notices: each handling's outcome is being followed
PAST_REPORT = frozenset({"follow_up", "closed"})
#: 六's steps a closed record has done; 六、4 (adjusting the plan) is as needed, 六、8 only on a
#: refusal and 六、9 only when something is to be rectified
REQUIRED_STEPS = ("6.1", "6.2", "6.3", "6.5", "6.6", "6.7", "6.10")


@dataclass(frozen=True)
class Context:
    """What the rules read: the record, the guide, its profile, the calendar and today."""

    inspection: Inspection
    guide: Guide
    profile: Profile | None
    calendar: WorkCalendar
    today: date
    known_items: frozenset[str] = field(default=frozenset())
    #: the same items in the checklist's order (problems about them are listed in it)
    checklist: tuple[str, ...] = ()
    #: the office's grading scheme and handling rules (templates/)
    policy: Policy = field(default_factory=Policy)

    def label(self, item_id: str) -> str:
        """An item as a reader knows it: its label (七、1.检查内容（4）), not its id."""
        try:
            clause = find_item(item_id, self.profile, self.guide)
        except KitError:
            return item_id
        return clause.label

    @cached_property
    def handling_kinds(self) -> Mapping[str, Term]:
        """十、1's handling kinds by code."""
        return {t.code: t for t in self.guide.terms("handling_kinds")}

    @cached_property
    def to_rectify(self) -> tuple[str, ...]:
        """The findings whose handling sets a rectification deadline (十、1), by key."""
        return with_deadline(self.inspection.findings, self.guide)

    @cached_property
    def to_review(self) -> tuple[str, ...]:
        """The findings whose rectification is reviewed before they end: those with a deadline,
        and those whose suspended production resumes only after a review (the office's rule,
        templates/handling.yaml), by key: :meth:`kit.policy.HandlingRules.to_review`, what
        the company's portal shows too."""
        return self.policy.handling.to_review(self.inspection.findings, self.guide)

    @cached_property
    def to_suspend(self) -> tuple[str, ...]:
        """The findings that suspend production and need the suspension notice (十、1), by key."""
        kinds = set(self.policy.handling.notice_kinds) if self.policy.handling.notice_required \
            else set()
        return tuple(k for k, f in self.inspection.findings.items() if f.handling in kinds)

    @cached_property
    def proposed_verdict(self) -> str:
        """The verdict the office's scheme proposes from the findings' grades ('' if none)."""
        return self.policy.scheme.propose(f.grade for f in self.inspection.findings.values())

    @cached_property
    def inability_noted_by(self) -> tuple[str, ...]:
        """The team's inspectors who noted the inability to inspect (六、8), by member key."""
        return self.inspection.inability_noted_by

    @property
    def inability_holds(self) -> bool:
        """Whether the record holds a valid 六、8 inability to inspect (the record's own
        predicate, :attr:`kit.record.Inspection.inability_holds`)."""
        return self.inspection.inability_holds

    @property
    def reference_date(self) -> date:
        """The day licences must be valid on: the inspection's start, or today."""
        return self.inspection.scope.start_date or self.today


#: A rule: every problem it finds in the context's record.
Rule = Callable[[Context], Iterable[Problem]]
