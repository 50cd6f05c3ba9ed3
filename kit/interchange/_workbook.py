"""The Excel workbook of a stored inspection: exported sealed, imported after every cell is
checked, and through the door like any change (a colleague's change made meanwhile is a
conflict named by its cell, never overwritten)."""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from kit import workbook
from kit.dates import beijing_now
from kit.door import Door, FieldConflictError
from kit.errors import NotFoundError, Problem, ValidationError
from kit.record import Inspection, from_doc
from kit.rectify import returned_submissions
from kit.workbook import write_workbook

if TYPE_CHECKING:
    from kit.proof import Signer
    from kit.workbook import Change

__all__ = ["IMPORT_STEPS", "Imported", "export_workbook", "import_workbook", "pictures_of",
           "verified"]

log = logging.getLogger(__name__)

#: the steps of a workbook's import, as :func:`import_workbook` reports them
IMPORT_STEPS = ("读取工作簿 reading", "核对每个单元格 checking", "保存 saving")


def export_workbook(door: Door, inspection_id: str, out: Path, *,
                    signer: Signer | None = None) -> Path:
    """Write the inspection's workbook, sealed (signed by ``signer`` when given), after its
    trail is verified.

    A record whose audit trail does not verify (a value changed without its entry, a broken
    chain, missing protections) is refused with every problem listed: a seal must never vouch
    for a record that was changed without a trace. What is signed is computed here from the
    store after that replay, never taken from the caller.
    """
    inspection = verified(door, inspection_id)
    return write_workbook(inspection, out, audit=door.audit(inspection_id),
                          pictures=pictures_of(door, inspection), signer=signer)


def pictures_of(door: Door, inspection: Inspection) -> dict[str, bytes]:
    """The evidence's thumbnails the workbook places, by SHA-256 (those the store has)."""
    out = {}
    for a in inspection.attachments.values():
        if a.thumb_sha256 and a.thumb_sha256 not in out:
            with contextlib.suppress(NotFoundError):  # verify reports the missing bytes
                out[a.thumb_sha256] = door.evidence(inspection.id, a.thumb_sha256)[1]
    return out


def verified(door: Door, inspection_id: str) -> Inspection:
    """The stored inspection, once its trail verifies; else every problem, raised."""
    problems = door.verify(inspection_id)
    if problems:
        raise ValidationError(problems, f"检查记录 {inspection_id} 的审计记录核验未通过，未导出 / "
                                        f"the trail of {inspection_id} does not verify; not exported")
    return door.inspection(inspection_id)


class Imported(NamedTuple):
    """What an import of a workbook did: the inspection, how many changes each part of the
    record took (``{"results": 12, "findings": 2}``), and the edits not applied (warnings
    naming their cells: the audit trail's sheet)."""

    id: str
    parts: dict[str, int]
    ignored: list[Problem]


def import_workbook(door: Door, path: Path, *,
                    on_step: Callable[[str], object] | None = None) -> Imported:
    """Apply a workbook filled in by hand to its inspection (:class:`Imported` says what).

    Every cell is checked first, against the record as it was read; then the changes go
    through the door with the versions read, so a field a colleague changed while the cells
    were being checked is a conflict, never overwritten. Any problem raises with its sheet
    and cell and nothing is applied. What is applied goes into the audit trail as one
    ``import``. ``on_step`` is told each of :data:`IMPORT_STEPS` as it starts (``kit import``
    draws a bar); the changes are logged by part of the record. Edits of the audit trail's
    sheet are not applied (the trail is the kit's to write) and come back as warnings.
    """
    step = on_step or (lambda _name: None)
    if not path.is_file():
        msg = f"找不到文件 {path} / no such file"
        raise NotFoundError(msg)
    step(IMPORT_STEPS[0])
    iid = workbook.workbook_inspection_id(path)  # the reader loads here: an export needs none
    record = door.open(iid)
    current = from_doc({**record.doc, "id": iid}, what=f"inspection {iid}")
    step(IMPORT_STEPS[1])
    filled = workbook.read_filled(path, current, used_keys=door.keys_ever(iid, "findings"))
    changes = filled.changes
    step(IMPORT_STEPS[2])
    if changes:
        written = {c.path: c.value for c in changes}
        # the company's 整改证据 returned in the workbook: a submission round, as online
        written.update(returned_submissions(
            current, written, user=door.user, at=beijing_now(),
            taken={k: door.keys_ever(iid, f"findings/{k}/submissions") for k in current.findings
                   if f"findings/{k}/evidence" in written}))
        try:
            door.write(iid, written, expected=record.versions, action="import")
        except FieldConflictError as exc:
            raise ValidationError(_conflicts(exc, changes), str(path)) from None
        except ValidationError as exc:
            raise ValidationError([_at_cell(p, changes) for p in exc.problems],
                                  str(path)) from None
    parts = dict(sorted(Counter(c.path.split("/", 1)[0] for c in changes).items()))
    log.info("imported %s into %s: %d change(s) %s", path.name, iid, len(changes), parts)
    for problem in filled.ignored:
        log.warning("%s", problem)
    return Imported(iid, parts, filled.ignored)


def _change_of(field: str, changes: Sequence[Change]) -> Change | None:
    """The workbook's change that wrote ``field`` (itself, or the entry it lies in)."""
    for c in changes:
        if field == c.path or field.startswith(c.path + "/"):
            return c
    return None


def _at_cell(problem: Problem, changes: Sequence[Change]) -> Problem:
    """A problem the door found, placed at the sheet and cell it came from."""
    change = _change_of(problem.field, changes)
    if change is None:
        return problem
    return replace(problem, sheet=change.sheet, column=change.cell)


def _conflicts(exc: FieldConflictError, changes: Sequence[Change]) -> list[Problem]:
    """Each field a colleague changed while the workbook was checked, at its cell."""
    out = []
    for conflict in exc.conflicts:
        zh, en = conflict.describe()
        change = _change_of(conflict.path, changes)
        out.append(Problem("workbook.conflict", f"{zh}；工作簿中的修改未导入", f"{en}; the "
                           "workbook's change was not imported", field=conflict.path,
                           sheet=change.sheet if change else "",
                           column=change.cell if change else ""))
    return out
