"""One finding carried to its outcome (十、1-3): the fields of its own handling kind, its grade,
the deadline in force with its extensions (延期整改), and its review rounds.

Each handling of 十、1 ends differently: corrected on site (confirmed by an inspector, when), a
suspension with its safety warning (date, channel, text), a case opened or transferred (its
number, or the department, date and what was handed over), a rectification reviewed round by
round under its deadline. A finding shows the outcome fields of its own kind only; a group of
another kind shows too while the record holds something in it (changed handling, an import),
so nothing the record holds is ever out of sight. Every field saves through
:meth:`kit.session.Session.set` like any other; the rounds the door keeps are listed read
only, above the fields of the round under way.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import ipywidgets as W

from kit.errors import KitError
from kit.guide import load_guide
from kit.labels import FINDING_STATES, REVIEW_MODES, REVIEW_RESULTS, SUBMISSION_CHANNELS, zh
from kit.policy import Policy
from kit.record import Finding, Inspection, natural_key
from kit.session import Session
from kit.widgets._collection import CollectionWidget, Column
from kit.widgets._common import (
    Options,
    coloured,
    day_html,
    download_link,
    shown_if,
    table_options,
    team_options,
)
from kit.widgets._fields import BoundField, field
from kit.widgets._guard import now_class
from kit.workdays import WorkCalendar

__all__ = ["OutcomePanel", "grade_options", "rounds_html", "submissions_html"]

#: a group's fields: (leaf below the finding, label, kind)
Leaves = Sequence[tuple[str, str, str]]

CORRECTED: Leaves = (
    ("corrected_at", "确认纠正时间 Confirmed at", "datetime"),
)
WARNING: Leaves = (
    ("warning_on", "警示发布日期 Warning issued on", "date"),
    ("warning_channel", "发布渠道 Channel", "text"),
    ("warning_text", "警示信息内容 Warning text", "textarea"),
)
CASE: Leaves = (
    ("case_number", "立案案件编号 Case number", "text"),
    ("transferred_to", "移交部门 Transferred to", "text"),
    ("transferred_on", "移交日期 Transferred on", "date"),
    ("handed_over", "移交的材料 Handed over", "textarea"),
)
ROUND: Leaves = (
    ("state", "整改状态 Rectification（六、9）", "choice"),
    ("submitted_on", "提交整改资料 Submitted on", "date"),
    ("evidence", "整改证据 Evidence", "textarea"),
    ("review_mode", "复查方式 Review", "choice"),
    ("reviewed_on", "复查日期 Reviewed on", "date"),
    ("reviewer", "复查人 Reviewer", "text"),
)
_CHOICES: dict[str, Options] = {"state": table_options(FINDING_STATES),
                                "review_mode": table_options(REVIEW_MODES)}


def grade_options(policy: Policy) -> Options:
    """The grades of the office's scheme, in its own words, after 未定级 (not graded yet)."""
    return (("未定级 not graded", ""),
            *((f"{g.zh} {g.en}", g.code) for g in policy.scheme.grades))


def rounds_html(f: Finding) -> str:
    """The review rounds the door kept (R1, R2…), oldest first, read only: one short block
    per round (a table of seven columns wraps a date character by character on a phone)."""
    if not f.reviews:
        return ""
    blocks = []
    for n, key in enumerate(sorted(f.reviews, key=natural_key), 1):
        r = f.reviews[key]
        mode = zh(REVIEW_MODES, r.mode) if r.mode else "复查方式未记录"
        parts = [f"提交整改资料 Submitted {r.submitted_on or '—'}",
                 f"{mode} {r.reviewed_on or '—'}", f"复查人 Reviewer {r.reviewer or '—'}"]
        note = f"<br>说明 Note：{html.escape(r.note)}" if r.note else ""
        blocks.append(
            f"<div class='kit-round'><b>第 {n} 轮 {html.escape(key)}："
            f"{html.escape(zh(REVIEW_RESULTS, r.result))}</b><br>"
            f"{html.escape(' · '.join(str(p) for p in parts))}{note}</div>")
    return ("<div><b>已完成的复查 Review rounds kept</b> <small>（只读 read only）</small></div>"
            f"<div class='kit-rounds'>{''.join(blocks)}</div>")


def submissions_html(f: Finding, ins: Inspection, files: Callable[[str], str]) -> str:
    """What the company submitted (S1, S2…), oldest first, read only: when, by whom, how, its
    report, and its files (``files(attachment key)``: a link to open one)."""
    if not f.submissions:
        return ""
    blocks = []
    for key in sorted(f.submissions, key=natural_key):
        s = f.submissions[key]
        when = s.at.strftime("%Y-%m-%d %H:%M") if s.at else "—"
        report = html.escape(s.report).replace("\n", "<br>") or "（无文字报告 no text）"
        links = " ".join(files(a) for a in s.files if a in ins.attachments)
        blocks.append(
            f"<div class='kit-submission'><b>{html.escape(key)}</b> {when} · "
            f"{html.escape(s.by)} · {html.escape(zh(SUBMISSION_CHANNELS, s.channel))}"
            f"<div class='kit-report'>{report}</div>{links}</div>")
    return ("<div><b>企业提交的整改资料 The company's submissions</b> <small>（提交后不可更改 "
            f"frozen once made）</small></div><div class='kit-submissions'>{''.join(blocks)}</div>")


class OutcomePanel(W.VBox):
    """What carries finding ``key`` to its end; see the module. ``deadline_helper`` builds
    the stage's helper that sets a deadline in working days (shown with the deadline)."""

    def __init__(self, session: Session, key: str, policy: Policy,
                 deadline_helper: Callable[[Session, str], W.Widget] | None = None) -> None:
        self.session, self.key, self.policy = session, key, policy
        self.base = f"findings/{key}"
        self._deadline_helper = deadline_helper
        self._kinds = {t.code: t for t in load_guide().terms("handling_kinds")}
        self.groups: dict[str, W.VBox] = {}
        self._builders: dict[str, Callable[[], list[W.Widget]]] = {
            "grade": self._grade, "corrected": self._corrected, "warning": self._warning,
            "case": self._case, "deadline": self._deadline, "round": self._round,
        }
        for name in self._builders:
            box = W.VBox(layout=W.Layout(display="none"))
            box.add_class(f"kit-outcome-{name}")
            self.groups[name] = box
        self.due = W.HTML()
        self.due.add_class("kit-due")
        self.rounds = W.HTML()
        self.rounds.add_class("kit-rounds-area")
        self.submissions = W.HTML()
        self.submissions.add_class("kit-submissions-area")
        self._links: dict[str, str] = {}  # a submitted file's link, made once
        self.round_title = W.HTML()
        self._round_fields: list[BoundField] = []
        self.deadline_helper: W.Widget | None = None  # built with the deadline group
        session.on_change(self._on_record)
        super().__init__(list(self.groups.values()))
        self.add_class("kit-outcome")
        self.refresh()

    @property
    def finding(self) -> Finding | None:
        return self.session.inspection.findings.get(self.key)

    def wanted(self, f: Finding) -> dict[str, bool]:
        """Which groups this finding shows: its kind's, the grade when the office grades, and
        any other group that holds something."""
        kind = self._kinds.get(f.handling)
        deadline = kind is not None and kind.needs_deadline
        review = deadline or f.handling in self.policy.handling.resume_kinds
        return {
            "grade": self.policy.scheme.grades_findings or bool(f.grade),
            "corrected": f.handling == "correct_on_site" or bool(f.corrected_by)
            or f.corrected_at is not None,
            "warning": f.handling == "suspend_and_warn" or f.warning_on is not None
            or bool(f.warning_channel or f.warning_text),
            "case": f.handling == "file_case" or bool(
                f.case_number or f.transferred_to or f.handed_over) or f.transferred_on
            is not None,
            "deadline": deadline or f.deadline is not None or bool(f.extensions),
            "round": review or bool(f.reviews) or f.state != "open"
            or f.submitted_on is not None or bool(f.review_mode),
        }

    def refresh(self) -> None:
        f = self.finding
        if f is None:
            return
        for name, shown in self.wanted(f).items():
            box = self.groups[name]
            if shown and not box.children:
                box.children = self._builders[name]()
            shown_if(box, shown)
        self.due.value = self._due_text(f, self.session.door.calendar())
        self.rounds.value = rounds_html(f)
        self.submissions.value = submissions_html(f, self.session.inspection, self._file_link)
        self.round_title.value = (f"<b>第 {len(f.reviews) + 1} 轮（进行中）Round "
                                  f"{len(f.reviews) + 1} under way</b>")

    def _on_record(self, path: str) -> None:
        if path != "*" and not (path == self.base or path.startswith(self.base + "/")):
            return
        self.refresh()
        # a review kept as a round clears the fields of the new round in the same write:
        # they show what the record holds now, not what this page last wrote
        for bound in self._round_fields:
            if path != bound.spec.path:
                bound._on_record("*")

    # -- the groups ---------------------------------------------------------------------------
    def _fields(self, leaves: Leaves) -> list[BoundField]:
        return [field(self.session, f"{self.base}/{leaf}", label, kind, _CHOICES.get(leaf, ()))
                for leaf, label, kind in leaves]

    def _grade(self) -> list[W.Widget]:
        scheme = self.policy.scheme
        note = W.HTML(f"<small>按本局分级办法“{html.escape(scheme.zh)}”定级 / graded under "
                      f"{html.escape(scheme.en)}</small>" if scheme.grades_findings else "")
        return [field(self.session, f"{self.base}/grade", "问题等级 Grade", "choice",
                      grade_options(self.policy)), note]

    def _corrected(self) -> list[W.Widget]:
        who = field(self.session, f"{self.base}/corrected_by", "确认人 Confirmed by", "choice",
                    team_options(self.session, blank="（未选 not chosen）"))
        when = self._fields(CORRECTED)
        path = f"{self.base}/corrected_at"
        # the page fills the field itself (the page guard, static/guard.js): the time is typed
        # into it as by hand, kept through a lost connection and saved by the field's own path
        now = W.Button(description="现在 Now", tooltip="确认纠正时间记为现在（北京时间） / the "
                       "correction confirmed now (Beijing time)", layout=W.Layout(width="auto"))
        now.add_class("kit-now")
        now.add_class(now_class(path))

        def refresh(_path: str = "") -> None:
            now.disabled = self.session.refusal(path) is not None

        self.session.on_change(refresh)
        refresh()
        return [W.HTML("<b>现场监督立即纠正 Corrected on site</b>"), who,
                W.HBox([*when, now], layout=W.Layout(flex_flow="row wrap",
                                                     align_items="center"))]

    def _warning(self) -> list[W.Widget]:
        return [W.HTML("<b>安全警示信息 Safety warning（十、1）</b>"), *self._fields(WARNING)]

    def _case(self) -> list[W.Widget]:
        number, *transfer = self._fields(CASE)
        return [W.HTML("<b>立案调查或移交 Case or transfer（十、1）</b>"), number,
                W.HTML("<small>未立案而移交相关部门的，写明部门、日期和移交的材料 / or, transferred: "
                       "the department, the date and what was handed over</small>"), *transfer]

    def _deadline(self) -> list[W.Widget]:
        extensions = CollectionWidget(self.session, f"{self.base}/extensions", [
            Column("new_deadline", "新的整改期限 New deadline", "date"),
            Column("reason", "延期理由 Reason", "textarea"),
            Column("approved_by", "批准人 Approved by"),
            Column("approved_on", "批准日期 Approved on", "date"),
        ], prefix="E", title="延期 extension",
            entry_title=lambda _s, k: f"延期整改 Extension {k}")
        parts: list[W.Widget] = [
            field(self.session, f"{self.base}/deadline", "整改期限 Deadline", "date")]
        if self._deadline_helper is not None:
            self.deadline_helper = self._deadline_helper(self.session, self.key)
            parts.append(self.deadline_helper)
        return [*parts, self.due, W.HTML("<b>延期整改 Extensions</b>"), extensions]

    def _round(self) -> list[W.Widget]:
        fields = self._fields(ROUND)
        self._round_fields = fields
        return [self.submissions, self.rounds, self.round_title, *fields]

    def _file_link(self, key: str) -> str:
        """A link opening a file the company submitted (its bytes read once)."""
        if key not in self._links:
            a = self.session.inspection.attachments[key]
            try:
                mime, data = self.session.door.evidence(self.session.id, a.sha256)
            except KitError:
                self._links[key] = html.escape(f"{a.name}（缺失 missing）")
            else:
                self._links[key] = download_link(data, a.name, mime, f"{a.name}")
        return self._links[key]

    @staticmethod
    def _due_text(f: Finding, calendar: WorkCalendar) -> str:
        """The deadline in force, an estimate marked and a day off named (:func:`day_html`)."""
        due = f.due
        if due is None:
            return ""
        shown = day_html(due, calendar)
        if due == f.deadline:
            return coloured(f"现行整改期限 Deadline in force：{shown}", "muted")
        last = max((k for k, e in f.extensions.items() if e.new_deadline == due),
                   key=natural_key, default="")
        return coloured(f"现行整改期限 Deadline in force：{shown}（已延期 extended "
                        f"{html.escape(last)}，原期限 first set {f.deadline or '未定 none'}）",
                        "warning")
