"""A reminder run (``kit remind``'s work, :func:`kit.remind.remind`) over a store of 10,000
findings, against a plain SQL read of the same findings' deadlines.

Run ``python benchmarks/bench_remind.py [--findings 10000] [--per-inspection 5] [--repeat 7]
[--out DIR]``; ``--tiny`` runs 100 findings three times, in seconds (CI does, so that the
script cannot rot; its figures mean nothing). The store (a SQLite file in a temporary folder
under ``--out``, the store's own setting: WAL, synchronous=FULL) holds inspections built
directly, ``--per-inspection`` findings each, their deadlines spread over four months around
the run's day, one in five extended, one in four passed on review. Timed in one process,
interleaved, medians with the spread (25th-75th percentile) of ``--repeat`` runs:

* **floor**: ``SELECT`` of every finding's deadline (``findings/%/deadline``) with the
  inspection's id, on a plain ``sqlite3`` connection, every row fetched;
* **dry run**: ``remind(..., dry_run=True)``: the deadlines, extensions, states and stages of
  the inspections with a deadline near the day read through the door, the reminders due worked
  out in working days, the reminders sent before read, each inspection with one due opened
  (the parts a mail needs) and its recipients found;
* **first run**: the same on a fresh copy of the store, each reminder's mail composed, handed to
  a sender that keeps it in memory, and recorded in its own transaction (one fsync each);
* **second run**: the run again on that store, as on most days: everything due was sent before,
  nothing is. Target <= 3x the floor.

The dry and first runs are also given per reminder due: what each costs beyond the second run.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out"
TODAY = date(2026, 6, 15)
TARGET = 3.0


def build(folder: Path, findings: int, per_inspection: int, seed: int = 1) -> int:
    """The store: inspections with ``per_inspection`` findings each, ``findings`` in all;
    returns the number of inspections."""
    from kit.door import Door, Identity
    from kit.record import Company, Extension, Finding, Inspection, Member

    rng = random.Random(seed)
    count = (findings + per_inspection - 1) // per_inspection
    with Door.connect(data_dir=str(folder), identity=Identity("基准")) as door:
        for k in range(count):
            found = {}
            for j in range(min(per_inspection, findings - k * per_inspection)):
                deadline = TODAY + timedelta(days=rng.randint(-60, 60))
                extensions = ({"E1": Extension(deadline + timedelta(days=rng.randint(5, 30)),
                                               "设备到货延迟", "王科长", deadline)}
                              if rng.random() < 0.2 else {})
                found[f"F{j + 1}"] = Finding(
                    item=f"7.{rng.randint(1, 13)}.m1", description=f"第 {j + 1} 个问题的描述",
                    requirement="按要求整改并提交整改报告", deadline=deadline,
                    state="passed" if rng.random() < 0.25 else "open", extensions=extensions)
            door.create(Inspection(
                id=f"B{k:05d}", stage="follow_up",
                company=Company(name=f"北京第{k}号医疗器械有限公司", email=f"qa{k}@example.cn"),
                team={"M1": Member("张明", "leader", sections=tuple(f"7.{s}" for s in range(1, 8)),
                                   email="zm@office.example.cn"),
                      "M2": Member("李华", sections=tuple(f"7.{s}" for s in range(8, 15)),
                                   email="lh@office.example.cn")},
                findings=found))
    return count


def floor_read(path: Path) -> int:
    """Every finding's deadline with its inspection's id, plainly; the rows read."""
    db = sqlite3.connect(path)
    rows = db.execute("SELECT i.id, f.path, f.value FROM fields f JOIN inspections i ON "
                      "f.ins = i.key WHERE i.deleted = 0 AND f.path LIKE 'findings/%/deadline'"
                      ).fetchall()
    db.close()
    return len(rows)


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - start, value


def stats(values: list[float]) -> dict[str, float]:
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return {"ms": statistics.median(values) * 1e3, "p25": q[0] * 1e3, "p75": q[2] * 1e3}


def measure(findings: int, per_inspection: int, repeat: int, out: Path) -> dict[str, Any]:
    from kit.door import Door, Identity
    from kit.remind import load_mail, remind
    from kit.workdays import load_calendar

    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench_remind_", dir=out))
    try:
        inspections = build(folder / "store", findings, per_inspection)
        store = folder / "store" / "kit.sqlite"
        office, calendar = load_mail(ROOT / "templates"), load_calendar()
        times: dict[str, list[float]] = {"floor": [], "dry": [], "first": [], "second": []}
        counts: dict[str, int] = {}
        def run(door: Door, sender: Any, dry: bool) -> Any:
            return remind(door, calendar, TODAY, sender, office=office, dry_run=dry,
                          base_url="https://kit.example.cn/app")

        for i in range(repeat):
            took, counts["deadlines"] = timed(floor_read, store)
            times["floor"].append(took)
            with Door.connect(data_dir=str(store.parent), identity=Identity("基准")) as door:
                took, report = timed(run, door, _nowhere, True)
                times["dry"].append(took)
                counts["due"] = len(report.outcomes)
            copy = folder / f"run{i}"
            copy.mkdir()
            shutil.copy(store, copy / "kit.sqlite")
            sent: list[EmailMessage] = []
            with Door.connect(data_dir=str(copy), identity=Identity("基准")) as door:
                took, report = timed(run, door, sent.append, False)
                times["first"].append(took)
                counts["sent"] = len(report.having("sent"))
                took, again = timed(run, door, sent.append, False)
                times["second"].append(took)
                assert not again.having("sent"), "a second run sent again"
            shutil.rmtree(copy)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    floor = stats(times["floor"])
    result: dict[str, Any] = {"findings": findings, "inspections": inspections, **counts,
                              "repeat": repeat, "floor": floor}
    for name in ("dry", "first", "second"):
        s = stats(times[name])
        result[name] = {**s, "ratio": s["ms"] / floor["ms"]}
    return result


def _nowhere(message: EmailMessage) -> None:
    raise AssertionError("a dry run sends nothing")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=10_000,
                        help="findings in the store (default 10000)")
    parser.add_argument("--per-inspection", type=int, default=5,
                        help="findings per inspection (default 5)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT,
                        help="where the store is made, and remind.json (default benchmarks/out)")
    parser.add_argument("--tiny", action="store_true",
                        help="100 findings, three runs: to check that it runs")
    args = parser.parse_args()
    if args.tiny:
        args.findings, args.repeat = 100, 3
    r = measure(args.findings, args.per_inspection, args.repeat, args.out)
    (args.out / "remind.json").write_text(json.dumps(r, ensure_ascii=False, indent=1))
    print(f"\nkit remind over {r['findings']:,} findings in {r['inspections']:,} inspections "
          f"({r['deadlines']:,} deadlines, {r['due']:,} reminders due, {r['sent']:,} sent on the "
          f"first run), vs a plain SELECT of the deadlines: medians of {r['repeat']}")
    print(f"{'path':12} {'median ms':>10} {'p25-p75':>15} {'ratio':>7} {'ms/reminder':>12}")
    print(f"{'floor':12} {r['floor']['ms']:>10.1f} {r['floor']['p25']:>7.1f}-"
          f"{r['floor']['p75']:<7.1f} {1:>7.2f}")
    for name, label in (("dry", "dry run"), ("first", "first run"), ("second", "second run")):
        s = r[name]
        each = ((s["ms"] - r["second"]["ms"]) / r["due"] if r["due"] and name != "second"
                else float("nan"))
        print(f"{label:12} {s['ms']:>10.1f} {s['p25']:>7.1f}-{s['p75']:<7.1f} "
              f"{s['ratio']:>7.2f} {each:>12.2f}")
    print(f"target: second run <= {TARGET:.0f}x the floor: "
          f"{'met' if r['second']['ratio'] <= TARGET else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
