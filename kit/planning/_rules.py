"""The office's supervision levels, frequencies and catalogues (``templates/supervision.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kit.errors import KitError, NotFoundError, Problem, ValidationError
from kit.policy import load_policy
from kit.resources import DATA_DIR, templates_dir
from kit.schemas import check_file

SCHEMA_FILE = DATA_DIR / "supervision.schema.json"
#: the conditions a level may name, in the order they are tried
CONDITIONS = ("national_catalogue", "beijing_catalogue", "class_ii_or_iii", "class_i")
#: what raises a company's level (by one each, at most ``max_raise`` in all)
RAISES = ("key_supervision", "repeat_findings", "serious_handling", "serious_grade",
          "serious_verdict")


@dataclass(frozen=True)
class Level:
    """One supervision level and the inspections it asks for."""

    level: int
    zh: str
    en: str
    when: str
    kind: str
    basis: str
    frequency: str = ""  # how often, in words: the basis of a level reached by a raise
    every_months: int | None = None  # a full inspection at least this often
    first_within_months: int | None = None  # after filing (class I), then spot checks
    spot_share: float = 0.0  # the share of the level's companies drawn for a spot check


@dataclass(frozen=True)
class Catalogue:
    """A key-supervision catalogue: a product is on it by its 分类编码 or a word of its name."""

    zh: str
    source: str
    codes: tuple[str, ...]
    words: tuple[str, ...]

    def lists(self, name: str, category_code: str) -> str:
        """Why a product is on the catalogue ('' if it is not)."""
        code = next((c for c in self.codes if category_code.startswith(c)), "")
        if code:
            return f"分类编码 {category_code} 属 {code}"
        word = next((w for w in self.words if w in name), "")
        return f"产品名称含“{word}”" if word else ""


@dataclass(frozen=True)
class Serious:
    """What a grading scheme (``templates/grading.yaml``) counts as serious for the plan: the
    findings' grades and the inspections' verdicts that raise a company's level."""

    grades: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SupervisionRules:
    """Levels (highest first), what raises one and by how much at most, what each grading
    scheme counts as serious, the catalogues, and where the numbers come from."""

    source: str
    levels: tuple[Level, ...]
    raise_when: Mapping[str, str]
    history_years: int
    catalogues: Mapping[str, Catalogue]
    file: str = ""
    max_raise: int = 1
    serious: Mapping[str, Serious] = field(default_factory=dict)

    def level(self, number: int) -> Level:
        return next(lv for lv in self.levels if lv.level == number)

    @property
    def highest(self) -> int:
        return max(lv.level for lv in self.levels)


def supervision_file() -> Path:
    return templates_dir() / "supervision.yaml"


def load_supervision_rules(path: str | Path | None = None) -> SupervisionRules:
    """The office's rules, checked: a problem names the file, the field and what is wrong."""
    path = Path(path) if path is not None else supervision_file()
    if not path.is_file():
        msg = f"找不到分类分级监督文件 {path} / no supervision rules file {path}"
        raise NotFoundError(msg)
    return _load(str(path.resolve()), path.stat().st_mtime_ns)


@cache
def _load(path: str, _mtime: int) -> SupervisionRules:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ValidationError([Problem(
            "supervision.file", f"不是有效的 YAML：{exc}", "not valid YAML", file=path,
            row=mark.line + 1 if mark is not None else None)], path) from None
    problems = rules_problems(data, path)
    if problems:
        raise ValidationError(problems, path)
    return _rules(data, path)


def rules_problems(data: Any, file: str = "") -> list[Problem]:
    """Every problem of a supervision-rules document: its shape, then its levels."""
    found = [Problem("supervision.file", f"分类分级监督文件格式不符：{zh}", en,
                     field=where or "/", file=file)
             for where, zh, en in check_file(data, SCHEMA_FILE)]
    if found:
        return found
    levels = data["levels"]
    numbers = [lv["level"] for lv in levels]
    if numbers != sorted(numbers, reverse=True) or len(set(numbers)) != len(numbers):
        found.append(Problem("supervision.file", "监管级别须从高到低排列且不重复",
                             "levels go from the highest down, each once", field="levels",
                             file=file))
    for k, lv in enumerate(levels):
        if lv.get("every_months") is None and lv.get("first_within_months") is None:
            found.append(Problem(
                "supervision.file", "每个级别须给出 every_months（全项目检查间隔月数）或 "
                "first_within_months（备案后首次检查的月数）",
                "a level needs every_months or first_within_months", field=f"levels/{k}",
                file=file))
        if not 0 <= lv.get("spot_share", 0) <= 1:
            found.append(Problem("supervision.file", "抽查比例须在 0 到 1 之间",
                                 "spot_share is between 0 and 1",
                                 field=f"levels/{k}/spot_share", file=file))
    return found + _serious_problems(data.get("serious", {}), file)


def _serious_problems(serious: Mapping[str, Any], file: str) -> list[Problem]:
    """Each scheme named under ``serious`` is one of ``grading.yaml``'s, with its own grades
    and verdicts."""
    try:
        schemes = {s.id: s for s in load_policy().schemes}
    except KitError:  # the grading file's own problems are told by `kit policy --check`
        return []
    found = []
    for name, marks in serious.items():
        scheme = schemes.get(name)
        if scheme is None:
            found.append(Problem(
                "supervision.file", f"serious 中的分级办法 {name!r} 不在 grading.yaml 中（有："
                f"{'、'.join(schemes)}）", f"{name!r} is not a scheme of grading.yaml",
                field=f"serious/{name}", file=file))
            continue
        for kind, known in (("grades", {t.code for t in scheme.grades}),
                            ("verdicts", {t.code for t in scheme.verdicts})):
            found += [Problem("supervision.file", f"{code!r} 不是分级办法 {name} 的{'等级' if kind == 'grades' else '结论'}",
                              f"{code!r} is not one of the {kind} of {name}",
                              field=f"serious/{name}/{kind}", file=file)
                      for code in marks.get(kind, ()) if str(code) not in known]
    return found


def _rules(data: Mapping[str, Any], file: str) -> SupervisionRules:
    return SupervisionRules(
        source=" ".join(str(data["source"]).split()),
        levels=tuple(Level(lv["level"], lv["zh"], lv["en"], lv["when"], lv["kind"],
                           lv["basis"], lv["frequency"], lv.get("every_months"),
                           lv.get("first_within_months"), float(lv.get("spot_share", 0.0)))
                     for lv in data["levels"]),
        raise_when=dict(data["raise_when"]),
        history_years=int(data["history_years"]),
        catalogues={name: Catalogue(c["zh"], c["source"], tuple(c["codes"]), tuple(c["words"]))
                    for name, c in data["catalogues"].items()},
        file=file,
        max_raise=int(data["max_raise"]),
        serious={name: Serious(tuple(str(g) for g in marks.get("grades", ())),
                               tuple(str(v) for v in marks.get("verdicts", ())))
                 for name, marks in data.get("serious", {}).items()},
    )
