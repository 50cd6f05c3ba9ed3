"""An editing session: one person working on one stored inspection, every change autosaved.

The apps' widgets, the CLI and analysts' scripts all change a record through
:meth:`Session.set`: the value is checked against the record model first (a bad date or an
unknown code is refused with a clear message and nothing is written), then saved at once as a
row-level write with the user's name in the audit trail. A change someone else made to the
same field since this session read it is refused (:class:`~kit.errors.ConflictError`) and the
session re-reads the record, so the person sees the other change instead of overwriting it.

>>> from kit.store import Store
>>> from kit.record import new_inspection
>>> store = Store("sqlite://")
>>> s = Session.create(store, new_inspection(), user="张明")
>>> s.set("company/name", "北京示例医疗科技有限公司")
>>> s.inspection.company.name
'北京示例医疗科技有限公司'
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Final

from kit.access import AccessError, Identity, may_edit, read_refusal, refusal
from kit.dates import beijing_now, beijing_today
from kit.errors import ConflictError, InputError, Problem, ValidationError
from kit.evidence import prepare
from kit.guide import load_guide
from kit.labels import STAGES, en, zh
from kit.notices import NoticeTemplates, load_notice_templates, next_number
from kit.profiles import Profile, resolve_profile
from kit.record import (
    NOTICE_KINDS,
    Inspection,
    check_value,
    from_doc,
    next_key,
    parse_doc,
    to_doc,
    with_change,
)
from kit.rules import check, errors, notice_problems
from kit.store import DELETE, NumberTakenError, Record, Store
from kit.workdays import WorkCalendar, load_calendar

Listener = Callable[[str], None]


def new_inspection_id(inspection: Inspection) -> str:
    """A readable, unique id: the start date and six random hex digits (``20261119-a1b2c3``)."""
    day = inspection.scope.start_date
    prefix = day.strftime("%Y%m%d") if day else "draft"
    return f"{prefix}-{secrets.token_hex(3)}"


def save_new(store: Store, inspection: Inspection, *, user: str, action: str = "create") -> str:
    """Store a new inspection under a fresh id (or its own, if unused); return the id."""
    iid = inspection.id or new_inspection_id(inspection)
    doc = to_doc(replace(inspection, id=iid))
    return store.create(doc, user=user, inspection_id=iid, action=action)


def open_inspection(store: Store, inspection_id: str) -> Inspection:
    """The stored inspection as a model object (problems, if any, raise ValidationError)."""
    record = store.load(inspection_id)
    return from_doc({**record.doc, "id": record.id}, what=f"inspection {inspection_id}")


def export_doc(store: Store, inspection_id: str) -> dict[str, Any]:
    """The complete document of a stored inspection: every field, defaults filled in."""
    record = store.load(inspection_id)
    inspection, _problems = parse_doc({**record.doc, "id": record.id})
    return to_doc(inspection)


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


class Session:
    """One user's view of one stored inspection; :meth:`set` is the only way to change it."""

    def __init__(self, store: Store, inspection_id: str, *, user: str,
                 identity: Identity | None = None) -> None:
        self.store = store
        self.user = user
        self.identity = identity
        self.record: Record = store.load(inspection_id)
        # A record the model cannot read is refused up front, with every problem listed.
        self._inspection: Inspection | None = from_doc(
            {**self.record.doc, "id": self.record.id}, what=f"inspection {inspection_id}")
        why = None if identity is None else read_refusal(self._inspection, identity)
        if why is not None:
            raise AccessError(why)
        self._problems: list[Problem] | None = None
        self._under: dict[str, list[Problem]] = {}
        self._office: tuple[str, Profile | None, WorkCalendar] | None = None
        self._listeners: list[Listener] = []
        self._field_listeners: list[tuple[str, Listener]] = []
        self._deferred: dict[int, Callable[[], None]] = {}

    @classmethod
    def create(cls, store: Store, inspection: Inspection, *, user: str,
               identity: Identity | None = None) -> Session:
        """Store a new inspection and open a session on it."""
        return cls(store, save_new(store, inspection, user=user), user=user, identity=identity)

    @property
    def read_only(self) -> bool:
        """Whether this person may only look (an office leader or analyst, not on the team)."""
        return self.identity is not None and not may_edit(self.inspection, self.identity)

    def refusal(self, path: str, value: Any = None) -> str | None:
        """Why this person may not set ``path`` (to ``value``), or None (the apps grey out
        what is refused)."""
        return None if self.identity is None else refusal(self.inspection, self.identity, path,
                                                          value)

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
        """The record as a model object, parsed once per change."""
        if self._inspection is None:
            ins, _problems = parse_doc({**self.record.doc, "id": self.record.id})
            self._inspection = ins
        return self._inspection

    def get(self, path: str, default: Any = None) -> Any:
        return self.record.get(path, default)

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
        """Check and save several fields in one transaction, or none of them. Moving the
        record on to 检查文书, 跟踪 or 已结案 runs the guide's rules first: their errors block
        the move (:class:`GateError`) unless the same write records the leader's override
        (:meth:`advance`)."""
        plain = {p: _plain(v) for p, v in changes.items()}
        for path, value in plain.items():
            self.check_access(path, value)
        problems = [pr for p, v in plain.items() for pr in self.check_value(p, v)]
        if problems:
            raise ValidationError(problems, f"inspection {self.id}")
        stage = plain.get("stage")
        if isinstance(stage, str) and f"{OVERRIDES}/{stage}" not in plain:
            blocking = self.gate_problems(stage, plain)
            if blocking:
                raise GateError(blocking, stage)
        try:
            self.record.set_many(plain, user=self.user, action=action)
        except ConflictError:
            self.refresh()
            raise
        if self._inspection is not None:  # the model follows the change, not a re-parse
            for path, value in plain.items():
                self._inspection = with_change(self._inspection, path, value,
                                               delete=value is DELETE)
        for path in plain:
            self._changed(path, model_current=True)

    def gate_problems(self, stage: str, changes: dict[str, Any] | None = None
                      ) -> list[Problem]:
        """The rules' errors that block moving the record to ``stage`` (with ``changes``
        saved at the same time): none for a move back, or before the visit ends."""
        ins = self.inspection
        if stage not in GATED_STAGES or stage not in STAGE_ORDER or \
                STAGE_ORDER.index(stage) <= STAGE_ORDER.index(ins.stage):
            return []
        for path, value in (changes or {"stage": stage}).items():
            ins = with_change(ins, path, value, delete=value is DELETE)
        return errors(self._check(ins))

    def advance(self, stage: str, *, override: str = "") -> None:
        """Move the record to ``stage``. When the rules find errors, only the team's leader
        may move it on anyway, giving ``override`` (why): the reason, who, when and the
        overridden codes are saved with the move, in the trail."""
        blocking = self.gate_problems(stage)
        if not blocking:
            self.set("stage", stage)
            return
        if not override.strip():
            raise GateError(blocking, stage)
        self.set_many({"stage": stage, f"{OVERRIDES}/{stage}": {
            "reason": override.strip(), "by": self.user,
            "at": beijing_now().isoformat(),
            "codes": sorted({p.code for p in blocking})}}, action="override")

    def issue_notice(self, kind: str, *, on: date | None = None,
                     templates: NoticeTemplates | None = None) -> str:
        """Issue the notice of ``kind`` (``result`` 检查结果告知书, ``rectification`` 整改通知书):
        give it the next document number of the year in the office's scheme and its date,
        and return the number. A notice already issued keeps its number. What the notice
        must state has to be in the record first (:func:`kit.rules.notice_problems`); two
        people issuing at once never get the same number (the store refuses a number given
        twice, and the next one is taken)."""
        if kind not in NOTICE_KINDS:
            msg = (f"没有这种文书：{kind}（可用：result 检查结果告知书、rectification 整改通知书）"
                   f" / no such notice {kind!r}: result or rectification")
            raise InputError(msg)
        notice = self.inspection.notices.get(kind)
        if notice is not None and notice.number:
            return notice.number
        problems = [p for p in notice_problems(self.inspection, kind, guide=load_guide(),
                                               profile=self._office_profile())
                    if p.severity == "error"]
        if problems:
            raise ValidationError(problems, f"inspection {self.id}: notice {kind}")
        on = on or beijing_today()
        scheme = (templates or load_notice_templates())[kind].number
        path = f"notices/{kind}/number"
        for _attempt in range(NUMBER_ATTEMPTS):
            number = next_number(scheme, on.year, self.store.notice_numbers())
            try:
                self.set_many({path: number, f"notices/{kind}/issued_on": on.isoformat()},
                              action="issue")
            except NumberTakenError:
                continue  # someone else took it a moment ago: the next one
            return number
        msg = ("多次尝试仍未取得文书编号，请重试 / could not take a document number after "
               f"{NUMBER_ATTEMPTS} tries; try again")
        raise ConflictError(msg)

    def serve_notice(self, kind: str, *, on: date, received_by: str = "",
                     refused: bool = False, witnesses: tuple[str, ...] = (),
                     note: str = "") -> None:
        """Record that the notice of ``kind`` was served on ``on``: signed for by
        ``received_by``, or refused by the company and noted by ``witnesses`` (two or more of
        the team's inspectors, 六、8). Nothing is saved if the receipt breaks a rule."""
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
        self.set_many(changes, action="serve")

    def _office_profile(self) -> Profile | None:
        if self._office is None or self._office[0] != self.inspection.profile:
            self._office = (self.inspection.profile, resolve_profile(self.inspection.profile),
                            load_calendar())
        return self._office[1]

    def attach(self, target: str, name: str, data: bytes, *, signature: bool = False,
               note: str = "") -> str:
        """Keep a photo, a file or (``signature``) a signature drawn on the screen as evidence
        of ``target`` (``results/7.8.m4``, ``findings/F2``, ``signatures/company``,
        ``signatures/witness`` or ``signatures/<member>``); return the attachment's key.

        The bytes are checked (:func:`kit.evidence.prepare`) and kept in the store by their
        hash; the record gets the hash, who and when, in the trail like any change."""
        self.check_access("attachments")
        ins = self.inspection
        kind, _, what = target.partition("/")
        known = {"results": lambda k: bool(k) and "/" not in k,
                 "findings": lambda k: k in ins.findings,
                 "signatures": lambda k: k in ("company", "witness") or k in ins.team}
        if kind not in known or not known[kind](what) or (signature != (kind == "signatures")):
            raise ValidationError([Problem(
                "evidence.target", f"证据材料所属的项目不存在：{target}",
                f"no such place for evidence: {target!r}", field="attachments")],
                f"inspection {self.id}")
        ready = prepare(name, data, signature=signature)
        digest = self.store.put_blob(ready.data, ready.mime, user=self.user)
        thumb = (self.store.put_blob(ready.thumb, ready.thumb_mime, user=self.user)
                 if ready.thumb is not None else "")
        key = next_key(set(ins.attachments) | self.store.keys_ever(self.id, "attachments"), "A")
        self.set(f"attachments/{key}", {
            "kind": ready.kind, "target": target, "name": name, "mime": ready.mime,
            "size": len(ready.data), "sha256": digest, "thumb_sha256": thumb, "by": self.user,
            "at": beijing_now().isoformat(), "note": note})
        return key

    def delete(self, path: str) -> None:
        """Remove an entry (a finding, a team member...) with an audit row."""
        self.check_access(path)
        try:
            self.record.delete(path, user=self.user)
        except ConflictError:
            self.refresh()
            raise
        if self._inspection is not None:
            self._inspection = with_change(self._inspection, path, None, delete=True)
        self._changed(path, model_current=True)

    def refresh(self) -> None:
        """Re-read the record to see changes made in other tabs (after saving our own)."""
        self.flush_pending()
        self.record.refresh()
        self._office = None
        self._changed("*")

    def poll(self) -> bool:
        """Show what colleagues saved since this tab read the record (the apps call it every
        few seconds); True if anything changed. Skipped while a change of this tab waits for
        a pause in typing: it is saved against the version it was typed over, then seen."""
        if self._deferred or not self.record.changed_elsewhere():
            return False
        self.record.refresh()
        self._office = None
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
        reading of the record, not at every save."""
        if self._office is None or self._office[0] != ins.profile:
            self._office = (ins.profile, resolve_profile(ins.profile), load_calendar())
        return check(ins, guide=load_guide(), profile=self._office[1], calendar=self._office[2])

    def problems_at(self, path: str) -> list[Problem]:
        """The problems the rules find in exactly the field ``path``."""
        return [p for p in self.problems(path) if p.field == path]


#: entering these stages runs the guide's rules; their errors block the move (六、7-10)
GATED_STAGES: Final = ("reporting", "follow_up", "closed")
STAGE_ORDER: Final = ("preparation", "on_site", "reporting", "follow_up", "closed")
OVERRIDES: Final = "gate_overrides"
#: how many document numbers issuing tries when colleagues take them at the same moment
NUMBER_ATTEMPTS: Final = 5


class GateError(ValidationError):
    """The guide's rules found errors: the record does not move on (the leader may override
    with a reason, :meth:`Session.advance`)."""

    def __init__(self, problems: list[Problem], stage: str) -> None:
        head = Problem("stage.blocked",
                       f"按指南规则仍有 {len(problems)} 个错误，记录不能进入“{zh(STAGES, stage)}”；"
                       "请先改正，或由检查组长注明理由后推进",
                       f"{len(problems)} error(s) by the guide's rules: the record does not "
                       f"move to {en(STAGES, stage)}; fix them, or the team's leader overrides with a "
                       "reason", field="stage")
        super().__init__([head, *problems], f"inspection stage {stage}")
        self.stage = stage
        self.blocking = tuple(problems)


def _by_field(problems: list[Problem]) -> dict[str, list[Problem]]:
    out: dict[str, list[Problem]] = {}
    for p in problems:
        out.setdefault(p.field, []).append(p)
    return out


__all__ = ["DELETE", "GATED_STAGES", "STAGE_ORDER", "GateError", "Session", "export_doc",
           "new_inspection_id", "open_inspection", "save_new"]
