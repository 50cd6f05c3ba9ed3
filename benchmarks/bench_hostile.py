"""What refusing a hostile file costs: each command's wall time and peak memory, as a process,
against a process that only reads the same bytes.

Run ``python benchmarks/bench_hostile.py [--inflated-mib 1536] [--repeat 5]`` (``--tiny``: a
64 MiB bomb, each command once, in seconds, to check that it runs; CI does, and its figures
mean nothing). The files are made by ``tests/test_hostile.py``'s makers in a temporary folder
(no bomb is stored anywhere):

* **bomb**: a workbook of about a megabyte whose sheet inflates to ``--inflated-mib`` MiB of
  blank space (1.5 GiB: past the 1 GiB a part), refused as ``file_bomb`` by ``kit import``,
  ``kit verify`` and ``kit sample --records``;
* **sparse**: two cells, the second at XFD1048576 (a reader that allocates the grid needs
  500 GB), refused as ``too_many_columns`` by ``kit verify`` and ``kit sample --records``;
* **json**: a JSON record of 65 MiB, over the 64 MiB limit, refused as ``json.too_large`` by
  ``kit import``.

Each run is a new process, timed from start to exit, its peak resident memory taken from the
kernel (``wait4``, through a small launcher, so that nothing this process holds is counted).
The floor is a Python process that reads the same file's bytes (and, for a workbook, lists its
archive's members): the least any check of the file does. Medians of ``--repeat`` runs,
interleaved. Every command must still refuse with exit code 2 and its reason code (else the
benchmark stops: it would be timing something else). Targets, printed, never asserted: a
refusal within 5 s and 600 MiB (what ``tests/test_hostile.py`` asserted before timings left
the tests).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_hostile import bomb, sparse  # noqa: E402

TIME_TARGET_S, MEMORY_TARGET_MIB = 5.0, 600

# A small launcher runs each command and reports its exit code, wall time and peak memory: a
# child forked straight from this process would inherit its high-water mark.
LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
out = proc.stdout.read()
_pid, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "seconds": wall,
                  "mib": usage.ru_maxrss / 1024, "output": out.decode(errors="replace")[-2000:]}))
"""

FLOOR = ("import sys, zipfile; p = sys.argv[1]; data = open(p, 'rb').read(); "
         "zipfile.ZipFile(p).infolist() if p.endswith('.xlsx') else None")


def run(command: list[str]) -> dict[str, object]:
    """Exit code, wall seconds, peak resident MiB and the output's tail of one process."""
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *command], capture_output=True,
                          text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def huge_json(path: Path) -> Path:
    """A JSON record of 65 MiB: one company name of 65 million letters."""
    with path.open("wb") as out:
        out.write(b'{"company": {"name": "')
        block = b"x" * 2**20
        for _ in range(65):
            out.write(block)
        out.write(b'"}}')
    return path


def cases(work: Path, inflated_mib: int) -> list[tuple[str, str, Path, list[str]]]:
    """(case, reason code, file, kit arguments) for every refusal timed."""
    data = ["--data-dir", str(work / "store")]
    b = bomb(work / "bomb.xlsx", inflated=inflated_mib * 2**20)
    s = sparse(work / "sparse.xlsx")
    j = huge_json(work / "huge.json")

    def sample(path: Path) -> list[str]:
        return ["sample", "--records", str(path), "--products", str(path),
                "--inspection-date", "2026-11-20", "--out", str(work / "sample.xlsx"), *data]

    return [
        ("bomb", "file_bomb", b, ["import", str(b), *data]),
        ("bomb", "file_bomb", b, ["verify", str(b)]),
        ("bomb", "file_bomb", b, sample(b)),
        ("sparse", "too_many_columns", s, ["verify", str(s)]),
        ("sparse", "too_many_columns", s, sample(s)),
        ("json", "json.too_large", j, ["import", str(j), *data]),
    ]


def measure(case: tuple[str, str, Path, list[str]], repeat: int) -> dict[str, object]:
    name, code, path, args = case
    kit = [sys.executable, "-m", "kit", *args]
    floor = [sys.executable, "-c", FLOOR, str(path)]
    runs: dict[str, list[dict[str, object]]] = {"kit": [], "floor": []}
    for _ in range(repeat):
        runs["floor"].append(run(floor))
        runs["kit"].append(run(kit))
    for r in runs["kit"]:
        output = str(r["output"])
        if r["code"] != 2 or code not in output or "Traceback" in output:
            msg = f"kit {args[0]} of {path.name} was not refused as {code}: {r}"
            raise SystemExit(msg)

    def median(side: str, key: str) -> float:
        return statistics.median(float(str(r[key])) for r in runs[side])

    kit_s, floor_s = median("kit", "seconds"), median("floor", "seconds")
    kit_mib, floor_mib = median("kit", "mib"), median("floor", "mib")
    return {"case": name, "command": f"kit {args[0]}", "file_mib": path.stat().st_size / 2**20,
            "kit_s": kit_s, "floor_s": floor_s, "time_ratio": kit_s / floor_s,
            "kit_mib": kit_mib, "floor_mib": floor_mib, "memory_ratio": kit_mib / floor_mib}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inflated-mib", type=int, default=1536,
                        help="what the bomb's sheet inflates to (default 1536: 1.5 GiB)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tiny", action="store_true",
                        help="a 64 MiB bomb, each command once: seconds, to check that the "
                             "benchmark runs (its figures mean nothing)")
    args = parser.parse_args()
    if args.tiny:
        args.inflated_mib, args.repeat = 64, 1
    with tempfile.TemporaryDirectory(prefix="kit-bench-hostile-") as tmp:
        results = []
        for case in cases(Path(tmp), args.inflated_mib):
            r = measure(case, args.repeat)
            results.append(r)
            print(json.dumps(r, ensure_ascii=False), flush=True)
    print(f"\n{'case':7} {'command':11} {'file MiB':>8} {'kit s':>6} {'floor s':>7} "
          f"{'ratio':>6} {'kit MiB':>7} {'floor MiB':>9} {'ratio':>6}")
    ok = True
    for r in results:
        ok &= r["kit_s"] <= TIME_TARGET_S and r["kit_mib"] <= MEMORY_TARGET_MIB
        print(f"{r['case']:7} {r['command']:11} {r['file_mib']:>8.1f} {r['kit_s']:>6.2f} "
              f"{r['floor_s']:>7.2f} {r['time_ratio']:>6.1f} {r['kit_mib']:>7.0f} "
              f"{r['floor_mib']:>9.0f} {r['memory_ratio']:>6.1f}")
    print(f"targets: each refusal within {TIME_TARGET_S:.0f} s and {MEMORY_TARGET_MIB} MiB: "
          f"{'met' if ok else 'NOT ALL MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
