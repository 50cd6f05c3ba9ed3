"""The office's grading scheme (``templates/grading.yaml``): the grades a finding may take, the
verdicts an inspection may end with, and the rule that proposes a verdict from the grades."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kit.errors import Problem
from kit.resources import DATA_DIR

GRADING_SCHEMA = DATA_DIR / "grading.schema.json"
#: the scheme that grades nothing: the Beijing guide's own (the default)
NO_SCHEME = "none"


@dataclass(frozen=True)
class Term:
    """A grade or a verdict of a scheme: its code and words."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class Proposal:
    """One rule of ``propose``: ``verdict`` when any finding has one of ``any``, or at least
    ``count`` findings have one of ``grades``; with neither, always."""

    verdict: str
    any: tuple[str, ...] = ()
    count: int = 0
    grades: tuple[str, ...] = ()

    def holds(self, graded: Iterable[str]) -> bool:
        given = list(graded)
        if self.any and not any(g in self.any for g in given):
            return False
        return not self.count or sum(g in self.grades for g in given) >= self.count


@dataclass(frozen=True)
class Scheme:
    """A grading scheme: its name, source, grades, verdicts and how a verdict is proposed."""

    id: str
    zh: str
    en: str
    source: str
    grades: tuple[Term, ...] = ()
    verdicts: tuple[Term, ...] = ()
    propose_rules: tuple[Proposal, ...] = ()

    @property
    def grades_findings(self) -> bool:
        """Whether findings are graded (not under ``none``)."""
        return bool(self.grades)

    def grade(self, code: str) -> Term | None:
        return next((t for t in self.grades if t.code == code), None)

    def verdict(self, code: str) -> Term | None:
        return next((t for t in self.verdicts if t.code == code), None)

    def propose(self, grades: Iterable[str]) -> str:
        """The verdict the scheme's rule proposes for findings of these grades ('' when the
        scheme gives none, or when a finding is not graded yet).

        >>> s = Scheme("x", "", "", "", (Term("key", "", ""), Term("general", "", "")),
        ...            (Term("pass", "", ""), Term("fail", "", "")),
        ...            (Proposal("fail", any=("key",)), Proposal("pass")))
        >>> s.propose(["general"]), s.propose(["general", "key"]), s.propose(["general", ""])
        ('pass', 'fail', '')
        """
        given = tuple(grades)
        if not self.verdicts or any(not g for g in given):
            return ""
        return next((r.verdict for r in self.propose_rules if r.holds(given)), "")


NONE = Scheme(NO_SCHEME, "不分级", "no grading", "《北京市医疗器械生产监督检查指南》未规定问题分级")


def scheme_problems(data: Mapping[str, Any], file: str) -> list[Problem]:
    """What the schema cannot see: the scheme chosen exists; each rule names the scheme's own
    verdicts and grades; a scheme with verdicts ends with a rule that always holds."""
    out: list[Problem] = []

    def flag(where: str, zh: str, en: str) -> None:
        out.append(Problem("policy.file", zh, en, field=where, file=file))

    if data["scheme"] not in data["schemes"]:
        flag("scheme", f"选用的分级办法 {data['scheme']!r} 不在 schemes 中（有：{'、'.join(data['schemes'])}）",
            f"the scheme {data['scheme']!r} is not among schemes")
    for name, s in data["schemes"].items():
        grades = [g["code"] for g in s["grades"]]
        verdicts = [v["code"] for v in s["verdicts"]]
        for kind, codes in (("grades", grades), ("verdicts", verdicts)):
            if len(set(codes)) != len(codes):
                flag(f"schemes/{name}/{kind}", "代码重复", "a code is listed twice")
        for k, rule in enumerate(s["propose"]):
            where = f"schemes/{name}/propose/{k}"
            if rule["verdict"] not in verdicts:
                flag(f"{where}/verdict", f"结论 {rule['verdict']!r} 不是本办法的结论之一",
                    f"{rule['verdict']!r} is not one of the scheme's verdicts")
            named = list(rule.get("any", ())) + list(rule.get("at_least", {}).get("grades", ()))
            for g in named:
                if g not in grades:
                    flag(where, f"等级 {g!r} 不是本办法的等级之一", f"{g!r} is not one of its grades")
        if verdicts and (not s["propose"] or set(s["propose"][-1]) != {"verdict"}):
            flag(f"schemes/{name}/propose", "最后一条规则须不带条件（总是成立），使每种情况都有建议结论",
                "the last rule has no condition, so every case gets a proposal")
        if bool(grades) != bool(verdicts):
            flag(f"schemes/{name}", "等级和结论须同时给出或同时为空", "grades and verdicts go together")
    return out


def scheme_from(data: Mapping[str, Any], name: str) -> Scheme:
    s = data["schemes"][name]
    return Scheme(
        id=name, zh=s["zh"], en=s["en"], source=" ".join(str(s["source"]).split()),
        grades=tuple(Term(str(g["code"]), g["zh"], g["en"]) for g in s["grades"]),
        verdicts=tuple(Term(str(v["code"]), v["zh"], v["en"]) for v in s["verdicts"]),
        propose_rules=tuple(
            Proposal(r["verdict"], tuple(r.get("any", ())),
                     int(r.get("at_least", {}).get("count", 0)),
                     tuple(r.get("at_least", {}).get("grades", ())))
            for r in s["propose"]),
    )
