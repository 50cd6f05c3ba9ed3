"""Where the kit's shipped files are: package data, templates, sample data, notebooks.

In a wheel, ``templates/``, ``sample_data/`` and ``notebooks/`` are copied into the package;
in a source checkout (editable install) they sit beside it at the repository root.
"""

from __future__ import annotations

from pathlib import Path

from kit.config import settings
from kit.errors import NotFoundError

__all__ = [
    "DATA_DIR",
    "PACKAGE_DIR",
    "shipped_dir",
    "templates_dir",
]

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"


def shipped_dir(name: str) -> Path:
    """Return the folder ``templates``, ``sample_data`` or ``notebooks`` as installed."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    msg = f"找不到随附文件夹 {name}（kit 安装不完整）/ shipped folder {name!r} not found"
    raise NotFoundError(msg)


def templates_dir() -> Path:
    """The office's templates folder: ``KIT_TEMPLATES_DIR`` when set, else the shipped one.

    An office keeps its own checklist profiles, workbook template and holiday file there,
    without touching code.
    """
    override = settings().templates_dir
    if override:
        path = Path(override).expanduser()
        if not path.is_dir():
            msg = f"KIT_TEMPLATES_DIR 指向的文件夹不存在 / folder does not exist: {path}"
            raise NotFoundError(msg)
        return path
    return shipped_dir("templates")
