"""``kit new --plan-line ID`` as a user runs it, against ``kit list`` on the same store: the
whole process, from start to exit.

Run ``python benchmarks/bench_plan_lines.py [--companies 1000] [--inspections 200]
[--repeat 7] [--out DIR]``; ``--tiny`` runs a 30-company register three times, in seconds (CI
does, so that the script cannot rot; its figures mean nothing). The store (a SQLite file in a
temporary folder under ``--out``) holds ``--inspections`` generated demo inspections, a register
of ``--companies`` fictional companies (two products each) and the 2027 plan over them, saved
(``kit plan --year 2027 --save``), one line per company. Timed, each run a new process,
interleaved, medians with the spread (25th-75th percentile) of ``--repeat`` runs:

* **new**: ``kit new --plan-line 2027-NNN`` (a different line of a registered company each run): the line and its
  company read, the inspection made with the register's licences and products, the line marked
  done, in one transaction. Floor: ``kit list`` (the process, the store opened, every
  inspection's summary listed). Target <= 1.5x.
* **show**: ``kit plan --year 2027 --show``, every saved line with done or not. Same floor.
  Target <= 1.5x.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
TARGETS = {"new": 1.5, "show": 1.5}


def build(folder: Path, companies: int, inspections: int) -> tuple[int, list[str]]:
    """The store: demo inspections, the register, the 2027 plan saved; its number of lines,
    and the ids of those whose company is in the register (the demo's companies are not)."""
    from kit.analytics import load_demo_data, load_tables
    from kit.door import Door, Identity
    from kit.identifiers import make_credit_code
    from kit.planning import save_year_plan, year_plan
    from kit.register import RegisteredCompany, RegisteredProduct

    register = [RegisteredCompany(
        make_credit_code(f"9111010{k:010d}"), f"北京第{k}号医疗器械有限公司",
        ("海淀区", "大兴区", "昌平区")[k % 3], k % 7 == 0,
        licence_no=f"京药监械生产许2020{k:05d}号", licence_issued=date(2020, 1, 2),
        licence_expires=date(2030, 1, 1),
        products=(RegisteredProduct("电子血压计", "II", "07-03-01", f"京械注准{k:010d}"),
                  RegisteredProduct("一次性使用输液器", "III", "14-02-01", f"国械注准{k:010d}")))
        for k in range(companies)]
    with Door.connect(data_dir=str(folder), identity=Identity("王科长")) as door:
        load_demo_data(door, inspections=inspections, companies=10, seed=1)
        door.import_companies(register)
        plan = year_plan(load_tables(door), 2027, as_of=date(2026, 12, 1), register=register)
        lines = save_year_plan(door, plan).lines
    codes = {c.credit_code for c in register}
    return len(lines), [s.id for s in lines if s.line.credit_code in codes]


def run(command: list[str]) -> float:
    """Seconds from the process's start to its exit (it must end well)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kit", *command], capture_output=True,
                          text=True, env=env, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"kit {' '.join(command)} failed: {done.stderr.strip()}")
    return took


def stats(values: list[float]) -> dict[str, float]:
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return {"median": statistics.median(values), "p25": q[0], "p75": q[2]}


def measure(companies: int, inspections: int, repeat: int, out: Path) -> list[dict[str, Any]]:
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench_plan_lines_", dir=out))
    try:
        lines, ids = build(folder, companies, inspections)
        if len(ids) < repeat:
            raise SystemExit(f"only {len(ids)} plan lines for {repeat} runs: more --companies")
        store = ["--data-dir", str(folder), "--user", "王科长"]
        times: dict[str, list[float]] = {"floor": [], "new": [], "show": []}
        for i in range(repeat):
            times["floor"].append(run(["list", *store]))
            times["new"].append(run(["new", "--plan-line", ids[i], *store]))
            times["show"].append(run(["plan", "--year", "2027", "--show", *store]))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    floor = stats(times["floor"])
    rows = []
    for name in ("new", "show"):
        s = stats(times[name])
        rows.append({"path": name, "companies": companies, "lines": lines,
                     "inspections": inspections, "ms": s["median"] * 1e3,
                     "ms_p25": s["p25"] * 1e3, "ms_p75": s["p75"] * 1e3,
                     "floor_ms": floor["median"] * 1e3, "ratio": s["median"] / floor["median"],
                     "target": TARGETS[name]})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=1000,
                        help="companies in the register, one plan line each (default 1000)")
    parser.add_argument("--inspections", type=int, default=200,
                        help="demo inspections in the store (default 200)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT,
                        help="where the store is made, and plan_lines.json (default "
                             "benchmarks/out)")
    parser.add_argument("--tiny", action="store_true",
                        help="30 companies, 5 inspections, three runs: to check that it runs")
    args = parser.parse_args()
    if args.tiny:
        args.companies, args.inspections, args.repeat = 30, 5, 3
    results = measure(args.companies, args.inspections, args.repeat, args.out)
    (args.out / "plan_lines.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    r0 = results[0]
    print(f"\nkit new --plan-line on a store of {r0['inspections']:,} inspections, a register of "
          f"{r0['companies']:,} companies and {r0['lines']:,} plan lines, vs kit list on the "
          f"same store: whole processes, medians of {args.repeat}")
    print(f"{'path':6} {'median ms':>10} {'p25-p75':>15} {'list ms':>8} {'ratio':>6} "
          f"{'target':>6}")
    ok = True
    for r in results:
        ok &= r["ratio"] <= r["target"]
        print(f"{r['path']:6} {r['ms']:>10.0f} {r['ms_p25']:>7.0f}-{r['ms_p75']:<7.0f} "
              f"{r['floor_ms']:>8.0f} {r['ratio']:>6.2f} {r['target']:>5.1f}x")
    print(f"targets: {'met' if ok else 'NOT ALL MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
