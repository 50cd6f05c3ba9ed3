"""Benchmark the served app in headless Chromium against a bare Voila page, in the same run.

Prints:
1. time from navigation to the first checklist section being interactive (its result buttons
   enabled), median of N loads, vs a bare one-label notebook served by the same Voila with the
   same settings (target: <= 1.3x);
2. a result tap's round trip: tap, the kernel's save and rule check, the row updated;
3. live kernels right after 20 page loads, and after the idle-cull period (closed tabs'
   kernels must go away; skip with --no-cull-wait);
4. kernel memory (RSS) of the app's kernel vs a bare kernel that imports pandas.

Run: ``python benchmarks/bench_app.py [--loads 7] [--no-cull-wait] [--out DIR]`` (needs
Debian's chromium). ``--tiny``: one load each, two taps, two page loads, no cull wait: to check
that it runs (CI does where Chromium is installed); its figures mean nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kit import server as serve  # noqa: E402
from tests.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    _stop_group,
    free_port,
    wait_http,
)

OUT = ROOT / "benchmarks" / "out"

BARE = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "bare", "metadata": {},
               "outputs": [], "source": ["import ipywidgets as W\n", "W.Label('bare')"]}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}
PANDAS = dict(BARE, cells=[dict(BARE["cells"][0], source=[
    "import pandas as pd\n", "import ipywidgets as W\n", "W.Label('pandas')"])])


def kernels_of(server_pid: int) -> list[int]:
    """Kernel processes started by a Voila server (its ipykernel children)."""
    out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout
    pids = []
    for line in out.splitlines()[1:]:
        pid, ppid, args = line.strip().split(None, 2)
        if int(ppid) == server_pid and "ipykernel" in args:
            pids.append(int(pid))
    return pids


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """A Voila server on ``port`` (its own process group), stopped with its kernels."""

    def __init__(self, argv: list[str], env: dict[str, str], port: int, settle: float) -> None:
        self.port = port
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            wait_http(f"http://127.0.0.1:{port}/")
        except BaseException:
            self.stop()
            raise
        time.sleep(settle)  # let the preheated kernel fill the pool

    def stop(self) -> None:
        _stop_group(self.proc)  # type: ignore[arg-type]


def time_loads(browser, url: str, selector: str, n: int, settle: float = 2.5) -> list[float]:
    times = []
    for _ in range(n):
        context = browser.new_context()
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.locator(selector).first.wait_for(state="visible", timeout=120_000)
        times.append(time.perf_counter() - start)
        context.close()
        time.sleep(settle)  # the pool refills its preheated kernel between loads
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--no-cull-wait", action="store_true")
    parser.add_argument("--inspections", type=int, default=1,
                        help="inspections in the store (a copy of bench_scale.py's cached store "
                             "of that size when more than 1)")
    parser.add_argument("--out", type=Path, default=OUT,
                        help="where bench_scale.py's stores are cached (default benchmarks/out)")
    parser.add_argument("--tiny", action="store_true",
                        help="one load each, two taps, two page loads, no cull wait: to check "
                             "that the benchmark runs (its figures mean nothing)")
    args = parser.parse_args()
    if args.tiny:
        args.loads, args.no_cull_wait = 1, True
    if not Path(CHROMIUM).exists():
        print(f"bench_app needs Debian's chromium ({CHROMIUM}); apt-get install chromium",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="kit-bench-app-") as tmp, ExitStack() as servers:
        run(args, Path(tmp), servers)
    return 0


def run(args: argparse.Namespace, tmp: Path, servers: ExitStack) -> None:
    from playwright.sync_api import sync_playwright

    from kit.door import Door, Identity
    from kit.interchange import load_demo

    settle = 1.0 if args.tiny else 4.0
    taps_n, loads_n = (2, 2) if args.tiny else (12, 20)
    (tmp / "bare.ipynb").write_text(json.dumps(BARE))
    (tmp / "pandas.ipynb").write_text(json.dumps(PANDAS))
    env = serve.serve_env(data_dir=str(tmp / "data"), user="bench")  # no name to ask for
    if args.inspections > 1:
        import shutil
        import sqlite3

        from bench_scale import build_store

        folder, iid = build_store(args.inspections, args.out)
        db = sqlite3.connect(folder / "kit.sqlite")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        (tmp / "data").mkdir()
        shutil.copy(folder / "kit.sqlite", tmp / "data" / "kit.sqlite")
    else:
        with Door.connect(data_dir=str(tmp / "data"), identity=Identity("bench")) as door:
            iid = load_demo(door)
    print(f"store: {args.inspections:,} inspection(s)")

    def server(notebook: Path) -> Server:
        port = free_port()
        started = Server(serve.voila_argv(notebook, port=port), env, port, settle)
        servers.callback(started.stop)
        return started

    app, bare = server(serve.notebook_path("app")), server(tmp / "bare.ipynb")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        app_url = f"http://127.0.0.1:{app.port}/?id={iid}&stage=checklist&section=7.1"
        first_item = ".kit-item-7_1_c1 .kit-r:not([disabled])"
        bare_url = f"http://127.0.0.1:{bare.port}/"
        # Interleave so that machine noise hits both alike.
        app_times, bare_times = [], []
        for _ in range(args.loads):
            app_times += time_loads(browser, app_url, first_item, 1, settle)
            bare_times += time_loads(browser, bare_url, ".widget-label", 1, settle)
        a, b = statistics.median(app_times), statistics.median(bare_times)
        print(f"first checklist section interactive: app median {a:.2f} s "
              f"(min {min(app_times):.2f}), bare page median {b:.2f} s "
              f"(min {min(bare_times):.2f}); ratio {a / b:.2f}x (target <= 1.3x)")

        # a result tap's round trip: the tap, the kernel's save and rule check, the row's
        # problem shown from what the kernel sent back (不符合 brings "no finding yet")
        page = browser.new_page()
        page.goto(app_url)
        row = page.locator(".kit-item-7_1_c1")
        row.locator(".kit-r-nonconform:not([disabled])").wait_for(timeout=120_000)
        taps = []
        for k in range(taps_n):
            wrong = k % 2 == 0
            start = time.perf_counter()
            row.locator(".kit-r-nonconform" if wrong else ".kit-r-conform").click()
            problem = row.locator(".kit-problem", has_text="尚未记录问题")
            if wrong:
                problem.wait_for(timeout=120_000)
            else:
                problem.wait_for(state="detached", timeout=120_000)
            taps.append(time.perf_counter() - start)
        page.close()
        print(f"a result tap's round trip (tap, save, rules, row updated): median "
              f"{statistics.median(taps) * 1000:.0f} ms (min {min(taps) * 1000:.0f}, max "
              f"{max(taps) * 1000:.0f}) over {len(taps)} taps")

        for _ in range(loads_n):
            context = browser.new_context()
            page = context.new_page()
            page.goto(app_url)
            page.locator(first_item).first.wait_for(state="visible", timeout=120_000)
            context.close()
        time.sleep(settle)
        live = kernels_of(app.proc.pid)
        print(f"live kernels after {loads_n} page loads: {len(live)} (preheated pool: 1)")
        app_rss = [rss_mib(p) for p in live]
        browser.close()
    if not args.no_cull_wait:
        wait = serve.CULL_IDLE_SECONDS + 2 * serve.CULL_INTERVAL_SECONDS
        print(f"waiting {wait} s for the idle cull...")
        time.sleep(wait)
        print(f"live kernels after the cull period: {len(kernels_of(app.proc.pid))}")
    pandas_server = server(tmp / "pandas.ipynb")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{pandas_server.port}/")
        page.locator(".widget-label").first.wait_for(timeout=120_000)
        pandas_rss = [rss_mib(p) for p in kernels_of(pandas_server.proc.pid)]
        browser.close()
    app_mib = statistics.median(app_rss) if app_rss else float("nan")
    pandas_mib = statistics.median(pandas_rss) if pandas_rss else float("nan")
    print(f"kernel memory: app kernel median {app_mib:.0f} MiB vs bare kernel importing pandas "
          f"{pandas_mib:.0f} MiB (ratio {app_mib / pandas_mib:.2f}x)")


if __name__ == "__main__":
    raise SystemExit(main())
