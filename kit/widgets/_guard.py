"""The page guard: the browser keeps what is typed until it is saved; a lost kernel is shown.

One :class:`PageGuard` per page (anywidget, its script in ``static/guard.js``). In the browser it
keeps every keystroke typed into a record field in ``localStorage`` until the kernel reports
that value saved; asks the kernel to save what is pending when a field loses focus and when the
page is hidden or left; after a reload offers to restore what the store does not hold; and shows
a banner at once when the kernel stops answering the page's pings (every :data:`BEAT_MS`; each
ping also lets the app look for colleagues' changes, ``on_ping``). A kernel sends nothing on
its own, so one whose page is closed falls idle and is culled. Fields are found by their ``kp:<path>``
class, which every bound text field carries.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from kit.errors import KitError
from kit.session import Session

__all__ = ["BEAT_MS", "PageGuard", "path_class"]

STATIC = Path(__file__).resolve().parent / "static"
BEAT_MS = 2000


def path_class(path: str) -> str:
    """The class that names a field's record path in the page (no spaces in record paths)."""
    return "kp:" + path.replace(" ", "_")


class PageGuard(anywidget.AnyWidget):
    """Keeps typing safe in the browser and says when the kernel is gone."""

    _esm = STATIC / "guard.js"
    _css = STATIC / "guard.css"
    inspection = t.Unicode("").tag(sync=True)
    beat_ms = t.Int(BEAT_MS).tag(sync=True)
    #: the version of each text field as this page read it (what a kept text was typed over)
    versions = t.Dict().tag(sync=True)
    #: who is working: what the browser keeps is kept under this name, and only offered or
    #: saved for the same person (a shared tablet: the next sign-in never gets it)
    person = t.Unicode("").tag(sync=True)
    #: on one machine, the name the person chose (the browser remembers it across reloads)
    user = t.Unicode("").tag(sync=True)
    #: where the person is (``id=…&stage=…&section=…``): the page's address follows it, so a
    #: reload, a bookmark or a shared link opens exactly there
    query = t.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("kit-guard")
        self.session: Session | None = None
        self.on_flush: Callable[[], None] | None = None
        self.on_ping: Callable[[], None] | None = None
        self.on_msg(self._message)

    def watch(self, session: Session) -> None:
        """Guard the fields of ``session``'s inspection; report each saved text to the page."""
        self.session = session
        self.versions = {p: v for p, v in session.record.versions.items()
                         if isinstance(session.get(p), str)}
        self.person = session.user
        self.inspection = session.id
        session.on_change(lambda path: self._saved(session, path))

    @staticmethod
    def _only_mine(session: Session, path: str, base: Any) -> bool:
        """Whether every change to ``path`` since version ``base`` was this person's own (the
        partial saves of the typing the browser kept): then the kept text is the latest."""
        if base == session.record.versions.get(path):
            return True
        since = [e for e in session.door.audit(session.id, path)
                 if e.path == path and (not isinstance(base, int) or e.seq > base)]
        return bool(since) and all(e.user == session.user for e in since)

    def _saved(self, session: Session, path: str) -> None:
        if session is not self.session or path == "*":
            return
        value = session.get(path)
        if isinstance(value, str):
            self.send({"kind": "saved", "path": path, "value": value,
                       "version": session.record.versions.get(path)})

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("kind") == "ping":
            self.send({"kind": "beat"})
            if self.on_ping is not None:
                self.on_ping()
        elif content.get("kind") == "flush":
            values = content.get("values")
            self.flush(values if isinstance(values, dict) else {})
        elif content.get("kind") == "kept":
            items = content.get("items")
            if self.session is None or content.get("person") != self.session.user:
                return  # kept for someone else (the page changed hands): never theirs to save
            self.restore([i for i in items if isinstance(i, dict)] if isinstance(items, list)
                         else [])

    def restore(self, items: list[dict[str, Any]]) -> None:
        """Texts the browser kept for this inspection: save those typed over the version still
        stored (the person's own latest typing); report the others as conflicts, to be offered.
        """
        session = self.session
        if session is None:
            return
        for item in items:
            path, value, base = item.get("path"), item.get("value"), item.get("base")
            if not isinstance(path, str) or not isinstance(value, str):
                continue
            current = session.get(path)
            if current == value:
                self._saved(session, path)
                continue
            if not isinstance(current, str | None) or not self._only_mine(session, path, base):
                self.send({"kind": "conflict", "path": path})
                continue
            try:
                session.set(path, value)
            except KitError:
                self.send({"kind": "conflict", "path": path})

    def flush(self, values: dict[str, Any] | None = None) -> None:
        """Save what is waiting for a pause in typing, then the page's latest ``values``.

        The page sends, for each text field typed into, what its box holds now: the widgets'
        own last update may never leave a page that is being closed. A value refused (someone
        else changed the field) stays in the browser, which offers it again on the next load.
        """
        if self.on_flush is not None:
            self.on_flush()
        elif self.session is not None:
            self.session.flush_pending()
        session = self.session
        for path, value in (values or {}).items():
            if session is None or not isinstance(path, str) or not isinstance(value, str):
                continue
            if session.get(path) != value:
                with contextlib.suppress(KitError):
                    session.set(path, value)
