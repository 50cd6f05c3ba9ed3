"""问题与处理 (十): findings, their handling under 十.1, deadlines in working days, 十.2."""

from __future__ import annotations

import html
import warnings
from datetime import date

import ipywidgets as W

from kit.dates import beijing_today
from kit.errors import KitError
from kit.guide import load_guide
from kit.profiles import items_in_scope
from kit.session import Session
from kit.widgets._collection import CollectionWidget, Column
from kit.widgets._common import (
    Options,
    day_html,
    estimate_html,
    message_html,
    office_policy,
    session_profile,
    shown_if,
    vocab_options,
)
from kit.widgets._evidence import EvidenceBox
from kit.widgets._fields import ProblemList, field
from kit.widgets._outcomes import OutcomePanel
from kit.workdays import ESTIMATE_MARK, CalendarEstimateWarning, load_calendar

__all__ = [
    "DeadlineHelper",
    "FindingsWidget",
    "ReviewUnitPanel",
    "item_options",
]


def item_options(session: Session) -> Options:
    """Checklist items of the sections in scope, as (label and full text, id): the item a
    finding is about is chosen as the guide words it."""
    items = items_in_scope(session_profile(session), session.inspection.scope.sections)
    return tuple((f"{i.label} {i.zh}", i.id) for i in items)


class DeadlineHelper(W.HBox):
    """Set a finding's deadline N working days after the inspection ends (official calendar)."""

    def __init__(self, session: Session, key: str) -> None:
        self.session = session
        self.key = key
        self.days = W.BoundedIntText(value=15, min=1, max=365, layout=W.Layout(width="6em"))
        self.button = W.Button(description="按工作日设定期限 Set", layout=W.Layout(width="auto"))
        self.button.add_class("kit-deadline-set")
        self.info = W.HTML()
        self.button.on_click(lambda _b: self.apply())
        session.on_change(lambda p: self.describe() if p in ("*", self._path) else None)
        self.describe()
        super().__init__([W.HTML("期限 = 检查结束后"), self.days, W.HTML("个工作日"), self.button,
                          self.info], layout=W.Layout(flex_flow="row wrap", align_items="center"))

    @property
    def _path(self) -> str:
        return f"findings/{self.key}/deadline"

    def _start(self) -> date:
        return self.session.inspection.scope.ended_on or beijing_today()

    def apply(self) -> None:
        try:
            with warnings.catch_warnings():  # an estimate is said beside the date (describe)
                warnings.simplefilter("ignore", CalendarEstimateWarning)
                deadline = load_calendar().add_workdays(self._start(), self.days.value,
                                                        allow_estimate=True)
            self.session.set(self._path, deadline.date)
        except KitError as exc:
            self.info.value = message_html(str(exc), "error", tag="span")
            return
        self.describe()

    def describe(self) -> None:
        finding = self.session.inspection.findings.get(self.key)
        if finding is None or finding.deadline is None:
            self.info.value = ""
            return
        calendar = load_calendar()
        try:
            with warnings.catch_warnings():  # said as the estimate it is, below
                warnings.simplefilter("ignore", CalendarEstimateWarning)
                count = calendar.workdays_between(self._start(), finding.deadline,
                                                  allow_estimate=True)
        except KitError as exc:
            self.info.value = html.escape(str(exc))
            return
        # the record keeps the date only: whether it is an estimate is worked out now, from
        # the calendar (the same answer until the office adds that year's schedule)
        shown = day_html(finding.deadline, calendar, estimated=count.estimated)
        mark = ESTIMATE_MARK if count.estimated else ""
        self.info.value = (f"现期限 {shown}：{count.days} 个工作日 working days{mark}"
                           + (estimate_html(list(count.missing_years)) if mark else ""))
        self.info.add_class("kit-deadline-info")


class FindingsWidget(W.VBox):
    """Every finding with its handling carried to its outcome (十、1, 十、3); the measures for
    past products and the review unit told (十、2)."""

    def __init__(self, session: Session) -> None:
        guide = load_guide()
        self.session = session
        self.policy, broken = office_policy()
        self.findings = CollectionWidget(session, "findings", [
            Column("item", "检查项 Item", "choice", options_fn=item_options),
            Column("description", "问题描述 Finding", "textarea"),
            Column("handling", "处理方式 Handling（十、1）", "choice", vocab_options("handling_kinds")),
            Column("requirement", "整改要求 Requirement", "textarea"),
            Column("affects_past_products", "涉及既往产品 Affects past products（十、2）", "bool"),
        ], prefix="F", title="问题 finding", new_entry=self._new_finding,
            entry_title=lambda s, k: f"问题 {k}")
        self._outcomes: dict[str, OutcomePanel] = {}
        self._photos: dict[str, EvidenceBox] = {}
        self.findings.entries.observe(lambda _c: self._attach_helpers(), names="children")
        self._attach_helpers()
        handling_help = "".join(
            f"<li><b>{html.escape(t.zh)}</b>：{html.escape(guide.item(t.source).zh)}</li>"
            for t in guide.terms("handling_kinds")
        )
        super().__init__([
            W.HTML("<h3>十、对问题的处理 Handling of problems</h3>"
                   f"<details><summary>十、1 的五种处理 The five kinds</summary><ul>{handling_help}"
                   "</ul></details>" + message_html(broken, "error")),
            self.findings,
            W.HTML(f"<h4>既往产品 Past products（十、2）</h4><p>{html.escape(guide.item('10.2').zh)}"
                   "</p>"),
            field(session, "past_products/measures", "措施 Measures", "multichoice",
                  vocab_options("past_product_measures")),
            ReviewUnitPanel(session),
            field(session, "past_products/note", "说明 Note", "textarea"),
            ProblemList(session, ["findings", "results"]),
        ])
        self.add_class("kit-findings")

    @staticmethod
    def _new_finding(session: Session) -> dict[str, object]:
        open_items = session.inspection.unfound_nonconformities
        options = item_options(session)
        item = open_items[0] if open_items else (options[0][1] if options else "")
        return {"item": item, "description": "", "handling": "rectify_by_deadline"}

    def _attach_helpers(self) -> None:
        for key, box in zip(self.findings.entry_keys(), self.findings.entries.children, strict=False):
            if any(isinstance(c, OutcomePanel) for c in box.children):
                continue
            outcome = self._outcomes.get(key) or OutcomePanel(self.session, key, self.policy,
                                                               DeadlineHelper)
            self._outcomes[key] = outcome
            photos = self._photos.get(key) or EvidenceBox(
                self.session, f"findings/{key}", "照片与附件（问题、整改证据） Photos and files")
            self._photos[key] = photos
            box.children = [*box.children, outcome, photos]


class ReviewUnitPanel(W.VBox):
    """十、2 通报相关审查单位: which unit was told, by whom, when; shown once that measure is
    chosen for past products (or the record holds it)."""

    MEASURE = "notify_review_unit"

    def __init__(self, session: Session) -> None:
        self.session = session
        p = "past_products"
        super().__init__([
            W.HTML("<b>通报相关审查单位 Review unit told（十、2）</b>"),
            field(session, f"{p}/notified_unit", "通报的审查单位 Unit"),
            field(session, f"{p}/notified_by", "通报人 Told by"),
            field(session, f"{p}/notified_on", "通报日期 Told on", "date"),
        ])
        self.add_class("kit-review-unit")
        session.on_change(lambda path: self.refresh()
                          if path == "*" or path.startswith(p) else None)
        self.refresh()

    def refresh(self) -> None:
        past = self.session.inspection.past_products
        shown_if(self, self.MEASURE in past.measures or bool(
            past.notified_unit or past.notified_by) or past.notified_on is not None)
