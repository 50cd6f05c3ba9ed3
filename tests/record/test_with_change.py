"""A change applied to the model (what a save does) gives what parsing the changed document
gives, for every field of the demo record, a new entry, a removal and a bad value."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kit.record import parse_doc, with_change


def leaves(doc: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(path, value) of every leaf of a document; lists count as leaves."""
    if isinstance(doc, dict) and doc:
        return [pair for k, v in doc.items() for pair in leaves(v, f"{prefix}/{k}" if prefix
                                                                   else k)]
    return [(prefix, doc)]


def changed(value: Any) -> Any:
    """Another value of the same plain type."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "改" if not value[:4].isdigit() else "2027-01-04"
    if isinstance(value, list):
        return value[:1]
    return value


def put(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    *parents, last = path.split("/")
    node = out
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return out


def test_every_leaf_of_the_demo_record(demo_doc: dict[str, Any]) -> None:
    base, _ = parse_doc(demo_doc)
    paths = [(p, v) for p, v in leaves(demo_doc) if p not in ("format_version", "id")]
    assert len(paths) > 500
    for path, value in paths:
        new = changed(value)
        expected, _ = parse_doc(put(demo_doc, path, new))
        assert with_change(base, path, new) == expected, path


def test_new_entries_whole_subtrees_and_removals(demo_doc: dict[str, Any]) -> None:
    base, _ = parse_doc(demo_doc)
    finding = {"item": "7.8.m4", "description": "新问题", "handling": "限期整改"}
    cases: list[tuple[str, Any]] = [
        ("results/7.9.c1/notes", "一个此前没有结果的条目"),
        ("findings/F99", finding),
        ("team/M9/name", "新成员"),
        ("company/name", "北京另一家公司"),
    ]
    for path, value in cases:
        expected, _ = parse_doc(put(demo_doc, path, value))
        assert with_change(base, path, value) == expected, path
    first = next(iter(demo_doc["findings"]))
    doc = copy.deepcopy(demo_doc)
    del doc["findings"][first]
    assert with_change(base, f"findings/{first}", None, delete=True) == parse_doc(doc)[0]


def test_untouched_parts_are_shared(demo_doc: dict[str, Any]) -> None:
    """A save rebuilds only the path it changed: the rest is the same objects."""
    base, _ = parse_doc(demo_doc)
    new = with_change(base, "results/7.8.c1/notes", "新的记录")
    assert new.sampling is base.sampling
    assert new.team is base.team
    assert new.results["7.8.c1"].notes == "新的记录"
    assert base.results.get("7.8.c1") != new.results["7.8.c1"]  # the old model is unchanged


@pytest.mark.parametrize(("path", "bad"), [("scope/start_date", "2026年13月1日"),
                                            ("results/7.8.c1/result", "大概符合")])
def test_a_bad_value_becomes_what_parsing_gives(demo_doc: dict[str, Any], path: str,
                                                bad: str) -> None:
    base, _ = parse_doc(demo_doc)
    expected, problems = parse_doc(put(demo_doc, path, bad))
    assert problems
    assert with_change(base, path, bad) == expected
