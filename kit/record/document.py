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
from kit.record._codec import check_at, from_data, json_schema, replace_at, to_data
from kit.record.model import FORMAT_VERSION, ID_PATTERN, Inspection

__all__ = [
    "check_value",
    "from_doc",
    "inspection_schema",
    "parse_doc",
    "to_doc",
    "with_change",
]


def to_doc(inspection: Inspection) -> dict[str, Any]:
    """The record as a JSON-ready document (what the store and ``kit export`` hold)."""
    doc = to_data(inspection)
    assert isinstance(doc, dict)
    return doc


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
