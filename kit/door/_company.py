"""The company's way in (六、9; 十、1): a company person sees their own company's served notices
and findings to rectify, and submits each rectification; nothing else passes.

A company person signs in to the office server in the Hub's group ``companies``; the office
binds each such account to one credit code of its register (``kit companies account add``). The
door then gives that person only what :mod:`kit.rectify` shows of the inspections of that
company on which a notice was served, the frozen PDFs of those notices, the files they
submitted themselves, and one write: a new submission (S1, S2…), frozen once made. Every other
method of the door refuses them before it does anything: only the methods marked
:func:`~kit.door._access.for_companies` here let them in (:class:`~kit.door._access.OfficeOnly`).

An inspector of the team records a submission that came by mail the same way (channel
``mail``), and the workbook's 整改跟踪 sheet returned brings one (``workbook``).

>>> from datetime import date
>>> from kit.door import COMPANIES, Door, Identity
>>> from kit.record import Finding, Notice, new_inspection, Company
>>> from dataclasses import replace
>>> door = Door.connect("sqlite://", identity=Identity("张明"))
>>> code = "91110000100000000R"
>>> from kit.register import RegisteredCompany
>>> _ = door.import_companies([RegisteredCompany(code, "甲公司", "海淀区", False)])
>>> _ = door.bind_account(code, "jia")
>>> ins = replace(new_inspection(), company=Company(name="甲公司", credit_code=code),
...     findings={"F1": Finding(item="7.8.c1", requirement="补全", deadline=date(2026, 3, 20))},
...     notices={"rectification": Notice(number="N1", served_on=date(2026, 3, 2))})
>>> iid = door.create(ins)
>>> jia = door.as_(Identity("jia", frozenset({COMPANIES}), hub=True))
>>> [f.key for f in jia.company_view(today=date(2026, 3, 9)).inspections[0].findings]
['F1']
>>> jia.submit_rectification(iid, "F1", "已补全记录", [])
'S1'
>>> jia.inspection(iid)
Traceback (most recent call last):
...
kit.door._access.AccessError: jia 是企业账号，只能查看本企业的整改事项 / jia is a company's account: ...
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from kit.dates import beijing_now, beijing_today
from kit.door._access import AccessError, OfficeOnly, for_anyone, for_companies, is_company
from kit.door._register import register_refusal
from kit.door._rounds import keep_rounds
from kit.errors import KitError, NotFoundError, Problem, ValidationError
from kit.evidence import prepare
from kit.labels import NOTICE_KINDS, zh
from kit.record import Inspection, next_key, parse_doc
from kit.rectify import CompanyView, company_inspection, served, submit_refusal
from kit.register import RegisteredCompany
from kit.store import Record, Where

if TYPE_CHECKING:
    from kit.store import CompanyChange, Store
    from kit.workdays import WorkCalendar

__all__ = ["MAX_FILES", "MAX_REPORT", "AccountIndex", "CompanyDoor", "submission_problems"]

#: at most this many files in one submission, and this many characters of report
MAX_FILES: Final = 20
MAX_REPORT: Final = 20_000
_CODE_PATH: Final = "company/credit_code"
_NOT_YOURS: Final = ("不是本企业的检查记录，或不存在 / not an inspection of your company, or no such "
                     "inspection")


def submission_problems(current: Inspection, changes: Mapping[str, Any]) -> list[Problem]:
    """A submission made is never changed or removed, nor the files it names, nor the finding
    that holds it (a later submission is a new round)."""
    out: list[Problem] = []
    for key, f in current.findings.items():
        base = f"findings/{key}"
        if f.submissions and (changes.get(base) is not None or changes.get("findings")
                              is not None) and (base in changes or "findings" in changes):
            out.append(Problem("rectification.submission_frozen",
                               f"问题 {key} 已有企业提交的整改资料，不能整体删除或替换",
                               f"finding {key} holds the company's submissions: it cannot be "
                               "removed or replaced", field=base))
            continue
        for s_key, sub in f.submissions.items():
            where = f"{base}/submissions/{s_key}"
            hit = [p for p in changes if p in (where, f"{base}/submissions")
                   or p.startswith(where + "/")]
            hit += [f"attachments/{a}" for a in sub.files
                    if f"attachments/{a}" in changes or any(
                        p.startswith(f"attachments/{a}/") for p in changes)]
            if hit:
                out.append(Problem("rectification.submission_frozen",
                                   f"问题 {key} 的整改资料 {s_key} 已提交，不能修改或删除（再次提交为新的一轮）",
                                   f"submission {s_key} of finding {key} is made: it cannot be "
                                   "changed or removed (a later submission is a new round)",
                                   field=hit[0]))
    return out


class AccountIndex:
    """Which company each company account is bound to, kept in this process (shared by the
    doors of one store, :meth:`kit.door.Door.as_`) and checked by key on every use: the
    company it names is read by its credit code and must still list the account, else the
    index is rebuilt from the register. A binding removed or moved by another process is
    seen on the next request; the register is read whole only when an account is not (or
    no longer) where the index says, never on every request of the portal.

    >>> from kit.door import Door, Identity
    >>> door = Door.connect("sqlite://", identity=Identity("张明"))
    >>> _ = door.import_companies([RegisteredCompany("91110000100000000R", "甲", "海淀区", False)])
    >>> _ = door.bind_account("91110000100000000R", "jia")
    >>> index = AccountIndex()
    >>> index.company_of(door._store, "jia").name, index.company_of(door._store, "nobody")
    ('甲', None)
    """

    def __init__(self) -> None:
        self._code: dict[str, str] = {}  # account -> credit code (accounts bound to one only)

    def company_of(self, store: Store, user: str) -> RegisteredCompany | None:
        """The company ``user`` is bound to, or None (bound to none, or to more than one)."""
        code = self._code.get(user)
        if code is not None:
            kept = store.company(code)
            if kept is not None and user in (kept.doc.get("accounts") or ()):
                return RegisteredCompany.from_doc(kept.doc)
        bound: dict[str, list[dict[str, Any]]] = {}
        for k in store.companies():
            for account in k.doc.get("accounts") or ():
                bound.setdefault(str(account), []).append(k.doc)
        self._code = {a: str(docs[0]["credit_code"]) for a, docs in bound.items()
                      if len(docs) == 1}  # replaced whole: a thread reads the old or the new
        found = bound.get(user, [])
        return RegisteredCompany.from_doc(found[0]) if len(found) == 1 else None


def _not_open(why: str, finding: str, inspection_id: str) -> ValidationError:
    zh, _, en = why.partition(" / ")
    return ValidationError([Problem("rectification.not_open", zh, en,
                                    field=f"findings/{finding}/submissions")],
                           f"inspection {inspection_id}")


class CompanyDoor(OfficeOnly):
    """The company's part of :class:`kit.door.Door` (mixed into it): the methods marked
    :func:`~kit.door._access.for_companies` are the only ones of the door a company's person
    passes; each gives them their own company's part only."""

    _store: Store
    _bindings: AccountIndex

    # provided by Door
    @property
    @for_anyone
    def user(self) -> str:
        raise NotImplementedError

    @for_anyone
    def calendar(self) -> WorkCalendar:
        raise NotImplementedError

    def _check_write(self, current: Inspection, changes: Mapping[str, Any]) -> None:
        raise NotImplementedError

    # -- accounts ----------------------------------------------------------------------------
    def bind_account(self, credit_code: str, user: str) -> list[CompanyChange]:
        """Bind the Hub account ``user`` (of the group ``companies``) to the register's company
        ``credit_code``: office leaders on the office server, anyone on one machine. An account
        is bound to one company only."""
        return self._accounts(credit_code, user, add=True)

    def unbind_account(self, credit_code: str, user: str) -> list[CompanyChange]:
        """Undo :meth:`bind_account`."""
        return self._accounts(credit_code, user, add=False)

    def _accounts(self, credit_code: str, user: str, *, add: bool) -> list[CompanyChange]:
        why = register_refusal(self.identity)
        if why is not None:
            raise AccessError(why)
        user = user.strip()
        if not user or any(c.isspace() or c in "/,;" for c in user):
            raise ValidationError([Problem("company.account", f"账号名“{user}”无效",
                                           f"invalid account name {user!r}", field="account")],
                                  "企业账号 company account")
        code = credit_code.strip().upper()
        kept = {k.doc["credit_code"]: k for k in self._store.companies()}
        if code not in kept:
            msg = (f"统一社会信用代码 {code} 的企业不在企业名录中（先用 kit companies import 导入）"
                   f" / no company {code} in the register (import it first)")
            raise NotFoundError(msg)
        company = RegisteredCompany.from_doc(kept[code].doc)
        elsewhere = [c for c, k in kept.items()
                     if c != code and user in (k.doc.get("accounts") or ())]
        if add and elsewhere:
            raise ValidationError([Problem(
                "company.account_bound", f"账号 {user} 已绑定企业 {elsewhere[0]}，一个账号只对应一家企业",
                f"account {user} is bound to {elsewhere[0]}: one account, one company",
                field="account")], "企业账号 company account")
        accounts = set(company.accounts)
        accounts = accounts | {user} if add else accounts - {user}
        if accounts == set(company.accounts):
            return []
        doc = {**company.to_doc(), "accounts": sorted(accounts)}
        return self._store.put_companies([doc], user=self.user,
                                         action="account" if add else "unaccount")

    @for_companies
    def account_company(self, user: str | None = None) -> RegisteredCompany:
        """The company a company person's account is bound to (AccessError when none, or when
        an office's mistake bound it to two: a company person never sees more than one). A
        company's person asks of their own account only."""
        if user and user != self.user and self.identity is not None and is_company(self.identity):
            msg = (f"企业账号只能查询本账号所属的企业，不能查询 {user} / a company's account asks "
                   "of its own company only")
            raise AccessError(msg)
        user = user or self.user
        found = self._bindings.company_of(self._store, user)
        if found is None:
            msg = (f"账号 {user} 未绑定企业（或绑定了多家），请联系监管部门 / account {user} is "
                   "bound to no company (or to more than one): ask the office")
            raise AccessError(msg)
        return found

    def _company_code(self, credit_code: str | None) -> str:
        """The credit code this person may see as a company: their own (a company person), any
        (one machine, office leaders and analysts)."""
        who = self.identity
        if who is not None and is_company(who):
            own = self.account_company().credit_code
            if credit_code is not None and credit_code.strip().upper() != own:
                raise AccessError(_NOT_YOURS)
            return own
        if who is not None and who.hub and not who.reads_everything:
            msg = (f"{who.user} 不能查看企业的整改页面 / {who.user} may not read a company's page")
            raise AccessError(msg)
        if not credit_code:
            msg = "请给出企业的统一社会信用代码 / give the company's credit code"
            raise KitError(msg)
        return credit_code.strip().upper()

    # -- what the company sees -----------------------------------------------------------------
    def _company_inspection(self, inspection_id: str, code: str) -> tuple[Record, Inspection]:
        """The inspection, when it is the company's and a notice was served on it."""
        try:
            record = self._store.load(inspection_id)
        except NotFoundError:
            raise AccessError(_NOT_YOURS) from None
        ins, _problems = parse_doc({**record.doc, "id": record.id})
        if ins.company.credit_code.strip().upper() != code or not served(ins):
            raise AccessError(_NOT_YOURS)
        return record, ins

    @for_companies
    def company_view(self, credit_code: str | None = None, *, today: date | None = None
                     ) -> CompanyView:
        """What the company sees: each of its inspections with a notice served on it, with
        the notices, the findings it rectifies, the reviews' outcomes and its submissions."""
        code = self._company_code(credit_code)
        kept = self._store.company(code)  # None: not in the register (an imported record)
        name = RegisteredCompany.from_doc(kept.doc).name if kept is not None else ""
        ids = sorted({iid for iid, _p, _v in self._store.rows(
            [_CODE_PATH], where=[Where((_CODE_PATH,), (code,))])}, reverse=True)
        day = today or beijing_today()
        seen = []
        for iid in ids:
            try:
                _record, ins = self._company_inspection(iid, code)
            except AccessError:
                continue
            seen.append(company_inspection(ins, self.calendar(), day))
            name = name or ins.company.name
        return CompanyView(name, code, tuple(seen))

    @for_companies
    def company_notice(self, inspection_id: str, kind: str,
                       credit_code: str | None = None) -> bytes:
        """The frozen PDF of a notice served on the company, as it was issued."""
        code = self._company_code(credit_code)
        _record, ins = self._company_inspection(inspection_id, code)
        notice = ins.notices.get(kind)
        attached = ins.attachments.get(notice.pdf) if notice is not None else None
        if notice is None or notice.served_on is None or attached is None:
            msg = (f"{zh(NOTICE_KINDS, kind)}尚未送达，或没有存证的 PDF / the {kind} notice was not "
                   "served, or has no kept PDF")
            raise AccessError(msg)
        return self._store.blob(attached.sha256)[1]

    @for_companies
    def company_file(self, inspection_id: str, sha256: str,
                     credit_code: str | None = None) -> tuple[str, bytes]:
        """A file the company submitted on this inspection (its type and bytes)."""
        code = self._company_code(credit_code)
        _record, ins = self._company_inspection(inspection_id, code)
        theirs = {ins.attachments[a].sha256 for f in ins.findings.values()
                  for s in f.submissions.values() for a in s.files if a in ins.attachments}
        if sha256 not in theirs:
            msg = "没有这份提交的文件 / no such submitted file"
            raise AccessError(msg)
        return self._store.blob(sha256)

    # -- submitting ----------------------------------------------------------------------------
    @for_companies
    def submit_rectification(self, inspection_id: str, finding: str, report: str,
                             files: Sequence[tuple[str, bytes]], *,
                             channel: str | None = None, credit_code: str | None = None) -> str:
        """Submit the company's rectification of ``finding`` (its report and files) as a new
        round, frozen once made; the finding goes to 已提交. A company person submits for
        their own company (channel ``portal``); an inspector of the team records one that
        came by mail (``mail``) or in the workbook (``workbook``). The key (S1, S2…)."""
        who = self.identity
        company = who is not None and is_company(who)
        code = self._company_code(credit_code) if company else ""
        if company:
            record, ins = self._company_inspection(inspection_id, code)
            channel = "portal"
        else:
            record = self._store.load(inspection_id)
            ins, _problems = parse_doc({**record.doc, "id": record.id})
            channel = channel or "mail"
            if channel not in ("mail", "workbook"):
                msg = f"提交方式 {channel!r} 无效（mail 或 workbook） / channel must be mail or workbook"
                raise KitError(msg)
        why = submit_refusal(ins, finding)
        if why:
            if finding not in ins.findings and company:
                raise AccessError(why)
            raise _not_open(why, finding, inspection_id)
        changes = self._submission(ins, record, finding, report.strip(), files,
                                   channel)  # files kept by hash first
        s_key = next(p.rsplit("/", 1)[-1] for p in changes if "/submissions/" in p)
        changes = {**keep_rounds(ins, changes), **changes}

        def guard(peek: Any) -> None:
            doc = peek.document()[0] if peek.head != record.head else record.doc
            current, _p = parse_doc({**doc, "id": inspection_id})
            again = submit_refusal(current, finding)
            if again:
                raise _not_open(again, finding, inspection_id)
            if company:
                if current.company.credit_code.strip().upper() != code:
                    raise AccessError(_NOT_YOURS)
                problems = submission_problems(current, changes)
                if problems:
                    raise ValidationError(problems, f"inspection {inspection_id}")
            else:
                self._check_write(current, changes)

        self._store.save(record, changes, user=self.user, action="submit", guard=guard)
        return s_key

    def _submission(self, ins: Inspection, record: Record, finding: str, report: str,
                    files: Sequence[tuple[str, bytes]], channel: str) -> dict[str, Any]:
        where = f"findings/{finding}/submissions"
        problems = []
        if not report and not files:
            problems.append(Problem("rectification.empty", "请填写整改报告或附上整改材料",
                                    "write the rectification report or attach its files",
                                    field=f"{where}/report"))
        if len(report) > MAX_REPORT:
            problems.append(Problem("rectification.too_long",
                                    f"整改报告超过 {MAX_REPORT} 字，请精简或作为 PDF 附上",
                                    f"the report is over {MAX_REPORT} characters: attach it as "
                                    "a PDF", field=f"{where}/report"))
        if len(files) > MAX_FILES:
            problems.append(Problem("rectification.too_many_files",
                                    f"一次最多提交 {MAX_FILES} 个文件", f"at most {MAX_FILES} files "
                                    "at a time", field=f"{where}/files"))
        if problems:
            raise ValidationError(problems, f"inspection {ins.id}")
        ready = [(name, prepare(name, data)) for name, data in files]  # each named if refused
        user, at = self.user, beijing_now().isoformat()
        f = ins.findings[finding]
        s_key = next_key(set(f.submissions) | self._store.keys_ever(ins.id, where), "S")
        taken = set(ins.attachments) | self._store.keys_ever(ins.id, "attachments")
        changes: dict[str, Any] = {}
        keys = []
        for name, prepared in ready:
            digest = self._store.put_blob(prepared.data, prepared.mime, user=user)
            thumb = (self._store.put_blob(prepared.thumb, prepared.thumb_mime, user=user)
                     if prepared.thumb is not None else "")
            a_key = next_key(taken, "A")
            taken.add(a_key)
            keys.append(a_key)
            changes[f"attachments/{a_key}"] = {
                "kind": prepared.kind, "target": f"{where}/{s_key}", "name": name,
                "mime": prepared.mime, "size": len(prepared.data), "sha256": digest,
                "thumb_sha256": thumb, "by": user, "at": at, "note": "整改资料 rectification",
                "signer": ""}
        changes[f"{where}/{s_key}"] = {"at": at, "by": user, "channel": channel,
                                       "report": report, "files": keys}
        changes[f"findings/{finding}/state"] = "submitted"
        changes[f"findings/{finding}/submitted_on"] = beijing_today().isoformat()
        changes[f"findings/{finding}/evidence"] = s_key
        return changes

