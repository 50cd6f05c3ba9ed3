"""What the picker's search, the picker, opening, verifying and saving cost as a store grows.

Run ``python benchmarks/bench_search.py [--sizes 1000,10000,100000] [--pg-sizes 1000,10000]
[--pg-url URL] [--repeat 15] [--out DIR]`` (``--tiny``: one store of 300 inspections on SQLite,
each path twice, in seconds, so that CI runs it and it cannot rot; its figures mean nothing).
PostgreSQL runs when ``--pg-url`` (or ``KIT_TEST_PG_URL``) names a server, each size in a
schema of its own, dropped at the end; the store holds its connection there (``held``), so
that a figure is the work and not a new connection's.

Each store is made fast, by a direct bulk insert of synthetic inspections (one ``create``
trail entry each, MACs and all, so that ``kit audit --verify`` passes), not by ``kit demo``:
``n / 20`` fictional companies of about twenty inspections each, one in a hundred named
``北京示例…``, two team members each out of ``n / 50`` inspectors (about a hundred inspections
an inspector), plus the sample company's full demo inspection (the heaviest record: 145 item
results, four findings, 118 sampled records), which is the one opened, verified and saved.
Every path is timed against its floor in the same run, call by call interleaved; each figure
is the median of ``--repeat`` rounds:

* **search**: :meth:`Door.find` of a query of one character (京, common; a rare one), two
  (示例; two of one company's name) and three or more (four of one company's name, an id's
  digits, 有限公司, an inspector's sign-in), each row the median over its queries' calls.
  Floor: the keyed page read (the 50 most recent inspections by the ``updated_at`` index,
  their summaries decoded). Target at 100,000 on SQLite: <= 20 ms.
* **search before**: what the kit before did for the 3+ query of one company's name, in the
  same run (its SQL: a case-insensitive LIKE over every summary in ``updated_at`` order);
  reported beside the search, same floor, timed in a loop of its own with the floor: at
  100,000 it reads the whole file, which pushed the caches out for whatever came next (the
  picker, timed right after it, paid about 0.13 ms for it).
* **picker**: the picker's page (:meth:`Door.find` with no text), same floor; and an
  inspector's (``inspector0007``, about a hundred inspections at every size: the office
  server's access filter, the same query), against their page as bare SQL (their rows of
  ``team_users`` in update order, with the inspections' columns). Target: flat (within 20%
  of its 1,000 figure); each floor's growth is given beside (``floor_vs_smallest``).
* **open**: :meth:`Door.open` of the demo inspection; floor: a bare SELECT of its rows,
  decoded. Target: flat.
* **verify**: :meth:`Door.verify` of the demo inspection (what every export runs); same
  floor. Target: flat.
* **save**: a tap on a result as the app saves it (a session's ``set``: checked, the door's
  guard, one transaction); floor: a bare INSERT of one row and its COMMIT on the same
  database with the store's setting (SQLite: WAL, synchronous=FULL). Target: <= 3x.

"grows" is the exponent from the smallest size to the largest (0: flat, 1: linear).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
PAGE = 50
INSPECTOR = "inspector0007"  # about a hundred inspections at every size
SEARCH_TARGET_MS = 20.0
SAVE_TARGET = 3.0
FLAT = 0.20
POOL = "康泰华瑞安德信宏达恒嘉盛佳禾博远天诚合金科润中美新泽明创卓睿"
RARE = "燚犇骉垚淼鑫焱晶品森"
SUFFIXES = ("医疗器械有限公司", "生物科技有限公司", "医疗科技有限公司", "医用材料有限公司")
TYPES = ("supervisory", "focused", "for_cause", "special")
STAGES = ("preparation", "on_site", "checklist", "reporting", "follow_up", "closed")


# -- the synthetic store -----------------------------------------------------------------------
def companies(n: int, rng: random.Random) -> list[str]:
    names = []
    for k in range(max(1, n // 20)):
        if k % 100 == 1:
            middle = "示例" + rng.choice(POOL)
        elif k < len(RARE):
            middle = RARE[k] + rng.choice(POOL)
        else:
            middle = "".join(rng.choice(POOL) for _ in range(3))
        names.append(f"北京{middle}{SUFFIXES[k % len(SUFFIXES)]}")
    return names


def synthetic(n: int, seed: int = 28) -> Iterator[tuple[str, dict[str, Any]]]:
    """``n`` small inspections: (id, document)."""
    rng = random.Random(seed)
    names = companies(n, rng)
    inspectors = [f"inspector{k:04d}" for k in range(max(2, n // 50))]
    for k in range(n):
        a, b = rng.sample(inspectors, 2)
        yield f"S{k:07d}", {
            "company": {"name": names[k % len(names)], "address": "北京市大兴区某路1号"},
            "scope": {"type": rng.choice(TYPES),
                      "start_date": f"20{rng.randint(24, 26)}-{rng.randint(1, 12):02d}-"
                                    f"{rng.randint(1, 28):02d}"},
            "stage": rng.choice(STAGES),
            "team": {"M1": {"name": "组长", "role": "leader", "user": a},
                     "M2": {"name": "组员", "role": "member", "user": b}},
            "purpose": "日常监督检查"}


def bulk_insert(url: str, n: int, batch: int = 2000) -> None:
    """Put ``n`` synthetic inspections into the (new, empty) store at ``url`` directly: each
    row as the store writes it, with its trail entry, searched text and index."""
    from kit.record import flatten
    from kit.store import Store
    from kit.store import _chain as chain
    from kit.store._doc import encode_rows
    from kit.store._search import grams, search_text, search_values, team_of
    from kit.store._store import summary_of

    Store(url).close()  # the schema
    sqlite = url.startswith("sqlite")
    db: Any = sqlite3.connect(url.split("///", 1)[1], isolation_level=None) if sqlite else \
        _pg_connect(url)
    key = chain.office_key()
    cur = db.cursor()
    mark = "?" if sqlite else "%s"
    made = synthetic(n)
    done = 0
    while done < n:
        chunk = [next(made) for _ in range(min(batch, n - done))]
        start = datetime.now(UTC) - timedelta(seconds=60)
        ins_rows, audit_rows, field_rows, gram_rows, user_rows = [], [], [], [], []
        for j, (iid, doc) in enumerate(chunk):
            k = done + j + 1
            at = (start + timedelta(microseconds=j)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            rows = encode_rows(flatten(doc))
            kept = summary_of(rows)
            snapshot = chain.snapshot_text(rows)
            mac = chain.mac(b"", iid, at, "demo", "create", None, snapshot, key)
            text = search_text(search_values(iid, kept, "demo", "demo"))
            ins_rows.append((k, iid, at, "demo", False, at, "demo", k, mac,
                             json.dumps(kept, ensure_ascii=False, sort_keys=True,
                                        separators=(",", ":")), text))
            audit_rows.append((k, k, at, "demo", "create", chain.pack_snapshot(snapshot), mac))
            field_rows += [(k, p, v, k) for p, v in rows.items()]
            gram_rows += [(g, k) for g in grams(text)]
            user_rows += [(u, at, k) for u in team_of(kept)]
        if sqlite:
            cur.execute("BEGIN")
        cur.executemany(
            "INSERT INTO inspections (key, id, created_at, created_by, deleted, updated_at, "
            f"updated_by, head_seq, head_mac, summary, search) VALUES ({', '.join([mark] * 11)})",
            ins_rows)
        cur.executemany(
            f'INSERT INTO audit (seq, ins, at, "user", action, snapshot, mac) VALUES '
            f"({', '.join([mark] * 7)})", audit_rows)
        if sqlite:
            cur.executemany("INSERT INTO fields (ins, path, value, version) VALUES (?, ?, ?, ?)",
                            field_rows)
            cur.executemany("INSERT INTO search_grams (gram, ins) VALUES (?, ?)", gram_rows)
            cur.executemany('INSERT INTO team_users ("user", updated_at, ins) VALUES (?, ?, ?)',
                            user_rows)
            cur.execute("COMMIT")
        else:
            for table, columns, data in (("fields", "ins, path, value, version", field_rows),
                                         ("search_grams", "gram, ins", gram_rows),
                                         ("team_users", '"user", updated_at, ins', user_rows)):
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for r in data:
                        copy.write_row(r)
            db.commit()
        done += len(chunk)
    if not sqlite:
        cur.execute("SELECT setval('audit_seq_seq', (SELECT max(seq) FROM audit))")
        cur.execute("SELECT setval('inspections_key_seq', (SELECT max(key) FROM inspections))")
        db.commit()
        db.autocommit = True
        cur.execute("VACUUM ANALYZE")
    db.close()


def _pg_connect(url: str) -> Any:
    import psycopg
    import sqlalchemy as sa

    u = sa.make_url(url)
    options = u.query.get("options")
    return psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                           dbname=u.database, options=options if isinstance(options, str)
                           else None)


def build(url: str, n: int) -> str:
    """The store at ``url`` with ``n - 1`` synthetic inspections and the demo's; its id."""
    from kit.door import Door, Identity
    from kit.interchange import demo_file, import_json

    print(f"building a store of {n:,} inspections ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    bulk_insert(url, n - 1)
    with Door.connect(url, identity=Identity("张明")) as door:
        iid = import_json(door, demo_file())
    print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return iid


def sqlite_store(out: Path, n: int) -> tuple[str, str]:
    """A cached SQLite store of ``n`` (under ``out``): its URL and the demo's id."""
    from kit.door import Door

    folder = out / f"search_{n}"
    url = f"sqlite:///{folder / 'kit.sqlite'}"
    marker = folder / "demo_id.txt"
    if marker.exists():
        try:
            Door.connect(url).close()  # this kit's schema
            return url, marker.read_text().strip()
        except Exception:  # another schema: made again
            pass
    folder.mkdir(parents=True, exist_ok=True)
    for f in folder.glob("kit.sqlite*"):
        f.unlink()
    iid = build(url, n)
    marker.write_text(iid)
    return url, iid


@contextmanager
def pg_store(admin_url: str, n: int) -> Iterator[tuple[str, str]]:
    """A PostgreSQL store of ``n`` in a schema of its own, dropped afterwards."""
    import sqlalchemy as sa

    name = f"bench_search_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(admin_url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    url = f"{admin_url}{'&' if '?' in admin_url else '?'}options=-csearch_path%3D{name}"
    try:
        yield url, build(url, n)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        engine.dispose()


# -- timing ----------------------------------------------------------------------------------
def interleaved(calls: dict[str, Callable[[int], object]], repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in calls}
    for i in range(repeat):
        for name, call in calls.items():
            start = time.perf_counter()
            call(i)
            times[name].append(time.perf_counter() - start)
    return times


def queries(size: int) -> dict[str, list[str]]:
    """The queries of each length class, taken from the store's own companies."""
    names = companies(size - 1, random.Random(28))
    rare = next(n for n in names if n[2] in RARE)
    other = names[len(names) // 2]
    return {"search 1 char": ["京", rare[2]],
            "search 2 chars": ["示例", other[3:5]],
            "search 3+ chars": [other[2:6], "0000123", "有限公司", "inspector0007"]}


def measure(url: str, iid: str, size: int, repeat: int, database: str) -> list[dict[str, Any]]:
    from kit.door import Door, Identity
    from kit.session import Session

    asked = queries(size)
    sqlite = database == "sqlite"
    raw: Any = sqlite3.connect(url.split("///", 1)[1]) if sqlite else _pg_connect(url)
    mark = "?" if sqlite else "%s"
    floor_db, insert = bare_insert(url, sqlite)
    rows: list[dict[str, Any]] = []
    with Door.connect(url, identity=Identity("张明"), connections="held") as door:
        inspector = door.as_(Identity(INSPECTOR, hub=True))
        key = _one(raw, f"SELECT key FROM inspections WHERE id = {mark}", (iid,))

        def keyed(_i: int) -> None:
            c = raw.cursor()
            c.execute("SELECT id, created_at, created_by, updated_at, updated_by, deleted, "
                      "summary FROM inspections WHERE deleted = false ORDER BY updated_at DESC "
                      f"LIMIT {PAGE}")
            [json.loads(r[6]) for r in c.fetchall()]
            if not sqlite:
                raw.rollback()

        # the inspector's page as bare SQL: their rows of team_users in update order (a store
        # of schema 10, before they kept it: their inspections sorted by it)
        order = "t.updated_at" if _has_column(raw, "team_users", "updated_at") else \
            "i.updated_at"

        def keyed_inspector(_i: int) -> None:
            c = raw.cursor()
            c.execute("SELECT i.id, i.created_at, i.created_by, i.updated_at, i.updated_by, "
                      "i.deleted, i.summary FROM team_users t JOIN inspections i ON i.key = "
                      f't.ins WHERE t."user" = {mark} AND i.deleted = false ORDER BY {order} '
                      f"DESC LIMIT {PAGE}", (INSPECTOR,))
            [json.loads(r[6]) for r in c.fetchall()]
            if not sqlite:
                raw.rollback()

        def bare_select(_i: int) -> None:
            c = raw.cursor()
            c.execute(f"SELECT path, value FROM fields WHERE ins = {mark}", (key,))
            [json.loads(v) for _p, v in c.fetchall()]
            if not sqlite:
                raw.rollback()

        calls: dict[str, Callable[[int], object]] = {"floor": keyed,
                                                     "inspector's floor": keyed_inspector}
        for label, texts in asked.items():
            for t in texts:
                calls[f"{label}|{t}"] = lambda _i, t=t: door.find(t, limit=PAGE)
        before = asked["search 3+ chars"][0]  # one company's name: the scan read it all
        like = "ILIKE" if not sqlite else "LIKE"  # SQLite's LIKE ignores ASCII case

        def scan(_i: int) -> None:
            c = raw.cursor()
            c.execute("SELECT id, created_at, created_by, updated_at, updated_by, deleted, "
                      f"summary FROM inspections WHERE deleted = false AND (id {like} {mark} "
                      f"OR summary {like} {mark}) ORDER BY updated_at DESC LIMIT {2 * PAGE + 10}",
                      (f"%{before}%", f"%{before}%"))
            [json.loads(r[6]) for r in c.fetchall()]
            if not sqlite:
                raw.rollback()

        calls["picker"] = lambda _i: door.find("", limit=PAGE)
        calls["picker, an inspector's teams"] = lambda _i: inspector.find("", limit=PAGE)
        times = interleaved(calls, repeat)
        floor = statistics.median(times["floor"])
        for label, texts in asked.items():
            pooled = [x for t in texts for x in times[f"{label}|{t}"]]
            rows.append(_row(label, size, database, pooled, floor, "keyed page",
                             detail={t: statistics.median(times[f"{label}|{t}"]) * 1e3
                                     for t in texts}))
        rows.append(_row("picker", size, database, times["picker"], floor, "keyed page",
                         floor_times=times["floor"]))
        rows.append(_row("picker, an inspector's teams", size, database,
                         times["picker, an inspector's teams"],
                         statistics.median(times["inspector's floor"]),
                         "their keyed page (bare SQL)", floor_times=times["inspector's floor"]))
        # the kit before's scan apart, against the same floor: at 100,000 it reads the whole
        # file (350 MB), which pushes the caches out for whatever runs next
        apart = interleaved({"floor": keyed, "scan": scan}, repeat)
        rows.append(_row("search before: the scan of every summary", size, database,
                         apart["scan"], statistics.median(apart["floor"]), "keyed page"))
        found = {t: len(door.find(t, limit=PAGE)) for texts in asked.values() for t in texts}
        rows[0]["found"] = found

        reads = interleaved({"floor": bare_select, "open": lambda _i: door.open(iid),
                             "verify": lambda _i: door.verify(iid)}, repeat)
        floor = statistics.median(reads["floor"])
        rows.append(_row("open", size, database, reads["open"], floor, "bare SELECT of its rows"))
        rows.append(_row("verify", size, database, reads["verify"], floor,
                         "bare SELECT of its rows"))
        problems = door.verify(iid)
        if problems:
            raise SystemExit(f"the demo inspection does not verify: {problems[:3]}")

        session = Session(door, iid)
        choices = ("conform", "nonconform")

        def save(i: int) -> None:
            session.set("results/7.8.m4/result", choices[i % 2])

        saves = interleaved({"floor": insert, "save": save}, max(repeat, 5) * 4)
        rows.append(_row("save", size, database, saves["save"],
                         statistics.median(saves["floor"]), "bare INSERT+COMMIT"))
    raw.close()
    floor_db.close()
    return rows


def _one(raw: Any, query: str, args: tuple[Any, ...]) -> Any:
    c = raw.cursor()
    c.execute(query, args)
    value = c.fetchone()[0]
    if not isinstance(raw, sqlite3.Connection):
        raw.rollback()
    return value


def bare_insert(url: str, sqlite: bool) -> tuple[Any, Callable[[int], object]]:
    """A bare INSERT of one row and its COMMIT, on the same kind of database."""
    if sqlite:
        folder = Path(tempfile.mkdtemp(prefix="kit-bench-search-"))
        db: Any = sqlite3.connect(folder / "floor.sqlite", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")

        def insert(i: int) -> None:
            db.execute("BEGIN")
            db.execute("INSERT INTO t (v) VALUES (?)", (f"记录 {i}",))
            db.execute("COMMIT")

        return db, insert
    db = _pg_connect(url)
    db.execute("CREATE TABLE IF NOT EXISTS bench_floor (k bigserial PRIMARY KEY, v text)")
    db.commit()

    def pg_insert(i: int) -> None:
        db.execute("INSERT INTO bench_floor (v) VALUES (%s)", (f"记录 {i}",))
        db.commit()

    return db, pg_insert


def _has_column(raw: Any, table: str, column: str) -> bool:
    c = raw.cursor()
    try:
        c.execute(f"SELECT {column} FROM {table} WHERE 1 = 0")
        return True
    except Exception:  # a store of an older schema
        return False
    finally:
        if not isinstance(raw, sqlite3.Connection):
            raw.rollback()


def _row(path: str, size: int, database: str, values: list[float], floor: float,
         floor_name: str, detail: dict[str, float] | None = None,
         floor_times: list[float] | None = None) -> dict[str, Any]:
    q = (statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1
         else [values[0]] * 3)
    out = {"path": path, "database": database, "size": size,
           "ms": statistics.median(values) * 1e3, "ms_p25": q[0] * 1e3, "ms_p75": q[2] * 1e3,
           "floor": floor_name, "floor_ms": floor * 1e3,
           "ratio": statistics.median(values) / floor}
    if detail:
        out["queries_ms"] = detail
    if floor_times:  # the floor's own spread (its growth is reported beside the path's)
        f = statistics.quantiles(floor_times, n=4, method="inclusive")
        out["floor_p25_ms"], out["floor_p75_ms"] = f[0] * 1e3, f[2] * 1e3
    return out


def verdicts(results: list[dict[str, Any]]) -> None:
    """Growth and targets, per path and database."""
    for r in results:
        first = min((x for x in results if x["path"] == r["path"] and
                     x["database"] == r["database"]), key=lambda x: x["size"])
        r["grows"] = (math.log(r["ms"] / first["ms"]) / math.log(r["size"] / first["size"])
                      if r["size"] > first["size"] else 0.0)
        r["vs_smallest"] = r["ms"] / first["ms"]
        r["floor_vs_smallest"] = r["floor_ms"] / first["floor_ms"]
        if r["path"].startswith("search before"):
            r["target"], r["met"] = "(the kit before: reported)", True
        elif r["path"].startswith("search"):
            r["target"] = f"<= {SEARCH_TARGET_MS:.0f} ms"
            r["met"] = r["ms"] <= SEARCH_TARGET_MS
        elif r["path"] == "save":
            r["target"] = f"<= {SAVE_TARGET:.0f}x"
            r["met"] = r["ratio"] <= SAVE_TARGET
        else:
            r["target"] = f"flat (within +{FLAT:.0%} of the smallest)"
            r["met"] = r["vs_smallest"] <= 1 + FLAT


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="SQLite store sizes")
    parser.add_argument("--pg-sizes", default="1000,10000", help="PostgreSQL store sizes")
    parser.add_argument("--pg-url", default=os.environ.get("KIT_TEST_PG_URL", ""),
                        help="a PostgreSQL server to run on (default $KIT_TEST_PG_URL)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", type=Path, default=OUT,
                        help="the cached SQLite stores and search.json (default benchmarks/out)")
    parser.add_argument("--tiny", action="store_true",
                        help="one SQLite store of 300 inspections, each path twice: seconds")
    args = parser.parse_args()
    if args.tiny:
        args.sizes, args.pg_sizes, args.pg_url, args.repeat = "300", "", "", 2
    results: list[dict[str, Any]] = []
    for size in (int(s) for s in args.sizes.split(",") if s):
        url, iid = sqlite_store(args.out, size)
        results += measure(url, iid, size, args.repeat, "sqlite")
    if args.pg_url:
        for size in (int(s) for s in args.pg_sizes.split(",") if s):
            with pg_store(args.pg_url, size) as (url, iid):
                results += measure(url, iid, size, args.repeat, "postgresql")
    verdicts(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "search.json").write_text(json.dumps(results, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
    print(f"{'path':<42} {'db':<10} {'size':>7} {'median':>9} {'p25-p75':>15} {'floor':>8} "
          f"{'ratio':>6} {'grows':>6}  target")
    for r in results:
        print(f"{r['path']:<42} {r['database']:<10} {r['size']:>7,} {r['ms']:>7.2f}ms "
              f"{r['ms_p25']:>6.2f}-{r['ms_p75']:<6.2f}ms {r['floor_ms']:>6.2f}ms "
              f"{r['ratio']:>5.1f}x {r['grows']:>6.2f}  {r['target']} (floor "
              f"x{r['floor_vs_smallest']:.2f})"
              f"{'' if r['met'] else '  NOT MET'}")
    print(f"median ms of {args.repeat} rounds; figures: {args.out / 'search.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
