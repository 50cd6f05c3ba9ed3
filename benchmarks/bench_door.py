"""What the one door costs: a tap's save and ``kit import F.xlsx``, against the kit before it.

Run ``python benchmarks/bench_door.py [--repeat N] [--baseline-rev REV] [--out DIR]``
(``--tiny``: a few rounds, no baseline worktree, in seconds, to check that it runs; CI does).
The other kit (``--baseline-rev``, default the commit before the door) is checked out into a
temporary git worktree and run in processes of its own; rounds alternate between the two, on
the same disk, and each figure is a median:

* **save**: what a tap on a checklist result costs the page: the session checks and saves the
  field (through the door: access, codes and expected versions in the write's transaction)
  and the rules run again for the page's problems; the demo inspection, SQLite with the
  store's own setting (WAL, synchronous=FULL). Target: within +10% of the kit before. The bare
  INSERT + COMMIT of one row is shown for scale.
* **import**: ``kit import F.xlsx`` as a whole process, the demo's workbook exported by the
  same kit with five notes filled in (each round on a fresh copy of the store).
  Target: within +10% of the kit before; the floor is a process opening the same workbook
  with openpyxl.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from floors import bare_insert, remove_worktree, worktree

TARGET = 1.10
BEFORE_DOOR = "702a283"  # the last commit whose writers went around the door

#: a tap's save, in whichever kit is on the path (before the door: Session(store, id, user))
SAVE = textwrap.dedent("""
    import json, statistics, sys, tempfile, time
    from kit.interchange import demo_file, import_json
    from kit.session import Session
    from kit.store import Store
    n = int(sys.argv[1])
    store = Store(data_dir=tempfile.mkdtemp())
    try:
        from kit.door import Door, Identity
        door = Door(store, Identity("张明"))
        session = Session(door, import_json(door, demo_file()))
    except ImportError:
        session = Session(store, import_json(store, demo_file(), user="张明"), user="张明")
    session.problems()
    times = []
    for k in range(n):
        start = time.perf_counter()
        session.set("results/7.8.m4/result", "conform" if k % 2 else "nonconform")
        session.problems()
        times.append(time.perf_counter() - start)
    print(json.dumps(statistics.median(times)))
""")

#: the demo's store and its workbook with a few cells filled in, made by whichever kit
PREPARE = textwrap.dedent("""
    import subprocess, sys
    from pathlib import Path
    from openpyxl import load_workbook
    folder = Path(sys.argv[1])
    kit = [sys.executable, "-m", "kit"]
    def run(*args):
        subprocess.run([*kit, *args, "--data-dir", str(folder / "store")], check=True,
                       capture_output=True)
    from kit.interchange import demo_file
    run("import", str(demo_file()))
    run("export", "demo-2026-1119", "--out", str(folder / "record.xlsx"))
    wb = load_workbook(folder / "record.xlsx")
    ws = wb["现场检查记录"]
    done = 0
    for row in ws.iter_rows(min_row=2):
        if done < 5 and isinstance(row[0].value, str) and row[0].value.startswith("七、8.检查"):
            row[3].value = f"逐项核对第 {done + 1} 项"
            done += 1
    wb.save(folder / "record.xlsx")
""")


def env_for(pythonpath: Path | None) -> dict[str, str] | None:
    if pythonpath is None:
        return None
    import os

    return dict(os.environ, PYTHONPATH=str(pythonpath))


def save_round(n: int, pythonpath: Path | None) -> float:
    out = subprocess.run([sys.executable, "-c", SAVE, str(n)], check=True, capture_output=True,
                         text=True, env=env_for(pythonpath))
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def prepare(folder: Path, pythonpath: Path | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", PREPARE, str(folder)], check=True,
                   capture_output=True, env=env_for(pythonpath))


def import_round(folder: Path, pythonpath: Path | None) -> float:
    """One ``kit import`` of the filled-in workbook into a fresh copy of its store."""
    work = Path(tempfile.mkdtemp(prefix="kit-import-"))
    shutil.copytree(folder / "store", work / "store")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "kit", "import", str(folder / "record.xlsx"),
                           "--data-dir", str(work / "store")], capture_output=True, text=True,
                          env=env_for(pythonpath))
    took = time.perf_counter() - start
    shutil.rmtree(work)
    if proc.returncode != 0 or "应用 5 处修改" not in proc.stdout:
        raise SystemExit(f"kit import did not apply the workbook: {proc.stdout}{proc.stderr}")
    return took


def floor_round(folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sys; from openpyxl import load_workbook; "
                    "load_workbook(sys.argv[1])", str(folder / "record.xlsx")], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds of each (default 7)")
    parser.add_argument("--saves", type=int, default=200, help="saves per round (default 200)")
    parser.add_argument("--baseline-rev", default=BEFORE_DOOR,
                        help=f"the kit to compare with (default {BEFORE_DOOR}, before the door)")
    parser.add_argument("--out", help="folder for the figures (default: a temporary one)")
    parser.add_argument("--tiny", action="store_true",
                        help="a few rounds, no baseline: seconds, to check that it runs")
    args = parser.parse_args()
    repeat, saves = (1, 5) if args.tiny else (args.repeat, args.saves)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="kit-bench-door-"))
    out.mkdir(parents=True, exist_ok=True)
    base = None if args.tiny else worktree(args.baseline_rev)
    if base is None and not args.tiny:
        raise SystemExit(f"git could not check out {args.baseline_rev} into a worktree")
    try:
        sides: dict[str, Path | None] = {"now": None}
        if base is not None:
            sides["before"] = base
        for name, path in sides.items():
            prepare(out / name, path)
        times: dict[str, list[float]] = {f"{kind} {name}": [] for kind in ("save", "import")
                                         for name in sides}
        times["import floor"] = []
        for _round in range(repeat):
            for name, path in sides.items():
                times[f"save {name}"].append(save_round(saves, path))
                times[f"import {name}"].append(import_round(out / name, path))
            times["import floor"].append(floor_round(out / "now"))
        bare = bare_insert(saves)
    finally:
        remove_worktree(base)
    med = {k: statistics.median(v) for k, v in times.items()}
    figures = {"median_s": med, "bare_insert_s": bare, "repeat": repeat, "saves": saves,
               "baseline_rev": None if base is None else args.baseline_rev}
    (out / "door.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"{'path':<10} {'now':>10} {'before':>10} {'ratio':>7}  floor")
    for kind, floor in (("save", bare), ("import", med["import floor"])):
        now, before = med[f"{kind} now"], med.get(f"{kind} before")
        ratio = f"{now / before:.2f}x" if before else "-"
        verdict = "" if not before else ("  ok" if now / before <= TARGET else "  over +10%")
        print(f"{kind:<10} {now * 1000:>8.2f}ms {(before or 0) * 1000:>8.2f}ms {ratio:>7}  "
              f"{floor * 1000:.2f} ms ({now / floor:.1f}x){verdict}")
    print(f"figures: {out / 'door.json'}")


if __name__ == "__main__":
    main()
