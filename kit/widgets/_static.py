"""The page pieces' scripts and styles, shipped in ``static/`` (no build step, no CDN).

Each anywidget's module is its own file with :file:`static/common.js` before it: what the
pieces share (one tap, one action; the page's keeper of unconfirmed changes) is written once.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["STATIC", "esm"]

STATIC = Path(__file__).resolve().parent / "static"


@cache
def esm(name: str) -> str:
    """The module of one page piece: ``static/common.js``, then ``static/<name>``."""
    return (STATIC / "common.js").read_text(encoding="utf-8") + "\n" + \
        (STATIC / name).read_text(encoding="utf-8")
