"""The guide (北京市医疗器械生产监督检查指南) as data: clauses, vocabularies, look-up, search.

The guide's text lives in ``kit/data/guide.yaml``; every clause has a stable id that is never
reused (``7.8.m4`` is 七、8. 检查方法（4）), its label in the guide's own numbering, the guide's
Chinese verbatim and an English translation. Everything else in the kit (checklists, rules,
the workbook, training) is generated from this one copy.

>>> guide = load_guide()
>>> guide.item("7.8.m4").label
'七、8.检查方法（4）'
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kit.errors import NotFoundError, Problem, ValidationError
from kit.resources import DATA_DIR

__all__ = [
    "CHECKLIST_KINDS",
    "CHECKLIST_PART",
    "GUIDE_FILE",
    "SCHEMA_FILE",
    "SOURCE_TEXT_FILE",
    "Clause",
    "Guide",
    "Term",
    "Text",
    "guide_from_data",
    "load_guide",
    "validate_guide_data",
]

GUIDE_FILE = DATA_DIR / "guide.yaml"
SCHEMA_FILE = DATA_DIR / "guide.schema.json"
SOURCE_TEXT_FILE = DATA_DIR / "guide.zh.txt"

CHECKLIST_PART = "7"
CHECKLIST_KINDS = ("content", "method", "focus")


@dataclass(frozen=True)
class Text:
    """A piece of text in the guide's Chinese and in English."""

    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class Clause:
    """One clause of the guide: a part, a section, a paragraph or a numbered item."""

    id: str
    label: str
    kind: str
    zh: str = ""
    en: str = ""
    title: Text | None = None
    children: tuple[Clause, ...] = ()
    parent_id: str | None = None

    @property
    def part_id(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def text(self) -> Text:
        """The clause's own words, or its title for a part or section."""
        if self.title is not None:
            return self.title
        return Text(self.zh, self.en)

    def walk(self) -> Iterator[Clause]:
        """This clause and every clause below it, in the guide's order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def items(self, *kinds: str) -> tuple[Clause, ...]:
        """Direct children, only of the given kinds when any are named."""
        return tuple(c for c in self.children if not kinds or c.kind in kinds)


@dataclass(frozen=True)
class Term:
    """A controlled word of the guide: a role, an inspection type, a handling kind..."""

    code: str
    zh: str
    en: str
    source: str
    needs_deadline: bool = False
    suspends_production: bool = False


@dataclass(frozen=True)
class Guide:
    """The whole guide: ten parts, their clauses, and the vocabularies drawn from them."""

    id: str
    version: str
    title: Text
    status: Text | None
    source: str
    parts: tuple[Clause, ...]
    vocabularies: Mapping[str, tuple[Term, ...]]
    _index: Mapping[str, Clause] = field(repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[str, Clause] = {}
        for part in self.parts:
            for clause in part.walk():
                if clause.id in index:
                    msg = f"指南条款编号重复 / duplicate clause id {clause.id!r}"
                    raise ValidationError([Problem("guide.duplicate_id", msg)], "guide")
                index[clause.id] = clause
        object.__setattr__(self, "_index", index)

    # -- look-up ---------------------------------------------------------------------------
    def item(self, clause_id: str) -> Clause:
        """The clause with this id; a clear error naming close ids when there is none."""
        try:
            return self._index[clause_id]
        except KeyError:
            near = difflib.get_close_matches(clause_id, self._index, n=5, cutoff=0.6)
            hint = f"; 相近的编号 near ids: {', '.join(near)}" if near else ""
            msg = f"指南中没有编号为 {clause_id!r} 的条款 / no clause {clause_id!r} in the guide"
            msg += hint
            raise NotFoundError(msg) from None

    def __contains__(self, clause_id: object) -> bool:
        return clause_id in self._index

    def clauses(self) -> Iterator[Clause]:
        """Every clause in the guide's order."""
        for part in self.parts:
            yield from part.walk()

    def part(self, number: int | str) -> Clause:
        """Part 一..十 by its number 1..10."""
        return self.item(str(number))

    @property
    def sections(self) -> tuple[Clause, ...]:
        """The 14 checklist sections of 七 (检查内容和检查方法)."""
        return self.part(CHECKLIST_PART).items("section")

    def section(self, number: int | str) -> Clause:
        """Checklist section 七.N by N (1..14), or any section by its full id (``8.4``)."""
        text = str(number)
        clause = self.item(text if "." in text else f"{CHECKLIST_PART}.{text}")
        if clause.kind != "section":
            msg = f"{text!r} 不是一个节 / is not a section"
            raise NotFoundError(msg)
        return clause

    def checklist_items(self, section: int | str | None = None) -> tuple[Clause, ...]:
        """The checkable items (检查内容, 检查方法, 重点关注) of one section or of all 14."""
        sections = self.sections if section is None else (self.section(section),)
        return tuple(i for s in sections for i in s.items(*CHECKLIST_KINDS))

    def terms(self, vocabulary: str) -> tuple[Term, ...]:
        try:
            return self.vocabularies[vocabulary]
        except KeyError:
            known = ", ".join(self.vocabularies)
            msg = f"没有词表 {vocabulary!r} / no vocabulary {vocabulary!r}; known: {known}"
            raise NotFoundError(msg) from None

    def term(self, vocabulary: str, code: str) -> Term:
        for term in self.terms(vocabulary):
            if term.code == code:
                return term
        known = ", ".join(t.code for t in self.terms(vocabulary))
        msg = f"{vocabulary} 中没有 {code!r} / no {code!r} in {vocabulary}; known: {known}"
        raise NotFoundError(msg)

    # -- search ----------------------------------------------------------------------------
    def search(self, query: str, *, kinds: tuple[str, ...] = ()) -> list[Clause]:
        """Clauses whose Chinese or English text (or title) holds every word of ``query``.

        Words are split on white space; English is matched without regard to case.
        >>> [c.id for c in load_guide().search("劳动合同")]
        ['7.2.m9']
        """
        words = [w.casefold() for w in query.split()]
        if not words:
            return []
        found = []
        for clause in self.clauses():
            if kinds and clause.kind not in kinds:
                continue
            haystack = " ".join((clause.zh, clause.en, str(clause.title or ""))).casefold()
            if all(w in haystack for w in words):
                found.append(clause)
        return found

    def to_dict(self) -> dict[str, Any]:
        """The guide as plain data, the same shape as ``guide.yaml`` (for ``kit guide --json``)."""
        data: dict[str, Any] = {
            "format_version": 1,
            "id": self.id,
            "version": self.version,
            "title": asdict(self.title),
        }
        if self.status is not None:
            data["status"] = asdict(self.status)
        data["source"] = self.source
        data["parts"] = [_clause_dict(p) for p in self.parts]
        data["vocabularies"] = {
            name: [_term_dict(t) for t in terms] for name, terms in self.vocabularies.items()
        }
        return data


def _clause_dict(clause: Clause) -> dict[str, Any]:
    out: dict[str, Any] = {"id": clause.id, "label": clause.label, "kind": clause.kind}
    if clause.title is not None:
        out["title"] = asdict(clause.title)
    if clause.zh:
        out["zh"], out["en"] = clause.zh, clause.en
    if clause.children:
        out["children"] = [_clause_dict(c) for c in clause.children]
    return out


def _term_dict(term: Term) -> dict[str, Any]:
    out = asdict(term)
    for flag in ("needs_deadline", "suspends_production"):
        if not out[flag]:
            del out[flag]
    return out


# -- loading -------------------------------------------------------------------------------
@cache
def _raw_guide_data(path: str) -> dict[str, Any]:
    import yaml  # here: a command that never reads the guide's text loads no YAML

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # a safe loader, C or Python
    with open(path, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=loader)
    if not isinstance(data, dict):
        msg = f"{path}: 不是指南数据 / not guide data (expected a mapping at the top)"
        raise ValidationError([Problem("guide.not_mapping", msg, file=path)], "guide")
    return data


def validate_guide_data(data: Any, file: str = "") -> list[Problem]:
    """Every way ``data`` fails the guide schema, with the path of each failure."""
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path)
        problems.append(Problem("guide.schema", "不符合指南数据格式", err.message, where, file))
    return problems


def _clause(raw: Mapping[str, Any], parent_id: str | None) -> Clause:
    title = raw.get("title")
    return Clause(
        id=str(raw["id"]),
        label=raw["label"],
        kind=raw["kind"],
        zh=raw.get("zh", "").strip(),
        en=raw.get("en", "").strip(),
        title=Text(title["zh"], title["en"]) if title else None,
        children=tuple(_clause(c, str(raw["id"])) for c in raw.get("children", ())),
        parent_id=parent_id,
    )


def guide_from_data(data: Mapping[str, Any]) -> Guide:
    """Build a :class:`Guide` from data shaped like ``guide.yaml`` (already validated)."""
    status = data.get("status")
    return Guide(
        id=data["id"],
        version=str(data["version"]),
        title=Text(**data["title"]),
        status=Text(**status) if status else None,
        source=data["source"],
        parts=tuple(_clause(p, None) for p in data["parts"]),
        vocabularies={
            name: tuple(Term(**t) for t in terms) for name, terms in data["vocabularies"].items()
        },
    )


@cache
def load_guide(path: str | Path | None = None) -> Guide:
    """Load the guide once. With ``path``, load and schema-check another copy of it."""
    if path is None:
        return guide_from_data(_raw_guide_data(str(GUIDE_FILE)))
    data = _raw_guide_data(str(path))
    problems = validate_guide_data(data, str(path))
    if problems:
        raise ValidationError(problems, str(path))
    return guide_from_data(data)
