"""The inspector's app: choose or start an inspection, then work through its stages.

Only what is shown is built: the stage tabs are empty until first opened, and the checklist
builds one section at a time. The app reads ``?id=…&stage=…&section=…`` from the page's URL
(Voila passes it to the kernel), so a link or a reload opens the same inspection where the
inspector was.
"""

from __future__ import annotations

import html
import importlib
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import ipywidgets as W

from kit.config import settings
from kit.dates import beijing_today, parse_date
from kit.door import Door, Identity, inspection_for, sections_for
from kit.errors import KitError
from kit.interchange import notary_from_environment
from kit.labels import STAGES, vocab, zh
from kit.profiles import load_profile, read_profiles
from kit.record import Inspection, Member, new_inspection
from kit.register import RegisteredCompany
from kit.session import Session
from kit.widgets._common import (
    TOUCH,
    MessageArea,
    PageLook,
    parse_query,
    shown_if,
    vocab_options,
)
from kit.widgets._fields import DATE_HINT, guarded, problems_html
from kit.widgets._guard import PageGuard
from kit.widgets._register import RegisterPicker

__all__ = [
    "POLL_SECONDS",
    "STAGE_TABS",
    "STAGE_WIDGETS",
    "InspectorApp",
    "stage_widget",
]

#: Stage tabs: key and (short, so that it fits the tab) Chinese title. Each stage's own heading
#: gives the English.
#: how often an open page looks for colleagues' changes (seconds)
POLL_SECONDS = 3.0

STAGE_TABS: tuple[tuple[str, str], ...] = (
    ("preparation", "检查前准备"),
    ("onsite", "现场检查"),
    ("checklist", "检查内容"),
    ("sampling", "记录抽样"),
    ("findings", "问题处理"),
    ("report", "文书跟踪"),
)
#: the stage whose fields show a record path (by its start; the rest: the preparation)
_PATH_TAB = (("steps/", "onsite"), ("sampling/", "sampling"), ("findings/", "findings"),
             ("past_products/", "findings"), ("inability/", "report"),
             ("follow_up/", "report"), ("signatures/", "report"), ("notices/", "report"),
             ("opinion/", "report"), ("stage", "report"), ("results/", "checklist"),
             ("cross_region/report", "report"), ("cross_region/notif", "report"),
             ("cross_region/outside", "report"), ("cross_region/advance", "report"))
_RECORD_STAGE_TAB = {"preparation": "preparation", "on_site": "checklist",
                     "reporting": "report", "follow_up": "report", "closed": "report"}


#: Stage key -> the widget class that builds it, imported only when the stage is first shown:
#: the sampling stage brings pandas and the record stage openpyxl, and the first checklist
#: section should not wait for either (this is why the app names stages instead of importing).

STAGE_WIDGETS = {
    "preparation": "kit.widgets.preparation:PreparationWidget",
    "onsite": "kit.widgets.onsite:OnsiteWidget",
    "checklist": "kit.widgets.checklist:ChecklistWidget",
    "sampling": "kit.widgets.sampling:SamplingWidget",
    "findings": "kit.widgets.findings:FindingsWidget",
    "report": "kit.widgets.report:ReportWidget",
}


#: how many inspections the picker lists at once (the most recent, or the search's first)
PICKER_PAGE = 50


def _option_label(row: dict[str, object]) -> str:
    name = row.get("company/name") or "（未填写企业 no company yet）"
    kind = zh(vocab("inspection_types"), str(row.get("scope/type") or ""))
    stage = zh(STAGES, str(row.get("stage") or ""))
    return f"{name} · {kind} · {row.get('scope/start_date') or ''} · {stage} · {row['id']}"


def stage_widget(key: str) -> Callable[..., W.Widget]:
    module, name = STAGE_WIDGETS[key].split(":")
    widget: Callable[..., W.Widget] = getattr(importlib.import_module(module), name)
    return widget


class InspectorApp(W.VBox):
    """The whole app: a header to pick the inspection and the user, then the stage tabs."""

    def __init__(self, door: Door | None = None, *, user: str | None = None) -> None:
        door = door or Door.connect()
        self.door = door.as_(door.identity or Identity.from_environment(user))
        if self.door.checkpointer is None:  # stage changes, notices, closing: signed checkpoints
            notary = notary_from_environment(self.door)
            self.door.checkpointer = notary.checkpointer if notary is not None else None
        self.session: Session | None = None
        self._waiting: tuple[str, str | None, str | None] | None = None
        self.who = W.HTML()
        self.who.add_class("kit-who")
        self.who_again = W.HTML()  # the same, in the chooser: a phone's bar has no room for it
        self.who_again.add_class("kit-who-again")
        self.name_box = W.Text(placeholder="您的姓名 your name", layout=W.Layout(width="14em"))
        self.name_box.add_class("kit-user")
        name_button = W.Button(description="确定 OK", layout=W.Layout(width="auto"))
        name_button.add_class("kit-user-ok")
        name_button.on_click(lambda _b: self._guard(self.choose_name, self.name_box.value))
        self.name_form = W.HBox([W.HTML("<b>请先填写您的姓名，修改记录会以此署名 / Your name, "
                                        "which every change is recorded under:</b>"),
                                 self.name_box, name_button],
                                layout=W.Layout(flex_flow="row wrap"))
        self.chooser = W.Dropdown(description="检查记录 Record", style={"description_width": "8em"},
                                  layout=W.Layout(width="40em", max_width="100%"))
        self.chooser.add_class("kit-chooser")
        # the picker shows a page, not the office's every record: the most recent, or those
        # the search finds (company, id, date, stage, people)
        self.search = W.Text(placeholder="搜索企业、编号、日期… search", continuous_update=False,
                             layout=W.Layout(width="16em"))
        self.search.add_class("kit-search")
        self.search.observe(lambda _c: self._guard(self.refresh_list), names="value")
        self.found = W.HTML()
        self.found.add_class("kit-found")
        self.open_button = W.Button(description="打开 Open",
                                    layout=W.Layout(width="auto"))
        self.open_button.add_class("kit-open")
        self.open_button.on_click(lambda _b: self._guard(self.open_inspection, self.chooser.value))
        self.refresh_button = W.Button(description="刷新 Refresh",
                                       tooltip="重新读取记录，看到其他标签页或同事的修改 / "
                                               "re-read the record to see others' changes",
                                       layout=W.Layout(width="auto"))
        self.refresh_button.add_class("kit-refresh")
        self.refresh_button.on_click(lambda _b: self._guard(self.refresh))
        self.new_form = self._new_form()
        self.message = MessageArea()
        self.message.add_class("kit-message")
        self.guard = PageGuard()
        self.guard.on_flush = self.flush
        self.guard.on_ping = self.poll
        self.guard.on_unshown = self._build_for
        self._polled = 0.0
        self.guard.observe(lambda change: self._guard(self.choose_name, change["new"], False),
                           names="user")
        self.title = W.HTML()  # the open record's name, in the compact bar
        self.title.add_class("kit-record-title")
        self.change_button = W.Button(description="更换/新建 ▾",
                                      tooltip="打开另一个检查记录或新建 / open another "
                                              "inspection or start one",
                                      layout=W.Layout(width="auto", display="none"))
        self.change_button.add_class("kit-change-record")
        self.change_button.on_click(lambda _b: self.fold(not self.folded))
        self.tabs = W.Tab()
        self.tabs.add_class("kit-stages")
        self.tabs.observe(self._tab_changed, names="selected_index")
        shown_if(self.tabs, False)  # an empty frame until a record is open
        self._built: dict[str, W.Widget] = {}
        self._section: str | None = None
        self._opening = False
        self.refresh_list()
        header = W.HTML("<h2>北京市医疗器械生产监督检查 · 检查员工作台"
                        "<br><small>Medical-device production inspection</small></h2>")
        self._show_identity()
        # once a record is open, all that chooses one folds into a one-line bar (its name, who
        # is working, and the button that unfolds the rest), so the stage starts near the top
        self.bar = W.HBox([self.change_button, self.title, self.who])
        self.bar.add_class("kit-bar")
        self.chooser_panel = W.VBox([header, self.who_again, self.name_form,
                                     W.HBox([self.search, self.chooser, self.open_button,
                                             self.refresh_button, self.found],
                                            layout=W.Layout(flex_flow="row wrap",
                                                            align_items="center")),
                                     self.new_form])
        self.chooser_panel.add_class("kit-chooser-panel")
        super().__init__([self.guard, PageLook(), self.bar, self.chooser_panel, self.message,
                          self.tabs])
        self.add_class("kit-app")
        self.add_class(TOUCH)

    # -- who -------------------------------------------------------------------------------
    @property
    def identity(self) -> Identity | None:
        return self.door.identity

    @property
    def user(self) -> str:
        """The name every change is recorded under ('' until one is chosen)."""
        return self.identity.user if self.identity is not None else ""

    def choose_name(self, name: str, remember: bool = True) -> None:
        """On one machine: the name changes are recorded under, chosen once (the browser
        remembers it). On the office server the name is the sign-in and cannot be chosen."""
        name = (name or "").strip()
        if not name or (self.identity is not None and self.identity.hub):
            return
        if remember and self.guard.user != name:
            self.guard.user = name  # kept by the browser for the next page
        self.door = self.door.as_(Identity(name))
        self.register.door = self.door
        if self.session is not None:
            self.session.door = self.door
            self.guard.person = name  # what the browser keeps from now on is this person's
        self._show_identity()
        if self._waiting is not None:  # the page named an inspection before a name was known
            wanted, self._waiting = self._waiting, None
            self._guard(self.open_inspection, wanted[0], stage=wanted[1], section=wanted[2])

    def _show_identity(self) -> None:
        who = self.identity
        if who is None:
            self.who.value = self.who_again.value = ""
            self.name_form.layout.display = "flex"
            return
        self.name_form.layout.display = "none"
        how = "已登录 Signed in" if who.hub else "当前用户 Working as"
        self.who.value = self.who_again.value = (
            f"<div class='kit-signed-in'>{how}：<b>{html.escape(who.label)}</b></div>")
        if not who.hub and self.guard.user != who.user:
            self.guard.user = who.user

    def _require_identity(self) -> Identity:
        if self.identity is None:
            msg = "请先填写您的姓名（修改记录会以此署名） / enter your name first"
            raise KitError(msg)
        return self.identity

    # -- choosing ----------------------------------------------------------------------------
    def refresh_list(self) -> None:
        """Fill the picker: the :data:`PICKER_PAGE` most recently changed inspections this
        person may open, or those the search finds (one indexed query at any store size)."""
        text = self.search.value.strip()
        rows = self.door.find(text, limit=PICKER_PAGE)
        options = [(_option_label(row), row["id"]) for row in rows]
        if self.session is not None and self.session.id not in {v for _k, v in options}:
            options.insert(0, (f"{self.session.inspection.company.name or '（未填写企业）'} · "
                               f"{self.session.id}", self.session.id))
        self.chooser.options = options
        if self.session is not None:
            self.chooser.value = self.session.id
        elif text and options:  # what the search found first is ready to open
            self.chooser.value = options[0][1]
        if text:
            more = "（仅列出最近的）/ the most recent " if len(rows) == PICKER_PAGE else "/ "
            self.found.value = (f"<small>找到 {len(rows)} 条{more}{len(rows)} found</small>"
                                if rows else f"<small>没有找到“{html.escape(text)}” / "
                                             "nothing found</small>")
        else:
            self.found.value = (f"<small>最近修改的 {len(rows)} 条，输入以搜索 / the most recent "
                                f"{len(rows)}; type to search</small>")

    def _new_form(self) -> W.Widget:
        self.new_company = W.Text(placeholder="企业名称 company name", layout=W.Layout(width="18em"))
        self.new_type = W.Dropdown(options=vocab_options("inspection_types"),
                                   layout=W.Layout(width="9em"))
        self.new_date = W.Text(value=beijing_today().isoformat(), placeholder=DATE_HINT,
                               layout=W.Layout(width="11em"))
        self.new_date.add_class("kit-new-date")
        profiles, broken = read_profiles()
        self.new_profile = W.Dropdown(options=[(p.name.zh, p.id) for p in profiles],
                                      layout=W.Layout(width="14em"))
        # a malformed office profile is left out and said, with its file and field; the
        # others work as usual
        self.profile_note = W.HTML(problems_html([replace(
            p, message=f"检查表配置文件有误，未列出：{p.where}：{p.message}") for p in broken]))
        self.profile_note.add_class("kit-profile-problems")
        button = W.Button(description="新建检查 New", button_style="success",
                          layout=W.Layout(width="auto"))
        button.add_class("kit-new")
        button.on_click(lambda _b: self._guard(self.create))
        self.new_button = button
        # the company as the office's register has it (name, credit code, licence or filing,
        # products), found by name or credit code, instead of typing its name
        self.register = RegisterPicker(self.door, on_pick=self._company_picked)
        return W.VBox([W.HTML("<b>新建检查 New inspection</b> <small>从企业名录选择企业，或填写企业"
                              "名称 / pick the company from the register, or type its name</small>"),
                       self.register,
                       W.HBox([self.new_company, self.new_type, self.new_date, self.new_profile,
                               button],
                              layout=W.Layout(flex_flow="row wrap", align_items="center")),
                       self.profile_note])

    def _company_picked(self, company: RegisteredCompany | None) -> None:
        """A company picked from the register names the new inspection (its name is the
        register's, not typed); cleared, the name is typed again."""
        self.new_company.value = company.name if company is not None else ""
        shown_if(self.new_company, company is None)  # named above, with its papers

    def _new_inspection(self) -> Inspection:
        """The inspection the form describes: with a company of the register, its company
        part from the register and the profile's sections that apply to it (七、14 only where
        it contracts manufacturing)."""
        profile = load_profile(self.new_profile.value or "full")
        start = parse_date(self.new_date.value)
        company = self.register.chosen
        if company is None:
            return new_inspection(type=self.new_type.value, start_date=start,
                                  sections=profile.sections, profile=profile.id)
        applies = set(sections_for(company))
        base = inspection_for(company, type=self.new_type.value, start=start)
        return replace(base, profile=profile.id, scope=replace(
            base.scope, sections=tuple(s for s in profile.sections if s in applies)))

    def create(self) -> str:
        """Start a new inspection from the form; open it on the preparation stage."""
        who = self._require_identity()
        inspection = self._new_inspection()
        picked = self.register.chosen is not None
        if who.hub:  # on the office server its creator leads it until the team is set up
            inspection = replace(inspection, team={"M1": Member(who.user, "leader",
                                                                  user=who.user)})
        session = Session.create(self.door, inspection)
        if not picked and self.new_company.value.strip():
            session.set("company/name", self.new_company.value.strip())
        self.open_inspection(session.id, stage="preparation")
        self.register.clear()
        self.new_company.value = ""
        if picked:
            self.say(f"已按企业名录填写企业信息、证照和产品 / the company, its licences and products "
                     f"are filled from the register: {session.id}")
        return session.id

    def open_inspection(self, inspection_id: str | None, *, stage: str | None = None,
             section: str | None = None) -> None:
        """Open an inspection (by id) on a stage; with no stage, where its record stands."""
        if not inspection_id:
            self.say("请选择或新建一个检查记录 / choose or start an inspection")
            return
        if self.identity is None:  # opened once a name is chosen (or remembered by the page)
            self._waiting = (inspection_id, stage, section)
            self.say("请先填写您的姓名（修改记录会以此署名） / enter your name first: every "
                     "change is recorded under it")
            return
        if self.session is not None:
            self.session.flush_pending()
        self.session = Session(self.door, inspection_id)
        self.guard.watch(self.session)
        self._built = {}
        self._section = section
        ins = self.session.inspection
        self.refresh_list()  # the picker shows the open inspection, wherever it is listed
        looking = (" <small class='kit-read-only'>只读 read only</small>"
                   if self.session.read_only else "")
        name = html.escape(ins.company.name or "（未填写企业）")
        self.title.value = (f"<div title='{name} — {html.escape(inspection_id)}'><b>{name}</b>"
                            f"<span class='kit-record-id'> — {html.escape(inspection_id)}</span>"
                            f"{looking}</div>")
        keys = [k for k, _t in STAGE_TABS]
        wanted = stage if stage in keys else _RECORD_STAGE_TAB.get(ins.stage, "preparation")
        index = keys.index(wanted)
        self._opening = True  # resetting the tabs selects the first one: build nothing yet
        try:
            shown_if(self.tabs, True)
            self.tabs.children = [W.VBox() for _ in keys]
            for i, (_key, title) in enumerate(STAGE_TABS):
                self.tabs.set_title(i, title)
            self.tabs.selected_index = index
        finally:
            self._opening = False
        self._build(index)
        self._follow()
        self.fold(True)
        self.say("")

    @property
    def folded(self) -> bool:
        """Whether the chooser (title, picker, new-inspection form) is folded into the bar."""
        return self.chooser_panel.layout.display == "none"

    def fold(self, folded: bool) -> None:
        """Fold the chooser into the one-line bar, or unfold it (only once a record is open:
        before, there is nothing else to show)."""
        folded = folded and self.session is not None
        self.chooser_panel.layout.display = "none" if folded else "flex"
        self.change_button.layout.display = "none" if self.session is None else "flex"
        self.change_button.description = "更换/新建 ▾" if folded else "收起 ▴"

    def open_from_query(self, query: str | None) -> None:
        """Open what ``?id=…&stage=…&section=…`` names; else ``$KIT_OPEN_ID`` (the demo)."""
        params = parse_query(query)
        self.refresh_list()  # a preheated kernel built the list before the page was asked for
        wanted = params.get("id") or settings().open_id
        if wanted:
            self._guard(self.open_inspection, wanted, stage=params.get("stage"),
                        section=params.get("section"))

    def flush(self) -> None:
        """Save every change still waiting for a pause in typing (the page is being left)."""
        if self.session is not None:
            self._guard(self.session.flush_pending)

    def poll(self) -> None:
        """Every :data:`POLL_SECONDS` while the page is open (its pings): show what colleagues
        saved, without a reload (one small query when nothing changed)."""
        now = time.monotonic()
        if self.session is None or now - self._polled < POLL_SECONDS:
            return
        self._polled = now
        self._guard(self.session.poll)

    def refresh(self) -> None:
        """Show changes other tabs and colleagues saved since this page read the record."""
        self.refresh_list()
        self.register.reload()
        if self.session is not None:
            self.session.refresh()
            self.say("已刷新 / refreshed")

    # -- stages ------------------------------------------------------------------------------
    def stage(self, key: str) -> W.Widget:
        """The widget of a stage, built now if it was not yet (for tests and notebooks)."""
        index = [k for k, _t in STAGE_TABS].index(key)
        self.tabs.selected_index = index
        self._build(index)
        return self._built[key]

    def _tab_changed(self, change: dict[str, Any]) -> None:
        if self.session is not None:
            self._guard(self.session.flush_pending)
        if isinstance(change["new"], int) and not self._opening:
            self._guard(self._build, change["new"])
            self._follow()

    def _build(self, index: int) -> None:
        key = STAGE_TABS[index][0]
        if key in self._built or self.session is None:
            return
        builder = stage_widget(key)
        if key == "checklist":
            widget = builder(self.session, section_id=self._section,
                             on_section=self._section_shown, on_finding=self._finding_made)
        elif key == "preparation":  # a 延伸检查 and its principal open each other (六、5)
            widget = builder(self.session, on_open=self._open_linked)
        else:
            widget = builder(self.session)
        self._built[key] = widget
        self.tabs.children[index].children = [widget]

    def _build_for(self, paths: list[str]) -> None:
        """Build the stages (and every panel of the preparation) that show ``paths``: a tap
        the browser kept there is taken once its field is on the page."""
        keys = [k for k, _t in STAGE_TABS]
        for path in paths:
            tab = next((t for prefix, t in _PATH_TAB if path.startswith(prefix)), "preparation")
            self._build(keys.index(tab))
            widget = self._built.get(tab)
            for index in range(len(getattr(widget, "PANELS", ()))):
                widget.build(index)  # type: ignore[union-attr]

    def _section_shown(self, section_id: str) -> None:
        self._section = section_id
        self._follow()

    def _open_linked(self, inspection_id: str) -> None:
        """Open a linked inspection (a 延伸检查's principal, or one of its extensions) where
        the link between them is shown."""
        self._guard(self.open_inspection, inspection_id, stage="preparation")
        if self.session is not None and self.session.id == inspection_id:
            self._built["preparation"].show_scope()

    def _finding_made(self, key: str) -> None:
        """A row's 记为问题 made finding ``key``: show it on the findings stage."""
        self.stage("findings")
        self.say(f"已记为问题 {key}，请填写处理方式、整改要求和期限 / recorded as finding {key}: "
                 "add its handling, requirement and deadline")

    def _follow(self) -> None:
        """The page's address: this inspection, stage and section (see :class:`PageGuard`)."""
        if self.session is None:
            self.guard.query = ""
            return
        parts = {"id": self.session.id}
        index = self.tabs.selected_index
        if isinstance(index, int) and 0 <= index < len(STAGE_TABS):
            parts["stage"] = STAGE_TABS[index][0]
            if parts["stage"] == "checklist" and self._section:
                parts["section"] = self._section
        self.guard.query = urlencode(parts, safe=".")

    # -- messages ----------------------------------------------------------------------------
    def say(self, text: str, *, error: bool = False) -> None:
        self.message.say(text, error=error)

    def _guard(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run an action; show any failure as a message instead of losing it in a log."""
        return guarded(self.say, fn, *args, **kwargs)
