"""The sample company's finished demo inspection, shipped in ``sample_data``."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from kit.door import AccessError, Door
from kit.errors import NotFoundError
from kit.interchange._json import import_json, parse_json_bytes
from kit.interchange._register import register_of
from kit.record import Inspection
from kit.resources import shipped_dir

__all__ = ["DEMO_ID", "demo_file", "demo_inspection", "load_demo", "register_demo"]

DEMO_ID = "demo-2026-1119"


def load_demo(door: Door) -> str:
    """Make sure the sample company's finished demo inspection is in the store, and the sample
    company in its register (企业名录: the app's picker offers it); return the inspection's id."""
    try:
        door.head_of(DEMO_ID)
    except NotFoundError:
        import_json(door, demo_file())
    register_demo(door, [demo_inspection()])
    return DEMO_ID


def register_demo(door: Door, inspections: Sequence[Inspection]) -> None:
    """Add the companies of demo ``inspections`` to the register when it lacks them (someone who
    may not write the register, an analyst on the office server, leaves it as it is)."""
    known = {r.company.credit_code for r in door.companies()}
    missing = [c for c in register_of(inspections) if c.credit_code not in known]
    if missing:
        with contextlib.suppress(AccessError):
            door.import_companies(missing)


def demo_file() -> Path:
    """The sample company's finished demo inspection as shipped (``sample_data``)."""
    return shipped_dir("sample_data") / "demo_inspection.json"


def demo_inspection() -> Inspection:
    """The demo inspection as a model object, straight from the shipped file (no store)."""
    return parse_json_bytes(demo_file().read_bytes(), str(demo_file()))
