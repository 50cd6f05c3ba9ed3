"""The sample company's finished demo inspection, shipped in ``sample_data``."""

from __future__ import annotations

from pathlib import Path

from kit.door import Door
from kit.errors import NotFoundError
from kit.interchange._json import import_json, parse_json_bytes
from kit.record import Inspection
from kit.resources import shipped_dir

__all__ = ["DEMO_ID", "demo_file", "demo_inspection", "load_demo"]

DEMO_ID = "demo-2026-1119"


def load_demo(door: Door) -> str:
    """Make sure the sample company's finished demo inspection is in the store; return its id."""
    try:
        door.head_of(DEMO_ID)
    except NotFoundError:
        return import_json(door, demo_file())
    return DEMO_ID


def demo_file() -> Path:
    """The sample company's finished demo inspection as shipped (``sample_data``)."""
    return shipped_dir("sample_data") / "demo_inspection.json"


def demo_inspection() -> Inspection:
    """The demo inspection as a model object, straight from the shipped file (no store)."""
    return parse_json_bytes(demo_file().read_bytes(), str(demo_file()))
