"""kit quiz: a set of exercises as Moodle XML an LMS imports, the same file for the same seed."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from kit.guide import load_guide
from kit.training import exercises, moodle_xml


def kit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kit", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_each_question_has_one_right_answer_and_feedback_citing_its_clause() -> None:
    items = exercises("9", seed=3)
    root = ET.fromstring(moodle_xml(items, category="指南/九"))
    assert root.tag == "quiz"
    category, *questions = root.findall("question")
    assert category.get("type") == "category"
    assert category.findtext("category/text") == "$course$/指南/九"
    assert len(questions) == len(items)
    guide = load_guide()
    for q, ex in zip(questions, items, strict=True):
        assert q.get("type") == "multichoice"
        assert q.findtext("name/text") == ex.id
        assert q.findtext("single") == "true"
        fractions = [a.get("fraction") for a in q.findall("answer")]
        assert fractions.count("100") == 1
        assert set(fractions) <= {"100", "0"}
        right = next(a for a in q.findall("answer") if a.get("fraction") == "100")
        assert ex.option(ex.answer).label.zh in (right.findtext("text") or "")
        feedback = q.findtext("generalfeedback/text") or ""
        for clause in ex.clauses:
            assert f"{guide.item(clause).label}［{clause}］" in feedback
        assert ex.question.zh.split("，")[0][:10] in (q.findtext("questiontext/text") or "")


def test_the_command_writes_the_same_file_for_the_same_seed(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.xml", tmp_path / "b.xml", tmp_path / "c.xml"
    for out, seed in ((a, "7"), (b, "7"), (c, "8")):
        run = kit("quiz", "--part", "6", "--seed", seed, "--out", str(out))
        assert run.returncode == 0, run.stderr
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert ET.parse(a).getroot().findtext("question/category/text").endswith("六、检查的实施")
    english = tmp_path / "en.xml"
    assert kit("quiz", "--part", "6", "--seed", "7", "--lang", "en",
               "--out", str(english)).returncode == 0
    text = english.read_text("utf-8")
    assert "依据 六" not in text  # the citation is in English (a cloze keeps the guide's own words)
    assert "Per " in text
    wrong = kit("quiz", "--part", "11", "--out", str(tmp_path / "x.xml"))
    assert wrong.returncode == 2
    assert "no exercises for part" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_html_in_an_exhibit_or_a_question_is_escaped() -> None:
    items = [e for e in exercises("9", seed=1) if e.exhibit][:1]
    assert items
    raw = moodle_xml(items, category="x").decode("utf-8")
    assert "<table" not in raw  # the question's HTML is escaped once for XML...
    text = ET.fromstring(raw).findtext("question[2]/questiontext/text") or ""
    assert text.count("<table") == 1  # ...and is HTML again for Moodle
