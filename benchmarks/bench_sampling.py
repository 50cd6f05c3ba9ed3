"""Timings of the record-sampling engine and the register import, each against a bare baseline.

Run ``python benchmarks/bench_sampling.py`` (``--rows`` and ``--xlsx-rows`` to change sizes,
``--tiny`` for small ones once, in seconds, to check that it runs: CI does). Prints, best of
``--repeat`` runs each, measured in the same process (verdicts printed, never the exit code):

1. :func:`kit.sampling.sample` over a generated 1,000,000-row records register, against one
   ``groupby(["record_type", "product"]).size()`` over the same frame (target <= 5x);
2. :func:`kit.sampling.read_register` of a 100,000-row .xlsx, against a bare
   ``pd.read_excel(path, engine="calamine")`` of the same file (target <= 1.3x).

The .xlsx takes a while to write, so it is cached under ``benchmarks/out/`` (git-ignored) or
``--out``.
Not collected by pytest (the file name does not start with ``test_``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from kit.sampling import read_register, sample

OUT = Path(__file__).resolve().parent / "out"
TYPES = np.array(["采购记录", "进货检验记录", "生产记录", "过程检验记录", "灭菌记录", "出厂检验记录",
                  "放行记录", "销售记录"])
STAGES = np.array(["采购", "进货检验", "注塑", "装配", "过程检验", "灭菌", "出厂检验", "放行", "销售"])
# the stage of each record type: 生产记录 covers two stages
TYPE_OF_STAGE = np.array([0, 1, 2, 2, 3, 4, 5, 6, 7])
CONDITIONS = np.array(["1号线", "2号线", "3号线", "供应商甲", "供应商乙", ""])


def make_records(n: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A register of ``n`` records as :mod:`kit.sampling` types it, plus products, documents.

    40 products, batches of 9 to 20 records walking through the stages over three weeks, two
    years of dates ending at the inspection date 2026-11-20, four conditions, two document
    versions per document, measured data with a few out-of-limit values and wrong verdicts.
    """
    rng = np.random.default_rng(seed)
    n_products = 40
    product = rng.integers(0, n_products, n)
    stage = rng.integers(0, len(STAGES), n)
    batch_no = rng.integers(0, max(n // 15, 1), n)
    batch_day = (batch_no * 7919) % 730  # a batch starts on one day of two years
    day = np.clip(batch_day + stage * 2 + rng.integers(0, 3, n), 0, 729)
    dates = np.datetime64("2024-11-21", "D") + day.astype("timedelta64[D]")
    rtype = TYPE_OF_STAGE[stage]
    value = rng.normal(100.0, 2.0, n)
    value[rng.random(n) < 0.001] = 60.0
    inside = (value >= 90) & (value <= 110)
    verdict = np.where(inside, "合格", "不合格")
    flip = rng.random(n) < 0.0005
    verdict = np.where(flip, np.where(inside, "不合格", "合格"), verdict)
    doc = (rtype * n_products + product)
    version = np.where(dates >= np.datetime64("2026-01-01"), "B/0", "A/0")
    version = np.where(rng.random(n) < 0.001, "A/0", version)
    records = pd.DataFrame({
        "record_id": pd.Series(np.char.add("R", np.arange(n).astype("U8"))).astype("str"),
        "record_type": pd.Series(TYPES[rtype]).astype("str"),
        "product": pd.Series(np.char.add("产品", product.astype("U3"))).astype("str"),
        "batch": pd.Series(np.char.add("B", batch_no.astype("U7"))).astype("str"),
        "record_date": dates.astype("datetime64[ns]"),
        "condition": pd.Series(CONDITIONS[rng.integers(0, len(CONDITIONS), n)]).replace(
            "", pd.NA).astype("str"),
        "stage": pd.Series(STAGES[stage]).astype("str"),
        "doc_id": pd.Series(np.char.add("SOP-", doc.astype("U4"))).astype("str"),
        "doc_version": pd.Series(version).astype("str"),
        "测量值": value.round(3),
        "lower": np.full(n, 90.0), "upper": np.full(n, 110.0),
        "conclusion": pd.Series(verdict).astype("str"),
    })
    products = pd.DataFrame({
        "product": [f"产品{i}" for i in range(n_products)],
        "volume": rng.integers(10_000, 5_000_000, n_products).astype(float),
        "class": rng.integers(1, 4, n_products), "high_risk": rng.random(n_products) < 0.3})
    ids = [f"SOP-{d}" for d in range(len(TYPES) * n_products)]
    documents = pd.DataFrame({
        "doc_id": ids * 2, "version": ["A/0"] * len(ids) + ["B/0"] * len(ids),
        "effective_from": pd.to_datetime(["2020-01-01"] * len(ids) + ["2026-01-01"] * len(ids)),
        "effective_to": pd.to_datetime(["2025-12-31"] * len(ids) + [None] * len(ids))})
    return records, products, documents


def race(engine: Callable[[], object], baseline: Callable[[], object],
         repeat: int) -> tuple[float, float, float, float]:
    """Best wall and CPU seconds of each, runs interleaved so that load on a shared machine
    falls on both alike: (engine wall, baseline wall, engine CPU, baseline CPU)."""
    walls: dict[str, list[float]] = {"e": [], "b": []}
    cpus: dict[str, list[float]] = {"e": [], "b": []}
    for _ in range(repeat):
        for key, run in (("b", baseline), ("e", engine)):
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            walls[key].append(time.perf_counter() - wall)
            cpus[key].append(time.process_time() - cpu)
    return min(walls["e"]), min(walls["b"]), min(cpus["e"]), min(cpus["b"])


def xlsx_file(rows: int, out: Path = OUT) -> Path:
    """A records register of ``rows`` rows as .xlsx, written once and cached under ``out``."""
    path = out / f"records_{rows}.xlsx"
    if path.exists():
        return path
    out.mkdir(parents=True, exist_ok=True)
    records, _, _ = make_records(rows, seed=2)
    headers = {"record_id": "记录编号", "record_type": "记录类型", "product": "产品", "batch": "批号",
               "record_date": "记录日期", "condition": "条件", "stage": "工序", "doc_id": "文件编号",
               "doc_version": "文件版本", "lower": "下限", "upper": "上限", "conclusion": "结论"}
    print(f"writing {path} ({rows:,} rows, once) ...", flush=True)
    tmp = path.with_suffix(".tmp.xlsx")
    records.rename(columns=headers).to_excel(tmp, index=False, sheet_name="记录")
    tmp.rename(path)
    return path


def report(name: str, times: tuple[float, float, float, float], target: float) -> bool:
    engine, baseline, engine_cpu, baseline_cpu = times
    ratio = engine / baseline
    ok = ratio <= target
    print(f"{name}:\n  engine {engine:.3f} s, baseline {baseline:.3f} s, ratio {ratio:.2f}x "
          f"(target <= {target}x) {'OK' if ok else 'OVER TARGET'}\n"
          f"  CPU time: engine {engine_cpu:.3f} s, baseline {baseline_cpu:.3f} s, "
          f"ratio {engine_cpu / baseline_cpu:.2f}x")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT,
                        help="where the .xlsx is cached (default benchmarks/out)")
    parser.add_argument("--tiny", action="store_true",
                        help="20,000 records and a 1,000-row .xlsx, once: seconds, to check "
                             "that the benchmark runs (its figures mean nothing)")
    args = parser.parse_args(argv)
    if args.tiny:
        args.rows, args.xlsx_rows, args.repeat = 20_000, 1_000, 1

    records, products, documents = make_records(args.rows)
    print(f"register: {len(records):,} records, {records['product'].nunique()} products, "
          f"{records['batch'].nunique():,} batches")
    result = sample(records, products, documents, "2026-11-20", seed=7)
    print(f"selection: {len(result.selection):,} records in {len(result.groups):,} groups")
    times = race(lambda: sample(records, products, documents, "2026-11-20", seed=7),
                 lambda: records.groupby(["record_type", "product"]).size(), args.repeat)
    ok = report("sample() vs groupby([record_type, product]).size()", times, 5.0)

    path = xlsx_file(args.xlsx_rows, args.out)
    times = race(lambda: read_register(path, "records"),
                 lambda: pd.read_excel(path, engine="calamine"), args.repeat)
    ok &= report("read_register() vs pd.read_excel(engine='calamine')", times, 1.3)
    print("targets met" if ok else "NOT ALL TARGETS MET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
