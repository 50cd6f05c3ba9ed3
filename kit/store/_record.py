"""One inspection as a tab last read it: its document, the versions, and saving through it."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kit.errors import NotFoundError
from kit.store._doc import DELETE, split_path

if TYPE_CHECKING:
    from kit.store._store import Store


class Record:
    """An inspection as this tab last read it: ``doc`` (nested), ``versions`` (path -> int).

    Each :meth:`set` or :meth:`delete` is saved at once in its own transaction and checked
    against the versions read, so a tab never overwrites a change it has not seen.
    """

    def __init__(
        self,
        store: Store,
        inspection_id: str,
        doc: dict[str, Any],
        versions: dict[str, int],
        created_at: str,
        created_by: str,
        *,
        head: int = 0,
    ) -> None:
        self.store = store
        self.head = head  # the chain head when read: what this tab has seen
        self.id = inspection_id
        self.doc = doc
        self.versions = versions
        self.created_at = created_at
        self.created_by = created_by

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

    def set(self, path: str, value: Any, *, user: str) -> None:
        """Save ``value`` at ``path`` now (a dict replaces the whole subtree there).

        Raises :class:`FieldConflictError` if someone else changed the field since this record
        read it; then nothing is written. The same value again writes nothing.
        """
        self._save([(path, value)], user, "update")

    def set_many(self, changes: Mapping[str, Any], *, user: str, action: str = "update") -> None:
        """Save several fields (path -> value, or :data:`DELETE`) in one transaction, or none."""
        self._save(list(changes.items()), user, action)

    def delete(self, path: str, *, user: str) -> None:
        """Remove a field or a whole subtree (``findings/F3``); an emptied group stays as {}."""
        if self.get(path, DELETE) is DELETE:
            msg = f"检查记录 {self.id} 中没有字段 {path} / no field {path} in {self.id}"
            raise NotFoundError(msg)
        self._save([(path, DELETE)], user, "delete")

    def refresh(self) -> None:
        """Re-read the inspection from the store (to see other tabs' changes)."""
        fresh = self.store.load(self.id)
        self.doc.clear()
        self.doc.update(fresh.doc)
        self.versions = fresh.versions
        self.head = fresh.head

    def changed_elsewhere(self) -> bool:
        """Whether anyone (another tab, a colleague) changed the inspection since this tab
        read it: one small query, for polling."""
        return self.store.head_of(self.id) != self.head

    def _save(self, ops: list[tuple[str, Any]], user: str, action: str) -> None:
        changes, before, after = self.store._write(self.id, ops, self.versions, user, action)
        if before == self.head:  # nobody wrote between this tab's last read and this write
            self.head = after
        for path, value in ops:  # the same change on the document held here
            *parents, last = split_path(path)
            node: Any = self.doc
            for key in parents:
                if value is DELETE and not isinstance(node.get(key), dict):
                    break
                if not isinstance(node.get(key), dict):
                    node[key] = {}
                node = node[key]
            else:
                if value is DELETE:
                    node.pop(last, None)
                else:
                    mutable = isinstance(value, (dict, list))
                    node[last] = copy.deepcopy(value) if mutable else value
        for change in changes:
            if change.version is None:
                self.versions.pop(change.path, None)
            else:
                self.versions[change.path] = change.version
