"""Checklist profiles in templates/profiles: schema, ids, office items."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kit.errors import NotFoundError, ValidationError
from kit.guide import load_guide
from kit.profiles import find_item, list_profiles, load_profile, validate_profile_data
from kit.resources import templates_dir


def test_every_shipped_profile_is_valid():
    files = sorted((templates_dir() / "profiles").glob("*.yaml"))
    assert len(files) >= 3
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert validate_profile_data(data, str(path)) == [], path.name
        assert data["id"] == path.stem


def test_full_profile_is_the_whole_checklist():
    full = load_profile("full")
    guide = load_guide()
    assert full.item_ids() == tuple(i.id for i in guide.checklist_items())
    assert list_profiles()[0].id == "full"


def test_office_items_are_added_and_excluded_items_left_out():
    profile = load_profile("sterile-focus")
    ids = [i.id for i in profile.checklist("7.3")]
    assert "7.3.c3" not in ids
    assert ids[-1] == "x.bj-sterile.1"
    extra = find_item("x.bj-sterile.1", profile)
    assert extra.label == "七、3.补充检查项（1）"
    assert extra.zh.startswith("查看洁净室")
    assert find_item("7.3.m1", profile).kind == "method"


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / f"{data.get('id', 'bad')}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


BASE = {
    "format_version": 1,
    "id": "office",
    "version": 1,
    "name": {"zh": "本局配置", "en": "office profile"},
    "sections": ["7.1", "7.3"],
}


def test_an_office_profile_loads_from_a_path(tmp_path):
    data = dict(BASE, extra_items=[
        {"id": "x.office.1", "section": "7.3", "kind": "content", "zh": "补充", "en": "extra"},
    ])
    profile = load_profile(_write(tmp_path, data))
    assert profile.item_ids()[-1] == "x.office.1"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"sections": ["7.1", "7.15"]}, "sections/1", "profile.section"),
        ({"exclude_items": ["7.1.m9"]}, "exclude_items/0", "profile.exclude"),
        ({"extra_items": [{"id": "7.1.m1", "section": "7.1", "zh": "a", "en": "b"}]},
         "extra_items/0/id", "profile.schema"),
        ({"extra_items": [{"id": "x.o.1", "section": "7.1", "zh": "a", "en": "b"},
                          {"id": "x.o.1", "section": "7.1", "zh": "c", "en": "d"}]},
         "extra_items/1/id", "profile.extra_id"),
        ({"extra_items": [{"id": "x.o.1", "section": "7.8", "zh": "a", "en": "b"}]},
         "extra_items/0/section", "profile.extra_section"),
        ({"format_version": 2}, "format_version", "profile.schema"),
    ],
)
def test_bad_profiles_are_refused_with_the_place(tmp_path, change, field, code):
    with pytest.raises(ValidationError) as info:
        load_profile(_write(tmp_path, dict(BASE, **change)))
    assert (field, code) in {(p.field, p.code) for p in info.value.problems}


def test_broken_yaml_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("format_version: 1\nid: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_profile(path)
    problem = info.value.problems[0]
    assert problem.file.endswith("broken.yaml")
    assert problem.row is not None


def test_unknown_profile_lists_known_ones():
    with pytest.raises(NotFoundError, match="sterile-focus"):
        load_profile("nope")


def test_templates_dir_can_be_an_offices_own_folder(tmp_path, monkeypatch):
    (tmp_path / "profiles").mkdir()
    _write(tmp_path / "profiles", dict(BASE, id="mine"))
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(tmp_path))
    assert [p.id for p in list_profiles()] == ["mine"]
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(tmp_path / "missing"))
    with pytest.raises(NotFoundError, match="missing"):
        templates_dir()


def test_items_in_scope_follow_the_profile_and_skip_non_sections():
    from kit.profiles import items_in_scope, resolve_profile, section_items

    sterile = resolve_profile("sterile-focus")
    ids = [i.id for i in items_in_scope(sterile, ["7.3", "7.14", "7.99", "7.3.m1"])]
    assert ids == [i.id for i in section_items(sterile, "7.3")] + [
        i.id for i in load_guide().checklist_items("7.14")]
    assert resolve_profile("removed-by-the-office") is None
    assert section_items(None, "7.3") == load_guide().checklist_items("7.3")


def test_one_malformed_office_profile_is_refused_and_the_others_work(tmp_path, monkeypatch):
    """An office edits templates/profiles by hand: one bad file is named with its field, and
    the inspector app still starts and offers the good ones."""
    from kit.door import Door
    from kit.profiles import profile_problems
    from kit.widgets import InspectorApp

    (tmp_path / "profiles").mkdir()
    _write(tmp_path / "profiles", dict(BASE, id="mine"))
    bad = tmp_path / "profiles" / "broken.yaml"
    bad.write_text(yaml.safe_dump(dict(BASE, id="broken", sections=["7.1", "7.15"]),
                                  allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(tmp_path))
    assert [p.id for p in list_profiles()] == ["mine"]
    (problem,) = profile_problems()
    assert problem.file.endswith("broken.yaml")
    assert problem.field == "sections/1"
    app = InspectorApp(Door.connect("sqlite://"), user="张明")
    assert [value for _label, value in app.new_profile.options] == ["mine"]
    assert "broken.yaml" in app.profile_note.value
    assert "sections/1" in app.profile_note.value
