"""Training exercises and the training app (without a browser).

The exercises' answers come from the kit's own rules, sampling engine and calendar; these tests
hold them to what the guide says, independently: remote inspection is never for 有因 or 飞行
inspections (八、4.（1）), a refusal is signed by two inspectors and a present witness (六、8), a
deadline lands on the n-th official working day, and so on.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from datetime import date, datetime
from typing import Any

import jsonschema
import openpyxl
import pytest
import yaml

from kit.errors import KitError
from kit.guide import load_guide
from kit.training import (
    KINDS,
    PARTS,
    SITUATIONS,
    Exercise,
    Score,
    exercises,
    grade,
    kinds_of_part,
    score_to_excel,
)
from kit.training._content import (
    SCHEMA_FILE,
    TRAINING_FILE,
    load_teaching,
    validate_teaching_data,
)
from kit.widgets.training import TrainingApp
from kit.workdays import load_calendar

SEEDS = range(6)


def all_of(kind: str, seeds: range = SEEDS) -> list[Exercise]:
    part = KINDS[kind].part
    return [e for s in seeds for e in exercises(part, seed=s, per_kind=3) if e.kind == kind]


def test_every_part_of_the_guide_has_exercises_that_cite_the_guide():
    guide = load_guide()
    for part in PARTS:
        found = exercises(part, seed=7)
        assert found, part
        assert {e.kind for e in found} == set(kinds_of_part(part))
        for e in found:
            assert e.part == part
            assert e.answer in [o.value for o in e.options]
            assert len({o.value for o in e.options}) == len(e.options) >= 2
            assert e.clauses
            assert all(c in guide for c in e.clauses)
            for clause in e.clauses:  # "依据 八、4.（1）［8.4.1］"
                assert f"{guide.item(clause).label}［{clause}］" in e.explanation.zh
                assert f"[{clause}]" in e.explanation.en
            assert e.question.zh
            assert e.question.en


def test_the_same_seed_gives_the_same_exercises():
    assert exercises("9", seed=3) == exercises("9", seed=3)
    assert exercises("9", seed=3) != exercises("9", seed=4)
    first = exercises("8", seed=3, per_kind=1)
    assert exercises("8", seed=3, per_kind=2)[::2] == first  # more never changes the first


def test_unknown_part_is_refused():
    with pytest.raises(KitError, match="1-10"):
        exercises("11", seed=1)


def test_remote_inspection_is_refused_exactly_for_for_cause_and_unannounced():
    found = all_of("remote")
    assert {e.answer for e in found} == {"yes", "no"}
    for e in found:
        barred = e.facts["type"] == "for_cause" or e.facts["unannounced"] == "yes"
        assert e.answer == ("no" if barred else "yes")
        assert "8.4.1" in e.clauses


def test_a_refusal_is_signed_by_two_inspectors_and_the_witness():
    for e in all_of("refusal_signers"):
        right = e.option(e.answer).label.zh
        assert "检查员李华" in right
        assert "专家" not in right
        if e.facts["witness"] == "yes":
            assert "见证人签字" in right
        assert e.clauses == ("6.8",)


def test_the_team_needs_a_leader_and_two_inspectors():
    for e in all_of("team"):
        roles = e.facts["roles"].split(",")
        ok = roles.count("leader") == 1 and roles.count("expert") < len(roles) - 1
        assert e.answer == ("yes" if ok else "no"), roles


def test_an_unannounced_inspection_is_never_notified():
    for e in all_of("notification"):
        assert e.answer == ("no" if e.facts["unannounced"] == "yes" else "yes")


def test_section14_is_required_exactly_when_contracts_are_involved():
    for e in all_of("section14"):
        involved = e.facts["role"] == "contract_manufacturer" or e.facts["partners"] != "0"
        assert e.answer == ("yes" if involved else "no")


def test_handling_answers_are_the_guides_handling_kinds():
    kinds = {t.code: t for t in load_guide().terms("handling_kinds")}
    for e in all_of("handling"):
        assert [o.value for o in e.options] == list(kinds)
        assert e.clauses[0] == kinds[e.answer].source  # 十、1's 情形 of that handling
        if kinds[e.answer].needs_deadline:
            assert "整改时限" in e.explanation.zh
            assert "6.7" in e.clauses  # 六、7: the record states the deadline


@pytest.mark.parametrize("kind", ["delegated_deadline", "rectification_deadline"])
def test_a_deadline_is_the_nth_official_working_day(kind):
    cal = load_calendar()
    for e in all_of(kind):
        start, n = date.fromisoformat(e.facts["start"]), int(e.facts["workdays"])
        due = date.fromisoformat(e.answer)
        assert cal.is_workday(due)
        assert cal.workdays_between(start, due).days == n
        assert len(e.options) >= 3


def test_the_delegated_result_is_due_within_ten_working_days():
    e = all_of("delegated_deadline", range(1))[0]
    assert e.facts["workdays"] == "10"
    assert e.clauses == ("8.5.3",)


def test_sampling_window_takes_the_record_of_the_last_quarter():
    for e in all_of("sampling_window"):
        day = date.fromisoformat(e.facts["inspection_date"])
        header, *rows = e.exhibit
        dates = {r[0]: date.fromisoformat(r[header.index("记录日期")]) for r in rows}
        recent = [rid for rid, d in dates.items() if 0 <= (day - d).days <= 85]
        assert recent == [e.answer]


def test_sampling_conclusion_finds_the_record_whose_data_contradict_it():
    for e in all_of("sampling_conclusion"):
        header, *rows = e.exhibit
        value_col = next(i for i, h in enumerate(header) if "（" in h)
        wrong = []
        for r in rows:
            value, low, high = float(r[value_col]), float(r[3]), float(r[4])
            inside = low <= value <= high
            if inside != (r[5] == "合格"):
                wrong.append(r[0])
        assert wrong == [e.answer]


def test_records_that_differ_are_never_answered_alike_when_one_is_out_of_its_limits():
    """九、6: "no need to widen" only for two values that both lie within their limits."""
    seen = {"是": 0, "否": 0}
    for e in all_of("sampling_discrepancy", range(40)):
        a, b, low, high = (float(e.facts[k]) for k in ("a", "b", "lower", "upper"))
        answer = next(o.label.zh for o in e.options if o.value == e.answer)
        seen[answer] += 1
        if answer == "否":
            assert low <= a <= high
            assert low <= b <= high
        # measured against the tolerance the register gives (九、6 with limits)
        assert (abs(a - b) / (high - low) > 0.2) == (answer == "是")
        assert "公差" in e.explanation.zh
        assert "本工具包" in e.explanation.zh  # the threshold is the kit's, not the guide's
    assert seen["是"] > 10
    assert seen["否"] > 10


def test_grading_says_right_or_wrong_and_cites_the_clause():
    e = exercises("8", seed=1)[0]
    right = grade(e, e.answer)
    assert right.correct
    assert right.message.zh.startswith("✔ 正确")
    assert "依据 八、4.（1）" in right.message.zh
    wrong = next(o.value for o in e.options if o.value != e.answer)
    feedback = grade(e, wrong)
    assert not feedback.correct
    assert f"正确答案：{e.option(e.answer).label.zh}" in feedback.message.zh
    with pytest.raises(KitError, match="请先选择"):
        grade(e, None)
    with pytest.raises(KitError):
        grade(e, "no-such-option")


def test_the_score_counts_each_exercise_once_and_goes_to_excel(tmp_path):
    a, b = exercises("5", seed=2)[:2]
    score = Score(trainee="=HYPERLINK(\"http://example.invalid\")", seed=2)
    score = score.record(a, grade(a, a.answer), at=datetime(2026, 11, 24, 9, 0))
    wrong = next(o.value for o in b.options if o.value != b.answer)
    score = score.record(b, grade(b, wrong))
    score = score.record(a, grade(a, next(o.value for o in a.options if o.value != a.answer)))
    assert (score.n_answered, score.n_correct, score.percent) == (2, 1, 50.0)
    assert score.summary().zh == "得分 1/2（50%）"
    book = openpyxl.load_workbook(score_to_excel(score, tmp_path / "score.xlsx"))
    assert book.sheetnames == ["成绩", "按部分"]  # in the chosen language: Chinese
    sheet = book["成绩"]
    assert sheet["B1"].value == score.trainee
    assert sheet["B1"].data_type == "s"
    assert (sheet["B3"].value, sheet["B4"].value, sheet["B5"].value) == (2, 1, 0.5)
    rows = list(sheet.iter_rows(min_row=9, values_only=True))
    assert (rows[0][3], rows[0][6]) == (a.question.zh, "正确")
    assert (rows[1][5], rows[1][6]) == (b.option(b.answer).label.zh, "错误")
    assert f"{load_guide().item(a.clauses[0]).label}［{a.clauses[0]}］" in rows[0][7]
    parts = {r[0]: r[1:] for r in book["按部分"].iter_rows(min_row=2, values_only=True)}
    assert parts["五 检查前准备"] == (2, 1)
    english = openpyxl.load_workbook(score_to_excel(score, tmp_path / "en.xlsx", lang="en"))
    assert english.sheetnames == ["Score", "By part"]
    sheet = english["Score"]
    assert (sheet["A1"].value, sheet["A5"].value) == ("Trainee", "Rate")
    rows = list(sheet.iter_rows(min_row=9, values_only=True))
    assert (rows[0][3], rows[0][6]) == (a.question.en, "right")
    assert rows[1][5] == b.option(b.answer).label.en
    assert sheet.cell(8, 4).value == "Question"


# -- the teaching content (kit/data/training.yaml) ------------------------------------------
def _shipped_teaching() -> Any:
    return yaml.safe_load(TRAINING_FILE.read_text(encoding="utf-8"))


def test_the_teaching_content_matches_its_schema():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = _shipped_teaching()
    assert data["format_version"] == 2
    assert [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)] == []
    assert validate_teaching_data(data, str(TRAINING_FILE)) == []


def test_every_clause_and_code_of_the_teaching_content_is_in_the_guide():
    guide = load_guide()
    teaching = load_teaching()
    cited = [c for found in teaching.situations.values() for s in found for c in s.clauses]
    assert [c for c in cited if c not in guide] == []
    for vocabulary, found in teaching.situations.items():
        assert {s.code for s in found} <= {t.code for t in guide.terms(vocabulary)}, vocabulary
        for s in found:  # the words that decide are the text of the clause that decides
            assert s.words in guide.item(s.decided_by).zh, (vocabulary, s.code)
    # every handling has a situation to judge; an inspection type only where a clause says
    # when it is the one (跟踪检查 六、9, 延伸检查 六、5): 五、2 only lists them
    assert {s.code for s in teaching.situations["handling_kinds"]} == {
        t.code for t in guide.terms("handling_kinds")}
    assert {s.code for s in teaching.situations["inspection_types"]} == {"follow_up", "extended"}


def test_situations_are_the_teaching_content_read_once():
    assert load_teaching() is load_teaching()
    first = SITUATIONS["inspection_types"][0]
    assert first[0] == "follow_up"
    assert first[3] == ("6.9",)
    assert first[1] == load_teaching().situations["inspection_types"][0].text.zh
    assert len(SITUATIONS["handling_kinds"]) == len(_shipped_teaching()["situations"]["handling_kinds"])


@pytest.mark.parametrize(
    ("path", "value", "field", "code"),
    [
        (("format_version",), 1, "format_version", "training.schema"),
        (("situations", "roles", 0, "zh"), "", "situations/roles/0/zh", "training.schema"),
        (("situations", "inspection_types", 1, "decided_by"), "10.3.99",
         "situations/inspection_types/1/decided_by", "training.clause"),
        (("situations", "handling_kinds", 3, "see_also", 0), "10.3.99",
         "situations/handling_kinds/3/see_also/0", "training.clause"),
        (("situations", "inspection_types", 0, "words"), "有因检查",
         "situations/inspection_types/0/words", "training.words"),
        (("decided_by", "remote", "words"), "远程检查适用于有因检查",
         "decided_by/remote/words", "training.words"),
        (("decided_by", "team", "clause"), "4.9", "decided_by/team/clause", "training.clause"),
        (("decided_by", "cloze"), "quoted", "decided_by/cloze", "training.schema"),
        (("situations", "handling_kinds", 0, "code"), "warn_only",
         "situations/handling_kinds/0/code", "training.code"),
        (("teams", "compositions", 0), ["leader", "inspector", "inspector", "expert"],
         "teams/compositions/0", "training.team_size"),
        (("refusal", "signings", 1, "signers", 1), "E9", "refusal/signings/1/signers/1",
         "training.signer"),
        (("refusal", "team", 0, "name"), "王五", "refusal/team/0/name", "training.team_text"),
        (("record_kinds", 2, "lower"), 40.0, "record_kinds/2", "training.limits"),
    ],
)
def test_bad_teaching_content_is_refused_with_the_place(path, value, field, code):
    data = copy.deepcopy(_shipped_teaching())
    *where, last = path
    target = data
    for key in where:
        target = target[key]
    target[last] = value
    problems = validate_teaching_data(data, "training.yaml")
    assert (field, code) in {(p.field, p.code) for p in problems}


# -- the app, without a browser ------------------------------------------------------------
def test_answering_in_the_app_shows_feedback_and_counts_the_score():
    app = TrainingApp(seed=1, part="8")
    first = app.exercise_widgets[0]
    first.choice.value = first.exercise.answer
    first.check_button.click()
    assert "✔ 正确" in first.result.value
    assert "八、4.（1）" in first.result.value
    assert "1/1" in app.score_line.value
    second = app.exercise_widgets[1]
    second.check_button.click()  # nothing chosen
    assert "请先选择" in second.result.value
    assert "1/1" in app.score_line.value


def test_language_switch_keeps_the_answer_and_the_feedback():
    app = TrainingApp(seed=1, part="8")
    w = app.exercise_widgets[0]
    w.choice.value = w.exercise.answer
    w.check_button.click()
    app.language.value = "en"
    assert w.exercise.question.en[:20] in w.question.value
    assert "Correct" in w.result.value
    assert w.choice.value == w.exercise.answer
    assert app.part.options[7][0].startswith("八 Inspection Means")
    assert "Score 1/1" in app.score_line.value


def test_search_finds_a_clause_and_opens_its_part():
    app = TrainingApp(seed=1, part="1")
    app.search.value = "劳动合同"
    assert [v for _label, v in app.hits.options] == ["7.2.m9"]
    app.hits.value = "7.2.m9"
    assert app.part.value == "7"
    assert "七、2.检查方法（9）" in app.message.value
    assert "<details>" in app.text.value
    assert {w.exercise.part for w in app.exercise_widgets} == {"7"}


def test_answers_survive_moving_between_parts_and_the_link_selects_the_set():
    app = TrainingApp(seed=1, part="9")
    w = app.exercise_widgets[0]
    w.choice.value = w.exercise.answer
    w.check_button.click()
    app.part.value = "2"
    app.part.value = "9"
    assert app.exercise_widgets[0] is w
    assert w.feedback is not None
    app.open_from_query("?part=10&seed=42&lang=en")
    assert (app.part.value, app.seed, app.language.value) == ("10", 42, "en")
    assert app.exercise_widgets[0].exercise.id.endswith("-42-0")


def test_the_score_is_offered_as_an_excel_download(tmp_path):
    app = TrainingApp(seed=1, part="2")
    app.export()
    assert "请先填写学员姓名" in app.download.value
    app.trainee.value = "王 学员"
    w = app.exercise_widgets[0]
    w.choice.value = w.exercise.answer
    w.check_button.click()
    app.export()
    payload = re.search(r'base64,([^"]+)"', app.download.value)
    assert payload is not None
    path = tmp_path / "download.xlsx"
    path.write_bytes(base64.b64decode(payload.group(1)))
    sheet = openpyxl.load_workbook(path)["成绩"]
    assert sheet["B1"].value == "王 学员"
    assert sheet["B4"].value == 1
    app.language.value = "en"  # the trainee reads English: so does the workbook
    app.export()
    payload = re.search(r'base64,([^"]+)"', app.download.value)
    assert payload is not None
    path.write_bytes(base64.b64decode(payload.group(1)))
    assert openpyxl.load_workbook(path).sheetnames == ["Score", "By part"]
