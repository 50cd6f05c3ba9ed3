"""ipywidgets for every stage and every checklist section, adapting the record model.

Widgets only read and write a :class:`~kit.session.Session`; every change is checked and
autosaved there. Nothing in ``kit`` outside this package imports ipywidgets (a contract in
``pyproject.toml`` checks it).
"""

from __future__ import annotations

from kit.widgets._common import XLSX_MIME, download_link, parse_query, query_string
from kit.widgets._fields import FACTORIES, BoundField, FieldSpec, ProblemList, field, fields_of
from kit.widgets.app import InspectorApp
from kit.widgets.checklist import ChecklistWidget, SectionWidget

__all__ = [
    "FACTORIES",
    "XLSX_MIME",
    "BoundField",
    "ChecklistWidget",
    "FieldSpec",
    "InspectorApp",
    "ProblemList",
    "SectionWidget",
    "download_link",
    "field",
    "fields_of",
    "parse_query",
    "query_string",
]
