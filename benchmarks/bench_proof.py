"""Benchmark: what signing costs. ``kit export --out F.xlsx`` signed against the same export
unsigned (target: at most +10%), and a checkpoint signed by the signing component under load.

Run ``python benchmarks/bench_proof.py [--repeat 7] [--threads 8] [--checkpoints 200]``
(``--tiny``: once each, a few checkpoints, to check that it runs; CI does) ``--out DIR``.
The export is the demo inspection through the door, signed and unsigned alternately in one
process; the floor of what signing adds is one ECDSA P-256 signature of the manifest. The
checkpoints are ``Door.checkpoint`` (replay the trail in the write's transaction, sign the
head, append the entry) from ``--threads`` threads at once on SQLite, each on its own
inspection, against the bare floor of a row's INSERT+COMMIT (``floors.bare_insert``); then
the same asked of the signing service over HTTP with a token, as people's servers ask it,
by ``--threads`` people at once. A verdict is printed, never the exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from floors import bare_insert

from kit.door import Door, Identity
from kit.interchange import export_workbook, load_demo
from kit.proof import Signer, init_keys
from kit.store import Store

TARGET = 1.10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--checkpoints", type=int, default=200)
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.tiny:
        args.repeat, args.threads, args.checkpoints = 1, 2, 4
    work = args.out or Path(tempfile.mkdtemp(prefix="kit-bench-proof-"))
    work.mkdir(parents=True, exist_ok=True)
    keys = work / f"keys-{time.time_ns()}"
    os.environ["KIT_KEYS_DIR"] = str(keys)  # the office's own certificate: its checkpoints trusted
    signer = init_keys(keys, authority="北京市药品监督管理局第七分局")
    door = Door(Store(f"sqlite:///{work / f'kit-{time.time_ns()}.sqlite'}"), Identity("张明"))
    iid = load_demo(door)

    plain, signed = [], []
    export_workbook(door, iid, work / "warm.xlsx")  # imports and caches, untimed
    for _ in range(args.repeat):
        for times, who in ((plain, None), (signed, signer)):
            start = time.perf_counter()
            export_workbook(door, iid, work / "export.xlsx", signer=who)
            times.append(time.perf_counter() - start)
    manifest = (work / "export.xlsx").read_bytes()[:20000]
    sign_times = []
    for _ in range(max(5, args.repeat * 5)):
        start = time.perf_counter()
        signer.sign(manifest)
        sign_times.append(time.perf_counter() - start)

    ids = [door._store.create({"company": {"name": f"企业{k}"}, "stage": "on_site"}, user="张明")
           for k in range(args.threads)]
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(inspection_id: str) -> None:
        mine = door.as_(Identity("张明"))
        for _ in range(max(1, args.checkpoints // args.threads)):
            start = time.perf_counter()
            mine.checkpoint(inspection_id, signer)
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)

    threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    floor = bare_insert(max(20, args.checkpoints // 4))

    service = service_latencies(door, signer, iid, args.threads,
                                max(args.threads, args.checkpoints // 2))

    p, s = statistics.median(plain), statistics.median(signed)
    ratio = s / p
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"export F.xlsx unsigned median {p * 1000:8.1f} ms   signed median {s * 1000:8.1f} ms"
          f"   ratio {ratio:.3f} (target <= {TARGET:.2f}: "
          f"{'met' if ratio <= TARGET else 'NOT met'})")
    print(f"floor: one ECDSA P-256 signature median {statistics.median(sign_times) * 1e6:.0f} µs")
    print(f"checkpoint ({args.threads} threads, {len(latencies)} signed) p50 "
          f"{latencies[len(latencies) // 2] * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms; "
          f"bare INSERT+COMMIT floor median {floor * 1000:.2f} ms")
    print(f"signing service over HTTP ({args.threads} people at once, {len(service)} "
          f"checkpoints asked with a Hub token) p50 {service[len(service) // 2] * 1000:.1f} ms"
          f"  p99 {service[min(len(service) - 1, int(len(service) * 0.99))] * 1000:.1f} ms")
    return 0


def service_latencies(door: Door, signer: Signer, iid: str, people: int, asks: int
                      ) -> list[float]:
    """The office's signing service (kit.server --signer) on a loopback port, asked by
    ``people`` threads at once for ``asks`` checkpoints in all, as people's servers ask it
    (HubNotary with a token; the Hub's word on the token from a table): each ask's time."""
    from tornado.httpserver import HTTPServer

    from kit.interchange import HubNotary
    from kit.server._signer import MAX_REQUEST_BYTES, signer_app

    leader = Identity("zhangming", hub=True)  # the demo team's leader

    async def identify(token: str) -> Identity | None:
        return leader if token == "tok" else None

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        HTTPServer(signer_app(door, signer, identify),
                   max_body_size=MAX_REQUEST_BYTES).listen(port, "127.0.0.1")
        loop.call_soon(started.set)
        loop.run_forever()

    threading.Thread(target=serve, daemon=True).start()
    started.wait(10)
    url = f"http://127.0.0.1:{port}/services/kit-signer"
    took: list[float] = []
    lock = threading.Lock()

    def ask() -> None:
        notary = HubNotary(url, "tok")
        for _ in range(max(1, asks // people)):
            start = time.perf_counter()
            notary.checkpoint(iid)
            with lock:
                took.append(time.perf_counter() - start)

    askers = [threading.Thread(target=ask) for _ in range(people)]
    for t in askers:
        t.start()
    for t in askers:
        t.join()
    loop.call_soon_threadsafe(loop.stop)
    return sorted(took)


if __name__ == "__main__":
    sys.exit(main())
