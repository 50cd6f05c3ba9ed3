"""The record's plain-data form: to and from JSON-ready documents, checked, and its schema.

The persisted truth is the document (:func:`to_doc`): what the store keeps row by row and
``kit export`` writes. :func:`from_doc` parses it back and raises with every problem and its
path; :func:`parse_doc` parses leniently; :func:`check_value` checks one value at one path in
constant time, before an autosave.

>>> from kit.record import new_inspection
>>> doc = to_doc(new_inspection())
>>> from_doc(doc) == new_inspection()
True
>>> [p.code for p in check_value("scope/start_date", "2026-13-01")]
['json.date']
"""

from __future__ import annotations

from typing import Any

from kit.errors import Problem, ValidationError
from kit.record._codec import check_at, complete, from_data, json_schema, replace_at, to_data
from kit.record.model import FORMAT_VERSION, ID_PATTERN, SUMMARY_PATHS, Inspection

__all__ = [
    "check_value",
    "complete_doc",
    "from_doc",
    "inspection_schema",
    "parse_doc",
    "to_doc",
    "with_change",
]


def to_doc(inspection: Inspection, *, lean: bool = False) -> dict[str, Any]:
    """The record as a JSON-ready document (what ``kit export`` writes).

    ``lean``: what the store keeps: the fields that hold their default left out (an empty
    note, no evidence...), except the summary's (:data:`SUMMARY_PATHS`), which a listing reads
    where they are stored. :func:`from_doc` reads both forms as the same record, and
    :func:`complete_doc` makes a lean document whole again.
    """
    doc = to_data(inspection, lean=lean)
    assert isinstance(doc, dict)
    if lean:
        for path in SUMMARY_PATHS:
            *groups, leaf = path.split("/")
            node, value = doc, inspection
            for key in groups:
                node, value = node.setdefault(key, {}), getattr(value, key)
            if leaf not in node:
                node[leaf] = to_data(getattr(value, leaf))
    return doc


def complete_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document (lean or not) with every left-out field filled in with its default,
    in place; returns it. What the document holds is not changed: an entry the record lacks
    stays missing, and a complete document stays as it is."""
    return complete(Inspection, doc)


def from_doc(doc: Any, *, what: str = "inspection") -> Inspection:
    """Parse a document; raise :class:`ValidationError` listing every problem, if any."""
    inspection, problems = from_data(Inspection, doc)
    if problems:
        raise ValidationError(problems, what)
    return inspection


def parse_doc(doc: Any) -> tuple[Inspection, list[Problem]]:
    """Parse leniently: the record with defaults where fields were bad, and the problems."""
    return from_data(Inspection, doc)


def inspection_schema() -> dict[str, Any]:
    """The JSON Schema of the document form, as shipped in ``kit/data``."""
    schema = json_schema(Inspection)
    schema["$id"] = "https://example.invalid/kit/inspection.schema.json"
    schema["title"] = "检查记录 inspection record"
    props = schema["$defs"]["Inspection"]["properties"]
    props["format_version"] = {"const": FORMAT_VERSION}
    props["id"] = {"type": "string", "pattern": ID_PATTERN}
    # an exported file carries its evidence's bytes beside the record (not a field of it)
    props["evidence"] = {
        "description": "证据材料：SHA-256 -> 类型与 base64 内容 / the evidence's bytes by hash",
        "type": "object",
        "propertyNames": {"pattern": "^[0-9a-f]{64}$"},
        "additionalProperties": {
            "type": "object", "required": ["mime", "base64"], "additionalProperties": False,
            "properties": {"mime": {"type": "string"}, "base64": {"type": "string"}}},
    }
    return schema


def check_value(path: str, value: Any) -> list[Problem]:
    """Every problem with plain ``value`` at ``path`` (``results/7.8.m4/result``) of a record."""
    return check_at(Inspection, path, value)


def with_change(inspection: Inspection, path: str, value: Any, *, delete: bool = False
                ) -> Inspection:
    """``inspection`` with plain ``value`` at ``path`` (or that field or entry removed): what
    parsing the changed document gives, without parsing the rest. ``value`` must have passed
    :func:`check_value` (a bad value is replaced by the field's default, as parsing does).

    >>> from kit.record import new_inspection
    >>> ins = with_change(new_inspection(), "results/7.8.m4/result", "conform")
    >>> ins.results["7.8.m4"].result
    'conform'
    >>> with_change(ins, "results/7.8.m4", None, delete=True).results
    {}
    """
    return replace_at(inspection, path, value, delete=delete)
