"""What an office pays as its store grows: 100, 1,000 and 10,000 inspections.

Run ``python benchmarks/bench_scale.py [--sizes 100,1000,10000] [--repeat 15] [--out DIR]``;
``--tiny`` runs one small store once, in seconds (CI does, so that the script cannot rot; its
figures mean nothing). Each store is ``kit demo`` data (two years of fictional companies) plus
the sample company's demo inspection (145 item results, four findings and a record sample of
118 rows: the heaviest record), built once and cached under ``benchmarks/out/`` (git-ignored)
or ``--out``. Every path is timed against its floor in the same run, call by call interleaved,
and reported as the median with the spread (25th-75th percentile) of ``--repeat`` runs:

* **save**: the app's save, as a tap reaches it: the inspector app (``InspectorApp``) is open
  on the checklist at 七、8, and a tap on a result of its first item arrives as the page's
  message to the section's rows (``ChecklistRows``: ``{"kind": "set", ...}``); the session
  checks and saves it, and the rows, the section's progress, the section picker and the team's
  progress refresh with the guide's rules, as in the page. Floor: a bare sqlite3 INSERT of one
  row and its COMMIT with the store's setting (WAL, synchronous=FULL). Target <= 3x.
* **open**: opening the demo inspection as the app does (the session reads, parses and checks
  it); floor: a bare SELECT of the same rows. Reported.
* **picker**: the page the app's picker shows (the 50 most recently changed,
  :meth:`Door.find`); floor: one bare keyed query for the same page (``ORDER BY updated_at
  LIMIT 50`` on its index, the summaries' JSON decoded). Target <= 2x, at every size.
* **search**: the picker's search for a company name (it looks at every summary, so it grows
  with the store); same floor. Reported.
* **listing**: every inspection's summary (:meth:`Door.list`, what analytics and ``kit list``
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


def build_store(size: int, out: Path = OUT) -> tuple[Path, str]:
    """A store of ``size`` inspections (cached under ``out``): ``size - 1`` demo ones and the
    sample's."""
    from kit.analytics import load_demo_data
    from kit.door import Door, Identity
    from kit.interchange import demo_file, import_json

    folder = out / f"scale_{size}"
    marker = folder / "demo_id.txt"
    if marker.exists():
        try:
            Door.connect(data_dir=str(folder)).close()  # the schema is this kit's
            return folder, marker.read_text().strip()
        except Exception:
            pass
    for f in folder.glob("kit.sqlite*"):
        f.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    print(f"building a store of {size:,} inspections (once) ...", file=sys.stderr, flush=True)
    with Door.connect(data_dir=str(folder), identity=Identity("demo")) as door:
        load_demo_data(door, inspections=size - 1, companies=max(10, size // 20), seed=7)
        iid = import_json(door.as_(Identity("张明")), demo_file())
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


def tap(door: Any, iid: str) -> Callable[[int], object]:
    """A tap on a result in the app: the page's message to the rows of 七、8, alternating
    符合 and 不符合 on its first item (what ``rows.js`` sends when a result button is hit)."""
    from kit.widgets import InspectorApp

    app = InspectorApp(door, user="张明")
    app.open_inspection(iid, stage="checklist", section="7.8")
    section = app.stage("checklist").current
    assert section is not None
    rows = section.rows
    item = rows.ids[0]
    choices = ["conform", "nonconform"]

    def save(i: int) -> None:
        rows._message(rows, {"kind": "set", "id": item, "field": "result",
                             "value": choices[i % 2]}, [])

    save(1)  # once before timing, and a check that a tap is saved at all
    if door.open(iid).get(f"results/{item}/result") != choices[1]:
        msg = f"the tap on {item} was not saved"
        raise RuntimeError(msg)
    return save


def measure_store(size: int, repeat: int, out: Path = OUT) -> list[dict[str, Any]]:
    from kit.door import Door, Identity
    from kit.session import Session

    folder, iid = build_store(size, out)
    few = max(min(3, repeat), repeat // 3)  # for the paths that take a second or more
    rows = []
    with Door.connect(data_dir=str(folder), identity=Identity("张明")) as door, \
            tempfile.TemporaryDirectory() as scratch:
        raw = sqlite3.connect(folder / "kit.sqlite")
        key = raw.execute("SELECT key FROM inspections WHERE id = ?", (iid,)).fetchone()[0]
        some_id = raw.execute("SELECT id FROM inspections ORDER BY key LIMIT 1 OFFSET ?",
                              (size // 2,)).fetchone()[0]
        name = json.loads(raw.execute("SELECT summary FROM inspections WHERE id = ?",
                                      (some_id,)).fetchone()[0]).get("company/name", "")

        save, insert = tap(door, iid), bare_insert(Path(scratch))
        rows.append(row("save", size, interleaved({"floor": insert, "path": save}, repeat)))

        def open_it(_i: int) -> None:
            Session(door, iid).problems()

        def bare_select(_i: int) -> None:
            [json.loads(v) for _p, v in raw.execute(
                "SELECT path, value FROM fields WHERE ins = ?", (key,))]

        rows.append(row("open", size, interleaved({"floor": bare_select, "path": open_it},
                                                  repeat)))

        def keyed(_i: int) -> None:  # the same page by one bare query on the index
            [json.loads(r[6]) for r in raw.execute(
                "SELECT id, created_at, created_by, updated_at, updated_by, deleted, summary "
                "FROM inspections WHERE deleted = 0 ORDER BY updated_at DESC LIMIT ?", (PAGE,))]

        picker = interleaved({"floor": keyed, "path": lambda _i: door.find(limit=PAGE),
                              "search": lambda _i: door.find(name, limit=PAGE)}, repeat)
        rows.append(row("picker", size, picker))
        rows.append(row("search", size, picker, path="search"))

        def bare_listing(_i: int) -> None:
            [json.loads(s) for (s,) in raw.execute("SELECT summary FROM inspections")]

        rows.append(row("listing", size, interleaved(
            {"floor": bare_listing, "path": lambda _i: door.list()}, few)))
        raw.close()
        problems = door.verify()
    db_file = folder / "kit.sqlite"
    checkpoint = sqlite3.connect(db_file)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    on_disk = sum(f.stat().st_size for f in folder.glob("kit.sqlite*"))
    rows.append({"path": "storage", "size": size, "kb_per_inspection": on_disk / size / 1024,
                 "verified": not problems, "target": STORAGE_TARGET_KB})
    rows.append(measure_export(folder, iid, size, few))
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
    with tempfile.TemporaryDirectory() as scratch:
        return _measure_export(folder, iid, size, repeat, Path(scratch))


def _measure_export(folder: Path, iid: str, size: int, repeat: int,
                    work: Path) -> dict[str, Any]:
    from openpyxl import load_workbook

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
    parser.add_argument("--out", type=Path, default=OUT,
                        help="the cached stores and scale.json (default benchmarks/out)")
    parser.add_argument("--tiny", action="store_true",
                        help="one store of 20 inspections, each path once: seconds, to check "
                             "that the benchmark runs (its figures mean nothing)")
    args = parser.parse_args()
    if args.tiny:
        args.sizes, args.repeat = "20", 1
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        for r in measure_store(size, args.repeat, args.out):
            results.append(r)
            print(json.dumps(r, ensure_ascii=False), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scale.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
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
