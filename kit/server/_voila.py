"""Serve the apps with Voila, with settings that suit inspectors on a laptop or a shared server.

- bound to 127.0.0.1 unless told otherwise; on any other address only with a token (or the
  office server, ``kit hub``), and on loopback only for requests addressed to a local name;
- kernels bounded in total and per client (:mod:`kit.server._gate`);
- a left page's kernel ends with it (:mod:`kit.server._gate`); one the page could not end
  (a crashed browser) is culled within minutes;
- one preheated kernel waits, so the app opens about twice as fast;
- uploads up to :data:`UPLOAD_LIMIT_BYTES` (Voila's websocket default is 10 MiB);
- the kernels inherit the store's location (``KIT_DATA_DIR`` / ``KIT_DB_URL``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from kit.errors import KitError, NotFoundError
from kit.resources import shipped_dir

__all__ = [
    "APPS",
    "CULL_IDLE_SECONDS",
    "CULL_INTERVAL_SECONDS",
    "LOOPBACK",
    "MAX_KERNELS",
    "MAX_KERNELS_PER_PERSON",
    "MAX_TABS_PER_CLIENT",
    "UPLOAD_LIMIT_BYTES",
    "check_address",
    "hub_user_argv",
    "notebook_path",
    "run",
    "serve_env",
    "voila_argv",
]

UPLOAD_LIMIT_BYTES = 200 * 1024 * 1024
CULL_IDLE_SECONDS = 120
CULL_INTERVAL_SECONDS = 30
APPS = {"app": "app.ipynb", "training": "training.ipynb", "analytics": "analytics.ipynb"}


def notebook_path(app: str) -> Path:
    """The notebook of an app by name (``app``, ``training``...) or a path to one."""
    if app.endswith(".ipynb"):
        path = Path(app)
    else:
        path = shipped_dir("notebooks") / APPS.get(app, f"{app}.ipynb")
    if not path.is_file():
        known = ", ".join(sorted(APPS))
        msg = f"找不到应用 {app!r} / no app {app!r}; known: {known}"
        raise NotFoundError(msg)
    return path


LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_KERNELS, MAX_TABS_PER_CLIENT = 12, 6


def check_address(ip: str, token: str | None) -> None:
    """Refuse to serve beyond this machine without a token: anyone who can reach the address
    would otherwise read and change every inspection."""
    if ip not in LOOPBACK and not token:
        msg = (f"在地址 {ip} 上提供服务须设置访问令牌（--token）或使用办公室服务器（kit hub）；"
               f"否则能访问该地址的任何人都能查看和修改检查记录 / serving on {ip} needs --token "
               "(or the office server, kit hub): anyone who can reach it could read and change "
               "every inspection")
        raise KitError(msg)


#: kernels talk to the server over Unix sockets in the server's own private folder, not TCP
#: on localhost, which every user of the machine can reach (and each kernel warns about)
_KERNEL_TRANSPORT = ["--KernelManager.transport=ipc"] if os.name == "posix" else []


def _limits(max_kernels: int, max_tabs: int, pool: int, cull_idle: int) -> list[str]:
    """What both servers share: the kit's kernel limits, culling, uploads, no tracebacks."""
    return [
        f"--KitVoila.max_kernels={max_kernels}",
        f"--KitVoila.max_tabs_per_client={max_tabs}",
        f"--KitVoila.pool_reserve={pool}",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_SECONDS}",
        "--MappingKernelManager.cull_connected=False",
        "--VoilaConfiguration.show_tracebacks=False",
        # kernel specs found without importing IPython into the server (kit.server._gate)
        "--VoilaConfiguration.kernel_spec_manager_class=kit.server._gate.KitKernelSpecs",
        f"--KitVoila.upload_limit={UPLOAD_LIMIT_BYTES}",
        # the port given, or none: the address printed and the Hub's route stay true
        "--Voila.port_retries=0",
        *_KERNEL_TRANSPORT,
        "--theme=light",
        "--no-browser",
    ]


def voila_argv(notebook: Path, *, port: int = 8866, ip: str = "127.0.0.1", token: str | None = None,
               preheat: bool = True, open_browser: bool = False, max_kernels: int = MAX_KERNELS,
               max_tabs: int = MAX_TABS_PER_CLIENT) -> list[str]:
    """The command line of the kit's Voila (:class:`KitVoila`) for one notebook."""
    check_address(ip, token)
    argv = [sys.executable, "-m", "kit.server", str(notebook), f"--port={port}",
            f"--Voila.ip={ip}",
            *_limits(max_kernels, max_tabs, 1 if preheat else 0, CULL_IDLE_SECONDS),
            "--Voila.log_level=WARN"]  # a person sees the address kit serve prints, and errors
    if preheat:
        argv += ["--preheat_kernel=True", "--pool_size=1"]
    argv += [f"--token={token}"] if token else ["--Voila.token="]
    if open_browser:
        argv.remove("--no-browser")
    return argv


#: on the office server, kernels one person runs at once (their open pages), none preheated:
#: the office pays for the kernels its people use, not for idle ones
MAX_KERNELS_PER_PERSON = 4
HUB_CULL_IDLE_SECONDS = 600
HUB_IDENTITY = "jupyterhub.singleuser.extension.JupyterHubIdentityProvider"
HUB_AUTHORIZER = "jupyterhub.singleuser.extension.JupyterHubAuthorizer"


def hub_user_argv(environ: Mapping[str, str] | None = None) -> list[str]:
    """The command line of a person's server under the Hub, from the environment the Hub gave
    it (its address and prefix): every app's notebook, signed in through the Hub."""
    env = os.environ if environ is None else environ
    try:
        url = urlparse(env["JUPYTERHUB_SERVICE_URL"])
        prefix = env["JUPYTERHUB_SERVICE_PREFIX"]
    except KeyError as missing:
        msg = (f"{missing} 未设置：此服务由办公室服务器（kit hub）启动 / {missing} is not set: "
               "this server is started by the office server (kit hub), not by hand")
        raise KitError(msg) from None
    return [
        sys.executable, "-m", "kit.server", str(shipped_dir("notebooks")),
        f"--port={url.port or 8888}", f"--Voila.ip={url.hostname or '127.0.0.1'}",
        f"--Voila.base_url={prefix}", "--Voila.token=",
        f"--Voila.identity_provider_class={HUB_IDENTITY}",
        f"--Voila.authorizer_class={HUB_AUTHORIZER}",
        *_limits(MAX_KERNELS_PER_PERSON, MAX_KERNELS_PER_PERSON, 0, HUB_CULL_IDLE_SECONDS),
    ]


def serve_env(*, data_dir: str | None = None, db_url: str | None = None,
              open_id: str | None = None, user: str | None = None,
              base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the Voila server (and so every kernel) runs with (``user``: the name
    the apps record changes under, given with ``kit serve --user``)."""
    env = dict(os.environ if base is None else base)
    if user and user.strip():
        env["KIT_USER"] = user.strip()
    if data_dir:
        env["KIT_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    if db_url:
        env["KIT_DB_URL"] = db_url
    if open_id:
        env["KIT_OPEN_ID"] = open_id
    return env


def run(argv: list[str], env: Mapping[str, str]) -> int:
    """Become the Voila server (exec), so that a signal to ``kit serve`` reaches Voila itself.

    A child process would be orphaned, with its kernels, when ``kit serve`` is killed.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    if hasattr(os, "execve"):
        os.execve(argv[0], argv, dict(env))
    try:  # pragma: no cover - platforms without exec
        return subprocess.call(argv, env=dict(env))
    except KeyboardInterrupt:  # pragma: no cover
        return 0
