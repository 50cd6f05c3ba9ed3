"""Duties across authorities, where the guide puts them: 五、8 the prior communication with
the other side's authority (preparation, with the cooperation); 八、5（3）a joint inspection's
report to both authorities and 八、5（4）the advance report before an authority outside Beijing
is told of a problem (the record stage). Each part shows when the inspection calls for it, or
while the record holds something in it."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as W

from kit.record import Inspection
from kit.session import Session
from kit.widgets._common import shown_if
from kit.widgets._fields import ProblemList, field

__all__ = ["communication_panel", "cross_report_panel"]

P = "cross_region"


def _follow(session: Session, box: W.Widget, shown: Callable[[Inspection], object]) -> None:
    """Show ``box`` while ``shown(inspection)`` holds, following every change."""

    def refresh(_path: str = "*") -> None:
        shown_if(box, bool(shown(session.inspection)))

    session.on_change(refresh)
    refresh()


def communication_panel(session: Session) -> W.Widget:
    """五、8: with whom, by whom and when the other authority was told in advance (a joint or
    delegated inspection of contract manufacturing)."""
    box = W.VBox([
        W.HTML("<b>事先沟通 Prior communication（五、8）</b><br><small>涉及跨辖区委托生产的，"
               "应提前与对方所属辖区药品监督管理部门沟通 / before a joint or delegated "
               "inspection, tell the other side's authority</small>"),
        field(session, f"{P}/communicated_with", "沟通的部门 With"),
        field(session, f"{P}/communicated_by", "沟通人 By"),
        field(session, f"{P}/communicated_on", "沟通日期 On", "date"),
    ])
    box.add_class("kit-communication")
    _follow(session, box, lambda ins: ins.scope.cooperation in ("joint", "delegated") or (
        ins.cross_region.communicated_with or ins.cross_region.communicated_by
        or ins.cross_region.communicated_on is not None))
    return box


def cross_report_panel(session: Session) -> W.Widget:
    """八、5（3）the report to both authorities (joint inspections); 八、5（4）a problem to be
    told to an authority outside Beijing: which, the advance report to the 市药监局, when told."""
    both = W.VBox([field(session, f"{P}/report_to_both_on",
                         "报送双方监管部门日期 Report to both authorities（八、5.（3））", "date")])
    both.add_class("kit-report-both")
    _follow(session, both, lambda ins: ins.scope.cooperation == "joint"
            or ins.cross_region.report_to_both_on is not None)
    outside = W.VBox([
        field(session, f"{P}/outside_authority", "外埠监管部门 Outside authority"),
        field(session, f"{P}/advance_report_on", "提前报告市药监局日期 Advance report", "date"),
        field(session, f"{P}/notified_outside_on", "通报日期 Notified on", "date"),
    ])
    outside.add_class("kit-notify-outside")
    _follow(session, outside, lambda ins: ins.cross_region.notify_outside or (
        ins.cross_region.outside_authority or ins.cross_region.advance_report_on is not None
        or ins.cross_region.notified_outside_on is not None))
    box = W.VBox([
        W.HTML("<h3>跨辖区报告与通报 Reports across authorities（八、5）</h3>"),
        both,
        field(session, f"{P}/notify_outside", "需通报外埠监管部门 Tell an authority outside "
              "Beijing（八、5.（4））", "bool"),
        outside,
        ProblemList(session, [P]),
    ])
    box.add_class("kit-cross-report")
    return box
