"""The parameters of a draw of 九: everything besides the registers that decides it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from kit.errors import Problem, ValidationError


@dataclass(frozen=True)
class SampleParameters:
    """Everything besides the registers that decides a draw; kept with the result."""

    inspection_date: date
    seed: int
    per_group: int = 2
    max_products: int | None = None
    discrepancy: float = 0.2
    window_months: int = 3
    confidence: float = 0.95

    def __post_init__(self) -> None:
        bad: list[tuple[str, str, str]] = []
        if isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer) \
                or self.seed < 0:
            bad.append(("seed", "种子须为非负整数", "seed must be a non-negative integer"))
        if self.per_group < 1:
            bad.append(("per_group", "每组至少抽 1 份", "per_group must be at least 1"))
        if self.max_products is not None and self.max_products < 1:
            bad.append(("max_products", "产品数上限至少为 1", "max_products must be at least 1"))
        if not self.discrepancy > 0:
            bad.append(("discrepancy", "差异阈值须大于 0", "discrepancy must be above 0"))
        if self.window_months < 1:
            bad.append(("window_months", "窗口至少 1 个月", "window_months must be at least 1"))
        if not 0 < self.confidence < 1:
            bad.append(("confidence", "置信度须在 0 与 1 之间", "confidence must be in (0, 1)"))
        if bad:
            raise ValidationError([Problem("bad_parameter", zh, en, field=f) for f, zh, en in bad],
                                  what="抽样参数 sampling parameters")

    def as_dict(self) -> dict[str, object]:
        return {"inspection_date": self.inspection_date.isoformat(), "seed": self.seed,
                "per_group": self.per_group, "max_products": self.max_products,
                "discrepancy": self.discrepancy, "window_months": self.window_months,
                "confidence": self.confidence}
