"""How far the team has got: per section of 七 in scope, who answers for it and what is checked.

What the leader watches during the visit (四、1: the leader answers for the whole; 五、4: each
inspector for the sections of their division).

>>> from kit.record import Inspection, ItemResult, Member, Scope
>>> ins = Inspection(scope=Scope(sections=("7.1",)),
...                  team={"M1": Member("张明", "leader", sections=("7.1",))},
...                  results={"7.1.c1": ItemResult("nonconform")})
>>> row, = progress(ins, None)
>>> row.label, row.owners, row.checked, row.total, row.counts["nonconform"]
('七、1.', ('M1',), 1, 11, 1)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from kit.guide import Guide, load_guide
from kit.profiles import Profile, section_items
from kit.record import Inspection

__all__ = ["SectionProgress", "progress"]


@dataclass(frozen=True)
class SectionProgress:
    """One section in scope: its owners (member ids), its items, how many have each result."""

    section: str
    label: str
    title: str
    owners: tuple[str, ...]
    total: int
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def checked(self) -> int:
        return self.total - self.counts.get("unchecked", 0)


def progress(ins: Inspection, profile: Profile | None,
             guide: Guide | None = None) -> tuple[SectionProgress, ...]:
    """Each section in the inspection's scope, in the guide's order."""
    guide = guide or load_guide()
    out = []
    for section in guide.sections:
        if section.id not in ins.scope.sections:
            continue
        items = section_items(profile, section.id, guide)
        counts: Counter[str] = Counter(ins.result(i.id).result for i in items)
        out.append(SectionProgress(section.id, section.label, section.text.zh,
                                   ins.owners(section.id), len(items), dict(counts)))
    return tuple(out)
