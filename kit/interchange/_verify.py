"""``kit verify``: any file the kit signs, checked with no secret, one table of exit codes.

A workbook (.xlsx), a JSON record or a PDF is told by its content, not its name. The verdict
separates *intact* from *trusted* (Sigstore's verify does the same: who signed is a finding of
its own): 0 intact and signed by a trusted certificate, 3 intact but the signer is not trusted
(or it is not signed, or an earlier release's HMAC seal the company cannot check), 1 changed
(what changed), 2 not a file of the kit.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

from kit import proof
from kit.errors import KitError, ValidationError
from kit.interchange._json import verify_json
from kit.proof import Certificate, Verdict
from kit.workbook import verify_workbook

__all__ = ["verify_file"]


def verify_file(path: Path, trusted: Sequence[Certificate]) -> tuple[Verdict, str]:
    """The verdict on ``path`` and, for a workbook, the full report (every cell that changed)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return Verdict.not_a_kit_file(f"无法读取 {path}：{exc.strerror} / cannot read it"), ""
    if head.startswith(b"%PDF-"):
        return proof.verify_pdf(path.read_bytes(), list(trusted)), ""
    if head.startswith(b"PK") and zipfile.is_zipfile(path):
        try:
            result = verify_workbook(path)
        except ValidationError as exc:  # a zip bomb or a sheet past the limits
            return Verdict.not_a_kit_file(str(exc)), ""
        except KitError as exc:
            return Verdict.not_a_kit_file(str(exc)), ""
        return result.verdict(trusted), str(result)
    if head.lstrip()[:1] in (b"{", b"\xef"):
        return verify_json(path, list(trusted)), ""
    return Verdict.not_a_kit_file(
        f"{path} 不是本工具包的工作簿、JSON 记录或 PDF / not a workbook, JSON record or PDF "
        "of the kit"), ""
