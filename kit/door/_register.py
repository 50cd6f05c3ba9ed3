"""The office's register of companies through the door: who may change it, what it accepts.

On the office server only office leaders (group ``leaders``) import the register; everyone
reads it (an inspector plans and starts inspections from it). On one machine whoever holds the
store does both, as for inspections.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kit.door._access import LEADERS, AccessError, Identity
from kit.errors import Problem, ValidationError
from kit.identifiers import credit_code_problem
from kit.register import RegisteredCompany

__all__ = ["Registered", "check_register", "register_problems", "register_refusal"]


@dataclass(frozen=True)
class Registered:
    """A company of the register as the store keeps it: the entry, and its last change."""

    company: RegisteredCompany
    updated_at: str  # UTC, as the trail keeps it
    updated_by: str


def register_refusal(who: Identity | None) -> str | None:
    """Why ``who`` may not change the register, or None."""
    if who is None or not who.hub or LEADERS in who.groups:
        return None
    return (f"{who.user} 不是科室负责人，不能导入或修改企业名录 / {who.user} is not an office "
            "leader and may not import or change the register of companies")


def register_problems(companies: Sequence[RegisteredCompany]) -> list[Problem]:
    """What the store must never keep: a credit code that fails its check, one twice, a
    company without a name, a class that is not I, II or III."""
    out: list[Problem] = []
    seen: set[str] = set()
    for k, c in enumerate(companies):
        where = f"companies/{k}"
        why = credit_code_problem(c.credit_code)
        if why is not None or c.credit_code != c.credit_code.strip().upper():
            out.append(Problem("company.credit_code", f"统一社会信用代码“{c.credit_code}”无效：{why}",
                               "invalid unified social credit code", field=f"{where}/credit_code"))
        if c.credit_code in seen:
            out.append(Problem("duplicate_id", f"统一社会信用代码 {c.credit_code} 重复",
                               "a credit code is given twice", field=f"{where}/credit_code"))
        seen.add(c.credit_code)
        if not c.name.strip():
            out.append(Problem("missing_value", "企业名称为空", "no company name",
                               field=f"{where}/name"))
        out += [Problem("bad_class", f"管理类别应为 I、II 或 III，而不是“{p.device_class}”",
                        "the class must be I, II or III",
                        field=f"{where}/products/{j}/device_class")
                for j, p in enumerate(c.products) if p.device_class not in ("I", "II", "III")]
    return out


def check_register(companies: Sequence[RegisteredCompany], who: Identity | None) -> None:
    """Refuse (raise) a change to the register ``who`` may not make or the store must not keep."""
    why = register_refusal(who)
    if why is not None:
        raise AccessError(why)
    problems = register_problems(companies)
    if problems:
        raise ValidationError(problems, "企业名录 register")
