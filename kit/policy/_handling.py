"""The office's rules on carrying each handling of 十、1 to its outcome (``templates/handling.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kit.resources import DATA_DIR

HANDLING_SCHEMA = DATA_DIR / "handling.schema.json"
SUSPENDING = ("suspend_and_warn", "suspend_and_rectify")


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


def handling_from(data: Mapping[str, Any]) -> HandlingRules:
    res, notice = data["resumption"], data["suspension_notice"]
    return HandlingRules(
        resume_kinds=tuple(res["kinds"]),
        recheck_on_site=bool(res["recheck_on_site"]),
        resumption_source=" ".join(str(res["source"]).split()),
        notice_kinds=tuple(notice["kinds"]),
        notice_required=bool(notice["required"]),
    )
