"""Photos and files attached to one thing of the record (a finding), shown as thumbnails
(anywidget, ``static/evidence.js``): the same camera and file buttons as a checklist row."""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets as t

from kit.record import natural_key
from kit.session import Session
from kit.widgets._rows import attach_refusal, thumbnail_url
from kit.widgets._static import STATIC, esm

__all__ = ["EvidenceBox"]



class EvidenceBox(anywidget.AnyWidget):
    """The evidence of ``target`` (``findings/F2``): add a photo or a file, see what is kept."""

    _esm = esm("evidence.js")
    _css = STATIC / "rows.css"
    label = t.Unicode("").tag(sync=True)
    target = t.Unicode("").tag(sync=True)
    kept: t.List[dict[str, str]] = t.List().tag(sync=True)
    message = t.Unicode("").tag(sync=True)
    read_only = t.Bool(False).tag(sync=True)

    def __init__(self, session: Session, target: str, label: str) -> None:
        super().__init__(label=label, target=target,
                         read_only=session.refusal("attachments") is not None)
        self.session = session
        self.add_class("kit-evidence")
        self.add_class("kit-evidence-" + target.replace("/", "--"))
        self.on_msg(self._message)
        session.on_change(lambda p: self.refresh()
                          if p == "*" or p.startswith("attachments") else None)
        self.refresh()

    def refresh(self) -> None:
        ins = self.session.inspection
        self.kept = [{"key": k, "name": ins.attachments[k].name,
                      "thumb": thumbnail_url(self.session, ins.attachments[k].thumb_sha256)}
                     for k in sorted(ins.attachments, key=natural_key)
                     if ins.attachments[k].target == self.target]

    def add(self, name: str, data: bytes) -> str | None:
        """Keep a photo or a file as evidence; return why it was refused."""
        return attach_refusal(self.session, self.target, name, data)

    def _message(self, _widget: Any, content: Any, buffers: Any) -> None:
        if isinstance(content, dict) and content.get("kind") == "attach":
            why = self.add(str(content.get("name") or ""), bytes(buffers[0]) if buffers else b"")
            self.message = f"未保存 not kept: {why}" if why else ""
