"""The year's plan as saved (五、1): its lines, each made an inspection with one tap.

The analytics page's last section shows it (``notebooks/analytics.ipynb``): the saved lines of
a year (id, month, company, team, state, the inspection made), a page at a time; 新建 on an open
line makes its inspection through the door (:meth:`kit.door.Door.new_from_line`: the company as
the register has it, the scope, the month's first working day, the proposed team) and links to
it in the inspector's app; 保存计划 keeps the plan just computed, for office leaders only.

It imports :mod:`kit.planning` (and so pandas): the inspector's app never loads it, and
:mod:`kit.widgets` does not re-export it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

import ipywidgets as W

from kit.dates import parse_date
from kit.door import Door, SavedLine, plan_refusal
from kit.planning import YearPlan, save_year_plan
from kit.widgets._common import TOUCH, PageLook, coloured, message_html, shown_if
from kit.widgets._fields import DATE_HINT, guarded
from kit.workdays import ESTIMATE_MARK

__all__ = ["PLAN_PAGE", "PlanLinesWidget", "app_link"]

#: how many lines the table shows at once
PLAN_PAGE = 25

#: the table's columns: heading and width
_COLUMNS = (("计划行 Line", "6.5em"), ("月份 Month", "6.5em"), ("企业 Company", "17em"),
            ("检查组 Team", "9em"), ("状态 State", "8.5em"), ("检查记录 Inspection", "11em"))
_STATES = (("全部 all", ""), ("未开始 not done", "open"), ("已建检查 done", "done"),
           ("已撤销 withdrawn", "withdrawn"))


def app_link(app_url: str, inspection_id: str, label: str | None = None) -> str:
    """A link opening ``inspection_id`` in the inspector's app (its address scheme:
    ``?id=ID&stage=preparation``), a finger's size."""
    href = f"{app_url}?{urlencode({'id': inspection_id, 'stage': 'preparation'}, safe='.')}"
    return (f"<a class='kit-open-inspection' href='{html.escape(href, quote=True)}' "
            f"target='_blank' style='display:inline-flex;align-items:center;min-height:44px;"
            f"color:#0b57d0;text-decoration:underline'>"
            f"{html.escape(label or inspection_id)}</a>")


def _matches(saved: SavedLine, text: str, month: int, state: str) -> bool:
    line = saved.line
    if month and line.month != month:
        return False
    wanted = {"done": saved.done, "withdrawn": saved.withdrawn and not saved.done,
              "open": not (saved.done or saved.withdrawn)}
    if state and not wanted[state]:
        return False
    if not text:
        return True
    hay = " ".join((saved.id, line.company, line.credit_code, line.leader, line.inspector,
                    saved.inspection_id or "")).upper()
    return text.upper() in hay


class PlanLinesWidget(W.VBox):
    """The saved lines of ``year``'s plan; with ``plan`` (that year's, just computed), the
    button that saves it (office leaders; anyone on one machine). ``app_url`` is the
    inspector's app's address (beside this page on the office server: ``app.ipynb``)."""

    def __init__(self, door: Door, year: int, plan: YearPlan | None = None, *,
                 app_url: str = "app.ipynb") -> None:
        self.door, self.year, self.plan, self.app_url = door, year, plan, app_url
        self.lines: list[SavedLine] = []
        self.page = 0
        self.heading = W.HTML()
        self.save_button = W.Button(description="保存计划 Save the plan", button_style="primary",
                                    tooltip="保存本年度计划：保留仍在计划中的计划行编号 / keep the plan; "
                                            "lines that remain keep their ids",
                                    layout=W.Layout(width="auto"))
        self.save_button.add_class("kit-plan-save")
        self.save_button.on_click(lambda _b: self._guard(self.save))
        shown_if(self.save_button, plan is not None and plan.year == year
                 and plan_refusal(door.identity) is None)
        self.start = W.Text(placeholder=DATE_HINT, layout=W.Layout(width="11em"))
        self.start.add_class("kit-plan-start")
        self.search = W.Text(placeholder="搜索企业、计划行、检查员 search", continuous_update=False,
                             layout=W.Layout(width="19em", max_width="100%"))
        self.search.add_class("kit-plan-search")
        self.month = W.Dropdown(options=[("全部月份 every month", 0),
                                         *((f"{m} 月", m) for m in range(1, 13))],
                                layout=W.Layout(width="13em"))
        self.state = W.Dropdown(options=_STATES, layout=W.Layout(width="11em"))
        for w in (self.search, self.month, self.state):
            w.observe(lambda _c: self.show(0), names="value")
        self.previous = W.Button(description="◀ 上一页", layout=W.Layout(width="auto"))
        self.next = W.Button(description="下一页 ▶", layout=W.Layout(width="auto"))
        self.previous.on_click(lambda _b: self.show(self.page - 1))
        self.next.on_click(lambda _b: self.show(self.page + 1))
        self.where = W.HTML()
        self.message = W.HTML()
        self.message.add_class("kit-plan-message")
        self.table = W.VBox()
        self.table.add_class("kit-plan-table")
        wrap = W.Layout(flex_flow="row wrap", align_items="center")
        super().__init__([
            PageLook(), self.heading,
            W.HBox([self.save_button, W.HTML("检查开始 Start："), self.start,
                    W.HTML(message_html("留空：该月第一个工作日 / blank: the month's first "
                                        "working day", "muted", tag="small"))], layout=wrap),
            W.HBox([self.search, self.month, self.state], layout=wrap),
            self.message, self.table,
            W.HBox([self.previous, self.where, self.next], layout=wrap),
        ])
        self.add_class("kit-plan-lines")
        self.add_class(TOUCH)
        self.refresh()

    # -- reading -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the year's saved lines again and show the page."""
        self.lines = self.door.plan_lines(self.year)
        done = sum(1 for s in self.lines if s.done)
        withdrawn = sum(1 for s in self.lines if s.withdrawn and not s.done)
        self.heading.value = (
            f"<h3>{self.year} 年度计划（已保存） / the saved plan of {self.year}</h3>"
            + (message_html(f"{len(self.lines)} 行：已建检查 {done}，已撤销 {withdrawn}，未开始 "
                            f"{len(self.lines) - done - withdrawn} / {len(self.lines)} lines, "
                            f"{done} done", "muted")
               if self.lines else message_html(
                   f"{self.year} 年度计划尚未保存 / no plan of {self.year} saved yet"
                   + ("：点“保存计划”保存 / save it above"
                      if self.save_button.layout.display != "none" else ""), "warning")))
        self.show(self.page)

    def shown_lines(self) -> list[SavedLine]:
        """The lines the search, month and state choose (every page)."""
        text = self.search.value.strip()
        return [s for s in self.lines
                if _matches(s, text, int(self.month.value or 0), self.state.value or "")]

    def show(self, page: int) -> None:
        """Show page ``page`` (from 0) of the chosen lines."""
        chosen = self.shown_lines()
        pages = max(1, -(-len(chosen) // PLAN_PAGE))
        self.page = min(max(page, 0), pages - 1)
        rows = chosen[self.page * PLAN_PAGE:(self.page + 1) * PLAN_PAGE]
        self.table.children = [self._header(), *(self._row(s) for s in rows)]
        self.where.value = (f"第 {self.page + 1}/{pages} 页，{len(chosen)} 行 / page "
                            f"{self.page + 1} of {pages}, {len(chosen)} lines")
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= pages - 1

    @staticmethod
    def _cells(cells: Sequence[str]) -> list[W.Widget]:
        return [W.HTML(c, layout=W.Layout(width=w, min_width=w))
                for c, (_h, w) in zip(cells, _COLUMNS, strict=False)]

    def _header(self) -> W.Widget:
        row = W.HBox(self._cells([f"<b>{h}</b>" for h, _w in _COLUMNS]),
                     layout=W.Layout(flex_flow="row wrap"))
        row.add_class("kit-plan-head")
        return row

    def _row(self, saved: SavedLine) -> W.Widget:
        line = saved.line
        team = "、".join(html.escape(n) for n in line.members) or "—"
        below = " · ".join(x for x in (line.credit_code, line.level_zh) if x)
        company = f"{html.escape(line.company)}<br><small>{html.escape(below)}</small>"
        if saved.inspection_id:
            made: W.Widget = W.HTML(app_link(self.app_url, saved.inspection_id),
                                    layout=W.Layout(width=_COLUMNS[-1][1]))
        elif saved.withdrawn:
            made = W.HTML("—", layout=W.Layout(width=_COLUMNS[-1][1]))
        else:
            button = W.Button(description="新建 New", button_style="success",
                              tooltip=f"按计划行 {saved.id} 新建检查 / make its inspection",
                              layout=W.Layout(width="auto"))
            button.add_class("kit-plan-new")
            button.on_click(lambda _b, lid=saved.id: self._guard(self.make, lid))
            made = button
        row = W.HBox([*self._cells([html.escape(saved.id), f"{line.year}-{line.month:02d}",
                                    company, team, html.escape(saved.state)]), made],
                     layout=W.Layout(flex_flow="row wrap", align_items="center",
                                     border_bottom="1px solid #ddd"))
        row.add_class("kit-plan-line")
        row.add_class(f"kit-plan-line-{saved.id}")
        return row

    # -- acting --------------------------------------------------------------------------
    def make(self, line_id: str) -> str:
        """Make the inspection line ``line_id`` plans (新建), starting on the date given or the
        month's first working day; say so with a link to it in the app. A refusal (the line
        done, by whom and which inspection; withdrawn; a company not in the register; not
        allowed) is said instead, nothing made."""
        start = parse_date(self.start.value)
        made = self.door.new_from_line(line_id, start=start)
        when = made.start.isoformat() + (ESTIMATE_MARK if made.estimated else "")
        self.refresh()
        self.message.value = coloured(
            f"已按计划行 {html.escape(line_id)} 新建检查 {html.escape(made.inspection_id)}，开始 "
            f"{html.escape(when)} / made from line {html.escape(line_id)}: "
            + app_link(self.app_url, made.inspection_id,
                       f"在检查员工作台打开 {made.inspection_id} / open it in the app"), "ok")
        return made.inspection_id

    def save(self) -> None:
        """Keep the plan computed (保存计划): re-saved, lines that remain keep their ids."""
        if self.plan is None:
            return
        saved = save_year_plan(self.door, self.plan)
        self.refresh()
        self.message.value = coloured(html.escape(saved.summary()).replace("\n", "<br>"), "ok")

    def _guard(self, fn: Callable[..., Any], *args: Any) -> None:
        guarded(self._say, fn, *args)

    def _say(self, text: str, *, error: bool = False) -> None:
        """A refusal in its own words (nothing was made); the lines as they are now beneath
        it: it may say someone else made the line meanwhile."""
        if error:
            self.refresh()
        self.message.value = message_html(text, "error" if error else "ok")
