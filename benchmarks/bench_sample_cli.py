"""``kit sample`` as a user runs it, on registers in the shipped format, against pandas reading
the same file: wall time and peak memory of the whole process.

Run ``python benchmarks/bench_sample_cli.py [--rows 100000,1000000] [--xlsx-rows 100000]
[--repeat 5] [--out DIR]`` (``--tiny``: small registers, once, in seconds, to check that it
runs; CI does). The records register has the 16 columns of ``sample_data/registers/records.csv``
(text: 记录编号, 记录类型, 产品, 批号, 条件, 工序, 文件编号, 文件版本, 检验项目, 单位, 结论, 记录人;
numbers: 测量值, 下限, 上限; dates, written in the mixed forms the shipped file has), made by
repeating the shipped rows with new numbers, batches and dates; the products and documents
registers are the shipped ones. Files are cached under ``benchmarks/out/`` (git-ignored) or
``--out``.

Each run is a new process, timed from start to exit, its peak resident memory taken from the
kernel (``wait4``): ``kit sample --records R --products P --documents D --inspection-date
2026-11-20 --seed 1 --out OUT.csv`` against ``python -c "pandas.read_csv(R)"`` (for .xlsx:
``pandas.read_excel(R, engine="calamine")``). Medians of ``--repeat`` runs, interleaved.
Targets: time <= 3x, memory <= 1.5x.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
SHIPPED = ROOT / "sample_data" / "registers"
TIME_TARGET, MEMORY_TARGET = 3.0, 1.5
DATE_FORMS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日")


def register(rows: int, suffix: str, out: Path = OUT) -> Path:
    """The shipped records register grown to ``rows`` rows (written once, under ``out``)."""
    path = out / f"records_shipped_{rows}{suffix}"
    if path.exists():
        return path
    out.mkdir(parents=True, exist_ok=True)
    print(f"writing {path.name} ({rows:,} rows, once) ...", file=sys.stderr, flush=True)
    base = pd.read_csv(SHIPPED / "records.csv", dtype=str, keep_default_na=False)
    reps = -(-rows // len(base))
    grown = pd.concat([base] * reps, ignore_index=True).iloc[:rows].copy()
    rng = np.random.default_rng(1)
    n = len(grown)
    grown["记录编号"] = [f"R{k:08d}" for k in range(n)]
    grown["批号"] = grown["批号"].str.slice(0, 5) + pd.Series(
        (np.arange(n) // 12).astype(str)).str.zfill(5)
    days = rng.integers(0, 730, n)
    dates = pd.Timestamp("2024-11-21") + pd.to_timedelta(days, unit="D")
    forms = rng.integers(0, len(DATE_FORMS), n)
    grown["记录日期"] = [d.strftime(DATE_FORMS[f]) for d, f in zip(dates, forms, strict=True)]
    tmp = path.with_suffix(".tmp" + suffix)
    if suffix == ".csv":
        grown.to_csv(tmp, index=False, encoding="utf-8-sig")
    else:
        grown.to_excel(tmp, index=False, sheet_name="记录")
    tmp.rename(path)
    return path


# A small launcher runs each command and reports its peak memory: a child forked straight from
# this process (which holds the registers it wrote) would inherit its high-water mark.
LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read()
_pid, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
if status:
    sys.stderr.write(err.decode(errors="replace")[-800:])
    raise SystemExit(1)
print(wall, usage.ru_maxrss / 1024)
"""


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one process."""
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *command], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"{command[:4]} failed: {done.stderr}")
    wall, mib = done.stdout.split()
    return float(wall), float(mib)


def measure(path: Path, repeat: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as scratch:
        return _measure(path, repeat, Path(scratch) / "sample.csv")


def _measure(path: Path, repeat: int, out: Path) -> dict[str, object]:
    kit = [sys.executable, "-m", "kit", "sample", "--records", str(path),
           "--products", str(SHIPPED / "products.csv"), "--documents",
           str(SHIPPED / "documents.csv"), "--inspection-date", "2026-11-20", "--seed", "1",
           "--out", str(out)]
    reader = ("pd.read_csv(p, encoding='utf-8-sig')" if path.suffix == ".csv" else
              "pd.read_excel(p, engine='calamine')")
    floor = [sys.executable, "-c", f"import sys, pandas as pd; p = sys.argv[1]; {reader}",
             str(path)]
    times: dict[str, list[tuple[float, float]]] = {"kit": [], "floor": []}
    for _ in range(repeat):
        times["floor"].append(run(floor))
        times["kit"].append(run(kit))
    k_wall = statistics.median(t for t, _m in times["kit"])
    f_wall = statistics.median(t for t, _m in times["floor"])
    k_mem = statistics.median(m for _t, m in times["kit"])
    f_mem = statistics.median(m for _t, m in times["floor"])
    return {"file": path.name, "rows": sum(1 for _ in open(path, "rb")) - 1
            if path.suffix == ".csv" else None,
            "kit_s": k_wall, "floor_s": f_wall, "time_ratio": k_wall / f_wall,
            "kit_mib": k_mem, "floor_mib": f_mem, "memory_ratio": k_mem / f_mem}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="100000,1000000", help="CSV sizes")
    parser.add_argument("--xlsx-rows", default="100000", help="xlsx sizes ('' for none)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT,
                        help="the registers and sample_cli.json (default benchmarks/out)")
    parser.add_argument("--tiny", action="store_true",
                        help="a 2,000-row CSV and a 300-row xlsx, once: seconds, to check that "
                             "the benchmark runs (its figures mean nothing)")
    args = parser.parse_args()
    if args.tiny:
        args.rows, args.xlsx_rows, args.repeat = "2000", "300", 1
    files = [register(int(n), ".csv", args.out) for n in args.rows.split(",") if n]
    files += [register(int(n), ".xlsx", args.out) for n in args.xlsx_rows.split(",") if n]
    results = []
    for path in files:
        r = measure(path, args.repeat)
        results.append(r)
        print(json.dumps(r, ensure_ascii=False), flush=True)
    (args.out / "sample_cli.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"\n{'file':34} {'kit s':>7} {'pandas s':>9} {'ratio':>6} {'kit MiB':>8} "
          f"{'pandas MiB':>10} {'ratio':>6}")
    ok = True
    for r in results:
        ok &= r["time_ratio"] <= TIME_TARGET and r["memory_ratio"] <= MEMORY_TARGET
        print(f"{r['file']:34} {r['kit_s']:>7.2f} {r['floor_s']:>9.2f} {r['time_ratio']:>6.2f} "
              f"{r['kit_mib']:>8.0f} {r['floor_mib']:>10.0f} {r['memory_ratio']:>6.2f}")
    print(f"targets: time <= {TIME_TARGET}x, memory <= {MEMORY_TARGET}x: "
          f"{'met' if ok else 'NOT ALL MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
