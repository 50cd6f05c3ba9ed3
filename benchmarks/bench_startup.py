"""The ``kit`` command's start-up, each command against its floor: whole processes, medians.

Run ``python benchmarks/bench_startup.py [--repeat 15] [--inspections 30] [--sample]
[--only export] [--baseline-rev REV] [--out DIR]`` (``--tiny``: three runs of each on a
three-inspection store, no baseline, in seconds, to check that it runs; CI does).

Each run is a new process (``python -m kit …``, the ``kit`` script's entry point), timed from
start to exit, with its CPU time (user and system) from the kernel; the command and its floor
alternate, so that a busy machine falls on both alike. The targets are on wall time; the CPU
ratio says the same with less of the other work on a shared machine in it.
Compiled modules are kept, as an installed kit has them (``PYTHONDONTWRITEBYTECODE`` unset,
``PYTHONPYCACHEPREFIX`` a folder of the run), and each command runs once before it is timed.

- ``kit --help`` and ``kit list --help`` against ``python -c "import argparse"``: target 3x;
- ``kit list`` on an empty SQLite store against ``python -c "import sqlalchemy, argparse"``:
  target 1.5x;
- ``kit export ID --out F.xlsx`` on a store of ``--inspections`` demo inspections (``kit demo``)
  against a process that writes the same cells with openpyxl (read back from the kit's
  workbook, every sheet's values): target 2.5x. The inspection exported is the most recent
  demo one, or with ``--sample`` the sample company's full record imported into that store
  (``sample_data/demo_inspection.json``: 145 results, four findings, 118 sampled rows, as
  ``bench_scale.py`` exports). ``--only export`` times that command alone.

``python -c pass`` is printed for reference, and how many modules each command imports
(``-X importtime``). ``--baseline-rev`` runs the same commands on another commit too (checked
out into a temporary git worktree), interleaved with this one: before and after, in one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from floors import remove_worktree, worktree

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
PY = sys.executable

#: a process writing the given cells (a JSON file: sheet -> rows) with openpyxl, as the kit's
#: export does with its workbook: the floor under ``kit export --out F.xlsx``
WRITE_CELLS = """
import json, sys
from openpyxl import Workbook
sheets = json.loads(open(sys.argv[1], encoding="utf-8").read())
wb = Workbook()
wb.remove(wb.active)
for name, rows in sheets.items():
    ws = wb.create_sheet(name)
    for row in rows:
        ws.append(row)
wb.save(sys.argv[2])
"""


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user and system, from the kernel) of one process, which
    must end well."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(command[:6])} exited {proc.returncode}:\n"
                             f"{err.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def modules(command: list[str], env: dict[str, str], cwd: Path) -> int:
    """How many modules the process imports (``-X importtime``'s lines)."""
    done = subprocess.run([command[0], "-X", "importtime", *command[1:]], env=env, cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", errors="replace")
    return sum(1 for line in done.stderr.splitlines() if line.startswith("import time:")
               and not line.rstrip().endswith("| package"))


def plain_env(scratch: Path) -> dict[str, str]:
    """The environment of every process, the floors' too: compiled modules kept (as an
    installed kit has them) in a folder of the run's own, never in the repository."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KIT_") and k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(scratch / "pycache")}


def kit_env(kit_root: Path, scratch: Path) -> dict[str, str]:
    """The environment a user's shell gives the command: this kit, no keys, no store set."""
    keys = scratch / "no-keys"
    keys.mkdir(exist_ok=True)
    return {**plain_env(scratch), "PYTHONPATH": str(kit_root), "KIT_KEYS_DIR": str(keys),
            "KIT_TEMPLATES_DIR": str(ROOT / "templates")}


def cells(xlsx: Path, into: Path) -> None:
    """Every sheet's values in the kit's workbook, as JSON (dates as text)."""
    from openpyxl import load_workbook

    def plain(value: object) -> object:
        if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
            return str(value)
        return value

    wb = load_workbook(xlsx)
    sheets = {ws.title: [[plain(v) for v in row] for row in ws.iter_rows(values_only=True)]
              for ws in wb.worksheets}
    into.write_text(json.dumps(sheets, ensure_ascii=False), "utf-8")


def prepare(scratch: Path, env: dict[str, str], inspections: int,
            sample: bool = False) -> tuple[Path, Path, str]:
    """An empty store, a demo store and one of its ids (the sample's record, imported, with
    ``sample``), made by the kit ``env`` names (each kit its own: another commit may need
    another schema)."""
    scratch.mkdir()
    empty, demo = scratch / "empty", scratch / "demo"
    subprocess.run([PY, "-m", "kit", "list", "--data-dir", str(empty)], env=env, cwd=scratch,
                   check=True, capture_output=True)  # made once; every timed run finds it
    print(f"kit demo --inspections {inspections} (once) ...", file=sys.stderr, flush=True)
    subprocess.run([PY, "-m", "kit", "demo", "--inspections", str(inspections),
                    "--companies", str(max(3, inspections // 3)), "--data-dir", str(demo)],
                   env=env, cwd=scratch, check=True, capture_output=True)
    if sample:
        record = Path(env["PYTHONPATH"]) / "sample_data" / "demo_inspection.json"  # that kit's
        subprocess.run([PY, "-m", "kit", "import", str(record), "--data-dir", str(demo)],
                       env=env, cwd=scratch, check=True, capture_output=True)
    listed = subprocess.run([PY, "-m", "kit", "list", "--data-dir", str(demo)], env=env,
                            cwd=scratch, check=True, capture_output=True, text=True,
                            encoding="utf-8").stdout
    return empty, demo, listed.splitlines()[0].split("\t")[0]  # the most recently changed


def cases(scratch: Path, stores: dict[str, tuple[Path, Path, str]]
          ) -> list[tuple[str, dict[str, list[str]], list[str], float]]:
    """(name, each kit's arguments, its floor's command, target ratio)."""
    cell_file, floor_out = scratch / "cells.json", scratch / "floor.xlsx"
    argparse_floor = [PY, "-c", "import argparse"]

    def each(args: Callable[[Path, Path, str], list[str]]) -> dict[str, list[str]]:
        return {which: args(*store) for which, store in stores.items()}

    return [
        ("kit --help", each(lambda _e, _d, _i: ["--help"]), argparse_floor, 3.0),
        ("kit list --help", each(lambda _e, _d, _i: ["list", "--help"]), argparse_floor, 3.0),
        ("kit list (empty store)", each(lambda empty, _d, _i: ["list", "--data-dir", str(empty)]),
         [PY, "-c", "import sqlalchemy, argparse"], 1.5),
        ("kit export --out F.xlsx", each(lambda _e, demo, ident: [
            "export", ident, "--data-dir", str(demo), "--out", str(demo.parent / "kit.xlsx")]),
         [PY, "-c", WRITE_CELLS, str(cell_file), str(floor_out)], 2.5),
    ]


def measure(args: argparse.Namespace, scratch: Path, base: Path | None) -> dict[str, object]:
    kits = {"kit": kit_env(ROOT, scratch)}
    if base is not None:
        kits["baseline"] = kit_env(base, scratch)
    stores = {which: prepare(scratch / which, env, args.inspections, args.sample)
              for which, env in kits.items()}
    table = cases(scratch, stores)
    export = table[-1]
    if args.only == "export":
        table = [export]
    timed([PY, "-m", "kit", *export[1]["kit"]], kits["kit"], scratch)  # the workbook to copy
    cells(scratch / "kit" / "kit.xlsx", scratch / "cells.json")
    plain = plain_env(scratch)
    timed([PY, "-c", "pass"], plain, scratch)
    results: dict[str, object] = {"pass_s": statistics.median(
        timed([PY, "-c", "pass"], plain, scratch)[0] for _ in range(args.repeat))}
    rows = []
    for name, kit_args, floor, target in table:
        timed(floor, plain, scratch)  # once first: its modules compiled, its files cached
        for which, env in kits.items():
            timed([PY, "-m", "kit", *kit_args[which]], env, scratch)
        runs: dict[str, list[tuple[float, float]]] = {"floor": [], **{k: [] for k in kits}}
        for _ in range(args.repeat):
            runs["floor"].append(timed(floor, plain, scratch))
            for which, env in kits.items():
                runs[which].append(timed([PY, "-m", "kit", *kit_args[which]], env, scratch))
        row: dict[str, Any] = {"command": name, "target": target}
        for which, values in runs.items():
            row[f"{which}_s"] = statistics.median(wall for wall, _cpu in values)
            row[f"{which}_cpu_s"] = statistics.median(cpu for _wall, cpu in values)
        for which, env in kits.items():
            row[f"{which}_ratio"] = row[f"{which}_s"] / row["floor_s"]
            row[f"{which}_cpu_ratio"] = row[f"{which}_cpu_s"] / row["floor_cpu_s"]
            row[f"{which}_modules"] = modules([PY, "-m", "kit", *kit_args[which]], env, scratch)
        row["floor_modules"] = modules(floor, plain, scratch)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    results["rows"] = rows
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs of each (default 15)")
    parser.add_argument("--inspections", type=int, default=30,
                        help="the demo store kit export reads (default 30)")
    parser.add_argument("--sample", action="store_true",
                        help="export the sample company's full record, imported into the store")
    parser.add_argument("--only", choices=["export"], default=None,
                        help="time only this command (and its floor)")
    parser.add_argument("--baseline-rev", default="",
                        help="another commit to run alongside (e.g. main before the change)")
    parser.add_argument("--out", type=Path, default=OUT,
                        help="where startup.json goes (default benchmarks/out)")
    parser.add_argument("--tiny", action="store_true",
                        help="three runs each, three inspections, no baseline: seconds, to "
                             "check that it runs (its figures mean nothing)")
    args = parser.parse_args()
    if args.tiny:
        args.repeat, args.inspections, args.baseline_rev = 3, 3, ""
    base = worktree(args.baseline_rev)
    if args.baseline_rev and base is None:
        raise SystemExit(f"git could not check out {args.baseline_rev} into a worktree")
    try:
        with tempfile.TemporaryDirectory(prefix="kit-startup-") as scratch:
            results = measure(args, Path(scratch), base)
    finally:
        remove_worktree(base)
    results.update(repeat=args.repeat, inspections=args.inspections, sample=args.sample,
                   baseline_rev=args.baseline_rev or None, python=sys.version.split()[0],
                   cpus=os.cpu_count())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "startup.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"\npython -c pass: {1000 * float(results['pass_s']):.0f} ms "  # type: ignore[arg-type]
          f"(medians of {args.repeat} runs; wall, and CPU in the kernel's account, which "
          "other work on the machine disturbs less)")
    head = (f"{'command':24} {'floor ms':>8} {'kit ms':>7} {'ratio':>6} {'cpu':>6} "
            f"{'target':>6} {'modules':>7}")
    if base is not None:
        head += f" {'before ms':>9} {'ratio':>6} {'cpu':>6} {'modules':>7}"
    print(head)
    met = True
    for row in results["rows"]:  # type: ignore[attr-defined]
        met &= row["kit_ratio"] <= row["target"]
        line = (f"{row['command']:24} {1000 * row['floor_s']:>8.0f} {1000 * row['kit_s']:>7.0f} "
                f"{row['kit_ratio']:>6.2f} {row['kit_cpu_ratio']:>6.2f} {row['target']:>5.1f}x "
                f"{row['kit_modules']:>7}")
        if base is not None:
            line += (f" {1000 * row['baseline_s']:>9.0f} {row['baseline_ratio']:>6.2f} "
                     f"{row['baseline_cpu_ratio']:>6.2f} {row['baseline_modules']:>7}")
        print(line)
    print(f"targets: each command within its floor's multiple: {'met' if met else 'NOT ALL MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
