"""The printed record and notices: the workbook rendered to PDF by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import load_workbook

from kit.door import Door
from kit.errors import InputError, KitError
from kit.interchange._workbook import pictures_of, verified
from kit.notices import compose
from kit.record import NOTICE_KINDS
from kit.workbook import (
    SHEET_NAMES,
    fit_rows_for_print,
    notice_sheet,
    write_notices,
    write_workbook,
)

__all__ = ["PDF_TIMEOUT_S", "export_notice", "export_pdf"]

#: how long LibreOffice may take to print a record (it starts cold in a fresh profile)
PDF_TIMEOUT_S = 180
AUDIT_SHEET = SHEET_NAMES[-1]  # the trail, last


def export_pdf(door: Door, inspection_id: str, out: Path, *, with_audit: bool = False
               ) -> Path:
    """The printed record: its workbook rendered to PDF by LibreOffice, followed by the
    notices issued so far (检查结果告知书, 整改通知书), the audit trail as an appendix only
    with ``with_audit`` (it is most of the pages). The same checks as the workbook come
    first; without LibreOffice, a clear :class:`KitError`."""
    soffice = _soffice()
    inspection = verified(door, inspection_id)
    with tempfile.TemporaryDirectory(prefix="kit-pdf-") as tmp:
        work = Path(tmp)
        book = write_workbook(inspection, work / f"{out.stem}.xlsx",
                              audit=door.audit(inspection_id) if with_audit else (),
                              pictures=pictures_of(door, inspection))
        # the printout only (the sealed workbook stays as exported): the notices issued so
        # far after the record, and no empty trail page unless the trail is asked for
        wb = load_workbook(book)
        for ws in wb.worksheets:
            if ws.sheet_state == "visible":
                fit_rows_for_print(ws)
        trail = wb[AUDIT_SHEET]
        if not with_audit:
            trail.sheet_state = "hidden"
        for kind in NOTICE_KINDS:
            if kind in inspection.notices and inspection.notices[kind].number:
                ws = notice_sheet(wb, compose(inspection, kind))
                if with_audit:  # the trail stays the last, an appendix
                    wb.move_sheet(ws, offset=wb.index(trail) - wb.index(ws))
        wb.save(book)
        return _to_pdf(soffice, book, out)


def export_notice(door: Door, inspection_id: str, kinds: Sequence[str], out: Path) -> Path:
    """The notices of ``kinds`` as a workbook (``.xlsx``) or a PDF to print and serve; a
    notice not yet issued prints as a draft, its number left for issuing."""
    for kind in kinds:
        if kind not in NOTICE_KINDS:
            msg = (f"没有这种文书：{kind}（可用：result、rectification） / no such notice "
                   f"{kind!r}: result or rectification")
            raise InputError(msg)
    inspection = door.inspection(inspection_id)
    texts = [compose(inspection, k) for k in kinds]  # type: ignore[arg-type]
    if out.suffix.lower() != ".pdf":
        return write_notices(texts, out)
    soffice = _soffice()
    with tempfile.TemporaryDirectory(prefix="kit-pdf-") as tmp:
        book = write_notices(texts, Path(tmp) / f"{out.stem}.xlsx")
        return _to_pdf(soffice, book, out)


def _soffice() -> str:
    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    if soffice is None:
        msg = ("未找到 LibreOffice，无法生成 PDF：请安装（Debian: apt-get install "
               "libreoffice-calc-nogui），或导出 .xlsx 后自行打印 / LibreOffice is not installed: "
               "install it, or export .xlsx and print that")
        raise KitError(msg)
    return soffice


def _to_pdf(soffice: str, book: Path, out: Path) -> Path:
    """``book`` printed to ``out`` by LibreOffice, in a throwaway profile."""
    work = book.parent
    try:
        subprocess.run([soffice, f"-env:UserInstallation=file://{work / 'profile'}",
                        "--headless", "--convert-to", "pdf", "--outdir", str(work),
                        str(book)], check=True, capture_output=True, timeout=PDF_TIMEOUT_S)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        msg = f"LibreOffice 未能生成 PDF / LibreOffice could not print the record: {exc}"
        raise KitError(msg) from None
    made = work / f"{book.stem}.pdf"
    if not made.is_file():
        msg = "LibreOffice 未生成 PDF 文件 / LibreOffice wrote no PDF"
        raise KitError(msg)
    shutil.move(str(made), out)
    return out


