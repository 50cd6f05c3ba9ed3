"""The page guard: nothing typed or tapped is lost, and the connection is always in view.

One :class:`PageGuard` per page (anywidget, ``static/guard.js``). In the browser it keeps every
change the page makes (each keystroke of a text field, each tap, each photo, file and
signature), keyed by the person, until the kernel reports it saved; shows the connection's
state (saved, saving, offline, and how many changes wait) at the top of the page, within a few
seconds of a lost connection; sends everything kept again when the kernel answers again, and
after a reload to the new kernel, where a change made over the version still stored is saved
and one made over someone else's newer change is offered back (text) or said (a tap), never
imposed. A page whose kernel is gone (culled after a long cut, killed) loads again by itself.
Each ping (every :data:`BEAT_MS`) also lets the app look for colleagues' changes
(``on_ping``). A kernel sends nothing on its own, so one whose page is closed falls idle and
is culled. Fields are found by their ``kp:<path>`` class; a form's box that is no field (a
verdict's reason) by its ``kf:<name>`` class (:func:`form_class`), kept in the browser until
its action empties it.
"""

from __future__ import annotations

import contextlib
import logging
import weakref
from collections.abc import Callable
from typing import Any

import anywidget
import traitlets as t

from kit.errors import KitError, ValidationError
from kit.session import Session
from kit.widgets._static import STATIC, esm

__all__ = ["BEAT_MS", "PageGuard", "form_class", "now_class", "path_class", "show_field"]

BEAT_MS = 1000

log = logging.getLogger(__name__)


#: the fields shown on a page, by (session, path): what the page kept of a tap on one that is
#: no text (a choice's label, a date's text) is read by the field itself
_FIELDS: weakref.WeakValueDictionary[tuple[int, str], Any] = weakref.WeakValueDictionary()


def show_field(session: Session, path: str, field: Any) -> None:
    """Register ``field`` (a :class:`~kit.widgets._fields.BoundField`) as showing ``path``."""
    _FIELDS[(id(session), path)] = field


def path_class(path: str) -> str:
    """The class that names a field's record path in the page (no spaces in record paths)."""
    return "kp:" + path.replace(" ", "_")


def now_class(path: str) -> str:
    """The class of a button that fills the time field at ``path`` with now, Beijing time, to
    the minute: the page types it into the field (as a person would), so the field's own
    checks, saving and keeping through a lost connection apply."""
    return "kn:" + path.replace(" ", "_")


def form_class(name: str) -> str:
    """The class of a form's box that is no field of the record (a reason given with an
    action): the page keeps what is typed or chosen in it, per person and record, until the
    kernel empties it, and shows it again after a reload."""
    return "kf:" + name.replace(" ", "_")


class PageGuard(anywidget.AnyWidget):
    """Keeps typing safe in the browser and says when the kernel is gone."""

    _esm = esm("guard.js")
    _css = STATIC / "guard.css"
    inspection = t.Unicode("").tag(sync=True)
    beat_ms = t.Int(BEAT_MS).tag(sync=True)
    #: the version of each field as this page read it (what a kept change was made over)
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
        #: builds the stages that show these paths (a tap kept there waits for its field)
        self.on_unshown: Callable[[list[str]], None] | None = None
        self.on_msg(self._message)

    def watch(self, session: Session) -> None:
        """Guard the fields of ``session``'s inspection; report each saved text to the page."""
        self.session = session
        self.versions = dict(session.record.versions)
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
        said = {"kind": "saved", "path": path, "value": value,
                "version": session.record.versions.get(path)}
        field = _FIELDS.get((id(session), path))
        if field is not None:  # what a tap on it was kept as, to know it is in
            said["shown"] = field.shown(value)
        self.send(said)

    def _message(self, _widget: Any, content: Any, buffers: Any) -> None:
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
        elif content.get("kind") == "attach":
            self.attach(content, bytes(buffers[0]) if buffers else b"")

    def restore(self, items: list[dict[str, Any]]) -> None:
        """Changes the browser kept for this inspection (texts, taps): save those made over
        the version still stored, or over changes of this person's own; report the others as
        conflicts (a text is offered back beside its field, a tap is said), never imposed. A
        tap kept on a field the page has not built (after a reload, on another stage) has its
        stage built (``on_unshown``), then is taken like the others."""
        if self.session is None:
            return
        waiting = [item for item in items if not self._restore(item)]
        if waiting and self.on_unshown is not None:
            self.on_unshown([str(item["path"]) for item in waiting])
            for item in waiting:
                self._restore(item)

    def _restore(self, item: dict[str, Any]) -> bool:
        """Take one kept change; False when it names a field not on the page yet."""
        session = self.session
        path, value, base = item.get("path"), item.get("value"), item.get("base")
        if session is None or not isinstance(path, str) or "value" not in item:
            return True
        kept = value
        try:
            if isinstance(value, dict) and "shown" in value:  # a tap, as its field shows it
                field = _FIELDS.get((id(session), path))
                if field is None:
                    return False  # its field is not on the page yet: it stays kept till then
                value = field.kept(value["shown"])
            if session.get(path) == value:
                self.send({"kind": "taken", "path": path, "kept": kept})
                self._saved(session, path)
                return True
            if not self._only_mine(session, path, base):
                self.send({"kind": "conflict", "path": path})
                return True
            session.set(path, value)
        except ValidationError as exc:  # refused for what it is: said, not kept
            why = "；".join(p.message for p in exc.problems)
            self.send({"kind": "conflict", "path": path, "message": why})
        except KitError as exc:
            self.send({"kind": "conflict", "path": path, "message": str(exc)})
        except Exception as exc:  # one kept change that breaks never holds up the others
            log.exception("kept change at %s not saved", path)
            self.send({"kind": "conflict", "path": path,
                       "message": f"内部错误 internal error: {type(exc).__name__}: {exc}"})
        else:
            self.send({"kind": "taken", "path": path, "kept": kept})
        return True

    def attach(self, content: dict[str, Any], data: bytes) -> None:
        """A photo, file or signature the browser kept (sent at once, or again after a lost
        connection or a reload): kept as evidence once (the same bytes on the same target
        again are the same evidence); the page is told it may forget them, or why not."""
        session = self.session
        file_id = content.get("id")
        if session is None or not isinstance(file_id, str):
            return
        try:
            session.attach(str(content.get("target") or ""), str(content.get("name") or ""),
                           data, signature=bool(content.get("signature")),
                           signer=str(content.get("signer") or ""))
        except KitError as exc:
            why = "；".join(p.message for p in exc.problems) if \
                isinstance(exc, ValidationError) else str(exc)
            self.send({"kind": "file_refused", "id": file_id,
                       "target": content.get("target"), "message": why})
            return
        self.send({"kind": "filed", "id": file_id, "target": content.get("target")})

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
