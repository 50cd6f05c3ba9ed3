"""``kit companies import`` of the office's register, against pandas reading the same file.

Run ``python benchmarks/bench_register.py [--rows 5000] [--repeat 7] [--out DIR]``;
``--tiny`` runs a 200-company register three times, in seconds (CI does, so that the script
cannot rot; its figures mean nothing). The register has ``--rows`` companies on the 企业 sheet
(fictional, valid credit codes, Chinese dates in mixed forms) and two products each on the 产品
sheet; it is written once under ``benchmarks/out/`` or ``--out``. Timed, call by call
interleaved, medians with the spread (25th-75th percentile) of ``--repeat`` runs:

* **read**: ``read_register(F)``, every row checked (credit code, class, dates, formulas,
  duplicates, the products' companies); floor: ``pandas.read_excel(F, sheet_name=None)``
  (engine openpyxl, the same reader) of both sheets, nothing checked. Target <= 3x.
* **import**: the whole ``kit companies import F``, in-process: read, then every company added
  to an empty SQLite store with its trail entry; floor as above. Target <= 4x.
* **re-import**: the same file into a store that holds it with a tenth of the companies
  changed (each an update with its before and after); floor as above. Target <= 4x.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import OUT, interleaved, stats

TARGETS = {"read": 3.0, "import": 4.0, "re-import": 4.0}
DATE_FORMS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日")


def register(rows: int, out: Path) -> Path:
    """A register of ``rows`` fictional companies (written once, under ``out``)."""
    from kit.identifiers import make_credit_code
    from kit.register import RegisteredCompany, RegisteredProduct, write_register

    path = out / f"register_{rows}.xlsx"
    if path.exists():
        return path
    out.mkdir(parents=True, exist_ok=True)
    print(f"writing {path.name} ({rows:,} companies, once) ...", file=sys.stderr, flush=True)
    companies = []
    for k in range(rows):
        day = date(2015, 1, 1) + timedelta(days=k % 3650)
        class_one = k % 5 == 0
        companies.append(RegisteredCompany(
            make_credit_code(f"9111010{k:010d}"), f"北京第{k}号医疗器械有限公司",
            ("海淀区", "大兴区", "昌平区", "朝阳区")[k % 4], k % 7 == 0,
            licence_no="" if class_one else f"京药监械生产许{2015 + k % 10}{k:05d}号",
            licence_issued=None if class_one else day,
            licence_expires=None if class_one else day + timedelta(days=1826),
            filing_no=f"京海械生产备{2015 + k % 10}{k:05d}号" if class_one else "",
            filed_on=day if class_one else None,
            products=(RegisteredProduct("医用棉签" if class_one else "电子血压计",
                                        "I" if class_one else "II", "07-03-01",
                                        f"京械注准{k:010d}"),
                      RegisteredProduct("检查手套" if class_one else "一次性使用输液器",
                                        "I" if class_one else "III", "14-02-01",
                                        f"国械注准{k:010d}"))))
    tmp = path.with_suffix(".tmp.xlsx")
    write_register(companies, tmp)
    tmp.rename(path)
    return path


def changed(path: Path) -> list[Any]:
    """The register's companies with every tenth moved to another district."""
    from dataclasses import replace

    from kit.register import read_register

    return [replace(c, region="通州区") if k % 10 == 0 else c
            for k, c in enumerate(read_register(path))]


def measure(rows: int, repeat: int, out: Path) -> list[dict[str, Any]]:
    import pandas as pd

    from kit.door import Door, Identity
    from kit.register import read_register

    path = register(rows, out)
    older = changed(path)
    scratch = Path(tempfile.mkdtemp(prefix="bench_register_"))
    doors: list[Door] = []

    def fresh(i: int, seed: list[Any] | None = None) -> Door:
        door = Door.connect(data_dir=str(scratch / f"s{len(doors)}_{i}"),
                            identity=Identity("王科长"))
        if seed is not None:
            door.import_companies(seed)
        doors.append(door)
        return door

    # the stores a re-import finds, made before the clock runs
    prepared = [fresh(i, older) for i in range(repeat)]
    targets = [fresh(i) for i in range(repeat)]
    times = interleaved({
        "floor": lambda _i: pd.read_excel(path, sheet_name=None, dtype=object, engine="openpyxl"),
        "read": lambda _i: read_register(path),
        "import": lambda i: targets[i].import_companies(read_register(path)),
        "re-import": lambda i: prepared[i].import_companies(read_register(path)),
    }, repeat)
    assert len(prepared[0].company_trail()) == rows + -(-rows // 10)  # the updates were made
    for door in doors:
        door.close()
    shutil.rmtree(scratch, ignore_errors=True)
    floor = stats(times["floor"])
    out_rows = []
    for name in ("read", "import", "re-import"):
        s = stats(times[name])
        out_rows.append({"path": name, "rows": rows, "ms": s["median"] * 1e3,
                         "ms_p25": s["p25"] * 1e3, "ms_p75": s["p75"] * 1e3,
                         "floor_ms": floor["median"] * 1e3, "ratio": s["median"] / floor["median"],
                         "target": TARGETS[name]})
    return out_rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="companies (default 5000)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT,
                        help="the register and register.json (default benchmarks/out)")
    parser.add_argument("--tiny", action="store_true",
                        help="200 companies, three runs: seconds, to check that it runs")
    args = parser.parse_args()
    if args.tiny:
        args.rows, args.repeat = 200, 3
    results = measure(args.rows, args.repeat, args.out)
    (args.out / "register.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"\nkit companies import of {args.rows:,} companies ({2 * args.rows:,} products) vs "
          f"pandas.read_excel of the same file, medians of {args.repeat}")
    print(f"{'path':10} {'median ms':>10} {'p25-p75':>15} {'pandas ms':>10} {'ratio':>6} "
          f"{'target':>6}")
    ok = True
    for r in results:
        ok &= r["ratio"] <= r["target"]
        print(f"{r['path']:10} {r['ms']:>10.0f} {r['ms_p25']:>7.0f}-{r['ms_p75']:<7.0f} "
              f"{r['floor_ms']:>10.0f} {r['ratio']:>6.2f} {r['target']:>5.1f}x")
    print(f"targets: {'met' if ok else 'NOT ALL MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
