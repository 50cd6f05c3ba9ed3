"""The one home of every code's words: code -> (中文, English), for screens, workbook and training.

The record stores codes (``nonconform``, ``on_site``, ``leader``); people read words. Every
table that turns a code of the record, or a flag of the sampling engine, into words lives
here, and the apps, the workbook, the training exercises and the analysts' tables all read
it, so a word changed here changes everywhere at once. The guide's own vocabularies (roles,
inspection types, means, handling kinds, measures) are read from the guide by :func:`vocab`.

>>> RESULTS["nonconform"]
('不符合', 'does not conform')
>>> zh(STAGES, "on_site")
'现场检查'
>>> options(vocab("means"))[0]
('语言交流', 'interview')
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from kit.guide import load_guide

__all__ = [
    "ANALYSIS_COLUMNS",
    "ATTACHMENT_KINDS",
    "CERTIFICATES",
    "COOPERATION",
    "DEVICE_CLASSES",
    "FINDING_STATES",
    "ITEM_KINDS",
    "LICENCE_KINDS",
    "MEMBER_ROLES",
    "NOTICE_KINDS",
    "PARTNER_REGIONS",
    "PARTNER_RELATIONS",
    "PAST_FINDING_STATES",
    "PLAN_STATES",
    "PRODUCTION_STATES",
    "REGISTER_COLUMNS",
    "RESULTS",
    "REVIEW_MODES",
    "REVIEW_RESULTS",
    "SAMPLING_COLUMNS",
    "SAMPLING_FLAGS",
    "SAMPLING_TABLE_COLUMNS",
    "STAGES",
    "SUBMISSION_CHANNELS",
    "TABLES",
    "YES_NO",
    "Label",
    "Table",
    "en",
    "flag_words",
    "options",
    "vocab",
    "zh",
]

Label = tuple[str, str]
Table = Mapping[str, Label]


def _table(entries: dict[str, Label]) -> Table:
    return MappingProxyType(entries)


#: The four results an item can have, in the order a form offers them after 未检查.
RESULTS = _table({
    "unchecked": ("未检查", "not checked"),
    "conform": ("符合", "conforms"),
    "nonconform": ("不符合", "does not conform"),
    "not_applicable": ("不适用", "not applicable"),
})

#: Where a record stands, from preparation to closure.
STAGES = _table({
    "preparation": ("检查前准备", "preparation"),
    "on_site": ("现场检查", "on site"),
    "reporting": ("检查文书与签字", "record and signatures"),
    "follow_up": ("跟踪整改", "follow-up"),
    "closed": ("已结案", "closed"),
})

LICENCE_KINDS = _table({
    "business_licence": ("营业执照", "business licence"),
    "production_licence": ("医疗器械生产许可证", "production licence"),
    "class1_production_filing": ("第一类医疗器械生产备案凭证", "class I production filing"),
    "contract_production_filing": ("医疗器械委托生产备案凭证", "contract production filing"),
})

CERTIFICATES = _table({
    "registration": ("注册证", "registration certificate"),
    "filing": ("备案凭证", "filing certificate"),
})

DEVICE_CLASSES = _table({
    "I": ("第一类", "class I"),
    "II": ("第二类", "class II"),
    "III": ("第三类", "class III"),
})

PARTNER_RELATIONS = _table({
    "contract_manufacturer": ("受托生产企业（本企业委托）", "contract manufacturer (we entrust)"),
    "client": ("委托方注册人（本企业受托）", "client registrant (we are entrusted)"),
})

PARTNER_REGIONS = _table({
    "same_district": ("同一辖区", "same district"),
    "same_city": ("本市不同辖区", "another district of Beijing"),
    "other_province": ("外省市", "another province"),
})

PAST_FINDING_STATES = _table({
    "open": ("未整改", "not rectified"),
    "rectifying": ("整改中", "being rectified"),
    "closed": ("已整改", "rectified"),
})

MEMBER_ROLES = _table({
    "leader": ("检查组长", "team leader"),
    "inspector": ("检查员", "inspector"),
    "expert": ("专家", "expert"),
})

PLAN_STATES = _table({
    "draft": ("草稿", "draft"),
    "submitted": ("已提交审核", "submitted for review"),
    "approved": ("已批准", "approved"),
})

COOPERATION = _table({
    "none": ("无", "none"),
    "joint": ("联合检查", "joint inspection"),
    "delegated": ("委托检查", "delegated inspection"),
})

FINDING_STATES = _table({
    "open": ("待整改", "to rectify"),
    "submitted": ("已提交", "submitted"),
    "passed": ("复查合格", "passed on review"),
    "failed": ("复查不合格", "failed on review"),
})

REVIEW_MODES = _table({
    "": ("未定", "not decided"),
    "written": ("书面审查", "written review"),
    "on_site": ("现场复查", "on-site recheck"),
})

#: The kinds of checklist item in 七.
ITEM_KINDS = _table({
    "content": ("检查内容", "what to check"),
    "method": ("检查方法", "how to check"),
    "focus": ("重点关注", "focus point"),
})

YES_NO = _table({"yes": ("是", "yes"), "no": ("否", "no")})

#: The flags a record chosen by the sampling engine (九) may carry.
SAMPLING_FLAGS = _table({
    "window_fallback": ("按最近生产周期抽取", "drawn from the latest production cycle"),
    "outside_window": ("不在抽样窗口内", "outside the sampling window"),
    "expanded": ("补充抽取", "added to confirm a difference"),
    "discrepancy": ("数据差别较大", "data differ a lot"),
    "version_mismatch": ("文件版本不符", "document version not the one in force"),
    "data_conclusion_mismatch": ("数据与结论不一致", "data contradict the conclusion"),
    "trace_gap": ("追溯缺环节", "traceability gap"),
})

#: The lead columns of the sampling engine's selection, in its order.
SAMPLING_COLUMNS = _table({
    "record_id": ("记录编号", "record id"),
    "rules": ("抽样规则", "rules"),
    "reason": ("选取理由", "reason"),
    "group": ("分组", "group"),
    "doc_version_in_force": ("适用文件版本", "version in force"),
    "flags": ("标记", "flags"),
})

NOTICE_KINDS = _table({
    "result": ("检查结果告知书", "notice of the inspection's result"),
    "rectification": ("整改通知书", "rectification notice"),
    "suspension": ("暂停生产通知书", "notice to suspend production"),
})

#: Where production suspended under 十、1 stands: suspended until a review passed (on site,
#: when the office's rule says so), then resumed.
PRODUCTION_STATES = _table({
    "suspended": ("暂停生产", "production suspended"),
    "resumed": ("复查合格，恢复生产", "resumed after a review that passed"),
})

#: How the company's rectification material came (六、9): online, by mail, in the workbook.
SUBMISSION_CHANNELS = _table({
    "portal": ("企业在线提交", "online by the company"),
    "mail": ("邮寄或电子邮件", "by mail"),
    "workbook": ("工作簿返回", "returned in the workbook"),
})

#: What a review round concluded (六、9; 十、3（1）).
REVIEW_RESULTS = _table({
    "passed": ("合格", "passed"),
    "failed": ("不合格", "failed"),
})

ATTACHMENT_KINDS = _table({
    "photo": ("照片", "photo"),
    "file": ("文件", "file"),
    "signature": ("手写签名", "drawn signature"),
})

#: The columns of the draw's summary and group tables (九), as the app shows them.
SAMPLING_TABLE_COLUMNS = _table({
    "product": ("产品", "product"),
    "record_type": ("记录类型", "record type"),
    "group": ("分组", "group"),
    "condition": ("条件", "condition"),
    "window_start": ("抽样窗口起", "window from"),
    "window_end": ("抽样窗口止", "window to"),
    "window_fallback": ("按最近生产周期", "latest production cycle"),
    "n_groups": ("组数", "groups"),
    "n_in_window": ("窗口内记录数", "records in the window"),
    "n_selected": ("抽取数", "drawn"),
    "n_drawn": ("抽取数", "drawn"),
    "n_window_fallback": ("按最近周期抽取数", "drawn from the latest cycle"),
    "n_outside_window": ("窗口外", "outside the window"),
    "n_expanded": ("补充抽取数", "added"),
    "n_sampled": ("合计抽取", "sampled in all"),
    "n_discrepancy": ("数据差别较大", "differ a lot"),
    "discrepancy": ("数据差别较大", "differ a lot"),
    "n_version_mismatch": ("文件版本不符", "version not in force"),
    "n_data_conclusion_mismatch": ("数据与结论不一致", "data against conclusion"),
    "n_trace_gap": ("追溯缺环节", "traceability gaps"),
    "defect_rate_ucl_95": ("不合格率95%上限", "defect rate, 95% upper bound"),
    "discrepancy_column": ("差别最大的数据", "most different data"),
    "relative_difference": ("差别（相对）", "difference (relative)"),
    "note": ("说明", "note"),
})

#: The canonical columns of the company's registers (九): records, products, documents.
REGISTER_COLUMNS = _table({
    "record_id": ("记录编号", "record id"),
    "record_type": ("记录类型", "record type"),
    "product": ("产品", "product"),
    "batch": ("批号", "batch or serial number"),
    "record_date": ("记录日期", "record date"),
    "condition": ("条件", "condition"),
    "stage": ("工序", "process stage"),
    "doc_id": ("文件编号", "document id"),
    "doc_version": ("文件版本", "document version"),
    "lower": ("下限", "lower limit"),
    "upper": ("上限", "upper limit"),
    "conclusion": ("结论", "conclusion"),
    "registration_no": ("注册证号", "registration number"),
    "volume": ("产量", "production volume"),
    "class": ("管理类别", "device class"),
    "high_risk": ("高风险", "high risk"),
    "version": ("版本", "version"),
    "effective_from": ("生效日期", "effective from"),
    "effective_to": ("失效日期", "effective to"),
    "title": ("文件名称", "document title"),
})

#: The analysts' tables' columns (:mod:`kit.analytics`) as charts name their axes, each with
#: its unit: a count in 个/次/家/项, days in 天, a share in % (the tables keep it as 0-1).
ANALYSIS_COLUMNS = _table({
    "n_findings": ("问题数（个）", "findings (count)"),
    "n_inspections": ("检查次数（次）", "inspections (count)"),
    "findings_per_inspection": ("每次检查问题数（个/次）", "findings per inspection"),
    "n_to_rectify": ("须整改问题数（个）", "findings to rectify (count)"),
    "n_overdue": ("逾期问题数（个）", "findings overdue (count)"),
    "overdue_rate": ("逾期率（%）", "overdue rate (%)"),
    "workdays_overdue": ("逾期工作日（天）", "working days overdue (days)"),
    "n_repeat_items": ("重复问题项数（项）", "repeat items (count)"),
    "n_led": ("任组长次数（次）", "inspections led (count)"),
    "days_on_site": ("现场检查天数（天）", "days on site (days)"),
    "n_items_recorded": ("记录检查项数（项）", "items recorded (count)"),
    "company": ("企业", "company"),
    "section": ("节", "section"),
    "label": ("条款", "clause"),
    "type_zh": ("检查方式", "inspection type"),
    "inspector": ("检查员", "inspector"),
    "quarter": ("季度", "quarter"),
    "year": ("年度", "year"),
    "month": ("月份", "month"),
})

#: Every table by name (``kit.labels.TABLES["results"]``), for code that picks one by name.
TABLES: Mapping[str, Table] = MappingProxyType({
    "results": RESULTS,
    "stages": STAGES,
    "licence_kinds": LICENCE_KINDS,
    "certificates": CERTIFICATES,
    "device_classes": DEVICE_CLASSES,
    "partner_relations": PARTNER_RELATIONS,
    "partner_regions": PARTNER_REGIONS,
    "past_finding_states": PAST_FINDING_STATES,
    "member_roles": MEMBER_ROLES,
    "plan_states": PLAN_STATES,
    "cooperation": COOPERATION,
    "review_modes": REVIEW_MODES,
    "review_results": REVIEW_RESULTS,
    "production_states": PRODUCTION_STATES,
    "finding_states": FINDING_STATES,
    "item_kinds": ITEM_KINDS,
    "yes_no": YES_NO,
    "sampling_flags": SAMPLING_FLAGS,
    "sampling_columns": SAMPLING_COLUMNS,
    "register_columns": REGISTER_COLUMNS,
    "attachment_kinds": ATTACHMENT_KINDS,
    "notice_kinds": NOTICE_KINDS,
    "sampling_table_columns": SAMPLING_TABLE_COLUMNS,
    "analysis_columns": ANALYSIS_COLUMNS,
})


@cache
def vocab(name: str) -> Table:
    """A vocabulary of the guide (``means``, ``handling_kinds``...) as code -> (中文, English)."""
    return _table({t.code: (t.zh, t.en) for t in load_guide().terms(name)})


def zh(table: Table, code: str) -> str:
    """The Chinese word for ``code``, or the code itself when the table does not know it."""
    label = table.get(code)
    return label[0] if label is not None else code


def en(table: Table, code: str) -> str:
    """The English word for ``code``, or the code itself."""
    label = table.get(code)
    return label[1] if label is not None else code


def options(table: Table, *, exclude: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
    """``(中文, code)`` pairs in the table's order, as a drop-down or toggle offers them."""
    return tuple((zh_, code) for code, (zh_, _en) in table.items() if code not in exclude)


def flag_words(flags: str, *, sep: str = "、") -> str:
    """A selection's ``flags`` cell (codes joined by ``;``) in Chinese: ``补充抽取、追溯缺环节``."""
    return sep.join(zh(SAMPLING_FLAGS, f.strip()) for f in flags.split(";") if f.strip())
