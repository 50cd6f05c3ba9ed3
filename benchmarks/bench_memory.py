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

Also read, for the same processes: their resident pages counted once however many
processes share them (from ``/proc/PID/pagemap``, when this user may read page frame numbers,
as root may): what a pod's own memory cgroup is charged for the pages its processes map, where
PSS would share a library's pages with other pods' processes on the node.

In a pod the server is ``python -m kit.server --hub-user``: the same server with JupyterHub's
sign-in, whose pages no browser here can open without a Hub. What that sign-in adds is
measured apart, in the same round: that server started with the environment the Hub gives
it, idle, against the server above started the same way, idle (``hub_signin_mib``); the
pod's figure with it is the sum.

The floor, in the same run: a bare jupyter_server; a bare process importing ipykernel and
ipywidgets; and a bare kernel running (``ipykernel_launcher`` started by jupyter_client, as
Voila starts one, that has run ``import ipywidgets``), to show what the kit itself adds.

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
import secrets
import socket
import statistics
import struct
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


def resident_kib(pids: list[int]) -> int | None:
    """The pages the processes have in memory, each counted once however many of them map it
    (KiB), or None where page frame numbers cannot be read (they read as 0 without
    CAP_SYS_ADMIN)."""
    frames: set[int] = set()
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in pids:
        try:
            maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
            with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
                for line in maps:
                    start, end = (int(x, 16) for x in line.split()[0].split("-"))
                    if line.endswith("[vsyscall]"):
                        continue
                    pagemap.seek(start // page * 8)
                    data = pagemap.read((end - start) // page * 8)
                    for (entry,) in struct.iter_unpack("<Q", data):
                        if entry >> 63:  # present in memory
                            pfn = entry & ((1 << 55) - 1)
                            if not pfn:
                                return None
                            frames.add(pfn)
        except OSError:
            return None
    return len(frames) * page // 1024


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


def hub_user_server(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``python -m kit.server --hub-user`` with the environment the Hub gives a person's
    server (its Hub at an address nobody answers: nobody signs in here), listening."""
    port, hub, prefix = free_port(), free_port(), "/user/bench/"
    hub_env = env | {
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}{prefix}",
        "JUPYTERHUB_SERVICE_PREFIX": prefix, "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_API_URL": f"http://127.0.0.1:{hub}/hub/api",
        "JUPYTERHUB_ACTIVITY_URL": f"http://127.0.0.1:{hub}/hub/api/users/bench/activity",
        "JUPYTERHUB_CLIENT_ID": "jupyterhub-user-bench", "JUPYTERHUB_HOST": "",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback", "JUPYTERHUB_USER": "bench",
        "JUPYTERHUB_API_TOKEN": secrets.token_hex(16)}
    proc = subprocess.Popen([sys.executable, "-m", "kit.server", "--hub-user"], env=hub_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.2)
    _stop_group(proc)  # type: ignore[arg-type]
    msg = "the person's server under the Hub did not start"
    raise RuntimeError(msg)


def hub_signin_round(notebooks: Path, env: dict[str, str], settle: float) -> dict[str, Any]:
    """What the Hub's sign-in adds to a person's server: both servers idle, same limits."""
    plain, _ = person_server(notebooks, env)
    try:
        hub = hub_user_server(env)
        try:
            time.sleep(settle)
            plain_pages, hub_pages = resident_kib([plain.pid]), resident_kib([hub.pid])
            return {"idle_server_mib": memory_kib(plain.pid)[0] / 1024,
                    "idle_hub_user_server_mib": memory_kib(hub.pid)[0] / 1024,
                    "signin_resident_mib": None if plain_pages is None or hub_pages is None
                    else (hub_pages - plain_pages) / 1024}
        finally:
            _stop_group(hub)  # type: ignore[arg-type]
    finally:
        _stop_group(plain)  # type: ignore[arg-type]


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
        resident = resident_kib([proc.pid, *kernels])
        packages = native_packages(kernels[0]) if kernels else []
        if context is not None:
            context.close()
    finally:
        _stop_group(proc)  # type: ignore[arg-type]
    return {"server_mib": server_kib / 1024, "kernel_mib": kernel_kib / 1024,
            "pod_mib": (server_kib + kernel_kib) / 1024, "kernels": len(kernels),
            "pod_resident_mib": None if resident is None else resident / 1024,
            "measure": kind, "native_packages": packages,
            "not_needed": [p for p in packages if p in NOT_NEEDED]}


def running_kernel_kib(env: dict[str, str], settle: float) -> int:
    """A bare kernel as Voila starts one (jupyter_client, over Unix sockets), that has run
    ``import ipywidgets``: its PSS in KiB."""
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name="python3", transport="ipc",
                            ip=tempfile.mkdtemp(prefix="kit-bench-kernel-") + "/k")
    manager.start_kernel(env=env)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        reply = client.execute_interactive("import ipywidgets", timeout=120)
        if reply["content"]["status"] != "ok":
            msg = "the bare kernel could not import ipywidgets"
            raise RuntimeError(msg)
        time.sleep(settle)
        provisioner = manager.provisioner
        pid = getattr(provisioner, "pid", None) or getattr(
            getattr(provisioner, "process", None), "pid", 0)
        return memory_kib(int(pid))[0]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def floor_round(env: dict[str, str], settle: float) -> dict[str, Any]:
    """A bare process importing ipykernel and ipywidgets, a bare kernel running, and a bare
    jupyter_server."""
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
                "bare_server_mib": memory_kib(server.pid)[0] / 1024,
                "bare_running_kernel_mib": running_kernel_kib(env, settle) / 1024}
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
        rounds, floors, signin = [], [], []
        if browse:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for _ in range(args.repeat):
                    rounds.append(one_round(notebooks, env, iid, browser, settle))
                    floors.append(floor_round(env, settle))
                    signin.append(hub_signin_round(notebooks, env, settle))
                browser.close()
        else:
            for _ in range(args.repeat):
                rounds.append(one_round(notebooks, env, iid, None, settle))
                floors.append(floor_round(env, settle))
                signin.append(hub_signin_round(notebooks, env, settle))
    for r in rounds:
        print(json.dumps(r, ensure_ascii=False), flush=True)
    med = {k: statistics.median(r[k] for r in rounds)
           for k in ("server_mib", "kernel_mib", "pod_mib")}
    med |= {k: statistics.median(f[k] for f in floors)
            for k in ("bare_kernel_mib", "bare_server_mib", "bare_running_kernel_mib")}
    med |= {k: statistics.median(r[k] for r in signin)
            for k in ("idle_server_mib", "idle_hub_user_server_mib")}
    med["hub_signin_mib"] = statistics.median(r["idle_hub_user_server_mib"] - r["idle_server_mib"]
                                              for r in signin)
    med["pod_with_signin_mib"] = med["pod_mib"] + med["hub_signin_mib"]
    resident = [r["pod_resident_mib"] for r in rounds if r["pod_resident_mib"] is not None]
    med["pod_resident_mib"] = statistics.median(resident) if resident else None
    added = [r["signin_resident_mib"] for r in signin if r["signin_resident_mib"] is not None]
    med["pod_with_signin_resident_mib"] = (
        med["pod_resident_mib"] + statistics.median(added)
        if resident and added else None)
    summary = med | {"target_mib": TARGET_MIB, "measure": rounds[0]["measure"],
                     "opened_in": "chromium" if browse else "http",
                     "not_needed": rounds[0]["not_needed"],
                     "native_packages": rounds[0]["native_packages"]}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "memory.json").write_text(json.dumps({"rounds": rounds, "floors": floors,
                                                      "hub_signin": signin,
                                                      "summary": summary}, indent=1))
    print(f"\npackages with native code in the kernel: {', '.join(summary['native_packages'])}")
    print(f"of which the checklist does not need: {', '.join(summary['not_needed']) or 'none'}")
    print(f"a person's pod ({summary['measure']}, checklist open in {summary['opened_in']}): "
          f"server {med['server_mib']:.0f} MiB + kernel {med['kernel_mib']:.0f} MiB = "
          f"{med['pod_mib']:.0f} MiB (target <= {TARGET_MIB}); bare server "
          f"{med['bare_server_mib']:.0f} MiB, bare kernel with ipywidgets "
          f"{med['bare_kernel_mib']:.0f} MiB (a process), "
          f"{med['bare_running_kernel_mib']:.0f} MiB (a running kernel)")
    print(f"the Hub's sign-in (python -m kit.server --hub-user, idle: "
          f"{med['idle_hub_user_server_mib']:.0f} MiB against {med['idle_server_mib']:.0f}) "
          f"adds {med['hub_signin_mib']:.0f} MiB: a person's pod as the Hub runs it "
          f"{med['pod_with_signin_mib']:.0f} MiB")
    if med["pod_resident_mib"] is not None:
        print(f"its pages counted once (what its own cgroup is charged for them): "
              f"{med['pod_resident_mib']:.0f} MiB without the sign-in"
              + (f", {med['pod_with_signin_resident_mib']:.0f} MiB with it"
                 if med["pod_with_signin_resident_mib"] is not None else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
