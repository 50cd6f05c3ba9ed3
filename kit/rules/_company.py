"""七、1 on the company record: credit codes and licences, as of the inspection's first day."""

from __future__ import annotations

from collections.abc import Iterator

from kit.errors import Problem
from kit.rules._context import Context
from kit.rules._licences import credit_code_problems, licence_problems


def credit_codes(ctx: Context) -> Iterator[Problem]:
    yield from credit_code_problems(ctx.inspection.company)


def licences_valid(ctx: Context) -> Iterator[Problem]:
    """七、1.检查方法（1）-（3） on the licences entered, as of the inspection's first day."""
    yield from licence_problems(ctx.inspection.company, ctx.reference_date)
