"""Voila with the kit's gate: kernels bounded in total and per client, Host checked on loopback,
and a page's kernel ended when the page is left.

Voila starts one kernel (about 130 MiB) per page load. When a page is left, Voila's page sends
a beacon asking the server to shut its kernel down, with the ``_xsrf`` cookie's value as the
XSRF token; but Voila 0.5 never sets that cookie, so the server refuses the beacon (403,
"'_xsrf' argument missing") and the kernel waits for the idle culler. Here every page sets the
cookie (:meth:`_Page.get`), so the beacon passes the server's unchanged XSRF check, and the
kernel ends once it has handled what the page sent before leaving (:class:`_Shutdown`). A
script that loads pages without running them, or a browser that dies, could still start
kernels until the machine runs out of memory, so :class:`KitVoila` is Voila with three limits:

* at most ``max_kernels`` kernels in all: a new page first ends the oldest kernel whose page
  is closed (no websocket), and is refused with 503 and a message when every kernel is in use;
* at most ``max_tabs_per_client`` open pages per client address: the same, per client (429);
* on a loopback address, requests whose ``Host`` is not a local name are refused (DNS
  rebinding: a web page elsewhere cannot reach the app through the browser).

``python -m kit.server`` runs it with the command line ``kit serve`` builds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from datetime import UTC, datetime
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_core.paths import jupyter_path
from jupyter_core.utils import run_sync
from jupyter_server.services.contents.largefilemanager import LargeFileManager
from tornado import web
from traitlets import Int, default
from voila.app import Voila
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

__all__ = ["KitKernelSpecs", "KitVoila", "main", "quiet_notices"]


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
        # Reading the token sets the _xsrf cookie (tornado's, or the Hub's under kit hub) that
        # Voila's beacon reads when the page is left: with it, the shutdown is accepted.
        _ = self.xsrf_token
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


class _Shutdown(VoilaShutdownKernelHandler):
    """Voila's beacon when a page is left (``POST voila/api/shutdown/KERNEL`` with ``_xsrf``).

    The server checks the XSRF token as for any POST (the ``_xsrf`` cookie against the form's
    value: a page of another site can read neither), and only a kernel whose page connected
    from the same client address is ended. It ends once it has handled what the page sent in
    its last moments (a debounced save, the guard's flush), never midway through them.
    """

    @web.authenticated
    async def post(self, kernel_id: str) -> None:
        manager = self.kernel_manager
        if kernel_id not in manager or TRACKER.client.get(kernel_id) != (
                self.request.remote_ip or "?"):
            raise web.HTTPError(404, log_message="no page of this client has that kernel")
        task = asyncio.ensure_future(_end_when_done(manager, kernel_id))
        _SHUTTING.add(task)
        task.add_done_callback(_SHUTTING.discard)
        self.set_status(204)
        await self.finish()


#: the shutdowns under way (a task with no reference may be collected before it runs)
_SHUTTING: set[asyncio.Future[None]] = set()
#: how long a left page's kernel is given to finish what the page sent, at most (seconds)
DRAIN_SECONDS = 20.0
#: how long a kernel must have been idle to have finished it (seconds)
QUIET_SECONDS = 1.0


async def _end_when_done(manager: Any, kernel_id: str) -> None:
    """End a left page's kernel once it is idle (or after :data:`DRAIN_SECONDS`), unless a page
    is connected to it again by then."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        await asyncio.sleep(QUIET_SECONDS / 2)
        try:
            kernel = manager.get_kernel(kernel_id)
        except KeyError:
            return  # already ended (by the gate, or the culler)
        last = getattr(kernel, "last_activity", None)
        quiet = last is None or (datetime.now(UTC) - last).total_seconds() >= (
            QUIET_SECONDS)
        if getattr(kernel, "execution_state", "idle") == "idle" and quiet:
            break
    if not TRACKER.connections.get(kernel_id):
        await _shutdown(manager, kernel_id)


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
    upload_limit = Int(10 * 2**20, config=True,
                       help="bytes one websocket message may carry (an upload travels in one)")

    def init_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = super().init_settings()
        settings["kit_voila"] = self
        settings["websocket_max_message_size"] = self.upload_limit
        settings["contents_manager"] = self.contents_manager = _Notebooks(parent=self)
        if self.ip in ("127.0.0.1", "localhost", "::1"):
            # the Host of every request must be a local name: a page elsewhere that re-resolves
            # its own name to 127.0.0.1 (DNS rebinding) is refused
            settings["allow_remote_access"] = False
            settings["local_hostnames"] = ["localhost", "127.0.0.1", "::1"]
        return settings

    def stop(self) -> None:
        """Stop serving: every kernel is ended with SIGTERM first, then as Voila does.

        Voila's shutdown (jupyter_client's) interrupts each kernel before asking it to stop, and
        a kernel still starting, or running the notebook for the pool (where it waits for its
        page), then prints a traceback to the terminal as if something had failed."""
        run_sync(self._terminate_kernels)()
        super().stop()

    async def _terminate_kernels(self) -> None:
        manager = self.kernel_manager
        running = []
        for kernel_id in list(manager.list_kernel_ids()):
            with contextlib.suppress(KeyError):
                provisioner = manager.get_kernel(kernel_id).provisioner
                if provisioner is not None:
                    running.append(provisioner)
        await asyncio.gather(*(p.terminate() for p in running), return_exceptions=True)
        await asyncio.gather(*(p.wait() for p in running), return_exceptions=True)

    def init_handlers(self) -> list[Any]:
        swapped = {TornadoVoilaHandler: _Page, VoilaKernelWebsocketHandler: _Socket,
                   VoilaShutdownKernelHandler: _Shutdown}
        return [(h[0], swapped.get(h[1], h[1]), *h[2:]) for h in super().init_handlers()]


class _Notebooks(LargeFileManager):
    """Voila's contents manager, without notebook signatures.

    A signature vouches for the outputs stored in a notebook, so that a page may show them;
    Voila never shows those: it runs the notebook and shows what the run outputs (which it
    marks trusted itself). Checking one only warned "Notebook app.ipynb is not trusted" on
    every page load, and opened a signature database in the person's Jupyter folder.
    """

    def mark_trusted_cells(self, nb: Any, path: str = "") -> None:
        return None


class KitKernelSpecs(KernelSpecManager):
    """Jupyter's kernel specs, looked for in Jupyter's own folders (``jupyter --paths``: the
    environment's, the system's, the user's): the apps' kernel is the same, Python's own.

    Jupyter also looks in IPython's old folder (``~/.ipython/kernels``), and finding that folder
    imports the whole of IPython into the server (about 18 MiB of a person's server, which
    starts no IPython of its own: its kernels do). Voila's server takes this class through its
    own setting (``--VoilaConfiguration.kernel_spec_manager_class``).
    """

    @default("kernel_dirs")
    def _jupyter_kernel_dirs(self) -> list[str]:
        return jupyter_path("kernels")


class _TornadoNotices(logging.Filter):
    """Drop tornado's notice that jupyter_server's websocket ping timeout (in milliseconds,
    90 000) exceeds the ping interval (30 000): tornado reads both as seconds for its own
    pings, which jupyter_server's pings make moot; nobody can act on it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("The websocket_ping_timeout (")


def quiet_notices() -> None:
    """Leave out of the server's output the library notices nobody can act on."""
    logging.getLogger("tornado.general").addFilter(_TornadoNotices())


def main() -> None:
    """Run :class:`KitVoila` with the command-line arguments (``kit serve`` builds them)."""
    quiet_notices()
    KitVoila.launch_instance()
