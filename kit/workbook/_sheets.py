"""The visible sheets of the inspection workbook, rendered from the record as rows.

Each function turns one part of the record into a :class:`SheetLayout`:
what every cell shows and, for cells a person may fill in offline, which record path they
hold. Reference data (checklist texts, vocabulary words, working days) comes only through
:class:`Lookups`, so a verify years later renders the same cells.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from kit.labels import (
    ATTACHMENT_KINDS,
    COOPERATION,
    FINDING_STATES,
    LICENCE_KINDS,
    MEMBER_ROLES,
    PAST_FINDING_STATES,
    PLAN_STATES,
    RESULTS,
    REVIEW_MODES,
    SAMPLING_FLAGS,
    STAGES,
    zh,
)
from kit.policy import SUSPENDING
from kit.record import Inspection, Notice, natural_key
from kit.workbook._handling import (
    EXTENSION_COLUMNS,
    OUTCOME_COLUMNS,
    ROUND_COLUMNS,
    cross_region_rows,
    extensions,
    grade_cell,
    grade_words,
    outcomes,
    rounds,
    verdict_rows,
    verdict_words,
)
from kit.workbook._layout import (
    AUDIT,
    EVIDENCE,
    EXTENSIONS,
    FINDINGS,
    FOLLOW_UP,
    NO,
    OUTCOMES,
    PLAN,
    RECORD,
    ROUNDS,
    SAMPLING,
    SAMPLING_KNOWN,
    SHEET_TITLES,
    SIGNATURES,
    TRACKING,
    YES,
    Column,
    Field,
    Lookups,
    Row,
    SheetLayout,
    Value,
    _sorted,
    cell_text,
    fmt_dt,
    inspection_dates,
    make_row,
    member_name,
    sampling_summary,
    text_value,
)


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
        _tracking(inspection, lookups),
        outcomes(inspection, lookups),
        rounds(inspection),
        extensions(inspection),
        _follow_up(inspection, lookups),
        _evidence(inspection, lookups),
        _audit(audit),
    ]




def _lines(items: Sequence[str]) -> str:
    return "\n".join(i for i in items if i)


FORM_COLUMNS = (Column("label", "项目"), Column("value", "内容"), Column("ref", "依据或说明"))


def _plan(ins: Inspection, lk: Lookups) -> SheetLayout:
    c, s = ins.company, ins.scope
    rows: list[Row] = []

    def add(label: str, text: str, ref: str = "") -> None:
        rows.append(make_row(label, text, ref))

    add("检查编号", ins.id)
    add("被检查企业", c.name)
    add("统一社会信用代码", c.credit_code)
    add("企业类型", lk.term("roles", c.role))
    add("法定代表人", c.legal_representative)
    add("联系人", c.contact)
    if c.email:
        add("联系人电子邮箱", c.email, "整改期限提醒发往此邮箱")
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
        f"既往问题：{f.description}（{fmt_dt(f.found_on)}，{zh(PAST_FINDING_STATES, f.state)}"
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
        manner.append("远程检查" + (f"（原因：{s.remote_reason}）" if s.remote_reason else "")
                      + ("（检查结果已经双方确认）" if s.remote_confirmed else ""))
    if s.cooperation != "none":
        manner.append(zh(COOPERATION, s.cooperation) + (f"：{s.partner_authority}"
                                                     if s.partner_authority else ""))
    if s.delegated_result_date:
        manner.append(f"委托检查结果反馈日期：{fmt_dt(s.delegated_result_date)}")
    add("检查方式", "；".join(manner), "五、2")
    if s.principal or s.type == "extended":
        add("延伸检查所延伸的检查", s.principal, "六、5 对为医疗器械生产活动提供产品或者服务的"
            "其他单位和个人开展延伸检查：主检查的检查编号")
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
        parts = [x for x in (m.authority, f"证号 {m.certificate_no}" if m.certificate_no else "",
                             f"邮箱 {m.email}" if m.email else "") if x]
        sections = _section_list([lk.section(sid)[0] for sid in m.sections])
        team.append(f"{m.name}（{zh(MEMBER_ROLES, m.role)}"
                    + (f"，{'，'.join(parts)}" if parts else "") + "）"
                    + (f"：{sections}" if sections else ""))
    add("检查组及分工", _lines(team), "四、1；五、4")
    plan = ins.plan
    if plan.review_required:
        review = f"需经检查派出机构审核；{zh(PLAN_STATES, plan.state)}"
        if plan.approved_by or plan.approved_at:
            review += f"（{plan.approved_by} {fmt_dt(plan.approved_at)}）".replace("（ ", "（")
    else:
        review = f"无需审核；{zh(PLAN_STATES, plan.state)}"
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
    add("当前阶段", zh(STAGES, ins.stage))
    return SheetLayout(PLAN, SHEET_TITLES[PLAN], FORM_COLUMNS, tuple(rows), form=True)


def _section_list(labels: list[str]) -> str:
    """``七、1、2、5`` for sections 七、1, 七、2 and 七、5 (the part named once)."""
    prefix = "七、"
    if labels and all(label.startswith(prefix) for label in labels):
        return prefix + "、".join(label[len(prefix):] for label in labels)
    return "；".join(labels)


def _joined(pair: tuple[str, str]) -> tuple[str, str]:
    label, title = pair
    return (f"{label}. " if title else label), title


def _licence_name(kind: str) -> str:
    return zh(LICENCE_KINDS, kind)


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
        return make_row(
            label, text, zh(RESULTS, r.result), r.notes,
            "、".join(means.get(m, m) for m in r.means), r.evidence,
            member_name(ins, r.inspector) if r.inspector else "",
            fields={2: Field(f"{base}/result", "result"), 3: Field(f"{base}/notes"),
                    4: Field(f"{base}/means", "means"), 5: Field(f"{base}/evidence")},
        )

    for sid in ins.scope.sections:
        label, title = lk.section(sid)
        owners = "、".join(member_name(ins, k) for k in ins.owners(sid))
        heading = f"{label}. {title}" + (f"（分工：{owners}）" if owners else "")
        rows.append(make_row(heading, *([None] * (width - 1)), group=True))
        for item_id, item_label, _kind, text in lk.checklist(sid):
            shown.add(item_id)
            rows.append(item_row(item_id, item_label, text))
    extra = [k for k in _sorted(ins.results) if k not in shown]
    if extra:
        rows.append(make_row("其他已记录的检查项（不在本次检查表中）", *([None] * (width - 1)),
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
    Column("grade", "问题等级", "grade"),
    Column("requirement", "整改要求", "text"),
    Column("basis", "依据", "text"),
    Column("deadline", "整改期限", "date"),
    Column("workdays", "整改时限（工作日）"),
    Column("affects_past_products", "涉及既往产品", "bool"),
)
NEW_FINDING_ROWS = 30


def _findings(ins: Inspection, lk: Lookups) -> SheetLayout:
    handling = dict(lk.terms("handling_kinds"))
    since = ins.scope.ended_on
    rows = []
    for key in _sorted(ins.findings):
        f = ins.findings[key]
        base = f"findings/{key}"
        days: Value = None
        if f.deadline is not None and since is not None:
            days = lk.workdays(since, f.deadline)
        rows.append(make_row(
            key, lk.clause(f.item)[0] if f.item else "", f.description,
            handling.get(f.handling, f.handling), grade_cell(f, lk), f.requirement, f.basis,
            f.deadline, days, YES if f.affects_past_products else NO,
            fields={1: Field(f"{base}/item", "item", required=True),
                    2: Field(f"{base}/description", required=True),
                    3: Field(f"{base}/handling", "handling", required=True),
                    4: Field(f"{base}/grade", "grade"),
                    5: Field(f"{base}/requirement"), 6: Field(f"{base}/basis"),
                    7: Field(f"{base}/deadline", "date"),
                    9: Field(f"{base}/affects_past_products", "bool")},
        ))
    return SheetLayout(FINDINGS, SHEET_TITLES[FINDINGS], FINDING_COLUMNS, tuple(rows),
                       open_rows=NEW_FINDING_ROWS)


TRACKING_COLUMNS = (
    Column("id", "编号"),
    Column("item", "检查项"),
    Column("deadline", "整改期限"),
    Column("due", "现行整改期限（含延期）"),
    Column("state", "整改状态", "finding_state"),
    Column("submitted_on", "提交整改资料日期", "date"),
    Column("evidence", "整改证据", "text"),
    Column("review_mode", "复查方式", "review_mode"),
    Column("reviewed_on", "复查日期", "date"),
    Column("reviewer", "复查人", "text"),
)


def _tracking(ins: Inspection, lk: Lookups) -> SheetLayout:
    """Each finding's rectification to its end (六、9; 十、1; 十、3), one row per finding: the
    round under way (the earlier ones are on 复查记录) and the deadline in force (延期整改)."""
    rows = []
    for key in _sorted(ins.findings):
        f = ins.findings[key]
        base = f"findings/{key}"
        rows.append(make_row(
            key, lk.clause(f.item)[0] if f.item else "", f.deadline, f.due,
            zh(FINDING_STATES, f.state), f.submitted_on, f.evidence,
            zh(REVIEW_MODES, f.review_mode) if f.review_mode else "", f.reviewed_on, f.reviewer,
            fields={4: Field(f"{base}/state", "finding_state"),
                    5: Field(f"{base}/submitted_on", "date"), 6: Field(f"{base}/evidence"),
                    7: Field(f"{base}/review_mode", "review_mode"),
                    8: Field(f"{base}/reviewed_on", "date"), 9: Field(f"{base}/reviewer")},
        ))
    return SheetLayout(TRACKING, SHEET_TITLES[TRACKING], TRACKING_COLUMNS, tuple(rows))


SAMPLING_PRINT = (
    Column("record_id", "记录编号"),
    Column("record", "记录类型 / 产品 / 批号"),
    Column("record_date", "记录日期"),
    Column("where", "条件 / 工序"),
    Column("document", "文件及版本"),
    Column("rules", "抽样规则"),
    Column("reason", "选取理由"),
    Column("data", "记录数据"),
    Column("flags", "标记"),
)
#: the engine's and the register's columns the printed columns above already show
_SHOWN = frozenset({"record_id", "record_type", "product", "batch", "record_date", "condition",
                    "stage", "doc_id", "doc_version", "doc_version_in_force", "lower", "upper",
                    "conclusion", "rules", "reason", "group", "flags"})


def _sampling(ins: Inspection, lk: Lookups) -> SheetLayout:
    """The drawn records as a reader checks them on A4 landscape: nine columns, the register's
    other columns (检验项目, 测量值...) with their names in one 记录数据 cell, flags in words.
    Every value of the draw is on the sheet; the record keeps them column by column."""
    extra = [str(k) for k in lk.get("sampling/columns") if str(k) not in _SHOWN]
    names = {**lk.get("sampling/headers"), **SAMPLING_KNOWN}
    rows = tuple(Row(tuple(text_value(v) for v in _sample_row(r, extra, names)))
                 for r in ins.sampling.rows)
    return SheetLayout(SAMPLING, SHEET_TITLES[SAMPLING], SAMPLING_PRINT, rows)


def _sample_row(r: Mapping[str, Any], extra: Sequence[str], names: Mapping[str, Any]
                ) -> tuple[Value, ...]:
    def get(key: str) -> str:
        value = _plain(r.get(key))
        return "" if value is None else str(value)

    def joined(*keys: str) -> str:
        return " ".join(v for k in keys if (v := get(k)))

    document = " ".join(v for v in (get("doc_id"), get("doc_version")) if v)
    in_force = get("doc_version_in_force")
    if in_force and in_force != get("doc_version"):
        document = f"{document}（现行 {in_force}）" if document else f"现行 {in_force}"
    data = [f"{names.get(k, k)} {v}" for k in extra if (v := get(k))]
    low, high = get("lower"), get("upper")
    if low or high:
        data.append(f"限值 {low or '—'}～{high or '—'}")
    if conclusion := get("conclusion"):
        data.append(f"结论 {conclusion}")
    values = (get("record_id"), joined("record_type", "product", "batch"), get("record_date"),
              joined("condition", "stage"), document, get("rules"), get("reason"),
              "，".join(data), _flags(get("flags")))
    return tuple(v or None for v in values)


def _flags(value: Any) -> Value:
    """The engine's flags (``window_fallback;expanded``) in the reader's words."""
    if not isinstance(value, str) or not value:
        return value
    return "、".join(zh(SAMPLING_FLAGS, code) for code in value.split(";") if code)


def _plain(value: Any) -> Value:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


SIGN_HEIGHT = 42.0


def _signatures(ins: Inspection, lk: Lookups) -> SheetLayout:
    sig, unable = ins.signatures, ins.inability
    counts = dict.fromkeys(RESULTS, 0)
    for sid in ins.scope.sections:
        for item_id, *_rest in lk.checklist(sid):
            code = ins.result(item_id).result
            counts[code] = counts.get(code, 0) + 1
    summary = "、".join(f"{RESULTS[c][0]} {n} 项" for c, n in counts.items() if n)
    summary = f"检查表共 {sum(counts.values())} 项：{summary}；发现问题 {len(ins.findings)} 项"
    handling = dict(lk.terms("handling_kinds"))
    if by_kind := ins.handling_counts:
        summary += "（" + "，".join(
            f"{handling.get(k, k)} {n} 项" for k, n in sorted(by_kind.items())) + "）"
    signers = "、".join(member_name(ins, k) for k in sig.inspector_signers)
    p = "signatures/"
    rows = [
        make_row("检查结果", summary, "六、6；六、7"),
        make_row("检查意见", ins.opinion.conclusion, "六、5 讨论确定检查意见；六、6 通报检查情况",
             fields={1: Field("opinion/conclusion")}),
        make_row("检查意见确定日期", ins.opinion.decided_on, "",
             fields={1: Field("opinion/decided_on", "date")}),
        *verdict_rows(ins, lk),
        make_row("企业签字人", sig.company_signer, "六、7 企业相关人员签字确认",
             fields={1: Field(p + "company_signer")}),
        make_row("企业签字时间", sig.company_signed_at, "",
             fields={1: Field(p + "company_signed_at", "datetime")}),
        make_row("企业拒绝签字", YES if sig.refused else NO, "六、8",
             fields={1: Field(p + "refused", "bool")}),
        make_row("拒绝签字情况说明", sig.refusal_note, "拒绝签字或无法实施检查时注明情况（六、8）",
             fields={1: Field(p + "refusal_note")}),
        make_row("签字检查人员", signers, "拒绝签字时须2名以上检查人员签字（六、8）；姓名以“、”分隔",
             fields={1: Field(p + "inspector_signers", "members")}),
        make_row("见证人在场", YES if sig.witness_present else NO, "六、8",
             fields={1: Field(p + "witness_present", "bool")}),
        make_row("见证人姓名", sig.witness_name, "", fields={1: Field(p + "witness_name")}),
        make_row("见证人已签字", YES if sig.witness_signed else NO, "现场有见证人的须由见证人签字",
             fields={1: Field(p + "witness_signed", "bool")}),
        make_row("无法实施检查", YES if unable.recorded else NO, "由于企业自身原因而无法实施检查（六、8）",
             fields={1: Field("inability/recorded", "bool")}),
        make_row("无法实施检查的情况", unable.reason, "应注明情况（六、8）",
             fields={1: Field("inability/reason")}),
        make_row("注明情况的检查人员", "、".join(member_name(ins, k) for k in unable.noted_by),
             "须2名以上检查人员注明情况并签字确认（六、8）；姓名以“、”分隔",
             fields={1: Field("inability/noted_by", "members")}),
        *_notice_rows(ins),
        make_row("企业负责人（签字）", _drawn(ins, ("company",)), "签字并注明日期", height=SIGN_HEIGHT),
        make_row("检查人员（签字）", _drawn(ins, ins.inspectors), "2名以上检查人员签字并注明日期",
             height=SIGN_HEIGHT),
        make_row("见证人（签字）", _drawn(ins, ("witness",)), "现场有见证人的", height=SIGN_HEIGHT),
    ]
    return SheetLayout(SIGNATURES, SHEET_TITLES[SIGNATURES], FORM_COLUMNS, tuple(rows), form=True)


def _drawn(ins: Inspection, signers: Sequence[str]) -> str:
    """Where the signatures drawn on the screen are (the evidence sheet shows them)."""
    keys = [k for k in _sorted(ins.attachments) if ins.attachments[k].kind == "signature"
            and ins.attachments[k].target.partition("/")[2] in signers]
    return f"已手写签名，见“证据材料” {'、'.join(keys)}" if keys else ""


NOTICE_WORDS = {"result": "结果告知书", "rectification": "整改通知书",
                "suspension": "暂停生产通知书"}


def _notice_rows(ins: Inspection) -> list[Row]:
    """Each written notice's number and date (given by the kit when it is issued) and its
    service: the date, the company's receiver, or its refusal noted by two inspectors."""
    rows = []
    for kind, word in NOTICE_WORDS.items():
        n = ins.notices.get(kind)
        if n is None:
            if kind == "rectification" and not any(f.deadline for f in ins.findings.values()):
                continue
            if kind == "suspension" and not any(f.handling in SUSPENDING
                                                for f in ins.findings.values()):
                continue
            n = Notice()
        p = f"notices/{kind}/"
        rows += [
            make_row(f"{word}文号", n.number, "出具时按办公室文号自动编号"),
            make_row(f"{word}出具日期", n.issued_on, ""),
            make_row(f"{word}送达日期", n.served_on, "六、7 书面告知",
                 fields={1: Field(p + "served_on", "date")}),
            make_row(f"{word}签收人", n.received_by, "企业签收人",
                 fields={1: Field(p + "received_by")}),
            make_row(f"{word}企业拒收", YES if n.refused else NO, "六、8",
                 fields={1: Field(p + "refused", "bool")}),
            make_row(f"{word}拒收见证人员", "、".join(member_name(ins, k) for k in n.witnesses),
                 "六、8 两名以上检查人员",
                 fields={1: Field(p + "witnesses", "members")}),
        ]
    return rows


def _follow_up(ins: Inspection, lk: Lookups) -> SheetLayout:
    fu, past = ins.follow_up, ins.past_products
    p = "follow_up/"
    rows = [
        make_row("当前阶段", zh(STAGES, ins.stage)),
        make_row("整改资料提交日期", fu.submitted_on, "六、9", fields={1: Field(p + "submitted_on", "date")}),
        make_row("复查方式", zh(REVIEW_MODES, fu.review_mode) if fu.review_mode else "", "书面审查或现场复查（六、9）",
             fields={1: Field(p + "review_mode", "review_mode")}),
        make_row("复查日期", fu.reviewed_on, "", fields={1: Field(p + "reviewed_on", "date")}),
        make_row("复查人", fu.reviewer, "", fields={1: Field(p + "reviewer")}),
        make_row("结案日期", fu.closed_on, "", fields={1: Field(p + "closed_on", "date")}),
    ]
    for i, (code, name) in enumerate(lk.terms("follow_up_measures"), 1):
        rows.append(make_row(f"后续措施（{i}）{name}", YES if code in fu.measures else NO, f"十、3.（{i}）",
                         fields={1: Field(p + "measures", "flag", code)}))
    rows.append(make_row("跟踪检查说明", fu.note, "", fields={1: Field(p + "note")}))
    for i, (code, name) in enumerate(lk.terms("past_product_measures"), 1):
        rows.append(make_row(f"既往产品措施（{i}）{name}", YES if code in past.measures else NO, "十、2",
                         fields={1: Field("past_products/measures", "flag", code)}))
    rows.append(make_row("既往产品处理说明", past.note, "十、2",
                     fields={1: Field("past_products/note")}))
    rows += [
        make_row("通报的相关审查单位", past.notified_unit, "十、2 涉及企业在审项目的，及时通报相关审查单位",
             fields={1: Field("past_products/notified_unit")}),
        make_row("通报人", past.notified_by, "十、2", fields={1: Field("past_products/notified_by")}),
        make_row("通报日期", past.notified_on, "十、2",
             fields={1: Field("past_products/notified_on", "date")}),
        *cross_region_rows(ins),
    ]
    return SheetLayout(FOLLOW_UP, SHEET_TITLES[FOLLOW_UP], FORM_COLUMNS, tuple(rows), form=True)


EVIDENCE_COLUMNS = (
    Column("id", "编号"), Column("kind", "类型"), Column("target", "所属"),
    Column("name", "文件名"), Column("size", "大小（KB）"), Column("by", "上传人"),
    Column("at", "时间（北京时间）"), Column("sha256", "SHA-256"), Column("picture", "图片"),
)
#: a row with a picture is as tall as the picture (points)
PICTURE_ROW_PT = 84.0


def attachment_target(ins: Inspection, lk: Lookups, target: str) -> str:
    """What a piece of evidence belongs to, as a reader knows it."""
    kind, _, what = target.partition("/")
    if kind == "results":
        return lk.clause(what)[0] or what
    if kind == "findings":
        finding, _, submission = what.partition("/submissions/")
        return f"问题 {finding} 企业整改资料 {submission}" if submission else f"问题 {finding}"
    if kind == "signatures":
        who = {"company": f"企业签字人 {ins.signatures.company_signer}".strip(),
               "witness": f"见证人 {ins.signatures.witness_name}".strip()}
        return who.get(what) or f"检查人员 {member_name(ins, what)}"
    return target


def _evidence(ins: Inspection, lk: Lookups) -> SheetLayout:
    """Every photo, file and drawn signature: what it is of, who kept it when, its hash, and
    its picture (the seal covers the hash; verify checks each picture against it)."""
    rows = []
    for key in _sorted(ins.attachments):
        a = ins.attachments[key]
        rows.append(Row(tuple(text_value(v) for v in (
            key, zh(ATTACHMENT_KINDS, a.kind), attachment_target(ins, lk, a.target),
            a.name, f"{a.size / 1024:.1f}", a.by, fmt_dt(a.at), a.sha256, None)),
            height=PICTURE_ROW_PT if a.thumb_sha256 else None, picture=a.thumb_sha256))
    return SheetLayout(EVIDENCE, SHEET_TITLES[EVIDENCE], EVIDENCE_COLUMNS, tuple(rows))


AUDIT_COLUMNS = (
    Column("at", "时间（北京时间）"), Column("user", "用户"), Column("action", "操作"),
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


def choices(kind: str, lookups: Lookups) -> list[str]:
    """The words a drop-down offers for a field kind (empty for free text)."""
    if kind == "result":
        return [zh for zh, _en in RESULTS.values()]
    if kind == "handling":
        return [zh for _code, zh in lookups.terms("handling_kinds")]
    if kind == "means":
        return [zh for _code, zh in lookups.terms("means")]
    if kind in ("bool", "flag"):
        return [YES, NO]
    if kind == "review_mode":
        return [word for code, (word, _en) in REVIEW_MODES.items() if code]
    if kind == "finding_state":
        return [word for word, _en in FINDING_STATES.values()]
    if kind == "grade":
        return list(grade_words(lookups).values())
    if kind == "verdict":
        return list(verdict_words(lookups).values())
    return []


#: Each sheet's column headers, in order.
COLUMN_HEADERS: Mapping[str, tuple[str, ...]] = {
    PLAN: tuple(c.header for c in FORM_COLUMNS),
    RECORD: tuple(c.header for c in RECORD_COLUMNS),
    FINDINGS: tuple(c.header for c in FINDING_COLUMNS),
    TRACKING: tuple(c.header for c in TRACKING_COLUMNS),
    OUTCOMES: tuple(c.header for c in OUTCOME_COLUMNS),
    ROUNDS: tuple(c.header for c in ROUND_COLUMNS),
    EXTENSIONS: tuple(c.header for c in EXTENSION_COLUMNS),
    SAMPLING: tuple(c.header for c in SAMPLING_PRINT),
    SIGNATURES: tuple(c.header for c in FORM_COLUMNS),
    FOLLOW_UP: tuple(c.header for c in FORM_COLUMNS),
    EVIDENCE: tuple(c.header for c in EVIDENCE_COLUMNS),
    AUDIT: tuple(c.header for c in AUDIT_COLUMNS),
}
