"""Serving the apps: Voila for one machine (``kit serve``), with the kit's limits and checks,
and the office server (``kit hub``): JupyterHub giving each signed-in person that Voila.

>>> voila_argv(notebook_path("app"))[:3][1:]
['-m', 'kit.server']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit._lazy import lazy_names
from kit.server._voila import (
    APPS,
    CULL_IDLE_SECONDS,
    CULL_INTERVAL_SECONDS,
    LOOPBACK,
    MAX_KERNELS,
    MAX_KERNELS_PER_PERSON,
    MAX_TABS_PER_CLIENT,
    UPLOAD_LIMIT_BYTES,
    check_address,
    hub_user_argv,
    notebook_path,
    run,
    serve_env,
    voila_argv,
)

if TYPE_CHECKING:
    from kit.server._hub import (
        HUB_CONFIG,
        check_hub_address,
        check_store,
        default_state_dir,
        hub_argv,
        hub_env,
        prerequisites,
    )

__all__ = [
    "APPS",
    "CULL_IDLE_SECONDS",
    "CULL_INTERVAL_SECONDS",
    "HUB_CONFIG",
    "LOOPBACK",
    "MAX_KERNELS",
    "MAX_KERNELS_PER_PERSON",
    "MAX_TABS_PER_CLIENT",
    "UPLOAD_LIMIT_BYTES",
    "check_address",
    "check_hub_address",
    "check_store",
    "default_state_dir",
    "hub_argv",
    "hub_env",
    "hub_user_argv",
    "notebook_path",
    "prerequisites",
    "run",
    "serve_env",
    "voila_argv",
]

#: the office server's names, loaded when first asked for: they reach the store (SQLAlchemy,
#: the door), which a person's server (``python -m kit.server``) never opens itself
_FROM: dict[str, str] = dict.fromkeys(
    ("HUB_CONFIG", "check_hub_address", "check_store", "default_state_dir", "hub_argv",
     "hub_env", "prerequisites"), "_hub")


__getattr__ = lazy_names(__name__, _FROM)
