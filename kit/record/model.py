"""The inspection record: everything the guide asks an inspector to prepare, do, find and decide.

Plain frozen dataclasses, no widgets. The persisted truth is the record's plain-data form
(:func:`kit.record.to_doc`), a JSON document whose collections are dicts keyed by stable ids, so that the
store can save each field on its own row and two tabs editing different entries never collide.
:func:`kit.record.from_doc` parses that form back and reports every problem with its path.

Codes, not words, are stored: roles, inspection types, means, handling kinds and follow-up
measures are the codes of the guide's vocabularies (``kit guide --json`` lists them); results
are the four codes of :data:`kit.labels.RESULTS`, whose words (like every code's) live in
:mod:`kit.labels`.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from kit.guide import load_guide
from kit.record.terms import STAGE_ORDER, InspectionType, Stage

__all__ = [
    "FORMAT_VERSION",
    "ID_PATTERN",
    "NOTICE_KINDS",
    "PRINCIPAL_PATH",
    "STAGE_ORDER",
    "SUMMARY_LISTS",
    "SUMMARY_PATHS",
    "Adjustment",
    "Attachment",
    "AttachmentKind",
    "Background",
    "CertificateKind",
    "Company",
    "Cooperation",
    "CrossRegion",
    "DeviceClass",
    "Extension",
    "Finding",
    "FindingState",
    "FollowUp",
    "GateOverride",
    "Inability",
    "Inspection",
    "InspectionType",
    "ItemResult",
    "Licence",
    "LicenceKind",
    "Member",
    "MemberRole",
    "Notice",
    "NoticeKind",
    "Notification",
    "Opinion",
    "Partner",
    "PartnerRegion",
    "PartnerRelation",
    "PastFinding",
    "PastFindingState",
    "PastProducts",
    "Plan",
    "PlanState",
    "Product",
    "ResultCode",
    "Review",
    "ReviewMode",
    "ReviewResult",
    "Role",
    "Sampling",
    "Scope",
    "Signatures",
    "Stage",
    "Step",
    "Submission",
    "SubmissionChannel",
    "handling_counts",
    "natural_key",
    "new_inspection",
    "next_key",
]

FORMAT_VERSION = 1
#: An inspection id: letters, digits, '.', '_' or '-', at most 64 (empty before it is stored).
ID_PATTERN = r"^([A-Za-z0-9][A-Za-z0-9._-]{0,63})?$"

#: the inspected party (一); a supplier or service provider only in a 延伸检查 (六、5)
Role = Literal["registrant", "filer", "contract_manufacturer", "supplier", "service_provider"]
Cooperation = Literal["none", "joint", "delegated"]
MemberRole = Literal["leader", "inspector", "expert"]
PlanState = Literal["draft", "submitted", "approved"]
ResultCode = Literal["unchecked", "conform", "nonconform", "not_applicable"]
LicenceKind = Literal[
    "business_licence",
    "production_licence",
    "class1_production_filing",
    "contract_production_filing",
]
CertificateKind = Literal["registration", "filing"]
DeviceClass = Literal["I", "II", "III"]
PartnerRelation = Literal["contract_manufacturer", "client"]
PartnerRegion = Literal["same_district", "same_city", "other_province"]
PastFindingState = Literal["open", "rectifying", "closed"]
ReviewMode = Literal["", "written", "on_site"]
#: where a finding's rectification stands (六、9, 十、3); overdue is worked out, not stored
FindingState = Literal["open", "submitted", "passed", "failed"]
#: what a review of a rectification concluded (a round of 六、9 / 十、3（1）)
ReviewResult = Literal["passed", "failed"]
#: what a piece of evidence is: a photo, another file, a signature drawn on the screen
AttachmentKind = Literal["photo", "file", "signature"]
SubmissionChannel = Literal["portal", "mail", "workbook"]
#: the written notices an inspection serves on the company (六、7 书面告知; 六、9 整改要求及时限)
#: and the suspension notice of 十、1 (暂停生产通知书)
NoticeKind = Literal["result", "rectification", "suspension"]
NOTICE_KINDS: tuple[NoticeKind, ...] = typing.get_args(NoticeKind)

#: Fields that identify an inspection in lists (``kit list``, the app's chooser).
SUMMARY_PATHS = ("company/name", "scope/type", "scope/start_date", "stage")
#: The field that links a 延伸检查 to its principal inspection (六、5): the door finds the
#: extended inspections of a principal by it.
PRINCIPAL_PATH = "scope/principal"
#: Lists kept beside them: name -> (collection, field) gathered over the collection's entries
#: (``team_users``: who may open the inspection on the office server).
SUMMARY_LISTS = {"team_users": ("team", "user")}

@dataclass(frozen=True)
class Licence:
    """A licence or filing certificate the company holds (营业执照, 生产许可证, 备案凭证)."""

    kind: LicenceKind = "business_licence"
    number: str = ""
    holder: str = ""
    address: str = ""
    production_address: str = ""
    scope: tuple[str, ...] = ()
    issued: date | None = None
    expires: date | None = None


@dataclass(frozen=True)
class Product:
    """A product with its 注册证 or 备案凭证, and whether this inspection covers it."""

    name: str = ""
    certificate: CertificateKind = "registration"
    registration_no: str = ""
    device_class: DeviceClass = "II"
    category_code: str = ""
    sterile: bool = False
    holder: str = ""
    production_address: str = ""
    manufacturer: str = ""
    expires: date | None = None
    in_scope: bool = True
    scope_reason: str = ""


@dataclass(frozen=True)
class Partner:
    """The other side of a contract-manufacturing relation, and the authority over it."""

    name: str = ""
    credit_code: str = ""
    relation: PartnerRelation = "contract_manufacturer"
    address: str = ""
    authority: str = ""
    region: PartnerRegion = "same_city"
    products: tuple[str, ...] = ()


@dataclass(frozen=True)
class Company:
    """The inspected company (一: 注册人, 备案人 or 受托生产企业)."""

    name: str = ""
    credit_code: str = ""
    role: Role = "registrant"
    legal_representative: str = ""
    contact: str = ""
    registered_address: str = ""
    production_address: str = ""
    authority: str = ""
    licences: Mapping[str, Licence] = field(default_factory=dict)
    products: Mapping[str, Product] = field(default_factory=dict)
    partners: Mapping[str, Partner] = field(default_factory=dict)
    #: where reminders of its rectification deadlines go (kit remind): the contact's e-mail
    email: str = ""


@dataclass(frozen=True)
class PastFinding:
    """A problem found by an earlier inspection and how far its rectification has come."""

    description: str = ""
    found_on: date | None = None
    state: PastFindingState = "open"
    note: str = ""


@dataclass(frozen=True)
class Background:
    """五.1: what the team learns before the visit, by the eight kinds of background."""

    notes: Mapping[str, str] = field(default_factory=dict)
    past_findings: Mapping[str, PastFinding] = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """五.2-五.4: type, manner, dates, sections, bases, purpose and key risks."""

    type: InspectionType = "supervisory"
    unannounced: bool = False
    remote: bool = False
    remote_confirmed: bool = False
    cooperation: Cooperation = "none"
    partner_authority: str = ""
    start_date: date | None = None
    end_date: date | None = None
    delegated_result_date: date | None = None
    sections: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    purpose: str = ""
    focus: str = ""
    key_risks: str = ""
    remote_reason: str = ""  # why the visit is remote (八、4.（1）: 不可抗力等原因不宜线下)
    #: a 延伸检查 (六、5): the id of the principal inspection it extends
    principal: str = ""

    @property
    def ended_on(self) -> date | None:
        """The visit's last day (its first when no end is entered): deadlines count from it."""
        return self.end_date or self.start_date


@dataclass(frozen=True)
class Member:
    """One person on the team; ``sections`` is this person's share of the division of labour."""

    name: str = ""
    role: MemberRole = "inspector"
    authority: str = ""
    certificate_no: str = ""
    qualifications: tuple[str, ...] = ()
    standards: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    user: str = ""  # the member's sign-in on the office server (who may open the inspection)
    #: where reminders of the deadlines of findings in this member's sections go (kit remind)
    email: str = ""


@dataclass(frozen=True)
class Plan:
    """五.5 检查方案 and its review by the dispatching office when one is required."""

    review_required: bool = False
    state: PlanState = "draft"
    schedule: str = ""
    submitted_at: datetime | None = None
    approved_at: datetime | None = None
    approved_by: str = ""


@dataclass(frozen=True)
class Notification:
    """五.6 notice to the company (never for an unannounced inspection)."""

    planned: bool = False
    sent_on: date | None = None
    method: str = ""
    note: str = ""


@dataclass(frozen=True)
class Step:
    """One of the ten steps of 六, when it was done, and a note."""

    done: bool = False
    at: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class Adjustment:
    """六.4: a change to the plan made on site; approval needed when the plan was reviewed."""

    description: str = ""
    at: datetime | None = None
    approved_by: str = ""
    approved_at: datetime | None = None


@dataclass(frozen=True)
class ItemResult:
    """The result of one checklist item, the means of 八 used, and the evidence."""

    result: ResultCode = "unchecked"
    notes: str = ""
    means: tuple[str, ...] = ()
    evidence: str = ""
    inspector: str = ""


@dataclass(frozen=True)
class Review:
    """One round of a rectification's review (六、9; 十、3（1）): what the company submitted,
    how and when it was reviewed, by whom, and what was concluded. A finding keeps every
    round it had; its own fields hold the round under way."""

    submitted_on: date | None = None
    evidence: str = ""
    mode: ReviewMode = ""
    reviewed_on: date | None = None
    reviewer: str = ""
    result: ReviewResult = "failed"
    note: str = ""


@dataclass(frozen=True)
class Submission:
    """What the company submitted for a finding's rectification (六、9 提交整改资料; 十、1), once:
    its report and the files it sent (attachment keys, target ``findings/<F>/submissions/<S>``),
    who submitted it and when, and how it came (``portal``: the company's own sign-in online;
    ``mail``: by post or e-mail, recorded by an inspector; ``workbook``: the 整改跟踪 sheet
    returned). A submission is never changed: a later one is a new round (S1, S2…)."""

    at: datetime | None = None
    by: str = ""
    channel: SubmissionChannel = "portal"
    report: str = ""
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Extension:
    """延期整改: a later deadline for a finding, why, and who approved it when."""

    new_deadline: date | None = None
    reason: str = ""
    approved_by: str = ""
    approved_on: date | None = None


@dataclass(frozen=True)
class Finding:
    """A problem found, its handling under 十.1, the requirement and the deadline, carried to
    the handling's outcome: corrected on site, a suspension with its safety warning, a
    rectification reviewed round by round, or a case opened or transferred."""

    item: str = ""
    description: str = ""
    handling: str = "rectify_by_deadline"
    requirement: str = ""
    deadline: date | None = None
    affects_past_products: bool = False
    # its rectification, tracked to its end (六、9; 十、1; 十、3)
    state: FindingState = "open"
    submitted_on: date | None = None
    evidence: str = ""
    review_mode: ReviewMode = ""
    reviewed_on: date | None = None
    reviewer: str = ""
    basis: str = ""  # the legal basis the rectification notice cites for it
    #: its grade in the office's grading scheme (templates/grading.yaml); empty: not graded
    grade: str = ""
    #: 现场监督立即纠正: the inspector (member key) who saw it corrected, and when
    corrected_by: str = ""
    corrected_at: datetime | None = None
    #: 暂停生产并发布安全警示信息: the safety warning published (date, channel, text)
    warning_on: date | None = None
    warning_channel: str = ""
    warning_text: str = ""
    #: 立案调查或移交相关部门: the case number, or the department it went to, when and what
    case_number: str = ""
    transferred_to: str = ""
    transferred_on: date | None = None
    handed_over: str = ""
    #: every earlier round of its review (R1, R2…): a concluded review is never overwritten
    reviews: Mapping[str, Review] = field(default_factory=dict)
    #: 延期整改: each later deadline granted (E1, E2…), the last one in force
    extensions: Mapping[str, Extension] = field(default_factory=dict)
    #: what the company submitted (S1, S2…), each frozen once made (六、9)
    submissions: Mapping[str, Submission] = field(default_factory=dict)

    @property
    def due(self) -> date | None:
        """The deadline in force: the last extension's, else the one first set."""
        for ext in reversed([self.extensions[k] for k in sorted(self.extensions, key=natural_key)]):
            if ext.new_deadline is not None:
                return ext.new_deadline
        return self.deadline


@dataclass(frozen=True)
class PastProducts:
    """十.2: measures for products made before the problem was found, and the review units
    told (通报相关审查单位): which, by whom, when."""

    measures: tuple[str, ...] = ()
    note: str = ""
    notified_unit: str = ""
    notified_by: str = ""
    notified_on: date | None = None


@dataclass(frozen=True)
class Signatures:
    """六.7-六.8: the company's signature, or its refusal signed by inspectors and witness."""

    company_signer: str = ""
    company_signed_at: datetime | None = None
    refused: bool = False
    refusal_note: str = ""
    inspector_signers: tuple[str, ...] = ()
    witness_present: bool = False
    witness_name: str = ""
    witness_signed: bool = False


@dataclass(frozen=True)
class Inability:
    """六、8 由于企业自身原因而无法实施检查: why, and the inspectors who noted it (two or more).

    The inspectors are member keys of the team; a witness present on site signs as the
    record's witness (:class:`Signatures`). The checklist's items left unchecked then follow
    from it instead of being errors."""

    recorded: bool = False
    reason: str = ""
    noted_by: tuple[str, ...] = ()  # team member ids of the inspectors who noted it


@dataclass(frozen=True)
class Opinion:
    """检查意见/结论 (六、5-6): what the team concluded, entered by its leader, and the verdict
    under the office's grading scheme: proposed from the findings' grades, confirmed or changed
    by the leader (a change says why)."""

    conclusion: str = ""
    decided_on: date | None = None
    verdict: str = ""  # a verdict code of the scheme (templates/grading.yaml)
    scheme: str = ""  # the scheme it was given under
    verdict_by: str = ""  # the signed-in person who confirmed it
    verdict_at: datetime | None = None
    verdict_reason: str = ""  # why it differs from the one proposed


@dataclass(frozen=True)
class CrossRegion:
    """Duties when the inspection reaches across authorities (委托生产, 联合/委托检查):
    五、8 the prior communication with the other side's authority; 八、5（3）a joint
    inspection's report sent to both authorities; 八、5（4）the advance report to the 市药监局
    before a problem is notified to an authority outside Beijing."""

    communicated_with: str = ""
    communicated_by: str = ""
    communicated_on: date | None = None
    report_to_both_on: date | None = None
    notify_outside: bool = False  # a problem is to be notified to an authority outside Beijing
    outside_authority: str = ""
    advance_report_on: date | None = None
    notified_outside_on: date | None = None


@dataclass(frozen=True)
class Notice:
    """A written notice served on the company (检查结果告知书, 整改通知书): its document
    number in the office's scheme, when it was issued and served, and the company's receipt:
    a signature, or a refusal noted by two or more inspectors (六、7-8)."""

    number: str = ""
    issued_on: date | None = None
    served_on: date | None = None
    received_by: str = ""  # the company's person who signed for it
    refused: bool = False
    witnesses: tuple[str, ...] = ()  # team member ids of the inspectors who noted a refusal
    note: str = ""
    #: the issued notice as a PDF, frozen: the key of its attachment (target ``notices/<kind>``,
    #: the bytes in the store by their SHA-256), never changed; printing gives these bytes
    pdf: str = ""
    #: what the issued notice said, as canonical JSON (:func:`kit.notices.notice_doc`): what
    #: :func:`kit.notices.notice_changes` compares the record with since
    issued_text: str = ""
    #: its service (送达回证) as a PDF, signed: the key of its attachment
    #: (target ``notices/<kind>/service``)
    service: str = ""


@dataclass(frozen=True)
class Attachment:
    """A photo, a file or a drawn signature, kept in the store by its SHA-256 (the record
    holds the hash, so the trail and the workbook's seal cover the bytes)."""

    kind: AttachmentKind = "photo"
    #: what it belongs to: ``results/7.8.m4``, ``findings/F2``, or a signer:
    #: ``signatures/company``, ``signatures/witness``, ``signatures/M1``
    target: str = ""
    name: str = ""
    mime: str = ""
    size: int = 0
    sha256: str = ""
    thumb_sha256: str = ""  # the small picture shown and printed (a photo's JPEG, a signature)
    by: str = ""  # who kept it: the signed-in person (for a signature, who captured it)
    at: datetime | None = None  # Beijing time
    note: str = ""
    signer: str = ""  # a signature: who drew it, as named at the pad


@dataclass(frozen=True)
class GateOverride:
    """The leader moved the record on although the guide's rules found errors (with why)."""

    reason: str = ""
    by: str = ""
    at: datetime | None = None
    codes: tuple[str, ...] = ()  # the errors overridden, as reason codes


@dataclass(frozen=True)
class FollowUp:
    """六.9 and 十.3: rectification submitted, reviewed in writing or on site, closed."""

    submitted_on: date | None = None
    review_mode: ReviewMode = ""
    reviewed_on: date | None = None
    reviewer: str = ""
    closed_on: date | None = None
    measures: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Sampling:
    """The record sample drawn under 九: its seed, parameters and chosen rows."""

    seed: int = 0
    inspection_date: date | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)
    columns: tuple[str, ...] = ()
    rows: tuple[Mapping[str, str], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inspection:
    """One inspection of one company, from preparation to follow-up."""

    format_version: int = FORMAT_VERSION
    id: str = ""
    guide_id: str = ""
    guide_version: str = ""
    profile: str = "full"
    stage: Stage = "preparation"
    company: Company = field(default_factory=Company)
    background: Background = field(default_factory=Background)
    scope: Scope = field(default_factory=Scope)
    team: Mapping[str, Member] = field(default_factory=dict)
    plan: Plan = field(default_factory=Plan)
    notification: Notification = field(default_factory=Notification)
    steps: Mapping[str, Step] = field(default_factory=dict)
    adjustments: Mapping[str, Adjustment] = field(default_factory=dict)
    results: Mapping[str, ItemResult] = field(default_factory=dict)
    findings: Mapping[str, Finding] = field(default_factory=dict)
    past_products: PastProducts = field(default_factory=PastProducts)
    signatures: Signatures = field(default_factory=Signatures)
    inability: Inability = field(default_factory=Inability)
    follow_up: FollowUp = field(default_factory=FollowUp)
    opinion: Opinion = field(default_factory=Opinion)
    cross_region: CrossRegion = field(default_factory=CrossRegion)
    sampling: Sampling = field(default_factory=Sampling)
    #: per stage (reporting, closed): the leader's override of the rules' errors, if any
    gate_overrides: Mapping[str, GateOverride] = field(default_factory=dict)
    notices: Mapping[str, Notice] = field(default_factory=dict)  # keyed by NoticeKind
    attachments: Mapping[str, Attachment] = field(default_factory=dict)  # A1, A2...

    # -- convenient views ------------------------------------------------------------------
    @property
    def leaders(self) -> tuple[str, ...]:
        return tuple(k for k, m in self.team.items() if m.role == "leader")

    @property
    def inspecting_authority(self) -> str:
        """Who inspects: the team leader's authority, else the company's supervising one."""
        for key in self.leaders:
            if self.team[key].authority:
                return self.team[key].authority
        return self.company.authority

    @property
    def inspectors(self) -> tuple[str, ...]:
        """Member ids of the team's inspectors, leader included (experts are not inspectors)."""
        return tuple(k for k, m in self.team.items() if m.role in ("leader", "inspector"))

    @property
    def inability_noted_by(self) -> tuple[str, ...]:
        """The team's inspectors who noted the inability to inspect (六、8), by member key."""
        inspectors = self.inspectors
        return tuple(k for k in dict.fromkeys(self.inability.noted_by) if k in inspectors)

    @property
    def inability_holds(self) -> bool:
        """Whether the record holds a valid 六、8 inability to inspect (recorded, its reason,
        two or more inspectors noting it, a witness present signed): the checklist's items
        left unchecked follow from it, and the result notice says so."""
        sig = self.signatures
        return (self.inability.recorded and bool(self.inability.reason.strip())
                and len(self.inability_noted_by) >= 2
                and (not sig.witness_present
                     or bool(sig.witness_name.strip() and sig.witness_signed)))

    def result(self, item_id: str) -> ItemResult:
        return self.results.get(item_id, ItemResult())

    def owners(self, section_id: str) -> tuple[str, ...]:
        return tuple(k for k, m in self.team.items() if section_id in m.sections)

    @property
    def unfound_nonconformities(self) -> tuple[str, ...]:
        """Items judged 不符合 that no finding records yet (each needs one, 六、7 and 十)."""
        found = {f.item for f in self.findings.values()}
        return tuple(k for k, r in self.results.items()
                     if r.result == "nonconform" and k not in found)

    @property
    def handling_counts(self) -> dict[str, int]:
        """How many findings each handling kind of 十、1 has (:func:`handling_counts`)."""
        return handling_counts(self.findings)


def handling_counts(findings: Mapping[str, Finding]) -> dict[str, int]:
    """How many findings each handling kind of 十、1 has, in the order they first occur
    (what the opinion and the record's 检查结果 sum up)."""
    counts: dict[str, int] = {}
    for f in findings.values():
        counts[f.handling] = counts.get(f.handling, 0) + 1
    return counts


def next_key(existing: Iterable[str], prefix: str) -> str:
    """The next free id with ``prefix`` (``M1``, ``M2``...), never one of ``existing``.

    Pass every id an entry ever had (from the audit trail too): a removed id is never reused.

    >>> next_key(["F1", "F3", "X9"], "F")
    'F4'
    """
    numbers = [int(k[len(prefix):]) for k in existing
               if k.startswith(prefix) and k[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that puts F2 before F10 (digits compared as numbers).

    >>> sorted(["F10", "F2", "F1"], key=natural_key)
    ['F1', 'F2', 'F10']
    """
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def new_inspection(
    *,
    company: Company | None = None,
    type: InspectionType = "supervisory",
    start_date: date | None = None,
    sections: tuple[str, ...] | None = None,
    profile: str = "full",
) -> Inspection:
    """A fresh inspection under the current guide, all 14 sections in scope by default."""
    guide = load_guide()
    if sections is None:
        sections = tuple(s.id for s in guide.sections)
    return Inspection(
        guide_id=guide.id,
        guide_version=guide.version,
        profile=profile,
        company=company or Company(),
        scope=Scope(type=type, start_date=start_date, end_date=start_date, sections=sections),
    )
