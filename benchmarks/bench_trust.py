"""What the tamper-evident trail costs: a save with its chained entry, and `kit audit --verify`.

Run ``python benchmarks/bench_trust.py [--repeat N] [--baseline-rev REV]`` (``--tiny``: a few
saves and entries, no baseline worktree, in seconds, to check that it runs; CI does). Each
figure is against a plain floor in the same run, on the same disk, medians over repeated rounds
that alternate between the two sides:

* save: ``Store.save`` of one text field (the version check, the chained audit entry, the
  field, the chain head, one commit; WAL with ``synchronous=FULL``, the store's setting)
  against the first kit's save, ``Record.set`` (revision ``--baseline-rev``, checked out
  into a temporary git worktree and run in its own process), which had no chain. Target: at
  most 1.2 times. The bare INSERT + COMMIT of one row is shown for scale.
* verify: ``Store.verify`` of an inspection with 5,000 audit entries (read the trail, recompute
  every MAC, replay it, read and compare the current values) against a bare ``SELECT`` of the
  same 5,000 rows. Target: at most 2 times.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from floors import bare_insert, remove_worktree, worktree

from kit.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAVE_TARGET, VERIFY_TARGET = 1.2, 2.0

WORKER = textwrap.dedent("""
    import json, statistics, sys, tempfile, time
    from kit.store import Store
    n = int(sys.argv[1])
    store = Store(data_dir=tempfile.mkdtemp())
    record = store.load(store.create({"company": {"name": "甲"}, "results": {}}, user="a"))
    if hasattr(record, "set"):  # the first kit: a record saved itself
        def save(path, value):
            record.set(path, value, user="张三")
    else:
        def save(path, value):
            store.save(record, {path: value}, user="张三")
    save("results/7.8.m4/notes", "起始")
    times = []
    for k in range(n):
        start = time.perf_counter()
        save("results/7.8.m4/notes", f"第 {k} 次修改的检查情况记录")
        times.append(time.perf_counter() - start)
    print(json.dumps(statistics.median(times)))
""")


def save_round(n: int, pythonpath: str | None) -> float:
    """Median seconds of ``n`` saves in a fresh process (the current kit, or another one)."""
    env = None
    if pythonpath:
        import os

        env = {**os.environ, "PYTHONPATH": pythonpath}
    out = subprocess.run([sys.executable, "-c", WORKER, str(n)], capture_output=True,
                         text=True, check=True, env=env, cwd=tempfile.gettempdir())
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def bench_save(repeat: int, rev: str) -> dict[str, float]:
    base = worktree(rev)
    per_round = min(repeat, 100)
    rounds = max(3, repeat // 100) if repeat >= 100 else 1
    now, before, bare = [], [], []
    try:
        for _ in range(rounds):
            now.append(save_round(per_round, None))
            if base is not None:
                before.append(save_round(per_round, str(base)))
            bare.append(bare_insert(per_round))
    finally:
        remove_worktree(base)
    out = {"save": statistics.median(now), "bare": statistics.median(bare),
           "save_spread": max(now) - min(now)}
    if before:
        out["before"] = statistics.median(before)
    return out


def bench_verify(entries: int, repeat: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp())
    store = Store(data_dir=folder)
    iid = store.create({"company": {"name": "甲"}, "results": {}}, user="a")
    record = store.load(iid)
    for k in range(entries - 1):
        store.save(record, {f"results/7.{k % 14 + 1}.c{k}/notes": f"记录 {k} 的检查情况"},
                   user="张三")
    db = sqlite3.connect(folder / "kit.sqlite")
    key = db.execute("SELECT key FROM inspections WHERE id = ?", (iid,)).fetchone()[0]
    sql = ("SELECT seq, at, user, action, path, value, snapshot, mac FROM audit WHERE ins = ? "
           "ORDER BY seq")
    verify, read = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        db.execute(sql, (key,)).fetchall()
        read.append(time.perf_counter() - start)
        start = time.perf_counter()
        problems = store.verify(iid)
        verify.append(time.perf_counter() - start)
        assert problems == []
    return {"verify": statistics.median(verify), "read": statistics.median(read),
            "verify_spread": max(verify) - min(verify), "entries": entries}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=500, help="saves per side (default 500)")
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--baseline-rev", default="326c67c",
                        help="the kit before the chain (default: the first kit's last commit; "
                             "'' for none)")
    parser.add_argument("--tiny", action="store_true",
                        help="20 saves, 100 entries, no baseline: seconds, to check that the "
                             "benchmark runs (its figures mean nothing)")
    args = parser.parse_args(argv)
    if args.tiny:
        args.repeat, args.entries, args.baseline_rev = 20, 100, ""
    s = bench_save(args.repeat, args.baseline_rev)
    print("save one text field, WAL + synchronous=FULL, medians")
    print(f"  Store.save with the chained entry     {s['save'] * 1e6:8.1f} us "
          f"(spread {s['save_spread'] * 1e6:.0f} us)")
    if "before" in s:
        ratio = s["save"] / s["before"]
        verdict = "meets" if ratio <= SAVE_TARGET else "MISSES"
        print(f"  Record.set of the first kit (no chain) {s['before'] * 1e6:7.1f} us")
        print(f"  ratio {ratio:.2f}x ({verdict} the target <= {SAVE_TARGET}x)")
    else:
        print("  (no baseline: none asked for, or it could not be checked out here)")
    print(f"  bare INSERT + COMMIT, for scale       {s['bare'] * 1e6:8.1f} us "
          f"({s['save'] / s['bare']:.2f}x)")
    v = bench_verify(args.entries, 1 if args.tiny else 15)
    ratio = v["verify"] / v["read"]
    verdict = "meets" if ratio <= VERIFY_TARGET else "MISSES"
    print(f"kit audit --verify of {v['entries']:,} entries: Store.verify {v['verify'] * 1e3:.1f} ms "
          f"(spread {v['verify_spread'] * 1e3:.1f} ms), bare SELECT of the rows "
          f"{v['read'] * 1e3:.1f} ms; ratio {ratio:.2f}x ({verdict} the target <= "
          f"{VERIFY_TARGET}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
