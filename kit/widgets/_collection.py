"""An editable collection of a record (licences, products, team members, findings...).

Entries live in the record as a dict keyed by stable ids (``team/M2/name``), so two tabs adding
or editing different entries never touch the same field. Each entry is a small form of bound
fields; "add" creates an entry under a fresh id, "remove" asks first, then deletes it (with an
audit row) and offers to undo. Entry titles and choices derived from elsewhere in the record
(a licence's scope from the products' codes) follow their source at once.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as W

from kit.errors import KitError
from kit.record import next_key
from kit.session import Session
from kit.widgets._common import message_html
from kit.widgets._fields import BoundField, FieldSpec, ProblemList


@dataclass(frozen=True)
class Column:
    """One field of every entry: the key below the entry, its label, kind and options."""

    key: str
    label: str
    kind: str = "text"
    options: tuple[tuple[str, str], ...] = ()
    options_fn: Callable[[Session], tuple[tuple[str, str], ...]] | None = None


class CollectionWidget(W.VBox):
    """All entries of ``base`` (e.g. ``company/licences``) with add and remove."""

    def __init__(
        self,
        session: Session,
        base: str,
        columns: Sequence[Column],
        *,
        prefix: str,
        title: str,
        new_entry: Callable[[Session], dict[str, Any]] | None = None,
        entry_title: Callable[[Session, str], str] | None = None,
    ) -> None:
        self.session = session
        self.base = base
        self.columns = tuple(columns)
        self.prefix = prefix
        self.new_entry = new_entry
        self.entry_title = entry_title or (lambda s, k: k)
        self.add_button = W.Button(description=f"＋ 添加 Add ({title})",
                                   layout=W.Layout(width="auto"))
        self.add_button.add_class("kit-add-" + base.replace("/", "--"))
        self.add_button.on_click(lambda _b: self.add_entry())
        self.add_button.disabled = session.refusal(base) is not None  # not this person's
        self.message = W.HTML()
        self.message.add_class("kit-collection-message")
        self.undo_button = W.Button(description="撤销删除 Undo", layout=W.Layout(width="auto",
                                                                          display="none"))
        self.undo_button.add_class("kit-undo")
        self.undo_button.on_click(lambda _b: self.undo())
        self._removed: tuple[str, Any] | None = None
        self.entries = W.VBox()
        self._keys: tuple[str, ...] = ()
        self._titles: dict[str, W.HTML] = {}
        self._derived: list[tuple[BoundField, Column]] = []
        session.on_change(self._on_record)
        self._rebuild()
        super().__init__([self.entries, self.add_button,
                          W.HBox([self.message, self.undo_button],
                                 layout=W.Layout(flex_flow="row wrap", align_items="center")),
                          ProblemList(session, [base])])

    def entry_keys(self) -> tuple[str, ...]:
        value = self.session.get(self.base) or {}
        return tuple(value) if isinstance(value, dict) else ()

    def add_entry(self) -> str | None:
        """Create an entry under a fresh id; return the id (None if it could not be saved)."""
        used = self.session.door.keys_ever(self.session.id, self.base)
        key = next_key([*self.entry_keys(), *used], self.prefix)
        values = self.new_entry(self.session) if self.new_entry else {}
        if not values:
            first = self.columns[0]
            values = {first.key: "" if first.kind in ("text", "textarea") else None}
        try:
            self.session.set_many({f"{self.base}/{key}/{k}": v for k, v in values.items()})
        except KitError as exc:
            self.message.value = message_html(str(exc), "error", tag="span")
            return None
        self.message.value = ""
        return key

    def remove_entry(self, key: str) -> None:
        """Delete the entry (the page has asked first); it can be undone until the next."""
        kept = self.session.get(f"{self.base}/{key}")
        title = self.entry_title(self.session, key)
        try:
            self.session.delete(f"{self.base}/{key}")
        except KitError as exc:
            self.message.value = message_html(str(exc), "error", tag="span")
            return
        self._removed = (key, kept)
        self.message.value = message_html(f"已删除 removed: {title}", "muted", tag="span")
        self.undo_button.layout.display = "flex"

    def undo(self) -> None:
        """Put the last removed entry back, as it was, under its own id (in the trail too)."""
        if self._removed is None:
            return
        key, kept = self._removed
        try:
            self.session.set(f"{self.base}/{key}", kept)
        except KitError as exc:
            self.message.value = message_html(f"未能撤销 not undone: {exc}", "error", tag="span")
            return
        self._removed = None
        self.undo_button.layout.display = "none"
        self.message.value = message_html(f"已恢复 restored: {self.entry_title(self.session, key)}",
                                          "ok", tag="span")

    def _on_record(self, path: str) -> None:
        if (path == "*" or path == self.base or path.startswith(self.base + "/")) and (
            self.entry_keys() != self._keys
        ):
            self._rebuild()
            return
        for key, title in self._titles.items():  # titles follow their entries
            text = self._title_html(key)
            if title.value != text:
                title.value = text
        for bound, col in self._derived:  # choices follow their source
            if col.options_fn is not None:
                bound.set_options(col.options_fn(self.session))

    def _rebuild(self) -> None:
        self._keys = self.entry_keys()
        self._titles = {}
        self._derived = []
        self.entries.children = [self._entry(k) for k in self._keys]

    def _title_html(self, key: str) -> str:
        return f"<b>{html.escape(self.entry_title(self.session, key))}</b>"

    def _entry(self, key: str) -> W.Widget:
        fields = []
        for col in self.columns:
            options = col.options_fn(self.session) if col.options_fn else col.options
            spec = FieldSpec(f"{self.base}/{key}/{col.key}", col.label, col.kind, options)
            bound = BoundField(self.session, spec)
            if col.options_fn is not None:
                self._derived.append((bound, col))
            fields.append(bound)
        remove = W.Button(description="删除 Remove", button_style="warning",
                          layout=W.Layout(width="auto"))
        remove.add_class("kit-remove")
        remove.disabled = self.add_button.disabled
        sure = W.Button(description="确定删除 Confirm", button_style="danger",
                        layout=W.Layout(width="auto", display="none"))
        sure.add_class("kit-remove-confirm")
        keep = W.Button(description="取消 Cancel", layout=W.Layout(width="auto", display="none"))
        keep.add_class("kit-remove-cancel")

        def ask(_b: Any) -> None:  # removing asks first
            sure.layout.display = keep.layout.display = "flex"
            remove.layout.display = "none"

        def cancel(_b: Any) -> None:
            sure.layout.display = keep.layout.display = "none"
            remove.layout.display = "flex"

        remove.on_click(ask)
        keep.on_click(cancel)
        sure.on_click(lambda _b, k=key: self.remove_entry(k))
        title = W.HTML(self._title_html(key))
        self._titles[key] = title
        box = W.VBox([W.HBox([title, remove, sure, keep],
                             layout=W.Layout(flex_flow="row wrap", align_items="center")),
                      *fields],
                     layout=W.Layout(border="1px solid #ccc", padding="4px", margin="3px 0"))
        box.add_class("kit-entry")
        return box
