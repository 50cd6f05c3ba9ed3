"""Helpers for the real-browser tests: a served app on a free loopback port, and Chromium.

Debian's Chromium is used (Playwright cannot download its own browser here), launched with the
flags this machine's closed network needs.

Every wait here and in the browser and server tests is for something to happen (a page, a
save, a kernel's exit), never a budget for how fast: each waits up to :data:`PATIENCE`, which
only a failing test ever reaches, so that a loaded machine makes them slow, never red.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

#: seconds any test waits for something to happen before it gives up (and in ms, Playwright's)
PATIENCE = 120.0
PATIENCE_MS = int(PATIENCE * 1000)

CHROMIUM = os.environ.get("KIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = PATIENCE) -> None:
    """Wait until ``url`` answers (a refused connection is retried; a slow answer is waited
    for, not asked again: a Voila page starts a kernel per request)."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            with urllib.request.urlopen(url, timeout=left) as resp:
                if resp.status < 500:
                    return
        except OSError:
            time.sleep(0.3)
    msg = f"{url} did not answer within {timeout} s"
    raise TimeoutError(msg)


def wait_until(check: Callable[[], object], seconds: float = PATIENCE) -> bool:
    """Poll ``check`` until it is true (then True), or ``seconds`` pass (then its last word)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return bool(check())


class ServedUrl(str):
    """The base URL of a served app, with the server's process id and log."""

    pid: int
    log: Path


#: the apps :func:`served` runs now (what a stalled page is reported with: its server's log)
RUNNING: list[ServedUrl] = []


@contextmanager
def served(args: list[str], data_dir: Path, log: Path) -> Iterator[ServedUrl]:
    """Run ``kit serve ARGS`` on a free port; yield its base URL; stop it afterwards."""
    port = free_port()
    env = dict(os.environ, KIT_DATA_DIR=str(data_dir))
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kit", "serve", "--port", str(port), *args],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        base = ServedUrl(f"http://127.0.0.1:{port}/")
        base.pid = proc.pid  # `kit serve` execs the server: the same process
        base.log = log
        RUNNING.append(base)
        try:
            wait_http(base)
            yield base
        finally:
            RUNNING.remove(base)
            # `kit serve` runs Voila as a child, which runs the kernels: stop the whole group.
            _stop_group(proc)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            continue


def what_was_shown(page: Any) -> str:
    """What a page showed when what a test waited for did not come (its address, stage tab,
    connection state, message, the start of its text), and the end of its server's log (if
    :func:`served` runs it): for a warning in CI's summary, where a rare stall can be looked
    into."""
    def texts(selector: str) -> list[str]:
        try:
            return [t[:200] for t in page.locator(selector).all_inner_texts()]
        except Exception as e:  # a page gone: say so, never hide what was asked
            return [f"({type(e).__name__})"]

    log = next((url.log for url in RUNNING if page.url.startswith(url)), None)
    tail = log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""
    return (f"address {page.url}; current tab {texts('.kit-stages .lm-TabBar-tab.lm-mod-current')}"
            f"; connection {texts('.kit-conn')}; message {texts('.kit-message')}; "
            f"page begins {[t[:300] for t in texts('body')]}; server log ends:\n{tail}")


def screenshot_now(cdp: Any, path: Path) -> None:
    """A screenshot of what the page shows now, through the DevTools protocol. Playwright's
    own waits for the page's fonts, which never come while the network is cut (a font the
    page starts to fetch then, for a glyph it shows for the first time, waits for the
    network); a person looking at the screen sees it drawn with what fonts it has."""
    import base64

    shot = cdp.send("Page.captureScreenshot", {"format": "png"})
    path.write_bytes(base64.b64decode(shot["data"]))


def require_chromium() -> None:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (bash .ci/run installs it)")


def unfold(page: Any, item_id: str) -> None:
    """Open a checklist row's notes, means and evidence (a row shows one line until asked)."""
    row = page.locator(f".kit-item-{item_id.replace('.', '_')}")
    row.locator(".kit-row-toggle").wait_for(timeout=PATIENCE_MS)
    if row.locator(".kit-row-detail").is_hidden():
        row.locator(".kit-row-toggle").click()
    row.locator(".kit-row-notes textarea").wait_for(state="visible")

