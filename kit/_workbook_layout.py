"""What each sheet of the inspection workbook shows, as plain rows: the record rendered.

The writer puts these rows into cells, :func:`kit.workbook.verify_workbook` renders them again
from the record embedded in the workbook and compares cell by cell, and the importer uses them
to know which cell holds which field of the record and what it showed when exported.

Rendering reads reference data besides the record: checklist items and their texts, the words
of the guide's vocabularies, section titles, working-day counts. All of it goes through one
:class:`Lookups` object, which records every answer at export time. The answers are stored in
the workbook, so a later verify renders exactly what was exported even after the guide, a
checklist profile or the holiday calendar has changed.

Nothing here touches openpyxl; every mapping is iterated in a fixed order (natural order of
its ids) because the embedded record is canonical JSON with sorted keys.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kit.inspection import RESULTS, STAGES, Inspection

Value = str | int | date | datetime | None

MAX_CELL_UNITS = 32767  # Excel's limit, in UTF-16 code units
YES, NO = "是", "否"

PLAN, RECORD, FINDINGS, SAMPLING, SIGNATURES, FOLLOW_UP, AUDIT = (
    "检查方案", "现场检查记录", "问题与整改", "记录抽样", "签字确认", "跟踪", "审计记录",
)
SHEET_NAMES = (PLAN, RECORD, FINDINGS, SAMPLING, SIGNATURES, FOLLOW_UP, AUDIT)
SHEET_TITLES = {
    PLAN: "医疗器械生产监督检查方案",
    RECORD: "医疗器械生产监督现场检查记录",
    FINDINGS: "检查发现问题及整改要求",
    SAMPLING: "记录样本选取清单",
    SIGNATURES: "检查结果确认及签字",
    FOLLOW_UP: "跟踪检查及后续措施",
    AUDIT: "检查记录修改审计记录",
}
REVIEW_MODES = {"written": "书面审查", "on_site": "现场复查"}
MEMBER_ROLES = {"leader": "检查组长", "inspector": "检查员", "expert": "专家"}
PLAN_STATES = {"draft": "草稿", "submitted": "已提交审核", "approved": "已批准"}
PAST_STATES = {"open": "未整改", "rectifying": "整改中", "closed": "已整改"}
COOPERATION = {"none": "", "joint": "联合检查", "delegated": "委托检查"}
SAMPLING_KNOWN = {  # the lead columns of kit.sampling's selection, in its order
    "record_id": "记录编号",
    "rules": "抽样规则",
    "reason": "选取理由",
    "group": "分组",
    "doc_version_in_force": "适用文件版本",
    "flags": "标记",
}

# -- text as a cell can hold it -----------------------------------------------------------------
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SUSPECT = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")  # also CR


def cell_text(text: str) -> str:
    """``text`` as a cell shows it: line ends as LF, no XML-illegal characters, <= 32,767 units.

    XML readers turn CR LF into LF and openpyxl refuses control characters, so the writer and
    the verifier both render through this one function and compare like with like.
    """
    if len(text) <= MAX_CELL_UNITS // 2 and not _SUSPECT.search(text):
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("\ufffd", text)
    if len(text) > MAX_CELL_UNITS // 2 and len(text.encode("utf-16-le")) // 2 > MAX_CELL_UNITS:
        keep = MAX_CELL_UNITS - 2
        while len(text[:keep].encode("utf-16-le")) // 2 > MAX_CELL_UNITS - 1:
            keep -= 1
        text = text[:keep] + "…"
    return text


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that puts F2 before F10 (digits compared as numbers)."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _sorted(mapping: Mapping[str, Any]) -> list[str]:
    return sorted(mapping, key=natural_key)


def fmt_dt(value: datetime | date | None) -> str:
    """A date or time as the workbook prints it in text (``2026-11-13 15:30``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


# -- the shape of a sheet -----------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """An editable cell: the record path it holds and how to read what a person types there.

    ``kind`` is one of text, result, means, handling, date, datetime, bool, members, item,
    review_mode, flag (a 是/否 cell that puts ``code`` into the list at ``path``).
    """

    path: str
    kind: str = "text"
    code: str = ""
    required: bool = False


@dataclass(frozen=True)
class Column:
    """A column: its header and, for rows typed in below the table, the field it fills."""

    key: str
    header: str
    kind: str = ""
    required: bool = False


@dataclass(frozen=True)
class Row:
    """One rendered row; ``fields`` maps a 0-based column index to the editable field there."""

    values: tuple[Value, ...]
    fields: Mapping[int, Field] = field(default_factory=dict)
    group: bool = False
    height: float | None = None

    @property
    def key(self) -> str:
        first = self.values[0] if self.values else None
        return first if isinstance(first, str) else ""


@dataclass(frozen=True)
class SheetLayout:
    """A sheet as rows below its header; ``open_rows`` blank rows below accept new entries."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    open_rows: int = 0
    form: bool = False


# -- reference data, recorded --------------------------------------------------------------------
class ReplayError(LookupError):
    """The workbook's stored reference data lacks an answer the record needs."""


class Lookups:
    """Reference data for rendering, computed live at export and replayed at verify/import.

    ``Lookups.live(inspection)`` asks the guide, the profile and the calendar and remembers each
    answer in :attr:`data` (plain JSON); ``Lookups.replay(data)`` answers only from that data.
    """

    def __init__(self, data: dict[str, Any], compute: Callable[[str], Any] | None) -> None:
        self.data = data
        self._compute = compute

    @classmethod
    def live(cls, inspection: Inspection) -> Lookups:
        return cls({}, _LiveSource(inspection).answer)

    @classmethod
    def replay(cls, data: Mapping[str, Any]) -> Lookups:
        return cls(dict(data), None)

    def get(self, key: str) -> Any:
        if key in self.data:
            return self.data[key]
        if self._compute is None:
            raise ReplayError(key)
        value = self._compute(key)
        self.data[key] = value
        return value

    # conveniences over get()
    def checklist(self, section_id: str) -> list[list[str]]:
        """[[item id, label, kind, zh text], ...] of one section under the record's profile."""
        return list(self.get(f"checklist/{section_id}"))

    def section(self, section_id: str) -> tuple[str, str]:
        label, title = self.get(f"section/{section_id}")
        return str(label), str(title)

    def clause(self, clause_id: str) -> tuple[str, str]:
        label, text = self.get(f"clause/{clause_id}")
        return str(label), str(text)

    def terms(self, vocabulary: str) -> list[tuple[str, str]]:
        return [(str(c), str(z)) for c, z in self.get(f"terms/{vocabulary}")]

    def term(self, vocabulary: str, code: str) -> str:
        return dict(self.terms(vocabulary)).get(code, code)

    def workdays(self, start: date, end: date) -> Value:
        value = self.get(f"workdays/{start.isoformat()}/{end.isoformat()}")
        return value if isinstance(value, int | str) else None


class _LiveSource:
    """Answers lookups from the installed guide, the record's profile and the calendar."""

    def __init__(self, inspection: Inspection) -> None:
        self.inspection = inspection

    def answer(self, key: str) -> Any:
        kind, _, arg = key.partition("/")
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            raise ReplayError(key)
        return handler(arg)

    def _checklist(self, section_id: str) -> list[list[str]]:
        from kit.errors import KitError
        from kit.guide import CHECKLIST_KINDS, load_guide
        from kit.profiles import load_profile

        guide = load_guide()
        if section_id not in guide:
            return []
        try:
            items = load_profile(self.inspection.profile or "full").checklist(section_id, guide)
        except KitError:  # a profile the office removed: the guide's own items still render
            items = guide.item(section_id).items(*CHECKLIST_KINDS)
        return [[i.id, i.label, i.kind, i.zh] for i in items]

    def _section(self, section_id: str) -> list[str]:
        from kit.guide import load_guide

        guide = load_guide()
        if section_id not in guide:
            return [section_id, ""]
        clause = guide.item(section_id)
        return [clause.label.rstrip("."), clause.text.zh]

    def _clause(self, clause_id: str) -> list[str]:
        from kit.errors import KitError
        from kit.guide import load_guide
        from kit.profiles import find_item, load_profile

        guide = load_guide()
        try:
            clause = find_item(clause_id, load_profile(self.inspection.profile or "full"), guide)
        except KitError:
            return [clause_id, ""]
        return [clause.label, clause.text.zh]

    def _terms(self, vocabulary: str) -> list[list[str]]:
        from kit.guide import load_guide

        return [[t.code, t.zh] for t in load_guide().terms(vocabulary)]

    def _workdays(self, arg: str) -> int | str:
        from kit.workdays import CalendarEstimateWarning, workdays_between

        start, end = (date.fromisoformat(p) for p in arg.split("/"))
        with warnings.catch_warnings():
            # the cell itself says the count is an estimate, and for which year
            warnings.simplefilter("ignore", CalendarEstimateWarning)
            count = workdays_between(start, end, allow_estimate=True)
        return str(count) if count.estimated else count.days

    def _sampling(self, arg: str) -> Any:
        if arg == "headers":  # Chinese names of the records register's canonical columns
            from kit.registers import RECORDS

            return {c.name: c.label for c in RECORDS.columns}
        seen: dict[str, None] = {}
        for key in self.inspection.sampling.columns:
            if key not in SAMPLING_KNOWN:
                seen.setdefault(key, None)
        for row in self.inspection.sampling.rows:
            for key in row:
                if key not in SAMPLING_KNOWN:
                    seen.setdefault(key, None)
        return list(seen)


# -- rendering the record -----------------------------------------------------------------------
def render(
    inspection: Inspection, audit: Sequence[Mapping[str, Any]], lookups: Lookups
) -> list[SheetLayout]:
    """Every visible sheet of the workbook, in order."""
    return [
        _plan(inspection, lookups),
        _record(inspection, lookups),
        _findings(inspection, lookups),
        _sampling(inspection, lookups),
        _signatures(inspection, lookups),
        _follow_up(inspection, lookups),
        _audit(audit),
    ]


def _t(value: Value) -> Value:
    return cell_text(value) if isinstance(value, str) else value


def _row(*values: Value, fields: Mapping[int, Field] | None = None, group: bool = False,
         height: float | None = None) -> Row:
    return Row(tuple(_t(v) for v in values), dict(fields or {}), group, height)


def _member(ins: Inspection, member_id: str) -> str:
    member = ins.team.get(member_id)
    return member.name if member is not None and member.name else member_id


def leader_authority(ins: Inspection) -> str:
    """The inspecting authority: the leader's, else the company's supervising authority."""
    for key in ins.leaders:
        if ins.team[key].authority:
            return ins.team[key].authority
    return ins.company.authority


def inspection_dates(ins: Inspection) -> str:
    start, end = ins.scope.start_date, ins.scope.end_date
    if start and end and end != start:
        return f"{start.isoformat()} 至 {end.isoformat()}"
    return fmt_dt(start or end)


def _lines(items: Sequence[str]) -> str:
    return "\n".join(i for i in items if i)


FORM_COLUMNS = (Column("label", "项目"), Column("value", "内容"), Column("ref", "依据或说明"))


def _plan(ins: Inspection, lk: Lookups) -> SheetLayout:
    c, s = ins.company, ins.scope
    rows: list[Row] = []

    def add(label: str, text: str, ref: str = "") -> None:
        rows.append(_row(label, text, ref))

    add("检查编号", ins.id)
    add("被检查企业", c.name)
    add("统一社会信用代码", c.credit_code)
    add("企业类型", lk.term("roles", c.role))
    add("法定代表人", c.legal_representative)
    add("联系人", c.contact)
    add("住所", c.registered_address)
    add("生产地址", c.production_address)
    add("监管部门", c.authority)
    licences = [
        f"{_licence_name(k.kind)}：{k.number}"
        + (f"（{fmt_dt(k.issued)} 至 {fmt_dt(k.expires) or '长期'}）" if k.issued else "")
        for k in (c.licences[key] for key in _sorted(c.licences))
    ]
    add("证照情况", _lines(licences), "五、1.（1）")
    partners = [
        f"{p.name}（{lk.term('roles', p.relation) if p.relation != 'client' else '委托方'}，"
        f"{p.address}；监管部门：{p.authority}）"
        for p in (c.partners[key] for key in _sorted(c.partners))
    ]
    if partners:
        add("委托生产相关方", _lines(partners), "五、8")
    background = [
        f"{name}：{ins.background.notes[code]}"
        for code, name in lk.terms("background_kinds")
        if ins.background.notes.get(code)
    ]
    background += [
        f"既往问题：{f.description}（{fmt_dt(f.found_on)}，{PAST_STATES.get(f.state, f.state)}"
        + (f"；{f.note}" if f.note else "") + "）"
        for f in (ins.background.past_findings[k] for k in _sorted(ins.background.past_findings))
    ]
    add("检查前了解情况", _lines(background), "五、1")
    add("检查目的", s.purpose, "五、5")
    add("检查依据", _lines(["".join(lk.clause(b)) for b in s.bases]), "三")
    manner = [lk.term("inspection_types", s.type)]
    if s.unannounced:
        manner.append("飞行检查（不事先通知企业）")
    if s.remote:
        manner.append("远程检查" + ("（检查结果已经双方确认）" if s.remote_confirmed else ""))
    if s.cooperation != "none":
        manner.append(COOPERATION[s.cooperation] + (f"：{s.partner_authority}"
                                                     if s.partner_authority else ""))
    if s.delegated_result_date:
        manner.append(f"委托检查结果反馈日期：{fmt_dt(s.delegated_result_date)}")
    add("检查方式", "；".join(manner), "五、2")
    products = []
    for key in _sorted(c.products):
        p = c.products[key]
        mark = "" if p.in_scope else "（不在本次检查范围）"
        reason = f"：{p.scope_reason}" if p.scope_reason else ""
        products.append(f"{p.name}（{p.registration_no}，{p.device_class}类）{mark}{reason}")
    add("检查范围（产品）", _lines(products), "五、2；九、3")
    add("检查时间", inspection_dates(ins), "五、4")
    add("日程安排", ins.plan.schedule, "五、4")
    add("检查内容", _lines(["".join(_joined(lk.section(sid))) for sid in s.sections]), "五、5；七")
    add("检查重点", s.focus, "五、3")
    add("关键风险点", s.key_risks, "五、3")
    order = {"leader": 0, "inspector": 1, "expert": 2}
    team = []
    for key in sorted(ins.team, key=lambda k: (order.get(ins.team[k].role, 3), natural_key(k))):
        m = ins.team[key]
        parts = [x for x in (m.authority, f"证号 {m.certificate_no}" if m.certificate_no else "")
                 if x]
        sections = "、".join(lk.section(sid)[0] for sid in m.sections)
        team.append(f"{m.name}（{MEMBER_ROLES.get(m.role, m.role)}"
                    + (f"，{'，'.join(parts)}" if parts else "") + "）"
                    + (f"：{sections}" if sections else ""))
    add("检查组及分工", _lines(team), "四、1；五、4")
    plan = ins.plan
    if plan.review_required:
        review = f"需经检查派出机构审核；{PLAN_STATES.get(plan.state, plan.state)}"
        if plan.approved_by or plan.approved_at:
            review += f"（{plan.approved_by} {fmt_dt(plan.approved_at)}）".replace("（ ", "（")
    else:
        review = f"无需审核；{PLAN_STATES.get(plan.state, plan.state)}"
    add("方案审核", review, "五、5")
    n = ins.notification
    if s.unannounced:
        notice = "飞行检查，不通知企业"
    elif n.sent_on or n.planned:
        notice = (f"已通知：{fmt_dt(n.sent_on)}" if n.sent_on else "拟通知") + (
            f"，{n.method}" if n.method else "") + (f"（{n.note}）" if n.note else "")
    else:
        notice = "未通知"
    add("通知企业", notice, "五、6")
    adjustments = []
    for i, key in enumerate(_sorted(ins.adjustments), 1):
        a = ins.adjustments[key]
        text = f"（{i}）{fmt_dt(a.at)} {a.description}".replace("） ", "）")
        if a.approved_by or a.approved_at:
            text += f"；批准：{a.approved_by} {fmt_dt(a.approved_at)}".rstrip()
        adjustments.append(text)
    add("检查方案调整", _lines(adjustments) or "无", "六、4")
    sampling = ins.sampling
    if sampling.rows or sampling.notes:
        add("记录样本选取", _lines([sampling_summary(ins), *sampling.notes]), "九；见“记录抽样”表")
    add("当前阶段", STAGES.get(ins.stage, (ins.stage, ""))[0])
    return SheetLayout(PLAN, SHEET_TITLES[PLAN], FORM_COLUMNS, tuple(rows), form=True)


def _joined(pair: tuple[str, str]) -> tuple[str, str]:
    label, title = pair
    return (f"{label}. " if title else label), title


def _licence_name(kind: str) -> str:
    from kit.inspection import LICENCE_KINDS

    return LICENCE_KINDS.get(kind, (kind, ""))[0]


RECORD_COLUMNS = (
    Column("label", "条款"),
    Column("text", "检查内容／检查方法"),
    Column("result", "检查结果", "result"),
    Column("notes", "检查情况记录", "text"),
    Column("means", "检查手段", "means"),
    Column("evidence", "证据材料", "text"),
    Column("inspector", "检查人员"),
)


def _record(ins: Inspection, lk: Lookups) -> SheetLayout:
    rows: list[Row] = []
    shown: set[str] = set()
    means = dict(lk.terms("means"))
    width = len(RECORD_COLUMNS)

    def item_row(item_id: str, label: str, text: str) -> Row:
        r = ins.result(item_id)
        base = f"results/{item_id}"
        return _row(
            label, text, RESULTS.get(r.result, (r.result, ""))[0], r.notes,
            "、".join(means.get(m, m) for m in r.means), r.evidence,
            _member(ins, r.inspector) if r.inspector else "",
            fields={2: Field(f"{base}/result", "result"), 3: Field(f"{base}/notes"),
                    4: Field(f"{base}/means", "means"), 5: Field(f"{base}/evidence")},
        )

    for sid in ins.scope.sections:
        label, title = lk.section(sid)
        owners = "、".join(_member(ins, k) for k in ins.owners(sid))
        heading = f"{label}. {title}" + (f"（分工：{owners}）" if owners else "")
        rows.append(_row(heading, *([None] * (width - 1)), group=True))
        for item_id, item_label, _kind, text in lk.checklist(sid):
            shown.add(item_id)
            rows.append(item_row(item_id, item_label, text))
    extra = [k for k in _sorted(ins.results) if k not in shown]
    if extra:
        rows.append(_row("其他已记录的检查项（不在本次检查表中）", *([None] * (width - 1)),
                         group=True))
        for item_id in extra:
            label, text = lk.clause(item_id)
            rows.append(item_row(item_id, label, text))
    return SheetLayout(RECORD, SHEET_TITLES[RECORD], RECORD_COLUMNS, tuple(rows))


FINDING_COLUMNS = (
    Column("id", "编号"),
    Column("item", "检查项", "item", required=True),
    Column("description", "问题描述", "text", required=True),
    Column("handling", "处理方式（十、1）", "handling", required=True),
    Column("requirement", "整改要求", "text"),
    Column("deadline", "整改期限", "date"),
    Column("workdays", "整改时限（工作日）"),
    Column("affects_past_products", "涉及既往产品", "bool"),
)
NEW_FINDING_ROWS = 30


def _findings(ins: Inspection, lk: Lookups) -> SheetLayout:
    handling = dict(lk.terms("handling_kinds"))
    since = ins.scope.end_date or ins.scope.start_date
    rows = []
    for key in _sorted(ins.findings):
        f = ins.findings[key]
        base = f"findings/{key}"
        days: Value = None
        if f.deadline is not None and since is not None:
            days = lk.workdays(since, f.deadline)
        rows.append(_row(
            key, lk.clause(f.item)[0] if f.item else "", f.description,
            handling.get(f.handling, f.handling), f.requirement, f.deadline, days,
            YES if f.affects_past_products else NO,
            fields={1: Field(f"{base}/item", "item", required=True),
                    2: Field(f"{base}/description", required=True),
                    3: Field(f"{base}/handling", "handling", required=True),
                    4: Field(f"{base}/requirement"), 5: Field(f"{base}/deadline", "date"),
                    7: Field(f"{base}/affects_past_products", "bool")},
        ))
    return SheetLayout(FINDINGS, SHEET_TITLES[FINDINGS], FINDING_COLUMNS, tuple(rows),
                       open_rows=NEW_FINDING_ROWS)


def sampling_summary(ins: Inspection) -> str:
    """The draw's seed, date and parameters, one line (the 记录抽样 sheet's subtitle)."""
    s = ins.sampling
    parts = [f"随机种子 {s.seed}"]
    if s.inspection_date:
        parts.append(f"抽样基准日 {s.inspection_date.isoformat()}")
    params = "，".join(f"{k}={s.parameters[k]}" for k in _sorted(s.parameters))
    if params:
        parts.append(f"参数：{params}")
    parts.append(f"共 {len(s.rows)} 条记录" if s.rows else "尚未抽取记录样本")
    return cell_text("；".join(parts))


def _sampling(ins: Inspection, lk: Lookups) -> SheetLayout:
    extra = [str(k) for k in lk.get("sampling/columns")]
    keys = [*SAMPLING_KNOWN, *extra]
    names = {**lk.get("sampling/headers"), **SAMPLING_KNOWN}
    columns = tuple(Column(k, str(names.get(k, k))) for k in keys)
    rows = tuple(
        Row(tuple(_t(v if (v := r.get(k)) is None or type(v) is str else _plain(v))
                  for k in keys))
        for r in ins.sampling.rows
    )
    return SheetLayout(SAMPLING, SHEET_TITLES[SAMPLING], columns, rows)


def _plain(value: Any) -> Value:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


SIGN_HEIGHT = 42.0


def _signatures(ins: Inspection, lk: Lookups) -> SheetLayout:
    sig = ins.signatures
    counts = dict.fromkeys(RESULTS, 0)
    for sid in ins.scope.sections:
        for item_id, *_rest in lk.checklist(sid):
            code = ins.result(item_id).result
            counts[code] = counts.get(code, 0) + 1
    summary = "、".join(f"{RESULTS[c][0]} {n} 项" for c, n in counts.items() if n)
    summary = f"检查表共 {sum(counts.values())} 项：{summary}；发现问题 {len(ins.findings)} 项"
    handling = dict(lk.terms("handling_kinds"))
    by_kind: dict[str, int] = {}
    for f in ins.findings.values():
        by_kind[f.handling] = by_kind.get(f.handling, 0) + 1
    if by_kind:
        summary += "（" + "，".join(
            f"{handling.get(k, k)} {n} 项" for k, n in sorted(by_kind.items())) + "）"
    signers = "、".join(_member(ins, k) for k in sig.inspector_signers)
    p = "signatures/"
    rows = [
        _row("检查结果", summary, "六、6；六、7"),
        _row("企业签字人", sig.company_signer, "六、7 企业相关人员签字确认",
             fields={1: Field(p + "company_signer")}),
        _row("企业签字时间", sig.company_signed_at, "",
             fields={1: Field(p + "company_signed_at", "datetime")}),
        _row("企业拒绝签字", YES if sig.refused else NO, "六、8",
             fields={1: Field(p + "refused", "bool")}),
        _row("拒绝签字情况说明", sig.refusal_note, "拒绝签字或无法实施检查时注明情况（六、8）",
             fields={1: Field(p + "refusal_note")}),
        _row("签字检查人员", signers, "拒绝签字时须2名以上检查人员签字（六、8）；姓名以“、”分隔",
             fields={1: Field(p + "inspector_signers", "members")}),
        _row("见证人在场", YES if sig.witness_present else NO, "六、8",
             fields={1: Field(p + "witness_present", "bool")}),
        _row("见证人姓名", sig.witness_name, "", fields={1: Field(p + "witness_name")}),
        _row("见证人已签字", YES if sig.witness_signed else NO, "现场有见证人的须由见证人签字",
             fields={1: Field(p + "witness_signed", "bool")}),
        _row("企业负责人（签字）", "", "签字并注明日期", height=SIGN_HEIGHT),
        _row("检查人员（签字）", "", "2名以上检查人员签字并注明日期", height=SIGN_HEIGHT),
        _row("见证人（签字）", "", "现场有见证人的", height=SIGN_HEIGHT),
    ]
    return SheetLayout(SIGNATURES, SHEET_TITLES[SIGNATURES], FORM_COLUMNS, tuple(rows), form=True)


def _follow_up(ins: Inspection, lk: Lookups) -> SheetLayout:
    fu, past = ins.follow_up, ins.past_products
    p = "follow_up/"
    rows = [
        _row("当前阶段", STAGES.get(ins.stage, (ins.stage, ""))[0]),
        _row("整改资料提交日期", fu.submitted_on, "六、9", fields={1: Field(p + "submitted_on", "date")}),
        _row("复查方式", REVIEW_MODES.get(fu.review_mode, fu.review_mode), "书面审查或现场复查（六、9）",
             fields={1: Field(p + "review_mode", "review_mode")}),
        _row("复查日期", fu.reviewed_on, "", fields={1: Field(p + "reviewed_on", "date")}),
        _row("复查人", fu.reviewer, "", fields={1: Field(p + "reviewer")}),
        _row("结案日期", fu.closed_on, "", fields={1: Field(p + "closed_on", "date")}),
    ]
    for i, (code, name) in enumerate(lk.terms("follow_up_measures"), 1):
        rows.append(_row(f"后续措施（{i}）{name}", YES if code in fu.measures else NO, f"十、3.（{i}）",
                         fields={1: Field(p + "measures", "flag", code)}))
    rows.append(_row("跟踪检查说明", fu.note, "", fields={1: Field(p + "note")}))
    for i, (code, name) in enumerate(lk.terms("past_product_measures"), 1):
        rows.append(_row(f"既往产品措施（{i}）{name}", YES if code in past.measures else NO, "十、2",
                         fields={1: Field("past_products/measures", "flag", code)}))
    rows.append(_row("既往产品处理说明", past.note, "十、2",
                     fields={1: Field("past_products/note")}))
    return SheetLayout(FOLLOW_UP, SHEET_TITLES[FOLLOW_UP], FORM_COLUMNS, tuple(rows), form=True)


AUDIT_COLUMNS = (
    Column("at", "时间"), Column("user", "用户"), Column("action", "操作"),
    Column("path", "字段"), Column("old", "原值"), Column("new", "新值"),
)


def audit_value(value: Any) -> str:
    """An audit entry's old or new value as text (JSON for anything but text)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _audit(audit: Sequence[Mapping[str, Any]]) -> SheetLayout:
    def text(entry: Mapping[str, Any], key: str) -> str:
        value = entry.get(key)
        return "" if value is None else str(value)

    rows = tuple(
        Row(tuple(cell_text(v) for v in (
            text(e, "at"), text(e, "user"), text(e, "action"), text(e, "path"),
            audit_value(e.get("old")), audit_value(e.get("new")),
        )))
        for e in audit
    )
    return SheetLayout(AUDIT, SHEET_TITLES[AUDIT], AUDIT_COLUMNS, rows)


def placeholders(
    ins: Inspection, lk: Lookups, *, digest: str, exported_at: datetime, sheet: SheetLayout
) -> dict[str, str]:
    """The values of the template's placeholders (``{企业名称}`` and the like) on one sheet."""
    kind = lk.term("inspection_types", ins.scope.type)
    return {
        "表名": sheet.title,
        "检查单位": leader_authority(ins),
        "企业名称": ins.company.name,
        "统一社会信用代码": ins.company.credit_code,
        "检查编号": ins.id,
        "检查类型": kind + ("（飞行检查）" if ins.scope.unannounced else ""),
        "检查日期": inspection_dates(ins),
        "导出时间": exported_at.strftime("%Y-%m-%d %H:%M:%S"),
        "校验码": digest[:16],
        "抽样参数": sampling_summary(ins),
    }


_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,20})\}")


def fill_placeholders(text: str, values: Mapping[str, str], *, escape_amp: bool = False) -> str:
    """``text`` with each known ``{名称}`` replaced; unknown ones are left as typed."""

    def one(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        if value is None:
            return m.group(0)
        return value.replace("&", "&&") if escape_amp else value

    return _PLACEHOLDER.sub(one, text)
