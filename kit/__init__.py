"""Inspection kit for the Beijing guide to medical-device production inspection.

北京市医疗器械生产监督检查指南 as data, an inspection record with the guide's rules,
a record-sampling engine (九), persistence with an audit trail and Excel output.

The names below are loaded when first asked for (``from kit import Guide``, ``kit.KitError``):
``kit --help`` should not wait for the guide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
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


def __getattr__(name: str) -> object:
    """``Guide``, ``load_guide`` and the errors, imported when first asked for."""
    if name in ("KitError", "KitWarning", "Problem", "ValidationError"):
        from kit import errors

        return getattr(errors, name)
    if name in ("Guide", "load_guide"):
        from kit import guide

        return getattr(guide, name)
    raise AttributeError(f"module 'kit' has no attribute {name!r}")
