"""The written notices an inspection serves on the company: the 检查结果告知书 (六、7 书面告知)
and the 整改通知书 (六、9; 十、1 书面明确整改要求及整改期限).

An office keeps their letterhead, numbering scheme and wording in ``templates/notices.yaml``
(:func:`load_notice_templates` checks it), and each issuing authority's own (a 分局's
letterhead, sign-off, titles, number shapes and starting numbers: its ``authorities:``
section, :meth:`NoticeTemplates.issuer`); :func:`compose` fills the template of the authority
that inspects from the record into a :class:`NoticeText`, which the workbook prints on A4,
every date written 2026年11月11日. :func:`next_number` gives the next document number of a
year in a scheme; the session issues it.
"""

from __future__ import annotations

from kit.notices._changes import NoticeChange, notice_changes, notice_doc, notice_json
from kit.notices._compose import (
    TABLE_HEADERS,
    NoticeSigner,
    NoticeText,
    cn_date,
    compose,
    listed_findings,
    service_lines,
)
from kit.notices._template import (
    PLACEHOLDERS,
    SIGNER_ROLES,
    NoticeTemplate,
    NoticeTemplates,
    follows_scheme,
    load_notice_templates,
    next_number,
    notices_file,
    template_problems,
)

__all__ = [
    "PLACEHOLDERS",
    "SIGNER_ROLES",
    "TABLE_HEADERS",
    "NoticeChange",
    "NoticeSigner",
    "NoticeTemplate",
    "NoticeTemplates",
    "NoticeText",
    "cn_date",
    "compose",
    "follows_scheme",
    "listed_findings",
    "load_notice_templates",
    "next_number",
    "notice_changes",
    "notice_doc",
    "notice_json",
    "notices_file",
    "service_lines",
    "template_problems",
]
