"""Inspection kit for the Beijing guide to medical-device production inspection.

北京市医疗器械生产监督检查指南 as data, an inspection record with the guide's rules,
a record-sampling engine (九), persistence with an audit trail and Excel output.
"""

from __future__ import annotations

__version__ = "0.1.0"

from kit.errors import KitError, KitWarning, Problem, ValidationError
from kit.guide import Guide, load_guide

__all__ = [
    "Guide",
    "KitError",
    "KitWarning",
    "Problem",
    "ValidationError",
    "__version__",
    "load_guide",
]
