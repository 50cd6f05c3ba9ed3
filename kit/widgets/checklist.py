"""The checklist of 七: one widget per section, generated from the guide and the profile.

A :class:`SectionWidget` shows every item of one section (检查内容, 检查方法, or 委托生产's focus
points, plus an office's own items from the profile) as one compact row each: one tap per
result, the notes, means of 八 and evidence unfolding under it, each autosaved. :class:`ChecklistWidget` offers the sections in scope and builds only
the one being looked at, so the app opens fast; above it, :class:`TeamProgress` shows the
team's progress per section (四、1), kept current as colleagues save (the app polls).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable

import ipywidgets as W

from kit.guide import load_guide
from kit.labels import RESULTS
from kit.profiles import Profile, section_items
from kit.rules import progress
from kit.session import Session
from kit.widgets._common import session_profile
from kit.widgets._rows import ChecklistRows

__all__ = [
    "ChecklistWidget",
    "SectionWidget",
    "TeamProgress",
]

class SectionWidget(W.VBox):
    """All items of one section of 七 under the inspection's profile, as compact rows
    (:class:`~kit.widgets._rows.ChecklistRows`), with the section's progress."""

    def __init__(self, session: Session, section_id: str, profile: Profile | None = None, *,
                 on_finding: Callable[[str], None] | None = None) -> None:
        guide = load_guide()
        self.session = session
        self.section = guide.section(section_id)
        profile = profile or session_profile(session)
        self.clauses = section_items(profile, section_id, guide)
        self.rows = ChecklistRows(session, self.clauses, on_finding=on_finding)
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
        session.on_change(self._refresh_progress)
        self._refresh_progress("*")
        super().__init__([W.HTML(head), self.progress, self.rows])
        self.add_class("kit-section")
        self.add_class("kit-section-" + section_id.replace(".", "_"))

    @property
    def item_ids(self) -> list[str]:
        return [c.id for c in self.clauses]

    def _refresh_progress(self, path: str) -> None:
        if path != "*" and not path.startswith("results/"):
            return
        ins = self.session.inspection
        counts: Counter[str] = Counter(ins.result(i).result for i in self.item_ids)
        done = len(self.item_ids) - counts["unchecked"]
        parts = "，".join(f"{RESULTS[c][0]} {counts[c]}" for c in RESULTS if counts[c])
        self.progress.value = (f"<div class='kit-progress'>已检查 {done}/{len(self.item_ids)} "
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
    """The section picker (each section's progress, the whole's), previous and next, and
    the one section shown: only the sections looked at are built."""

    def __init__(self, session: Session, section_id: str | None = None, *,
                 on_section: Callable[[str], None] | None = None,
                 on_finding: Callable[[str], None] | None = None) -> None:
        self.session = session
        self.on_section = on_section
        self.on_finding = on_finding
        guide = load_guide()
        self.sections = [s for s in guide.sections if s.id in session.inspection.scope.sections]
        self.chooser = W.Dropdown(layout=W.Layout(width="auto", max_width="100%",
                                                  flex="1 1 16em"))
        self.chooser.add_class("kit-section-chooser")
        self.previous = W.Button(description="◀ 上一节", tooltip="previous section",
                                 layout=W.Layout(width="auto"))
        self.previous.add_class("kit-section-previous")
        self.next = W.Button(description="下一节 ▶", tooltip="next section",
                             layout=W.Layout(width="auto"))
        self.next.add_class("kit-section-next")
        self.previous.on_click(lambda _b: self.step(-1))
        self.next.on_click(lambda _b: self.step(1))
        self.overall = W.HTML()
        self.overall.add_class("kit-overall")
        self.body = W.VBox()
        self._built: dict[str, SectionWidget] = {}
        self._quiet = False
        self.team = TeamProgress(session)
        nav = W.HBox([self.previous, self.chooser, self.next, self.overall],
                     layout=W.Layout(flex_flow="row wrap", align_items="center"))
        nav.add_class("kit-checklist-nav")
        self.nav = nav
        self.refresh_labels()
        if not self.sections:
            self.body.children = [W.HTML("检查范围内没有检查节 / no section in scope "
                                         "(准备 → 检查范围)")]
        else:
            ids = [s.id for s in self.sections]
            self._set_value(section_id if section_id in ids else ids[0])
            self._show(self.chooser.value)
        self.chooser.observe(self._chosen, names="value")
        session.on_change(self._changed)
        super().__init__([nav, self.body, self.team])
        self.add_class("kit-checklist")

    def _set_value(self, section_id: str) -> None:
        self._quiet = True
        try:
            self.chooser.value = section_id
        finally:
            self._quiet = False

    def refresh_labels(self) -> None:
        """Each section's label with its progress (done/total, nonconformities), and the whole."""
        rows = {r.section: r for r in progress(self.session.inspection,
                                               session_profile(self.session))}
        options = []
        for s in self.sections:
            r = rows.get(s.id)
            count = f" · {r.checked}/{r.total}" if r is not None else ""
            wrong = r.counts.get("nonconform", 0) if r is not None else 0
            options.append((f"{s.label} {s.text.zh}{count}" + (f" · ✖{wrong}" if wrong else ""),
                            s.id))
        current = self.chooser.value
        self._quiet = True
        try:
            self.chooser.options = options
            if current in {v for _l, v in options}:
                self.chooser.value = current
        finally:
            self._quiet = False
        done = sum(r.checked for r in rows.values())
        total = sum(r.total for r in rows.values())
        bad = sum(r.counts.get("nonconform", 0) for r in rows.values())
        self.overall.value = (f"<span class='kit-overall-text'>全部 {done}/{total}"
                              + (f"，不符合 {bad}" if bad else "") + "</span>")

    def _changed(self, path: str) -> None:
        if path == "*" or path.startswith(("results/", "scope/", "team")):
            self.refresh_labels()

    def _chosen(self, change: dict[str, object]) -> None:
        if not self._quiet and isinstance(change["new"], str):
            self._show(change["new"])

    def step(self, by: int) -> None:
        """Go to the previous (-1) or next (+1) section in scope."""
        ids = [s.id for s in self.sections]
        if not ids or self.chooser.value not in ids:
            return
        i = min(max(ids.index(self.chooser.value) + by, 0), len(ids) - 1)
        self._set_value(ids[i])
        self._show(ids[i])

    def _show(self, section_id: str | None) -> None:
        if section_id is None:
            return
        if section_id not in self._built:
            self._built[section_id] = SectionWidget(self.session, section_id,
                                                    on_finding=self.on_finding)
        self.body.children = [self._built[section_id]]
        ids = [s.id for s in self.sections]
        self.previous.disabled = ids.index(section_id) == 0
        self.next.disabled = ids.index(section_id) == len(ids) - 1
        if self.on_section is not None:
            self.on_section(section_id)

    @property
    def current(self) -> SectionWidget | None:
        return self._built.get(self.chooser.value) if self.chooser.value else None
