"""Where a record stands and what kind of inspection it is: two closed lists of codes.

On their own, needing nothing, so that the ``kit`` command's options can name them (``kit
advance STAGE``, ``kit new --type``) without loading the record's model; :mod:`kit.record`
gives them with the rest. Words for the codes: :mod:`kit.labels`.

>>> STAGE_ORDER[0], STAGE_ORDER[-1]
('preparation', 'closed')
"""

from __future__ import annotations

import typing
from typing import Literal

__all__ = ["INSPECTION_TYPES", "STAGE_ORDER", "InspectionType", "Stage"]

#: the inspection types (五、2)
InspectionType = Literal["supervisory", "focused", "follow_up", "for_cause", "special", "extended"]
#: each of them, in the guide's order
INSPECTION_TYPES: tuple[InspectionType, ...] = typing.get_args(InspectionType)
Stage = Literal["preparation", "on_site", "reporting", "follow_up", "closed"]
#: where a record stands, in the order it moves (the one home of this order; words: kit.labels)
STAGE_ORDER: tuple[Stage, ...] = typing.get_args(Stage)
