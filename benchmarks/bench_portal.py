"""Benchmark the company portal on the office server against the inspector app on the same Hub.

Prints:
1. time from navigation to a company's page being usable (loaded, its last finding's submit
   button shown) for a company with 50 findings to rectify across 10 inspections, median of N
   loads, vs the inspector app's first checklist section interactive (its result buttons
   enabled) on the same Hub and store (target: <= 1.3x);
2. the portal service's memory (RSS) with 1 and with 20 company people signed in, each having
   loaded their page, and the memory per person.

Both go through `kit hub` with the trial settings (the proxy, the Hub's sign-in) on a
PostgreSQL database of its own, made in the cluster of ``--pg-url`` (an administrator's URL;
default ``$KIT_TEST_PG_URL``) and dropped afterwards.

Run: ``python benchmarks/bench_portal.py [--loads 7] [--people 20]`` (needs PostgreSQL,
configurable-http-proxy and Debian's chromium). ``--tiny``: one load each, two people, a
small company: to check that it runs; its figures mean nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    _stop_group,
    free_port,
    wait_http,
)

OUT = ROOT / "benchmarks" / "out"
PASSWORD = "bench-portal-password"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ITEMS = ("7.3.m2", "7.5.m4", "7.8.c1", "7.9.m5", "7.10.m6")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def portal_pid(hub_pid: int) -> int | None:
    """The portal service the Hub started (its child running ``kit.server --portal``)."""
    out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout
    for line in out.splitlines()[1:]:
        pid, ppid, args = line.strip().split(None, 2)
        if int(ppid) == hub_pid and "kit.server --portal" in args:
            return int(pid)
    return None


def run_kit(*args: str, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run([sys.executable, "-m", "kit", *args], capture_output=True, text=True,
                          env=env)
    if proc.returncode != 0:
        raise SystemExit(f"kit {' '.join(args[:2])} failed: {proc.stderr.strip()}")


class OfficeDb:
    """A database, its owner and an app role of their own in the cluster of ``admin_url``."""

    def __init__(self, admin_url: str) -> None:
        import sqlalchemy as sa

        tag = uuid.uuid4().hex[:8]
        self.names = (f"bench_portal_{tag}", f"owner_{tag}", f"app_{tag}")
        db, owner, app = self.names
        self.admin = sa.create_engine(admin_url, poolclass=sa.NullPool,
                                      isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE ROLE "{owner}" LOGIN')
            conn.exec_driver_sql(f'CREATE ROLE "{app}" LOGIN')
            conn.exec_driver_sql(f'CREATE DATABASE "{db}" OWNER "{owner}"')
        base = sa.make_url(admin_url).set(database=db)
        self.owner = base.set(username=owner).render_as_string(hide_password=False)
        self.app = base.set(username=app).render_as_string(hide_password=False)
        run_kit("db", "upgrade", "--db-url", self.owner)
        run_kit("db", "grant", app, "--db-url", self.owner)

    def drop(self) -> None:
        db, owner, app = self.names
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{db}" WITH (FORCE)')
            conn.exec_driver_sql(f'DROP ROLE "{app}"')
            conn.exec_driver_sql(f'DROP ROLE "{owner}"')
        self.admin.dispose()


def people(n: int) -> list[str]:
    return [f"qy{k:02d}" for k in range(1, n + 1)]


def seed(owner_url: str, accounts: list[str], inspections: int, findings: int) -> None:
    """A company per account; the first with ``inspections`` inspections of ``findings``
    findings each to rectify, the others with one; a served notice (its PDF) on each."""
    import hashlib

    from kit.dates import beijing_today
    from kit.door import Door, Identity
    from kit.identifiers import make_credit_code
    from kit.record import Attachment, Finding, Member, Notice, new_inspection
    from kit.register import RegisteredCompany
    from kit.store import Store

    digest = hashlib.sha256(PDF).hexdigest()
    today = beijing_today()
    with Store(owner_url) as store:
        door = Door(store, Identity("bench"))
        codes = [make_credit_code(f"911101080000{k:05d}") for k in range(len(accounts))]
        door.import_companies([RegisteredCompany(code, f"北京第{k + 1}医疗器械有限公司", "海淀区",
                                                 False) for k, code in enumerate(codes)])
        door.import_evidence({digest: ("application/pdf", PDF)})
        for k, (code, user) in enumerate(zip(codes, accounts, strict=True)):
            door.bind_account(code, user)
            base = new_inspection()
            for j in range(inspections if k == 0 else 1):
                found = {f"F{i + 1}": Finding(
                    item=ITEMS[i % len(ITEMS)], description=f"第{j + 1}次检查发现的问题{i + 1}：记录不完整",
                    requirement=f"补全记录并分析原因，提交整改报告（{i + 1}）",
                    deadline=today + timedelta(days=7 + i)) for i in range(findings)}
                door.create(replace(
                    base, company=replace(base.company, name=f"北京第{k + 1}医疗器械有限公司",
                                          credit_code=code),
                    team={"M1": Member("张明", "leader", user="zhangming")}, findings=found,
                    notices={"rectification": Notice(
                        number=f"京药监整〔2026〕{k:02d}{j:02d}号", issued_on=today,
                        served_on=today, pdf="A1")},
                    attachments={"A1": Attachment(kind="file", target="notices/rectification",
                                                  name="n.pdf", mime="application/pdf",
                                                  size=len(PDF), sha256=digest)}))


def hub_config(folder: Path, accounts: list[str]) -> Path:
    """The trial settings with the benchmark's company people in the companies group."""
    path = folder / "bench_hub_config.py"
    trial = ROOT / "templates" / "jupyterhub_trial_config.py"
    path.write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(trial)!r})  # noqa: F821\n"
        f"c.Authenticator.allowed_users |= {set(accounts)!r}\n"
        f"c.JupyterHub.load_groups['companies'] = {{'users': {accounts!r}}}\n"
        "c.JupyterHub.active_server_limit = 0\n", encoding="utf-8")
    return path


def sign_in(browser, base: str, user: str, width: int = 1366):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(180_000)
    page.goto(f"{base}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login_submit")
    page.wait_for_load_state()
    return context, page


def sign_in_requests(base: str, user: str) -> object:
    """A signed-in session of ``user`` that has loaded their portal page (the OAuth dance)."""
    import requests

    web = requests.Session()
    web.get(f"{base}/hub/login", timeout=180)
    xsrf = next((c.value for c in web.cookies if c.name == "_xsrf"), "")
    web.post(f"{base}/hub/login", data={"username": user, "password": PASSWORD, "_xsrf": xsrf},
             timeout=180)
    page = web.get(f"{base}/services/kit-portal/", timeout=180)
    if page.status_code != 200 or "kp-company" not in page.text:
        raise SystemExit(f"{user} did not reach the portal: {page.status_code}")
    return web


def timed(page, url: str, selector: str, *, last: bool = False) -> float:
    start = time.perf_counter()
    page.goto(url)
    found = page.locator(selector)
    (found.last if last else found.first).wait_for(state="visible", timeout=180_000)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--pg-url", default=os.environ.get("KIT_TEST_PG_URL", ""),
                        help="a PostgreSQL administrator's URL (default $KIT_TEST_PG_URL)")
    parser.add_argument("--out", type=Path, default=OUT, help="unused; for the tiny runner")
    parser.add_argument("--tiny", action="store_true",
                        help="one load each, two people, a small company: to check that the "
                             "benchmark runs (its figures mean nothing)")
    args = parser.parse_args()
    inspections, findings = 10, 5
    if args.tiny:
        args.loads, args.people, inspections, findings = 1, 2, 2, 2
    if not Path(CHROMIUM).exists():
        print(f"bench_portal needs Debian's chromium ({CHROMIUM})", file=sys.stderr)
        return 2
    if not args.pg_url:
        print("bench_portal needs PostgreSQL: --pg-url or KIT_TEST_PG_URL", file=sys.stderr)
        return 2
    db = OfficeDb(args.pg_url)
    try:
        with tempfile.TemporaryDirectory(prefix="kit-bench-portal-") as tmp:
            run(args, Path(tmp), db, inspections, findings)
    finally:
        db.drop()
    return 0


def run(args: argparse.Namespace, tmp: Path, db: OfficeDb, inspections: int,
        findings: int) -> None:
    from playwright.sync_api import sync_playwright

    from kit.interchange import DEMO_ID

    accounts = people(args.people)
    seed(db.owner, accounts, inspections, findings)
    print(f"company: {inspections * findings} findings across {inspections} inspections; "
          f"{len(accounts)} company people")
    port = free_port()
    env = dict(os.environ, KIT_HUB_TRIAL_PASSWORD=PASSWORD)
    log = (tmp / "hub.log").open("w")
    hub = subprocess.Popen(
        [sys.executable, "-m", "kit", "hub", "--db-url", db.app, "--demo", "--port", str(port),
         "--state", str(tmp / "state"), "--config", str(hub_config(tmp, accounts))],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/hub/login", timeout=180)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            company_ctx, company = sign_in(browser, base, accounts[0])
            company.locator(".kp-company").wait_for(timeout=180_000)  # landed on the portal
            inspector_ctx, inspector = sign_in(browser, base, "zhangming")
            portal_url = f"{base}/services/kit-portal/"
            app_url = (f"{base}/user/zhangming/voila/render/app.ipynb?id={DEMO_ID}"
                       "&stage=checklist&section=7.1")
            first_item = ".kit-item-7_1_c1 .kit-r:not([disabled])"
            timed(inspector, app_url, first_item)  # the person's server starts: not timed
            timed(company, portal_url, ".kp-submit", last=True)
            shown = company.locator(".kp-finding").count()
            portal_times, app_times = [], []
            for _ in range(args.loads):  # interleaved: machine noise hits both alike
                page = company_ctx.new_page()
                portal_times.append(timed(page, portal_url, ".kp-submit", last=True))
                page.close()
                page = inspector_ctx.new_page()
                app_times.append(timed(page, app_url, first_item))
                page.close()
                time.sleep(1.0)
            p, a = statistics.median(portal_times), statistics.median(app_times)
            print(f"company page usable ({shown} findings): portal median {p:.2f} s (min "
                  f"{min(portal_times):.2f}), inspector app's first section median {a:.2f} s "
                  f"(min {min(app_times):.2f}); ratio {p / a:.2f}x (target <= 1.3x)")
            browser.close()
        pid = portal_pid(hub.pid)
        if pid is None:
            raise SystemExit("the portal service is not running under the Hub")
        one = rss_mib(pid)
        sessions = [sign_in_requests(base, user) for user in accounts[1:]]
        many = rss_mib(pid)
        per = (many - one) / max(len(sessions), 1)
        print(f"portal memory: RSS {one:.0f} MiB with 1 company person signed in, {many:.0f} MiB "
              f"with {len(accounts)}: {per * 1024:.0f} KiB per person")
        for web in sessions:
            web.close()  # type: ignore[attr-defined]
    finally:
        _stop_group(hub)  # type: ignore[arg-type]
        log.close()


if __name__ == "__main__":
    raise SystemExit(main())
