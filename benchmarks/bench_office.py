"""An office on one PostgreSQL server: 200 inspectors saving at once, and what each one costs.

Run ``python benchmarks/bench_office.py [--users 200] [--seconds 60] [--modes ...]
[--memory N]``. It starts its own PostgreSQL cluster as an office would run it (fsync on,
max_connections=100, password logins with scram-sha-256), creates the kit's schema as an owner
role and connects as the app role (``kit db grant``), as ``kit hub`` does.

``--tiny``: six people for two seconds, one round of ``per_transaction``, ``held`` and (when
Debian's ``pgbouncer`` is installed) ``pgbouncer``, on a database and roles of its own in the
test cluster that ``$KIT_TEST_PG_URL`` names (``eval "$(bash .ci/pg-start)"``), dropped
afterwards: to check that the benchmark runs (CI does); its figures mean nothing.

Saves. Each simulated inspector is a thread with its own door (:class:`~kit.door.Door` over a
store of its own, signed in as on the office server), as each person's kernel has, and saves
as the app does, with ``Door.save`` (the model's and the guide's checks, access, the gates, the
version check, the chained trail entry, one commit) (threads spread over worker processes, so
that Python's own lock is not what is measured). Teams of three share one inspection, the first
its leader; each member saves a note of an item of their own every 2-5 s, one time in ten a
burst of five saves 0.3 s apart (ticking through a list), and one save in twenty goes to an
item's note the whole team writes (conflicts are expected there: refused with who and when,
the writer re-reads). For ``--seconds`` after a stagger of 5 s (``--stagger``). Measured per
mode of connecting:

* ``per_transaction``: the kit's default on a server, a connection per save;
* ``held``: a connection per kernel for its whole life (what 200 kernels do to a server with
  max_connections=100);
* ``pgbouncer``: held connections to PgBouncer in transaction mode, 20 server connections
  (when Debian's ``pgbouncer`` is installed), started by the benchmark on a free loopback port
  in front of the cluster; the kit's psycopg connections prepare no statements
  (``prepare_threshold=None``) and keep no session state, as transaction pooling needs.

The floor: a bare INSERT + COMMIT of one row on one held connection, every 50 ms through the
whole run, on the same server under the same load. Reported: saves, p50 and p99 save latency
against the floor's (target p99 <= 10x), lost updates (a save reported done whose value is not
the field's, or has no trail entry: target 0), errors (anything but a conflict: target 0),
server connections at the peak (sampled every 0.25 s: target <= 100).

Memory (``--memory N``): ``kit hub`` with the trial settings on the same server, N people
signed in from Chromium with the inspector app open on the demo inspection; the memory
(proportional set size) of each person's server and its kernel, and of the Hub and proxy.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
PASSWORD = "bench-office-password"
TEAM = 3
POOL = int(os.environ.get("KIT_BENCH_POOL", "20"))  # PgBouncer's server connections
TARGET_P99_RATIO, TARGET_CONNECTIONS = 10.0, 100


# -- the server ---------------------------------------------------------------------------------
def start_cluster() -> dict[str, str]:
    out = subprocess.run(["bash", str(ROOT / ".ci" / "pg-start"), "--durable",
                          "--max-connections", "100", "--password", PASSWORD],
                         capture_output=True, text=True, check=True).stdout
    env = {}
    for line in out.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value.strip("'")
    return env


def stop_cluster(env: dict[str, str]) -> None:
    subprocess.run(["bash", str(ROOT / ".ci" / "pg-stop")], env={**os.environ, **env},
                   check=False)


def kit(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "kit", *args], check=True, capture_output=True)


def office_database(admin_url: str, tag: str = "") -> dict[str, str]:
    """An owner creates the kit's schema; the apps' role gets its grants (as kit hub wants).
    ``tag``: a suffix for the database, the roles and the floor's table (a shared cluster)."""
    db, owner, app = f"kit{tag}", f"kit_owner{tag}", f"kit_app{tag}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {owner} LOGIN PASSWORD '{PASSWORD}'")
        conn.exec_driver_sql(f"CREATE ROLE {app} LOGIN PASSWORD '{PASSWORD}'")
        conn.exec_driver_sql(f"CREATE DATABASE {db} OWNER {owner}")
        conn.exec_driver_sql(f"CREATE TABLE floor{tag} (k bigserial PRIMARY KEY, v text)")
    engine.dispose()
    base = sa.make_url(admin_url).set(database=db, password=PASSWORD)
    urls = {"admin": admin_url, "floor": f"floor{tag}",
            "owner": base.set(username=owner).render_as_string(hide_password=False),
            "app": base.set(username=app).render_as_string(hide_password=False)}
    kit("db", "upgrade", "--db-url", urls["owner"])
    kit("db", "grant", app, "--db-url", urls["owner"])
    return urls


def drop_office_database(admin_url: str, tag: str) -> None:
    """Remove what :func:`office_database` made (the tiny run, on a shared test cluster)."""
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS kit{tag} WITH (FORCE)")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS floor{tag}")
        conn.exec_driver_sql(f"DROP ROLE IF EXISTS kit_app{tag}")
        conn.exec_driver_sql(f"DROP ROLE IF EXISTS kit_owner{tag}")
    engine.dispose()


def start_pgbouncer(app_url: str, work: Path) -> tuple[subprocess.Popen[bytes], str] | None:
    """PgBouncer in transaction mode in front of the server, 20 server connections."""
    binary = bouncer_binary()
    if binary is None:
        return None
    url = sa.make_url(app_url)
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    (work / "users.txt").write_text(f'"{url.username}" "{PASSWORD}"\n')
    (work / "pgbouncer.ini").write_text(
        f"[databases]\n{url.database} = host=127.0.0.1 port={url.port} dbname={url.database}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n"
        f"auth_type = scram-sha-256\nauth_file = {work / 'users.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {POOL}\nmax_client_conn = 1000\n"
        f"unix_socket_dir =\nlogfile = {work / 'pgbouncer.log'}\n")
    run_as = ["runuser", "-u", "kitpg", "--"] if os.getuid() == 0 else []
    if run_as:
        work.parent.chmod(0o755)
        shutil.chown(work, "kitpg")
        for f in work.iterdir():
            shutil.chown(f, "kitpg")
    # KIT_BENCH_BOUNCER_NICE=-5 (as root) gives PgBouncer a larger share of a CPU crowded by
    # the simulated kernels, as on an office server where it runs beside PostgreSQL.
    nice = os.environ.get("KIT_BENCH_BOUNCER_NICE")
    prefix = ["nice", "-n", nice] if nice else []
    proc = subprocess.Popen([*prefix, *run_as, binary, str(work / "pgbouncer.ini")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # its log file
    time.sleep(1.0)
    return proc, url.set(port=port).render_as_string(hide_password=False)


def bouncer_binary() -> str | None:
    """Debian's ``pgbouncer`` (``apt-get install pgbouncer``), or None."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    return binary if Path(binary).exists() else None


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the inspectors -----------------------------------------------------------------------------
def prepare(app_url: str, users: int) -> list[dict[str, Any]]:
    """One inspection per team of three (the first its leader), each member with own items
    and one item all of them write; who saves what."""
    from kit.door import Door, Identity
    from kit.guide import load_guide
    from kit.record import Company, Member, new_inspection

    items = [i.id for s in load_guide().sections for i in load_guide().checklist_items(s.id)]
    shared = f"results/{items[-1]}/notes"
    plan = []
    with Door.connect(app_url, identity=Identity("office")) as door:
        for t in range((users + TEAM - 1) // TEAM):
            members = [f"u{t:03d}{m}" for m in range(TEAM)][: users - t * TEAM]
            ins = new_inspection(company=Company(name=f"模拟企业{t}"))
            iid = door.create(replace(ins, team={
                f"M{m + 1}": Member(u, "leader" if m == 0 else "inspector", user=u)
                for m, u in enumerate(members)}))
            for m, user in enumerate(members):
                own = items[: len(items) - 1][m::TEAM][:40]
                plan.append({"iid": iid, "user": user, "shared": shared,
                             "paths": [f"results/{i}/notes" for i in own]})
    return plan


def inspector(url: str, mode: str, job: dict[str, Any], start: float, end: float,
              result: dict[str, Any], seed: int, stagger: float) -> None:
    """One person's kernel: a door of its own, saving as an inspector types in the app."""
    from kit.door import Door, Identity
    from kit.errors import ConflictError

    rng = random.Random(seed)
    result.update({"times": [], "saved": {}, "ok": {}, "conflicts": 0, "errors": [],
                   "iid": job["iid"], "user": job["user"]})
    time.sleep(max(0.0, start + rng.uniform(0, stagger) - time.time()))
    try:
        door = Door.connect(url, identity=Identity(job["user"], hub=True), connections=mode)
        record = door.open(job["iid"])
    except Exception as exc:
        result["errors"].append(f"open: {type(exc).__name__}: {str(exc)[-160:]}")
        return
    k = 0
    while time.time() < end:
        burst = 5 if rng.random() < 0.1 else 1
        for _ in range(burst):
            k += 1
            shared = rng.random() < 0.05
            path = job["shared"] if shared else rng.choice(job["paths"])
            value = f"{job['user']} 第{k}次"
            began = time.perf_counter()
            try:
                door.save(record, {path: value})
            except ConflictError:
                result["conflicts"] += 1
                try:
                    door.reload(record)
                except Exception as exc:
                    result["errors"].append(f"refresh: {type(exc).__name__}: {str(exc)[-160:]}")
                continue
            except Exception as exc:
                result["errors"].append(f"save: {type(exc).__name__}: {str(exc)[-160:]}")
                continue
            result["times"].append((time.time(), time.perf_counter() - began))
            if not shared:
                result["saved"][path] = value
                result["ok"][path] = result["ok"].get(path, 0) + 1
            if burst > 1:
                time.sleep(0.3)
        time.sleep(rng.uniform(2.0, 5.0))
    door.close()


def worker(url: str, mode: str, jobs: list[dict[str, Any]], start: float, end: float,
           queue: Any, seed: int, stagger: float) -> None:
    out: list[dict[str, Any]] = [{} for _ in jobs]
    threads = [threading.Thread(target=inspector, args=(url, mode, job, start, end, out[n],
                                                        seed * 1000 + n, stagger))
               for n, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(out)


def monitor(admin_url: str, stop: threading.Event, peak: list[int]) -> None:
    engine = sa.create_engine(admin_url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        while not stop.is_set():
            n = conn.exec_driver_sql("SELECT count(*) - 1 FROM pg_stat_activity "
                                     "WHERE backend_type = 'client backend'").scalar_one()
            peak[0] = max(peak[0], int(n))
            conn.rollback()
            time.sleep(0.25)
    engine.dispose()


def floor(admin_url: str, table: str, stop: threading.Event,
          times: list[tuple[float, float]]) -> None:
    engine = sa.create_engine(admin_url, poolclass=sa.NullPool)
    raw = engine.raw_connection()
    cur = raw.cursor()
    k = 0
    while not stop.is_set():
        k += 1
        began = time.perf_counter()
        cur.execute(f"INSERT INTO {table} (v) VALUES (%s)", (f"第{k}次修改的检查情况记录",))
        raw.commit()
        times.append((time.time(), time.perf_counter() - began))
        time.sleep(0.05)
    raw.close()
    engine.dispose()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def lost_updates(app_url: str, results: list[dict[str, Any]]) -> int:
    """Saves reported done whose value the field does not hold, or with no trail entry."""
    from kit.store import Store

    lost = 0
    with Store(app_url) as store:
        by_ins: dict[str, list[dict[str, Any]]] = {}
        for r in results:
            by_ins.setdefault(r.get("iid", ""), []).append(r)
        for iid, rs in by_ins.items():
            if not iid:
                continue
            record = store.load(iid)
            trail: dict[tuple[str, str], int] = {}
            for e in store.audit(iid):
                if e.path:
                    trail[(e.path, e.user)] = trail.get((e.path, e.user), 0) + 1
            for r in rs:
                for path, value in r["saved"].items():
                    lost += record.get(path) != value
                for path, n in r["ok"].items():
                    lost += max(0, n - trail.get((path, r["user"]), 0))
    return lost


def run_mode(urls: dict[str, str], mode: str, url: str, users: int, seconds: float,
             processes: int, stagger: float = 5.0) -> dict[str, Any]:
    plan = prepare(urls["app"], users)
    start = time.time() + 2.0
    end = start + stagger + seconds
    stop = threading.Event()
    peak, floor_all = [0], []
    watchers = [threading.Thread(target=monitor, args=(urls["admin"], stop, peak)),
                threading.Thread(target=floor, args=(urls["admin"], urls["floor"], stop,
                                                     floor_all))]
    for t in watchers:
        t.start()
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    store_mode = "held" if mode == "pgbouncer" else mode
    procs = [ctx.Process(target=worker, args=(url, store_mode, plan[p::processes], start, end,
                                              queue, p, stagger))
             for p in range(processes)]
    for p in procs:
        p.start()
    results: list[dict[str, Any]] = []
    for _ in procs:
        results += queue.get()
    for p in procs:
        p.join()
    stop.set()
    for t in watchers:
        t.join()
    steady = start + stagger  # after the stagger in which every kernel opens its store
    times = [t for r in results for at, t in r["times"] if at >= steady]
    ramp = [t for r in results for at, t in r["times"] if at < steady]
    floor_times = [t for at, t in floor_all if at >= steady]
    errors = [e for r in results for e in r["errors"]]
    row = {
        "mode": mode, "users": users, "seconds": seconds, "saves": len(times),
        "ramp_saves": len(ramp), "ramp_p99_ms": 1000 * pct(ramp, 0.99),
        "save_p50_ms": 1000 * pct(times, 0.5), "save_p99_ms": 1000 * pct(times, 0.99),
        "floor_p50_ms": 1000 * pct(floor_times, 0.5),
        "floor_p99_ms": 1000 * pct(floor_times, 0.99),
        "conflicts": sum(r["conflicts"] for r in results),
        "errors": len(errors), "error_examples": sorted(set(errors))[:3],
        "lost_updates": lost_updates(urls["app"], results),
        "peak_connections": peak[0],
    }
    row["p99_ratio"] = row["save_p99_ms"] / row["floor_p99_ms"]
    return row


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of the rounds' latencies; lost updates and errors summed, the peak the highest."""
    out = dict(rows[0])
    for key in ("saves", "save_p50_ms", "save_p99_ms", "floor_p50_ms", "floor_p99_ms",
                "p99_ratio", "ramp_p99_ms"):
        out[key] = statistics.median(r[key] for r in rows)
    for key in ("lost_updates", "errors", "conflicts"):
        out[key] = sum(r[key] for r in rows)
    out["peak_connections"] = max(r["peak_connections"] for r in rows)
    out["rounds"] = len(rows)
    out["error_examples"] = sorted({e for r in rows for e in r["error_examples"]})[:3]
    return out


# -- memory per person on the Hub ---------------------------------------------------------------
def pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:")), 0)


def tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            children = []
        todo += [int(c) for c in children]
    return out


def measure_memory(urls: dict[str, str], people: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, _stop_group, wait_http

    names = ["zhangming", "lihua", "chen", "wang", "liu", "zhao"][:people]
    port, state = free_port(), Path(tempfile.mkdtemp())
    env = dict(os.environ, KIT_HUB_TRIAL_PASSWORD=PASSWORD)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit", "hub", "--db-url", urls["app"], "--demo", "--port",
         str(port), "--state", str(state), "--config",
         str(ROOT / "templates" / "jupyterhub_trial_config.py")],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/hub/login", 90)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = []
            for name in names:
                page = browser.new_context(locale="zh-CN").new_page()
                page.goto(f"{base}/hub/login")
                page.fill("input[name=username]", name)
                page.fill("input[name=password]", PASSWORD)
                page.click("#login_submit")
                page.wait_for_load_state()
                page.goto(f"{base}/user/{name}/voila/render/app.ipynb?id=demo-2026-1119"
                          "&stage=checklist")
                page.locator(".kit-app, .kit-message").first.wait_for(timeout=180_000)
                pages.append(page)
            time.sleep(5)
            per_person = []
            for p in tree(proc.pid):
                cmd = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                if "--hub-user" in cmd:
                    per_person.append(sum(pss_kib(q) for q in tree(p)))
            hub_kib = sum(pss_kib(p) for p in tree(proc.pid)) - sum(per_person)
            browser.close()
    finally:
        _stop_group(proc)  # type: ignore[arg-type]
    mean = statistics.mean(per_person) if per_person else float("nan")
    return {"people": len(per_person), "per_person_mib": mean / 1024,
            "hub_and_proxy_mib": hub_kib / 1024,
            "for_200_gib": (200 * mean + hub_kib) / 1024 / 1024}


# -- main ---------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--modes", default="pgbouncer,per_transaction,held")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds per mode, in rotating order; medians reported")
    parser.add_argument("--memory", type=int, default=0, metavar="N",
                        help="also measure N people's servers on the Hub (needs Chromium)")
    parser.add_argument("--stagger", type=float, default=5.0,
                        help="seconds over which the kernels open their stores")
    parser.add_argument("--out", type=Path, default=OUT,
                        help="where office.json is written (default benchmarks/out)")
    parser.add_argument("--tiny", action="store_true",
                        help="6 people for 2 s, one round of per_transaction and held, in the "
                             "test cluster of $KIT_TEST_PG_URL: to check that the benchmark "
                             "runs (its figures mean nothing)")
    args = parser.parse_args()
    if args.tiny:
        if not os.environ.get("KIT_TEST_PG_URL"):
            print("bench_office --tiny runs in the test cluster: KIT_TEST_PG_URL is not set "
                  "(eval \"$(bash .ci/pg-start)\")", file=sys.stderr)
            return 2
        args.users, args.seconds, args.processes, args.repeat = 6, 2.0, 2, 1
        args.modes, args.stagger, args.memory = "per_transaction,held", 1.0, 0
        if bouncer_binary() is not None:  # the tiny run goes through PgBouncer too
            args.modes += ",pgbouncer"
        env = {"KIT_TEST_PG_URL": os.environ["KIT_TEST_PG_URL"]}
    else:
        env = start_cluster()
    rows: list[dict[str, Any]] = []
    rounds = {}
    memory = None
    bouncer = None
    tag = f"_{uuid.uuid4().hex[:8]}" if args.tiny else ""
    try:
        urls = office_database(env["KIT_TEST_PG_URL"], tag)
        modes = args.modes.split(",")
        rounds: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
        for r in range(args.repeat):
            for mode in modes[r % len(modes):] + modes[: r % len(modes)]:
                url = urls["app"]
                if mode == "pgbouncer":
                    bouncer = start_pgbouncer(urls["app"], Path(tempfile.mkdtemp()) / "pgb")
                    if bouncer is None:
                        print("pgbouncer: not installed (apt-get install pgbouncer); skipped")
                        continue
                    url = bouncer[1]
                row = run_mode(urls, mode, url, args.users, args.seconds, args.processes,
                               args.stagger)
                rounds[mode].append(row)
                print(json.dumps(row, ensure_ascii=False))
                if bouncer is not None:
                    bouncer[0].terminate()
                    bouncer = None
                # the server settles (backends exit) before the next round
                time.sleep(0.5 if args.tiny else 5)
        rows = [summary(rs) for rs in rounds.values() if rs]
        if args.memory:
            memory = measure_memory(urls, args.memory)
            print(json.dumps(memory))
    finally:
        if bouncer is not None:
            bouncer[0].terminate()
        if args.tiny:
            drop_office_database(env["KIT_TEST_PG_URL"], tag)
        else:
            stop_cluster(env)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "office.json").write_text(json.dumps({"modes": rows, "rounds": rounds,
                                                 "memory": memory}, indent=1,
                                                ensure_ascii=False))
    print(f"\n{'mode':16} {'saves':>6} {'p50 ms':>7} {'p99 ms':>7} {'floor p99':>9} "
          f"{'ratio':>6} {'lost':>5} {'errors':>6} {'conflicts':>9} {'peak conn':>9}")
    for r in rows:
        print(f"{r['mode']:16} {r['saves']:6.0f} {r['save_p50_ms']:7.1f} {r['save_p99_ms']:7.1f} "
              f"{r['floor_p99_ms']:9.1f} {r['p99_ratio']:6.1f} {r['lost_updates']:5d} "
              f"{r['errors']:6d} {r['conflicts']:9d} {r['peak_connections']:9d}")
    print(f"targets: p99 <= {TARGET_P99_RATIO:.0f}x the floor's, 0 lost, 0 errors, "
          f"<= {TARGET_CONNECTIONS} connections")
    if memory:
        print(f"memory: {memory['per_person_mib']:.0f} MiB per person's server with the app "
              f"open, Hub and proxy {memory['hub_and_proxy_mib']:.0f} MiB; 200 people at once: "
              f"{memory['for_200_gib']:.1f} GiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
