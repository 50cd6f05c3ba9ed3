"""Voila with the kit's gate: kernels bounded in total and per client, Host checked on loopback.

Voila starts one kernel (about 130 MiB) per page load and cannot shut it down when the tab is
closed, so a script reloading a page, or a forgotten browser, could start kernels until the
machine runs out of memory. :class:`KitVoila` is Voila with three limits:

* at most ``max_kernels`` kernels in all: a new page first ends the oldest kernel whose page
  is closed (no websocket), and is refused with 503 and a message when every kernel is in use;
* at most ``max_tabs_per_client`` open pages per client address: the same, per client (429);
* on a loopback address, requests whose ``Host`` is not a local name are refused (DNS
  rebinding: a web page elsewhere cannot reach the app through the browser).

``python -m kit.server`` runs it with the command line ``kit serve`` builds.
"""

from __future__ import annotations

import contextlib
import re
import time
from typing import Any

from tornado import web
from traitlets import Int
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

__all__ = ["KitVoila", "main"]


class _Tracker:
    """Which client's page each kernel serves, and whether the page is still connected."""

    def __init__(self) -> None:
        self.client: dict[str, str] = {}
        self.connections: dict[str, int] = {}
        self.last_seen: dict[str, float] = {}

    def opened(self, kernel_id: str, client: str) -> None:
        self.client.setdefault(kernel_id, client)
        self.connections[kernel_id] = self.connections.get(kernel_id, 0) + 1
        self.last_seen[kernel_id] = time.monotonic()

    def closed(self, kernel_id: str) -> None:
        self.connections[kernel_id] = max(0, self.connections.get(kernel_id, 0) - 1)
        self.last_seen[kernel_id] = time.monotonic()

    def idle(self, live: list[str], client: str | None = None) -> list[str]:
        """Kernels with no open page, oldest first (of one client, if given)."""
        found = [k for k in live if not self.connections.get(k)
                 and (client is None or self.client.get(k) == client)]
        return sorted(found, key=lambda k: self.last_seen.get(k, 0.0))

    def of(self, live: list[str], client: str) -> list[str]:
        return [k for k in live if self.client.get(k) == client]


TRACKER = _Tracker()


class _Socket(VoilaKernelWebsocketHandler):
    async def open(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        TRACKER.opened(kernel_id, self.request.remote_ip or "?")
        await super().open(kernel_id, *args, **kwargs)

    def on_close(self) -> None:
        kernel_id = getattr(self, "kernel_id", None)
        if kernel_id:
            TRACKER.closed(kernel_id)
        super().on_close()


class _Page(TornadoVoilaHandler):
    @web.authenticated  # signed in before anything is done for the request
    async def get(self, path: str | None = None) -> None:
        app: KitVoila = self.settings["kit_voila"]
        client = self.request.remote_ip or "?"
        manager = self.kernel_manager
        # This page takes a kernel (the preheated one) and the pool starts another: make room
        # for both by ending closed pages' kernels, this client's first, then anyone's.
        for kernel in self._closed(manager, client)[: max(0, len(TRACKER.of(
                list(manager.list_kernel_ids()), client)) - app.max_tabs_per_client + 1)]:
            await _shutdown(manager, kernel)
        if len(TRACKER.of(list(manager.list_kernel_ids()), client)) >= app.max_tabs_per_client:
            raise web.HTTPError(429, reason="Too many open pages", log_message=(
                f"client {client} has {app.max_tabs_per_client} open pages"))
        room = app.max_kernels + app.pool_reserve - 1
        while len(manager.list_kernel_ids()) > room and self._closed(manager):
            await _shutdown(manager, self._closed(manager)[0])
        if len(manager.list_kernel_ids()) > room:
            raise web.HTTPError(503, reason="Server busy", log_message=(
                f"{len(manager.list_kernel_ids())} kernels running, the limit is "
                f"{app.max_kernels}"))
        await super().get(path)

    def write(self, chunk: str | bytes | dict[str, Any]) -> None:
        """The page as Voila renders it, without the stylesheets its template fetches from a
        CDN (Font Awesome, for icons the kit does not use): nothing leaves the machine."""
        if isinstance(chunk, bytes) and b"<link" in chunk:
            chunk = _CDN_LINK.sub(b"", chunk)
        elif isinstance(chunk, str) and "<link" in chunk:
            chunk = _CDN_LINK.sub(b"", chunk.encode("utf-8")).decode("utf-8")
        super().write(chunk)

    def _closed(self, manager: Any, client: str | None = None) -> list[str]:
        """Kernels whose page is closed (or never opened), oldest first; never the pool's."""
        app: KitVoila = self.settings["kit_voila"]
        live = list(manager.list_kernel_ids())
        fresh = sorted((k for k in live if k not in TRACKER.client),
                       key=lambda k: _started(manager, k))[-app.pool_reserve or len(live):]
        pool = set(fresh) if app.pool_reserve else set()
        return [k for k in TRACKER.idle(live, client) if k not in pool]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code not in (429, 503):
            super().write_error(status_code, **kwargs)
            return
        if status_code == 429:
            zh = "您已在本机打开太多检查工具包页面。请关闭不用的标签页后刷新本页。"
            en = "Too many pages of the kit are open from this computer: close some tabs, then reload."
        else:
            zh = "服务器上同时打开的页面已达上限。请稍后刷新，或联系管理员。"
            en = "The server is at its limit of open pages: reload in a while, or ask the administrator."
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(f"<!doctype html><meta charset='utf-8'><title>{status_code}</title>"
                    f"<body style='font-family:sans-serif;margin:3em'><h2>{zh}</h2><p>{en}</p>"
                    "</body>")


#: a stylesheet link to another host in Voila's templates (cdn.jsdelivr.net)
_CDN_LINK = re.compile(rb"<link[^>]*href=\"https?://[^\"]*\"[^>]*/?>")


def _started(manager: Any, kernel_id: str) -> float:
    try:
        activity = manager.get_kernel(kernel_id).last_activity
    except KeyError:
        return 0.0
    return float(activity.timestamp()) if activity is not None else 0.0


async def _shutdown(manager: Any, kernel_id: str) -> None:
    with contextlib.suppress(KeyError):  # already gone
        await manager.shutdown_kernel(kernel_id, now=True)


class KitVoila(Voila):
    """Voila with the kit's limits on kernels and, on loopback, on the Host header."""

    max_kernels = Int(12, config=True, help="kernels (open pages) in all, besides the pool")
    max_tabs_per_client = Int(6, config=True, help="open pages per client address")
    pool_reserve = Int(1, config=True, help="preheated kernels kept ready")

    def init_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = super().init_settings()
        settings["kit_voila"] = self
        if self.ip in ("127.0.0.1", "localhost", "::1"):
            # the Host of every request must be a local name: a page elsewhere that re-resolves
            # its own name to 127.0.0.1 (DNS rebinding) is refused
            settings["allow_remote_access"] = False
            settings["local_hostnames"] = ["localhost", "127.0.0.1", "::1"]
        return settings

    def init_handlers(self) -> list[Any]:
        swapped = {TornadoVoilaHandler: _Page, VoilaKernelWebsocketHandler: _Socket}
        return [(h[0], swapped.get(h[1], h[1]), *h[2:]) for h in super().init_handlers()]


def main() -> None:
    """Run :class:`KitVoila` with the command-line arguments (``kit serve`` builds them)."""
    KitVoila.launch_instance()
