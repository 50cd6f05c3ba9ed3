"""An editing session: one person working on one stored inspection, every change autosaved.

The apps' widgets, the CLI and analysts' scripts all change a record through
:meth:`Session.set`, which goes through the door (:mod:`kit.door`): the value is checked
against the record model and the guide's codes, the person's right to change that part, the
stage gates and the versions read, all at once; a bad value is refused with a clear message and
nothing is written; otherwise it is saved at once as a row-level write with the person's name in
the audit trail. A change someone else made to the same field since this session read it is
refused (:class:`~kit.errors.ConflictError`) and the session re-reads the record, so the person
sees the other change instead of overwriting it.

>>> from kit.door import Door, Identity
>>> from kit.record import new_inspection
>>> door = Door.connect("sqlite://", identity=Identity("张明"))
>>> s = Session.create(door, new_inspection())
>>> s.set("company/name", "北京示例医疗科技有限公司")
>>> s.inspection.company.name
'北京示例医疗科技有限公司'
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final, Protocol

from kit.dates import beijing_now, beijing_today
from kit.door import (
    DELETE,
    GATED_STAGES,
    OVERRIDES,
    AccessError,
    Applied,
    Door,
    GateError,
    Identity,
    NumberTakenError,
    Record,
    may_edit,
    refusal,
)
from kit.errors import (
    ConflictError,
    InputError,
    KitError,
    NotFoundError,
    Problem,
    ValidationError,
)
from kit.evidence import prepare
from kit.guide import load_guide
from kit.notices import (
    NoticeTemplates,
    NoticeText,
    compose,
    load_notice_templates,
    next_number,
    notice_json,
    service_lines,
)
from kit.profiles import Profile
from kit.record import (
    NOTICE_KINDS,
    STAGE_ORDER,
    Inspection,
    check_value,
    from_doc,
    next_key,
    parse_doc,
    with_change,
)
from kit.rules import check, errors, notice_problems

Listener = Callable[[str], None]
_GONE: Any = object()


def _plain(value: Any) -> Any:
    """Values as the document holds them: dates as ISO text, tuples as lists."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value



# -- printing, loaded when a notice is first printed (openpyxl, LibreOffice): an app's kernel
# that never prints one does not hold them
def soffice() -> str:
    """LibreOffice's path, or :class:`KitError` saying how to install it."""
    from kit.workbook import soffice as found

    return found()


def notice_pdf(text: NoticeText, pictures: Mapping[str, bytes]) -> bytes:
    """A notice as PDF (:func:`kit.workbook.notice_pdf`)."""
    from kit.workbook import notice_pdf as printed

    return printed(text, pictures)


def service_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A proof of service as PDF (:func:`kit.workbook.service_pdf`)."""
    from kit.workbook import service_pdf as printed

    return printed(title, lines)

class Session:
    """One person's view of one stored inspection; :meth:`set` is the only way to change it."""

    def __init__(self, door: Door, inspection_id: str) -> None:
        self.door = door
        self.record: Record = door.open(inspection_id)
        # A record the model cannot read is refused up front, with every problem listed.
        self._inspection: Inspection | None = from_doc(
            {**self.record.doc, "id": self.record.id}, what=f"inspection {inspection_id}")
        self._problems: list[Problem] | None = None
        self._under: dict[str, list[Problem]] = {}
        self._listeners: list[Listener] = []
        self._field_listeners: list[tuple[str, Listener]] = []
        self._deferred: dict[int, Callable[[], None]] = {}
        self._pending_pdf: dict[str, Any] = {}

    @classmethod
    def create(cls, door: Door, inspection: Inspection) -> Session:
        """Store a new inspection and open a session on it."""
        return cls(door, door.create(inspection))

    @property
    def user(self) -> str:
        """Who this session's changes are recorded under."""
        return self.door.user

    @property
    def identity(self) -> Identity | None:
        return self.door.identity

    @property
    def read_only(self) -> bool:
        """Whether this person may only look (an office leader or analyst, not on the team)."""
        who = self.identity
        return who is not None and not may_edit(self.inspection, who)

    def refusal(self, path: str, value: Any = None) -> str | None:
        """Why this person may not set ``path`` (to ``value``), or None (the apps grey out
        what is refused)."""
        who = self.identity
        return None if who is None else refusal(self.inspection, who, path, value)

    def check_access(self, path: str, value: Any = None) -> None:
        """Raise :class:`AccessError` when this person may not set ``path`` (to ``value``)."""
        why = self.refusal(path, value)
        if why is not None:
            raise AccessError(why)

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def inspection(self) -> Inspection:
        """The record as a model object, parsed once per reading, then following each change."""
        if self._inspection is None:
            ins, _problems = parse_doc({**self.record.doc, "id": self.record.id})
            self._inspection = ins
        return self._inspection

    def get(self, path: str, default: Any = None) -> Any:
        return self.record.get(path, default)

    def extensions(self) -> list[str]:
        """The 延伸检查 (六、5) that name this inspection as their principal and this person
        may read, by id (the principal shows them; each extension shows its principal)."""
        return self.door.extensions_of(self.id)

    def on_change(self, listener: Listener, *, field: str | None = None) -> None:
        """Call ``listener(path)`` after every saved change (and ``"*"`` after a refresh).

        With ``field``, only after changes that concern that field: its own, one of a group
        it is in (``results/7.8.m4`` for ``results/7.8.m4/notes``), a refresh, or a change
        elsewhere that changes what the rules say about it. A page of sixty fields then
        does not wake sixty listeners at every tap."""
        if field is None:
            self._listeners.append(listener)
        else:
            self._field_listeners.append((field, listener))

    def _changed(self, path: str, *, model_current: bool = False) -> None:
        before = self._problems
        if not model_current:
            self._inspection = None
        self._problems = None
        for listener in list(self._listeners):
            listener(path)
        if not self._field_listeners:
            return
        if path == "*" or before is None:
            woken = list(self._field_listeners)
        else:
            old, new = _by_field(before), _by_field(self.problems())
            ruled = {f for f in old.keys() | new.keys() if old.get(f) != new.get(f)}
            woken = [(f, listener) for f, listener in self._field_listeners
                     if f == path or f.startswith(path + "/") or f in ruled]
        for _field, listener in woken:
            listener(path)

    def defer(self, key: int, flush: Callable[[], None]) -> None:
        """Note a change still waiting to be saved (a field waiting for typing to pause)."""
        self._deferred[key] = flush

    def undefer(self, key: int) -> None:
        self._deferred.pop(key, None)

    def flush_pending(self) -> None:
        """Save every change still waiting: before an export, a reload or leaving a stage."""
        for flush in list(self._deferred.values()):
            flush()

    def check_value(self, path: str, value: Any) -> list[Problem]:
        """What the record model says about ``value`` at ``path``, without saving anything."""
        return check_value(path, _plain(value))

    def set(self, path: str, value: Any) -> None:
        """Check and save one field now; refuse bad values and others' newer changes."""
        self.set_many({path: value})

    def set_many(self, changes: dict[str, Any], *, action: str = "update") -> None:
        """Check and save several fields in one transaction, or none of them, through the
        door. Moving the record on to 检查文书, 跟踪 or 已结案 runs the guide's rules first:
        their errors block the move (:class:`GateError`) unless the same write records the
        leader's override (:meth:`advance`)."""
        plain = {p: v if v is DELETE else _plain(v) for p, v in changes.items()}
        self._save(plain, action)

    def _save(self, changes: dict[str, Any], action: str) -> None:
        try:
            applied = self.door.save(self.record, changes, action=action,
                                     model=self._inspection)
        except ConflictError:
            self.refresh()
            raise
        self._follow(applied)
        for path in changes:
            self._changed(path, model_current=True)

    def _follow(self, applied: Sequence[Applied]) -> None:
        """The model follows what the store wrote, not a guess of what a change does: each
        part the written rows lie in (an entry such as ``results/7.1.c1``, a field such as
        ``scope/sections``) is read again from the record, which holds those rows."""
        if self._inspection is None:
            return
        ins = self._inspection
        for part in dict.fromkeys("/".join(row.path.split("/")[:2]) for row in applied):
            value = self.record.get(part, _GONE)
            ins = with_change(ins, part, None if value is _GONE else value,
                              delete=value is _GONE)
        self._inspection = ins

    def gate_problems(self, stage: str, changes: dict[str, Any] | None = None
                      ) -> list[Problem]:
        """The rules' errors that block moving the record to ``stage`` (with ``changes``
        saved at the same time): none for a move back, or before the visit ends."""
        after = self.inspection
        for path, value in (changes or {"stage": stage}).items():
            after = with_change(after, path, value, delete=value is DELETE)
        return self.door.gate_problems(self.inspection, stage, after)

    def advance(self, stage: str, *, override: str = "") -> None:
        """Move the record to ``stage``. When the rules find errors, only the team's leader
        may move it on anyway, giving ``override`` (why): the reason, who, when and the
        overridden codes are saved with the move, in the trail."""
        blocking = self.gate_problems(stage)
        if not blocking:
            self.set("stage", stage)
            return
        if not override.strip() or stage not in GATED_STAGES:
            raise GateError(blocking, stage)
        self.set_many({"stage": stage, f"{OVERRIDES}/{stage}": {
            "reason": override.strip(), "by": self.user,
            "at": beijing_now().isoformat(),
            "codes": sorted({p.code for p in blocking})}}, action="override")

    def issue_notice(self, kind: str, *, on: date | None = None,
                     templates: NoticeTemplates | None = None,
                     notary: Notary | None = None) -> str:
        """Issue the notice of ``kind`` (``result`` 检查结果告知书, ``rectification`` 整改通知书,
        ``suspension`` 暂停生产通知书):
        give it the next document number of the year in the issuing authority's scheme
        (the team leader's authority's section of ``templates/notices.yaml``, else the
        office's; from the year's ``start`` there) and its date,
        freeze it, and return the number. A notice already issued keeps its number. What the
        notice must state has to be in the record first (:func:`kit.rules.notice_problems`);
        two people issuing at once never get the same number (the store refuses a number
        given twice, and the next one is taken).

        Frozen: the notice as a PDF is kept as evidence (its hash in the record and the
        trail), with what it says (:func:`kit.notices.notice_json`); printing it gives those
        bytes ever after. ``notary`` is the signing component (:class:`Notary`): it renders
        the notice from the store itself and signs it; without one the PDF is rendered here,
        unsigned. A notice issued but not yet frozen (LibreOffice failed midway, or an
        earlier kit issued it) is frozen when issued again."""
        if kind not in NOTICE_KINDS:
            msg = (f"没有这种文书：{kind}（可用：result 检查结果告知书、rectification 整改通知书、"
                   f"suspension 暂停生产通知书） / no such notice {kind!r}: result, rectification "
                   "or suspension")
            raise InputError(msg)
        notice = self.inspection.notices.get(kind)
        if notice is not None and notice.number:
            if not notice.pdf:
                self._freeze(kind, notary)
            return notice.number
        if notary is None:
            soffice()  # a notice is issued with its PDF: say so before a number is taken
        problems = [p for p in notice_problems(self.inspection, kind, guide=load_guide(),
                                               profile=self._profile())
                    if p.severity == "error"]
        if problems:
            raise ValidationError(problems, f"inspection {self.id}: notice {kind}")
        on = on or beijing_today()
        # the issuing authority's own number shape and starting number, else the office's
        tpl = (templates or load_notice_templates()).issuer(
            self.inspection.inspecting_authority)[kind]
        path = f"notices/{kind}/number"
        for _attempt in range(NUMBER_ATTEMPTS):
            number = next_number(tpl.number, on.year, self.door.notice_numbers(),
                                 start=tpl.first(on.year))
            try:
                self.set_many({path: number, f"notices/{kind}/issued_on": on.isoformat()},
                              action="issue")
            except NumberTakenError:
                continue  # someone else took it a moment ago: the next one
            self._freeze(kind, notary)
            return number
        msg = ("多次尝试仍未取得文书编号，请重试 / could not take a document number after "
               f"{NUMBER_ATTEMPTS} tries; try again")
        raise ConflictError(msg)

    def _freeze(self, kind: str, notary: Notary | None) -> None:
        """Keep the issued notice's PDF as evidence and name it on the notice, with what the
        notice says, in one write."""
        self.refresh()
        ins = self.inspection
        text = compose(ins, kind)  # type: ignore[arg-type]
        if notary is not None:
            data = notary.notice_pdf(self.id, kind)
        else:
            data = notice_pdf(text, self._signature_pictures(ins))
        number = ins.notices[kind].number
        key = self._keep_pdf(data, f"notices/{kind}", f"{number}.pdf", "出具时存证的文书 issued")
        changes = self._pending_pdf
        changes.update({f"notices/{kind}/pdf": key,
                        f"notices/{kind}/issued_text": notice_json(text)})
        self.set_many(changes, action="issue")

    def _keep_pdf(self, data: bytes, target: str, name: str, note: str) -> str:
        """Keep ``data`` (a PDF) by its hash; the attachment naming it waits in
        ``_pending_pdf`` for the write that names it on the notice."""
        ready = prepare(name, data)
        if ready.mime != "application/pdf":
            msg = "签署服务返回的不是 PDF / the signing component returned no PDF"
            raise KitError(msg)
        digest = self.door.keep_evidence(self.id, ready.data, ready.mime)
        ins = self.inspection
        key = next_key(set(ins.attachments) | self.door.keys_ever(self.id, "attachments"), "A")
        self._pending_pdf = {f"attachments/{key}": {
            "kind": "file", "target": target, "name": name, "mime": ready.mime,
            "size": len(ready.data), "sha256": digest, "thumb_sha256": "", "by": self.user,
            "at": beijing_now().isoformat(), "note": note, "signer": ""}}
        return key

    def _signature_pictures(self, ins: Inspection) -> dict[str, bytes]:
        """The drawn signatures' pictures a notice prints, by SHA-256."""
        out: dict[str, bytes] = {}
        for a in ins.attachments.values():
            if a.kind == "signature":
                for digest in (a.sha256, a.thumb_sha256):
                    if digest and digest not in out:
                        with contextlib.suppress(NotFoundError):  # audit --verify says so
                            out[digest] = self.door.evidence(self.id, digest)[1]
        return out

    def serve_notice(self, kind: str, *, on: date, received_by: str = "",
                     refused: bool = False, witnesses: tuple[str, ...] = (),
                     note: str = "", notary: Notary | None = None) -> None:
        """Record that the notice of ``kind`` was served on ``on``: signed for by
        ``received_by``, or refused by the company and noted by ``witnesses`` (two or more of
        the team's inspectors, 六、8). Nothing is saved if the receipt breaks a rule.

        The service is then kept as a record of its own beside the notice: a proof of service
        (送达回证) as a PDF naming the notice and its issued PDF's hash, signed by ``notary``
        (rendered here, unsigned, without one)."""
        base = f"notices/{kind}"
        notice = self.inspection.notices.get(kind)
        if notice is None or not notice.number:
            raise ValidationError([Problem(
                "notices.no_number", "文书尚未出具（没有文号），请先出具再记录送达",
                "the notice has not been issued: issue it before recording service",
                field=f"{base}/number")], f"inspection {self.id}: notice {kind}")
        changes = {f"{base}/served_on": on.isoformat(), f"{base}/received_by": received_by.strip(),
                   f"{base}/refused": refused, f"{base}/witnesses": list(witnesses),
                   f"{base}/note": note}
        ins = self.inspection
        for path, value in changes.items():
            ins = with_change(ins, path, value)
        blocking = [p for p in errors(self._check(ins)) if p.field.startswith(base + "/")]
        if blocking:
            raise ValidationError(blocking, f"inspection {self.id}: notice {kind}")
        if notary is None:
            soffice()
        self.set_many(changes, action="serve")
        self.refresh()
        ins = self.inspection
        served = ins.notices[kind]
        if notary is not None:
            data = notary.service_pdf(self.id, kind)
        else:
            issued = ins.attachments.get(served.pdf)
            title, lines = service_lines(ins, kind,  # type: ignore[arg-type]
                                         issued.sha256 if issued is not None else "")
            data = service_pdf(title, lines)
        key = self._keep_pdf(data, f"notices/{kind}/service",
                             f"{served.number}-送达回证.pdf", "送达回证 proof of service")
        self.set_many({**self._pending_pdf, f"{base}/service": key}, action="serve")

    def _profile(self) -> Profile | None:
        return self.door.profile(self.inspection.profile)

    def attach(self, target: str, name: str, data: bytes, *, signature: bool = False,
               note: str = "", signer: str = "") -> str:
        """Keep a photo, a file or (``signature``) a signature drawn on the screen as evidence
        of ``target`` (``results/7.8.m4``, ``findings/F2``, ``signatures/company``,
        ``signatures/witness`` or ``signatures/<member>``); return the attachment's key.

        The bytes are checked (:func:`kit.evidence.prepare`) and kept in the store by their
        hash; the record gets the hash, who captured it and when, in the trail like any
        change. The same bytes attached to the same target again are the same evidence: its
        key is returned and nothing is written (a page may send what it kept twice). A
        signature also records who drew it (``signer``, the name given at the pad) and, in
        the same write, that they signed: a member among the inspectors signing, the
        company's signer, the witness."""
        kind, _, what = target.partition("/")
        if signature != (kind == "signatures"):
            raise ValidationError([Problem(
                "evidence.target", f"证据材料所属的项目不存在：{target}",
                f"no such place for evidence: {target!r}", field="attachments")],
                f"inspection {self.id}")
        self.check_access("attachments")
        ins = self.inspection
        signer = _signer(ins, what, signer) if signature else signer.strip()
        ready = prepare(name, data, signature=signature)
        digest = hashlib.sha256(ready.data).hexdigest()
        for key, kept in ins.attachments.items():  # the same bytes again (a page sending what
            if kept.target == target and kept.sha256 == digest:  # it kept once more): kept
                return key
        key = next_key(set(ins.attachments) | self.door.keys_ever(self.id, "attachments"), "A")
        changes: dict[str, Any] = {f"attachments/{key}": {
            "kind": ready.kind, "target": target, "name": name, "mime": ready.mime,
            "size": len(ready.data), "sha256": "", "thumb_sha256": "", "by": self.user,
            "at": beijing_now().isoformat(), "note": note, "signer": signer}}
        if signature:
            changes.update(_signed(ins, what, signer))
        # what the target names first (nothing kept for a target that names nothing)
        unknown = self.door.check_codes(ins, changes)
        if unknown:
            raise ValidationError(unknown, f"inspection {self.id}")
        self.door.keep_evidence(self.id, ready.data, ready.mime)
        thumb = (self.door.keep_evidence(self.id, ready.thumb, ready.thumb_mime)
                 if ready.thumb is not None else "")
        changes[f"attachments/{key}"].update(sha256=digest, thumb_sha256=thumb)
        self.set_many(changes, action="attach")
        return key

    def delete(self, path: str) -> None:
        """Remove an entry (a finding, a team member...) with an audit row."""
        if self.record.get(path, DELETE) is DELETE:
            msg = f"检查记录 {self.id} 中没有字段 {path} / no field {path} in {self.id}"
            raise NotFoundError(msg)
        self._save({path: DELETE}, "delete")

    def refresh(self) -> None:
        """Re-read the record to see changes made in other tabs (after saving our own)."""
        self.flush_pending()
        self.door.reload(self.record)
        self._inspection = None
        self._changed("*")

    def poll(self) -> bool:
        """Show what colleagues saved since this tab read the record (the apps call it every
        few seconds); True if anything changed. Skipped while a change of this tab waits for
        a pause in typing: it is saved against the version it was typed over, then seen."""
        if self._deferred or self.door.head_of(self.id) == self.record.head:
            return False
        self.door.reload(self.record)
        self._inspection = None
        self._changed("*")
        return True

    def problems(self, prefix: str = "") -> list[Problem]:
        """The guide's rules on the record as it is now, those at or under ``prefix`` only if
        given (looked up: every field of a page asks after each save)."""
        if self._problems is None:
            self._problems = self._check(self.inspection)
            self._under = {}
            for problem in self._problems:
                parts = problem.field.split("/")
                for n in range(1, len(parts) + 1):
                    self._under.setdefault("/".join(parts[:n]), []).append(problem)
        if not prefix:
            return self._problems
        return self._under.get(prefix, [])

    def _check(self, ins: Inspection) -> list[Problem]:
        """The guide's rules on ``ins``, with the office's profile and holidays read once per
        door, not at every save."""
        return check(ins, guide=load_guide(), profile=self.door.profile(ins.profile),
                     calendar=self.door.calendar())

    def problems_at(self, path: str) -> list[Problem]:
        """The problems the rules find in exactly the field ``path``."""
        return [p for p in self.problems(path) if p.field == path]


class Notary(Protocol):
    """The signing component as a session sees it: handed an inspection's id and a notice's
    kind (never bytes), it renders the PDF from the store itself and signs it
    (:class:`kit.interchange.LocalNotary` in the same process; the office's signing service
    on a Hub)."""

    def notice_pdf(self, inspection_id: str, kind: str) -> bytes: ...

    def service_pdf(self, inspection_id: str, kind: str) -> bytes: ...


#: how many document numbers issuing tries when colleagues take them at the same moment
NUMBER_ATTEMPTS: Final = 5


def _signer(ins: Inspection, who: str, named: str) -> str:
    """Who drew a signature for ``who``: the name given at the pad, else the one on record."""
    sig = ins.signatures
    known = {"company": sig.company_signer, "witness": sig.witness_name}.get(who)
    if known is None:
        known = ins.team[who].name if who in ins.team else ""
    name = named.strip() or known.strip()
    if not name:
        raise ValidationError([Problem(
            "evidence.target", "请先填写签字人的姓名，再签名", "give the signer's name first",
            field=f"signatures/{who}")], f"inspection {ins.id}")
    return name


def _signed(ins: Inspection, who: str, signer: str) -> dict[str, Any]:
    """What a signature drawn for ``who`` records beside it: that they signed."""
    sig = ins.signatures
    if who == "company":
        out: dict[str, Any] = {"signatures/company_signer": signer}
        if sig.company_signed_at is None:
            out["signatures/company_signed_at"] = beijing_now().isoformat(timespec="seconds")
        return out
    if who == "witness":
        return {"signatures/witness_signed": True,
                "signatures/witness_name": signer}
    if who in ins.team and who not in sig.inspector_signers:
        return {"signatures/inspector_signers": [*sig.inspector_signers, who]}
    return {}


def _by_field(problems: list[Problem]) -> dict[str, list[Problem]]:
    out: dict[str, list[Problem]] = {}
    for p in problems:
        out.setdefault(p.field, []).append(p)
    return out


__all__ = ["DELETE", "GATED_STAGES", "STAGE_ORDER", "GateError", "Notary", "Session"]
