"""What an office pays as its store grows: 100, 1,000 and 10,000 inspections.

Run ``python benchmarks/bench_scale.py [--sizes 100,1000,10000] [--repeat 15]``. Each store is
``kit demo`` data (two years of fictional companies) plus the sample company's demo inspection
(145 item results, four findings and a record sample of 118 rows: the heaviest record), built
once and cached under ``benchmarks/out/`` (git-ignored). Every path is timed against its floor
in the same run, call by call interleaved, and reported as the median with the spread
(25th-75th percentile) of ``--repeat`` runs:

* **save**: the app's save, through the real widget: an inspector taps a result of a checklist
  item of 七、8 (``SectionWidget``), the session checks and saves it and the widgets refresh
  their problems with the guide's rules; floor: a bare sqlite3 INSERT of one row and its
  COMMIT with the store's setting (WAL, synchronous=FULL). Target <= 3x.
* **open**: opening the demo inspection as the app does (the session reads, parses and checks
  it); floor: a bare SELECT of the same rows. Reported.
* **picker**: the page the app's picker shows (the 50 most recently changed,
  :meth:`Store.find`); floor: one bare keyed query for the same page (``ORDER BY updated_at
  LIMIT 50`` on its index, the summaries' JSON decoded). Target <= 2x, at every size.
* **search**: the picker's search for a company name (it looks at every summary, so it grows
  with the store); same floor. Reported.
* **listing**: every inspection's summary (:meth:`Store.list`, what analytics and ``kit list``
  read); floor: a bare SELECT of the summaries and their JSON decoding. Reported.
* **export**: ``kit export ID --out F.xlsx`` as a whole process; floor: a Python process that
  imports openpyxl and writes the same cells write-only. Target <= 2.5x.
* **storage**: bytes on disk per inspection (the SQLite file after a checkpoint), with every
  audit detail kept (``kit audit --verify`` passes). Target <= 40 kB.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
PAGE = 50
TARGETS = {"save": 3.0, "picker": 2.0, "export": 2.5}
STORAGE_TARGET_KB = 40


def build_store(size: int) -> tuple[Path, str]:
    """A store of ``size`` inspections (cached): ``size - 1`` demo ones and the sample's."""
    from kit.analytics import load_demo_data
    from kit.interchange import demo_file, import_json
    from kit.store import Store

    folder = OUT / f"scale_{size}"
    marker = folder / "demo_id.txt"
    if marker.exists():
        try:
            Store(data_dir=folder).close()  # the schema is this kit's
            return folder, marker.read_text().strip()
        except Exception:
            pass
    for f in folder.glob("kit.sqlite*"):
        f.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    print(f"building a store of {size:,} inspections (once) ...", file=sys.stderr, flush=True)
    with Store(data_dir=folder) as store:
        load_demo_data(store, inspections=size - 1, companies=max(10, size // 20), seed=7)
        iid = import_json(store, demo_file(), user="张明")
    marker.write_text(iid)
    return folder, iid


def interleaved(calls: dict[str, Callable[[int], object]], repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in calls}
    for i in range(repeat):
        for key, call in calls.items():
            start = time.perf_counter()
            call(i)
            times[key].append(time.perf_counter() - start)
    return times


def stats(values: list[float]) -> dict[str, float]:
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return {"median": statistics.median(values), "p25": q[0], "p75": q[2]}


def row(name: str, size: int, times: dict[str, list[float]], path: str = "path",
        floor: str = "floor") -> dict[str, Any]:
    a, b = stats(times[path]), stats(times[floor])
    return {"path": name, "size": size, "ms": a["median"] * 1e3,
            "ms_p25": a["p25"] * 1e3, "ms_p75": a["p75"] * 1e3,
            "floor_ms": b["median"] * 1e3, "ratio": a["median"] / b["median"],
            "target": TARGETS.get(name)}


def bare_insert(folder: Path) -> Callable[[int], object]:
    db = sqlite3.connect(folder / "floor.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT)")

    def insert(i: int) -> None:
        db.execute("BEGIN")
        db.execute("INSERT INTO t (v) VALUES (?)", (f"记录 {i}",))
        db.execute("COMMIT")

    return insert


def measure_store(size: int, repeat: int) -> list[dict[str, Any]]:
    from kit.session import Session
    from kit.store import Store
    from kit.widgets import SectionWidget

    folder, iid = build_store(size)
    rows = []
    with Store(data_dir=folder) as store:
        raw = sqlite3.connect(folder / "kit.sqlite")
        key = raw.execute("SELECT key FROM inspections WHERE id = ?", (iid,)).fetchone()[0]
        some_id = raw.execute("SELECT id FROM inspections ORDER BY key LIMIT 1 OFFSET ?",
                              (size // 2,)).fetchone()[0]
        name = json.loads(raw.execute("SELECT summary FROM inspections WHERE id = ?",
                                      (some_id,)).fetchone()[0]).get("company/name", "")

        session = Session(store, iid, user="张明")
        section = SectionWidget(session, "7.8")
        item = section.items[0]
        choices = ["conform", "nonconform"]
        insert = bare_insert(Path(tempfile.mkdtemp(dir=folder)))

        def save(i: int) -> None:
            item.result.control.value = choices[i % 2]

        rows.append(row("save", size, interleaved({"floor": insert, "path": save}, repeat)))

        def open_it(_i: int) -> None:
            Session(store, iid, user="张明").problems()

        def bare_select(_i: int) -> None:
            [json.loads(v) for _p, v in raw.execute(
                "SELECT path, value FROM fields WHERE ins = ?", (key,))]

        rows.append(row("open", size, interleaved({"floor": bare_select, "path": open_it},
                                                  repeat)))

        def keyed(_i: int) -> None:  # the same page by one bare query on the index
            [json.loads(r[6]) for r in raw.execute(
                "SELECT id, created_at, created_by, updated_at, updated_by, deleted, summary "
                "FROM inspections WHERE deleted = 0 ORDER BY updated_at DESC LIMIT ?", (PAGE,))]

        picker = interleaved({"floor": keyed, "path": lambda _i: store.find(limit=PAGE),
                              "search": lambda _i: store.find(name, limit=PAGE)}, repeat)
        rows.append(row("picker", size, picker))
        rows.append(row("search", size, picker, path="search"))

        def bare_listing(_i: int) -> None:
            [json.loads(s) for (s,) in raw.execute("SELECT summary FROM inspections")]

        rows.append(row("listing", size, interleaved(
            {"floor": bare_listing, "path": lambda _i: store.list()}, max(3, repeat // 3))))
        raw.close()
        problems = store.verify()
    db_file = folder / "kit.sqlite"
    checkpoint = sqlite3.connect(db_file)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    on_disk = sum(f.stat().st_size for f in folder.glob("kit.sqlite*"))
    rows.append({"path": "storage", "size": size, "kb_per_inspection": on_disk / size / 1024,
                 "verified": not problems, "target": STORAGE_TARGET_KB})
    rows.append(measure_export(folder, iid, size, max(3, repeat // 3)))
    return rows


FLOOR_WRITER = """
import json, sys
from openpyxl import Workbook
sheets = json.load(open(sys.argv[1], encoding="utf-8"))
wb = Workbook(write_only=True)
for title, rows in sheets.items():
    ws = wb.create_sheet(title)
    for r in rows:
        ws.append(r)
wb.save(sys.argv[2])
"""


def measure_export(folder: Path, iid: str, size: int, repeat: int) -> dict[str, Any]:
    """``kit export`` as a process against a process writing the same cells."""
    from openpyxl import load_workbook

    work = Path(tempfile.mkdtemp())
    out = work / "kit.xlsx"
    command = [sys.executable, "-m", "kit", "export", iid, "--data-dir", str(folder),
               "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True)
    book = load_workbook(out, read_only=True)
    cells = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
             for ws in book.worksheets if ws.sheet_state == "visible"}
    book.close()
    (work / "cells.json").write_text(json.dumps(cells, ensure_ascii=False, default=str),
                                     encoding="utf-8")
    (work / "floor.py").write_text(FLOOR_WRITER, encoding="utf-8")
    floor = [sys.executable, str(work / "floor.py"), str(work / "cells.json"),
             str(work / "floor.xlsx")]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    times = interleaved({
        "floor": lambda _i: subprocess.run(floor, check=True, capture_output=True, env=env),
        "path": lambda _i: subprocess.run(command, check=True, capture_output=True, env=env),
    }, repeat)
    return row("export", size, times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        for r in measure_store(size, args.repeat):
            results.append(r)
            print(json.dumps(r, ensure_ascii=False), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "scale.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"\n{'path':8} {'size':>6} {'median ms':>10} {'p25-p75':>15} {'floor ms':>9} "
          f"{'ratio':>6} {'target':>6}")
    ok = True
    for r in results:
        if r["path"] == "storage":
            good = r["kb_per_inspection"] <= r["target"] and r["verified"]
            ok &= good
            print(f"{'storage':8} {r['size']:>6} {r['kb_per_inspection']:>8.1f} kB per inspection"
                  f" (target <= {r['target']} kB; trail verified: {r['verified']})")
            continue
        target = r["target"]
        good = target is None or r["ratio"] <= target
        ok &= good
        print(f"{r['path']:8} {r['size']:>6} {r['ms']:>10.2f} {r['ms_p25']:>7.2f}-"
              f"{r['ms_p75']:<7.2f} {r['floor_ms']:>9.3f} {r['ratio']:>6.2f} "
              f"{'' if target is None else f'<= {target}':>6}")
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
