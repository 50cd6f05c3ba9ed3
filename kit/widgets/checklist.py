"""The checklist of 七: one widget per section, generated from the guide and the profile.

A :class:`SectionWidget` shows every item of one section (检查内容, 检查方法, or 委托生产's focus
points, plus an office's own items from the profile) with its result, notes, means of 八 and
evidence, each autosaved. :class:`ChecklistWidget` offers the sections in scope and builds only
the one being looked at, so the app opens fast; above it, :class:`TeamProgress` shows the
team's progress per section (四、1), kept current as colleagues save (the app polls).
"""

from __future__ import annotations

import html
from collections import Counter
from functools import cache

import ipywidgets as W

from kit.guide import Clause, load_guide
from kit.labels import RESULTS, zh
from kit.profiles import Profile, section_items
from kit.rules import progress
from kit.session import Session
from kit.widgets._common import MUTED, session_profile, table_options, vocab_options
from kit.widgets._fields import BoundField, ProblemList, field

__all__ = [
    "RESULT_OPTIONS",
    "ChecklistWidget",
    "ItemWidget",
    "SectionWidget",
    "TeamProgress",
]

#: 符合, 不符合, 不适用, then 未检查 (a result is a choice made; not checked comes last)
RESULT_OPTIONS = (*table_options(RESULTS, exclude=("unchecked",)),
                  (zh(RESULTS, "unchecked"), "unchecked"))


@cache
def _item_layout() -> W.Layout:
    return W.Layout(border="1px solid #ddd", padding="6px", margin="4px 0")


class ItemWidget(W.VBox):
    """One checklist item: the guide's words, then result, notes, means and evidence."""

    def __init__(self, session: Session, item: Clause) -> None:
        self.item = item
        base = f"results/{item.id}"
        office = item.id.startswith("x.")
        tag = "（本局补充 office item）" if office else ""
        header = W.HTML(
            f'<div class="kit-item-text"><b>{html.escape(item.label)}</b>{tag} '
            f"{html.escape(item.zh)}<br><span style='color:{MUTED};font-size:90%'>"
            f"{html.escape(item.en)}</span></div>"
        )
        self.result = field(session, f"{base}/result", "结果 Result", "buttons", RESULT_OPTIONS)
        self.notes = field(session, f"{base}/notes", "记录 Notes", "textarea",
                           placeholder="检查情况 what was seen")
        self.means = field(session, f"{base}/means", "检查手段 Means", "multichoice",
                           vocab_options("means"))
        self.evidence = field(session, f"{base}/evidence", "证据 Evidence", "text",
                              placeholder="证据材料编号、照片、记录编号")
        super().__init__(
            [header, self.result, self.notes, self.means, self.evidence], layout=_item_layout()
        )
        self.add_class("kit-item")
        self.add_class("kit-item-" + item.id.replace(".", "_"))

    @property
    def fields(self) -> list[BoundField]:
        return [self.result, self.notes, self.means, self.evidence]


class SectionWidget(W.VBox):
    """All items of one section of 七 under the inspection's profile, with progress."""

    def __init__(self, session: Session, section_id: str, profile: Profile | None = None) -> None:
        guide = load_guide()
        self.session = session
        self.section = guide.section(section_id)
        profile = profile or session_profile(session)
        items = section_items(profile, section_id, guide)
        self.items = [ItemWidget(session, item) for item in items]
        owner_names = [session.inspection.team[k].name or k
                       for k in session.inspection.owners(section_id)]
        title = self.section.text
        intro = [c for c in self.section.children if c.kind in ("paragraph", "heading")]
        head = (f"<h3>{html.escape(self.section.label)} {html.escape(title.zh)}"
                f" <small>{html.escape(title.en)}</small></h3>")
        head += "".join(f"<p>{html.escape(c.zh)}</p>" for c in intro)
        head += (f"<div>负责检查员 Inspector: {html.escape('、'.join(owner_names) or '未分配')}"
                 "</div>")
        self.progress = W.HTML()
        self.problems = ProblemList(session, [f"results/{i.item.id}" for i in self.items])
        session.on_change(self._refresh_progress)
        self._refresh_progress("*")
        super().__init__([W.HTML(head), self.progress, *self.items, self.problems])
        self.add_class("kit-section")
        self.add_class("kit-section-" + section_id.replace(".", "_"))

    def _refresh_progress(self, path: str) -> None:
        if path != "*" and not path.startswith("results/"):
            return
        ins = self.session.inspection
        counts: Counter[str] = Counter(ins.result(i.item.id).result for i in self.items)
        done = len(self.items) - counts["unchecked"]
        parts = "，".join(f"{RESULTS[c][0]} {counts[c]}" for c in RESULTS if counts[c])
        self.progress.value = (f"<div class='kit-progress'>已检查 {done}/{len(self.items)} "
                               f"checked — {html.escape(parts)}</div>")


class TeamProgress(W.Accordion):
    """The team's progress per section in scope: who answers for it, how much is checked, how
    many items do not conform; this person's own sections first in bold."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.table = W.HTML()
        self.table.add_class("kit-team-progress")
        super().__init__([self.table])
        if self._mine(session.inspection.leaders):
            self.selected_index = 0  # open for the leader, who answers for the whole
        session.on_change(self._on_change)
        self.refresh()

    def _on_change(self, path: str) -> None:
        if path == "*" or path.split("/", 1)[0] in ("results", "team", "scope"):
            self.refresh()

    def _mine(self, owners: tuple[str, ...]) -> bool:
        team = self.session.inspection.team
        return any(team[k].user == self.session.user or team[k].name == self.session.user
                   for k in owners if k in team)

    def refresh(self) -> None:
        ins = self.session.inspection
        rows = progress(ins, session_profile(self.session))
        done, total = sum(r.checked for r in rows), sum(r.total for r in rows)
        self.set_title(0, f"检查组进度 Team progress：已检查 {done}/{total}")
        body = []
        for r in sorted(rows, key=lambda r: not self._mine(r.owners)):
            names = "、".join(ins.team[k].name or k for k in r.owners if k in ins.team)
            bad = r.counts.get("nonconform", 0)
            cells = (f"{r.label} {r.title}", names or "未分配 unassigned",
                     f"{r.checked}/{r.total}", str(bad) if bad else "")
            tag = "b" if self._mine(r.owners) else "span"
            body.append("<tr>" + "".join(f"<td><{tag}>{html.escape(c)}</{tag}></td>"
                                         for c in cells) + "</tr>")
        self.table.value = (
            "<table class='kit-table'><thead><tr><th>检查节 Section</th><th>负责检查员 Inspector"
            "</th><th>已检查 Checked</th><th>不符合 Nonconform</th></tr></thead><tbody>"
            + "".join(body) + "</tbody></table>")


class ChecklistWidget(W.VBox):
    """Pick a section in scope; only that section's widget is built and shown."""

    def __init__(self, session: Session, section_id: str | None = None) -> None:
        self.session = session
        guide = load_guide()
        in_scope = [s for s in guide.sections if s.id in session.inspection.scope.sections]
        options = [(f"{s.label} {s.text.zh}", s.id) for s in in_scope]
        self.chooser = W.Dropdown(options=options, description="检查节 Section",
                                  style={"description_width": "8em"},
                                  layout=W.Layout(width="32em"))
        self.chooser.add_class("kit-section-chooser")
        self.body = W.VBox()
        self._built: dict[str, SectionWidget] = {}
        if not options:
            self.body.children = [W.HTML("检查范围内没有检查节 / no section in scope "
                                         "(准备 → 检查范围)")]
        else:
            ids = [v for _k, v in options]
            self.chooser.value = section_id if section_id in ids else ids[0]
            self._show(self.chooser.value)
        self.chooser.observe(lambda c: self._show(c["new"]), names="value")
        self.team = TeamProgress(session)
        super().__init__([self.team, self.chooser, self.body])

    def _show(self, section_id: str | None) -> None:
        if section_id is None:
            return
        if section_id not in self._built:
            self._built[section_id] = SectionWidget(self.session, section_id)
        self.body.children = [self._built[section_id]]

    @property
    def current(self) -> SectionWidget | None:
        return self._built.get(self.chooser.value) if self.chooser.value else None
