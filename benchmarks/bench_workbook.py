"""Benchmark: the inspection workbook against a bare openpyxl write-only dump of the same cells.

Run ``python benchmarks/bench_workbook.py [--rows 10000] [--repeat 5]`` (``--tiny``: 100 rows,
once, to check that it runs; CI does). The record is the demo
inspection with ``--rows`` sampled records (12 columns each) and 200 audit entries. The
baseline writes exactly the visible cell values of the kit's workbook (read back once before
timing) with ``Workbook(write_only=True)``, no styles, no validations, no hidden sheet; the kit
also renders the record, styles every cell, estimates row heights and embeds the canonical
JSON. Both run alternately in the same process; the medians and their ratio are printed
against the target of 1.5x (a verdict printed, never the exit code).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from kit.interchange import demo_inspection
from kit.record import Inspection, Sampling
from kit.workbook import SHEET_NAMES, write_workbook

TARGET = 1.5


@dataclasses.dataclass(frozen=True)
class Entry:
    """An audit entry shaped like the store's."""

    at: datetime
    user: str
    action: str
    path: str
    old: Any
    new: Any


def big_record(n: int) -> Inspection:
    """The demo inspection with ``n`` sampled records."""
    ins = demo_inspection()
    rows = tuple(
        {
            "record_id": f"BR-2026-{i:05d}",
            "group": f"批生产记录/注射器/装配线{i % 3 + 1}",
            "rules": "9.1;9.2" if i % 5 else "9.1;9.2;9.4",
            "reason": "近一季度内同种记录" if i % 3 else "围绕批号 S2608-03 追溯全过程记录",
            "doc_version_in_force": "SOP-PR-003 C版",
            "flags": "9.5 数据与结论不一致" if i % 97 == 0 else "",
            "record_type": "批生产记录",
            "product": "一次性使用无菌注射器",
            "date": f"2026-{8 + i % 3:02d}-{i % 28 + 1:02d}",
            "batch": f"S26{8 + i % 3:02d}-{i:05d}",
            "line": f"L{i % 3 + 1}",
            "operator": "王工",
        }
        for i in range(n)
    )
    sampling = Sampling(seed=20261119, inspection_date=ins.scope.start_date,
                        parameters={"window_months": "3", "per_group": "2"}, rows=rows)
    return dataclasses.replace(ins, sampling=sampling)


def audit_trail(n: int) -> list[Entry]:
    return [Entry(datetime(2026, 11, 19, 9 + i // 60 % 8, i % 60), "张明", "update",
                  f"results/7.8.m{i % 8 + 1}/notes", "", f"第 {i} 次记录") for i in range(n)]


def visible_cells(path: Path) -> dict[str, list[list[Any]]]:
    wb = load_workbook(path, read_only=True)
    try:
        return {name: [list(r) for r in wb[name].iter_rows(values_only=True)]
                for name in SHEET_NAMES}
    finally:
        wb.close()


def bare_dump(cells: dict[str, list[list[Any]]], out: Path) -> None:
    wb = Workbook(write_only=True)
    for name, rows in cells.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tiny", action="store_true",
                        help="100 sampled records, once: seconds, to check that the benchmark "
                             "runs (its figures mean nothing)")
    args = parser.parse_args(argv)
    if args.tiny:
        args.rows, args.repeat = 100, 1
    ins, audit = big_record(args.rows), audit_trail(200)
    when = datetime(2026, 11, 25, 9, 0)
    with tempfile.TemporaryDirectory() as tmp:
        kit_out, bare_out = Path(tmp) / "kit.xlsx", Path(tmp) / "bare.xlsx"
        write_workbook(ins, kit_out, audit=audit, exported_at=when)  # warm caches
        cells = visible_cells(kit_out)
        n_cells = sum(1 for rows in cells.values() for r in rows for v in r if v is not None)
        bare_dump(cells, bare_out)
        kit_times, bare_times = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            write_workbook(ins, kit_out, audit=audit, exported_at=when)
            t1 = time.perf_counter()
            bare_dump(cells, bare_out)
            t2 = time.perf_counter()
            kit_times.append(t1 - t0)
            bare_times.append(t2 - t1)
        kit, bare = statistics.median(kit_times), statistics.median(bare_times)
        ratio = kit / bare
        print(f"record: {args.rows} sampled records, {len(audit)} audit entries, "
              f"{n_cells} visible non-empty cells; {args.repeat} runs each")
        print(f"write_workbook       median {kit:.3f} s  ({kit_out.stat().st_size / 1e6:.1f} MB)")
        print(f"bare write-only dump median {bare:.3f} s  ({bare_out.stat().st_size / 1e6:.1f} MB)")
        verdict = "OK" if ratio <= TARGET else "OVER TARGET"
        print(f"ratio {ratio:.2f}x (target <= {TARGET}x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
