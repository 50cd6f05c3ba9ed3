"""`kit serve`: the Voila command line and environment the apps are served with."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kit import server as serve
from kit.door import Door, Identity
from kit.errors import KitError, NotFoundError
from kit.interchange import DEMO_ID, load_demo
from tests.browser import (
    PATIENCE,
    PATIENCE_MS,
    _stop_group,
    free_port,
    served,
    wait_http,
    wait_until,
)


def test_voila_is_bound_to_localhost_culls_idle_kernels_and_takes_large_uploads():
    argv = serve.voila_argv(serve.notebook_path("app"), port=9999)
    assert argv[1:3] == ["-m", "kit.server"]  # the kit's Voila, with its limits
    assert argv[3].endswith("app.ipynb")
    assert "--KitVoila.max_kernels=12" in argv
    assert "--port=9999" in argv
    assert "--Voila.ip=127.0.0.1" in argv
    assert "--MappingKernelManager.cull_idle_timeout=120" in argv
    assert "--MappingKernelManager.cull_connected=False" in argv
    assert "--preheat_kernel=True" in argv
    assert "--no-browser" in argv
    assert "--Voila.port_retries=0" in argv  # the address kit serve prints, or an error
    assert "--KernelManager.transport=ipc" in argv  # not TCP, which any local user reaches
    size = next(a for a in argv if a.startswith("--KitVoila.upload_limit="))
    assert str(serve.UPLOAD_LIMIT_BYTES) in size
    assert serve.UPLOAD_LIMIT_BYTES > 10 * 2**20  # above Voila's 10 MiB default


def test_token_and_address_are_honoured():
    argv = serve.voila_argv(Path("x.ipynb"), ip="0.0.0.0", token="s3cret", preheat=False)
    assert "--Voila.ip=0.0.0.0" in argv
    assert "--token=s3cret" in argv
    assert "--preheat_kernel=True" not in argv


def test_kernels_inherit_the_store_location(tmp_path):
    env = serve.serve_env(data_dir=str(tmp_path), open_id="abc", base={"PATH": "/bin"})
    assert env == {"PATH": "/bin", "KIT_DATA_DIR": str(tmp_path.resolve()), "KIT_OPEN_ID": "abc"}


def test_kit_serve_user_reaches_the_apps():
    assert serve.serve_env(user=" 张三 ", base={})["KIT_USER"] == "张三"
    assert "KIT_USER" not in serve.serve_env(user="", base={})  # then the app asks


def test_unknown_app_lists_the_known_ones():
    with pytest.raises(NotFoundError, match="training"):
        serve.notebook_path("nope")


def test_demo_is_loaded_once(tmp_path):
    with Door.connect(data_dir=str(tmp_path), identity=Identity("a")) as door:
        assert load_demo(door) == DEMO_ID
        assert load_demo(door.as_(Identity("b"))) == DEMO_ID
        assert len(door.list()) == 1
        assert door.inspection(DEMO_ID).company.name == "北京示例医疗科技有限公司"


def test_voila_reads_the_upload_limit_as_a_number(tmp_path):
    from kit.server._gate import KitVoila

    on_term = signal.getsignal(signal.SIGTERM)
    try:
        app = KitVoila()
        app.initialize(serve.voila_argv(serve.notebook_path("app"))[3:])  # after -m kit.server
        app.connection_dir = str(tmp_path)
        settings = app.init_settings()  # what the server is built with; no kernel started
    finally:
        signal.signal(signal.SIGTERM, on_term)  # Voila's own handler, for its server only
    assert settings["websocket_max_message_size"] == serve.UPLOAD_LIMIT_BYTES


def test_serving_beyond_this_machine_needs_a_token():
    with pytest.raises(KitError, match="--token"):
        serve.voila_argv(Path("x.ipynb"), ip="0.0.0.0")
    proc = subprocess.run([sys.executable, "-m", "kit", "serve", "--ip", "0.0.0.0"],
                          capture_output=True, text=True, timeout=PATIENCE)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "--token" in proc.stderr


#: what a person's server has no use for: the store (its kernels open it), IPython (its
#: kernels run it); each costs a pod 17-18 MiB (issue 28)
NOT_IN_SERVER = ("sqlalchemy", "kit.door", "kit.store", "IPython", "jedi", "prompt_toolkit")
SERVER_LOADS = """
import json, sys
from kit.server import _gate, hub_user_argv, voila_argv  # what python -m kit.server loads
from jupyter_client.kernelspec import KernelSpecManager
spec = _gate.KitKernelSpecs().get_kernel_spec("python3")
loaded = [m for m in %r if m in sys.modules]
print(json.dumps({"loaded": loaded, "argv": spec.argv, "language": spec.language,
                  "jupyters": KernelSpecManager().get_kernel_spec("python3").argv}))
"""


def test_a_persons_server_finds_the_apps_kernel_without_the_store_or_ipython():
    for argv in (serve.voila_argv(Path("app.ipynb")),
                 serve.hub_user_argv({"JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:5123/user/li/",
                                      "JUPYTERHUB_SERVICE_PREFIX": "/user/li/"})):
        assert ("--VoilaConfiguration.kernel_spec_manager_class="
                "kit.server._gate.KitKernelSpecs") in argv
    done = subprocess.run([sys.executable, "-c", SERVER_LOADS % (NOT_IN_SERVER,)],
                          capture_output=True, text=True, timeout=PATIENCE)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["loaded"] == []
    # the kernel it finds is the one Jupyter's own lookup finds: Python's, with ipykernel
    assert found["language"] == "python"
    assert found["argv"] == found["jupyters"]
    assert "ipykernel_launcher" in found["argv"]


def _kernel_ids(pid: int) -> set[str]:
    """The ids of the kernel processes below the server process ``pid`` (each is started with
    its connection file, ``kernel-ID.json``)."""
    found = set()
    for name in (p.name for p in Path("/proc").iterdir() if p.name.isdigit()):
        try:
            stat = (Path("/proc") / name / "stat").read_text().split()
            cmd = (Path("/proc") / name / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat[3]) == pid and any(b"ipykernel" in part for part in cmd):
            found |= {Path(part.decode()).stem.removeprefix("kernel-") for part in cmd
                      if part.endswith(b".json")}
    return found


def _kernels(pid: int) -> int:
    """Kernel processes below the server process ``pid``."""
    return len(_kernel_ids(pid))


@pytest.mark.slow
def test_the_served_app_bounds_its_kernels_and_checks_the_host(tmp_path):
    with served(["--demo", "--max-kernels", "2"], tmp_path / "data", tmp_path / "log") as base:
        for _ in range(8):  # page loads that never connect, as a script's would
            with urllib.request.urlopen(base, timeout=PATIENCE) as page:
                assert page.status == 200
        request = urllib.request.Request(base, headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=PATIENCE)
        assert refused.value.code == 403
        # ended kernels take a moment to exit: the limit and the preheated one are left
        assert wait_until(lambda: _kernels(base.pid) <= 2 + 1)
        assert 1 <= _kernels(base.pid) <= 2 + 1


def _page_kernel(page) -> str:
    """The id of the kernel a Voila page runs on (from the page's own configuration)."""
    return str(page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"))


@pytest.mark.browser
@pytest.mark.slow
def test_a_reloaded_pages_kernel_ends_with_it(browser, tmp_path):
    """Voila's page asks the server to end its kernel when it is left, with the ``_xsrf``
    cookie's token: the kit's page sets that cookie, so after 10 reloads the open page's
    kernel and the preheated one are left, not 11. Each left page's kernel ends long before the
    idle culler could end it (after CULL_IDLE_SECONDS idle), and the gate's limits are out of
    reach here: the page's own request ends it."""
    limits = ["--max-tabs", "30", "--max-kernels", "30"]
    with served(["--demo", *limits], tmp_path / "data", tmp_path / "log") as base:
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(PATIENCE_MS)
        page.add_init_script("localStorage.setItem('kit-user', '张明')")
        page.goto(base)
        page.locator(".kit-app").wait_for(state="visible")
        left: list[str] = []
        for _ in range(10):
            left.append(_page_kernel(page))
            page.reload()
            page.locator(".kit-app").wait_for(state="visible")
            gone = left[-1]
            assert wait_until(lambda: gone not in _kernel_ids(base.pid),  # noqa: B023
                              seconds=serve.CULL_IDLE_SECONDS / 2)
        assert _page_kernel(page) in _kernel_ids(base.pid)
        assert wait_until(lambda: len(_kernel_ids(base.pid)) == 2)  # the page's, the pool's
        assert not set(left) & _kernel_ids(base.pid)
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_the_first_run_asks_a_name_once_then_opens_the_demo(page, tmp_path):
    """What the README's first run says: the app asks for a name (every change is recorded
    under it), the browser remembers it, and the demo inspection is open."""
    page.set_default_timeout(PATIENCE_MS)
    with served(["--demo"], tmp_path / "data", tmp_path / "log") as base:
        page.goto(base)
        page.locator(".kit-user input").fill("王小明")
        page.locator("button.kit-user-ok").click()
        page.locator(".kit-who", has_text="王小明").wait_for()
        page.get_by_text("北京示例医疗科技有限公司 — demo-2026-1119").wait_for()
        page.reload()
        page.get_by_text("北京示例医疗科技有限公司 — demo-2026-1119").wait_for()
        page.locator(".kit-who", has_text="王小明").wait_for()
        assert page.locator(".kit-user input").is_hidden()


@pytest.mark.slow
def test_kit_serve_demo_prints_only_its_address(tmp_path):
    """A person starting ``kit serve --demo`` sees where the app is, and nothing else: no
    library's warning, no kernel's, none when it is stopped with Ctrl-C."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit", "serve", "--demo", "--data-dir", str(tmp_path / "data"),
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    where = f"http://127.0.0.1:{port}/"
    try:
        wait_http(where)  # the page, rendered by a kernel; the pool's kernel starts meanwhile
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C, as in a terminal
        try:
            out, _ = proc.communicate(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            _stop_group(proc)
            raise
    assert out.splitlines() == [f"检查工具包应用 app 在 {where} / serving app.ipynb at {where}"]
    assert proc.returncode == 0
