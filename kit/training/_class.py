"""A class's answers kept in the store: each trainee's score survives a reload, and a trainer
sees per trainee, per part and per clause who got what wrong (:func:`class_frames`).

A trainee is known by their sign-in (the office server's user) or, on one machine, the name
they chose; each first answer to an exercise is kept once (:meth:`kit.door.Door.keep_answer`),
never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from kit.dates import ZONE
from kit.door import Door
from kit.frames import write_frames
from kit.guide import load_guide
from kit.training._exercises import PARTS, Answer, Score

#: the sheets of the class workbook
CLASS_SHEETS = {"trainees": "学员", "parts": "按部分", "clauses": "按条款", "answers": "作答"}


def answer_record(answer: Answer, *, trainee: str, seed: int | None) -> dict[str, Any]:
    """What the store keeps of one answer: the answer itself, who said they were, the set."""
    data = asdict(answer)
    data["at"] = answer.at.isoformat(timespec="seconds")
    data["clause_ids"] = list(answer.clause_ids)
    return {**data, "trainee": trainee, "seed": seed}


def _answer(record: Mapping[str, Any]) -> Answer:
    fields = Answer.__dataclass_fields__
    values = {k: record[k] for k in fields if k in record}
    values["at"] = datetime.fromisoformat(str(record["at"]))
    values["clause_ids"] = tuple(record.get("clause_ids", ()))
    return Answer(**values)


def keep_answer(door: Door, answer: Answer, *, trainee: str = "",
                seed: int | None = None) -> bool:
    """Keep the door's person's answer; False if they had answered that exercise before."""
    record = answer_record(answer, trainee=trainee or door.user, seed=seed)
    return door.keep_answer(answer.exercise_id, record)


def load_score(door: Door) -> Score:
    """The door's person's score as the store keeps it: every first answer, the name they
    gave last, the set (seed) they answered last."""
    user = door.user
    records = door.answers(user)
    if not records:
        return Score(trainee="")
    last = records[-1]
    return Score(trainee=str(last.get("trainee") or user), seed=last.get("seed"),
                 answers=tuple(_answer(r) for r in records))


def class_frames(records: Iterable[Mapping[str, Any]]) -> dict[str, pd.DataFrame]:
    """The class as tables: ``trainees`` (answered, right, rate, first and last answer),
    ``parts`` (per trainee and part), ``clauses`` (per clause: answers, wrong ones and who
    answered wrong) and every ``answers`` row."""
    rows = list(records)
    guide = load_guide()
    parts = [str(p) for p in PARTS]
    answers = pd.DataFrame({
        "user": pd.array([r["user"] for r in rows], dtype="string"),
        "trainee": pd.array([r.get("trainee") or r["user"] for r in rows], dtype="string"),
        "part": pd.Categorical([str(r["part"]) for r in rows], categories=parts, ordered=True),
        "kind": pd.array([r["kind"] for r in rows], dtype="string"),
        "exercise": pd.array([r["exercise_id"] for r in rows], dtype="string"),
        "question": pd.array([r["question"] for r in rows], dtype="string"),
        "given": pd.array([r["given"] for r in rows], dtype="string"),
        "answer": pd.array([r["answer"] for r in rows], dtype="string"),
        "correct": pd.array([bool(r["correct"]) for r in rows], dtype="bool"),
        "clauses": pd.Series([tuple(r.get("clause_ids", ())) for r in rows], dtype=object),
        # Beijing wall time, as the trainee's page took it (kit.dates): aware, so it says so
        "at": pd.to_datetime(pd.Series([r["at"] for r in rows], dtype=object)).astype(
            "datetime64[us]").dt.tz_localize(ZONE) if rows else
        pd.Series([], dtype=f"datetime64[us, {ZONE}]"),
    })
    # a person is their sign-in; the name shown is the last one they gave
    answers["trainee"] = answers["user"].map(answers.groupby("user")["trainee"].last()).astype(
        "string")
    by = answers.groupby(["user", "trainee"], sort=True)
    trainees = by.agg(answered=("exercise", "size"), correct=("correct", "sum"),
                      first_at=("at", "min"), last_at=("at", "max")).reset_index()
    trainees["rate"] = (trainees["correct"] / trainees["answered"]).round(3)
    per_part = answers.groupby(["user", "trainee", "part"], observed=True).agg(
        answered=("exercise", "size"), correct=("correct", "sum")).reset_index()
    per_part["rate"] = (per_part["correct"] / per_part["answered"]).round(3)
    cited = answers.explode("clauses").dropna(subset=["clauses"])
    wrong = cited[~cited["correct"]]
    clauses = cited.groupby("clauses").agg(answered=("exercise", "size"),
                                           wrong=("correct", lambda s: int((~s).sum())))
    who: dict[str, tuple[str, ...]] = {}
    for clause, name in zip(wrong["clauses"], wrong["trainee"], strict=True):
        who[clause] = tuple(dict.fromkeys((*who.get(clause, ()), str(name))))
    order = [c.id for c in guide.clauses()]
    clauses = clauses.reindex([c for c in order if c in clauses.index]).reset_index(
        names="clause")
    clauses.insert(1, "label", pd.Series([guide.item(c).label for c in clauses["clause"]],
                                         dtype="string"))
    clauses["wrong_rate"] = (clauses["wrong"] / clauses["answered"]).round(3)
    clauses["wrong_by"] = [who.get(c, ()) for c in clauses["clause"]]
    clauses["clause"] = clauses["clause"].astype("string")
    for frame in (trainees, per_part):
        frame["correct"] = frame["correct"].astype("int64")
    return {"trainees": trainees[["trainee", "user", "answered", "correct", "rate",
                                  "first_at", "last_at"]],
            "parts": per_part[["trainee", "user", "part", "answered", "correct", "rate"]],
            "clauses": clauses.astype({"answered": "int64", "wrong": "int64"}),
            "answers": answers}


def class_to_excel(frames: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """The class summary as a formatted workbook (学员, 按部分, 按条款, 作答)."""
    return write_frames(frames, path, titles=CLASS_SHEETS)
