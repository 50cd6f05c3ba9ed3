"""The year's supervision plan (五、1 分类分级监督, 十、3（3）): each company's level from its
products and history, when its next full inspection is due, and a month and team for each.

The levels, their frequencies and the catalogues are the office's data
(``templates/supervision.yaml``, with its source); :func:`year_plan` reads an office's
:class:`~kit.analytics.Tables` (``load_tables``) and gives a :class:`YearPlan` to show or write
(``kit plan --year 2027 --out plan.xlsx``).
"""

from __future__ import annotations

from kit.planning._plan import LEVEL_COLUMNS, PLAN_COLUMNS, YearPlan, company_levels, year_plan
from kit.planning._rules import (
    Catalogue,
    Level,
    SupervisionRules,
    load_supervision_rules,
    rules_problems,
    supervision_file,
)

__all__ = [
    "LEVEL_COLUMNS",
    "PLAN_COLUMNS",
    "Catalogue",
    "Level",
    "SupervisionRules",
    "YearPlan",
    "company_levels",
    "load_supervision_rules",
    "rules_problems",
    "supervision_file",
    "year_plan",
]
