"""What ``kit audit --verify`` over every inspection costs against reading what it checks.

Run ``python benchmarks/bench_audit.py [--sizes 200,2000] [--repeat 5] [--out DIR]``;
``--tiny`` runs one small store once, in seconds (CI does, so that the script cannot rot; its
figures mean nothing). The stores are ``bench_scale``'s (``kit demo`` data and the sample's
inspection, built once and cached under ``benchmarks/out/`` or ``--out``). Timed, call by call
interleaved, medians with the spread (25th-75th percentile) of ``--repeat`` runs:

* **kit audit --verify**: the whole command in process (``kit audit --verify --data-dir``:
  every inspection's trail replayed, each MAC recomputed, the current values, versions, chain
  heads and summaries compared, each attachment's bytes hashed); floor: a bare read of what it
  checks, on a plain sqlite3 connection: every audit entry in trail order, every current
  field, every inspection's head. Target <= 2x, at every size.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import OUT, build_store, interleaved, row

TARGET = 2.0


def measure(size: int, repeat: int, out_dir: Path = OUT) -> list[dict[str, Any]]:
    from kit.cli import main

    folder, _iid = build_store(size, out_dir)
    bare = sqlite3.connect(folder / "kit.sqlite")

    def floor(_i: int) -> int:
        heads = bare.execute("SELECT key, id, deleted, head_seq, head_mac, summary "
                             "FROM inspections").fetchall()
        trail = bare.execute("SELECT ins, seq, at, user, action, path, value, snapshot, mac "
                             "FROM audit ORDER BY ins, seq").fetchall()
        fields = bare.execute("SELECT ins, path, value, version FROM fields").fetchall()
        blobs = bare.execute("SELECT sha256, data FROM blobs").fetchall()
        return len(heads) + len(trail) + len(fields) + len(blobs)

    def command(_i: int) -> None:
        with contextlib.redirect_stdout(io.StringIO()) as said:
            code = main(["audit", "--verify", "--data-dir", str(folder)])
        if code != 0:
            msg = f"kit audit --verify found problems in the benchmark's store: {said.getvalue()}"
            raise RuntimeError(msg)

    command(0)  # once untimed: the imports, and a check that the store verifies
    entries = bare.execute("SELECT count(*) FROM audit").fetchone()[0]
    times = interleaved({"path": command, "floor": floor}, repeat)
    bare.close()
    return [row("kit audit --verify (every inspection)", size, times)
            | {"target": TARGET, "entries": entries}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT,
                        help="the cached stores and audit.json (default benchmarks/out)")
    parser.add_argument("--tiny", action="store_true",
                        help="one store of 20 inspections, once: seconds, to check that the "
                             "benchmark runs (its figures mean nothing)")
    args = parser.parse_args()
    if args.tiny:
        args.sizes, args.repeat = "20", 1
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        for line in measure(size, args.repeat, args.out):
            results.append(line)
            print(json.dumps(line, ensure_ascii=False), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "audit.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"\n{'path':40} {'size':>6} {'entries':>9} {'median ms':>10} {'floor ms':>9} "
          f"{'ratio':>6} {'target':>6}")
    for r in results:
        print(f"{r['path']:40} {r['size']:>6} {r['entries']:>9} {r['ms']:>10.1f} "
              f"{r['floor_ms']:>9.1f} {r['ratio']:>6.2f} {'<= ' + str(r['target']):>6}")


if __name__ == "__main__":
    main()
