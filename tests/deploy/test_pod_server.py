"""A person's server as it runs in its pod, on this machine: a read-only root filesystem (a
mount namespace of its own, with / remounted read-only), an unprivileged user whose home it
cannot write, one writable folder for what the pod's emptyDir holds (/tmp there), and only the
environment KubeSpawner gives the pod (:func:`kit.server._k8s.kubespawner_config`) with the
store reached through PgBouncer (Debian's, with ``deploy/k8s/pgbouncer.yaml``'s settings) as
the app role, the password as the Secret gives it (PgBouncer checks it). It serves the
inspector app and prints an inspection's record through LibreOffice, and writes nothing
outside that folder.

The app is served by ``kit serve`` (the kit's Voila with the apps): the same server the Hub
starts as ``python -m kit.server --hub-user``, without the Hub's sign-in in front of it, which
no test here can pass. The pod's own command is started too, and sends a visitor to the Hub.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from kit.door import Door, Identity
from kit.interchange import DEMO_ID, load_demo
from kit.server import _k8s
from tests.browser import PATIENCE, _stop_group, free_port, wait_http, wait_until
from tests.deploy.chart import DEPLOY, ROOT, load_yaml
from tests.deploy.chart import VALUES as VALUES_FILE

NOBODY = 65534
PGBOUNCER = DEPLOY / "k8s" / "pgbouncer.yaml"
#: stands for the Secret kit-db's password (the test cluster trusts loopback, so PostgreSQL
#: does not check it there; a pod's libpq sends it to PgBouncer)
APP_PASSWORD = "app-role-password-from-the-secret"
COMPANY = "北京示例医疗科技有限公司"
#: the demo inspection's team member (not a leader, not in any group)
MEMBER = "lihua"


def _sandbox_works() -> bool:
    try:
        probe = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c",
             "mount -o remount,bind,ro / && setpriv --reuid=65534 --regid=65534 "
             "--clear-groups true"], capture_output=True, timeout=PATIENCE)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


@pytest.fixture(scope="module")
def sandbox() -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None or not _sandbox_works():
        if os.environ.get("CI"):
            pytest.fail("CI runs as root with unshare and setpriv (util-linux)")
        pytest.skip("needs root, unshare and setpriv to make a pod's read-only filesystem")


@pytest.fixture(scope="module")
def office(pg_admin_url: str) -> Iterator[sa.URL]:
    """A database of its own with the demo inspection, and the app role's URL (no password)."""
    tag = uuid.uuid4().hex[:8]
    db, owner, app = f"pod_{tag}", f"owner_{tag}", f"app_{tag}"
    admin = sa.create_engine(pg_admin_url, poolclass=sa.NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{owner}" LOGIN')
        conn.exec_driver_sql(f"CREATE ROLE \"{app}\" LOGIN PASSWORD '{APP_PASSWORD}'")
        conn.exec_driver_sql(f'CREATE DATABASE "{db}" OWNER "{owner}"')
    base = sa.make_url(pg_admin_url).set(database=db, password=None)
    owner_url = base.set(username=owner).render_as_string(hide_password=False)
    for step in (("db", "upgrade"), ("db", "grant", app)):
        proc = subprocess.run([sys.executable, "-m", "kit", *step, "--db-url", owner_url],
                              capture_output=True, text=True, timeout=PATIENCE)
        assert proc.returncode == 0, proc.stderr
    with Door.connect(owner_url, identity=Identity("admin")) as door:
        load_demo(door)
    yield base.set(username=app)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{db}" WITH (FORCE)')
        conn.exec_driver_sql(f'DROP ROLE "{app}"')
        conn.exec_driver_sql(f'DROP ROLE "{owner}"')
    admin.dispose()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def pgbouncer(office: sa.URL, sandbox: None) -> Iterator[int]:
    """Debian's PgBouncer with the cluster's pgbouncer.ini (its address, PostgreSQL's and the
    password file put here), in front of the office's database under its name there; its port.
    It checks the app role's password (the test cluster behind it trusts loopback)."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        if os.environ.get("CI"):
            pytest.fail("CI installs Debian's pgbouncer (.ci/run)")
        pytest.skip("Debian's pgbouncer is not installed")
    docs = {d["kind"]: d for d in yaml.safe_load_all(PGBOUNCER.read_text("utf-8"))}
    ini = docs["ConfigMap"]["data"]["pgbouncer.ini"]
    folder = Path(tempfile.mkdtemp(prefix="kb", dir="/tmp"))
    folder.chmod(0o755)
    port, name = free_port(), load_yaml(VALUES_FILE)["custom"]["kit"]["store"]["database"]
    for pattern, value in ((r"^listen_addr = .*$", "listen_addr = 127.0.0.1"),
                           (r"^listen_port = .*$", f"listen_port = {port}"),
                           (rf"^{name} = .*$", f"{name} = host={office.host} "
                                               f"port={office.port} dbname={office.database}"),
                           (r"^auth_file = .*$", f"auth_file = {folder / 'userlist.txt'}")):
        ini, found = re.subn(pattern, value, ini, flags=re.MULTILINE)
        assert found == 1, pattern
    (folder / "pgbouncer.ini").write_text(ini, "utf-8")
    (folder / "userlist.txt").write_text(f'"{office.username}" "{APP_PASSWORD}"\n', "utf-8")
    with (folder / "log").open("w") as out:  # PgBouncer refuses to run as root
        proc = subprocess.Popen(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                                 "--clear-groups", binary, str(folder / "pgbouncer.ini")],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert wait_until(lambda: _listening(port) or proc.poll() is not None)
        assert proc.poll() is None, (folder / "log").read_text("utf-8")
        yield port
    finally:
        _stop_group(proc)
        shutil.rmtree(folder, ignore_errors=True)


def test_pgbouncer_lets_in_the_app_role_with_the_secrets_password_only(pgbouncer, office):
    import psycopg

    where = {"host": "127.0.0.1", "port": pgbouncer, "user": office.username,
             "dbname": load_yaml(VALUES_FILE)["custom"]["kit"]["store"]["database"]}
    with psycopg.connect(**where, password=APP_PASSWORD) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (office.username,)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(**where, password="not-the-secret")


#: where the sandbox shows this checkout (read-only) and the home (read-only): folders every
#: Debian system has, outside /tmp (which the pod's scratch replaces)
CODE_AT, HOME_AT = Path("/srv"), Path("/media")


@pytest.fixture
def pod(office: sa.URL, pgbouncer: int, tmp_path: Path
        ) -> tuple[dict[str, str], Path, Path]:
    """The pod's environment as KubeSpawner gives it, its /tmp (``scratch`` here) and its
    home (read-only, root's)."""
    scratch, home = tmp_path / "scratch", tmp_path / "home"
    scratch.mkdir()
    home.mkdir()
    os.chown(scratch, NOBODY, NOBODY)  # the emptyDir, writable by the pod's user
    home.chmod(0o755)  # root's: the user may read it, never write it
    given = _k8s.kubespawner_config(load_yaml(VALUES_FILE)["custom"]["kit"])
    env = {name: value for name, value in given["KubeSpawner"]["environment"].items()
           if isinstance(value, str)}
    # PgBouncer here instead of its Service, the test's app role for kit_app; the database by
    # its name in PgBouncer, no password in the URL, the password as libpq reads it
    pod_url = sa.make_url(env["KIT_DB_URL"])
    assert pod_url.password is None
    env["KIT_DB_URL"] = pod_url.set(host="127.0.0.1", port=pgbouncer,
                                    username=office.username).render_as_string(False)
    env["PGPASSWORD"] = APP_PASSWORD
    env.pop("KIT_SIGNER_URL", None)  # no signing service here: notices stay unsigned
    env |= {"JUPYTERHUB_USER": MEMBER, "KIT_USER_GROUPS": "", "HOME": str(HOME_AT),
            "PATH": "/usr/local/bin:/usr/bin:/bin", "PYTHONPATH": str(CODE_AT)}
    return env, scratch, home


def in_pod(argv: list[str], env: dict[str, str], scratch: Path, home: Path) -> list[str]:
    """``python ARGV`` as in a pod: / read-only, ``scratch`` its /tmp, ``home`` its home, as an
    unprivileged user. (The user may read what root's may, e.g. this machine's Python under
    /root, as every user of an image may read its files; it may write only to /tmp.)"""
    if not (CODE_AT.is_dir() and HOME_AT.is_dir()):
        pytest.fail(f"{CODE_AT} and {HOME_AT} are in every Debian system (base-files)")
    script = ('mount --bind "$1" "$4" && mount -o remount,bind,ro "$4" && '
              'mount --bind "$2" "$5" && mount -o remount,bind,ro "$5" && '
              'mount --bind "$3" /tmp && mount -o remount,bind,ro / && cd "$5" && shift 5 && '
              'exec "$@"')  # in the home, as the image's WORKDIR
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
            str(ROOT), str(home), str(scratch), str(CODE_AT), str(HOME_AT),
            "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
            "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search",
            "env", "-i", *[f"{k}={v}" for k, v in env.items()], sys.executable, *argv]


@pytest.mark.slow
def test_a_persons_server_serves_the_app_read_only_as_in_its_pod(pod, tmp_path):
    env, scratch, home = pod
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(in_pod(["-m", "kit", "serve", "--port", str(port)], env, scratch,
                                       home),
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_http(base)
        with urllib.request.urlopen(f"{base}?id={DEMO_ID}", timeout=PATIENCE) as page:
            status, html = page.status, page.read().decode("utf-8")
    finally:
        _stop_group(proc)
    served = log.read_text("utf-8")
    assert status == 200, served
    assert "application/vnd.jupyter.widget-view+json" in html, served  # the app, rendered
    assert "There was an error when executing cell" not in html, served
    assert "Traceback" not in served
    # nothing fell back from an unwritable place (IPython, matplotlib warn when they must)
    assert "writable" not in served, served
    assert list(home.iterdir()) == []  # the home was never written
    assert any(scratch.iterdir())  # Voila's runtime files went to the pod's /tmp


@pytest.mark.slow
def test_a_persons_server_prints_a_record_through_libreoffice_read_only_as_in_its_pod(pod):
    if shutil.which("libreoffice") is None and shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs LibreOffice (.ci/install)")
        pytest.skip("LibreOffice is not installed")
    env, scratch, home = pod
    # the printed record: the kit writes the workbook, LibreOffice prints it (its profile, its
    # pipe and the workbook under /tmp)
    proc = subprocess.run(in_pod(["-m", "kit", "export", DEMO_ID, "--out", "/tmp/record.pdf",
                                  "--unsigned"], env, scratch, home),
                          capture_output=True, text=True, timeout=PATIENCE * 2)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pdf = scratch / "record.pdf"  # /tmp/record.pdf in the pod
    assert pdf.stat().st_uid == NOBODY  # written by the pod's user, where it may
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert COMPANY in text.replace(" ", "")
    assert list(home.iterdir()) == []


@pytest.mark.slow
def test_the_pods_own_command_starts_the_server_behind_the_hubs_sign_in(pod, monkeypatch,
                                                                         tmp_path):
    pytest.importorskip("kubespawner", reason="pip install '.[k8s]' (the test extra has it)")
    from tests.deploy.chart import environment_of, hub_config, person, pod_manifest

    env, scratch, home = pod
    manifest = pod_manifest(hub_config(monkeypatch), monkeypatch, person(MEMBER))
    (container,) = manifest["spec"]["containers"]
    given = environment_of(container)
    hub = free_port()  # where the Hub's API would be (nobody answers: nobody signs in here)
    port = free_port()
    # the pod's own environment, with what the Hub fills in only when it really spawns (the
    # server's prefix, its OAuth client, the Hub's address) and the addresses of this machine
    pod_env = {k: v for k, v in given.items() if isinstance(v, str)}
    pod_env |= {k: env[k] for k in ("KIT_DB_URL", "PGPASSWORD", "HOME", "PATH", "PYTHONPATH")}
    pod_env.pop("KIT_SIGNER_URL", None)
    prefix = f"/user/{MEMBER}/"
    pod_env |= {"JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}{prefix}",
                "JUPYTERHUB_SERVICE_PREFIX": prefix, "JUPYTERHUB_BASE_URL": "/",
                "JUPYTERHUB_API_URL": f"http://127.0.0.1:{hub}/hub/api",
                "JUPYTERHUB_ACTIVITY_URL": f"http://127.0.0.1:{hub}/hub/api/users/{MEMBER}/activity",
                "JUPYTERHUB_CLIENT_ID": f"jupyterhub-user-{MEMBER}", "JUPYTERHUB_HOST": "",
                "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback"}
    args = container["args"]
    assert args[0] == "python"
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(in_pod(args[1:], pod_env, scratch, home), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_: object) -> None:
            return None

    def answer() -> tuple[int, str]:
        try:
            urllib.request.build_opener(Stay).open(f"http://127.0.0.1:{port}{prefix}",
                                                   timeout=PATIENCE)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", "")
        except OSError:
            return 0, ""
        return 200, ""

    try:
        assert wait_until(lambda: answer()[0] != 0 or proc.poll() is not None)
        status, where = answer()
    finally:
        _stop_group(proc)
    served = log.read_text("utf-8")
    assert status == 302, served  # sent to the Hub to sign in: the page is theirs alone
    assert "oauth2/authorize" in where, where
    assert "Traceback" not in served
    assert list(home.iterdir()) == []
