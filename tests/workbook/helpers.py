"""What the workbook tests share: the demo with a sample drawn, an audit trail, cell look-ups."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from kit.interchange import demo_inspection
from kit.record import (
    Inspection,
    Sampling,
)

EXPORTED_AT = datetime(2026, 11, 25, 9, 30)
FORMULA_LIKE = ["=1+1", "+SUM(A1)", "-2", "@x", '=HYPERLINK("http://x")', "<b>x</b>", "#N/A"]


@dataclasses.dataclass(frozen=True)
class Entry:
    """An audit entry shaped like the store's (at, user, action, path, old, new)."""

    at: datetime
    user: str
    action: str
    path: str
    old: Any
    new: Any


def demo() -> Inspection:
    """The shipped demo inspection (the same copy every test and benchmark reads)."""
    return demo_inspection()


def with_sampling(ins: Inspection, n: int = 25) -> Inspection:
    """The demo with ``n`` sampled records shaped like kit.sampling's selection."""
    rows = tuple(
        {
            "record_id": f"BR-2026-{i:03d}",
            "rules": "9.1;9.2",
            "reason": "近一季度内同种记录",
            "group": "批生产记录 / 一次性使用无菌注射器",
            "doc_version_in_force": "C",
            "flags": "data_conclusion_mismatch" if i == 3 else "",
            "record_type": "批生产记录",
            "product": "一次性使用无菌注射器",
            "batch": f"S2609-{i:02d}",
            "record_date": f"2026-09-{i + 1:02d}",
            "拉伸力": f"{30 + i}",
        }
        for i in range(n)
    )
    columns = ("record_id", "rules", "reason", "group", "doc_version_in_force", "flags",
               "record_type", "product", "batch", "record_date", "拉伸力")
    sampling = Sampling(seed=20261119, inspection_date=date(2026, 11, 19),
                        parameters={"per_group": "2", "window_months": "3"}, columns=columns,
                        rows=rows, notes=("输液器近三个月无记录，取最近一个生产周期",))
    return dataclasses.replace(ins, sampling=sampling)


AUDIT = [
    Entry(datetime(2026, 11, 19, 10, 5), "张明", "update", "results/7.1.c1/result",
          "unchecked", "conform"),
    Entry(datetime(2026, 11, 20, 16, 40), "李华", "update", "findings/F1/deadline", None,
          "2026-12-11"),
    Entry(datetime(2026, 11, 24, 9, 0), "张明", "import", "follow_up/measures", [],
          ["recheck", "more_testing"]),
]


def header_row(ws: Any, first: str) -> int:
    """The row whose column A holds the header ``first``."""
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if cell.value == first:
            return int(cell.row)
    raise AssertionError(f"no header {first!r} in {ws.title}")


def row_of(ws: Any, key: str) -> int:
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if cell.value == key:
            return int(cell.row)
    raise AssertionError(f"no row {key!r} in {ws.title}")


def value(ws: Any, key: str, col: int = 2) -> Any:
    return ws.cell(row_of(ws, key), col).value


def edit(path: Path, edits: dict[str, dict[tuple[str, int], Any]], extra: Any = None) -> None:
    """Set cells found by (column-A key, column number) on each sheet, as a person would."""
    wb = load_workbook(path)
    for sheet, cells in edits.items():
        ws = wb[sheet]
        for (key, col), new in cells.items():
            ws.cell(row_of(ws, key), col).value = new
    if extra is not None:
        extra(wb)
    wb.save(path)
