"""Checklist profiles: which sections and items an inspection covers, and an office's own items.

A profile is a YAML file in ``templates/profiles/`` (an office edits it without code). It picks
the sections of 七 for a 专项检查 or 重点检查, may leave out single items, and may add the
office's own items. Office item ids start with ``x.`` so they can never collide with the
guide's ids. The built-in profile ``full`` is every item of all 14 sections.

>>> len(load_profile("full").checklist("7.8"))
15
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kit.errors import NotFoundError, Problem, ValidationError
from kit.guide import CHECKLIST_KINDS, Clause, Guide, Text, load_guide
from kit.resources import DATA_DIR, templates_dir
from kit.schemas import check_file

__all__ = [
    "FULL",
    "SCHEMA_FILE",
    "Profile",
    "find_item",
    "items_in_scope",
    "list_profiles",
    "load_profile",
    "profile_problems",
    "profiles_dir",
    "read_profiles",
    "resolve_profile",
    "section_items",
    "validate_profile_data",
]

SCHEMA_FILE = DATA_DIR / "profile.schema.json"
FULL = "full"


@dataclass(frozen=True)
class Profile:
    """A checklist profile: sections in scope, items left out, office items added."""

    id: str
    version: int
    name: Text
    description: Text | None
    inspection_types: tuple[str, ...]
    sections: tuple[str, ...]
    exclude_items: tuple[str, ...]
    extra_items: tuple[Clause, ...]
    source: str = ""

    def checklist(self, section_id: str, guide: Guide | None = None) -> tuple[Clause, ...]:
        """The items of one section under this profile, the guide's first, then the office's."""
        guide = guide or load_guide()
        items = list(guide.section(section_id).items(*CHECKLIST_KINDS))
        items = [i for i in items if i.id not in self.exclude_items]
        items += [i for i in self.extra_items if i.parent_id == section_id]
        return tuple(items)

    def item_ids(self, guide: Guide | None = None) -> tuple[str, ...]:
        """Every item id under this profile, in checklist order."""
        return tuple(i.id for s in self.sections for i in self.checklist(s, guide))

    def extra(self, item_id: str) -> Clause | None:
        return next((i for i in self.extra_items if i.id == item_id), None)


def resolve_profile(profile_id: str) -> Profile | None:
    """The profile an inspection was run under, or None when the office no longer has it.

    A record keeps only its profile's id; with the profile gone, the guide's own items of
    each section still make the checklist, so an old record always opens and prints.
    """
    try:
        return load_profile(profile_id or FULL)
    except (NotFoundError, ValidationError):
        return None


def section_items(profile: Profile | None, section_id: str,
                  guide: Guide | None = None) -> tuple[Clause, ...]:
    """One section's checklist: under ``profile``, else the guide's own items."""
    guide = guide or load_guide()
    if profile is not None:
        return profile.checklist(section_id, guide)
    return guide.checklist_items(section_id)


def items_in_scope(profile: Profile | None, sections: Iterable[str],
                   guide: Guide | None = None) -> tuple[Clause, ...]:
    """The checklist an inspection shows: each section in scope under the profile.

    A section added to the scope beyond the profile's own (such as 七、14) brings the
    guide's items; an id that is not a section of 七 brings nothing.
    """
    guide = guide or load_guide()
    known = {s.id for s in guide.sections}
    return tuple(i for sid in sections if sid in known
                 for i in section_items(profile, sid, guide))


def find_item(item_id: str, profile: Profile | None = None, guide: Guide | None = None) -> Clause:
    """A checklist item by id, from the guide or the profile's office items."""
    if profile is not None and (extra := profile.extra(item_id)) is not None:
        return extra
    return (guide or load_guide()).item(item_id)


def profiles_dir() -> Path:
    return templates_dir() / "profiles"


def list_profiles() -> list[Profile]:
    """Every valid profile in the templates folder, ``full`` first; a malformed one is left
    out (:func:`profile_problems` says why), so one bad file never stops the others."""
    return read_profiles()[0]


def profile_problems() -> list[Problem]:
    """What is wrong with each profile left out of :func:`list_profiles`, with its file and
    field."""
    return read_profiles()[1]


def read_profiles() -> tuple[list[Profile], list[Problem]]:
    """The valid profiles, ``full`` first, and every problem of the others."""
    profiles: list[Profile] = []
    problems: list[Problem] = []
    for path in sorted(profiles_dir().glob("*.yaml")):
        try:
            profiles.append(load_profile(path))
        except ValidationError as exc:
            problems += exc.problems
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem("profile.yaml", f"无法读取：{exc}", f"cannot be read: {exc}",
                                    file=str(path)))
    return sorted(profiles, key=lambda p: (p.id != FULL, p.id)), problems


def load_profile(name_or_path: str | Path) -> Profile:
    """A profile by its id (a file in ``templates/profiles``) or by a path to a YAML file."""
    text = str(name_or_path)
    path = Path(text)
    if not (text.endswith((".yaml", ".yml")) or path.is_file()):
        path = profiles_dir() / f"{text}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in profiles_dir().glob("*.yaml")))
        msg = f"找不到检查表配置 {text!r} / no checklist profile {text!r}; known: {known}"
        raise NotFoundError(msg)
    return _load(str(path.resolve()), path.stat().st_mtime_ns)


@cache
def _load(path: str, _mtime: int) -> Profile:
    import yaml  # here: a command that opens no profile loads no YAML

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = Problem(
            "profile.yaml", f"YAML 格式错误：{exc}", "not valid YAML", file=path, row=row
        )
        raise ValidationError([problem], path) from None
    problems = validate_profile_data(data, path)
    if problems:
        raise ValidationError(problems, path)
    return _profile(data, path)


def validate_profile_data(data: Any, file: str = "", guide: Guide | None = None) -> list[Problem]:
    """Every problem with a profile: schema first, then ids against the guide."""
    problems = [
        Problem("profile.schema", f"不符合检查表配置格式：{zh}", en, field=where or "/", file=file)
        for where, zh, en in check_file(data, SCHEMA_FILE)
    ]
    if problems:
        return problems
    guide = guide or load_guide()
    sections = {s.id for s in guide.sections}

    def bad(code: str, where: str, zh: str, en: str) -> None:
        problems.append(Problem(code, zh, en, field=where, file=file))

    for i, sid in enumerate(data["sections"]):
        if sid not in sections:
            bad(
                "profile.section",
                f"sections/{i}",
                f"{sid} 不是七中的检查节",
                f"{sid} is not a section of part 七",
            )
    checklist = {i.id for i in guide.checklist_items()}
    for i, item_id in enumerate(data.get("exclude_items", ())):
        if item_id not in checklist:
            bad(
                "profile.exclude",
                f"exclude_items/{i}",
                f"{item_id} 不是指南中的检查项",
                f"{item_id} is not a checklist item of the guide",
            )
    seen: set[str] = set()
    for i, extra in enumerate(data.get("extra_items", ())):
        where = f"extra_items/{i}"
        if extra["id"] in guide or extra["id"] in seen:
            bad(
                "profile.extra_id",
                f"{where}/id",
                f"编号 {extra['id']} 重复",
                f"id {extra['id']} is already used",
            )
        seen.add(extra["id"])
        if extra["section"] not in data["sections"]:
            bad(
                "profile.extra_section",
                f"{where}/section",
                f"补充检查项所属的节 {extra['section']} 不在本配置的检查范围内",
                f"section {extra['section']} of this item is not in the profile's sections",
            )
    return problems


def _profile(data: Mapping[str, Any], source: str) -> Profile:
    extras = []
    counters: dict[str, int] = {}
    for raw in data.get("extra_items", ()):
        n = counters[raw["section"]] = counters.get(raw["section"], 0) + 1
        section_no = raw["section"].split(".", 1)[1]
        extras.append(
            Clause(
                id=raw["id"],
                label=f"七、{section_no}.补充检查项（{n}）",
                kind=raw.get("kind", "method"),
                zh=raw["zh"].strip(),
                en=raw["en"].strip(),
                parent_id=raw["section"],
            )
        )
    description = data.get("description")
    return Profile(
        id=data["id"],
        version=data["version"],
        name=Text(**data["name"]),
        description=Text(**description) if description else None,
        inspection_types=tuple(data.get("inspection_types", ())),
        sections=tuple(data["sections"]),
        exclude_items=tuple(data.get("exclude_items", ())),
        extra_items=tuple(extras),
        source=source,
    )
