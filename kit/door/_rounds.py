"""A concluded review is never overwritten (六、9; 十、3（1））: before a finding's review fields
take a new round, the round they held is kept in its ``reviews``, and a kept round never changes.

The door adds the keeping to a write that would overwrite a concluded round (a new submission
after a failed review, a review on another date), and refuses a write that changes or removes
a kept round, whichever way it comes: the app, ``kit set``, an imported file.

>>> from datetime import date
>>> from kit.record import Finding, new_inspection
>>> from dataclasses import replace
>>> f = Finding(item="7.8.c1", state="failed", submitted_on=date(2027, 1, 5),
...             review_mode="written", reviewed_on=date(2027, 1, 8), reviewer="王芳")
>>> ins = replace(new_inspection(), findings={"F1": f})
>>> kept = keep_rounds(ins, {"findings/F1/state": "submitted"})
>>> kept["findings/F1/reviews/R1/result"], kept["findings/F1/reviews/R1/reviewer"]
('failed', '王芳')
>>> kept["findings/F1/reviewed_on"] is None  # the new round waits for its review
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kit.errors import Problem
from kit.record import Finding, Inspection, Review, natural_key, next_key, to_data
from kit.store import DELETE

#: the finding's fields that hold the round under way
_ROUND_FIELDS = ("state", "submitted_on", "evidence", "review_mode", "reviewed_on", "reviewer")


def concluded(f: Finding) -> bool:
    """Whether the finding's round under way has a review's conclusion."""
    return f.state in ("passed", "failed") and f.reviewed_on is not None


def as_round(f: Finding) -> Review:
    """The finding's round under way, as a kept round."""
    return Review(submitted_on=f.submitted_on, evidence=f.evidence, mode=f.review_mode,
                  reviewed_on=f.reviewed_on, reviewer=f.reviewer,
                  result="passed" if f.state == "passed" else "failed")


def _overwrites(f: Finding, key: str, changes: Mapping[str, Any]) -> bool:
    base = f"findings/{key}/"
    state = changes.get(base + "state", f.state)
    reviewed = changes.get(base + "reviewed_on", _iso(f.reviewed_on))
    if state is DELETE or reviewed is DELETE:
        return True
    return state != f.state or reviewed != _iso(f.reviewed_on)


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def keep_rounds(current: Inspection, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The leaves that keep each concluded round ``changes`` would overwrite (none needed:
    empty), under the finding's next round key."""
    extra: dict[str, Any] = {}
    for key, f in current.findings.items():
        if not concluded(f) or f"findings/{key}" in changes:
            continue
        touched = any(p.startswith(f"findings/{key}/") and p.rsplit("/", 1)[-1] in _ROUND_FIELDS
                      for p in changes)
        if not touched or not _overwrites(f, key, changes) or _kept(f, key, changes):
            continue
        r_key = next_key(f.reviews, "R")
        data = to_data(as_round(f))
        extra.update({f"findings/{key}/reviews/{r_key}/{k}": v for k, v in data.items()})
        if changes.get(f"findings/{key}/state") in ("open", "submitted"):
            # a new round begins: the review fields wait for its review
            for name, empty in (("review_mode", ""), ("reviewed_on", None), ("reviewer", "")):
                extra.setdefault(f"findings/{key}/{name}", empty)
    return extra


def _kept(f: Finding, key: str, changes: Mapping[str, Any]) -> bool:
    """Whether ``changes`` already keep the round under way (a caller that kept it itself)."""
    want = to_data(as_round(f))
    prefix = f"findings/{key}/reviews/"
    new_keys = {p[len(prefix):].split("/", 1)[0] for p in changes if p.startswith(prefix)}
    for r_key in new_keys - set(f.reviews):
        base = prefix + r_key
        whole = changes.get(base)
        got = whole if isinstance(whole, dict) else {
            k: changes.get(f"{base}/{k}") for k in want}
        if all(got.get(k) == v for k, v in want.items() if k != "note"):
            return True
    return False


def round_problems(current: Inspection, changes: Mapping[str, Any]) -> list[Problem]:
    """A kept round changed or removed, or a concluded round overwritten without being kept."""
    out: list[Problem] = []
    for key, f in current.findings.items():
        if f.reviews and _replaced_without(f, key, changes):
            out.append(Problem(
                "review.round_frozen",
                f"问题 {key} 有已记录的复查轮次，不能整体删除或替换掉这些记录",
                f"finding {key} has kept review rounds: it cannot be removed or replaced "
                "without them", field=f"findings/{key}"))
            continue
        for r_key in sorted(f.reviews, key=natural_key):
            base = f"findings/{key}/reviews/{r_key}"
            hit = [p for p in changes if p == base or p.startswith(base + "/")
                   or p in (f"findings/{key}/reviews",)]
            if hit:
                out.append(Problem(
                    "review.round_frozen",
                    f"问题 {key} 的第 {r_key} 轮复查已记录，不能修改或删除（审计记录保留原样）",
                    f"review round {r_key} of finding {key} is kept and cannot be changed or "
                    "removed", field=hit[0]))
        if concluded(f) and f"findings/{key}" not in changes and keep_rounds(
                current, {p: v for p, v in changes.items()
                          if p.startswith(f"findings/{key}/")}):
            out.append(Problem(
                "review.overwritten",
                f"问题 {key} 的复查结论（{f.reviewed_on} {f.reviewer}）会被覆盖：须先把本轮存为复查记录"
                "（请刷新后再改：工具包会自动保存本轮）",
                f"finding {key}'s concluded review would be overwritten without being kept as a "
                "round: refresh and try again (the kit keeps the round itself)",
                field=f"findings/{key}/reviews"))
    return out


def _replaced_without(f: Finding, key: str, changes: Mapping[str, Any]) -> bool:
    """Whether ``changes`` remove the finding (or every finding) or write it whole without
    its kept rounds as they are."""
    if changes.get("findings") is DELETE or changes.get(f"findings/{key}") is DELETE:
        return True
    whole = changes.get(f"findings/{key}")
    if "findings" in changes and isinstance(changes["findings"], dict):
        whole = changes["findings"].get(key)
        if whole is None:
            return True
    if not isinstance(whole, dict):
        return False
    kept = {k: to_data(r) for k, r in f.reviews.items()}
    given = whole.get("reviews") or {}
    return any(given.get(k) != v for k, v in kept.items())
