"""Serve the apps with Voila, with settings that suit inspectors on a laptop or a shared server.

- bound to 127.0.0.1 unless told otherwise, with a token when one is given;
- a closed tab's kernel is culled within minutes (Voila 0.5 cannot shut it down on close);
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

from kit.errors import NotFoundError
from kit.resources import shipped_dir

__all__ = [
    "APPS",
    "CULL_IDLE_SECONDS",
    "CULL_INTERVAL_SECONDS",
    "UPLOAD_LIMIT_BYTES",
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


def voila_argv(notebook: Path, *, port: int = 8866, ip: str = "127.0.0.1", token: str | None = None,
               preheat: bool = True, open_browser: bool = False) -> list[str]:
    """The Voila command line for one notebook, with the kit's settings."""
    argv = [
        sys.executable, "-m", "voila", str(notebook),
        f"--port={port}",
        f"--Voila.ip={ip}",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_SECONDS}",
        "--MappingKernelManager.cull_connected=False",
        "--VoilaConfiguration.show_tracebacks=False",
        # The dict form (deprecated by traitlets, but typed): key=value would pass a string,
        # and tornado would fail comparing it with each message's size.
        f"--Voila.tornado_settings={{'websocket_max_message_size': {UPLOAD_LIMIT_BYTES}}}",
        "--theme=light",
    ]
    if preheat:
        argv += ["--preheat_kernel=True", "--pool_size=1"]
    argv += [f"--token={token}"] if token else ["--Voila.token="]
    if not open_browser:
        argv.append("--no-browser")
    return argv


def serve_env(*, data_dir: str | None = None, db_url: str | None = None,
              open_id: str | None = None, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the Voila server (and so every kernel) runs with."""
    env = dict(os.environ if base is None else base)
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
