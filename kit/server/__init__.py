"""Serving the apps: Voila for one machine (``kit serve``), with the kit's limits and checks.

>>> voila_argv(notebook_path("app"))[:3][1:]
['-m', 'kit.server']
"""

from __future__ import annotations

from kit.server._voila import (
    APPS,
    CULL_IDLE_SECONDS,
    CULL_INTERVAL_SECONDS,
    LOOPBACK,
    MAX_KERNELS,
    MAX_TABS_PER_CLIENT,
    UPLOAD_LIMIT_BYTES,
    check_address,
    notebook_path,
    run,
    serve_env,
    voila_argv,
)

__all__ = [
    "APPS",
    "CULL_IDLE_SECONDS",
    "CULL_INTERVAL_SECONDS",
    "LOOPBACK",
    "MAX_KERNELS",
    "MAX_TABS_PER_CLIENT",
    "UPLOAD_LIMIT_BYTES",
    "check_address",
    "notebook_path",
    "run",
    "serve_env",
    "voila_argv",
]
