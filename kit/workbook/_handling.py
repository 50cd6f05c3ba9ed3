"""What issue 25 added to the written record, as rows: each handling's outcome (十、1), the
review rounds kept (六、9; 十、3（1）), the extensions granted (延期整改), the grade of each finding
and the verdict under the office's grading scheme.

The words of the grades and verdicts come from the scheme in force at export, through
:class:`Lookups`, so a verify years later shows the words exported even after the office
changed ``templates/grading.yaml``; a code the scheme no longer has is shown as the code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kit.labels import REVIEW_MODES, REVIEW_RESULTS, zh
from kit.record import Finding, Inspection
from kit.workbook._layout import (
    EXTENSIONS,
    NO,
    OUTCOMES,
    ROUNDS,
    SHEET_TITLES,
    YES,
    Column,
    Field,
    Lookups,
    Row,
    SheetLayout,
    Value,
    _sorted,
    make_row,
    member_name,
)

#: blank rows below 延期整改 for an extension granted offline
NEW_EXTENSION_ROWS = 10


def _words(pairs: Any) -> dict[str, str]:
    return {str(code): str(word) for code, word in (pairs or ())}


def grade_words(lk: Lookups) -> dict[str, str]:
    """The grades of the scheme in force at export, code -> words (none: not graded)."""
    return _words((lk.scheme() or {}).get("grades"))


def verdict_words(lk: Lookups, scheme: str = "") -> dict[str, str]:
    """The verdicts of ``scheme`` (the one in force at export when empty), code -> words."""
    named = lk.scheme(scheme) if scheme else None
    return _words((named or lk.scheme() or {}).get("verdicts"))


def grade_cell(f: Finding, lk: Lookups) -> str:
    """A finding's grade in the scheme's words (its code when the scheme has no such grade)."""
    return grade_words(lk).get(f.grade, f.grade) if f.grade else ""


# -- the verdict, on 签字确认 ---------------------------------------------------------------------
def verdict_rows(ins: Inspection, lk: Lookups) -> list[Row]:
    """The scheme, the verdict it proposes from the findings' grades, and the verdict the
    leader confirmed or changed (by whom, when, why): 签字确认's rows after the opinion."""
    op = ins.opinion
    named = lk.scheme(op.scheme) if op.scheme else lk.scheme()
    scheme_word = str(named["zh"]) if named else op.scheme
    grades = [ins.findings[k].grade for k in _sorted(ins.findings)]
    proposed = lk.proposed(grades)
    words = verdict_words(lk, op.scheme)
    p = "opinion/"
    return [
        make_row("问题分级办法", scheme_word, "办公室选用的分级办法（templates/grading.yaml）"),
        make_row("建议检查结论", verdict_words(lk).get(proposed, proposed),
                 "按分级办法由各问题等级提出；问题未全部分级时不提出"),
        make_row("检查结论", words.get(op.verdict, op.verdict), "检查组长确认或改变建议结论",
                 fields={1: Field(p + "verdict", "verdict")}),
        make_row("检查结论确认人", op.verdict_by, "", fields={1: Field(p + "verdict_by")}),
        make_row("检查结论确认时间", op.verdict_at, "",
                 fields={1: Field(p + "verdict_at", "datetime")}),
        make_row("改变建议结论的理由", op.verdict_reason, "检查结论与建议结论不同时须写明理由",
                 fields={1: Field(p + "verdict_reason")}),
    ]


# -- the duties across authorities, on 跟踪 ----------------------------------------------------
def cross_region_rows(ins: Inspection) -> list[Row]:
    """The duties across authorities (五、8; 八、5（3）（4））, filled in as they are done."""
    x = ins.cross_region
    p = "cross_region/"
    return [
        make_row("事先沟通的监管部门", x.communicated_with,
             "五、8 涉及委托生产的，提前与受托生产企业所属辖区药品监督管理部门沟通",
             fields={1: Field(p + "communicated_with")}),
        make_row("沟通人", x.communicated_by, "五、8", fields={1: Field(p + "communicated_by")}),
        make_row("沟通日期", x.communicated_on, "五、8",
             fields={1: Field(p + "communicated_on", "date")}),
        make_row("检查报告报送双方监管部门日期", x.report_to_both_on,
             "八、5（3）联合检查的，检查报告同时报送双方所在地监管部门",
             fields={1: Field(p + "report_to_both_on", "date")}),
        make_row("需通报外埠监管部门", YES if x.notify_outside else NO,
             "八、5（4）发现问题需要通报外埠注册人（备案人）或受托生产企业所在地监管部门",
             fields={1: Field(p + "notify_outside", "bool")}),
        make_row("外埠监管部门", x.outside_authority, "八、5（4）",
             fields={1: Field(p + "outside_authority")}),
        make_row("提前报告市药监局日期", x.advance_report_on, "八、5（4）通报前提前报告市药监局",
             fields={1: Field(p + "advance_report_on", "date")}),
        make_row("通报外埠监管部门日期", x.notified_outside_on, "八、5（4）",
             fields={1: Field(p + "notified_outside_on", "date")}),
    ]


# -- 处理结果 -----------------------------------------------------------------------------------
OUTCOME_COLUMNS = (
    Column("id", "编号"),
    Column("item", "检查项"),
    Column("handling", "处理方式（十、1）"),
    Column("corrected_by", "立即纠正确认人", "member"),
    Column("corrected_at", "纠正完成时间", "datetime"),
    Column("warning_on", "安全警示发布日期", "date"),
    Column("warning_channel", "安全警示发布渠道", "text"),
    Column("warning_text", "安全警示内容", "text"),
    Column("case_number", "立案编号", "text"),
    Column("transferred_to", "移交部门", "text"),
    Column("transferred_on", "移交日期", "date"),
    Column("handed_over", "移交材料", "text"),
)


def outcomes(ins: Inspection, lk: Lookups) -> SheetLayout:
    """Each finding carried to its handling's outcome (十、1), one row per finding: corrected
    on site (who saw it, when), the safety warning of a suspension (date, channel, text), the
    case opened or the department it went to (number, to whom, when, what)."""
    handling = dict(lk.terms("handling_kinds"))
    rows = []
    for key in _sorted(ins.findings):
        f = ins.findings[key]
        base = f"findings/{key}/"
        values: tuple[Value, ...] = (
            key, lk.clause(f.item)[0] if f.item else "", handling.get(f.handling, f.handling),
            member_name(ins, f.corrected_by) if f.corrected_by else "", f.corrected_at,
            f.warning_on, f.warning_channel, f.warning_text, f.case_number, f.transferred_to,
            f.transferred_on, f.handed_over)
        fields = {c: Field(base + col.key, col.kind)
                  for c, col in enumerate(OUTCOME_COLUMNS) if col.kind}
        rows.append(make_row(*values, fields=fields))
    return SheetLayout(OUTCOMES, SHEET_TITLES[OUTCOMES], OUTCOME_COLUMNS, tuple(rows))


# -- 复查记录 -----------------------------------------------------------------------------------
ROUND_COLUMNS = (
    Column("finding", "问题编号"),
    Column("round", "复查轮次"),
    Column("submitted_on", "提交整改资料日期"),
    Column("evidence", "整改证据"),
    Column("mode", "复查方式"),
    Column("reviewed_on", "复查日期"),
    Column("reviewer", "复查人"),
    Column("result", "复查结论"),
    Column("note", "说明"),
)


def rounds(ins: Inspection) -> SheetLayout:
    """Every review round a finding concluded before the one under way (六、9; 十、3（1））: kept
    by the kit and never changed, so nothing here is read back (an edit is reported)."""
    rows = []
    for key in _sorted(ins.findings):
        kept = ins.findings[key].reviews
        for r_key in _sorted(kept):
            r = kept[r_key]
            rows.append(make_row(
                key, r_key, r.submitted_on, r.evidence,
                zh(REVIEW_MODES, r.mode) if r.mode else "", r.reviewed_on, r.reviewer,
                zh(REVIEW_RESULTS, r.result), r.note))
    return SheetLayout(ROUNDS, SHEET_TITLES[ROUNDS], ROUND_COLUMNS, tuple(rows))


# -- 延期整改 -----------------------------------------------------------------------------------
EXTENSION_COLUMNS = (
    Column("finding", "问题编号", "finding", required=True),
    Column("key", "延期编号"),
    Column("new_deadline", "延期后的整改期限", "date", required=True),
    Column("reason", "延期理由", "text"),
    Column("approved_by", "批准人", "text"),
    Column("approved_on", "批准日期", "date"),
)


def extensions(ins: Inspection) -> SheetLayout:
    """Each later deadline granted to a finding (E1, E2…; the last in force), and blank rows
    below for one granted offline (问题编号 filled in, 延期编号 left empty)."""
    rows = []
    for key in _sorted(ins.findings):
        granted = ins.findings[key].extensions
        for e_key in _sorted(granted):
            e = granted[e_key]
            base = f"findings/{key}/extensions/{e_key}/"
            rows.append(make_row(
                key, e_key, e.new_deadline, e.reason, e.approved_by, e.approved_on,
                fields={2: Field(base + "new_deadline", "date", required=True),
                        3: Field(base + "reason"), 4: Field(base + "approved_by"),
                        5: Field(base + "approved_on", "date")}))
    return SheetLayout(EXTENSIONS, SHEET_TITLES[EXTENSIONS], EXTENSION_COLUMNS, tuple(rows),
                       open_rows=NEW_EXTENSION_ROWS, key_columns=2)


def row_key(values: Sequence[Any], key_columns: int) -> str:
    """The key a row is found by: its first cell, or its first cells joined by '/'."""
    parts = ["" if v is None else str(v) for v in values[:key_columns]]
    return "/".join(parts) if key_columns > 1 else parts[0] if parts else ""
