"""The codes a record may hold: which values (and keys) of which fields name something known.

The record model types every field (:func:`kit.record.check_value`), but many fields hold a
*reference*: a checklist item (``7.8.m4``), a handling kind of 十、1, a section of 七, a member
of the team (``M2``), a measure of 十、2 or 十、3. A reference to nothing would be stored, then
shown as an error or, worse, break the screen that offers the known ones. :func:`code_problems`
says, for the leaves written at their paths, every one that names nothing known, with where it
is and what is known; :class:`Known` is what the record itself contributes (its profile's own
items, its team's and products' keys).

>>> known = Known(members=frozenset({"M1", "M2"}))
>>> [p.code for p in code_problems([("findings/F1/handling", "no_such_handling")], known)]
['record.unknown_code']
>>> code_problems([("signatures/inspector_signers", ["M1", "M2"])], known)
[]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from kit.errors import Problem
from kit.guide import load_guide
from kit.policy import load_policy
from kit.profiles import resolve_profile
from kit.record.model import NOTICE_KINDS, Stage

__all__ = ["Known", "code_problems", "known_in", "vocabulary_of"]


@dataclass(frozen=True)
class Known:
    """What a record contributes to what its references may name."""

    #: the office's own items of the record's profile (``x.…``), beside the guide's
    items: frozenset[str] = field(default_factory=frozenset)
    members: frozenset[str] = field(default_factory=frozenset)
    products: frozenset[str] = field(default_factory=frozenset)
    findings: frozenset[str] = field(default_factory=frozenset)


def known_in(doc: Mapping[str, Any]) -> Known:
    """What a document (the record as stored, or as it will be) lets its references name."""
    profile = resolve_profile(str(doc.get("profile") or ""))
    company = doc.get("company")

    def keys(node: Any) -> frozenset[str]:
        return frozenset(node) if isinstance(node, dict) else frozenset()

    return Known(
        items=frozenset(i.id for i in profile.extra_items) if profile is not None else frozenset(),
        members=keys(doc.get("team")),
        products=keys(company.get("products")) if isinstance(company, dict) else frozenset(),
        findings=keys(doc.get("findings")),
    )


@cache
def _vocabularies() -> dict[str, tuple[frozenset[str], str]]:
    """Each closed vocabulary: its codes and how a person knows it (中文 / English)."""
    guide = load_guide()

    def terms(name: str) -> frozenset[str]:
        return frozenset(t.code for t in guide.terms(name))

    def children(*parents: str) -> frozenset[str]:
        return frozenset(c.id for p in parents for c in guide.item(p).children)

    return {
        "section": (frozenset(s.id for s in guide.sections), "七的检查节 a section of 七"),
        "basis": (children("3"), "三的检查依据 a basis of 三"),
        "qualification": (children("4.2", "4.3"), "四的要求 a requirement of 四"),
        "standard": (terms("leader_standards"), "四、3（2）的标准 a standard of 四、3（2）"),
        "means": (terms("means"), "八的检查手段 a means of 八"),
        "handling": (terms("handling_kinds"), "十、1的处理方式 a handling of 十、1"),
        "past_measure": (terms("past_product_measures"), "十、2的措施 a measure of 十、2"),
        "follow_up_measure": (terms("follow_up_measures"), "十、3的措施 a measure of 十、3"),
        "background": (terms("background_kinds"), "五、1的背景类别 a kind of background of 五、1"),
        "step": (children("6"), "六的步骤 a step of 六"),
        "stage": (frozenset(Stage.__args__), "阶段 a stage"),  # type: ignore[attr-defined]
        "notice": (frozenset(NOTICE_KINDS), "文书 a notice"),
        "item": (frozenset(i.id for i in guide.checklist_items()), "检查项 a checklist item"),
    }


def vocabulary_of(name: str) -> frozenset[str]:
    """The codes of one closed vocabulary (``handling``, ``section``, ``means``…)."""
    return _vocabularies()[name][0]


# What each path holds (a value or each of a list's values: "value"; the last key: "key"), and
# of what: a closed vocabulary, or the record's own members, products or findings.
_RULES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern), where, what) for pattern, where, what in (
        (r"scope/sections", "value", "section"),
        (r"scope/bases", "value", "basis"),
        (r"team/[^/]+/sections", "value", "section"),
        (r"team/[^/]+/qualifications", "value", "qualification"),
        (r"team/[^/]+/standards", "value", "standard"),
        (r"background/notes/[^/]+", "key", "background"),
        (r"steps/[^/]+(/.*)?", "key1", "step"),
        (r"results/[^/]+(/.*)?", "key1", "item"),
        (r"results/[^/]+/means", "value", "means"),
        (r"results/[^/]+/inspector", "member", "members"),
        (r"findings/[^/]+/item", "value", "item"),
        (r"findings/[^/]+/handling", "value", "handling"),
        (r"findings/[^/]+/grade", "value", "grade"),
        (r"findings/[^/]+/corrected_by", "value", "members"),
        (r"opinion/verdict", "value", "verdict"),
        (r"past_products/measures", "value", "past_measure"),
        (r"follow_up/measures", "value", "follow_up_measure"),
        (r"signatures/inspector_signers", "value", "members"),
        (r"inability/noted_by", "value", "members"),
        (r"notices/[^/]+(/.*)?", "key1", "notice"),
        (r"notices/[^/]+/witnesses", "value", "members"),
        (r"gate_overrides/[^/]+(/.*)?", "key1", "stage"),
        (r"company/partners/[^/]+/products", "value", "products"),
        (r"attachments/[^/]+/target", "target", ""),
    ))


#: the rules by the first key of the paths they match (each pattern begins with it)
_RULES_BY_FIRST: dict[str, tuple[tuple[re.Pattern[str], str, str], ...]] = {
    first: tuple(r for r in _RULES if r[0].pattern.split("/", 1)[0] == first)
    for first in {r[0].pattern.split("/", 1)[0] for r in _RULES}}


def code_problems(leaves: Iterable[tuple[str, Any]], known: Known) -> list[Problem]:
    """Every leaf (``path``, plain value) that names nothing known, each with its path.

    Empty values name nothing and are fine (a result nobody was named for); so are paths no
    reference lies at.
    """
    out: list[Problem] = []
    by_first = _RULES_BY_FIRST
    for path, value in leaves:
        for pattern, where, what in by_first.get(path.partition("/")[0], ()):
            if not pattern.fullmatch(path):
                continue
            parts = path.split("/")
            if where == "key":
                named: list[Any] = [parts[-1]]
            elif where == "key1":
                named = [parts[1]]
            elif where == "target":
                named = [value]
            else:
                named = value if isinstance(value, list) else [value]
            for code in named:
                if code in ("", None):
                    continue
                problem = _unknown(path, code, what, known, where)
                if problem is not None:
                    out.append(problem)
    return _unique(out)


def _unknown(path: str, code: Any, what: str, known: Known, where: str) -> Problem | None:
    if where == "target":
        return _bad_target(path, code, known)
    if what == "members":
        codes, words = known.members, "检查组成员的编号 a team member's key"
    elif what == "products":
        codes, words = known.products, "企业产品的编号 a product's key"
    elif what in ("grade", "verdict"):  # the office's scheme in force (templates/grading.yaml)
        scheme = load_policy().scheme
        terms = scheme.grades if what == "grade" else scheme.verdicts
        codes = frozenset(t.code for t in terms)
        words = (f"本局分级办法“{scheme.zh}”的{'等级' if what == 'grade' else '检查结论'} "
                 f"a {what} of the office's scheme {scheme.id!r}")
    else:
        codes, words = _vocabularies()[what]
        if what == "item":
            codes = codes | known.items
    if isinstance(code, str) and code in codes:
        return None
    zh, en = words.split(" ", 1)
    return Problem("record.unknown_code",
                   f"{code!r} 不是已知的{zh}（可用：{_some(codes)}）",
                   f"{code!r} is not {en} (known: {_some(codes)})", field=path)


_SUBMISSION = re.compile(r"submissions/S[1-9][0-9]*")


def _bad_target(path: str, target: Any, known: Known) -> Problem | None:
    kind, _, what = str(target).partition("/")
    fine = {"results": lambda k: k in vocabulary_of("item") or k in known.items,
            # a finding, or one of the company's submissions for it (findings/F2/submissions/S1)
            "findings": lambda k: k.split("/", 1)[0] in known.findings and (
                "/" not in k or _SUBMISSION.fullmatch(k.split("/", 1)[1]) is not None),
            "signatures": lambda k: k in ("company", "witness") or k in known.members,
            # an issued notice's frozen PDF, and its service's (送达回证)
            "notices": lambda k: k.removesuffix("/service") in NOTICE_KINDS}
    if kind in fine and fine[kind](what):
        return None
    return Problem("evidence.target", f"证据材料所属的项目不存在：{target}",
                   f"no such place for evidence: {target!r}", field=path)


def _some(codes: Iterable[str], n: int = 8) -> str:
    shown = sorted(codes)
    return ", ".join(shown[:n]) + (" …" if len(shown) > n else "") if shown else "（无 none）"


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        if (p.field, p.message) not in seen:
            seen.add((p.field, p.message))
            out.append(p)
    return out
