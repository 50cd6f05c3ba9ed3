"""Sheets nothing is read back from: the audit trail (审计记录) and the kept review rounds
(复查记录). Both are the kit's to write, so a cell that differs from what the workbook showed at
export is reported as a warning naming it, never applied nor dropped unsaid."""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

from kit.errors import Problem
from kit.workbook._layout import AUDIT, ROUNDS, SheetLayout
from kit.workbook._seal import read_cells, same_value, show


def trail_edits(ws: Any, layout: SheetLayout, header: int, file: str) -> list[Problem]:
    """Each cell of the audit trail's sheet that differs from what the workbook showed at
    export, as a warning naming it (the trail is the kit's to write: never applied)."""
    return [Problem("workbook.trail_edited",
                    f"{ref}：审计记录由系统生成，工作簿中的修改（{show(got)}）未导入",
                    "the audit trail is written by the kit: this edit was not imported",
                    file=file, sheet=AUDIT, row=r, column=column, severity="warning")
            for ref, r, column, got, _row in _edited_cells(ws, layout, header)]


def round_edits(ws: Any, layout: SheetLayout, header: int, file: str) -> list[Problem]:
    """Each cell of 复查记录 that differs from what it showed at export, as a warning naming
    it: a kept review round is never changed (the door refuses it), so an edit is not applied."""
    out = []
    for ref, r, column, got, row in _edited_cells(ws, layout, header):
        if row:
            finding, r_key = row[0], row[1]
            zh = f"问题 {finding} 的第 {r_key} 轮复查已记录，不能修改"
            en = f"review round {r_key} of finding {finding} is kept and cannot be changed"
            where = f"findings/{finding}/reviews/{r_key}"
        else:
            zh, en, where = ("复查记录由系统在每轮复查结束时保存，不能在此新增",
                             "review rounds are kept by the kit as each concludes, never added here",
                             "")
        out.append(Problem("review.round_frozen", f"{ref}：{zh}；工作簿中的修改（{show(got)}）未导入",
                           f"{en}; this edit was not imported", field=where, file=file,
                           sheet=ROUNDS, row=r, column=column, severity="warning"))
    return out


def _edited_cells(ws: Any, layout: SheetLayout, header: int
                  ) -> list[tuple[str, int, str, Any, tuple[Any, ...]]]:
    """Each cell of a sheet nothing is read from that differs from what it showed at export:
    (reference, row, column letter, value now, the row's values at export or ())."""
    cells = read_cells(ws)
    rows = [row.values for row in layout.rows]
    last = max((r for r, _c in cells), default=header)
    out = []
    for r in range(header + 1, max(last, header + len(rows)) + 1):
        want = rows[r - header - 1] if r - header - 1 < len(rows) else ()
        for c in range(1, max(len(layout.columns), *(c for rr, c in cells if rr == r), 1) + 1):
            expected = want[c - 1] if c - 1 < len(want) else None
            got = cells.get((r, c), (None, "n"))[0]
            if not same_value(expected, got):
                letter = get_column_letter(c)
                out.append((f"{layout.name}!{letter}{r}", r, letter, got, tuple(want)))
    return out
