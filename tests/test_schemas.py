"""kit.schemas gives the verdict the jsonschema library gives, on the shipped files and on
thousands of broken copies of them, and refuses a schema it cannot fully check."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kit.schemas import UnsupportedSchema, check, check_file

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "kit" / "data"
CASES = [
    ("holidays", ROOT / "templates" / "holidays.yaml"),
    ("profile", ROOT / "templates" / "profiles" / "full.yaml"),
    ("profile", ROOT / "templates" / "profiles" / "sterile-focus.yaml"),
    ("training", DATA / "training.yaml"),
    ("inspection", ROOT / "sample_data" / "demo_inspection.json"),
    ("supervision", ROOT / "templates" / "supervision.yaml"),
    ("notices", ROOT / "templates" / "notices.yaml"),
]
ODD_VALUES: list[Any] = [None, True, 0, 1.5, -1, "", "x", "7.8", "2026-01-01", [], ["x"], {},
                         {"zh": "甲", "en": "a"}]


def load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if isinstance(data, dict) and isinstance(data.get("years"), dict):  # as workdays reads it
        data["years"] = {str(k): v for k, v in data["years"].items()}
    return data


def nodes(data: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at]
    if isinstance(data, dict):
        for k, v in data.items():
            out += nodes(v, (*at, k))
    elif isinstance(data, list):
        for k, v in enumerate(data):
            out += nodes(v, (*at, k))
    return out


def broken(data: Any, at: tuple[Any, ...], rng: random.Random) -> Any:
    """A copy with the node at ``at`` replaced, removed, or given an unknown field."""
    doc = copy.deepcopy(data)
    if not at:
        return rng.choice(ODD_VALUES)
    parent = doc
    for key in at[:-1]:
        parent = parent[key]
    last = at[-1]
    how = rng.randrange(4)
    if how == 0 and isinstance(parent, dict):
        del parent[last]
    elif how == 1 and isinstance(parent[last], dict):
        parent[last]["没有这个字段"] = 1
    elif how == 2 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))  # a duplicate entry
    else:
        parent[last] = rng.choice(ODD_VALUES)
    return doc


@pytest.mark.parametrize(("name", "path"), CASES, ids=[p.stem for _n, p in CASES])
def test_same_verdict_as_jsonschema(name: str, path: Path) -> None:
    schema_file = DATA / f"{name}.schema.json"
    library = jsonschema.Draft202012Validator(json.loads(schema_file.read_text("utf-8")))
    data = load(path)
    assert check_file(data, schema_file) == []
    assert library.is_valid(data)
    rng = random.Random(f"schemas:{path.name}")
    every = nodes(data)
    invalid = 0
    sampled = rng.sample(every, min(len(every), 120 if name == "inspection" else 300))
    for at in sampled:
        doc = broken(data, at, rng)
        ours = check_file(doc, schema_file)
        assert (ours == []) == library.is_valid(doc), (at, ours[:2])
        invalid += bool(ours)
        for where, zh, en in ours:  # every problem says where, in both languages
            assert zh
            assert en
            assert isinstance(where, str)
    assert invalid >= len(sampled) / 5  # the copies really were broken


def test_problems_name_the_field_in_chinese_first() -> None:
    schema_file = DATA / "profile.schema.json"
    data = load(ROOT / "templates" / "profiles" / "full.yaml")
    data["sections"] = ["7.1", "8.1"]
    del data["name"]
    found = {where: zh for where, zh, _en in check_file(data, schema_file)}
    assert found == {"": "缺少必填字段 'name'",
                     "sections/1": "'8.1' 的格式不对（应符合 ^7\\.[0-9]+$）"}


def test_a_keyword_it_does_not_check_is_refused_not_ignored() -> None:
    with pytest.raises(UnsupportedSchema, match="maxItems"):
        check([], {"type": "array", "maxItems": 3})
    with pytest.raises(UnsupportedSchema, match="if"):
        check({}, {"properties": {"a": {"if": {}, "then": {}}}})
    # a field may be called like a keyword
    assert check({"title": 1}, {"properties": {"title": {"type": "integer"}}}) == []
