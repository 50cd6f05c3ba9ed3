"""The trainers' app: browse the guide part by part, answer exercises, see why, export a score.

A thin skin over :mod:`kit.training`: the exercises, their answers and the grading all come
from there. Only the part on screen is built (its text and its exercises); a part's exercises
are kept when the trainee moves to another part and back, so answers are never lost. The app
reads ``?part=…&seed=…&lang=…`` from the page's URL, so a trainer can hand out a link to the
same set of exercises.

With a store, every first answer is kept under the trainee (the office server's sign-in, or on
one machine the name they give, which the browser remembers): a reload, a closed tab or a
killed kernel brings back the same set, the answers given and the score. A trainer (the Hub's
``trainers`` group; anyone on one machine) opens the class view: per trainee, per part and
per clause who got what wrong, and the class summary in Excel.
"""

from __future__ import annotations

import html
import logging
import re
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as W

from kit.door import TRAINERS, Door, Identity
from kit.errors import KitError
from kit.guide import Clause, Text, load_guide
from kit.training import (
    PARTS,
    Exercise,
    Feedback,
    Score,
    class_frames,
    class_to_excel,
    exercises,
    grade,
    keep_answer,
    load_score,
    score_to_excel,
)
from kit.widgets._common import (
    ERROR,
    OK,
    TOUCH,
    XLSX_MIME,
    MessageArea,
    PageLook,
    download_link,
    message_html,
    parse_query,
)
from kit.widgets._fields import guarded
from kit.widgets._guard import PageGuard

__all__ = [
    "LANGUAGES",
    "MAX_HITS",
    "ExerciseWidget",
    "TrainingApp",
    "clause_html",
    "exhibit_html",
    "part_html",
    "pick",
]

log = logging.getLogger(__name__)

LANGUAGES = (("中文", "zh"), ("English", "en"))
_CLASS_CSS = (".kit-class-area table{border-collapse:collapse;margin:4px 0 12px}"
              ".kit-class-area th,.kit-class-area td{border:1px solid #ccc;padding:3px 8px;"
              "text-align:left}.kit-class-area th{background:#f3f5f8}")
MAX_HITS = 50


def pick(text: Text, lang: str) -> str:
    """The text in the chosen language (Chinese unless English is asked for)."""
    return text.en if lang == "en" else text.zh


def clause_html(clause: Clause, lang: str) -> str:
    """One clause as escaped HTML: its label in bold, then its words."""
    words = pick(clause.text, lang)
    return f"<div class='kit-clause'><b>{html.escape(clause.label)}</b> {html.escape(words)}</div>"


def part_html(part: Clause, lang: str) -> str:
    """A part's text; for 七 each section folds (<details>) so the page stays short."""
    out = [f"<h3>{html.escape(part.label)} {html.escape(pick(part.text, lang))}</h3>"]
    for child in part.children:
        if child.kind == "section":
            inner = "".join(clause_html(c, lang) for c in child.walk() if c is not child)
            out.append(f"<details><summary><b>{html.escape(child.label)}</b> "
                       f"{html.escape(pick(child.text, lang))}</summary>{inner}</details>")
        else:
            out += [clause_html(c, lang) for c in child.walk()]
    return "".join(out)


def exhibit_html(rows: tuple[tuple[str, ...], ...]) -> str:
    """An exercise's small table (header row first) as escaped HTML; '' when there is none."""
    if not rows:
        return ""
    head = "".join(f"<th style='padding:2px 8px'>{html.escape(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td style='padding:2px 8px'>{html.escape(c)}</td>"
                                    for c in row) + "</tr>" for row in rows[1:])
    return (f"<table class='kit-exhibit' style='border-collapse:collapse;margin:4px 0'>"
            f"<tr>{head}</tr>{body}</table>")


class ExerciseWidget(W.VBox):
    """One exercise: the question, the options, a check button and the feedback citing the guide."""

    def __init__(self, exercise: Exercise, number: int, lang: str,
                 on_answer: Callable[[Exercise, Feedback], None]) -> None:
        self.exercise = exercise
        self.number = number
        self.on_answer = on_answer
        self.feedback: Feedback | None = None
        self.question = W.HTML()
        self.question.add_class("kit-question")
        self.choice = W.RadioButtons(options=[], value=None, layout=W.Layout(width="auto"))
        self.choice.add_class("kit-options")
        self.check_button = W.Button(description="提交 Check", button_style="primary",
                                     layout=W.Layout(width="auto", align_self="flex-start"))
        self.check_button.add_class("kit-submit")
        self.check_button.on_click(lambda _b: self.submit())
        self.result = W.HTML()
        self.result.add_class("kit-feedback")
        super().__init__([self.question, self.choice, self.check_button, self.result],
                         layout=W.Layout(border="1px solid #ddd", padding="6px", margin="6px 0"))
        self.add_class("kit-exercise")
        self.set_language(lang)

    def set_language(self, lang: str) -> None:
        """Show the question, options and any feedback in ``lang``; keep the chosen answer."""
        self.lang = lang
        ex = self.exercise
        self.question.value = (f"<b>{self.number}.</b> {html.escape(pick(ex.question, lang))}"
                               + exhibit_html(ex.exhibit))
        chosen = self.choice.value
        self.choice.options = [(pick(o.label, lang), o.value) for o in ex.options]
        self.choice.value = chosen
        self._show()

    def restore(self, given: str) -> None:
        """Show an answer given before (kept in the store) with its feedback."""
        if given not in {o.value for o in self.exercise.options}:
            return
        self.choice.value = given
        self.feedback = grade(self.exercise, given)
        self._show()

    def submit(self) -> None:
        """Grade the chosen option and show the feedback at once."""
        try:
            self.feedback = grade(self.exercise, self.choice.value)
        except KitError as exc:
            self.result.value = message_html(str(exc), "warning")
            return
        self._show()
        self.on_answer(self.exercise, self.feedback)

    def _show(self) -> None:
        fb = self.feedback
        if fb is None:
            return
        colour = OK if fb.correct else ERROR
        guide = load_guide()
        cited = "".join(clause_html(guide.item(c), self.lang) for c in fb.clauses)
        self.result.value = (f"<div style='color:{colour}'>{html.escape(pick(fb.message, self.lang))}"
                             f"</div><div style='color:#444;font-size:90%'>{cited}</div>")


class TrainingApp(W.VBox):
    """The whole training app: language, trainee, part and search, text, exercises, score."""

    def __init__(self, *, door: Door | None = None, user: str | None = None,
                 seed: int | None = None, part: str = "1", lang: str = "zh",
                 per_kind: int = 2) -> None:
        self.door = door  # None: answers are not kept (a notebook without a store)
        self.identity = Identity.from_environment(user)
        self._seed_chosen = seed is not None
        self.seed = secrets.randbelow(10_000) if seed is None else seed
        self.per_kind = per_kind
        self.score = Score(seed=self.seed)
        self._built: dict[str, list[ExerciseWidget]] = {}
        self.language = W.ToggleButtons(options=LANGUAGES, value="zh")
        self.language.add_class("kit-language")
        self.trainee = W.Text(description="学员 Trainee", placeholder="姓名 name",
                              continuous_update=False, style={"description_width": "7em"},
                              layout=W.Layout(width="22em"))
        self.trainee.add_class("kit-trainee")
        self.trainee.observe(lambda _c: self._rename(), names="value")
        self.part = W.Dropdown(description="部分 Part", style={"description_width": "7em"},
                               layout=W.Layout(width="30em"))
        self.part.add_class("kit-part")
        self.search = W.Text(description="搜索 Search", placeholder="指南中的词 words in the guide",
                             continuous_update=False, style={"description_width": "7em"},
                             layout=W.Layout(width="30em"))
        self.search.add_class("kit-search")
        self.hits = W.Select(options=[], rows=6, layout=W.Layout(width="100%", display="none"))
        self.hits.add_class("kit-search-hits")
        self.text = W.HTML()
        self.text.add_class("kit-guide-text")
        self.exercise_box = W.VBox()
        self.exercise_box.add_class("kit-exercises")
        self.score_line = W.HTML()
        self.score_line.add_class("kit-score")
        self.export_button = W.Button(description="导出成绩 Excel",
                                      layout=W.Layout(width="auto"))
        self.export_button.add_class("kit-export-score")
        self.export_button.on_click(lambda _b: self._guard(self.export))
        self.new_set = W.Button(description="换一组练习 New set", layout=W.Layout(width="auto"))
        self.new_set.add_class("kit-new-set")
        self.new_set.on_click(lambda _b: self._guard(self.change_seed, secrets.randbelow(10_000)))
        self.download = W.HTML()
        self.download.add_class("kit-download-area")
        self.message = MessageArea()
        self.message.add_class("kit-message")
        self.set_label = W.HTML()
        self.kept = W.HTML()  # whether answers are being kept, and under whom
        self.kept.add_class("kit-kept")
        self.class_button = W.Button(description="班级情况 Class view", layout=W.Layout(
            width="auto", display="" if self.may_see_class else "none"))
        self.class_button.add_class("kit-class-view")
        self.class_button.on_click(lambda _b: self._guard(self.show_class))
        self.class_area = W.HTML()
        self.class_area.add_class("kit-class-area")
        self.guard = PageGuard()  # remembers the chosen name in the browser
        super().__init__([
            self.guard, PageLook(),
            W.HTML("<h2>北京市医疗器械生产监督检查指南 · 培训<br>"
                   "<small>Training on the Beijing inspection guide</small></h2>"),
            W.HBox([self.language, self.trainee], layout=W.Layout(flex_flow="row wrap")),
            W.HBox([self.part, self.search], layout=W.Layout(flex_flow="row wrap")),
            self.hits, self.message, self.text,
            W.HTML("<h3>练习 Exercises</h3>"), self.set_label, self.exercise_box,
            W.HBox([self.score_line, self.export_button, self.new_set, self.class_button],
                   layout=W.Layout(align_items="center", flex_flow="row wrap")),
            self.kept, self.download, self.class_area,
        ])
        self.add_class("kit-training")
        self.add_class(TOUCH)
        self.language.value = lang if lang in dict(LANGUAGES).values() else "zh"
        self._relabel_parts()
        self.part.value = part if part in PARTS else "1"
        self.show_part(self.part.value)
        self.part.observe(lambda c: self._guard(self.show_part, c["new"]), names="value")
        self.language.observe(lambda _c: self._guard(self.set_language), names="value")
        self.search.observe(lambda c: self._guard(self.find, c["new"]), names="value")
        self.hits.observe(lambda c: self._guard(self._jump, c["new"]), names="value")
        self.guard.observe(lambda c: self._guard(self._remembered, c["new"]), names="user")
        if self.identity is not None:
            self._guard(self.sign_in, self.identity.user)
        self._refresh_kept()

    @property
    def lang(self) -> str:
        """The language chosen with the switch: ``zh`` or ``en``."""
        return str(self.language.value)

    # -- parts and their exercises ---------------------------------------------------------------
    def _relabel_parts(self) -> None:
        guide = load_guide()
        current = self.part.value
        self.part.options = [(f"{guide.part(p).label} {pick(guide.part(p).text, self.lang)}", p)
                             for p in PARTS]
        if current is not None:
            self.part.value = current

    def show_part(self, part: str) -> None:
        """Show one part's text and its exercises (built the first time the part is shown)."""
        self.text.value = part_html(load_guide().part(part), self.lang)
        if part not in self._built:
            self._built[part] = [ExerciseWidget(ex, n, self.lang, self._answered) for n, ex in
                                 enumerate(exercises(part, seed=self.seed, per_kind=self.per_kind),
                                           start=1)]
            self._restore()
        for widget in self._built[part]:
            if widget.lang != self.lang:
                widget.set_language(self.lang)
        self.exercise_box.children = self._built[part]
        self.set_label.value = (f"<small>练习组 Set #{self.seed}（同一编号、同一部分，题目相同 / the same "
                                "number gives the same exercises）</small>")
        self._refresh_score()

    @property
    def exercise_widgets(self) -> list[ExerciseWidget]:
        """The exercises of the part on screen (for tests and notebooks)."""
        return list(self._built.get(str(self.part.value), []))

    def change_seed(self, seed: int) -> None:
        """Another set of exercises; answers given so far stay in the score."""
        self.seed = seed
        self._built = {}
        self.score = Score(self.score.trainee, seed, self.score.answers)
        self.show_part(str(self.part.value))
        self._restore()

    def set_language(self) -> None:
        """Show the parts, the text, the exercises and the search hits in the chosen language."""
        self._relabel_parts()
        self.show_part(str(self.part.value))
        if self.search.value:
            self.find(self.search.value)

    # -- search ----------------------------------------------------------------------------
    def find(self, query: str) -> None:
        """List the clauses holding every word of ``query``; choosing one opens its part."""
        hits = load_guide().search(query) if query.strip() else []
        shown = hits[:MAX_HITS]
        self.hits.options = [(f"{c.label}  {pick(c.text, self.lang)[:60]}", c.id) for c in shown]
        self.hits.value = None
        self.hits.layout.display = "" if query.strip() else "none"
        more = f"（仅显示前 {MAX_HITS} 条 / first {MAX_HITS} shown）" if len(hits) > MAX_HITS else ""
        self.say(f"找到 {len(hits)} 条 / {len(hits)} found{more}" if query.strip() else "")

    def _jump(self, clause_id: str | None) -> None:
        if not clause_id:
            return
        clause = load_guide().item(clause_id)
        self.part.value = clause.part_id
        self.say(f"{clause.label}：{pick(clause.text, self.lang)}")

    # -- the score -------------------------------------------------------------------------
    @property
    def user(self) -> str:
        """Whose answers these are in the store: the Hub's sign-in, else the name given."""
        if self.identity is not None and self.identity.hub:
            return self.identity.user
        return self._user

    _user = ""
    _kept_by = ""  # whose answers the score holds ("" before anyone was named)

    def _mine(self) -> Door:
        """The door as the person answering (their sign-in, or the name given)."""
        assert self.door is not None
        who = self.identity if self.identity is not None and self.identity.hub else \
            Identity(self.user)
        return self.door.as_(who)

    @property
    def may_see_class(self) -> bool:
        """Trainers see the class: the Hub's ``trainers`` group, or anyone on one machine."""
        return self.door is not None and (
            self.identity is None or not self.identity.hub or TRAINERS in self.identity.groups)

    def sign_in(self, name: str) -> None:
        """Answer as ``name`` from now on: their kept answers and set come back, and answers
        given before a name was known are kept under it."""
        name = name.strip()
        if not name:
            return
        if not (self.identity is not None and self.identity.hub):
            self._user = name
            if self.guard.user != name:
                self.guard.user = name
        if self.door is None:
            self.score = Score(self.score.trainee or name, self.seed, self.score.answers)
            self.trainee.value = self.score.trainee
            return
        kept = load_score(self._mine())
        known = {a.exercise_id for a in kept.answers}
        trainee = self.trainee.value.strip() or kept.trainee or name
        someone_else = bool(self._kept_by) and self._kept_by != self.user
        if not self._kept_by:  # answers given before anyone was named are theirs
            for answer in self.score.answers:
                if answer.exercise_id not in known:
                    keep_answer(self._mine(), answer, trainee=trainee, seed=self.seed)
        self._kept_by = self.user  # from now on answers are this person's, never the next's
        kept = load_score(self._mine())
        self.score = Score(trainee, self.seed, kept.answers)
        self.trainee.value = trainee
        if not self._seed_chosen and kept.seed is not None and kept.seed != self.seed:
            self.change_seed(int(kept.seed))  # the set they were answering
        elif someone_else:  # the next person at the same screen: a clean page of the set
            self._built = {}
            self.show_part(str(self.part.value))
        else:
            self._restore()
        self._refresh_score()
        self._refresh_kept()

    def _remembered(self, name: str) -> None:
        """The browser remembered a name (one machine): answer as that person again."""
        if name and name != self.user and not (self.identity and self.identity.hub):
            self.sign_in(name)

    def _restore(self) -> None:
        given = {a.exercise_id: a.given_value for a in self.score.answers}
        for widgets in self._built.values():
            for widget in widgets:
                if widget.feedback is None and given.get(widget.exercise.id):
                    widget.restore(given[widget.exercise.id])

    def _answered(self, exercise: Exercise, feedback: Feedback) -> None:
        before = self.score.n_answered
        self.score = self.score.record(exercise, feedback)
        if self.door is not None and self.user and self.score.n_answered > before:
            keep_answer(self._mine(), self.score.answers[-1],
                        trainee=self.score.trainee or self.user, seed=self.seed)
        self._refresh_score()
        self._refresh_kept()

    def _rename(self) -> None:
        name = self.trainee.value.strip()
        self.score = Score(name, self.score.seed, self.score.answers)
        if name and not (self.identity is not None and self.identity.hub) and name != self.user:
            self.sign_in(name)

    def _refresh_kept(self) -> None:
        if self.door is None:
            self.kept.value = ""
        elif self.user:
            self.kept.value = (f"<small>作答已保存（{html.escape(self.user)}），刷新页面不会丢失 / "
                               "answers are kept: a reload keeps them</small>")
        else:
            self.kept.value = ("<small>填写学员姓名后，作答会被保存 / enter your name and your "
                               "answers are kept</small>")

    def show_class(self) -> None:
        """The class view: each trainee's score, and the clauses most often answered wrong."""
        if self.door is None or not self.may_see_class:
            self.class_area.value = message_html("只有培训人员可以查看班级情况 / trainers only",
                                                 "error", tag="span")
            return
        frames = class_frames(self.door.as_(self.identity).answers())
        trainees, clauses = frames["trainees"], frames["clauses"]
        if trainees.empty:
            self.class_area.value = "<p>还没有学员作答 / no answers yet</p>"
            return
        rows = "".join(
            f"<tr><td>{html.escape(str(r.trainee))}</td><td>{r.answered}</td>"
            f"<td>{r.correct}</td><td>{r.rate:.0%}</td></tr>"
            for r in trainees.itertuples(index=False))
        worst = clauses.sort_values(["wrong", "wrong_rate"], ascending=False).head(10)
        wrong = "".join(
            f"<tr><td>{html.escape(str(label))}</td><td>{n_wrong}/{n}</td>"
            f"<td>{html.escape('、'.join(who))}</td></tr>"
            for label, n_wrong, n, who in zip(worst["label"], worst["wrong"], worst["answered"],
                                              worst["wrong_by"], strict=True) if n_wrong)
        with tempfile.TemporaryDirectory() as tmp:
            data = class_to_excel(frames, Path(tmp) / "class.xlsx").read_bytes()
        self.class_area.value = (
            f"<style>{_CLASS_CSS}</style>"
            "<h3>班级情况 Class</h3><table class='kit-class-trainees'><tr><th>学员 Trainee</th>"
            f"<th>作答 Answered</th><th>正确 Right</th><th>正确率 Rate</th></tr>{rows}</table>"
            "<h4>最常答错的条款 Clauses most often wrong</h4><table class='kit-class-clauses'>"
            f"<tr><th>条款 Clause</th><th>答错 Wrong</th><th>答错的学员 Who</th></tr>{wrong}"
            "</table>" + download_link(data, "班级情况.xlsx", XLSX_MIME,
                                       "下载班级情况 Excel / download the class summary"))

    def _refresh_score(self) -> None:
        text = pick(self.score.summary(), self.lang)
        self.score_line.value = f"<b>{html.escape(text)}</b>"

    def export(self) -> None:
        """Offer the score as an Excel download (a data-URI link; no file server needed)."""
        if not self.score.trainee:
            self.download.value = message_html("请先填写学员姓名 / enter the trainee's name first",
                                               "error", tag="span")
            return
        with tempfile.TemporaryDirectory() as tmp:
            data = score_to_excel(self.score, Path(tmp) / "score.xlsx",
                                  lang=self.lang).read_bytes()
        safe = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", self.score.trainee)[:40] or "trainee"
        name = f"培训成绩-{safe}.xlsx"
        self.download.value = download_link(data, name, XLSX_MIME, f"下载 Download {name}")

    # -- the page --------------------------------------------------------------------------
    def open_from_query(self, query: str | None) -> None:
        """Apply ``?part=…&seed=…&lang=…`` from the page's URL."""
        params = parse_query(query)
        if params.get("lang") in ("zh", "en"):
            self.language.value = params["lang"]
        if params.get("seed", "").isdigit() and int(params["seed"]) != self.seed:
            self.change_seed(int(params["seed"]))
        if params.get("part") in PARTS:
            self.part.value = params["part"]

    def say(self, text: str, *, error: bool = False) -> None:
        """Show a message under the search box (red for an error)."""
        self.message.say(text, error=error)

    def _guard(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run an action; show a failure as a message instead of losing it in a log."""
        return guarded(self.say, fn, *args)
