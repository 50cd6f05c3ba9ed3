"""Six kinds of exercise for every part, with answers the kit works out from the guide itself."""

from __future__ import annotations

import pytest

from kit.guide import load_guide
from kit.training import PARTS, exercises, grade, kinds_of_part

GUIDE = load_guide()
SEEDS = range(25)


@pytest.mark.parametrize("part", PARTS)
def test_every_part_has_six_kinds_and_many_distinct_questions(part):
    assert len(kinds_of_part(part)) >= 6
    questions = {e.question.zh for s in SEEDS for e in exercises(part, seed=s, per_kind=1)}
    assert len(questions) >= 25  # part 六 once had 2 distinct questions over 50 seeds
    for e in exercises(part, seed=1):
        assert grade(e, e.answer).correct
        assert len({o.value for o in e.options}) == len(e.options)  # one right answer


def of_kind(kind: str, part: str):
    return [e for s in SEEDS for e in exercises(part, seed=s) if e.kind == kind]


@pytest.mark.parametrize("part", ["2", "6", "7", "9"])
def test_a_cloze_is_answered_by_the_guides_own_phrase(part):
    for e in of_kind(f"cloze_{part}", part):
        clause = GUIDE.item(e.clauses[0])
        blank = e.question.zh.split("：“", 1)[1].rsplit("”横线处", 1)[0]
        assert blank.replace("____", e.answer, 1) == clause.zh
        for option in e.options:
            if option.value != e.answer:
                assert option.value not in clause.zh  # no distractor fits the text as well


@pytest.mark.parametrize("part", ["3", "8", "10"])
def test_true_or_false_is_yes_exactly_when_the_text_is_the_guides(part):
    answers = set()
    for e in of_kind(f"true_or_false_{part}", part):
        clause = GUIDE.item(e.clauses[0])
        shown = e.question.zh.split("：“", 1)[1].rsplit("”这句话", 1)[0]
        assert (e.answer == "yes") == (shown == clause.zh)
        answers.add(e.answer)
    assert answers == {"yes", "no"}


def test_source_and_part_name_the_quoted_clause():
    for e in of_kind("source_7", "7"):
        assert GUIDE.item(e.answer).zh in e.question.zh
    for e in of_kind("part_of_5", "5"):
        assert e.answer == "5"
        assert GUIDE.item(e.clauses[0]).part_id == "5"


def test_the_next_step_of_part_six_is_the_guides_order():
    steps = [c.id for c in GUIDE.part(6).items("item")]
    for e in of_kind("step_order", "6"):
        now, after = e.clauses
        assert steps.index(after) == steps.index(now) + 1
        assert e.answer == after


def test_the_leaders_own_requirement_and_the_missing_principle():
    leader_only = {c.id for c in GUIDE.item("4.3").children}
    everyone = {c.id for c in GUIDE.item("4.2").children}
    for e in of_kind("leader_requirement", "4"):
        assert e.answer in leader_only
        assert {o.value for o in e.options} - {e.answer} <= everyone
    principles = {t.code: t.zh for t in GUIDE.terms("principles")}
    for e in of_kind("principle_missing", "2"):
        assert principles[e.answer] not in e.question.zh.split("，还有")[0]
        assert all(p in e.question.zh for code, p in principles.items() if code != e.answer)


def test_who_inspects_and_which_regulation_come_from_the_guides_text():
    for e in of_kind("who_inspects", "1"):
        assert e.option(e.answer).label.zh in GUIDE.item("1.1").zh
    for e in of_kind("basis_title", "3"):
        number = e.question.zh.split("文号为“")[1].split("”")[0]
        assert number in GUIDE.item(e.answer).zh
        assert e.option(e.answer).label.zh in GUIDE.item(e.answer).zh


@pytest.mark.parametrize("part", PARTS)
def test_a_set_never_asks_the_same_question_twice(part):
    for seed in range(10):
        questions = [e.question.zh for e in exercises(part, seed=seed)]
        assert len(questions) == len(set(questions))


def test_which_clause_has_one_right_option_even_where_a_clause_quotes_another():
    for e in of_kind("source_10", "10"):
        quote = GUIDE.item(e.answer).zh
        holding = [o.value for o in e.options if quote in GUIDE.item(o.value).zh]
        assert holding == [e.answer]
