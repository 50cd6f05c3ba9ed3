"""One inspection as a reader last read it, kept current by the changes the store made.

A :class:`Record` holds no connection: the store hands one out (:meth:`kit.store.Store.load`)
and, after each write through it (:meth:`kit.store.Store.save`), applies the rows the store
actually wrote (:class:`Applied`), never its own idea of what a change should do. So a record
and the database agree on every field after every write, whatever the path written (a leaf,
a subtree, a group emptied to ``{}``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kit.record import SEP, split_path


@dataclass(frozen=True)
class Applied:
    """One row the store wrote: its path, its new value as JSON text (None: the row is gone)
    and its new version (the audit entry that wrote it; None when gone)."""

    path: str
    value_json: str | None
    version: int | None


class Record:
    """An inspection as last read: ``doc`` (nested), ``versions`` (path -> int), ``head``.

    ``head`` is the inspection's last audit entry when this copy was read or last written
    through with nobody else writing in between: a cheap way to ask whether anyone changed the
    inspection since (:meth:`kit.store.Store.head_of`).
    """

    def __init__(self, inspection_id: str, doc: dict[str, Any], versions: dict[str, int],
                 created_at: str, created_by: str, *, head: int = 0) -> None:
        self.id = inspection_id
        self.doc = doc
        self.versions = versions
        self.created_at = created_at
        self.created_by = created_by
        self.head = head

    def __repr__(self) -> str:
        return f"<Record {self.id}: {len(self.versions)} fields>"

    def get(self, path: str, default: Any = None) -> Any:
        """The value (or subtree) at ``path`` as last read, or ``default``."""
        node: Any = self.doc
        for key in split_path(path):
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return node

    def apply(self, applied: Sequence[Applied], before: int, after: int) -> None:
        """Make this copy hold what the store wrote: each row in the order it was written.
        The groups on each row's path are replaced by changed copies, never changed in place,
        so a subtree read before (an entry kept to undo its removal) keeps what it held. The
        head follows only when nobody wrote between this copy's read and the write."""
        for change in applied:
            *parents, last = change.path.split(SEP)
            node: Any = self.doc
            chain: list[tuple[dict[str, Any], str]] = []
            for key in parents:
                child = node.get(key)
                if not isinstance(child, dict):
                    if change.value_json is None:
                        break  # removing below a group this copy does not have
                    child = {}
                else:  # copied, never changed in place: a value handed out stays as it was
                    child = dict(child)
                node[key] = child
                chain.append((node, key))
                node = child
            else:
                if change.value_json is None:
                    node.pop(last, None)
                    # a group left empty is no row of the store (it writes an {} of its own
                    # where a group keeps its place): gone here too
                    for parent, key in reversed(chain):
                        if parent[key]:
                            break
                        del parent[key]
                else:
                    node[last] = json.loads(change.value_json)
            if change.value_json is None or change.version is None:
                self.versions.pop(change.path, None)
            else:
                self.versions[change.path] = change.version
        if before == self.head:
            self.head = after

    def replace(self, fresh: Record) -> None:
        """Take ``fresh``'s content (a re-read), keeping this object (others hold it)."""
        self.doc.clear()
        self.doc.update(fresh.doc)
        self.versions = fresh.versions
        self.head = fresh.head
