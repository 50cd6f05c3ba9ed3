"""The office server (``kit hub``): JupyterHub serving the apps to signed-in people, one store.

``kit hub`` checks what the office server needs before anything starts (JupyterHub and the
proxy installed; a PostgreSQL store at the kit's schema, with its protections, reached as the
app role and never as the tables' owner), then becomes JupyterHub with the office's
configuration (``templates/jupyterhub_config.py``, or ``--config``), handing it the store, the
addresses and a state folder in the environment. Each problem is one line that says how to
fix it (exit 2).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

import platformdirs

from kit.config import settings
from kit.door import APP_NAME, Door, Identity, resolve_url
from kit.errors import KitError
from kit.resources import templates_dir
from kit.server._voila import LOOPBACK

__all__ = [
    "HUB_CONFIG",
    "check_hub_address",
    "check_store",
    "default_state_dir",
    "hub_argv",
    "hub_env",
    "prerequisites",
]

HUB_CONFIG = "jupyterhub_config.py"
PROXY = "configurable-http-proxy"


def default_state_dir() -> Path:
    """Where the Hub keeps its own files (its sign-in database, cookie secret) by default."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "hub"


def prerequisites(config: Path | None) -> Path:
    """The configuration file to use, once JupyterHub and the proxy are known to be there."""
    if importlib.util.find_spec("jupyterhub") is None or \
            importlib.util.find_spec("jupyterhub_idle_culler") is None:
        msg = ('未安装 JupyterHub：pip install ".[server]" / JupyterHub is not installed: '
               'pip install ".[server]"')
        raise KitError(msg)
    if shutil.which(PROXY) is None:
        msg = (f"找不到 {PROXY}：npm install -g {PROXY} / {PROXY} is not on PATH: "
               f"npm install -g {PROXY}")
        raise KitError(msg)
    path = Path(config) if config is not None else templates_dir() / HUB_CONFIG
    if not path.is_file():
        msg = f"找不到服务器设置文件 {path} / no such configuration file: {path}"
        raise KitError(msg)
    return path.resolve()


def check_store(db_url: str | None) -> str:
    """The store URL for the people's servers, once it is known to be fit for the office."""
    url = db_url or settings().db_url or ""
    if not url:
        msg = ("办公室服务器须使用 PostgreSQL：请给出 --db-url postgresql+psycopg://应用角色@主机/库名"
               " / the office server needs a PostgreSQL store: --db-url "
               "postgresql+psycopg://APP_ROLE@HOST/DB (or KIT_DB_URL)")
        raise KitError(msg)
    if resolve_url(url).get_backend_name() != "postgresql":
        msg = ("办公室服务器须使用 PostgreSQL（SQLite 只适用于单机） / the office server needs "
               "PostgreSQL: SQLite is for one machine (kit serve)")
        raise KitError(msg)
    with Door.connect(url, identity=Identity.of_command()) as door:
        if door.protection_problems:
            missing = ", ".join(door.protection_problems)
            msg = (f"数据库缺少保护规则：{missing}（请由数据库所有者运行 kit db upgrade） / the "
                   f"database lacks protections {missing}: have its owner run kit db upgrade")
            raise KitError(msg)
        wrong = door.role_problems()
    if wrong:
        (zh, en), *_ = wrong
        msg = (f"{zh}：应用须以专用角色连接，请由所有者运行 kit db grant 角色名，再给出该角色的地址"
               f" / {en}: the apps connect as their own role; have the owner run "
               f"kit db grant ROLE and give that role's URL")
        raise KitError(msg)
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hub_env(*, db_url: str, ip: str, port: int, state: Path,
            base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment JupyterHub (and its configuration file) runs with."""
    env = dict(os.environ if base is None else base)
    state.mkdir(parents=True, exist_ok=True)
    env.update({
        "KIT_DB_URL": db_url,
        "KIT_HUB_IP": ip,
        "KIT_HUB_PORT": str(port),
        "KIT_HUB_STATE": str(state.resolve()),
        "KIT_HUB_PYTHON": sys.executable,
    })
    env.setdefault("KIT_HUB_API_PORT", str(_free_port()))
    env.setdefault("KIT_HUB_PROXY_API_PORT", str(_free_port()))
    env.setdefault("KIT_HUB_SIGNER_PORT", str(_free_port()))  # the signing service's
    env.setdefault("LANG", "C.UTF-8")
    return env


def hub_argv(config: Path) -> list[str]:
    """JupyterHub's command line with the office's configuration."""
    return [sys.executable, "-m", "jupyterhub", "-f", str(config)]


def check_hub_address(ip: str) -> None:
    """Off this machine the Hub must be behind TLS: say so (JupyterHub serves plain HTTP)."""
    if ip not in LOOPBACK:
        sys.stderr.write(
            f"注意：{ip} 上的服务为明文 HTTP，请置于 HTTPS 反向代理之后 / note: the Hub serves "
            f"plain HTTP on {ip}; put it behind an HTTPS reverse proxy\n")
