"""What an office's store costs on disk per inspection, and how long ``kit demo`` takes to make it.

Run ``python benchmarks/bench_storage.py [--sizes 1000,10000] [--repeat 3] [--pg URL]
[--baseline REV] [--out DIR]``; ``--tiny`` makes 40 inspections once, in seconds (CI does, so
that the script cannot rot; its figures mean nothing). ``--make N --out DIR [--db-url URL]``
only makes a store of N demo inspections for other benchmarks (``DIR/kit.sqlite`` unless
``--db-url``), e.g. the 100,000-inspection store, and says where it is.

For each size, on the store's own setting (SQLite: WAL, synchronous=FULL), in one run:

* **kit demo**: the whole ``kit demo --inspections N`` process on an empty store (the records
  made, each checked, stored in batches; then its one line), median of ``--repeat`` runs;
* **floor**: a bare ``executemany`` of the same rows (the inspections, their fields and their
  trail entries, read back from the kit's store) into plain tables of the same columns and
  keys on a plain ``sqlite3`` connection, in transactions of the same size, same setting;
* **bytes per inspection**: the store's file after a checkpoint and ``VACUUM``, divided by N,
  with the share of each table and index (SQLite's ``dbstat``); evidence and issued notices'
  PDFs (the ``blobs`` table) are given apart (the demo keeps none). On PostgreSQL (``--pg``,
  else ``$KIT_TEST_PG_URL``): ``kit demo`` into a fresh schema, then ``VACUUM FULL`` and
  ``pg_total_relation_size`` of each of its tables (with their indexes), divided by N;
* **trail**: ``kit audit --verify`` over the store (every inspection's chain and current values),
  which must say the trail is intact. Target: <= 30 kB (30,000 bytes) per inspection.

``--baseline REV`` runs the same on the kit at git revision REV (checked out beside, in a
temporary worktree): the before and after of a change, in the same run on the same machine.
Figures go to ``OUT/storage.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from floors import remove_worktree, worktree  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
TARGET_BYTES = 30_000
#: the rows a store holds per inspection, by table: what the floor inserts
TABLES = ("inspections", "fields", "audit")
BATCH = 200  # as kit demo's (kit.analytics._demo.BATCH)


def kit(kit_root: Path, *args: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    """``python -m kit ARGS`` of the kit at ``kit_root``; raises with its stderr if it failed."""
    full = {**os.environ, "PYTHONPATH": str(kit_root), "KIT_USER": "bench", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "kit", *args], capture_output=True, text=True,
                          encoding="utf-8", env=full, cwd=kit_root)
    if proc.returncode not in (0,):
        msg = f"kit {' '.join(args)} ended with {proc.returncode}: {proc.stderr[-3000:]}"
        raise RuntimeError(msg)
    return proc


def make(kit_root: Path, n: int, store: list[str], companies: int = 10) -> float:
    """``kit demo --inspections n`` on ``store`` (its options); the process's seconds."""
    start = time.perf_counter()
    kit(kit_root, "demo", "--inspections", str(n), "--companies", str(companies), *store)
    return time.perf_counter() - start


def verified(kit_root: Path, store: list[str]) -> bool:
    proc = subprocess.run([sys.executable, "-m", "kit", "audit", "--verify", *store],
                          capture_output=True, text=True, encoding="utf-8", cwd=kit_root,
                          env={**os.environ, "PYTHONPATH": str(kit_root), "KIT_USER": "bench"})
    return proc.returncode == 0


def sqlite_sizes(db: Path, n: int) -> dict[str, Any]:
    """Bytes per inspection of the vacuumed file, by table and index, and the blobs apart."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    parts: dict[str, float] = {}
    try:
        for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            parts[name] = size / n
    except sqlite3.OperationalError:  # a SQLite built without dbstat: the file only
        pass
    rows = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] / n
            for t in TABLES}
    blob_bytes = conn.execute("SELECT coalesce(sum(length(data)), 0) FROM blobs").fetchone()[0]
    conn.close()
    blobs = parts.get("blobs", 0.0) + parts.get("sqlite_autoindex_blobs_1", 0.0)
    total = db.stat().st_size / n
    return {"bytes_per_inspection": total, "without_blobs": total - blobs,
            "blobs_per_inspection": blob_bytes / n, "rows_per_inspection": rows,
            "by_table": {k: round(v) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])
                         if v >= 1}}


def floor(db: Path, folder: Path) -> float:
    """Seconds of a bare executemany of ``db``'s inspections, fields and trail into plain
    tables of the same columns and keys, BATCH inspections to a transaction (WAL, FULL)."""
    src = sqlite3.connect(db)
    made: dict[str, tuple[str, list[tuple[Any, ...]]]] = {}
    for table in TABLES:
        sql = src.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                          (table,)).fetchone()[0]
        made[table] = (sql, src.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall())
    src.close()
    target = folder / f"floor-{uuid.uuid4().hex[:8]}.sqlite"
    bare = sqlite3.connect(target, isolation_level=None)
    bare.execute("PRAGMA journal_mode=WAL")
    bare.execute("PRAGMA synchronous=FULL")
    for sql, _rows in made.values():
        bare.execute(sql)
    keys = [r[0] for r in made["inspections"][1]]
    by_ins: dict[str, dict[Any, list[tuple[Any, ...]]]] = {}
    for table, column in (("fields", 0), ("audit", 1)):
        grouped: dict[Any, list[tuple[Any, ...]]] = {}
        for row in made[table][1]:
            grouped.setdefault(row[column], []).append(row)
        by_ins[table] = grouped
    marks = {t: ",".join("?" * len(made[t][1][0])) for t in TABLES if made[t][1]}
    start = time.perf_counter()
    for first in range(0, len(keys), BATCH):
        batch = keys[first:first + BATCH]
        bare.execute("BEGIN")
        bare.executemany(f"INSERT INTO inspections VALUES ({marks['inspections']})",
                         made["inspections"][1][first:first + BATCH])
        for table in ("audit", "fields"):
            bare.executemany(f"INSERT INTO {table} VALUES ({marks[table]})",
                             [row for k in batch for row in by_ins[table].get(k, ())])
        bare.execute("COMMIT")
    seconds = time.perf_counter() - start
    bare.close()
    for leftover in folder.glob(f"{target.name}*"):
        leftover.unlink()
    return seconds


def pg_sizes(kit_root: Path, admin_url: str, n: int) -> dict[str, Any]:
    """``kit demo`` into a fresh schema; bytes per inspection of its tables after VACUUM FULL."""
    import sqlalchemy as sa

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin_url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in admin_url else "?"
    url = f"{admin_url}{sep}options=-csearch_path%3D{schema}"
    try:
        seconds = make(kit_root, n, ["--db-url", url])
        ok = verified(kit_root, ["--db-url", url])
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            sizes = {}
            tables = [r[0] for r in conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))]
            for table in tables:
                conn.exec_driver_sql(f'VACUUM FULL "{schema}".{table}')
                sizes[table] = conn.exec_driver_sql(
                    f"SELECT pg_total_relation_size('\"{schema}\".{table}')").scalar()
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine.dispose()
    blobs = sizes.get("blobs", 0)
    return {"kit_demo_s": seconds, "verified": ok,
            "bytes_per_inspection": (sum(sizes.values()) - blobs) / n,
            "blobs_per_inspection": blobs / n,
            "by_table": {t: round(v / n) for t, v in sorted(sizes.items(), key=lambda kv: -kv[1])
                         if v / n >= 50}}


def measure(kit_root: Path, label: str, sizes: list[int], repeat: int, folder: Path,
            pg: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n in sizes:
        runs, floors = [], []
        for r in range(repeat):
            where = folder / f"{label}-{n}-{r}"
            runs.append(make(kit_root, n, ["--data-dir", str(where)]))
            db = where / "kit.sqlite"
            floors.append(floor(db, folder))
            if r == repeat - 1:
                ok = verified(kit_root, ["--data-dir", str(where)])
                sizes_ = sqlite_sizes(db, n)
            shutil.rmtree(where, ignore_errors=True)
        row = {"kit_demo_s": statistics.median(runs), "floor_s": statistics.median(floors),
               "runs_s": runs, "verified": ok, **sizes_}
        row["ratio"] = row["kit_demo_s"] / row["floor_s"]
        if pg:
            row["postgresql"] = pg_sizes(kit_root, pg, n)
        out[str(n)] = row
        print_row(label, n, row)
    return out


def print_row(label: str, n: int, row: dict[str, Any]) -> None:
    b = row["without_blobs"]
    verdict = "meets" if b <= TARGET_BYTES else "MISSES"
    print(f"  {label:<8} {n:>7,} inspections: {b / 1000:6.1f} kB per inspection "
          f"({verdict} <= {TARGET_BYTES / 1000:.0f} kB), evidence and PDFs apart "
          f"{row['blobs_per_inspection'] / 1000:.1f} kB; "
          f"{row['rows_per_inspection']['fields']:.0f} field rows each; "
          f"trail {'verifies' if row['verified'] else 'DOES NOT VERIFY'}")
    print(f"  {'':<8} kit demo {row['kit_demo_s']:8.2f} s   floor (bare executemany) "
          f"{row['floor_s']:6.2f} s   ratio {row['ratio']:5.1f}x")
    print(f"  {'':<8} by table and index (bytes each): {row['by_table']}")
    if "postgresql" in row:
        p = row["postgresql"]
        print(f"  {'':<8} PostgreSQL: {p['bytes_per_inspection'] / 1000:6.1f} kB per "
              f"inspection {p['by_table']}; kit demo {p['kit_demo_s']:.2f} s; trail "
              f"{'verifies' if p['verified'] else 'DOES NOT VERIFY'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("KIT_TEST_PG_URL", ""),
                        help="a PostgreSQL admin URL: sizes there too (a schema made and dropped)")
    parser.add_argument("--baseline", default="", help="a git revision to measure first")
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--tiny", action="store_true", help="40 inspections once, in seconds")
    parser.add_argument("--make", type=int, default=0,
                        help="only make a store of this many demo inspections in --out")
    parser.add_argument("--db-url", default="", help="with --make: the store to fill")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.make:
        store = ["--db-url", args.db_url] if args.db_url else ["--data-dir", str(out)]
        seconds = make(ROOT, args.make, store)
        where = args.db_url or out / "kit.sqlite"
        print(f"made {args.make:,} demo inspections in {seconds:.0f} s: {where}")
        return 0
    sizes = [40] if args.tiny else [int(s) for s in args.sizes.split(",")]
    repeat = 1 if args.tiny else args.repeat
    folder = Path(tempfile.mkdtemp(prefix="kit-bench-storage-", dir=out))
    report: dict[str, Any] = {"sizes": sizes, "repeat": repeat}
    try:
        base = worktree(args.baseline) if args.baseline and not args.tiny else None
        if args.baseline and not args.tiny and base is None:
            print(f"no baseline: git could not check out {args.baseline}")
        print(f"bytes per inspection (target <= {TARGET_BYTES / 1000:.0f} kB) and kit demo's "
              f"time against a bare executemany of the same rows; median of {repeat}")
        if base is not None:
            try:
                report["before"] = measure(base, "before", sizes, repeat, folder, args.pg)
            finally:
                remove_worktree(base)
        report["after"] = measure(ROOT, "now", sizes, repeat, folder, args.pg)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    (out / "storage.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"kit demo per inspection and bytes per inspection: see {out / 'storage.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
