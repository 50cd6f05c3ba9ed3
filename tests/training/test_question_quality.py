"""Questions that test understanding of the guide, checked over 50 seeds of every part.

A trainee must be able to answer each question from the guide's text alone, and the feedback
must point at the clause that decides it:

- a blank is a key term or phrase of a clause, never the whole text of a clause or item;
- a "changed" sentence in a true-or-false question is never the text of a clause of the guide;
- a figure that is the kit's own setting (九、6's "数据差别较大" has none in the guide) is stated
  in the question as the kit's; the figures graded as the guide's are the guide's own;
- the clause cited first is the one the teaching content declares as deciding the kind's
  answer, and its declared words are the guide's text;
- the feedback says "依据 …" once.

No browser: exercises are generated and graded in process.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from functools import cache

import pytest

from kit.guide import load_guide
from kit.training import KINDS, PARTS, Exercise, decided_by, exercises, grade, moodle_xml
from kit.training._content import Basis, load_teaching

GUIDE = load_guide()
SEEDS = range(50)
WORD = re.compile(r"\w")  # a character of text (Chinese characters too), not punctuation
CITED_ZH = re.compile(r"依据 [一二三四五六七八九十]")  # the guide's text says 依据 too
CITED_EN = re.compile(r"Per [一二三四五六七八九十]")


@cache
def of_part(part: str) -> tuple[Exercise, ...]:
    return tuple(e for s in SEEDS for e in exercises(part, seed=s))


def of_kind(prefix: str) -> list[Exercise]:
    return [e for p in PARTS for e in of_part(p) if e.kind.startswith(prefix)]


def words(text: str) -> str:
    return "".join(WORD.findall(text))


def between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].rsplit(end, 1)[0]


# -- blanks -----------------------------------------------------------------------------------
@pytest.mark.parametrize("part", PARTS)
def test_a_blank_is_a_phrase_never_the_whole_clause(part):
    found = [e for e in of_part(part) if e.kind == f"cloze_{part}"]
    assert len(found) >= 50
    for e in found:
        clause = GUIDE.item(e.clauses[0])
        blank = between(e.question.zh, "：“", "”横线处")
        assert blank.replace("____", e.answer, 1) == clause.zh, e.id
        around = words(blank.replace("____", ""))
        assert words(e.answer) != words(clause.zh), e.id  # not the whole text
        # as much of the clause left around the blank as the blank itself: context to recall it
        assert len(around) >= max(4, len(words(e.answer))), (e.id, blank)


def test_the_reported_whole_clause_blanks_are_phrases_now():
    for part, seed in (("5", 5), ("7", 5), ("7", 9)):
        for e in exercises(part, seed=seed):
            if e.kind.startswith("cloze"):
                assert words(e.answer) != words(GUIDE.item(e.clauses[0]).zh), e.id


# -- true or false ----------------------------------------------------------------------------
@cache
def guide_texts() -> tuple[str, ...]:
    return tuple(words(c.zh) for c in GUIDE.clauses() if words(c.zh))


@pytest.mark.parametrize("part", PARTS)
def test_a_changed_sentence_is_never_the_text_of_a_clause(part):
    found = [e for e in of_part(part) if e.kind == f"true_or_false_{part}"]
    assert {e.answer for e in found} == {"yes", "no"}
    for e in found:
        clause = GUIDE.item(e.clauses[0])
        shown = between(e.question.zh, "：“", "”这句话")
        if e.answer == "yes":
            assert shown == clause.zh, e.id
            continue
        phrase, other = e.facts["phrase"], e.facts["other"]
        assert shown == clause.zh.replace(phrase, other, 1), e.id
        assert len(words(clause.zh.replace(phrase, "", 1))) >= 4, e.id  # not a whole clause
        # not any clause's text, nor a piece of one: a "changed" sentence is really changed
        assert not any(words(shown) in t for t in guide_texts()), (e.id, shown)


def test_the_reported_real_text_swaps_are_changed_sentences_now():
    for seed in (12, 32):
        for e in exercises("7", seed=seed):
            if e.kind == "true_or_false_7" and e.answer == "no":
                shown = between(e.question.zh, "：“", "”这句话")
                assert not any(words(shown) in t for t in guide_texts()), e.id


# -- the kit's settings and the guide's figures --------------------------------------------------
@pytest.mark.parametrize("part", PARTS)
def test_a_setting_of_the_kit_is_stated_in_the_question_as_the_kits(part):
    for e in of_part(part):
        if "本工具包" in e.explanation.zh or "kit's" in e.explanation.en:
            assert "本工具包的设置" in e.question.zh, e.id
            assert "指南未规定具体数值" in e.question.zh, e.id
            assert "the kit's setting" in e.question.en, e.id


def test_records_that_differ_are_graded_on_the_threshold_the_question_states():
    found = of_kind("sampling_discrepancy")
    assert len(found) >= 50
    assert {e.answer for e in found} == {"yes", "no"}
    for e in found:
        stated = float(re.search(r"公差（上限－下限）的 (\d+)%", e.question.zh)[1]) / 100
        a, b, low, high = (float(e.facts[k]) for k in ("a", "b", "lower", "upper"))
        assert f"{a} 和 {b}" in e.question.zh
        assert e.answer == ("yes" if abs(a - b) / (high - low) > stated else "no"), e.id


def test_the_latest_quarter_is_the_same_record_however_a_quarter_is_counted():
    """九、2's "前一季度": the answer holds for any quarter of 89 to 92 days."""
    for e in of_kind("sampling_window"):
        day = date.fromisoformat(e.facts["inspection_date"])
        header, *rows = e.exhibit
        dated = {r[0]: (day - date.fromisoformat(r[header.index("记录日期")])).days for r in rows}
        assert [rid for rid, days in dated.items() if days <= 89] == [e.answer]
        assert [rid for rid, days in dated.items() if days <= 92] == [e.answer]


def test_the_figures_graded_are_the_guides_own():
    ten = int(re.search(r"检查结束后(\d+)个工作日内", GUIDE.item("8.5.3").zh)[1])
    assert {e.facts["workdays"] for e in of_kind("delegated_deadline")} == {str(ten)}
    two = int(re.search(r"至少由(\d+)名检查人员", GUIDE.item("4.1").zh)[1])
    for e in of_kind("team"):
        roles = e.facts["roles"].split(",")
        inspectors = len(roles) - roles.count("expert")
        assert e.answer == ("yes" if roles.count("leader") == 1 and inspectors >= two
                            else "no"), roles


# -- the clause that decides -------------------------------------------------------------------
def test_every_kind_declares_the_clause_that_decides_it():
    declared = load_teaching().decided_by
    families = {k if k in declared else k.rsplit("_", 1)[0] for k in KINDS}
    assert set(declared) == families  # every kind declared, nothing declared for no kind
    for kind in KINDS:
        basis = decided_by(kind)
        if isinstance(basis, Basis):
            assert basis.words in GUIDE.item(basis.clause).zh, kind
        else:
            assert basis in ("situation", "asked"), kind


@pytest.mark.parametrize("part", PARTS)
def test_the_clause_cited_first_is_the_one_declared(part):
    teaching = load_teaching()
    for e in of_part(part):
        basis, first = decided_by(e.kind), e.clauses[0]
        if isinstance(basis, Basis):
            assert first == basis.clause, e.id
        elif basis == "situation":
            vocabulary, k = e.facts["situation"].split("/")
            situation = teaching.situations[vocabulary][int(k)]
            assert situation.text.zh in e.question.zh, e.id
            assert e.answer == situation.code, e.id
            assert e.clauses == situation.clauses, e.id
            assert situation.words in GUIDE.item(first).zh, e.id
        else:  # the clause asked about: the answer, or quoted (by its label) in the question
            clause = GUIDE.item(first)
            asked = (e.answer == first or clause.label.rstrip(".") in e.question.zh
                     or clause.zh[:20] in e.question.zh)
            assert asked, e.id


def test_an_inspection_type_is_decided_by_a_clause_that_names_it_not_by_the_list():
    terms = {t.code: t.zh for t in GUIDE.terms("inspection_types")}
    found = of_kind("inspection_type")
    assert len(found) >= 50
    for e in found:
        situation = next(s for s in load_teaching().situations["inspection_types"]
                         if s.text.zh in e.question.zh)
        named = [code for code, zh in terms.items() if zh in situation.words]
        assert named == [e.answer], e.id  # 五、2 names all six: it decides none of them
        assert e.clauses[0] != "5.2", e.id


def test_a_handling_is_decided_by_its_own_case_of_ten_one():
    handling = {t.code: t.source for t in GUIDE.terms("handling_kinds")}
    for e in of_kind("handling"):
        assert e.clauses[0] == handling[e.answer], e.id


def test_the_remote_question_gives_the_guides_conditions():
    found = of_kind("remote")
    assert {e.answer for e in found} == {"yes", "no"}
    for e in found:
        assert "有时限要求" in e.question.zh, e.id
        assert "不可抗力" in e.question.zh, e.id
        assert "time limit" in e.question.en, e.id


# -- feedback -------------------------------------------------------------------------------------
@pytest.mark.parametrize("part", PARTS)
def test_the_feedback_cites_the_clauses_once(part):
    for e in of_part(part):
        wrong = next(o.value for o in e.options if o.value != e.answer)
        for given in (e.answer, wrong):
            message = grade(e, given).message
            assert len(CITED_ZH.findall(message.zh)) == 1, (e.id, message.zh)
            assert len(CITED_EN.findall(message.en)) == 1, (e.id, message.en)
        reason = CITED_ZH.split(e.explanation.zh)[0]
        for clause in e.clauses:
            label = GUIDE.item(clause).label.rstrip(".")
            if "、" in label:  # 四、1, 十、1.情形1: not said again before "依据"
                assert label not in reason, (e.id, reason)


def test_the_moodle_feedback_cites_the_clauses_once():
    items = [e for p in PARTS for e in exercises(p, seed=1)]
    root = ET.fromstring(moodle_xml(items, category="指南", lang="zh"))
    feedback = [q.findtext("generalfeedback/text") or "" for q in root.findall("question")[1:]]
    assert len(feedback) == len(items)
    assert [len(CITED_ZH.findall(text)) for text in feedback] == [1] * len(items)
