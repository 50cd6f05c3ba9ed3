"""现场检查 (六): the ten steps with their times, and adjustments of the plan (六、4)."""

from __future__ import annotations

import html

import ipywidgets as W

from kit.dates import beijing_now
from kit.errors import KitError
from kit.guide import load_guide
from kit.session import Session
from kit.widgets._collection import CollectionWidget, Column
from kit.widgets._common import MUTED
from kit.widgets._fields import ProblemList, field

__all__ = [
    "OnsiteWidget",
    "StepWidget",
]


class StepWidget(W.VBox):
    """One step of 六: the guide's words, done (stamped with the time) and a note."""

    def __init__(self, session: Session, step_id: str) -> None:
        clause = load_guide().item(step_id)
        self.session = session
        self.step_id = step_id
        self.done = field(session, f"steps/{step_id}/done", "已完成 Done", "bool")
        self.at = field(session, f"steps/{step_id}/at", "时间 Time", "datetime")
        self.note = field(session, f"steps/{step_id}/note", "记录 Note", "textarea")
        self.done.control.observe(self._stamp, names="value")
        text = W.HTML(f"<b>{html.escape(clause.label)}</b> {html.escape(clause.zh)}<br>"
                      f"<span style='color:{MUTED};font-size:90%'>{html.escape(clause.en)}</span>")
        super().__init__([text, self.done, self.at, self.note],
                         layout=W.Layout(border="1px solid #ddd", padding="6px", margin="3px 0"))
        self.add_class("kit-step")

    def _stamp(self, change: dict[str, object]) -> None:
        """Ticking a step records when, unless a time was entered already."""
        if change["new"] and not self.session.get(f"steps/{self.step_id}/at"):
            try:
                self.session.set(f"steps/{self.step_id}/at",
                                 beijing_now())
            except KitError:
                return  # the field shows the record's value; nothing was lost


class OnsiteWidget(W.VBox):
    """六 检查的实施: the ten steps, then the plan adjustments."""

    def __init__(self, session: Session) -> None:
        guide = load_guide()
        steps = [StepWidget(session, c.id) for c in guide.part(6).items("item")]
        adjustments = CollectionWidget(session, "adjustments", [
            Column("description", "调整内容 Change", "textarea"),
            Column("at", "时间 Time", "datetime"),
            Column("approved_by", "批准人（原派出机构）Approved by"),
            Column("approved_at", "批准时间 Approved at", "datetime"),
        ], prefix="A", title="方案调整 adjustment",
            new_entry=lambda s: {"description": "",
                                 "at": beijing_now().isoformat()})
        super().__init__([
            W.HTML("<h3>六、检查的实施 Conduct of the inspection</h3>"), *steps,
            W.HTML(f"<h4>检查方案调整 Plan adjustments（六、4）</h4>"
                   f"<p>{html.escape(guide.item('6.4').zh)}</p>"),
            adjustments,
            ProblemList(session, ["steps", "adjustments", "plan"]),
        ])
        self.add_class("kit-onsite")
