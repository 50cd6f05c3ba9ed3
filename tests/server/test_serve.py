"""`kit serve`: the Voila command line and environment the apps are served with."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import pytest

from kit import server as serve
from kit.door import Door, Identity
from kit.errors import KitError, NotFoundError
from kit.interchange import DEMO_ID, load_demo
from tests.browser import PATIENCE, served, wait_until


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
    size = next(a for a in argv if "websocket_max_message_size" in a)
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


def test_voila_reads_the_upload_limit_as_a_number():
    from voila.app import Voila

    argv = serve.voila_argv(serve.notebook_path("app"))
    setting = next(a for a in argv if a.startswith("--Voila.tornado_settings="))
    app = Voila()
    with warnings.catch_warnings():  # traitlets deprecates the dict form; it is the typed one
        warnings.simplefilter("ignore", DeprecationWarning)
        app.parse_command_line([setting])
    assert app.tornado_settings["websocket_max_message_size"] == serve.UPLOAD_LIMIT_BYTES


def test_serving_beyond_this_machine_needs_a_token():
    with pytest.raises(KitError, match="--token"):
        serve.voila_argv(Path("x.ipynb"), ip="0.0.0.0")
    proc = subprocess.run([sys.executable, "-m", "kit", "serve", "--ip", "0.0.0.0"],
                          capture_output=True, text=True, timeout=PATIENCE)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "--token" in proc.stderr


def _kernels(pid: int) -> int:
    """Kernel processes below the server process ``pid``."""
    count = 0
    for name in (p.name for p in Path("/proc").iterdir() if p.name.isdigit()):
        try:
            stat = (Path("/proc") / name / "stat").read_text().split()
            cmd = (Path("/proc") / name / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[3]) == pid and b"ipykernel" in cmd:
            count += 1
    return count


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
