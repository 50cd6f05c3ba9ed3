"""Benchmark the served app in headless Chromium against a bare Voila page, in the same run.

Prints:
1. time from navigation to the first checklist section being interactive (its result buttons
   enabled), median of N loads, vs a bare one-label notebook served by the same Voila with the
   same settings (target: <= 1.3x);
2. a result tap's round trip: tap, the kernel's save and rule check, the row updated;
3. live kernels right after 20 page loads, and after the idle-cull period (closed tabs'
   kernels must go away; skip with --no-cull-wait);
4. kernel memory (RSS) of the app's kernel vs a bare kernel that imports pandas.

Run: ``python benchmarks/bench_app.py [--loads 7] [--no-cull-wait]`` (needs Debian's chromium).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kit import server as serve  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, wait_http  # noqa: E402

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
    def __init__(self, argv: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        wait_http(f"http://127.0.0.1:{port}/")
        time.sleep(4)  # let the preheated kernel fill the pool

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


def time_loads(browser, url: str, selector: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        context = browser.new_context()
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.locator(selector).first.wait_for(state="visible", timeout=120_000)
        times.append(time.perf_counter() - start)
        context.close()
        time.sleep(2.5)  # the pool refills its preheated kernel between loads
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--no-cull-wait", action="store_true")
    parser.add_argument("--inspections", type=int, default=1,
                        help="inspections in the store (a copy of bench_scale.py's cached store "
                             "of that size when more than 1)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from kit.interchange import load_demo
    from kit.store import Store

    tmp = Path(tempfile.mkdtemp(prefix="kit-bench-app-"))
    (tmp / "bare.ipynb").write_text(json.dumps(BARE))
    (tmp / "pandas.ipynb").write_text(json.dumps(PANDAS))
    env = serve.serve_env(data_dir=str(tmp / "data"), user="bench")  # no name to ask for
    if args.inspections > 1:
        import shutil
        import sqlite3

        from bench_scale import build_store

        folder, iid = build_store(args.inspections)
        db = sqlite3.connect(folder / "kit.sqlite")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        (tmp / "data").mkdir()
        shutil.copy(folder / "kit.sqlite", tmp / "data" / "kit.sqlite")
    else:
        iid = load_demo(Store(data_dir=tmp / "data"), user="bench")
    print(f"store: {args.inspections:,} inspection(s)")
    app_port, bare_port, pandas_port = free_port(), free_port(), free_port()
    app = Server(serve.voila_argv(serve.notebook_path("app"), port=app_port), env, app_port)
    bare = Server(serve.voila_argv(tmp / "bare.ipynb", port=bare_port), env, bare_port)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        app_url = f"http://127.0.0.1:{app_port}/?id={iid}&stage=checklist&section=7.1"
        first_item = ".kit-item-7_1_c1 .kit-r:not([disabled])"
        bare_url = f"http://127.0.0.1:{bare_port}/"
        # Interleave so that machine noise hits both alike.
        app_times, bare_times = [], []
        for _ in range(args.loads):
            app_times += time_loads(browser, app_url, first_item, 1)
            bare_times += time_loads(browser, bare_url, ".widget-label", 1)
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
        for k in range(12):
            wrong = k % 2 == 0
            start = time.perf_counter()
            row.locator(".kit-r-nonconform" if wrong else ".kit-r-conform").click()
            problem = row.locator(".kit-problem", has_text="尚未记录问题")
            if wrong:
                problem.wait_for(timeout=30_000)
            else:
                problem.wait_for(state="detached", timeout=30_000)
            taps.append(time.perf_counter() - start)
        page.close()
        print(f"a result tap's round trip (tap, save, rules, row updated): median "
              f"{statistics.median(taps) * 1000:.0f} ms (min {min(taps) * 1000:.0f}, max "
              f"{max(taps) * 1000:.0f}) over {len(taps)} taps")

        for _ in range(20):
            context = browser.new_context()
            page = context.new_page()
            page.goto(app_url)
            page.locator(first_item).first.wait_for(state="visible", timeout=120_000)
            context.close()
        time.sleep(3)
        live = kernels_of(app.proc.pid)
        print(f"live kernels after 20 page loads: {len(live)} (preheated pool: 1)")
        app_rss = [rss_mib(p) for p in live]
        browser.close()
    if not args.no_cull_wait:
        wait = serve.CULL_IDLE_SECONDS + 2 * serve.CULL_INTERVAL_SECONDS
        print(f"waiting {wait} s for the idle cull...")
        time.sleep(wait)
        print(f"live kernels after the cull period: {len(kernels_of(app.proc.pid))}")
    pandas_server = Server(serve.voila_argv(tmp / "pandas.ipynb", port=pandas_port), env,
                           pandas_port)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{pandas_port}/")
        page.locator(".widget-label").first.wait_for(timeout=120_000)
        pandas_rss = [rss_mib(p) for p in kernels_of(pandas_server.proc.pid)]
        browser.close()
    print(f"kernel memory: app kernel median {statistics.median(app_rss):.0f} MiB vs bare "
          f"kernel importing pandas {statistics.median(pandas_rss):.0f} MiB "
          f"(ratio {statistics.median(app_rss) / statistics.median(pandas_rss):.2f}x)")
    for server in (app, bare, pandas_server):
        server.stop()
    os.environ.pop("KIT_DATA_DIR", None)


if __name__ == "__main__":
    main()
