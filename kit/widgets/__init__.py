"""ipywidgets for every stage and every checklist section, adapting the record model.

Widgets only read and write a :class:`~kit.session.Session`; every change is checked and
autosaved there. Nothing in ``kit`` outside this package imports ipywidgets.
"""

from __future__ import annotations

from kit.widgets._fields import FACTORIES, BoundField, FieldSpec, ProblemList, field, fields_of
from kit.widgets.app import InspectorApp
from kit.widgets.checklist import ChecklistWidget, SectionWidget

__all__ = [
    "FACTORIES",
    "BoundField",
    "ChecklistWidget",
    "FieldSpec",
    "InspectorApp",
    "ProblemList",
    "SectionWidget",
    "field",
    "fields_of",
]
