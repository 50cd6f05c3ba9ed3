"""Whether an exported workbook still shows the record it was exported with, and where not."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kit.errors import Problem, ValidationError
from kit.proof import Certificate, Verdict
from kit.workbook._layout import EVIDENCE, FORMAT, SHEET_NAMES, layout_of
from kit.workbook._seal import (
    HMAC,
    SIGNATURE,
    SIGNING_KEY_ENV,
    Embedded,
    certificate_of,
    check_embedded,
    compare_visible,
    missing_sheets,
    open_workbook,
    read_embedded,
    signing_key,
)
from kit.workbook._view import view_problems


@dataclass(frozen=True)
class VerifyResult:
    """Whether a workbook still shows the record it was exported with, and where it does not.

    ``digest`` is the SHA-256 of the embedded canonical JSON as stored, ``exported_at`` the
    stored export time; ``signed`` says the seal was a signature (checked with the certificate
    the workbook carries, ``certificate``) or an earlier release's HMAC checked with
    ``KIT_SIGNING_KEY``; ``seal_kind`` which. Who signed, and whether to trust them, is
    :meth:`verdict`'s.
    """

    intact: bool
    digest: str
    exported_at: datetime | None
    problems: list[Problem]
    inspection_id: str = ""
    signed: bool = False
    seal_kind: str = ""
    certificate: Certificate | None = None

    def verdict(self, trusted: Sequence[Certificate]) -> Verdict:
        """Intact or changed (what changed), and who signed, trusted or not (``kit verify``)."""
        kind = "工作簿 workbook"
        if not self.digest and not self.inspection_id:
            return Verdict.not_a_kit_file(str(self.problems[0]) if self.problems else
                                          "不是检查工具包导出的工作簿 / not a workbook of the kit")
        errors = tuple(str(p) for p in self.problems if p.severity == "error")
        cert = self.certificate
        if errors:
            return Verdict(False, False, cert.subject if cert else "",
                           cert.fingerprint if cert else "", errors, kind)
        notes = tuple(str(p) for p in self.problems)
        if self.seal_kind == SIGNATURE and cert is not None:
            return Verdict.of_signature(kind, cert, True, trusted, notes)
        if self.seal_kind == HMAC:
            label = ("HMAC 封签（旧版）：仅能证明完整，企业无法核验 / an earlier release's HMAC "
                     "seal: integrity only; the company cannot check it")
            return Verdict(True, self.signed, f"{SIGNING_KEY_ENV} (HMAC)", "",
                           (label, *notes), kind)
        return Verdict(True, False, "", "", (
            "未签名：任何人都能重算其摘要，只能发现无意或简单的改动 / not signed: anyone can "
            "recompute its digest; it shows accidents and naive edits only", *notes), kind)

    def __str__(self) -> str:
        if self.intact:
            head = "完好：自导出以来记录未被修改 / intact: unchanged since export"
        elif not self.digest and not self.inspection_id:
            head = "不是本工具导出的检查记录工作簿 / not a workbook exported by the kit"
        else:
            head = "已被修改 / changed since export"
        lines = [f"{head}（SHA-256 {self.digest or '-'}，导出时间 exported "
                 f"{self.exported_at.isoformat(sep=' ') if self.exported_at else '-'}）"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)




def verify_workbook(path: Path, *, key: bytes | None = None) -> VerifyResult:
    """Whether the workbook still holds and shows the record it was exported with.

    Checks (a) the SHA-256 of the embedded canonical JSON (and the audit trail and seal), and
    (b) every visible cell against a fresh rendering of the embedded record, so a cell edited
    in Excel is named by sheet and cell (in a workbook of an earlier layout, told by its sealed
    number and sheets, the sheets this kit renders as that layout's kit did, the others named
    in a warning), and (c) what a reader sees besides the values: number
    formats, font colours and sizes, hidden rows, columns and sheets, added sheets, comments,
    conditional formats, links, pictures, defined names, macros and embedded objects. With a
    key (``KIT_SIGNING_KEY`` by default) only a keyed seal verifies. See the module docstring
    for what a plain digest can and cannot prove.
    """
    path = Path(path)
    key = key if key is not None else signing_key()
    wb = open_workbook(path)
    try:
        emb = read_embedded(wb)
        if emb is None:
            problem = Problem("workbook.not_kit", "不是检查工具包导出的工作簿（没有校验信息）",
                              "not a workbook exported by the kit (no verification data)",
                              file=str(path))
            return VerifyResult(False, "", None, [problem])
        problems, manifest = check_embedded(emb, key)
        digest = emb.values.get("record_sha256", "")
        try:
            exported_at: datetime | None = datetime.fromisoformat(emb.values["exported_at"])
        except (KeyError, ValueError):
            exported_at = None
        kind = str(manifest.get("seal_kind", ""))
        signed = kind == SIGNATURE or (kind == HMAC and key is not None)
        known: tuple[str, ...] = SHEET_NAMES
        if manifest:
            trusted = not any(p.code == "workbook.record_digest" for p in problems)
            known, found = _layout_problems(wb, emb, manifest, exported_at, trusted, str(path))
            problems += found
        problems += view_problems(path, wb, known, pictures={EVIDENCE: _thumbs(emb.record_text)})
    finally:
        wb.close()
    errors = [p for p in problems if p.severity == "error"]
    return VerifyResult(not errors, digest, exported_at, problems,
                        emb.values.get("inspection_id", ""), signed and not errors, kind,
                        certificate_of(emb) if kind == SIGNATURE else None)


def _layout_problems(wb: Any, emb: Embedded, manifest: Mapping[str, Any],
                     exported_at: datetime | None, trusted: bool, file: str
                     ) -> tuple[tuple[str, ...], list[Problem]]:
    """The sheets the workbook's layout has, and what its cells and sheets show: the layout is
    told by the sealed manifest (its number and sheets), and every sheet this kit renders as
    that layout's kit did is compared cell by cell (those of an untrusted record are not)."""
    written = layout_of(manifest)
    if written is None:
        sheets = tuple(manifest.get("sheets") or ())
        number = manifest.get("format")
        return sheets, [*missing_sheets(wb, sheets), Problem(
            "workbook.older_layout",
            f"此工作簿的版式（{number}，{len(sheets)} 张工作表）不是本工具包所知的版式：已核验其封印和"
            "所载记录，未逐格比对可见单元格（请用导出它的版本比对，或重新导出）",
            f"layout {number} with these {len(sheets)} sheets is not one this kit knows: its seal "
            "and record verify; its visible cells are not compared (use the kit that wrote it, "
            "or export again)", file=file, severity="warning")]
    problems = (compare_visible(wb, emb, manifest, exported_at, written) if trusted
                else missing_sheets(wb, written.sheets))
    if written.is_current:
        return written.sheets, problems
    number, compared = written.number, written.compared
    rest = [s for s in written.sheets if s not in compared]
    if rest:
        zh = (f"逐格比对了{'、'.join(compared)}；{'、'.join(rest)}未逐格比对"
              "（请用导出它的版本比对，或重新导出）" if compared else
              "未逐格比对可见单元格（请用导出它的版本比对，或重新导出）")
        en = (f"the cells of {', '.join(compared)} are compared, those of {', '.join(rest)} "
              "are not (use the kit that wrote it, or export again)" if compared else
              "its visible cells are not compared (use the kit that wrote it, or export again)")
    else:
        zh, en = ("并逐格比对了全部可见单元格；此版式的工作簿不能导入（请重新导出后填写）",
                  "every visible cell is compared; a workbook of this layout is not imported "
                  "(export again to fill it in)")
    problems.append(Problem(
        "workbook.older_layout",
        f"此工作簿由较早版本的工具包导出（版式 {number}，现为 {FORMAT}）：已核验其封印和所载记录，{zh}",
        f"exported by an earlier kit (layout {number}, now {FORMAT}): its seal and record "
        f"verify; {en}", file=file, severity="warning"))
    return written.sheets, problems


def _thumbs(record_text: str) -> set[str]:
    """The pictures the exported record's evidence has (a damaged record has none)."""
    try:
        attachments = json.loads(record_text).get("attachments") or {}
        return {str(a.get("thumb_sha256")) for a in attachments.values()
                if isinstance(a, dict) and a.get("thumb_sha256")}
    except (ValueError, AttributeError):
        return set()


def workbook_inspection_id(path: Path) -> str:
    """The id of the inspection a workbook was exported from, as its hidden sheet says.

    For ``kit import X.xlsx``: find the record to read the workbook against. Raises
    :class:`~kit.errors.ValidationError` for a workbook the kit did not export.
    """
    wb = open_workbook(Path(path))
    try:
        emb = read_embedded(wb)
    finally:
        wb.close()
    if emb is None:
        problem = Problem("workbook.not_kit", "不是检查工具包导出的工作簿（没有校验信息）",
                          "not a workbook exported by the kit (no verification data)",
                          file=str(path))
        raise ValidationError([problem], str(path))
    return emb.values.get("inspection_id", "")
