"""`kit hub`: the office server's checks, and the real thing (JupyterHub, PostgreSQL, Chromium).

The browser test starts `kit hub` on loopback with the trial settings (one shared password,
templates/jupyterhub_trial_config.py) on a database of its own in the test cluster, reached as
an app role: two members of the demo inspection's team work on it from two browsers and see
each other's progress, an outsider is refused, and the trail names both members.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kit import server as serve
from kit.errors import KitError
from kit.interchange import DEMO_ID
from kit.resources import templates_dir
from kit.store import Store
from tests.browser import (
    PATIENCE,
    PATIENCE_MS,
    _stop_group,
    free_port,
    unfold,
    wait_http,
    wait_until,
)

PASSWORD = "trial-password-for-tests"


# -- the checks before anything starts ----------------------------------------------------------
def run_kit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kit", *args], capture_output=True, text=True,
                          timeout=PATIENCE, env=env)


@pytest.mark.parametrize(("args", "says"), [
    ((), "needs a PostgreSQL store"),
    (("--db-url", "sqlite:////tmp/office.sqlite"), "SQLite is for one machine"),
    (("--db-url", "postgresql+psycopg://kit_app@127.0.0.1:1/kit"), "cannot connect"),
    (("--db-url", "postgresql+psycopg://x@h/d", "--config", "/no/such/file.py"),
     "no such configuration file"),
])
def test_a_wrong_office_server_set_up_is_one_line_and_exit_2(args, says):
    proc = run_kit("hub", *args)
    assert proc.returncode == 2
    assert says in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_missing_proxy_says_how_to_install_it(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # nothing on PATH, not even the proxy
    proc = run_kit("hub", "--db-url", "postgresql+psycopg://x@h/d", env=env)
    assert proc.returncode == 2
    assert "npm install -g configurable-http-proxy" in proc.stderr


def test_a_persons_server_is_the_kits_voila_signed_in_through_the_hub():
    argv = serve.hub_user_argv({"JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:5123/user/li/",
                                "JUPYTERHUB_SERVICE_PREFIX": "/user/li/"})
    assert argv[1:3] == ["-m", "kit.server"]
    assert Path(argv[3]).name == "notebooks"  # every app, and nothing but the apps
    assert "--port=5123" in argv
    assert "--Voila.base_url=/user/li/" in argv
    assert any("JupyterHubIdentityProvider" in a for a in argv)
    assert any("JupyterHubAuthorizer" in a for a in argv)
    assert "--KitVoila.pool_reserve=0" in argv  # no idle kernel kept for anyone
    with pytest.raises(KitError, match="kit hub"):
        serve.hub_user_argv({})


# -- the office database: an owner creates it, the apps use their own role -----------------------
@pytest.fixture(scope="module")
def office_db(pg_admin_url: str) -> Iterator[dict[str, str]]:
    """A database of its own in the test cluster: its owner's URL, and the app role's."""
    tag = uuid.uuid4().hex[:8]
    db, owner, app = f"office_{tag}", f"owner_{tag}", f"app_{tag}"
    admin = sa.create_engine(pg_admin_url, poolclass=sa.NullPool,
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{owner}" LOGIN')
        conn.exec_driver_sql(f'CREATE ROLE "{app}" LOGIN')
        conn.exec_driver_sql(f'CREATE DATABASE "{db}" OWNER "{owner}"')
    base = sa.make_url(pg_admin_url).set(database=db)
    urls = {"owner": base.set(username=owner).render_as_string(hide_password=False),
            "app": base.set(username=app).render_as_string(hide_password=False)}
    for step in (("db", "upgrade"), ("db", "grant", app)):
        proc = run_kit(*step, "--db-url", urls["owner"])
        assert proc.returncode == 0, proc.stderr
    yield urls
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{db}" WITH (FORCE)')
        conn.exec_driver_sql(f'DROP ROLE "{app}"')
        conn.exec_driver_sql(f'DROP ROLE "{owner}"')
    admin.dispose()


def test_the_hub_refuses_the_owner_and_takes_the_app_role(office_db):
    proc = run_kit("hub", "--db-url", office_db["owner"])
    assert proc.returncode == 2
    assert "kit db grant" in proc.stderr
    with Store(office_db["app"]) as store:
        assert store.role_problems() == []
        assert serve.check_store(office_db["app"]) == office_db["app"]


@pytest.fixture(scope="module")
def hub(office_db: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`kit hub` on a free loopback port with the trial settings and the demo inspection."""
    if shutil.which("configurable-http-proxy") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have configurable-http-proxy (npm install -g, in .ci/run)")
        pytest.skip("configurable-http-proxy is not installed (npm install -g ...)")
    port = free_port()
    state = tmp_path_factory.mktemp("hub-state")
    log = state / "hub.log"
    env = dict(os.environ, KIT_HUB_TRIAL_PASSWORD=PASSWORD)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kit", "hub", "--db-url", office_db["app"], "--demo",
             "--port", str(port), "--state", str(state),
             "--config", str(templates_dir() / "jupyterhub_trial_config.py")],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(f"{base}/hub/login")
            yield base
        finally:
            _stop_group(proc)


def sign_in(browser, base: str, user: str):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(PATIENCE_MS)  # the person's server starts, then the kernel
    page.goto(f"{base}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login_submit")
    page.wait_for_load_state()
    return page


def open_app(page, base: str, user: str, query: str) -> None:
    page.goto(f"{base}/user/{user}/voila/render/app.ipynb?{query}")
    page.locator(".kit-app").wait_for(state="visible")
    page.locator(".kit-who", has_text=user).wait_for()


def checked(page, section_label: str) -> tuple[int, int]:
    """(checked, nonconform) of a section in the team progress table."""
    row = page.locator(".kit-team-progress tr", has_text=section_label)
    cells = row.locator("td").all_inner_texts()
    return int(re.match(r"(\d+)/", cells[2]).group(1)), int(cells[3] or 0)


@pytest.mark.browser
@pytest.mark.slow
def test_a_team_works_on_one_inspection_from_two_browsers(browser, hub, office_db, tmp_path):
    leader = sign_in(browser, hub, "zhangming")
    member = sign_in(browser, hub, "lihua")
    open_app(leader, hub, "zhangming", f"id={DEMO_ID}&stage=checklist&section=7.1")
    open_app(member, hub, "lihua", f"id={DEMO_ID}&stage=checklist&section=7.3")
    leader.locator(".kit-team-progress").wait_for()  # open for the leader
    leader.screenshot(path=str(tmp_path / "leader.png"))
    _checked, bad_before = checked(leader, "七、3.")

    # lihua judges an item of her section 不符合; the leader sees it without reloading
    member.locator(".kit-field-results--7_3_c1--result").get_by_role(
        "button", name="不符合", exact=True).click()
    assert wait_until(lambda: checked(leader, "七、3.")[1] == bad_before + 1)
    # and the leader writes in his own section
    unfold(leader, "7.1.c1")
    notes = leader.locator(".kit-field-results--7_1_c1--notes textarea")
    notes.fill("组长现场核对营业执照原件")
    notes.blur()

    with Store(office_db["owner"]) as store:
        def trail() -> dict[str, str]:
            return {e.path or "": e.user for e in store.audit(DEMO_ID)}
        assert wait_until(lambda: trail().get("results/7.1.c1/notes") == "zhangming")
        assert trail().get("results/7.3.c1/result") == "lihua"
        assert store.verify(DEMO_ID) == []

    # the member's page shows the leader's note within a few seconds, without a reload
    member.locator(".kit-section-chooser select").select_option(index=0)  # 七、1.
    assert wait_until(lambda: member.locator(
        ".kit-field-results--7_1_c1--notes textarea").input_value() == "组长现场核对营业执照原件")

    # one member cannot reach another's server
    answer = member.request.get(f"{hub}/user/zhangming/voila/render/app.ipynb",
                                max_redirects=0, fail_on_status_code=False)
    assert answer.status in (302, 403)
    assert "kit-app" not in answer.text()
    for page in (leader, member):
        page.context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_someone_off_the_team_is_refused_not_shown_the_record(browser, hub):
    outsider = sign_in(browser, hub, "zhao")
    outsider.goto(f"{hub}/user/zhao/voila/render/app.ipynb?id={DEMO_ID}")
    outsider.locator(".kit-app").wait_for(state="visible")
    outsider.locator(".kit-message", has_text="may not open").wait_for()
    assert outsider.locator(".kit-stages").is_hidden() or \
        outsider.locator(".kit-section").count() == 0
    assert "北京示例医疗科技有限公司" not in outsider.locator(".kit-app").inner_text()
    outsider.context.close()


def test_the_office_settings_are_documented_in_templates():
    text = (templates_dir() / serve.HUB_CONFIG).read_text(encoding="utf-8")
    for setting in ("authenticator_class", "admin_users", "load_groups", "leaders", "analysts",
                    "trainers", "IDLE_SERVER_SECONDS", "active_server_limit"):
        assert setting in text


def _companies_in(path: Path) -> set[str]:
    """Every text cell of a downloaded workbook (the companies it names are among them)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    return {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
            for v in row if isinstance(v, str)}


@pytest.mark.browser
@pytest.mark.slow
def test_the_analytics_page_and_its_downloads_show_each_person_only_their_teams(
        browser, hub, office_db, tmp_path):
    """Two teams on one office server: the demo's (zhangming, lihua) and another one's (zhao)
    on a confidential company. Each person's analytics page, and each workbook it offers,
    holds their teams' inspections only; someone on no team reads nothing and is told why."""
    from dataclasses import replace

    from kit.door import Door, Identity
    from kit.interchange import demo_inspection
    from kit.record import Member

    secret = "机密医疗器械有限公司"
    with Store(office_db["owner"]) as store:
        Door(store, Identity("admin")).create(replace(
            demo_inspection(), id="team-b", attachments={}, notices={},
            company=replace(demo_inspection().company, name=secret),
            team={"M1": Member("赵磊", "leader", user="zhao"), "M2": Member("孙悦")}))
    seen = {}
    for user in ("lihua", "zhao"):
        page = sign_in(browser, hub, user)
        page.goto(f"{hub}/user/{user}/voila/render/analytics.ipynb")
        links = page.locator("a.kit-download")
        links.nth(1).wait_for()  # the analysis and the year's plan, both offered
        text = page.locator("body").inner_text()
        page.screenshot(path=str(tmp_path / f"analytics-{user}.png"), full_page=True)
        books = []
        for k in range(2):
            with page.expect_download() as got:
                links.nth(k).click()
            saved = tmp_path / f"{user}-{k}.xlsx"
            got.value.save_as(saved)
            books.append(_companies_in(saved))
        seen[user] = (text, books)
        page.context.close()
    text, books = seen["lihua"]
    assert "北京示例医疗科技有限公司" in text
    assert secret not in text
    assert all(secret not in book for book in books)
    assert "北京示例医疗科技有限公司" in books[0]
    text, books = seen["zhao"]
    assert secret in text
    assert "北京示例医疗科技有限公司" not in text
    assert all("北京示例医疗科技有限公司" not in book for book in books)
    nobody = sign_in(browser, hub, "liu")  # a trainer, on no team
    nobody.goto(f"{hub}/user/liu/voila/render/analytics.ipynb")
    nobody.get_by_text("nothing you may read").wait_for()
    assert secret not in nobody.locator("body").inner_text()
    nobody.context.close()


def _kernels_of(user: str) -> list[int]:
    """The kernel processes of one person's server (their environment names them)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
            env = (proc / "environ").read_bytes()
        except OSError:
            continue
        if b"ipykernel" in cmd and f"JUPYTERHUB_USER={user}\0".encode() in env:
            found.append(int(proc.name))
    return found


def switch_to(page, base: str, user: str) -> None:
    """The same browser, the next person: sign out, sign in (a tablet passed round)."""
    page.goto(f"{base}/hub/logout")
    page.goto(f"{base}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login_submit")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.slow
def test_a_shared_tablet_never_saves_one_persons_typing_under_the_next_persons_name(
        browser, hub, office_db):
    """lihua types a note while her kernel is gone (kept in the browser), hands the tablet to
    zhangming, who signs in on the same browser and opens the same place: her typing is not
    offered, shown or saved under his name; when she signs in again, it is saved under hers."""
    import signal

    notes = ".kit-field-results--7_2_c1--notes textarea"
    query = f"id={DEMO_ID}&stage=checklist&section=7.2"
    page = sign_in(browser, hub, "lihua")
    open_app(page, hub, "lihua", query)
    unfold(page, "7.2.c1")
    for pid in _kernels_of("lihua"):
        os.kill(pid, signal.SIGKILL)
    page.locator(".kit-offline").wait_for(state="visible")
    page.locator(notes).fill("李华断线时在平板上写下的记录")
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('kit-draft:'))")
    assert kept == [f"kit-draft:lihua:{DEMO_ID}:results/7.2.c1/notes"]

    switch_to(page, hub, "zhangming")
    open_app(page, hub, "zhangming", query)
    unfold(page, "7.2.c1")
    page.locator(".kit-offline").wait_for(state="hidden")
    page.wait_for_timeout(3_000)  # the guard has sent what it keeps for this person by now
    assert page.locator(".kit-draft").count() == 0
    assert "李华断线时" not in page.locator(notes).input_value()
    with Store(office_db["owner"]) as store:
        assert not [e for e in store.audit(DEMO_ID, "results/7.2.c1/notes")
                    if "李华断线时" in (e.new_json or "")]

    switch_to(page, hub, "lihua")  # her typing was kept for her, and is hers to save
    open_app(page, hub, "lihua", query)
    with Store(office_db["owner"]) as store:
        def saved_by() -> list[str]:
            return [e.user for e in store.audit(DEMO_ID, "results/7.2.c1/notes")
                    if "李华断线时" in (e.new_json or "")]
        assert wait_until(lambda: saved_by() == ["lihua"])
    page.context.close()


# -- the signing service: the one process with the key pairs ------------------------------------
def _hub_config(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The office's configuration as JupyterHub would load it, under ``env``."""
    from traitlets.config import Config

    for name in [n for n in os.environ if n.startswith("KIT_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Config()
    path = templates_dir() / "jupyterhub_config.py"
    exec(compile(path.read_text("utf-8"), str(path), "exec"),
         {"get_config": lambda: config, "__file__": str(path)})
    return config


def test_only_the_signing_service_gets_the_keys_and_people_get_its_address(tmp_path,
                                                                           monkeypatch):
    from kit.proof import init_keys

    keys = tmp_path / "keys"
    init_keys(keys, authority="北京市药品监督管理局")
    secrets = {"KIT_KEYS_DIR": str(keys), "KIT_KEY_PASSPHRASE": "p", "KIT_SIGNING_KEY": "old"}
    c = _hub_config({"KIT_DB_URL": "postgresql+psycopg://app@h/d", "KIT_HUB_SIGNER_PORT": "5999",
                     **secrets}, monkeypatch)
    people = c.Spawner.environment
    assert not set(secrets) & set(people)
    assert people["KIT_SIGNER_URL"] == "http://127.0.0.1:5999/services/kit-signer"
    signer = next(s for s in c.JupyterHub.services if s["name"] == "kit-signer")
    assert signer["url"] == "http://127.0.0.1:5999"
    assert signer["command"][1:] == ["-m", "kit.server", "--signer"]
    assert signer["environment"]["KIT_KEYS_DIR"] == str(keys)
    # an earlier release's key checks the trails it keyed, in the signing service alone
    assert signer["environment"]["KIT_SIGNING_KEY"] == "old"
    role = next(r for r in c.JupyterHub.load_roles if r["name"] == "kit-signer")
    assert role["scopes"] == ["read:users:name", "read:users:groups"]
    # no key pair: nothing is signed, and there is no service to ask
    bare = _hub_config({"KIT_KEYS_DIR": str(tmp_path / "none")}, monkeypatch)
    assert "KIT_SIGNER_URL" not in bare.Spawner.environment
    assert "kit-signer" not in [s["name"] for s in bare.JupyterHub.services]


def _hub_token(base: str, user: str) -> str:
    """A token of ``user``'s own, as they would make one signed in (the Hub's API)."""
    import requests

    def xsrf(web: requests.Session) -> str:
        return next((c.value or "" for c in web.cookies
                     if c.name == "_xsrf" and c.path.startswith("/hub")), "")

    with requests.Session() as web:
        web.get(f"{base}/hub/login", timeout=PATIENCE)
        web.post(f"{base}/hub/login", data={"username": user, "password": PASSWORD,
                                            "_xsrf": xsrf(web)}, timeout=PATIENCE)
        made = web.post(f"{base}/hub/api/users/{user}/tokens", json={"note": "test"},
                        headers={"X-XSRFToken": xsrf(web)}, timeout=PATIENCE)
        made.raise_for_status()
        return str(made.json()["token"])


def test_the_hubs_signing_service_checks_the_persons_token_with_the_hub(hub):
    """The trial Hub runs the signing service with a trial key pair: a team member's own Hub
    token gets the demo's trail signed, someone off the team's and a made-up one do not."""
    from kit.door import AccessError
    from kit.interchange import HubNotary

    url = f"{hub}/services/kit-signer"

    def answers() -> bool:  # the service started with the Hub (a made-up token is refused)
        try:
            HubNotary(url, "made-up").checkpoint(DEMO_ID)
        except AccessError:
            return True
        except KitError:
            return False
        return False

    assert wait_until(answers)
    member = HubNotary(url, _hub_token(hub, "zhangming"))
    assert member.checkpoint(DEMO_ID) > 0
    for token in (_hub_token(hub, "zhao"), "made-up"):
        with pytest.raises(AccessError):
            HubNotary(url, token).checkpoint(DEMO_ID)
