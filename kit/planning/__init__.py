"""The year's supervision plan (五、1 分类分级监督, 十、3（3）): each company's level from its
products and history, when its next full inspection is due, and a month and team for each.

The levels, their frequencies and the catalogues are the office's data
(``templates/supervision.yaml``, with its source); :func:`year_plan` reads an office's
:class:`~kit.analytics.Tables` (``load_tables``) and its register of companies
(:mod:`kit.register`, when the store has one) and gives a :class:`YearPlan` to show or write
(``kit plan --year 2027 --out plan.xlsx``); :func:`save_year_plan` keeps it in the store, each
line with a stable id, to become an inspection (``kit new --plan-line 2027-014``).
"""

from __future__ import annotations

from kit.planning._lines import office_year_plan, plan_lines_of, save_year_plan
from kit.planning._plan import (
    LEVEL_COLUMNS,
    PLAN_COLUMNS,
    Grading,
    YearPlan,
    company_levels,
    grading_of,
    year_plan,
)
from kit.planning._rules import (
    Catalogue,
    Level,
    Serious,
    SupervisionRules,
    load_supervision_rules,
    rules_problems,
    supervision_file,
)

__all__ = [
    "LEVEL_COLUMNS",
    "PLAN_COLUMNS",
    "Catalogue",
    "Grading",
    "Level",
    "Serious",
    "SupervisionRules",
    "YearPlan",
    "company_levels",
    "grading_of",
    "load_supervision_rules",
    "office_year_plan",
    "plan_lines_of",
    "rules_problems",
    "save_year_plan",
    "supervision_file",
    "year_plan",
]
