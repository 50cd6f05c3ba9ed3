"""Exercises by part of the guide, generated from the kinds, graded, and scored to Excel."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from kit.dates import beijing_now
from kit.errors import KitError
from kit.guide import Text, load_guide
from kit.training import _kinds as make
from kit.training._content import Decider, load_teaching
from kit.training._kinds import Draft, Rng

#: Teaching content (from ``kit/data/training.yaml``): situations and what the guide calls for in
#: each, by vocabulary, as (code, Chinese, English, clause ids that cite why: the deciding one
#: first).
SITUATIONS: Mapping[str, tuple[tuple[str, str, str, tuple[str, ...]], ...]] = {
    vocabulary: tuple((s.code, s.text.zh, s.text.en, s.clauses) for s in found)
    for vocabulary, found in load_teaching().situations.items()
}


# -- the model -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    """One answer a trainee may choose: its label in Chinese and English, and its value."""

    label: Text
    value: str


@dataclass(frozen=True)
class Exercise:
    """One scenario question with its answer and an explanation that cites the guide.

    ``exhibit`` is an optional small table (header row first) the question refers to, such as a
    records register; ``facts`` are the scenario's parameters, kept for review and tests.
    """

    id: str
    part: str
    kind: str
    question: Text
    options: tuple[Option, ...]
    answer: str
    explanation: Text
    clauses: tuple[str, ...]
    exhibit: tuple[tuple[str, ...], ...] = ()
    facts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = [o.value for o in self.options]
        if len(set(values)) != len(values) or self.answer not in values:
            msg = f"练习 {self.id} 的选项重复或不含答案 / exercise {self.id}: bad options"
            raise KitError(msg)

    def option(self, value: str) -> Option:
        """The option with this value; :class:`KitError` if there is none."""
        for opt in self.options:
            if opt.value == value:
                return opt
        msg = f"练习 {self.id} 没有选项 {value!r} / exercise {self.id} has no option {value!r}"
        raise KitError(msg)


@dataclass(frozen=True)
class Feedback:
    """What a trainee sees right after answering: right or wrong, the answer, and why."""

    exercise_id: str
    given: str
    correct: bool
    answer: str
    message: Text
    clauses: tuple[str, ...]


def grade(exercise: Exercise, answer: str | None) -> Feedback:
    """Grade one answer (an option's value) and explain it, citing the clause."""
    if not answer:
        msg = "请先选择一个答案 / choose an answer first"
        raise KitError(msg)
    given = exercise.option(answer)
    right = exercise.option(exercise.answer)
    ok = answer == exercise.answer
    zh = "✔ 正确。" if ok else f"✖ 不正确。正确答案：{right.label.zh}。"
    en = "✔ Correct. " if ok else f"✖ Not correct. The answer is: {right.label.en}. "
    message = Text(zh + exercise.explanation.zh, en + exercise.explanation.en)
    return Feedback(exercise.id, given.value, ok, exercise.answer, message, exercise.clauses)


def cite(*clause_ids: str) -> Text:
    """``依据 八、4.（1）［8.4.1］`` for the given clause ids (each checked against the guide)."""
    guide = load_guide()
    labels = [(guide.item(c).label, c) for c in clause_ids]
    return Text("依据 " + "，".join(f"{lab}［{cid}］" for lab, cid in labels) + "。",
                "Per " + ", ".join(f"{lab} [{cid}]" for lab, cid in labels) + ".")


# -- the registry and the generator ----------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    """A kind of exercise: the part of the guide it trains, its title, and its generator."""

    part: str
    title: Text
    make: Callable[[Rng], Draft]


KINDS: Mapping[str, Kind] = {
    "role": Kind("1", Text("被检查对象", "Who is inspected"), make.role),
    "principle": Kind("2", Text("检查原则", "Principles"), make.principle),
    "basis": Kind("3", Text("检查依据", "Legal bases"), make.basis),
    "team": Kind("4", Text("检查组组成", "The team"), make.team),
    "inspection_type": Kind("5", Text("检查方式", "Inspection type"), make.inspection_type),
    "notification": Kind("5", Text("通知企业", "Notifying the company"), make.notification),
    "refusal_signers": Kind("6", Text("拒绝签字", "Refusal to sign"), make.refusal),
    "section_of_item": Kind("7", Text("检查项所属节", "Which section"), make.section_of_item),
    "section14": Kind("7", Text("委托生产情形", "Contract manufacturing"), make.section14),
    "remote": Kind("8", Text("远程检查", "Remote inspection"), make.remote),
    "delegated_deadline": Kind("8", Text("委托检查反馈期限", "Delegated result deadline"),
                               make.delegated_deadline),
    "sampling_window": Kind("9", Text("近期记录", "Recent records"), make.sampling_window),
    "sampling_cycle": Kind("9", Text("最近生产周期", "Latest production cycle"),
                           make.sampling_cycle),
    "sampling_conclusion": Kind("9", Text("数据与结论", "Data and conclusion"),
                                make.sampling_conclusion),
    "sampling_discrepancy": Kind("9", Text("数据差别较大", "Records that differ"),
                                 make.sampling_discrepancy),
    "handling": Kind("10", Text("问题的处理", "Handling a finding"), make.handling),
    "rectification_deadline": Kind("10", Text("整改期限", "Rectification deadline"),
                                   make.rectification_deadline),
}
PARTS = tuple(str(n) for n in range(1, 11))

#: kinds on the guide's own words, one of each for every part (``cloze_7`` is part 七's)
TEXT_KINDS: Mapping[str, tuple[Text, Callable[[str, Rng], Draft]]] = {
    "source": (Text("出处", "Which clause"), make.source_clause),
    "part_of": (Text("所属部分", "Which part"), make.part_of_clause),
    "cloze": (Text("填空", "Fill in the blank"), make.cloze),
    "true_or_false": (Text("判断正误", "True or false"), make.true_or_false),
}
KINDS = {
    **KINDS,
    "who_inspects": Kind("1", Text("检查主体", "Who inspects"), make.who_inspects),
    "principle_missing": Kind("2", Text("缺少的原则", "The missing principle"),
                              make.principle_missing),
    "basis_title": Kind("3", Text("依据名称", "Which regulation"), make.basis_title),
    "leader_requirement": Kind("4", Text("组长的要求", "The leader's requirements"),
                               make.leader_requirement),
    "step_order": Kind("6", Text("实施顺序", "The order of the visit"), make.step_order),
    **{f"{name}_{part}": Kind(part, title, partial(maker, part))
       for part in PARTS for name, (title, maker) in TEXT_KINDS.items()},
}


def decided_by(kind: str) -> Decider:
    """How the clause that decides every answer of ``kind`` is found, as the teaching content
    declares it (``decided_by`` in ``kit/data/training.yaml``; a kind on the guide's words for
    every part by its name before the part): a :class:`~kit.training._content.Basis` (the
    clause, and the guide's words in it that decide), ``"situation"`` or ``"asked"``. That
    clause is the first an exercise of the kind cites.

    >>> decided_by("remote").clause, decided_by("cloze_7")
    ('8.4.1', 'asked')
    """
    declared = load_teaching().decided_by
    if kind not in KINDS:
        msg = f"没有题型 {kind!r} / no kind of exercise {kind!r}"
        raise KitError(msg)
    return declared[kind] if kind in declared else declared[kind.rsplit("_", 1)[0]]


def _part(part: int | str) -> str:
    text = str(part).strip()
    if text not in PARTS:
        msg = f"指南没有第 {text!r} 部分（1-10，即一至十）/ no part {text!r}: give 1-10"
        raise KitError(msg)
    return text


def kinds_of_part(part: int | str) -> tuple[str, ...]:
    """The kinds of exercise for one part of the guide (1..10 for 一..十)."""
    p = _part(part)
    return tuple(name for name, kind in KINDS.items() if kind.part == p)


def exercises(part: int | str, *, seed: int, per_kind: int = 2) -> tuple[Exercise, ...]:
    """``per_kind`` exercises of every kind for one part, the same for the same seed.

    Each exercise draws from its own generator seeded by (seed, kind, number), so adding a kind
    or asking for more never changes the exercises already given. Within a kind, a repeated
    question is drawn again (a few times at most), and left out if it still repeats.
    """
    out = []
    for name in kinds_of_part(part):
        kind, seen = KINDS[name], set()
        for i in range(per_kind):
            for attempt in range(8):
                rng = random.Random(f"kit.training:{seed}:{name}:{i}:{attempt}")
                draft = kind.make(rng)
                if draft.question not in seen:
                    break
            if draft.question in seen:
                continue  # a kind with few questions (一's one clause): never the same twice
            seen.add(draft.question)
            out.append(_exercise(draft, f"{name}-{seed}-{i}", kind.part, name))
    return tuple(out)


def _exercise(draft: Draft, exercise_id: str, part: str, kind: str) -> Exercise:
    """The exercise of a draft: its options, and its reason followed by the clauses cited."""
    why = cite(*draft.clauses)
    return Exercise(id=exercise_id, part=part, kind=kind, question=draft.question,
                    options=tuple(Option(label, value) for label, value in draft.options),
                    answer=draft.answer,
                    explanation=Text(f"{draft.reason.zh}{why.zh}", f"{draft.reason.en} {why.en}"),
                    clauses=draft.clauses, exhibit=draft.exhibit, facts=dict(draft.facts))


# -- the score ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    """One answered exercise as the score keeps it, its texts in Chinese and in English."""

    exercise_id: str
    part: str
    kind: str
    question: str
    given: str
    answer: str
    correct: bool
    clauses: str
    at: datetime
    question_en: str = ""
    given_en: str = ""
    answer_en: str = ""
    clause_ids: tuple[str, ...] = ()
    given_value: str = ""  # the option chosen, so that a reloaded page shows the answer again


@dataclass(frozen=True)
class Score:
    """A trainee's answers; only the first answer to each exercise counts."""

    trainee: str = ""
    seed: int | None = None
    answers: tuple[Answer, ...] = ()

    def record(self, exercise: Exercise, feedback: Feedback, *,
               at: datetime | None = None) -> Score:
        """This score with the answer added, unless the exercise was answered before."""
        if any(a.exercise_id == exercise.id for a in self.answers):
            return self
        guide = load_guide()
        given, right = exercise.option(feedback.given), exercise.option(exercise.answer)
        answer = Answer(exercise.id, exercise.part, exercise.kind, exercise.question.zh,
                        given.label.zh, right.label.zh, feedback.correct,
                        "，".join(f"{guide.item(c).label}［{c}］" for c in exercise.clauses),
                        at or beijing_now(), exercise.question.en, given.label.en,
                        right.label.en, tuple(exercise.clauses), str(feedback.given or ""))
        return replace(self, answers=(*self.answers, answer))

    @property
    def n_answered(self) -> int:
        return len(self.answers)

    @property
    def n_correct(self) -> int:
        return sum(a.correct for a in self.answers)

    @property
    def percent(self) -> float:
        """Share of first answers that were right, 0-100 (0 before any answer)."""
        return 100.0 * self.n_correct / self.n_answered if self.answers else 0.0

    def summary(self) -> Text:
        return Text(f"得分 {self.n_correct}/{self.n_answered}（{self.percent:.0f}%）",
                    f"Score {self.n_correct}/{self.n_answered} ({self.percent:.0f}%)")


def _text_cell(ws: Any, row: int, col: int, value: object) -> None:
    """Write a value; any text as text, so a name such as ``=1+1`` never becomes a formula."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"


#: the score workbook's words, (Chinese, English)
_SCORE_WORDS = {
    "score": ("成绩", "Score"), "by_part": ("按部分", "By part"), "trainee": ("学员", "Trainee"),
    "set": ("练习组（种子）", "Set (seed)"), "answered": ("作答", "Answered"),
    "correct": ("正确", "Correct"), "rate": ("正确率", "Rate"), "exported": ("导出时间", "Exported"),
    "no": ("序号", "No."), "part": ("部分", "Part"), "kind": ("题型", "Kind"),
    "question": ("题目", "Question"), "given": ("作答", "Given"), "answer": ("正确答案", "Answer"),
    "result": ("结果", "Result"), "clause": ("依据", "Clause"), "time": ("时间（北京时间）", "Time (Beijing)"),
    "right": ("正确", "right"), "wrong": ("错误", "wrong"),
}


def score_to_excel(score: Score, path: str | Path, *, lang: str = "zh") -> Path:
    """Write the score to an .xlsx workbook: a summary, every answer, and a sheet by part, in
    the chosen language (``zh`` or ``en``; an answer recorded before English was kept shows
    its Chinese)."""
    guide = load_guide()
    en = lang == "en"

    def w(key: str) -> str:
        return _SCORE_WORDS[key][1 if en else 0]

    path = Path(path)
    book = Workbook()
    ws = book.active
    ws.title = w("score")
    head = [(w("trainee"), score.trainee), (w("set"), "" if score.seed is None
                                             else str(score.seed)),
            (w("answered"), score.n_answered), (w("correct"), score.n_correct),
            (w("rate"), round(score.percent / 100, 4)),
            (w("exported"), beijing_now())]
    for r, (label, value) in enumerate(head, start=1):
        _text_cell(ws, r, 1, label)
        _text_cell(ws, r, 2, value)
        ws.cell(row=r, column=1).font = Font(bold=True)
    ws.cell(row=5, column=2).number_format = "0%"
    ws.cell(row=6, column=2).number_format = "yyyy-mm-dd hh:mm"
    columns = [w(k) for k in ("no", "part", "kind", "question", "given", "answer", "result",
                              "clause", "time")]
    first = len(head) + 2
    for c, title in enumerate(columns, start=1):
        _text_cell(ws, first, c, title)
        ws.cell(row=first, column=c).font = Font(bold=True)
    for n, a in enumerate(score.answers, start=1):
        named = KINDS[a.kind].title if a.kind in KINDS else None
        kind = (named.en if en else named.zh) if named is not None else a.kind
        values = (n, guide.part(a.part).label, kind,
                  (a.question_en or a.question) if en else a.question,
                  (a.given_en or a.given) if en else a.given,
                  (a.answer_en or a.answer) if en else a.answer,
                  w("right") if a.correct else w("wrong"), a.clauses, a.at)
        for c, value in enumerate(values, start=1):
            _text_cell(ws, first + n, c, value)
        ws.cell(row=first + n, column=9).number_format = "yyyy-mm-dd hh:mm"
    for letter, width in zip("ABCDEFGHI", (18, 8, 14, 60, 24, 24, 8, 22, 17), strict=True):
        ws.column_dimensions[letter].width = width
    parts = book.create_sheet(w("by_part"))
    for c, title in enumerate((w("part"), w("answered"), w("correct")), start=1):
        _text_cell(parts, 1, c, title)
    for r, p in enumerate(PARTS, start=2):
        mine = [a for a in score.answers if a.part == p]
        words = guide.part(p).text
        _text_cell(parts, r, 1, f"{guide.part(p).label} {words.en if en else words.zh}")
        _text_cell(parts, r, 2, len(mine))
        _text_cell(parts, r, 3, sum(a.correct for a in mine))
    parts.column_dimensions["A"].width = 26
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
