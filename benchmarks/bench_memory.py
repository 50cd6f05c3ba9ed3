"""A person's pod in memory: their server and its kernel with the inspector app's checklist open.

Run ``python benchmarks/bench_memory.py [--repeat 3] [--db-url URL] [--no-browser]``. Each
round starts a person's server as the office server starts it in their pod (``python -m
kit.server`` over the shipped notebooks: Voila on jupyter_server, no preheated kernel, the
kit's kernel limits), opens the inspector app on the demo inspection at its checklist
(``voila/render/app.ipynb?id=…&stage=checklist``) in Debian's Chromium, waits for the first
item's result buttons, and reads the memory of the server and of its kernel: PSS (the
proportional set size, shared pages divided among their sharers: what a pod's memory limit
counts best) where ``/proc/PID/smaps_rollup`` has it, else RSS. Reported: the medians of the
server, the kernel and their sum against the target (<= 150 MiB for a person's pod), and the
Python packages with native code loaded in the kernel (from ``/proc/PID/maps``) that the
checklist does not need.

The floor, in the same run: a bare kernel (``python -m ipykernel_launcher`` with
``import ipywidgets``) and a bare jupyter_server, to show what the kit itself adds.

Without Chromium (or with ``--no-browser``) the page is fetched over HTTP: Voila runs the
notebook in the kernel for the request, so the checklist is built in the kernel all the same
(no browser connects to it). ``--tiny``: one round, over HTTP, in seconds: to check that it
runs (CI does); its figures mean nothing. The store is a SQLite file with the demo inspection
unless ``--db-url`` names a PostgreSQL database (as in a pod).
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
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kit import server as serve  # noqa: E402
from kit.resources import shipped_dir  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, _stop_group, free_port, wait_http  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
TARGET_MIB = 150
#: packages with native code the checklist does not use (if the kernel loads one, it is named)
#: (openpyxl is pure Python: numpy and lxml, which it imports, tell it is there)
NOT_NEEDED = ("pandas", "matplotlib", "PIL", "pyarrow", "scipy", "lxml", "reportlab", "fitz",
              "kiwisolver", "contourpy", "duckdb", "cryptography", "numpy", "pikepdf",
              "fontTools")


def memory_kib(pid: int) -> tuple[int, str]:
    """The process's PSS (else RSS) in KiB, and which it is."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        return next(int(line.split()[1]) for line in text.splitlines()
                    if line.startswith("Pss:")), "PSS"
    except (OSError, StopIteration):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]), "RSS"
    return 0, "RSS"


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def native_packages(pid: int) -> list[str]:
    """The top-level packages under site-packages whose shared libraries the process mapped."""
    found = set()
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return []
    for line in maps.splitlines():
        path = line.split()[-1] if line.count(" ") >= 5 else ""
        if "-packages/" in path and ".so" in path.rsplit("/", 1)[-1]:
            top = path.split("-packages/", 1)[1].split("/", 1)[0]
            found.add(top.removesuffix(".libs").split(".cpython-")[0])
    return sorted(found)


def person_server(notebooks: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """A person's server as their pod runs it (no preheated kernel, the Hub's limits)."""
    port = free_port()
    argv = serve.voila_argv(notebooks, port=port, preheat=False,
                            max_kernels=serve.MAX_KERNELS_PER_PERSON,
                            max_tabs=serve.MAX_KERNELS_PER_PERSON)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/")
    except BaseException:
        _stop_group(proc)  # type: ignore[arg-type]
        raise
    return proc, port


def open_checklist(url: str, browser: Any) -> Any:
    """The app at its checklist, in Chromium (the page kept open) or over HTTP (None)."""
    if browser is None:
        with urllib.request.urlopen(url, timeout=300) as page:
            body = page.read().decode("utf-8", "replace")
        if "application/vnd.jupyter.widget-view+json" not in body or \
                "application/vnd.jupyter.stderr" in body:
            msg = "the app's page holds no widget or an error: the notebook did not run"
            raise RuntimeError(msg)
        return None
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(url)
    page.locator(".kit-item-7_1_c1 .kit-r:not([disabled])").first.wait_for(timeout=180_000)
    return context


def one_round(notebooks: Path, env: dict[str, str], iid: str, browser: Any,
              settle: float) -> dict[str, Any]:
    proc, port = person_server(notebooks, env)
    try:
        url = (f"http://127.0.0.1:{port}/voila/render/app.ipynb?id={iid}&stage=checklist"
               "&section=7.1")
        context = open_checklist(url, browser)
        time.sleep(settle)
        kernels = [p for p in children(proc.pid)
                   if "ipykernel" in Path(f"/proc/{p}/cmdline").read_bytes().decode(
                       "utf-8", "replace")]
        server_kib, kind = memory_kib(proc.pid)
        kernel_kib = sum(memory_kib(p)[0] for p in kernels)
        packages = native_packages(kernels[0]) if kernels else []
        if context is not None:
            context.close()
    finally:
        _stop_group(proc)  # type: ignore[arg-type]
    return {"server_mib": server_kib / 1024, "kernel_mib": kernel_kib / 1024,
            "pod_mib": (server_kib + kernel_kib) / 1024, "kernels": len(kernels),
            "measure": kind, "native_packages": packages,
            "not_needed": [p for p in packages if p in NOT_NEEDED]}


def floor_round(env: dict[str, str], settle: float) -> dict[str, Any]:
    """A bare kernel that imports ipywidgets, and a bare jupyter_server, as processes."""
    code = ("import ipywidgets, time, sys; sys.stdout.write('ready\\n'); sys.stdout.flush(); "
            "time.sleep(600)")
    kernel = subprocess.Popen([sys.executable, "-c", "import ipykernel, zmq; " + code],
                              env=env, stdout=subprocess.PIPE, start_new_session=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "jupyter_server", f"--port={port}",
                               "--ServerApp.token=", "--no-browser", "--ServerApp.ip=127.0.0.1",
                               *(["--allow-root"] if os.getuid() == 0 else [])],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        assert kernel.stdout is not None
        kernel.stdout.readline()
        wait_http(f"http://127.0.0.1:{port}/api")
        time.sleep(settle)
        return {"bare_kernel_mib": memory_kib(kernel.pid)[0] / 1024,
                "bare_server_mib": memory_kib(server.pid)[0] / 1024}
    finally:
        for p in (kernel, server):
            _stop_group(p)  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db-url", default="", help="a PostgreSQL store (default: SQLite)")
    parser.add_argument("--no-browser", action="store_true",
                        help="fetch the page over HTTP instead of opening it in Chromium")
    parser.add_argument("--out", type=Path, default=OUT, help="where memory.json is written")
    parser.add_argument("--tiny", action="store_true",
                        help="one round over HTTP: to check that it runs (figures mean nothing)")
    args = parser.parse_args()
    if args.tiny:
        args.repeat, args.no_browser = 1, True
    settle = 1.0 if args.tiny else 5.0
    browse = not args.no_browser and Path(CHROMIUM).exists()
    with tempfile.TemporaryDirectory(prefix="kit-bench-memory-") as tmp:
        from kit.door import Door, Identity
        from kit.interchange import load_demo

        data = Path(tmp) / "data"
        with Door.connect(args.db_url or None, data_dir=str(data),
                          identity=Identity("bench")) as door:
            iid = load_demo(door)
        env = serve.serve_env(data_dir=str(data), db_url=args.db_url or None, user="bench")
        # the kernels import this kit (run from a checkout: as installed in the image)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", ""))
                                            if p)
        notebooks = shipped_dir("notebooks")
        rounds, floors = [], []
        if browse:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for _ in range(args.repeat):
                    rounds.append(one_round(notebooks, env, iid, browser, settle))
                    floors.append(floor_round(env, settle))
                browser.close()
        else:
            for _ in range(args.repeat):
                rounds.append(one_round(notebooks, env, iid, None, settle))
                floors.append(floor_round(env, settle))
    for r in rounds:
        print(json.dumps(r, ensure_ascii=False), flush=True)
    med = {k: statistics.median(r[k] for r in rounds)
           for k in ("server_mib", "kernel_mib", "pod_mib")}
    med |= {k: statistics.median(f[k] for f in floors)
            for k in ("bare_kernel_mib", "bare_server_mib")}
    summary = med | {"target_mib": TARGET_MIB, "measure": rounds[0]["measure"],
                     "opened_in": "chromium" if browse else "http",
                     "not_needed": rounds[0]["not_needed"],
                     "native_packages": rounds[0]["native_packages"]}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "memory.json").write_text(json.dumps({"rounds": rounds, "floors": floors,
                                                      "summary": summary}, indent=1))
    print(f"\npackages with native code in the kernel: {', '.join(summary['native_packages'])}")
    print(f"of which the checklist does not need: {', '.join(summary['not_needed']) or 'none'}")
    print(f"a person's pod ({summary['measure']}, checklist open in {summary['opened_in']}): "
          f"server {med['server_mib']:.0f} MiB + kernel {med['kernel_mib']:.0f} MiB = "
          f"{med['pod_mib']:.0f} MiB (target <= {TARGET_MIB}); bare server "
          f"{med['bare_server_mib']:.0f} MiB, bare kernel with ipywidgets "
          f"{med['bare_kernel_mib']:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
