"""What changed in a notice since it was issued: the issued notice beside the record as it is.

An issued notice is frozen (its PDF is evidence, never made again); the record may still
change (a finding corrected after service, a deadline moved). :func:`notice_doc` is what a
notice says as plain data, kept with the notice when it is issued; :func:`notice_changes`
compares that with the notice the record would give now, part by part, so the app can show
each difference beside the issued notice. Pure: no store, no file.

>>> from kit.notices._compose import NoticeText
>>> issued = NoticeText("result", "局", "告知书", "001号", "某公司：", ("检查意见：符合",), "",
...                     ("序号", "问题描述"), (("1", "记录不全"),), (), "局", "2026年11月20日",
...                     "", "企业签收", ())
>>> now = NoticeText("result", "局", "告知书", "001号", "某公司：", ("检查意见：基本符合",), "",
...                  ("序号", "问题描述"), (("1", "记录不全"), ("2", "标识缺失")), (), "局",
...                  "2026年11月20日", "", "企业签收", ())
>>> [(c.part, c.issued, c.current) for c in notice_changes(notice_doc(issued), notice_doc(now))]
[('正文 paragraph 1', '检查意见：符合', '检查意见：基本符合'), ('问题 2 finding 2', '', '2｜标识缺失')]
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kit.notices._compose import NoticeText
from kit.workdays import ESTIMATE_MARK

__all__ = ["NoticeChange", "notice_changes", "notice_doc", "notice_json"]

#: the parts of a notice compared one by one: (key in the document, 中文 English)
_SINGLE = (("title", "标题 title"), ("number", "文号 number"), ("addressee", "抬头 addressee"),
           ("table_intro", "问题说明 findings"), ("office", "落款 sign-off"),
           ("dated", "日期 date"), ("receipt_title", "签收栏 receipt"))
_LISTS = (("paragraphs", "正文 paragraph"), ("closing", "结尾 closing"))


@dataclass(frozen=True)
class NoticeChange:
    """One part of the notice as issued and as the record gives it now ("" where none)."""

    part: str
    issued: str
    current: str


def notice_doc(text: NoticeText) -> dict[str, Any]:
    """What a notice says, as plain JSON data (lists for tuples)."""
    return json.loads(json.dumps(dataclasses.asdict(text), ensure_ascii=False))


def notice_json(text: NoticeText) -> str:
    """:func:`notice_doc` as canonical JSON text (sorted keys, no spaces): kept with the notice
    when it is issued."""
    return json.dumps(notice_doc(text), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def _as_now(text: str) -> str:
    """``text`` in the way notices write dates now (2026年11月11日; an estimated count marked
    as every estimate is): a notice issued before that is not shown as changed for it alone.

    >>> _as_now("2026-12-11\\n（15个工作日，估算）")
    '2026年12月11日\\n（15个工作日）（估算）/ estimate'
    """
    text = _ISO_DATE.sub(lambda m: f"{int(m[1])}年{int(m[2])}月{int(m[3])}日", text)
    return re.sub(r"个工作日，估算）", "个工作日）" + ESTIMATE_MARK, text)


def _row(row: Sequence[Any]) -> str:
    return "｜".join(str(c) for c in row)


def _signer(s: Mapping[str, Any]) -> str:
    drawn = "已签名" if s.get("picture") else "未签名"
    return f"{s.get('role', '')} {s.get('name', '')}（{drawn}）"


def notice_changes(issued_doc: Mapping[str, Any], current_doc: Mapping[str, Any]
                   ) -> list[NoticeChange]:
    """Every part in which the notice the record gives now (``current_doc``) differs from the
    notice as issued (``issued_doc``), in the order the notice prints them: the letterhead,
    single lines, each paragraph, each row of the findings' table (by its number), each signature. Both are
    :func:`notice_doc` documents; an empty list when nothing a reader would see changed. The
    receipt's lines are not compared: the service is a record of its own (送达回证), made
    after the notice was issued."""
    out: list[NoticeChange] = []

    def compare(part: str, old: str, new: str) -> None:
        if _as_now(old) != _as_now(new):
            out.append(NoticeChange(part, old, new))

    compare("发文机关 letterhead", str(issued_doc.get("letterhead", "")),
            str(current_doc.get("letterhead", "")))
    for key, label in _SINGLE[:3]:
        compare(label, str(issued_doc.get(key, "")), str(current_doc.get(key, "")))
    for key, label in _LISTS[:1]:
        _lines(compare, label, issued_doc.get(key) or [], current_doc.get(key) or [])
    compare(_SINGLE[3][1], str(issued_doc.get("table_intro", "")),
            str(current_doc.get("table_intro", "")))
    old_rows = [_row(r) for r in issued_doc.get("table_rows") or []]
    new_rows = [_row(r) for r in current_doc.get("table_rows") or []]
    for i in range(max(len(old_rows), len(new_rows))):
        compare(f"问题 {i + 1} finding {i + 1}", old_rows[i] if i < len(old_rows) else "",
                new_rows[i] if i < len(new_rows) else "")
    _lines(compare, _LISTS[1][1], issued_doc.get("closing") or [],
           current_doc.get("closing") or [])
    for key, label in _SINGLE[4:]:
        compare(label, str(issued_doc.get(key, "")), str(current_doc.get(key, "")))
    compare("联系方式 contact", str(issued_doc.get("contact", "")),
            str(current_doc.get("contact", "")))
    _lines(compare, "签名 signature", [_signer(s) for s in issued_doc.get("signers") or []],
           [_signer(s) for s in current_doc.get("signers") or []])
    return out


def _lines(compare: Any, label: str, old: Sequence[Any], new: Sequence[Any]) -> None:
    for i in range(max(len(old), len(new))):
        compare(f"{label} {i + 1}", str(old[i]) if i < len(old) else "",
                str(new[i]) if i < len(new) else "")
