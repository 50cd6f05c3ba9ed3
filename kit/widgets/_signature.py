"""A signature drawn with a finger or a pen on the screen (anywidget, ``static/signature.js``).

The page draws on a canvas with pointer events (mouse, touch and pen alike); the signer's name
is given above it; 保存 sends the drawing as PNG with that name, which
:meth:`kit.session.Session.attach` keeps as evidence of the signer (``signatures/company``,
``signatures/witness``, ``signatures/<member>``) with who drew it, who captured it (the person
signed in: a tablet passed round) and when; the record then says that person signed. The
latest drawing kept is shown under the pad.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import anywidget
import traitlets as t

from kit.dates import beijing_text
from kit.record import natural_key
from kit.session import Session
from kit.widgets._rows import attach_refusal, thumbnail_url
from kit.widgets._static import STATIC, esm

__all__ = ["SignaturePad"]



class SignaturePad(anywidget.AnyWidget):
    """One signer's pad: draw, clear, keep; the kept signature shown."""

    _esm = esm("signature.js")
    _css = STATIC / "signature.css"
    label = t.Unicode("").tag(sync=True)
    who = t.Unicode("").tag(sync=True)
    signed = t.Unicode("").tag(sync=True)
    caption = t.Unicode("").tag(sync=True)
    #: the name the pad offers for the signer (a member's name, the name on record)
    signer = t.Unicode("").tag(sync=True)
    message = t.Unicode("").tag(sync=True)
    read_only = t.Bool(False).tag(sync=True)

    def __init__(self, session: Session, who: str, label: str) -> None:
        super().__init__(label=label, who=who,
                         read_only=session.refusal("attachments") is not None)
        self.session = session
        self.target = f"signatures/{who}"
        self.add_class("kit-signature")
        self.add_class(f"kit-signature-{who}")
        self.on_msg(self._message)
        session.on_change(lambda path: self.refresh()
                          if path == "*" or path.startswith("attachments") else None)
        self.refresh()

    def refresh(self) -> None:
        ins = self.session.inspection
        sig = ins.signatures
        self.signer = {"company": sig.company_signer, "witness": sig.witness_name}.get(
            self.who, ins.team[self.who].name if self.who in ins.team else "")
        mine = [k for k in sorted(ins.attachments, key=natural_key)
                if ins.attachments[k].target == self.target]
        if not mine:
            self.signed, self.caption = "", ""
            return
        latest = ins.attachments[mine[-1]]
        self.signed = thumbnail_url(self.session, latest.thumb_sha256 or latest.sha256)
        when = latest.at.strftime("%Y-%m-%d %H:%M") if latest.at else ""
        drawn = f"{latest.signer} 签名，" if latest.signer else ""
        self.caption = (f"已签 signed · {mine[-1]} · {drawn}{latest.by} 记录 captured "
                        f"{when}").strip()

    def sign(self, png: bytes, signer: str = "") -> str | None:
        """Keep ``png`` as the signature ``signer`` drew; return why it was refused."""
        return attach_refusal(self.session, self.target, f"签名-{self.who}.png", png,
                              signature=True, signer=signer)

    def _message(self, _widget: Any, content: Any, buffers: Any) -> None:
        if isinstance(content, dict) and content.get("kind") == "sign":
            signer = content.get("signer")
            why = self.sign(bytes(buffers[0]) if buffers else b"",
                            signer if isinstance(signer, str) else "")
            self.message = (f"未保存 not kept: {why}" if why else
                            f"签名已保存 kept · {beijing_text(datetime.now(UTC))}")
