"""Inspection documents as rows, and what the store gives back (see :mod:`kit.store`).

``{"results": {"7.8.m4": {"result": "合格"}}}`` is the row ``results/7.8.m4/result = "合格"``.
Leaves are JSON scalars, lists and empty dicts (an empty collection keeps its place), and each
row holds its value as canonical JSON text, so comparing texts tells whether a value changed.
The store gives back :class:`AuditEntry` lines and, when a field was changed by someone else,
a :class:`FieldConflictError` listing each :class:`FieldConflict`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from kit.errors import ConflictError, Problem, ValidationError
from kit.record import SEP, flatten, split_path, unflatten
from kit.schemas import canonical_json


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE: Final = _Delete()
"""Value for ``set_many`` that removes a field or a whole subtree."""


# canonical JSON text: equal values give equal text, so comparing texts finds no-op writes
_encode = canonical_json


def leaf_rows(path: str, value: Any) -> dict[str, str]:
    """``value`` written at ``path``, as rows path -> JSON text (a dict gives its leaves)."""
    keys = split_path(path)
    if isinstance(value, str) or value is None or type(value) in (int, bool):
        return {path: _encode(value)}  # the autosave case, checked cheaply
    return encode_rows(flatten({keys[-1]: value}, SEP.join(keys[:-1])))


def encode_rows(flat: Mapping[str, Any]) -> dict[str, str]:
    """Flattened values as JSON text; a list holding something JSON cannot is refused."""
    rows, problems = {}, []
    for path, value in flat.items():
        try:
            rows[path] = _encode(value)
        except (TypeError, ValueError) as err:  # inside a list: a set, a date, NaN...
            problems.append(Problem("store.bad_value", f"值不能保存为 JSON：{err}", str(err), path))
    if problems:
        raise ValidationError(problems, "inspection document")
    return rows


def decode(rows: Sequence[Sequence[Any]]) -> tuple[dict[str, Any], dict[str, int]]:
    """Rows (path, value_json, version) -> the document and its versions."""
    values = json.loads("[" + ",".join([r[1] for r in rows]) + "]")  # one parse, not hundreds
    flat = dict(zip([r[0] for r in rows], values, strict=True))
    try:
        doc = unflatten(flat)
    except ValidationError:  # an {} marker beside entries of its group (a race, not on SQLite)
        kept = {
            p: v for p, v in flat.items() if v != {} or not any(q.startswith(p + SEP) for q in flat)
        }
        doc = unflatten(kept)
    return doc, {r[0]: r[2] for r in rows}


# -- what the store gives back -------------------------------------------------------------
def _local(at: str) -> str:
    return datetime.fromisoformat(at).astimezone().isoformat(sep=" ", timespec="seconds")


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit trail. ``old_json``/``new_json`` are None where nothing was."""

    seq: int
    inspection_id: str
    at: datetime
    user: str
    action: str
    path: str | None
    old_json: str | None
    new_json: str | None

    @property
    def old(self) -> Any:
        return None if self.old_json is None else json.loads(self.old_json)

    @property
    def new(self) -> Any:
        return None if self.new_json is None else json.loads(self.new_json)


@dataclass(frozen=True)
class FieldConflict:
    """A field someone else changed (or deleted) since it was read."""

    path: str
    current_json: str | None
    changed_by: str
    changed_at: str

    @property
    def current(self) -> Any:
        return None if self.current_json is None else json.loads(self.current_json)

    def describe(self) -> tuple[str, str]:
        when, value = _local(self.changed_at), (self.current_json or "")[:200]
        if self.current_json is None:
            return (
                f"字段 {self.path} 已被 {self.changed_by} 于 {when} 删除",
                f"{self.path} was deleted by {self.changed_by} at {self.changed_at}",
            )
        return (
            f"字段 {self.path} 已被 {self.changed_by} 于 {when} 改为 {value}",
            f"{self.path} was changed by {self.changed_by} at {self.changed_at} to {value}",
        )


class FieldConflictError(ConflictError):
    """Fields changed by someone else since they were read; nothing was written."""

    def __init__(self, conflicts: list[FieldConflict]) -> None:
        self.conflicts = tuple(conflicts)
        zh, en = zip(*(c.describe() for c in conflicts), strict=True)
        super().__init__(
            f"未保存，未写入任何内容：{'；'.join(zh)}。请刷新后再改。"
            f" / Not saved, nothing was written: {'; '.join(en)}. Refresh and try again."
        )
