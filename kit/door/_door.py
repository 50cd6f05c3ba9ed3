"""The one door to stored inspections: every read and write, under an identity, checked once.

Whoever reads or changes a stored inspection, the app, an import, the demo generator, the
analysts' tables, the credit file, the plan, a command, comes through a :class:`Door` that
knows who is acting (:class:`~kit.door.Identity`). The door applies, in one place:

* **access** (:mod:`kit.door._access`): who may list, open and read an inspection (filtered in
  the store's own query, never after loading) and who may change which part of it;
* **validity**: every value checked against the record model and every code against what it
  names (the guide's vocabularies, the checklist, the team's members: :mod:`kit.record`),
  before anything is written;
* **the stage gates**: moving into 检查文书, 跟踪 or 已结案 runs the guide's rules, whose errors
  block the move unless the same write records the leader's override with a reason;
* **signatures**: a person is recorded as signed only with their signature kept as evidence;
* **expected versions**: a write states the versions it read; a field someone else changed
  since is a conflict, never overwritten.

Access, validity and the gates are decided inside the write's own transaction, on the
inspection as it is at that moment, so a team changed a second ago is the team that counts.

>>> from kit.store import Store
>>> from kit.record import new_inspection
>>> door = Door(Store("sqlite://"), Identity("张明"))
>>> iid = door.create(new_inspection())
>>> record = door.open(iid)
>>> _ = door.save(record, {"findings/F1/handling": "no_such_handling"})
Traceback (most recent call last):
...
kit.errors.ValidationError: inspection ...: 1 problem(s), nothing was applied
  [错误 error] findings/F1/handling: 'no_such_handling' 不是已知的十、1的处理方式...
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from kit.door._access import (
    ANALYSTS,
    LEADERS,
    TRAINERS,
    AccessError,
    Identity,
    company_refusal,
    for_anyone,
    is_company,
    may_read,
    read_refusal,
    refusal,
)
from kit.door._company import AccountIndex, CompanyDoor, submission_problems
from kit.door._plan import (
    LineMade,
    PlanLine,
    PlanSaved,
    SavedLine,
    first_workday,
    inspection_for,
    line_problems,
    plan_refusal,
)
from kit.door._register import Registered, check_register
from kit.door._reminders import DEADLINE_PATHS, DEADLINES, REMINDER_KINDS, reminder_refusal
from kit.door._rounds import keep_rounds, round_problems
from kit.errors import ConflictError, NotFoundError, Problem, ValidationError
from kit.guide import load_guide
from kit.labels import STAGES, en, zh
from kit.profiles import Profile, resolve_profile
from kit.record import (
    PRINCIPAL_PATH,
    STAGE_ORDER,
    SUMMARY_PATHS,
    Inspection,
    InspectionType,
    Known,
    check_value,
    code_problems,
    complete_doc,
    flatten,
    from_doc,
    known_in,
    parse_doc,
    to_doc,
    with_change,
)
from kit.register import RegisteredCompany
from kit.store import (
    DELETE,
    Applied,
    AuditEntry,
    CompanyChange,
    KeptReminder,
    Peek,
    PlanChange,
    Record,
    Store,
    Where,
)
from kit.workdays import WorkCalendar, load_calendar

if TYPE_CHECKING:
    from kit.proof import Signer

__all__ = ["GATED_STAGES", "ON_SITE_GATE", "OVERRIDES", "Checkpointer", "Door", "GateError",
           "local_checkpointer", "new_inspection_id"]

#: entering these stages runs the guide's rules; their errors block the move (六、7-10)
GATED_STAGES: Final = ("reporting", "follow_up", "closed")
#: going on site (五、5; 六、4): when the plan's review is required, the dispatching office's
#: approval, which only that office gives: these errors block the move and the leader cannot
#: override them
ON_SITE_GATE: Final = frozenset({"plan.not_approved", "plan.no_approver"})
#: where the leader's override of a gate is kept, per stage
OVERRIDES: Final = "gate_overrides"
#: the parts of a record whose change changes what its codes may name, who signed, or its stage
_RESHAPING: Final = frozenset({"profile", "team", "company", "findings", "signatures",
                               "attachments", "stage"})


class GateError(ValidationError):
    """The guide's rules found errors: the record does not move on (the leader may override
    with a reason, :meth:`kit.session.Session.advance`)."""

    def __init__(self, problems: list[Problem], stage: str) -> None:
        if stage == "on_site":
            head = Problem("stage.blocked",
                           "检查方案须经检查派出机构审核批准后方可进入现场检查（五、5；六、4），"
                           "检查组长不能越过",
                           "the plan must be approved by the dispatching office before the "
                           "visit (五.5, 六.4); the team's leader cannot override this",
                           field="stage")
        else:
            head = Problem("stage.blocked",
                           f"按指南规则仍有 {len(problems)} 个错误，记录不能进入“{zh(STAGES, stage)}”；"
                           "请先改正，或由检查组长注明理由后推进",
                           f"{len(problems)} error(s) by the guide's rules: the record does not "
                           f"move to {en(STAGES, stage)}; fix them, or the team's leader "
                           "overrides with a reason", field="stage")
        super().__init__([head, *problems], f"inspection stage {stage}")
        self.stage = stage
        self.blocking = tuple(problems)


def new_inspection_id(inspection: Inspection) -> str:
    """A readable, unique id: the start date and six random hex digits (``20261119-a1b2c3``)."""
    day = inspection.scope.start_date
    prefix = day.strftime("%Y%m%d") if day else "draft"
    return f"{prefix}-{secrets.token_hex(3)}"


log = logging.getLogger(__name__)

#: the changes after which the chain's head is signed: the stage (closing the case too), and
#: a notice's number (it is issued)
_MILESTONE: Final = re.compile(r"stage|notices/[^/]+/number")
#: what signs a checkpoint: the door that saved, and the inspection
Checkpointer = Callable[["Door", str], object]


def local_checkpointer(signer: Signer) -> Checkpointer:
    """Checkpoints signed in this process (the signing component, or an administrator's
    ``kit`` command holding the key pair)."""
    return lambda door, inspection_id: door.checkpoint(inspection_id, signer)


class Door(CompanyDoor):
    """Stored inspections as one person may read and change them.

    ``identity`` None: nobody has been named yet (the apps on one machine before a name is
    chosen): reading is allowed, every write is refused until a name is given.
    """

    def __init__(self, store: Store, identity: Identity | None = None, *,
                 checkpointer: Checkpointer | None = None) -> None:
        self._store = store
        self.identity = identity
        #: asks the signing component to sign the chain's head after a stage change, a notice
        #: issued or the case closed (:meth:`checkpoint`); None: no checkpoints here
        self.checkpointer = checkpointer
        self._office: dict[str, Profile | None] = {}
        self._calendar: WorkCalendar | None = None
        #: the company accounts' bindings, shared with the doors :meth:`as_` gives
        self._bindings = AccountIndex()

    @classmethod
    def connect(cls, url: str | None = None, *, data_dir: str | None = None,
                identity: Identity | None = None, connections: str | None = None,
                checkpointer: Checkpointer | None = None) -> Door:
        """A door to the store at ``url`` (else ``data_dir``, else the settings' store)."""
        return cls(Store(url, data_dir=data_dir, connections=connections), identity,
                   checkpointer=checkpointer)

    @for_anyone
    def as_(self, identity: Identity | None) -> Door:
        """The same store, another person (the apps once a name is chosen; the company
        portal, once per request). A company's person's door becomes nobody else's."""
        if self.identity is not None and is_company(self.identity) and identity != self.identity:
            raise AccessError(company_refusal(self.identity))
        door = Door(self._store, identity, checkpointer=self.checkpointer)
        door._bindings = self._bindings
        return door

    @for_anyone
    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Door:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        who = self.identity.user if self.identity else "nobody yet"
        return f"Door({self._store!r}, {who})"

    @property
    @for_anyone
    def where(self) -> str:
        """The store's address, its password hidden (for messages: the command says where it
        works, whoever runs it)."""
        return self._store.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self._store.dialect

    @property
    def protection_problems(self) -> list[str]:
        """The protections the database should have and no longer does (see ``kit db``)."""
        return list(self._store.protection_problems)

    def role_problems(self) -> list[tuple[str, str]]:
        """What is wrong with the database role this door connected as, for the office server
        (a superuser, the tables' owner, a role that may rewrite the trail): (中文, English)."""
        return self._store.role_problems()

    def grant_app_role(self, role: str) -> list[str]:
        """PostgreSQL: give the apps' role what it needs and nothing more (administrators)."""
        self._administrator("授予数据库角色权限", "grant a database role")
        return self._store.grant_app_role(role)

    def _administrator(self, zh_what: str, en_what: str) -> None:
        who = self.identity
        if who is not None and who.hub:
            msg = (f"办公室服务器上的人员不能{zh_what}（须由数据库管理员在服务器上执行） / people "
                   f"signed in to the office server may not {en_what}")
            raise AccessError(msg)

    @property
    @for_anyone
    def user(self) -> str:
        """Who changes are recorded under; refused while nobody has been named."""
        if self.identity is None:
            msg = "请先填写您的姓名（修改记录会以此署名） / enter your name first"
            raise AccessError(msg)
        return self.identity.user

    # -- who reads what ---------------------------------------------------------------------
    def _member(self) -> str | None:
        """The sign-in a listing is limited to (an inspector on the office server), or None
        (everything: one machine, office leaders and analysts)."""
        who = self.identity
        return None if who is None or who.reads_everything else who.user

    def _visible(self, ins: Inspection) -> None:
        if self.identity is not None:
            why = read_refusal(ins, self.identity)
            if why is not None:
                raise AccessError(why)

    def find(self, text: str = "", *, limit: int = 50) -> list[dict[str, Any]]:
        """The most recently changed inspections this person may open, or those the search
        finds (company, id, date, stage, people; one or two characters too: 示例): the
        picker's page, read by key with the access filter in the same query."""
        return self._store.find(text, member=self._member(), limit=limit)

    def rows(self, prefixes: Sequence[str] = (), *, where: Sequence[Where] = ()
             ) -> list[tuple[str, str, str]]:
        """``(inspection id, path, value JSON)`` of the inspections this person may read (the
        access filter is one more condition of the same query): the analysts' tables."""
        member = self._member()
        if member is not None:
            where = [*where, Where(("team/*/user",), (member,))]
        return self._store.rows(prefixes, where=where)

    def row_chunks(self, prefixes: Sequence[str] = (), *, where: Sequence[Where] = (),
                   size: int = 50_000) -> Iterator[list[tuple[str, str, str]]]:
        """:meth:`rows` in chunks of at most ``size``, read as they are used (a whole office's
        fields for the year's plan, never all in memory at once)."""
        member = self._member()
        if member is not None:
            where = [*where, Where(("team/*/user",), (member,))]
        return self._store.row_chunks(prefixes, where=where, size=size)

    def open(self, inspection_id: str) -> Record:
        """The inspection as it is now, for this person to read (and change, through
        :meth:`save`); :class:`AccessError` when they may not see it."""
        record = self._store.load(inspection_id)
        complete_doc(record.doc)  # the store leaves defaults out: the record reads whole
        if self.identity is not None and self.identity.hub:
            ins, _problems = parse_doc({"team": record.doc.get("team") or {},
                                        "id": inspection_id})
            self._visible(ins)
        return record

    def reload(self, record: Record) -> None:
        """Read ``record``'s inspection again into the same object."""
        self._store.reload(record)
        complete_doc(record.doc)

    def inspection(self, inspection_id: str) -> Inspection:
        """The stored inspection as a model object; a record the model cannot read raises
        :class:`ValidationError` with every problem."""
        record = self.open(inspection_id)
        return from_doc({**record.doc, "id": record.id}, what=f"inspection {inspection_id}")

    def document(self, inspection_id: str) -> dict[str, Any]:
        """The complete document of a stored inspection: every field, defaults filled in."""
        record = self.open(inspection_id)
        inspection, _problems = parse_doc({**record.doc, "id": record.id})
        return to_doc(inspection)

    def head_of(self, inspection_id: str) -> int:
        """The inspection's last audit entry: it moves with every change (for polling)."""
        return self._store.head_of(inspection_id)

    def audit(self, inspection_id: str, path: str | None = None) -> list[AuditEntry]:
        """The inspection's trail (of ``path``'s subtree only, if given), oldest first."""
        self._readable(inspection_id, deleted_ok=True)
        return self._store.audit(inspection_id, path)

    def keys_ever(self, inspection_id: str, base: str) -> set[str]:
        """Every id an entry under ``base`` ever had (new entries never take one again)."""
        self._readable(inspection_id)
        return self._store.keys_ever(inspection_id, base)

    def verify(self, inspection_id: str | None = None) -> list[Problem]:
        """Replay the trail of one inspection (or, for those who read everything, of all)."""
        if inspection_id is None:
            self._everything("核验全部检查记录", "verify every inspection")
        else:
            self._readable(inspection_id, deleted_ok=True)
        return self._store.verify(inspection_id)

    def evidence(self, inspection_id: str, sha256: str) -> tuple[str, bytes]:
        """The bytes of a piece of evidence of this inspection (its type and content): only
        what the record names, and only for who may read it."""
        record = self.open(inspection_id)
        named = {str(a.get(k)) for a in (record.doc.get("attachments") or {}).values()
                 if isinstance(a, dict) for k in ("sha256", "thumb_sha256")}
        if sha256 not in named:
            msg = (f"检查记录 {inspection_id} 中没有这份证据材料 / inspection {inspection_id} has "
                   f"no evidence {sha256[:16]}…")
            raise NotFoundError(msg)
        return self._store.blob(sha256)

    def notice_numbers(self) -> set[str]:
        """Every document number given to a notice in this store (numbers are never reused)."""
        return self._store.notice_numbers()

    def _readable(self, inspection_id: str, *, deleted_ok: bool = False) -> None:
        if self.identity is None or not self.identity.hub or self.identity.reads_everything:
            return
        try:
            self.open(inspection_id)
        except NotFoundError:
            if not deleted_ok:
                raise
            # a deleted inspection's trail: read by those who read everything only
            raise AccessError(f"{self.identity.user} 无权查看已删除的检查记录 {inspection_id} / "
                              f"may not read the deleted inspection {inspection_id}") from None

    def _everything(self, zh_what: str, en_what: str) -> None:
        who = self.identity
        if who is not None and not who.reads_everything:
            msg = (f"{who.user} 不是科室负责人或分析人员，不能{zh_what} / {who.user} is neither an "
                   f"office leader nor an analyst and may not {en_what}")
            raise AccessError(msg)

    # -- writes -----------------------------------------------------------------------------
    def create(self, inspection: Inspection, *, action: str = "create",
               evidence: Mapping[str, tuple[str, bytes]] | None = None) -> str:
        """Store a new inspection (checked whole, like any change) under its own id if
        unused, else a fresh one; return the id. ``evidence``: the bytes an imported record
        carries (by SHA-256, each checked against its hash), kept once the record is valid.
        On the office server a person creates only an inspection whose team they are on (an
        office leader: any, to staff it), and imports nothing."""
        user = self.user
        iid, doc = self._new_doc(inspection)
        if evidence:
            self.import_evidence(evidence)
        return self._store.create(doc, user=user, inspection_id=iid, action=action)

    def create_many(self, inspections: Sequence[Inspection], *, action: str = "create"
                    ) -> list[str]:
        """Store new inspections, each checked as :meth:`create` checks it, in one transaction
        (``kit demo``'s batches); an inspection whose id the store holds already is left out.
        The ids stored. Nothing is stored when one of them is refused."""
        user = self.user
        docs = [self._new_doc(inspection) for inspection in inspections]
        return self._store.create_many(docs, user=user, action=action)

    def _new_doc(self, inspection: Inspection) -> tuple[str, dict[str, Any]]:
        """A new inspection's id and document, once this person may start it and its codes
        are valid (raises)."""
        iid = inspection.id or new_inspection_id(inspection)
        inspection = replace(inspection, id=iid)
        who = self.identity
        if who is not None and who.hub and LEADERS not in who.groups and \
                who.user not in {m.user for m in inspection.team.values()}:
            msg = (f"{who.user} 只能新建自己所在检查组的检查记录 / {who.user} may only start an "
                   "inspection whose team they are on")
            raise AccessError(msg)
        doc = to_doc(inspection, lean=True)  # defaults left out: read back as they were
        problems = self._code_problems(flatten(doc).items(), known_in(doc))
        if problems:
            raise ValidationError(problems, f"inspection {iid}")
        return iid, doc

    def save(self, record: Record, changes: Mapping[str, Any], *, action: str = "update",
             model: Inspection | None = None) -> list[Applied]:
        """Check and save ``changes`` (path -> plain value, or :data:`DELETE`) to ``record``'s
        inspection in one transaction, or nothing; ``record`` then holds what was written.

        Refused, with nothing written: a value the model or the guide's codes refuse
        (:class:`ValidationError`, every problem with its path); a part this person may not
        change (:class:`AccessError`); a move past a gate with the rules' errors
        (:class:`GateError`); a field someone else changed since ``record`` read it
        (:class:`~kit.store.FieldConflictError`). ``model`` is ``record`` parsed, when the
        caller has it (saves a parse); it is used only while nobody else has written.
        """
        user = self.user
        problems = [p for path, value in changes.items() if value is not DELETE
                    for p in check_value(path, value)]
        problems += self._principal_problems(record.id, changes)
        if problems:
            raise ValidationError(problems, f"inspection {record.id}")
        if any(_ROUND_LEAF.fullmatch(p) for p in changes):
            # a concluded review about to be overwritten is kept as a round in the same write
            # (the guard checks it against the record as it is inside the transaction)
            base = model if model is not None else (
                parse_doc({**record.doc, "id": record.id})[0] if record.doc
                else self.inspection(record.id))
            changes = {**keep_rounds(base, changes), **changes}

        def guard(peek: Peek) -> None:
            if peek.head == record.head and model is not None:
                current, doc = model, None
            else:
                doc = record.doc if peek.head == record.head else peek.document()[0]
                current = parse_doc({**doc, "id": record.id})[0]
            self._check_write(current, changes)

        applied = self._store.save(record, changes, user=user, action=action, guard=guard)
        for path, value in changes.items():  # what was removed is gone (its defaults too)
            if value is DELETE:
                parent, _, last = path.rpartition("/")
                node = record.get(parent) if parent else record.doc
                if isinstance(node, dict):
                    node.pop(last, None)
        complete_doc(record.doc)  # as a fresh read gives it (the store keeps no default): a
        # group removed, an entry begun by one field or written whole, each with its defaults
        if self.checkpointer is not None and any(_MILESTONE.fullmatch(p) for p in changes):
            try:
                self.checkpointer(self, record.id)
            except Exception as exc:  # the change is saved; the next milestone signs it too
                log.warning("检查点未签 checkpoint not signed for %s: %s", record.id, exc)
        return applied

    def checkpoint(self, inspection_id: str, signer: Signer) -> int:
        """Sign the trail's head with ``signer`` as a checkpoint, once the trail replays
        (the signer signs what the store computes, never bytes it is handed); its seq.
        Only in the signing component's process, which alone holds a private key."""
        self._readable(inspection_id, deleted_ok=True)
        return self._store.checkpoint(inspection_id, signer, user=self.user)

    def write(self, inspection_id: str, changes: Mapping[str, Any], *,
              expected: Mapping[str, int], action: str = "update") -> list[Applied]:
        """:meth:`save` for a caller holding the versions it read, not a record (an import
        that read the record, checked a file against it, then writes what the file changed)."""
        record = Record(inspection_id, {}, dict(expected), "", "", head=-1)
        return self.save(record, changes, action=action)

    def _check_write(self, current: Inspection, changes: Mapping[str, Any]) -> None:
        """Access, codes, signatures and gates for ``changes`` to ``current`` (raises)."""
        who = self.identity
        if who is not None and who.hub:
            self._visible(current)
            for path, value in changes.items():
                why = refusal(current, who, path, None if value is DELETE else value)
                if why is not None:
                    raise AccessError(why)
        # what the codes may name and who has signed change only with these parts (a tap on
        # a result changes neither: the record as it is serves)
        reshaping = {p.split("/", 1)[0] for p in changes} & _RESHAPING
        after = _changed(current, changes) if reshaping else current
        problems = self._code_problems(_written(changes),
                                       _known(after, self.profile(after.profile)))
        if reshaping & {"signatures", "attachments"}:
            problems += _signature_problems(current, after)
        if any(p.split("/", 1)[0] in ("notices", "attachments") for p in changes):
            problems += _frozen_problems(current, after if reshaping else
                                         _changed(current, changes))
        if any(p.startswith("findings/") for p in changes):
            problems += round_problems(current, changes)
        if any(p.split("/", 1)[0] in ("findings", "attachments") for p in changes):
            problems += submission_problems(current, changes)
        if problems:
            raise ValidationError(problems, f"inspection {current.id}")
        stage = changes.get("stage")
        if isinstance(stage, str) and (f"{OVERRIDES}/{stage}" not in changes
                                       or stage not in GATED_STAGES):
            blocking = self.gate_problems(current, stage, after)
            if blocking:
                raise GateError(blocking, stage)

    def _principal_problems(self, inspection_id: str, changes: Mapping[str, Any]
                            ) -> list[Problem]:
        """A 延伸检查 names an inspection that is stored (and not itself) as its principal."""
        principal = changes.get(PRINCIPAL_PATH)
        if not isinstance(principal, str) or not principal:
            return []
        if principal == inspection_id:
            return [Problem("extended.self", "延伸检查不能关联自身",
                            "an extended inspection cannot extend itself", field=PRINCIPAL_PATH)]
        try:
            self._store.head_of(principal)
        except NotFoundError:
            return [Problem("extended.unknown_principal",
                            f"所延伸的检查记录 {principal!r} 不存在",
                            f"no inspection {principal!r} to extend", field=PRINCIPAL_PATH)]
        return []

    def extensions_of(self, inspection_id: str) -> list[str]:
        """The 延伸检查 (六、5) that name ``inspection_id`` as their principal and this person
        may read, by id: what the principal shows of its extensions."""
        found = self.rows([PRINCIPAL_PATH], where=[Where((PRINCIPAL_PATH,), (inspection_id,))])
        return sorted({iid for iid, _path, _value in found})

    def _code_problems(self, leaves: Iterable[tuple[str, Any]], known: Known) -> list[Problem]:
        return code_problems(leaves, known)

    def check_codes(self, current: Inspection, changes: Mapping[str, Any]) -> list[Problem]:
        """What the door would refuse in ``changes`` to ``current`` for the codes they name
        (nothing is written): to refuse before any other work is done."""
        after = _changed(current, changes)
        return self._code_problems(_written(changes), _known(after, self.profile(after.profile)))

    def gate_problems(self, current: Inspection, stage: str, after: Inspection | None = None
                      ) -> list[Problem]:
        """The rules' errors that block moving ``current`` to ``stage`` (as ``after``, with
        the rest of the write): none for a move back, or before the visit ends."""
        if stage not in (*GATED_STAGES, "on_site") or stage not in STAGE_ORDER or \
                STAGE_ORDER.index(stage) <= STAGE_ORDER.index(current.stage):
            return []
        from kit.rules import check, errors  # here: a command that moves no stage loads no rules

        target = after if after is not None else with_change(current, "stage", stage)
        found = errors(check(target, guide=load_guide(), profile=self.profile(target.profile),
                             calendar=self.calendar()))
        if stage == "on_site":
            return [p for p in found if p.code in ON_SITE_GATE]
        return found

    def profile(self, profile_id: str) -> Profile | None:
        """The office's profile of this id (None: it has none), read once per door."""
        if profile_id not in self._office:
            self._office[profile_id] = resolve_profile(profile_id)
        return self._office[profile_id]

    @for_anyone
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = load_calendar()
        return self._calendar

    def keep_evidence(self, inspection_id: str, data: bytes, mime: str) -> str:
        """Keep a file's bytes by their hash (before the record names them); only for who may
        change the inspection. Returns the SHA-256."""
        record = self.open(inspection_id)
        who = self.identity
        if who is not None and who.hub:
            current, _problems = parse_doc({**record.doc, "id": record.id})
            why = refusal(current, who, "attachments", None)
            if why is not None:
                raise AccessError(why)
        return self._store.put_blob(data, mime, user=self.user)

    def import_evidence(self, blobs: Mapping[str, tuple[str, bytes]]) -> None:
        """Keep the evidence an imported file carries (each already checked against its
        hash); for imports on one machine, by whoever administers the store."""
        who = self.identity
        if who is not None and who.hub:
            msg = "办公室服务器上不能导入文件 / files are not imported on the office server"
            raise AccessError(msg)
        for _digest, (mime, data) in blobs.items():
            self._store.put_blob(data, mime, user=self.user)

    def delete(self, inspection_id: str) -> None:
        """Mark an inspection deleted (kept, with its trail): its leader or an office leader."""
        self._may_delete(inspection_id)
        self._store.delete(inspection_id, user=self.user)

    def restore(self, inspection_id: str) -> None:
        """Undo :meth:`delete` (those who read everything, or one machine)."""
        self._everything("恢复检查记录", "restore an inspection")
        self._store.restore(inspection_id, user=self.user)

    def _may_delete(self, inspection_id: str) -> None:
        who = self.identity
        if who is None or not who.hub:
            return
        ins = self.inspection(inspection_id)
        why = refusal(ins, who, "team", None)
        if why is not None:
            raise AccessError(why)

    # -- the office's register of companies -------------------------------------------------
    def import_companies(self, companies: Sequence[RegisteredCompany]) -> list[CompanyChange]:
        """Add the register's companies, or update those kept (a company not listed stays as
        it was), in one transaction; each change is a trail entry with the row before and
        after, an unchanged company writes nothing. Office leaders on the office server,
        anyone on one machine; a credit code that fails its check is refused, nothing written.
        """
        check_register(companies, self.identity)
        # the register's file says what was licensed; the companies' sign-ins are the office's
        # own (kit companies account), kept as they are
        accounts = {k.doc["credit_code"]: k.doc.get("accounts") or []
                    for k in self._store.companies()}
        docs = [{**c.to_doc(), "accounts": sorted(set(c.accounts) | set(accounts.get(
            c.credit_code, ())))} for c in companies]
        after = {**accounts, **{d["credit_code"]: d["accounts"] for d in docs}}
        owners: dict[str, list[str]] = {}
        for code, users in after.items():
            for user in users:
                owners.setdefault(user, []).append(code)
        twice = [Problem("company.account_bound",
                         f"账号 {user} 将绑定 {'、'.join(codes)} 多家企业，一个账号只对应一家企业",
                         f"account {user} would be bound to {', '.join(codes)}: one account, "
                         "one company", field="accounts")
                 for user, codes in sorted(owners.items())
                 if len(codes) > 1 and any(user in d["accounts"] for d in docs)]
        if twice:
            raise ValidationError(twice, "企业账号 company account")
        return self._store.put_companies(docs, user=self.user)

    def companies(self) -> list[Registered]:
        """Every company of the register (everyone in the office may read it), by credit
        code."""
        return [Registered(RegisteredCompany.from_doc(k.doc), k.updated_at, k.updated_by)
                for k in self._store.companies()]

    def company_trail(self, credit_code: str | None = None) -> list[CompanyChange]:
        """Every change to the register (of one company, if given), oldest first."""
        return self._store.company_trail(credit_code)

    def company(self, credit_code: str) -> Registered:
        """One company of the register; :class:`NotFoundError` when it is not there."""
        kept = self._store.company(credit_code.strip().upper())
        if kept is None:
            msg = (f"统一社会信用代码 {credit_code} 的企业不在企业名录中（先用 kit companies import 导入）"
                   f" / no company {credit_code} in the register (import it first)")
            raise NotFoundError(msg)
        return Registered(RegisteredCompany.from_doc(kept.doc), kept.updated_at,
                          kept.updated_by)

    # -- the year's plan as saved (kit.door._plan) ------------------------------------------
    def save_plan(self, year: int, lines: Sequence[PlanLine]) -> PlanSaved:
        """Save the plan of ``year`` in one transaction: a line whose company remains keeps
        its id (``2027-014``), a new company's line takes the year's next number, a line the
        plan no longer holds is withdrawn, a done line is kept as it was; every change is a
        trail entry. Office leaders on the office server, anyone on one machine; a line of
        another year, or a company twice, is refused with nothing written."""
        why = plan_refusal(self.identity)
        if why is not None:
            raise AccessError(why)
        problems = line_problems(year, lines)
        if problems:
            raise ValidationError(problems, f"{year} 年度计划 plan")
        entries, kept = self._store.put_plan(year, [(ln.key, ln.to_doc()) for ln in lines],
                                             user=self.user)
        return PlanSaved.of(year, lines, entries, kept)

    def plan_lines(self, year: int | None = None) -> list[SavedLine]:
        """The saved lines of ``year`` (every year's, if None), by id (everyone in the office
        may read)."""
        return [SavedLine.of(k) for k in self._store.plan_lines(year)]

    def plan_line(self, line_id: str) -> SavedLine:
        """One saved line; :class:`NotFoundError` if there is none."""
        kept = self._store.plan_line(line_id)
        if kept is None:
            year = line_id.split("-", 1)[0]
            msg = (f"没有计划行 {line_id}（kit plan --year {year} --show 列出已保存的计划行） / no "
                   f"plan line {line_id} (kit plan --year {year} --show lists the saved lines)")
            raise NotFoundError(msg)
        return SavedLine.of(kept)

    def plan_trail(self, *, year: int | None = None, line: str | None = None
                   ) -> list[PlanChange]:
        """Every change to the saved plans (of one year, or one line), oldest first."""
        return self._store.plan_trail(year=year, line=line)

    def new_from_line(self, line_id: str, *, start: date | None = None) -> LineMade:
        """Make the inspection a plan line plans, and record it on the line (one transaction):
        the company as the register has it, 监督检查 on 七、1-13 (and 七、14 where it contracts
        manufacturing), starting on ``start`` (default: the first working day of the line's
        month), the proposed team, leader first. Refused with nothing written: an unknown
        line, one done (by whom, which inspection) or withdrawn, a company not in the
        register; two people at once: one inspection, the other told which."""
        saved = self.plan_line(line_id)
        _refuse_line(saved)
        line = saved.line
        if not line.credit_code:
            msg = (f"计划行 {line_id} 的企业“{line.company}”没有统一社会信用代码，不在企业名录中 / "
                   f"the company of line {line_id} has no credit code: not in the register")
            raise NotFoundError(msg)
        company = self.company(line.credit_code).company
        estimated = False
        if start is None:
            start, estimated = first_workday(line.year, line.month, self.calendar())
        purpose = f"{line.year}年度监督检查计划 {line_id}：{line.kind}".rstrip("：")
        iid, doc = self._new_doc(inspection_for(company, start=start, members=line.members,
                                                purpose=purpose))
        made, entry = self._store.create_for_line(
            line_id, doc, user=self.user, inspection_id=iid,
            guard=lambda kept: _refuse_line(SavedLine.of(kept)))
        return LineMade(made, self.plan_line(line_id), start, estimated, entry)

    def new_for_company(self, credit_code: str, *, type: InspectionType = "supervisory",
                        start: date | None = None, members: Sequence[str] = ()) -> str:
        """Make an inspection of a company of the register outside the plan (ad hoc): its
        company part from the register, ``type`` on 七、1-13 (and 七、14 where it contracts
        manufacturing), ``members`` by name, leader first; its id."""
        company = self.company(credit_code).company
        return self.create(inspection_for(company, type=type, start=start, members=members))

    # -- reminders of rectification deadlines (kit remind; kit.door._reminders) -------------
    def deadlines(self, low: date | None = None, high: date | None = None
                  ) -> list[tuple[str, str, str]]:
        """``(inspection id, path, value JSON)`` of every finding's deadline, new deadlines
        granted, state, and each inspection's stage, of the inspections this person may read
        (:data:`~kit.door.DEADLINE_PATHS`): what a reminder run reads, in one query. With
        ``low`` or ``high``: only of the inspections with a deadline or a new one in that
        range (inclusive)."""
        where = [] if low is None and high is None else [Where(
            DEADLINES, low=low.isoformat() if low else None,
            high=high.isoformat() if high else None)]
        return [row for row in self.rows(DEADLINE_PATHS, where=where)
                if _DEADLINE_LEAF.fullmatch(row[1])]

    def remind_once(self, inspection_id: str, finding: str, deadline: date, kind: str, *,
                    sent_on: date, recipients: Sequence[str], send: Callable[[], None]) -> bool:
        """Send a reminder with ``send`` and record it, in one transaction, unless this
        finding's reminder of this kind for this deadline was recorded before (False, nothing
        sent, also when another run sent it a moment ago). ``send`` raising records nothing
        (the next run tries again). Office leaders and analysts on the office server."""
        why = reminder_refusal(self.identity)
        if why is not None:
            raise AccessError(why)
        if kind not in REMINDER_KINDS:
            msg = f"提醒种类应为 before 或 after，而不是 {kind!r} / a reminder is before or after"
            raise ValueError(msg)
        return self._store.remind_once(
            (inspection_id, finding, deadline.isoformat(), kind), sent_on=sent_on.isoformat(),
            recipients=recipients, user=self.user, send=send)

    def reminders(self, inspection_id: str | None = None) -> list[KeptReminder]:
        """The reminders sent (of one inspection, if given), oldest first: of every
        inspection for those who read everything, else of one they may read."""
        if inspection_id is None:
            self._everything("查看全部提醒记录", "read every reminder sent")
        else:
            self._readable(inspection_id, deleted_ok=True)
        return self._store.reminders(inspection_id)

    # -- a class's answers (training) -------------------------------------------------------
    def keep_answer(self, exercise: str, record: Mapping[str, Any]) -> bool:
        """Keep this person's first answer to one exercise; False if they had answered."""
        return self._store.add_answer(exercise, record, user=self.user)

    def answers(self, user: str | None = None) -> list[dict[str, Any]]:
        """This person's kept answers (``user`` None or themselves); everyone's (``user``
        None) only for trainers and office leaders, and anyone on one machine."""
        who = self.identity
        mine = who is not None and user == who.user
        if who is not None and who.hub and not mine and not {TRAINERS, LEADERS} & who.groups:
            msg = (f"{who.user} 不是培训人员，不能查看他人的作答 / {who.user} is not a trainer and "
                   "may not read others' answers")
            raise AccessError(msg)
        return self._store.answers(user)

    def readable_by(self) -> str:
        """What this person reads, in words (for the analysts' page)."""
        who = self.identity
        if who is None or not who.hub:
            return "本机全部检查记录 / every inspection on this machine"
        if who.reads_everything:
            return "全部检查记录 / every inspection"
        return "本人所在检查组的检查记录 / the inspections of your teams"

    def may_read_inspection(self, ins: Inspection) -> bool:
        return self.identity is None or may_read(ins, self.identity)

    def require_reader(self) -> None:
        """Refuse, telling why, a person on the office server who reads no inspection at all
        (neither an analyst or office leader nor on any team)."""
        who = self.identity
        if who is None or who.reads_everything:
            return
        if not self._store.find("", member=who.user, limit=1):
            msg = (f"{who.user} 不在任何检查组，也不是科室负责人或分析人员，没有可查看的检查记录；"
                   "请联系科室负责人 / you are on no team and neither an office leader nor an "
                   "analyst ({ANALYSTS}): there is nothing you may read; ask an office leader")
            raise AccessError(msg.replace("{ANALYSTS}", ANALYSTS))

    # -- listing (last: its name hides the builtin in the class body) ---------------------
    def list(self, summary_paths: Sequence[str] = SUMMARY_PATHS, *,
             include_deleted: bool = False) -> list[dict[str, Any]]:
        """Every inspection this person may read, most recently changed first (summaries)."""
        return [*self.listing(summary_paths, include_deleted=include_deleted)]

    def listing(self, summary_paths: Sequence[str] = SUMMARY_PATHS, *,
                include_deleted: bool = False) -> Iterator[dict[str, Any]]:
        """:meth:`list`, streamed: each summary as it is read (``kit list`` prints the first
        before the last is read), the access filter inside the same query."""
        return self._store.listing(summary_paths, include_deleted=include_deleted,
                                   member=self._member())


def _refuse_line(saved: SavedLine) -> None:
    """Refuse (raise) making an inspection from a line already done or withdrawn."""
    if saved.inspection_id is not None:
        msg = (f"计划行 {saved.id} 已由 {saved.updated_by} 于 {saved.updated_at[:16].replace('T', ' ')}"
               f"（UTC）建立检查记录 {saved.inspection_id}，未再新建 / plan line {saved.id} is "
               f"already done: inspection {saved.inspection_id}, by {saved.updated_by}; nothing "
               "was made")
        raise ConflictError(msg)
    if saved.withdrawn:
        msg = (f"计划行 {saved.id} 已撤销（重新制定的计划已不含该企业）；如仍需检查，请用 kit new "
               f"--company 统一社会信用代码 / plan line {saved.id} is withdrawn (the plan no longer "
               "holds it); for an inspection all the same use kit new --company CODE")
        raise ConflictError(msg)


#: the leaves :meth:`Door.deadlines` gives (a ``*`` of its patterns may span a ``/``)
_DEADLINE_LEAF = re.compile(r"stage|findings/[^/]+/(deadline|state|extensions/[^/]+/new_deadline)")

#: a finding's field that holds its review round under way (a write there may need the round kept)
_ROUND_LEAF = re.compile(r"findings/[^/]+/(state|reviewed_on)")

#: what an issued notice keeps as it was issued (its service: once recorded)
_FROZEN: Final = ("number", "issued_on", "pdf", "issued_text")


def _frozen_problems(current: Inspection, after: Inspection) -> list[Problem]:
    """An issued notice (its PDF kept) is evidence: its number, date, PDF and text never
    change, its service once recorded neither, and the attachments they name stay."""
    problems: list[Problem] = []
    for kind, notice in current.notices.items():
        if not notice.pdf:
            continue
        now = after.notices.get(kind)
        changed = [f for f in _FROZEN if now is None or getattr(now, f) != getattr(notice, f)]
        if notice.service and (now is None or now.service != notice.service):
            changed.append("service")
        problems += [Problem(
            "notices.issued_frozen",
            f"文书 {notice.number} 已出具并存证，不能修改或删除 notices/{kind}/{f}",
            f"notice {notice.number} is issued and kept as evidence: notices/{kind}/{f} "
            "cannot be changed or removed", field=f"notices/{kind}/{f}") for f in changed]
        for key in (notice.pdf, notice.service):
            if key and key in current.attachments and \
                    after.attachments.get(key) != current.attachments[key]:
                problems.append(Problem(
                    "notices.issued_frozen",
                    f"附件 {key} 是已出具文书 {notice.number} 的存证，不能修改或删除",
                    f"attachment {key} is the issued notice {notice.number}'s evidence: it "
                    "cannot be changed or removed", field=f"attachments/{key}"))
    return problems


def _changed(current: Inspection, changes: Mapping[str, Any]) -> Inspection:
    """``current`` with ``changes`` made (each value already checked by the model)."""
    after = current
    for path, value in changes.items():
        after = with_change(after, path, None if value is DELETE else value,
                            delete=value is DELETE)
    return after


def _written(changes: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The leaves ``changes`` write (a dict value gives its leaves; removals none)."""
    out: list[tuple[str, Any]] = []
    for path, value in changes.items():
        if value is DELETE:
            continue
        if isinstance(value, dict) and value:
            out += flatten(value, path).items()
        else:
            out.append((path, value))
    return out


def _known(ins: Inspection, profile: Profile | None) -> Known:
    return Known(
        items=frozenset(i.id for i in profile.extra_items) if profile is not None else frozenset(),
        members=frozenset(ins.team), products=frozenset(ins.company.products),
        findings=frozenset(ins.findings))


def _signature_problems(before: Inspection, after: Inspection) -> list[Problem]:
    """A person is recorded as signed only with their signature kept (drawn on the screen, or
    a scan of the paper they signed): nobody ticks someone as signed without one. Only what a
    write adds is checked: a signature recorded before stays as it was."""
    kept = {a.target for a in after.attachments.values()}
    was, sig = before.signatures, after.signatures
    missing: list[tuple[str, str]] = [
        (f"{after.team[k].name if k in after.team else k}", "signatures/inspector_signers")
        for k in sig.inspector_signers
        if k not in was.inspector_signers and f"signatures/{k}" not in kept]
    if sig.company_signer.strip() and sig.company_signer != was.company_signer and \
            "signatures/company" not in kept:
        missing.append((sig.company_signer, "signatures/company_signer"))
    if sig.witness_signed and not was.witness_signed and "signatures/witness" not in kept:
        missing.append((sig.witness_name or "见证人", "signatures/witness_signed"))
    return [Problem("signatures.not_drawn",
                    f"{name} 尚未签名：须先在签字板上签名（或附上签字页的扫描件），不能代为勾选",
                    f"{name} has not signed: their signature is drawn on the pad (or a scan of "
                    "the signed page attached) first; nobody ticks it for them", field=path)
            for name, path in missing]
