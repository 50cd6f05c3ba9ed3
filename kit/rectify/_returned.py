"""A rectification that came back on paper or by mail in the workbook (整改跟踪): the text the
company gave as its 整改证据 becomes a submission round like one made online, frozen once made
(六、9).

>>> from datetime import date, datetime
>>> from dataclasses import replace
>>> from kit.record import Finding, new_inspection
>>> ins = replace(new_inspection(), findings={"F1": Finding(item="7.8.c1", deadline=date(2026, 3, 20))})
>>> extra = returned_submissions(ins, {"findings/F1/evidence": "已修订程序文件"}, user="张明",
...                              at=datetime(2026, 3, 10, 9, 0), taken={})
>>> extra["findings/F1/submissions/S1"]["report"], extra["findings/F1/state"]
('已修订程序文件', 'submitted')
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kit.record import Inspection, next_key
from kit.rectify._view import submit_refusal, to_rectify

__all__ = ["returned_submissions"]


def returned_submissions(ins: Inspection, changes: Mapping[str, Any], *, user: str,
                         at: datetime, taken: Mapping[str, set[str]]) -> dict[str, Any]:
    """The leaves that record, as a new submission round (channel ``workbook``), each finding
    to rectify whose 整改证据 ``changes`` set to new text while it was open to a submission;
    with the finding's state 已提交 and its submission date, unless ``changes`` set them.
    ``taken``: the submission keys each finding ever had (a key is never given again)."""
    extra: dict[str, Any] = {}
    for key in to_rectify(ins):
        text = changes.get(f"findings/{key}/evidence")
        f = ins.findings[key]
        if not isinstance(text, str) or not text.strip() or text == f.evidence or \
                submit_refusal(ins, key):
            continue
        s_key = next_key(set(f.submissions) | taken.get(key, set()), "S")
        extra[f"findings/{key}/submissions/{s_key}"] = {
            "at": at.isoformat(), "by": user, "channel": "workbook", "report": text.strip(),
            "files": []}
        if f"findings/{key}/state" not in changes:
            extra[f"findings/{key}/state"] = "submitted"
        if f"findings/{key}/submitted_on" not in changes:
            extra[f"findings/{key}/submitted_on"] = at.date().isoformat()
    return extra
