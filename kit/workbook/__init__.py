"""The Excel workbook: the inspection's written record, print-ready, fillable offline, sealed.

:func:`write_workbook` renders an inspection into twelve sheets (检查方案, 现场检查记录,
问题与整改, 记录抽样, 签字确认, 整改跟踪, 处理结果, 复查记录, 延期整改, 跟踪, 证据材料, 审计记录)
styled by the office's template (``templates/workbook.xlsx``; its 说明 sheet explains the
convention), and embeds the record's canonical JSON, its SHA-256 and the export time in a very
hidden sheet. A finding's grade and the verdict are shown in the words of the office's grading
scheme in force at export (``templates/grading.yaml``), recorded with the workbook.

:func:`verify_workbook` recomputes the digest and renders the embedded record again, comparing
every visible cell, so an edit is reported with its sheet and cell. :func:`read_workbook`
reads a copy filled in by hand and returns the changes to apply, or raises
:class:`~kit.errors.ValidationError` listing every bad cell; :func:`apply_changes` applies them.

The sheets as the writer lays them out are the layout, numbered (:data:`FORMAT`): each number
names one layout, recorded in :data:`LAYOUTS` with the fingerprint of each sheet
(:func:`sheet_fingerprints`), and a test fails when the writer changes without a new number.
A workbook of an earlier layout is told by the number and sheets its seal covers: its seal and
record are verified, and the cells of the sheets this kit renders as that kit did.

What the seal can and cannot prove: a plain SHA-256 is written by anyone who can run this
code, so it detects accidental and naive edits (a cell changed in Excel, the hidden JSON
altered) but not a forger who rewrites the visible cells, the JSON and the digest together.
An office that needs forgery to be detectable sets ``KIT_SIGNING_KEY`` (a secret kept off the
inspectors' copies of the workbook) when exporting and verifying: the seal is then an
HMAC-SHA256 that only a holder of the key can make.

Every text is written as text: openpyxl would store ``=...`` as a formula and ``#N/A`` as an
error, so strings get the text type, text cells the ``@`` format, and text starting with
``= + - @`` the quote prefix Excel uses for a typed apostrophe. The file is a plain .xlsx: no
macros, no external links, no formulas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit._lazy import lazy_names

if TYPE_CHECKING:
    from kit.workbook._layout import (
        CURRENT_LAYOUT,
        FORMAT,
        LAYOUTS,
        SHEET_NAMES,
        AuditLike,
        Change,
        ReplayError,
        WorkbookLayout,
        layout_of,
    )
    from kit.workbook._notice import (
        PDF_TIMEOUT_S,
        notice_pdf,
        notice_sheet,
        print_pdf,
        print_signatures,
        service_pdf,
        soffice,
        write_notices,
    )
    from kit.workbook._notice import SHEET_NAMES as NOTICE_SHEETS
    from kit.workbook._print import fit_rows_for_print
    from kit.workbook._read import (
        CellError,
        Filled,
        apply_changes,
        parse_date,
        read_filled,
        read_workbook,
    )
    from kit.workbook._seal import sheet_fingerprints
    from kit.workbook._sheets import COLUMN_HEADERS
    from kit.workbook._verify import VerifyResult, verify_workbook, workbook_inspection_id
    from kit.workbook._write import canonical_json, write_workbook

__all__ = [
    "COLUMN_HEADERS",
    "CURRENT_LAYOUT",
    "FORMAT",
    "LAYOUTS",
    "NOTICE_SHEETS",
    "PDF_TIMEOUT_S",
    "SHEET_NAMES",
    "AuditLike",
    "CellError",
    "Change",
    "Filled",
    "ReplayError",
    "VerifyResult",
    "WorkbookLayout",
    "apply_changes",
    "canonical_json",
    "fit_rows_for_print",
    "layout_of",
    "notice_pdf",
    "notice_sheet",
    "parse_date",
    "print_pdf",
    "print_signatures",
    "read_filled",
    "read_workbook",
    "service_pdf",
    "sheet_fingerprints",
    "soffice",
    "verify_workbook",
    "workbook_inspection_id",
    "write_notices",
    "write_workbook",
]

#: where each name of the package lives, loaded when first asked for
_FROM: dict[str, str] = {
    "CURRENT_LAYOUT": "_layout", "FORMAT": "_layout", "LAYOUTS": "_layout",
    "SHEET_NAMES": "_layout", "AuditLike": "_layout", "Change": "_layout",
    "ReplayError": "_layout", "WorkbookLayout": "_layout", "layout_of": "_layout",
    "PDF_TIMEOUT_S": "_notice", "notice_pdf": "_notice", "notice_sheet": "_notice",
    "print_pdf": "_notice", "print_signatures": "_notice", "service_pdf": "_notice",
    "soffice": "_notice", "write_notices": "_notice",
    "fit_rows_for_print": "_print",
    "CellError": "_read", "Filled": "_read", "apply_changes": "_read", "parse_date": "_read",
    "read_filled": "_read", "read_workbook": "_read",
    "sheet_fingerprints": "_seal",
    "COLUMN_HEADERS": "_sheets",
    "VerifyResult": "_verify", "verify_workbook": "_verify", "workbook_inspection_id": "_verify",
    "canonical_json": "_write", "write_workbook": "_write",
}
#: names the package gives under another name than their module's
_RENAMED: dict[str, tuple[str, str]] = {
    "NOTICE_SHEETS": ("_notice", "SHEET_NAMES"),
}


# loaded when first asked for: writing a record's workbook loads neither the notices nor their
# printing
__getattr__ = lazy_names(__name__, _FROM, _RENAMED)
