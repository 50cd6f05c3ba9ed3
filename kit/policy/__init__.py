"""The office's own rules, kept in ``templates/`` and never in code: the grading scheme and
verdict (``grading.yaml``: none by default, as the guide; NMPA 2015, GHTF N19 and the FDA's
classification shipped as options) and what carries each handling of 十、1 to its outcome
(``handling.yaml``: production suspended resumes only after an on-site recheck that passed).

:func:`load_policy` reads both, checked: a problem names the file, the field and what is wrong.

>>> policy = load_policy()
>>> policy.scheme.id, policy.handling.recheck_on_site
('none', True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kit.errors import NotFoundError, Problem, ValidationError
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
from kit.policy._handling import HANDLING_SCHEMA, SUSPENDING, HandlingRules, handling_from
from kit.resources import templates_dir
from kit.schemas import check_file

__all__ = [
    "NO_SCHEME",
    "SUSPENDING",
    "HandlingRules",
    "Policy",
    "Proposal",
    "Scheme",
    "Term",
    "load_policy",
    "policy_files",
    "policy_problems",
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
    gdata = _read(grading, GRADING_SCHEMA)
    problems = scheme_problems(gdata, grading)
    if problems:
        raise ValidationError(problems, grading)
    hdata = _read(handling, HANDLING_SCHEMA)
    schemes = tuple(scheme_from(gdata, name) for name in gdata["schemes"])
    return Policy(scheme=next(s for s in schemes if s.id == gdata["scheme"]),
                  handling=handling_from(hdata), schemes=schemes)


def _read(path: str, schema: Path) -> Any:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ValidationError([Problem(
            "policy.file", f"不是有效的 YAML：{exc}", "not valid YAML", file=path,
            row=mark.line + 1 if mark is not None else None)], path) from None
    found = [Problem("policy.file", f"办公室规则文件格式不符：{zh}", en, field=where or "/",
                     file=path) for where, zh, en in check_file(data, schema)]
    if found:
        raise ValidationError(found, path)
    return data
