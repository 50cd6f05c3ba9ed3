"""The kit's own JSON Schema files checked without a schema library, with Chinese messages.

The office edits YAML files the kit reads at every start (checklist profiles, the holiday
file, teaching content), and a person's JSON record is checked on import. Their schemas in
``kit/data`` use a small part of JSON Schema (draft 2020-12), and this checks exactly that
part: ``type``, ``enum``, ``const``, ``pattern``, ``required``, ``properties``,
``additionalProperties``, ``propertyNames``, ``items``, ``minItems``, ``uniqueItems``,
``minLength``, ``minimum``, ``anyOf`` and local ``$ref``. A schema using any other keyword is
refused outright (:class:`UnsupportedSchema`), so a schema edit can never be half-checked; a
test compares every verdict with the ``jsonschema`` library's on the shipped files and broken
copies of them. Importing ``jsonschema`` costs some two seconds (its format checkers build a
grammar), which every ``kit`` command and every app kernel paid before.

>>> schema = {"type": "object", "required": ["id"],
...           "properties": {"id": {"type": "string", "pattern": "^[a-z]+$"}},
...           "additionalProperties": False}
>>> check({"id": "full"}, schema)
[]
>>> [(where, en) for where, _zh, en in check({"id": "Full", "x": 1}, schema)]
[('id', "'Full' does not match '^[a-z]+$'"), ('x', "unknown field 'x'")]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["UnsupportedSchema", "canonical_json", "check", "check_file", "load_schema"]

#: the kit's one canonical JSON: equal values give equal text (keys sorted, no spaces, UTF-8
#: kept, no NaN), so comparing texts compares values: the store's rows, the trail's MACs, the
#: workbook's seal and every digest are taken over it
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                              allow_nan=False)


def canonical_json(value: Any) -> str:
    """``value`` as the kit's canonical JSON text.

    >>> canonical_json({"b": [1, 2.5], "a": "甲"})
    '{"a":"甲","b":[1,2.5]}'
    """
    return _CANONICAL.encode(value)

#: a problem: (the field's path as ``a/b/0``, Chinese, English)
Found = tuple[str, str, str]

_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "default"})
_SUPPORTED = _ANNOTATIONS | {
    "type", "enum", "const", "pattern", "required", "properties", "additionalProperties",
    "propertyNames", "items", "minItems", "uniqueItems", "minLength", "minimum", "anyOf", "$ref",
}
_TYPES: dict[str, tuple[str, Any]] = {
    "object": ("对象（键值表）", dict),
    "array": ("列表", list),
    "string": ("文本", str),
    "integer": ("整数", int),
    "number": ("数字", (int, float)),
    "boolean": ("是/否", bool),
    "null": ("空值", type(None)),
}


class UnsupportedSchema(ValueError):
    """A schema uses a keyword this checker does not implement."""


@cache
def load_schema(path: str) -> dict[str, Any]:
    """A schema file, read once, every keyword in it checked to be supported."""
    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    _supported(schema, path)
    return schema


def check_file(data: Any, schema_path: str | Path) -> list[Found]:
    """Every way ``data`` fails the schema in ``schema_path``, in document order."""
    return check(data, load_schema(str(schema_path)))


def check(data: Any, schema: dict[str, Any]) -> list[Found]:
    """Every way ``data`` fails ``schema`` (see the module's list of keywords)."""
    _supported(schema, "schema")
    return list(_check(data, schema, schema, ()))


def _supported(schema: Any, where: str, *, names: bool = False) -> None:
    """Refuse a keyword this module does not check (``names``: a mapping of field names to
    schemas, as under ``properties`` and ``$defs``)."""
    if isinstance(schema, dict):
        if names:
            for key, value in schema.items():
                _supported(value, f"{where}/{key}")
            return
        unknown = set(schema) - _SUPPORTED
        if unknown:
            msg = f"{where}: schema keyword(s) {sorted(unknown)} not supported by kit.schemas"
            raise UnsupportedSchema(msg)
        for key, value in schema.items():
            if key not in ("enum", "const", "required", "default", "title", "description"):
                _supported(value, f"{where}/{key}", names=key in ("properties", "$defs"))
    elif isinstance(schema, list):
        for k, value in enumerate(schema):
            _supported(value, f"{where}/{k}")


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[kind][1])


def _path(at: tuple[Any, ...]) -> str:
    return "/".join(str(p) for p in at)


def _check(data: Any, schema: dict[str, Any], root: dict[str, Any],
           at: tuple[Any, ...]) -> Iterator[Found]:
    where = _path(at)
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            raise UnsupportedSchema(f"only local references are supported, not {ref}")
        yield from _check(data, root["$defs"][ref.removeprefix("#/$defs/")], root, at)
    if "anyOf" in schema and all(list(_check(data, option, root, at))
                                 for option in schema["anyOf"]):
        yield where, f"取值 {data!r} 不符合任何一种允许的形式", \
            f"{data!r} is not valid under any of the given schemas"
        return
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_is(data, k) for k in kinds):
            names = "或".join(_TYPES[k][0] for k in kinds)
            yield where, f"应为{names}，实为 {type(data).__name__}", \
                f"{data!r} is not of type {', '.join(map(repr, kinds))}"
            return
    if "const" in schema and not _equal(data, schema["const"]):
        yield where, f"取值应为 {schema['const']!r}", f"{schema['const']!r} was expected"
    if "enum" in schema and not any(_equal(data, v) for v in schema["enum"]):
        yield where, f"取值 {data!r} 不在可选范围内：{schema['enum']}", \
            f"{data!r} is not one of {schema['enum']!r}"
    if isinstance(data, str):
        yield from _check_text(data, schema, where)
    elif isinstance(data, int | float) and not isinstance(data, bool):
        if "minimum" in schema and data < schema["minimum"]:
            yield where, f"不能小于 {schema['minimum']}", \
                f"{data!r} is less than the minimum of {schema['minimum']!r}"
    elif isinstance(data, list):
        yield from _check_list(data, schema, root, at)
    elif isinstance(data, dict):
        yield from _check_object(data, schema, root, at)


def _check_text(data: str, schema: dict[str, Any], where: str) -> Iterator[Found]:
    if "minLength" in schema and len(data) < schema["minLength"]:
        yield where, "不能为空" if schema["minLength"] == 1 else \
            f"至少应有 {schema['minLength']} 个字符", \
            f"{data!r} is too short"
    if "pattern" in schema and not re.search(schema["pattern"], data):
        yield where, f"{data!r} 的格式不对（应符合 {schema['pattern']}）", \
            f"{data!r} does not match {schema['pattern']!r}"


def _check_list(data: list[Any], schema: dict[str, Any], root: dict[str, Any],
                at: tuple[Any, ...]) -> Iterator[Found]:
    where = _path(at)
    if "minItems" in schema and len(data) < schema["minItems"]:
        yield where, f"至少应有 {schema['minItems']} 项", \
            f"{data!r} should have at least {schema['minItems']} items"
    if schema.get("uniqueItems"):
        seen: list[Any] = []
        for value in data:
            if any(_equal(value, s) for s in seen):
                yield where, f"{value!r} 重复出现", f"{data!r} has non-unique elements"
                break
            seen.append(value)
    if "items" in schema:
        for k, value in enumerate(data):
            yield from _check(value, schema["items"], root, (*at, k))


def _check_object(data: dict[str, Any], schema: dict[str, Any], root: dict[str, Any],
                  at: tuple[Any, ...]) -> Iterator[Found]:
    where = _path(at)
    for name in schema.get("required", ()):
        if name not in data:
            yield where, f"缺少必填字段 {name!r}", f"{name!r} is a required property"
    if "propertyNames" in schema:
        for key in data:
            for _w, zh, en in _check(key, schema["propertyNames"], root, at):
                yield _path((*at, key)), f"字段名 {zh}", f"property name {en}"
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, value in data.items():
        if key in properties:
            yield from _check(value, properties[key], root, (*at, key))
        elif extra is False:
            yield _path((*at, key)), f"未知字段 {key!r}", f"unknown field {key!r}"
        elif isinstance(extra, dict):
            yield from _check(value, extra, root, (*at, key))


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: 1 and True differ, 1 and 1.0 do not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b
