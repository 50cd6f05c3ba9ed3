"""The office's rules on carrying each handling of 十、1 to its outcome (``templates/handling.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kit.guide import Guide, load_guide
from kit.resources import DATA_DIR

HANDLING_SCHEMA = DATA_DIR / "handling.schema.json"
SUSPENDING = ("suspend_and_warn", "suspend_and_rectify")


class Handled(Protocol):
    """A finding as these rules read it: its handling of 十、1 (a code of the guide's)."""

    @property
    def handling(self) -> str: ...


def deadline_kinds(guide: Guide | None = None) -> frozenset[str]:
    """十、1's handling kinds that set a rectification deadline (限期整改, 暂停生产并立即开始整改)."""
    return frozenset(t.code for t in (guide or load_guide()).terms("handling_kinds")
                     if t.needs_deadline)


def with_deadline(findings: Mapping[str, Handled], guide: Guide | None = None
                  ) -> tuple[str, ...]:
    """The keys of ``findings`` whose handling sets a rectification deadline (十、1), in their
    order."""
    kinds = deadline_kinds(guide)
    return tuple(k for k, f in findings.items() if f.handling in kinds)


@dataclass(frozen=True)
class HandlingRules:
    """What a suspension asks before production resumes, and its notice."""

    #: production suspended under these kinds resumes only after a review that passed, on
    #: site when ``recheck_on_site``
    resume_kinds: tuple[str, ...] = SUSPENDING
    recheck_on_site: bool = True
    resumption_source: str = ""
    #: a finding of these kinds needs the suspension notice (暂停生产通知书) issued and served
    notice_kinds: tuple[str, ...] = SUSPENDING
    notice_required: bool = True

    def to_review(self, findings: Mapping[str, Handled], guide: Guide | None = None
                  ) -> tuple[str, ...]:
        """The keys of ``findings`` (in their order) the company rectifies and submits for, and
        the team reviews before they end: those with a deadline (十、1), and those whose
        suspended production resumes only after a review (``resume_kinds``, the office's
        rule). The one definition: the rules check these findings' reviews, the company's
        portal shows these and takes their submissions.

        >>> from types import SimpleNamespace as F
        >>> HandlingRules().to_review({"F1": F(handling="rectify_by_deadline"),
        ...     "F2": F(handling="correct_on_site"), "F3": F(handling="suspend_and_warn")})
        ('F1', 'F3')
        """
        kinds = deadline_kinds(guide) | set(self.resume_kinds)
        return tuple(k for k, f in findings.items() if f.handling in kinds)


def handling_from(data: Mapping[str, Any]) -> HandlingRules:
    res, notice = data["resumption"], data["suspension_notice"]
    return HandlingRules(
        resume_kinds=tuple(res["kinds"]),
        recheck_on_site=bool(res["recheck_on_site"]),
        resumption_source=" ".join(str(res["source"]).split()),
        notice_kinds=tuple(notice["kinds"]),
        notice_required=bool(notice["required"]),
    )
