"""The trainers' app: browse the guide part by part, answer exercises, see why, export a score.

A thin skin over :mod:`kit.training`: the exercises, their answers and the grading all come
from there. Only the part on screen is built (its text and its exercises); a part's exercises
are kept when the trainee moves to another part and back, so answers are never lost. The app
reads ``?part=…&seed=…&lang=…`` from the page's URL, so a trainer can hand out a link to the
same set of exercises.
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

from kit.errors import KitError
from kit.guide import Clause, Text, load_guide
from kit.training import PARTS, Exercise, Feedback, Score, exercises, grade, score_to_excel
from kit.widgets.app import parse_query
from kit.widgets.report import XLSX_MIME, download_link

log = logging.getLogger(__name__)

LANGUAGES = (("中文", "zh"), ("English", "en"))
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
                                     layout=W.Layout(width="auto"))
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

    def submit(self) -> None:
        """Grade the chosen option and show the feedback at once."""
        try:
            self.feedback = grade(self.exercise, self.choice.value)
        except KitError as exc:
            self.result.value = f"<div style='color:#8a5a00'>{html.escape(str(exc))}</div>"
            return
        self._show()
        self.on_answer(self.exercise, self.feedback)

    def _show(self) -> None:
        fb = self.feedback
        if fb is None:
            return
        colour = "#1b5e20" if fb.correct else "#b00020"
        guide = load_guide()
        cited = "".join(clause_html(guide.item(c), self.lang) for c in fb.clauses)
        self.result.value = (f"<div style='color:{colour}'>{html.escape(pick(fb.message, self.lang))}"
                             f"</div><div style='color:#444;font-size:90%'>{cited}</div>")


class TrainingApp(W.VBox):
    """The whole training app: language, trainee, part and search, text, exercises, score."""

    def __init__(self, *, seed: int | None = None, part: str = "1", lang: str = "zh",
                 per_kind: int = 2) -> None:
        self.seed = secrets.randbelow(10_000) if seed is None else seed
        self.per_kind = per_kind
        self.score = Score(seed=self.seed)
        self._built: dict[str, list[ExerciseWidget]] = {}
        self.language = W.ToggleButtons(options=LANGUAGES, value="zh")
        self.language.add_class("kit-language")
        self.trainee = W.Text(description="学员 Trainee", placeholder="姓名 name",
                              style={"description_width": "7em"}, layout=W.Layout(width="22em"))
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
        self.export_button = W.Button(description="导出成绩 Excel", icon="file-excel-o",
                                      layout=W.Layout(width="auto"))
        self.export_button.add_class("kit-export-score")
        self.export_button.on_click(lambda _b: self._guard(self.export))
        self.new_set = W.Button(description="换一组练习 New set", layout=W.Layout(width="auto"))
        self.new_set.add_class("kit-new-set")
        self.new_set.on_click(lambda _b: self._guard(self.change_seed, secrets.randbelow(10_000)))
        self.download = W.HTML()
        self.download.add_class("kit-download-area")
        self.message = W.HTML()
        self.message.add_class("kit-message")
        self.set_label = W.HTML()
        super().__init__([
            W.HTML("<h2>北京市医疗器械生产监督检查指南 · 培训<br>"
                   "<small>Training on the Beijing inspection guide</small></h2>"),
            W.HBox([self.language, self.trainee], layout=W.Layout(flex_flow="row wrap")),
            W.HBox([self.part, self.search], layout=W.Layout(flex_flow="row wrap")),
            self.hits, self.message, self.text,
            W.HTML("<h3>练习 Exercises</h3>"), self.set_label, self.exercise_box,
            W.HBox([self.score_line, self.export_button, self.new_set],
                   layout=W.Layout(align_items="center", flex_flow="row wrap")),
            self.download,
        ])
        self.add_class("kit-training")
        self.language.value = lang if lang in dict(LANGUAGES).values() else "zh"
        self._relabel_parts()
        self.part.value = part if part in PARTS else "1"
        self.show_part(self.part.value)
        self.part.observe(lambda c: self._guard(self.show_part, c["new"]), names="value")
        self.language.observe(lambda _c: self._guard(self.set_language), names="value")
        self.search.observe(lambda c: self._guard(self.find, c["new"]), names="value")
        self.hits.observe(lambda c: self._guard(self._jump, c["new"]), names="value")
