"""A package's names loaded when first asked for (PEP 562): one ``__getattr__`` for them all.

A package lists where each of its names lives (``{name: module}``, a module of the package by
its own name, or any module by its dotted name) and sets ``__getattr__ = lazy_names(__name__,
_FROM)``: importing the package then loads none of those modules, and the first use of a name
loads its module and keeps the name in the package.

>>> import kit.workdays
>>> kit.workdays.__getattr__("WorkCalendar").__name__
'WorkCalendar'
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

__all__ = ["lazy_names"]


def lazy_names(package: str, where: Mapping[str, str],
               renamed: Mapping[str, tuple[str, str]] | None = None) -> Callable[[str], object]:
    """The ``__getattr__`` of ``package``: ``where[name]`` the module holding ``name``;
    ``renamed[name]`` (module, its name there) for one the package gives under another name."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> object:
        module, real = (renamed or {}).get(name) or (where.get(name), name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(
            module if "." in module else f"{package}.{module}"), real)
        namespace[name] = value  # asked for once
        return value

    return __getattr__
