"""Paths into a record's document: ``results/7.8.m4/result`` names one leaf.

A record's document is nested dicts; its leaves are JSON scalars, lists and empty dicts (an
empty collection keeps its place). :func:`flatten` lists the leaves by path and
:func:`unflatten` is its exact inverse; the store keeps one row per leaf, and the door checks
what each leaf of a change names.

>>> flatten({"a": {"b": 1, "c": {}}})
{'a/b': 1, 'a/c': {}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from kit.errors import Problem, ValidationError

__all__ = ["SEP", "flatten", "split_path", "unflatten"]

SEP: Final = "/"
_SCALARS = (str, int, float, bool, type(None))
_MISSING: Any = object()


def _key_problem(key: object, where: str) -> Problem | None:
    if not isinstance(key, str):
        zh, en = f"键 {key!r} 不是文本", f"key {key!r} is not text"
    elif not key:
        zh, en = "键不能为空", "a key cannot be empty"
    elif SEP in key or "\x00" in key:
        zh, en = f"键 {key!r} 不能含有 “/”", f"key {key!r} cannot contain '/' (it separates paths)"
    else:
        return None
    return Problem("store.bad_key", zh, en, where or "(top)")


def flatten(doc: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """One entry per leaf of ``doc``: ``{"a": {"b": 1, "c": {}}}`` -> ``{"a/b": 1, "a/c": {}}``.

    Keys may hold any character except "/" (and NUL); every bad key or value is reported
    together in one :class:`ValidationError`. :func:`unflatten` is the exact inverse.
    """
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    _flatten_into(out, problems, doc, prefix)
    if problems:
        raise ValidationError(problems, "inspection document")
    return out


def _flatten_into(
    out: dict[str, Any], problems: list[Problem], node: Mapping[Any, Any], base: str
) -> None:
    for key, value in node.items():
        bad = _key_problem(key, base)
        if bad is not None:
            problems.append(bad)
            continue
        path = f"{base}{SEP}{key}" if base else key
        if isinstance(value, Mapping) and value:
            _flatten_into(out, problems, value, path)
        elif isinstance(value, (*_SCALARS, list)) or (isinstance(value, dict) and not value):
            if isinstance(value, float) and value - value != 0:
                problems.append(Problem("store.bad_value", "数值无效", "NaN or infinity", path))
            out[path] = value
        else:
            zh = f"{type(value).__name__} 类型的值不能保存"
            en = f"a {type(value).__name__} cannot be stored (JSON values only)"
            problems.append(Problem("store.bad_value", zh, en, path))


def unflatten(paths: Mapping[str, Any]) -> dict[str, Any]:
    """The nested document whose :func:`flatten` is ``paths``; a path both a value and a group
    (``a`` and ``a/b``) raises :class:`ValidationError`."""
    root: dict[str, Any] = {}
    empty_leaves: set[int] = set()
    last_parent, last_node = None, root  # sorted paths share parents: skip the walk
    for path, value in paths.items():
        parent, _, key = path.rpartition(SEP)
        if parent != last_parent or not parent:
            keys = split_path(path)
            node = root
            for part in keys[:-1]:
                child = node.get(part, _MISSING)
                if child is _MISSING:
                    child = node[part] = {}
                elif type(child) is not dict or id(child) in empty_leaves:
                    _clash(path)
                node = child
            last_parent, last_node = parent, node
        elif not key or "\x00" in key:
            split_path(path)  # raises
        if key in last_node or (isinstance(value, dict) and value):
            _clash(path)
        if isinstance(value, dict):
            value = {}
            empty_leaves.add(id(value))
        last_node[key] = value
    return root


def _clash(path: str) -> None:
    msg = f"字段 {path} 既是值又是分组 / {path} is both a value and a group"
    raise ValidationError([Problem("store.bad_path", msg, field=path)], "field paths")


def split_path(path: str) -> list[str]:
    """The keys of ``a/b/c``; a bad path (empty, ``a//b``, not text) raises ValidationError."""
    keys = path.split(SEP) if isinstance(path, str) else [""]
    if "" in keys or "\x00" in path:
        zh, en = f"字段路径 {path!r} 无效", f"bad field path {path!r} (keys joined by '/')"
        raise ValidationError([Problem("store.bad_path", zh, en, str(path))], "field path")
    return keys
