"""How fast the store autosaves a field and opens an inspection, against bare sqlite3.

Run ``python benchmarks/bench_store.py [--repeat N]``; it prints medians and ratios
(``--tiny``: a few repetitions, in seconds, to check that it runs; CI does). Each
figure is measured against a plain baseline in the same run, on the same disk, interleaved
call by call so that both see the same conditions:

* autosave: ``Store.save`` of one field (a read, the version check, the update, one audit row,
  one commit) against a bare sqlite3 ``INSERT`` of one row and its commit. Both use
  ``journal_mode=WAL``; ``synchronous=FULL`` is the store's setting (each commit reaches the
  disk), and ``synchronous=NORMAL`` is shown too, where no fsync hides the store's own work.
  Target: at most 3 times the bare insert.
* open: ``Store.load`` of an inspection with 145 item results (4 fields each) and 60 other
  fields, that is the rows read, decoded from JSON and nested, against a bare sqlite3
  ``SELECT`` of the same rows. Target: at most 3 times.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kit.store import Store

TARGET = 3.0


def inspection_doc() -> dict[str, Any]:
    """145 item results under results/<id>/{result,notes,means,evidence} and 60 other fields."""
    results = {
        f"7.{1 + k // 11}.{'cm'[k % 2]}{1 + k % 11}": {
            "result": ["符合", "不符合", "不适用"][k % 3],
            "notes": f"抽查批号 B{k:04d} 的生产记录，与工艺规程一致" * (1 + k % 2),
            "means": ["查阅文件", "现场查看"],
            "evidence": [f"照片 {k}-1", f"记录 {k}-2"],
        }
        for k in range(145)
    }
    company = {f"field_{k:02d}": f"企业信息 {k}" for k in range(40)}
    company["name"] = "北京某医疗器械有限公司"
    team = {f"member_{k}": {"name": f"检查员{k}", "role": "组员"} for k in range(9)}
    inspection = {"type": "监督检查", "start_date": "2026-11-20", "flight": False}
    return {"company": company, "inspection": inspection, "team": team, "results": results}


def timed(calls: list[Callable[[int], object]], repeat: int) -> list[list[float]]:
    """Seconds per call for each callable, interleaved call by call."""
    times: list[list[float]] = [[] for _ in calls]
    for i in range(repeat):
        for call, out in zip(calls, times, strict=True):
            start = time.perf_counter()
            call(i)
            out.append(time.perf_counter() - start)
    return times


def bare_connection(path: Path, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    return conn


def report(name: str, ours: list[float], bare: list[float], baseline: str) -> float:
    a, b = statistics.median(ours), statistics.median(bare)
    ratio = a / b
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"  {name:<34} {a * 1e6:9.1f} us   {baseline:<28} {b * 1e6:8.1f} us")
    print(f"  {'':<34} ratio {ratio:5.2f}x  ({verdict} the target <= {TARGET:.0f}x)")
    return ratio


def bench_autosave(folder: Path, synchronous: str, repeat: int, few: int) -> float:
    store = Store(data_dir=folder / f"store-{synchronous}")
    # the store sets synchronous=FULL on connect; the NORMAL run changes it on that connection
    store._conn.execute(f"PRAGMA synchronous = {synchronous}")
    iid = store.create(inspection_doc(), user="bench")
    record = store.load(iid)
    bare = bare_connection(folder / f"bare-{synchronous}.sqlite", synchronous)
    bare.execute(
        "CREATE TABLE t (inspection_id TEXT, path TEXT, value_json TEXT, "
        "PRIMARY KEY (inspection_id, path))"
    )

    def autosave(i: int) -> None:
        store.save(record, {"results/7.1.c1/notes": f"第 {i} 次修改的备注"}, user="bench")

    def insert(i: int) -> None:
        bare.execute("BEGIN")
        bare.execute("INSERT INTO t VALUES (?, ?, ?)", (iid, f"p/{i}", f'"第 {i} 次"'))
        bare.execute("COMMIT")

    ours, base = timed([autosave, insert], repeat)
    ratio = report("Store.save (existing field)", ours, base, "bare INSERT + COMMIT")
    new_field = timed(
        [lambda i: store.save(record, {f"findings/F{i}/text": "新问题"}, user="bench")], few
    )[0]
    print(
        f"  {'Store.save (new field, for info)':<34} {statistics.median(new_field) * 1e6:9.1f} us"
    )
    store.close()
    bare.close()
    return ratio


def bench_open(folder: Path, repeat: int) -> float:
    store = Store(data_dir=folder / "open")
    iid = store.create(inspection_doc(), user="bench")
    rows = len(store.load(iid).versions)
    bare = bare_connection(store.path or Path(), "FULL")
    (key,) = bare.execute("SELECT key FROM inspections WHERE id = ?", (iid,)).fetchone()
    select = "SELECT path, value, version FROM fields WHERE ins = ?"
    ours, base = timed(
        [lambda i: store.load(iid), lambda i: bare.execute(select, (key,)).fetchall()], repeat
    )
    print(f"  ({rows} rows)")
    ratio = report("Store.load", ours, base, "bare SELECT ... fetchall()")
    store.close()
    bare.close()
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=500)
    parser.add_argument("--tiny", action="store_true",
                        help="5 repetitions: seconds, to check that the benchmark runs (its "
                             "figures mean nothing)")
    args = parser.parse_args()
    if args.tiny:
        args.repeat = 5
    few, half = ((args.repeat, args.repeat) if args.tiny else
                 (max(args.repeat // 4, 20), max(args.repeat // 2, 50)))
    print(f"sqlite {sqlite3.sqlite_version}, {args.repeat} repetitions, medians")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ratios = {}
        for synchronous in ("FULL", "NORMAL"):
            print(f"\nautosave one field, journal_mode=WAL synchronous={synchronous}")
            ratios[f"autosave {synchronous}"] = bench_autosave(folder, synchronous, args.repeat,
                                                               few)
        print("\nopen an inspection, journal_mode=WAL")
        ratios["open"] = bench_open(folder, half)
    print("\nsummary: " + ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items()))


if __name__ == "__main__":
    main()
