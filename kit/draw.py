"""Draw the record sample of 九 for an inspection and keep it in the record.

The engine (:mod:`kit.sampling`) works on registers; this module ties a draw to an
inspection: it reads the company's registers, runs the engine with a seed, and saves the seed,
the parameters, the notes and every chosen row (rules, reason, flags, the record's own columns)
into the record, so that the workbook and a reload show the same selection. The app's sampling
stage and ``kit sample --inspection ID`` both come here.
"""

from __future__ import annotations

import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from kit.errors import KitError, Problem, ValidationError
from kit.files import extent_problems, xlsx_problems
from kit.resources import shipped_dir
from kit.sampling import SampleResult, read_register, sample
from kit.session import Session

__all__ = [
    "MAX_UPLOAD_BYTES",
    "REGISTER_KINDS",
    "check_upload",
    "default_seed",
    "draw_from_files",
    "sample_registers",
    "sampling_changes",
    "save_draw",
    "selection_rows",
]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
REGISTER_KINDS = ("records", "products", "documents")


def sample_registers() -> dict[str, Path]:
    """The demo company's registers shipped in ``sample_data/registers``."""
    folder = shipped_dir("sample_data") / "registers"
    found = {}
    for kind in REGISTER_KINDS:
        for suffix in (".xlsx", ".csv"):
            path = folder / f"{kind}{suffix}"
            if path.is_file():
                found[kind] = path
                break
    return found


def check_upload(name: str, content: bytes) -> list[Problem]:
    """What is wrong with an uploaded register before it is read (nothing: an empty list)."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        return [Problem("unsupported_format", "只接受 .xlsx 或 .csv 文件",
                        "only .xlsx or .csv files", file=name)]
    if not content:
        return [Problem("empty_file", "文件为空", "the file is empty", file=name)]
    if len(content) > MAX_UPLOAD_BYTES:
        size = len(content) / 2**20
        return [Problem("file_too_large",
                        f"文件 {size:.1f} MiB，超过上限 {MAX_UPLOAD_BYTES // 2**20} MiB",
                        f"the file is {size:.1f} MiB, over the {MAX_UPLOAD_BYTES // 2**20} MiB "
                        "limit", file=name)]
    if suffix == ".xlsx":  # what it inflates to, before anything reads it
        return xlsx_problems(content, name) or extent_problems(content, name)
    return []


def default_seed(inspection_id: str) -> int:
    """A seed that is the same for the same inspection (it is written into the record)."""
    return zlib.crc32(inspection_id.encode("utf-8")) % 1_000_000


def _cell_text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def selection_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    """The chosen records as rows of text, the form the record keeps them in."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, map(_cell_text, row), strict=True))
            for row in frame.itertuples(index=False, name=None)]


def sampling_changes(result: SampleResult) -> dict[str, Any]:
    """The record fields that hold a draw (for one all-or-nothing save)."""
    params = {k: "" if v is None else str(v) for k, v in result.parameters.as_dict().items()}
    return {
        "sampling/seed": result.seed,
        "sampling/inspection_date": result.parameters.inspection_date,
        "sampling/parameters": params,
        "sampling/columns": [str(c) for c in result.selection.columns],
        "sampling/rows": selection_rows(result.selection),
        "sampling/notes": list(result.notes),
    }


def draw_from_files(paths: dict[str, Path], *, inspection_date: date, seed: int,
                    per_group: int = 2, max_products: int | None = None,
                    discrepancy: float = 0.2) -> SampleResult:
    """Read the registers (every problem of every file at once) and draw the sample."""
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for kind, path in paths.items():
        try:
            frames[kind] = read_register(path, kind).frame  # type: ignore[arg-type]
        except ValidationError as exc:
            problems += exc.problems
    if problems:
        raise ValidationError(problems, "登记表 registers")
    if "records" not in frames or "products" not in frames:
        msg = "需要记录登记表和产品登记表 / the records and products registers are needed"
        raise KitError(msg)
    return sample(frames["records"], frames["products"], frames.get("documents"),
                  inspection_date, seed=seed, per_group=per_group, max_products=max_products,
                  discrepancy=discrepancy)


def save_draw(session: Session, result: SampleResult) -> None:
    """Keep a draw in the record, replacing the previous one, in one audited write."""
    session.set_many(sampling_changes(result), action="sampling")
