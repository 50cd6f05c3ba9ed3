"""The office's own rules, kept in ``templates/`` and never in code: the grading scheme and
verdict (``grading.yaml``: none by default, as the guide; NMPA 2015, GHTF N19 and the FDA's
classification shipped as options) and what carries each handling of 十、1 to its outcome
(``handling.yaml``: production suspended resumes only after an on-site recheck that passed).

:func:`load_policy` reads both, checked: a problem names the file, the field and what is wrong
(every problem of both files at once; a handling kind must be one of the guide's, 十、1).

>>> policy = load_policy()
>>> policy.scheme.id, policy.handling.recheck_on_site
('none', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from kit.errors import NotFoundError, Problem, ValidationError
from kit.guide import load_guide
from kit.policy._grading import (
    GRADING_SCHEMA,
    NO_SCHEME,
    NONE,
    Proposal,
    Scheme,
    Term,
    scheme_from,
    scheme_problems,
)
from kit.policy._handling import (
    HANDLING_SCHEMA,
    SUSPENDING,
    Handled,
    HandlingRules,
    deadline_kinds,
    handling_from,
    with_deadline,
)
from kit.resources import templates_dir
from kit.schemas import check_file

__all__ = [
    "NO_SCHEME",
    "SUSPENDING",
    "Handled",
    "HandlingRules",
    "Policy",
    "Proposal",
    "Scheme",
    "Term",
    "deadline_kinds",
    "load_policy",
    "policy_files",
    "policy_problems",
    "with_deadline",
]


@dataclass(frozen=True)
class Policy:
    """The office's grading scheme in force (and every scheme it ships) and handling rules."""

    scheme: Scheme = NONE
    handling: HandlingRules = field(default_factory=HandlingRules)
    schemes: tuple[Scheme, ...] = (NONE,)

    def scheme_named(self, name: str) -> Scheme | None:
        return next((s for s in self.schemes if s.id == name), None)


def policy_files(folder: str | Path | None = None) -> tuple[Path, Path]:
    """``grading.yaml`` and ``handling.yaml`` of ``folder`` (default: the office's templates)."""
    base = Path(folder) if folder is not None else templates_dir()
    return base / "grading.yaml", base / "handling.yaml"


def load_policy(folder: str | Path | None = None) -> Policy:
    """The office's policy from ``folder`` (default: the templates folder), checked."""
    grading, handling = policy_files(folder)
    for path in (grading, handling):
        if not path.is_file():
            msg = f"找不到办公室规则文件 {path} / no such policy file {path}"
            raise NotFoundError(msg)
    return _load(str(grading.resolve()), grading.stat().st_mtime_ns,
                 str(handling.resolve()), handling.stat().st_mtime_ns)


def policy_problems(folder: str | Path | None = None) -> list[Problem]:
    """Every problem of the office's policy files (none: they load)."""
    try:
        load_policy(folder)
    except ValidationError as exc:
        return list(exc.problems)
    return []


@cache
def _load(grading: str, _g: int, handling: str, _h: int) -> Policy:
    gdata, problems = _read(grading, GRADING_SCHEMA)
    if gdata is not None:
        problems += scheme_problems(gdata, grading)
    hdata, found = _read(handling, HANDLING_SCHEMA)
    problems += found
    if hdata is not None:
        problems += _kind_problems(hdata, handling)
    if problems or gdata is None or hdata is None:
        files = "、".join(dict.fromkeys(p.file for p in problems)) or grading
        raise ValidationError(problems, files)
    schemes = tuple(_tidy_scheme(scheme_from(gdata, name)) for name in gdata["schemes"])
    rules = handling_from(hdata)
    return Policy(scheme=next(s for s in schemes if s.id == gdata["scheme"]),
                  handling=replace(rules, resumption_source=_tidy(rules.resumption_source)),
                  schemes=schemes)


def _read(path: str, schema: Path) -> tuple[Any, list[Problem]]:
    """The file's data (None when it cannot be used) and its problems."""
    import yaml  # here: a command that applies no office rules loads no YAML

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(
            "policy.file", f"不是有效的 YAML：{exc}", "not valid YAML", file=path,
            row=mark.line + 1 if mark is not None else None)]
    found = [Problem("policy.file", f"办公室规则文件格式不符：{zh}", en, field=where or "/",
                     file=path) for where, zh, en in check_file(data, schema)]
    return (None if found else data), found


def _kind_problems(data: Any, file: str) -> list[Problem]:
    """Each kind handling.yaml names must be one of the guide's handling kinds (十、1)."""
    known = {t.code: t.zh for t in load_guide().terms("handling_kinds")}
    listed = "、".join(f"{code} {zh}" for code, zh in known.items())
    out = []
    for part in ("resumption", "suspension_notice"):
        for i, kind in enumerate(data[part]["kinds"]):
            if kind not in known:
                out.append(Problem(
                    "policy.file", f"{kind!r} 不是指南十、1 的处理方式（可用：{listed}）",
                    f"{kind!r} is not one of the guide's handling kinds (十.1)",
                    field=f"{part}/kinds/{i}", file=file))
    return out


_FOLD = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


def _tidy(text: str) -> str:
    """A folded YAML text as one line: no space where a line break fell between two Chinese
    characters (``>-`` folds a break into a space).

    >>> _tidy("须经复查合格后方可继续开展 生产，参照 GHTF N19")
    '须经复查合格后方可继续开展生产，参照 GHTF N19'
    """
    return _FOLD.sub("", text)


def _tidy_scheme(scheme: Scheme) -> Scheme:
    return replace(scheme, source=_tidy(scheme.source))
