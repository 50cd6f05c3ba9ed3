"""A set of exercises as Moodle XML, the quiz format an LMS imports (``kit quiz``).

Each exercise becomes one single-answer multiple-choice question: the scenario (and its
exhibit table) in Chinese with the English under it, one fully right answer (fraction 100)
and the others at 0, and general feedback that explains and cites the clause by label and id.
The same part and seed always give the same file, byte for byte.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from kit.guide import Text, load_guide
from kit.training._exercises import Exercise

__all__ = ["moodle_xml", "write_moodle_xml"]


def _both(text: Text, lang: str) -> str:
    """Escaped HTML of a text in the chosen language(s): Chinese first, English second."""
    if lang == "zh":
        return html.escape(text.zh)
    if lang == "en":
        return html.escape(text.en)
    return f"{html.escape(text.zh)}<br><span lang=\"en\">{html.escape(text.en)}</span>"


def _exhibit(rows: Sequence[Sequence[str]]) -> str:
    if not rows:
        return ""
    head, *body = rows
    cells = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    lines = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                    for row in body)
    return f"<table border=\"1\"><tr>{cells}</tr>{lines}</table>"


def _text(parent: ET.Element, tag: str, content: str, *, html_format: bool = True) -> None:
    node = ET.SubElement(parent, tag, {"format": "html"} if html_format else {})
    ET.SubElement(node, "text").text = content


def moodle_xml(items: Sequence[Exercise], *, category: str, lang: str = "both") -> bytes:
    """The exercises as a Moodle XML quiz under ``category`` (``lang``: zh, en or both)."""
    quiz = ET.Element("quiz")
    top = ET.SubElement(quiz, "question", {"type": "category"})
    node = ET.SubElement(top, "category")
    ET.SubElement(node, "text").text = f"$course$/{category}"
    for ex in items:
        q = ET.SubElement(quiz, "question", {"type": "multichoice"})
        name = ET.SubElement(q, "name")
        ET.SubElement(name, "text").text = ex.id
        _text(q, "questiontext", f"<p>{_both(ex.question, lang)}</p>{_exhibit(ex.exhibit)}")
        # the explanation ends with "依据 …": the clauses are cited once
        _text(q, "generalfeedback", f"<p>{_both(ex.explanation, lang)}</p>")
        for tag, value in (("defaultgrade", "1"), ("penalty", "0"), ("hidden", "0"),
                           ("single", "true"), ("shuffleanswers", "false"),
                           ("answernumbering", "abc")):
            ET.SubElement(q, tag).text = value
        for opt in ex.options:
            right = opt.value == ex.answer
            answer = ET.SubElement(q, "answer", {"fraction": "100" if right else "0",
                                                 "format": "html"})
            ET.SubElement(answer, "text").text = _both(opt.label, lang)
            _text(answer, "feedback", _both(
                Text("正确。", "Correct.") if right else Text("不正确。", "Not correct."), lang))
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True) + b"\n"


def write_moodle_xml(items: Sequence[Exercise], out: Path, *, part: str,
                     lang: str = "both") -> Path:
    """Write the set to ``out``, in a category named after the guide and its part."""
    guide = load_guide()
    title = next((f"{p.label}、{p.text.zh}" for p in guide.parts if p.id == part), part)
    out.write_bytes(moodle_xml(items, category=f"{guide.title.zh}/{title}", lang=lang))
    return out
