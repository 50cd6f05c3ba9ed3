"""What an analyst pays for ``load_tables``: a whole office's store as typed tables.

Run ``python benchmarks/bench_tables.py [--sizes 200,5000] [--repeat 7] [--out DIR]``;
``--tiny`` runs one small store once, in seconds (CI does, so that the script cannot rot; its
figures mean nothing). The stores are ``bench_scale``'s (``kit demo`` data plus the sample's
inspection, built once and cached under ``benchmarks/out/`` or ``--out``). Timed, call by call interleaved, medians with the spread (25th-75th
percentile) of ``--repeat`` runs:

* **tables**: ``load_tables(door)``, every inspection as the seven typed tables (ordered
  categoricals, ``pd.NA``, tuples, the findings joined to their inspections); floor: a bare
  ``pandas.read_sql_query`` of the same rows (the same SQL on a plain sqlite3 connection: the
  store's fields of every inspection not deleted, at or below the paths the tables read).
  Target <= 2x, at every size.
* **filtered**: ``load_tables(door, since=, until=)`` for the last quarter of the data;
  floor: the same filtered SQL read by pandas. Target <= 2x.
* **per record**: what the first kit did, opening each inspection through the model
  (``Door.inspection``), before building any frame; once per size (it is slow). Reported.
* **memory**: the tables' ``memory_usage(deep=True)``; and of the same tables with every
  column as plain Python objects (text for codes, "" for missing), as the first kit's were.
* **kit plan --year**: the whole command in process (``kit plan --year Y --out F.xlsx``: the
  fields the plan needs read in one query, the levels, the plan, the workbook written); floor:
  its own bare read, the same SQL (the store's rows at :data:`kit.analytics.PLAN_PATHS`)
  fetched on a plain sqlite3 connection. Target <= 2x, at every size. And **kit plan
  memory**: the peak resident memory (``ru_maxrss``) of the whole ``kit plan`` process, run
  once per size. Target <= 1 GB at 100,000 inspections (``--plan-store DIR``: also measure the
  store in DIR, such as a 100,000-inspection one, the plan alone).
* **kit tables --format parquet** (where pyarrow is installed; skipped, and said so, where it
  is not): the whole command in process (the store read, every table written with the data
  dictionary); floor: ``load_tables`` and a plain ``DataFrame.to_parquet`` of each table.
  Target <= 1.5x. And **write_tables parquet**, the writing alone on tables in hand, against
  the same ``to_parquet`` calls (the price of the list types, the empty categoricals and the
  dictionary). Target <= 2x.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import OUT, build_store, interleaved, row

TARGET = 2.0
TABLES_TARGET, WRITE_TARGET = 1.5, 2.0


def measure(size: int, repeat: int, out_dir: Path = OUT) -> list[dict[str, Any]]:
    import pandas as pd
    from sqlalchemy.dialects import sqlite

    from kit.analytics import load_tables
    from kit.analytics._typed import READ_PATHS
    from kit.door import Door, Identity, Where
    from kit.store._sql import rows_statement

    folder, _iid = build_store(size, out_dir)
    door = Door.connect(data_dir=str(folder), identity=Identity("分析人员"))  # reads all
    bare = sqlite3.connect(folder / "kit.sqlite")
    last = max(r["scope/start_date"] for r in door.list() if r["scope/start_date"])
    until = date.fromisoformat(last)
    since = date(until.year, 3 * ((until.month - 1) // 3) + 1, 1)
    dialect = sqlite.dialect()  # the store's SQL, as the store writes it for SQLite
    sql, args = rows_statement(READ_PATHS, [], dialect)
    where = [Where(("scope/start_date",), low=since.isoformat(), high=until.isoformat())]
    fsql, fargs = rows_statement(READ_PATHS, where, dialect)
    out = []
    times = interleaved({
        "path": lambda _i: load_tables(door),
        "floor": lambda _i: pd.read_sql_query(sql, bare, params=args),
        "filtered": lambda _i: load_tables(door, since=since, until=until),
        "filtered_floor": lambda _i: pd.read_sql_query(fsql, bare, params=fargs),
    }, repeat)
    out.append(row("tables", size, times) | {"target": TARGET})
    out.append(row("filtered", size, times, "filtered", "filtered_floor") | {"target": TARGET})
    tables = load_tables(door)
    ids = [r["id"] for r in door.list(())]
    once = interleaved({"path": lambda _i: [door.inspection(i) for i in ids],
                        "floor": lambda _i: pd.read_sql_query(sql, bare, params=args)}, 1)
    out.append(row("per record (first kit's way, model objects only)", size, once))
    frames = [getattr(tables, n) for n in ("inspections", "results", "findings", "samples",
                                           "follow_ups", "team", "notices")]
    typed = sum(int(f.memory_usage(deep=True).sum()) for f in frames)
    plain = sum(int(f.astype(object).map(_plain).memory_usage(deep=True).sum()) for f in frames)
    out.append({"path": "memory", "size": size, "typed_mb": typed / 2**20,
                "plain_mb": plain / 2**20, "rows": sum(len(f) for f in frames),
                "filtered_inspections": len(load_tables(door, since=since,
                                                            until=until).inspections)})
    out.extend(parquet_rows(size, repeat, folder, door, tables))
    door.close()
    out.extend(plan_rows(size, repeat, folder))
    return out


def plan_rows(size: int, repeat: int, folder: Path) -> list[dict[str, Any]]:
    """``kit plan --year`` against its own bare read, and its process's peak memory."""
    import os
    import subprocess
    import tempfile

    from sqlalchemy.dialects import sqlite

    from kit.analytics import PLAN_PATHS
    from kit.cli import main
    from kit.store._sql import rows_statement

    sql, args = rows_statement(PLAN_PATHS, [], sqlite.dialect())
    bare = sqlite3.connect(folder / "kit.sqlite")
    scratch = Path(tempfile.mkdtemp(prefix="bench_plan_"))
    argv = ["plan", "--year", "2027", "--as-of", "2026-12-01", "--data-dir", str(folder)]

    def command(i: int) -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            code = main([*argv, "--out", str(scratch / f"plan{i}.xlsx")])
        assert code == 0

    command(-1)  # once untimed: the imports
    times = interleaved({"path": command,
                         "floor": lambda _i: bare.execute(sql, args).fetchall()}, repeat)
    rows = len(bare.execute(sql, args).fetchall())
    bare.close()
    # started by a small Python of its own: a child forked from this large process would
    # count this one's pages in its ru_maxrss
    measure = ("import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:], "
               "stdout=subprocess.DEVNULL); _, status, usage = os.wait4(p.pid, 0); "
               "print(status, usage.ru_maxrss)")
    said = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "kit", *argv,
                           "--out", str(scratch / "once.xlsx")], capture_output=True,
                          text=True, check=True, env=dict(os.environ)).stdout.split()
    assert said[0] == "0", said
    return [row("kit plan --year (its own bare read)", size, times)
            | {"target": TARGET, "rows_read": rows},
            {"path": "kit plan memory", "size": size, "maxrss_mb": int(said[1]) / 1024,
             "target_mb": 1024}]


def parquet_rows(size: int, repeat: int, folder: Path, door: Any, tables: Any
                 ) -> list[dict[str, Any]]:
    """``kit tables --format parquet`` and ``write_tables`` against plain ``to_parquet``."""
    import importlib.util
    import shutil
    import tempfile

    if importlib.util.find_spec("pyarrow") is None:
        print("kit tables --format parquet: skipped (pyarrow is not installed)", flush=True)
        return []
    from kit.analytics import TABLE_NAMES, load_tables, write_tables
    from kit.cli import main

    scratch = Path(tempfile.mkdtemp(prefix="bench_tables_"))

    def plain(frames: Any, where: Path) -> None:
        where.mkdir(parents=True, exist_ok=True)
        for name in TABLE_NAMES:
            getattr(frames, name).to_parquet(where / f"{name}.parquet")

    def command(i: int) -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(["tables", "--out", str(scratch / f"cmd{i}"), "--format", "parquet",
                         "--data-dir", str(folder)])
        assert code == 0

    try:
        times = interleaved({
            "path": command,
            "floor": lambda i: plain(load_tables(door), scratch / f"floor{i}"),
            "write": lambda i: write_tables(tables, scratch / f"write{i}", "parquet"),
            "write_floor": lambda i: plain(tables, scratch / f"plain{i}"),
        }, repeat)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [row("kit tables --format parquet", size, times) | {"target": TABLES_TARGET},
            row("write_tables parquet (tables in hand)", size, times, "write", "write_floor")
            | {"target": WRITE_TARGET}]


def _plain(value: Any) -> Any:
    """A value as the first kit's tables held it: text, with "" for nothing."""
    if value is None or value is pd_na() or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, tuple):
        return ";".join(map(str, value))
    return value if isinstance(value, bool | int | float) else str(value)


def pd_na() -> Any:
    import pandas as pd

    return pd.NA


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,5000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT,
                        help="the cached stores and tables.json (default benchmarks/out)")
    parser.add_argument("--tiny", action="store_true",
                        help="one store of 20 inspections, each path once: seconds, to check "
                             "that the benchmark runs (its figures mean nothing)")
    parser.add_argument("--plan-store", type=Path, action="append", default=[],
                        metavar="DIR", help="also time kit plan (and its memory) on the store "
                                            "in DIR (a kit data folder), such as a 100,000 one")
    args = parser.parse_args()
    if args.tiny:
        args.sizes, args.repeat = "20", 1
    results = []
    for size in (int(s) for s in args.sizes.split(",") if s):
        for line in measure(size, args.repeat, args.out):
            results.append(line)
            print(json.dumps(line, ensure_ascii=False), flush=True)
    for folder in args.plan_store:
        with sqlite3.connect(folder / "kit.sqlite") as db:
            size = db.execute("SELECT count(*) FROM inspections").fetchone()[0]
        for line in plan_rows(size, args.repeat, folder):
            results.append(line)
            print(json.dumps(line, ensure_ascii=False), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "tables.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"\n{'path':50} {'size':>6} {'median ms':>10} {'floor ms':>9} {'ratio':>6} "
          f"{'target':>6}")
    for r in results:
        if r["path"] == "kit plan memory":
            print(f"{'kit plan memory (whole process, ru_maxrss)':50} {r['size']:>6} "
                  f"{r['maxrss_mb']:.0f} MB (target <= {r['target_mb']} MB at 100,000)")
            continue
        if r["path"] == "memory":
            print(f"{'memory':50} {r['size']:>6} typed {r['typed_mb']:.1f} MB, as text "
                  f"{r['plain_mb']:.1f} MB ({r['rows']:,} rows; the quarter: "
                  f"{r['filtered_inspections']} inspections)")
            continue
        target = "" if r.get("target") is None else f"<= {r['target']}"
        print(f"{r['path']:50} {r['size']:>6} {r['ms']:>10.1f} {r['floor_ms']:>9.1f} "
              f"{r['ratio']:>6.2f} {target:>6}")


if __name__ == "__main__":
    main()
