"""The checklist of one section as compact rows: one tap per result (anywidget).

:class:`ChecklistRows` draws every item of a section as one row (its label, the guide's text,
the four results as colour-coded buttons) in a single widget, so that a section of fifteen
items is one model in the page, not sixty. The notes, the means of 八 (toggle chips) and the
evidence unfold under a row on demand, and by themselves when it is judged 不符合, which also
offers 记为问题: a finding filled with the item and its notes. Every change goes through
:meth:`kit.session.Session.set` (checked, saved at once, in the trail); a refused one is said
in the row and the row shows the record again. Typing in a row's text boxes is kept by the
page guard like any field (their roots carry the ``kp:<path>`` class).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any

import anywidget
import traitlets as t

from kit.door import AccessError
from kit.errors import ConflictError, KitError, ValidationError
from kit.guide import Clause
from kit.labels import RESULTS, vocab
from kit.record import natural_key, next_key
from kit.session import Session
from kit.widgets._guard import path_class
from kit.widgets._static import STATIC, esm

__all__ = ["FIELDS", "ChecklistRows", "attach_refusal", "thumbnail_url"]

#: what a row edits, per item: the record's leaves under ``results/<item>``
FIELDS = ("result", "notes", "means", "evidence")
#: the buttons' order: a result is a choice made; 未检查 is what a second tap goes back to
RESULT_ORDER = ("conform", "nonconform", "not_applicable")


def thumbnail_url(session: Session, sha256: str) -> str:
    """A kept picture as a data URL the page shows (no request leaves the page), or ''."""
    if not sha256:
        return ""
    cached = _THUMBS.get(sha256)
    if cached is None:
        try:
            mime, data = session.door.evidence(session.id, sha256)
        except KitError:
            return ""
        cached = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        if len(_THUMBS) < 500:
            _THUMBS[sha256] = cached
    return cached


_THUMBS: dict[str, str] = {}  # by hash: the same bytes forever


def attach_refusal(session: Session, target: str, name: str, data: bytes, *,
                   signature: bool = False, signer: str = "") -> str | None:
    """Keep an upload as evidence of ``target`` (:meth:`Session.attach`); return why it was
    refused, in words a person reads beside the button, or None."""
    try:
        session.attach(target, name, data, signature=signature, signer=signer)
    except ValidationError as exc:
        return "；".join(p.message for p in exc.problems)
    except KitError as exc:
        return str(exc)
    return None


def _css_id(item_id: str) -> str:
    return item_id.replace(".", "_")


class ChecklistRows(anywidget.AnyWidget):
    """Every item of one checklist section as a row; see the module."""

    _esm = esm("rows.js")
    _css = STATIC / "rows.css"
    items: t.List[dict[str, Any]] = t.List().tag(sync=True)
    values = t.Dict().tag(sync=True)
    problems = t.Dict().tag(sync=True)
    results: t.List[list[str]] = t.List().tag(sync=True)
    means: t.List[list[str]] = t.List().tag(sync=True)
    read_only = t.Bool(False).tag(sync=True)

    def __init__(self, session: Session, items: Sequence[Clause], *,
                 on_finding: Callable[[str], None] | None = None) -> None:
        super().__init__(
            items=[{"id": c.id, "css": _css_id(c.id), "label": c.label, "zh": c.zh, "en": c.en,
                    "office": c.id.startswith("x."),
                    "paths": {f: path_class(f"results/{c.id}/{f}") for f in FIELDS}}
                   for c in items],
            results=[[code, RESULTS[code][0], RESULTS[code][1]] for code in RESULT_ORDER],
            means=[[code, words[0]] for code, words in vocab("means").items()],
            read_only=session.read_only,
        )
        self.session = session
        self.on_finding = on_finding
        self.ids = [c.id for c in items]
        self._mine = set(self.ids)
        self.add_class("kit-rows")
        self.on_msg(self._message)
        session.on_change(self._changed)
        self.refresh()

    # -- from the record to the page ---------------------------------------------------------
    def refresh(self) -> None:
        ins = self.session.inspection
        kept: dict[str, list[dict[str, str]]] = {}
        for key in sorted(ins.attachments, key=natural_key):
            a = ins.attachments[key]
            kind, _, item_id = a.target.partition("/")
            if kind == "results" and item_id in self._mine:
                kept.setdefault(item_id, []).append(
                    {"key": key, "name": a.name, "kind": a.kind,
                     "thumb": thumbnail_url(self.session, a.thumb_sha256)})
        values = {}
        for item_id in self.ids:
            r = ins.result(item_id)
            values[item_id] = {"result": r.result, "notes": r.notes, "means": list(r.means),
                               "evidence": r.evidence, "attachments": kept.get(item_id, []),
                               "found": any(f.item == item_id for f in ins.findings.values())}
        self.values = values
        self.refresh_problems()

    def refresh_problems(self) -> None:
        problems: dict[str, list[list[str]]] = {}
        known = {code for code, _words in self.means}
        ins = self.session.inspection
        for item_id in self.ids:
            found = [[p.severity, p.message] for p in self.session.problems(f"results/{item_id}")]
            found += [["error", f"记录中的检查手段 {m!r} 不是八的检查手段；点选手段即改正 / the "
                                f"record holds {m!r}, no means of 八: tap the means used"]
                      for m in ins.result(item_id).means if m not in known]
            if found:
                problems[item_id] = found
        self.problems = problems

    def _changed(self, path: str) -> None:
        if path == "*" or path.startswith(("results/", "findings", "attachments")):
            self.refresh()
        else:
            self.refresh_problems()  # another field may change what the rules say here

    # -- from the page to the record ---------------------------------------------------------
    def set(self, item_id: str, name: str, value: Any) -> str | None:
        """Save one leaf of an item's result as the page asked; return why it was refused."""
        if item_id not in self._mine or name not in FIELDS:
            return f"不是本节的检查项 / not an item of this section: {item_id} {name}"
        path = f"results/{item_id}/{name}"
        try:
            self.session.set(path, value)
        except (ValidationError, ConflictError, AccessError, KitError) as exc:
            why = exc.problems[0].message if isinstance(exc, ValidationError) and \
                exc.problems else str(exc)
            self.refresh()  # the row shows the record again
            return why
        return None

    def record_finding(self, item_id: str) -> str:
        """A new finding on this item, described with its notes; its key."""
        ins = self.session.inspection
        taken = set(ins.findings) | self.session.door.keys_ever(self.session.id, "findings")
        key = next_key(taken, "F")
        self.session.set(f"findings/{key}", {"item": item_id,
                                             "description": ins.result(item_id).notes})
        if self.on_finding is not None:
            self.on_finding(key)
        return key

    def attach(self, item_id: str, name: str, data: bytes) -> str | None:
        """Keep a photo or file as evidence of an item; return why it was refused."""
        if item_id not in self._mine:
            return f"不是本节的检查项 / not an item of this section: {item_id}"
        return attach_refusal(self.session, f"results/{item_id}", name, data)

    def _message(self, _widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        item_id, kind = content.get("id"), content.get("kind")
        if not isinstance(item_id, str):
            return
        if kind == "attach":
            data = bytes(buffers[0]) if buffers else b""
            why = self.attach(item_id, str(content.get("name") or ""), data)
            if why is not None:
                self.send({"kind": "refused", "id": item_id, "field": "attachment",
                           "message": why})
            return
        if kind == "set":
            name = content.get("field")
            why = self.set(item_id, str(name), content.get("value"))
            if why is not None:
                self.send({"kind": "refused", "id": item_id, "field": name, "message": why})
        elif kind == "finding":
            try:
                key = self.record_finding(item_id)
            except KitError as exc:
                self.send({"kind": "refused", "id": item_id, "field": "finding",
                           "message": str(exc)})
                return
            self.send({"kind": "found", "id": item_id, "finding": key})
