"""Plain data <-> frozen dataclasses, driven by type hints, with every problem collected.

The inspection record is a tree of frozen dataclasses; on disk, in the store and in JSON it is
plain data (dicts keyed by stable ids, lists, ISO dates). One codec does both directions and
also writes the JSON Schema, so the three can never drift apart.

Supported annotations: ``str``, ``int``, ``float``, ``bool``, ``date``, ``datetime``,
``Literal[...]``, ``X | None``, ``tuple[X, ...]``, ``Mapping[str, X]`` and nested dataclasses.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from kit.errors import Problem

T = TypeVar("T")

_TYPE_NAMES = {
    str: "文本 text",
    int: "整数 whole number",
    float: "数字 number",
    bool: "是/否 true or false",
}


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_optional(tp: Any) -> tuple[bool, Any]:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(get_args(tp)) == 2:
            return True, args[0]
    return False, tp


# Control characters other than tab, newline and carriage return, and lone surrogates, cannot
# be written to an .xlsx file or encoded as UTF-8: refuse them where text enters the record.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _bad_text(text: str) -> str:
    """The first unusable character of ``text`` as ``U+XXXX``, or ''."""
    found = _BAD_TEXT.search(text)
    return f"U+{ord(found.group()):04X}" if found else ""


_PLAIN = frozenset({str, int, float, bool})


def to_data(obj: Any, *, lean: bool = False) -> Any:
    """A dataclass tree as plain JSON-ready data (dates as ISO text, tuples as lists).

    ``lean``: a dataclass's fields that hold their default are left out (an empty note, no
    evidence, no deadline), at every level but inside lists (a list is one value): what the
    store keeps. :func:`from_data` reads them back as their defaults, so both forms give the
    same record, and :func:`complete` puts them back into the plain data.
    """
    if obj is None or type(obj) in _PLAIN:  # most values: at once
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if lean:
            return {name: to_data(value, lean=True) for name, default in _defaults(type(obj))
                    if (value := getattr(obj, name)) is not default and value != default}
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, datetime):
        return obj.isoformat(timespec="seconds")
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, Mapping):
        if lean:
            return {str(k): _kept_entry(v) for k, v in obj.items()}
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        if all(type(v) is str for v in obj):  # codes, means, sections: the usual list
            return list(obj)
        return [to_data(v) for v in obj]
    return obj


def _kept_entry(value: Any) -> Any:
    """An entry of a keyed collection, lean: one whose every field holds its default keeps
    its first field all the same, so that it is stored (a row added and not yet filled in
    is still there when the record is read again)."""
    data = to_data(value, lean=True)
    if data == {} and dataclasses.is_dataclass(value) and not isinstance(value, type):
        first = dataclasses.fields(value)[0].name
        return {first: to_data(getattr(value, first))}
    return data


_REQUIRED: Any = object()  # the default of a field that has none


@cache
def _defaults(cls: type) -> tuple[tuple[str, Any], ...]:
    """Each field of ``cls`` with its default (a field without one is never left out)."""
    out = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out.append((f.name, f.default))
        elif f.default_factory is not dataclasses.MISSING:
            out.append((f.name, f.default_factory()))
        else:
            out.append((f.name, _REQUIRED))
    return tuple(out)


def complete(cls: type, data: Any) -> Any:
    """``data`` (the plain form of a ``cls``, lean or not) with every field it leaves out
    filled in with its default's plain form, in place, at every level :func:`to_data` leaves
    fields out; returns ``data``. What it already holds is not looked at or changed, so a
    complete document stays as it is and a lean one becomes what ``to_data`` gives in full."""
    _completer(cls)(data)
    return data


#: fill in one value's left-out fields, in place
Completer = typing.Callable[[Any], None]


def _no_fill(_data: Any) -> None:
    return None


@cache
def _completer(tp: Any) -> Completer:
    _optional, tp = _is_optional(tp)
    if dataclasses.is_dataclass(tp):
        return _dataclass_completer(typing.cast(type, tp))
    if get_origin(tp) in (Mapping, dict, typing.Mapping):
        value_tp = get_args(tp)[1]
        inner: list[Completer] = []

        def fill_mapping(data: Any) -> None:
            if not isinstance(data, dict) or not data:
                return
            if not inner:
                inner.append(_completer(value_tp))
            if inner[0] is _no_fill:
                return
            for key in [k for k, v in data.items() if v == {} and dataclasses.is_dataclass(
                    value_tp)]:
                del data[key]  # an entry with no field left is no entry: the store holds none
            for value in data.values():
                inner[0](value)

        return fill_mapping
    return _no_fill


def _dataclass_completer(cls: type) -> Completer:
    plan: list[tuple[str, str | None, Any, Completer]] = []  # a type may contain itself

    def fill(data: Any) -> None:
        if not isinstance(data, dict):
            return
        if not plan:
            hints = _hints(cls)
            for name, default in _defaults(cls):
                if default is _REQUIRED:
                    continue
                plain = to_data(default) if dataclasses.is_dataclass(default) or \
                    isinstance(default, Mapping | tuple | list | date) else default
                # a container's default is given as a fresh copy each time (JSON text)
                text = (json.dumps(plain, ensure_ascii=False)
                        if isinstance(plain, dict | list) else None)
                plan.append((name, text, plain, _completer(hints[name])))
        for name, text, plain, inner in plan:
            if name in data:
                if inner is not _no_fill:
                    inner(data[name])
            else:
                data[name] = plain if text is None else json.loads(text)

    return fill


def from_data(cls: type[T], data: Any, path: str = "") -> tuple[T, list[Problem]]:
    """Build ``cls`` from plain data; return it with every problem found on the way.

    Unknown fields and values of the wrong type are reported with their path (``company/
    licences/L1/expires``) and replaced by the field's default, so a caller can show every
    problem at once and decide whether to apply anything.
    """
    problems: list[Problem] = []
    value = _decode(cls, data, path, problems)
    return typing.cast(T, value), problems


def check_at(cls: type, path: str, data: Any) -> list[Problem]:
    """Every problem with ``data`` as the value at ``path`` (``a/b/c``) of a ``cls`` document.

    Only that value is decoded, so a single field can be checked in constant time before it is
    saved; an unknown path is itself a problem.
    """
    tp: Any = cls
    walked = ""
    for key in path.split("/"):
        walked = f"{walked}/{key}"
        _optional, tp = _is_optional(tp)
        if dataclasses.is_dataclass(tp):
            hints = _hints(typing.cast(type, tp))
            if key not in hints:
                return [_problem(walked, "json.unknown_field", f"未知字段 {key!r}",
                                 f"unknown field {key!r}")]
            tp = hints[key]
        elif get_origin(tp) in (Mapping, dict):
            if not key or "/" in key:
                return [_problem(walked, "json.key", "编号不能为空或包含 /",
                                 "ids must be non-empty and may not contain /")]
            tp = get_args(tp)[1]
        else:
            return [_problem(walked, "json.not_a_group", "此字段下不能再有字段",
                             "this field holds a value, not fields")]
    problems: list[Problem] = []
    _decode(tp, data, "/" + path, problems)
    return problems


def replace_at(root: T, path: str, data: Any, *, delete: bool = False) -> T:
    """``root`` with the value at ``path`` decoded from ``data`` (or removed), sharing every
    part the change does not touch: what parsing the changed document gives, in the time of
    one value. ``path`` must be one :func:`check_at` accepts."""
    keys = path.split("/")
    problems: list[Problem] = []

    def walk(obj: Any, tp: Any, i: int) -> Any:
        _optional, tp = _is_optional(tp)
        key, last = keys[i], i == len(keys) - 1
        if obj is None:
            obj = _empty(tp)
        if dataclasses.is_dataclass(tp):
            sub_tp = _hints(typing.cast(type, tp))[key]
            if last:
                new = (_field_default(typing.cast(type, tp), key) if delete
                       else _decode(sub_tp, data, "/" + path, problems))
            else:
                new = walk(getattr(obj, key), sub_tp, i + 1)
            return dataclasses.replace(obj, **{key: new})
        value_tp = get_args(tp)[1]
        if last:
            if delete:
                return {k: v for k, v in obj.items() if k != key}
            return {**obj, key: _decode(value_tp, data, "/" + path, problems)}
        return {**obj, key: walk(obj.get(key), value_tp, i + 1)}

    return typing.cast(T, walk(root, type(root), 0))


def _field_default(cls: type, name: str) -> Any:
    field = next(f for f in dataclasses.fields(cls) if f.name == name)
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def _problem(path: str, code: str, zh: str, en: str) -> Problem:
    return Problem(code, zh, en, field=path or "/")


#: decode one value: (data, path, problems) -> value; problems are appended, never raised
Decoder = typing.Callable[[Any, str, list[Problem]], Any]


def _decode(tp: Any, data: Any, path: str, problems: list[Problem]) -> Any:
    return _decoder(tp)(data, path, problems)


@cache
def _decoder(tp: Any) -> Decoder:
    """The decoder of ``tp``, built once per type: the type's shape is looked at here, not
    for every value (an inspection with a record sample holds some 100,000 values)."""
    optional, inner = _is_optional(tp)
    decode = _decoder_of(inner)

    def nullable(data: Any, path: str, problems: list[Problem]) -> Any:
        if data is None:
            if optional:
                return None
            problems.append(_problem(path, "json.null", "此处不能为空值", "null is not allowed here"))
            return _empty(inner)
        return decode(data, path, problems)

    return nullable


def _decoder_of(tp: Any) -> Decoder:
    if dataclasses.is_dataclass(tp):
        return _dataclass_decoder(typing.cast(type, tp))
    origin = get_origin(tp)
    if origin is Literal:
        return _literal_decoder(get_args(tp))
    if origin is tuple:
        return _tuple_decoder(get_args(tp)[0])
    if origin in (Mapping, dict, typing.Mapping):
        return _mapping_decoder(get_args(tp)[1])
    return functools.partial(_decode_scalar, tp)


def _literal_decoder(allowed: tuple[Any, ...]) -> Decoder:
    choices = ", ".join(repr(a) for a in allowed)

    def decode(data: Any, path: str, problems: list[Problem]) -> Any:
        if data in allowed:
            return data
        problems.append(_problem(path, "json.choice", f"取值 {data!r} 不在可选范围内：{choices}",
                                 f"{data!r} is not one of {choices}"))
        return allowed[0]

    return decode


def _tuple_decoder(item_tp: Any) -> Decoder:
    item: list[Decoder] = []  # resolved at first use: a type may contain itself
    plain_text = item_tp is str

    def decode(data: Any, path: str, problems: list[Problem]) -> Any:
        if not isinstance(data, list):
            problems.append(_problem(path, "json.type", "应为列表", "expected a list"))
            return ()
        if plain_text and all(type(v) is str for v in data) and \
                not _BAD_TEXT.search("".join(data)):
            return tuple(data)  # the common case, checked at once
        if not item:
            item.append(_decoder(item_tp))
        one = item[0]
        return tuple(one(v, f"{path}/{i}", problems) for i, v in enumerate(data))

    return decode


def _mapping_decoder(value_tp: Any) -> Decoder:
    value: list[Decoder] = []

    def decode(data: Any, path: str, problems: list[Problem]) -> Any:
        if not isinstance(data, dict):
            problems.append(_problem(path, "json.type", "应为对象（键值表）", "expected an object"))
            return {}
        if not value:
            value.append(_decoder(value_tp))
        one = value[0]
        out = {}
        for key, v in data.items():
            if not isinstance(key, str) or not key or "/" in key or _bad_text(key):
                problems.append(_problem(f"{path}/{key}", "json.key", "编号不能为空或包含 /",
                                         "ids must be non-empty and may not contain /"))
                continue
            out[key] = one(v, f"{path}/{key}", problems)
        return out

    return decode


def _dataclass_decoder(cls: type) -> Decoder:
    fields: list[tuple[str, Decoder]] = []
    known: set[str] = set()

    def decode(data: Any, path: str, problems: list[Problem]) -> Any:
        if not isinstance(data, dict):
            problems.append(_problem(path, "json.type", "应为对象（键值表）", "expected an object"))
            return cls()
        if not fields:
            hints = _hints(cls)
            fields.extend((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls))
            known.update(name for name, _one in fields)
        if not known.issuperset(data):
            problems.extend(_problem(f"{path}/{key}", "json.unknown_field", f"未知字段 {key!r}",
                                     f"unknown field {key!r}") for key in data if key not in known)
        kwargs = {name: one(data[name], f"{path}/{name}", problems)
                  for name, one in fields if name in data}
        return cls(**kwargs)

    return decode


def _decode_scalar(tp: Any, data: Any, path: str, problems: list[Problem]) -> Any:
    if tp is date or tp is datetime:
        if isinstance(data, str) and (tp is datetime or len(data) == 10):
            try:
                parsed = datetime.fromisoformat(data)
            except ValueError:
                pass
            else:
                return parsed.date() if tp is date else parsed
        fmt = "YYYY-MM-DD" if tp is date else "YYYY-MM-DDTHH:MM:SS"
        problems.append(
            _problem(
                path,
                "json.date",
                f"日期格式应为 {fmt}，实为 {data!r}",
                f"expected a date as {fmt}, got {data!r}",
            )
        )
        return None
    ok = isinstance(data, tp) and not (tp in (int, float) and isinstance(data, bool))
    if tp is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if ok and isinstance(data, str) and (bad := _bad_text(data)):
        problems.append(_problem(path, "json.text", f"文本中含有不可用的字符 {bad}（多为从 Word "
                                 "等处粘贴带入），请删除后重新输入",
                                 f"the text holds a character that cannot be kept: {bad}"))
        return ""
    if ok:
        return data
    name = _TYPE_NAMES.get(tp, getattr(tp, "__name__", str(tp)))
    problems.append(
        _problem(
            path,
            "json.type",
            f"应为{name}，实为 {type(data).__name__}",
            f"expected {name}, got {type(data).__name__}",
        )
    )
    return _empty(tp)


def _empty(tp: Any) -> Any:
    if dataclasses.is_dataclass(tp):
        return typing.cast(type, tp)()
    origin = get_origin(tp)
    if origin is tuple:
        return ()
    if origin in (Mapping, dict):
        return {}
    if origin is Literal:
        return get_args(tp)[0]
    return {str: "", int: 0, float: 0.0, bool: False}.get(tp)


# -- JSON Schema ---------------------------------------------------------------------------
def json_schema(cls: type) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for ``cls``'s plain-data form, with ``$defs``."""
    defs: dict[str, Any] = {}
    root = _schema(cls, defs)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **root, "$defs": defs}


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    optional, tp = _is_optional(tp)
    if optional:
        return {"anyOf": [_schema(tp, defs), {"type": "null"}]}
    if dataclasses.is_dataclass(tp):
        cls = typing.cast(type, tp)
        name = cls.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            hints = _hints(cls)
            props = {f.name: _schema(hints[f.name], defs) for f in dataclasses.fields(cls)}
            doc = (cls.__doc__ or "").strip().splitlines()
            defs[name] = {
                "type": "object",
                "description": doc[0] if doc else name,
                "additionalProperties": False,
                "properties": props,
            }
        return {"$ref": f"#/$defs/{name}"}
    origin = get_origin(tp)
    if origin is Literal:
        return {"enum": list(get_args(tp))}
    if origin is tuple:
        return {"type": "array", "items": _schema(get_args(tp)[0], defs)}
    if origin in (Mapping, dict):
        return {
            "type": "object",
            "propertyNames": {"minLength": 1, "pattern": "^[^/]+$"},
            "additionalProperties": _schema(get_args(tp)[1], defs),
        }
    if tp is date:
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    if tp is datetime:
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"}
    return {"type": {str: "string", int: "integer", float: "number", bool: "boolean"}[tp]}
