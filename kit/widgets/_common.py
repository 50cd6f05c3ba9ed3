"""What every widget of the apps shares: colours and messages, options, links, the page address.

Stage widgets never import each other: whatever two of them need lives here (or in
:mod:`kit.widgets._fields` and :mod:`kit.widgets._collection`), so each stage can be built,
tested and changed on its own.
"""

from __future__ import annotations

import base64
import html
import os
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import anywidget
import ipywidgets as W

from kit.errors import KitError
from kit.guide import load_guide
from kit.labels import Table, options, vocab
from kit.policy import Policy, load_policy
from kit.profiles import Profile, resolve_profile
from kit.session import Session
from kit.workdays import ESTIMATE_MARK, WorkCalendar, estimate_note

Options = tuple[tuple[str, str], ...]

#: The apps' colours: errors, warnings, success, secondary text.
ERROR, WARNING, OK, MUTED = "#b00020", "#8a5a00", "#1b5e20", "#555"
_COLOURS = {"error": ERROR, "warning": WARNING, "ok": OK, "muted": MUTED}

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: the root class of an app whose controls are sized for a finger (``static/look.css``)
TOUCH = "kit-touch"


class PageLook(anywidget.AnyWidget):
    """The apps' page-wide look (``static/look.css``), loaded with this one invisible piece.

    Every control inside a :data:`TOUCH` root is a finger's size on a tablet: drop-downs,
    checkboxes, text and date fields, buttons, tabs and accordion titles at least 44 × 44 px
    (Apple's 44 pt, Material's 48 dp), text never made smaller to get there; the stage tabs on
    one line that scrolls; nothing wider than a phone's screen (a table scrolls in its box).
    """

    _esm = ("export default { render() { document.body.classList.add('kit-touch-page'); "
            "return () => {}; } };\n")
    _css = Path(__file__).resolve().parent / "static" / "look.css"

    def __init__(self) -> None:
        super().__init__(layout=W.Layout(display="none"))
        self.add_class("kit-look")


def coloured(inner: str, kind: str = "ok", *, tag: str = "div") -> str:
    """``inner``, HTML already escaped, in the colour of its kind (as :func:`message_html`)."""
    return f"<{tag} style='color:{_COLOURS[kind]}'>{inner}</{tag}>"


def message_html(text: str, kind: str = "ok", *, tag: str = "div") -> str:
    """``text`` escaped, in the colour of its kind (error, warning, ok, muted); '' for no text."""
    if not text:
        return ""
    return f"<{tag} style='color:{_COLOURS[kind]}'>{html.escape(text)}</{tag}>"


class MessageArea(W.HTML):
    """Where an app or a stage tells the person what happened (one place, one colour scheme)."""

    def say(self, text: str, *, error: bool = False) -> None:
        """Show ``text`` (in red when ``error``); an empty text clears the area."""
        self.value = message_html(text, "error" if error else "ok")


def download_link(data: bytes, filename: str, mime: str, label: str) -> str:
    """An ``<a download>`` data-URI link: works in Voila, needs no file server."""
    payload = base64.b64encode(data).decode("ascii")
    # a finger's size wherever it is shown (the analytics notebook has no page stylesheet)
    return (f'<a class="kit-download" download="{html.escape(filename)}" '
            f'href="data:{mime};base64,{payload}" style="font-weight:bold;display:inline-flex;'
            f'align-items:center;min-height:44px;min-width:44px;padding:0 6px">⬇ '
            f"{html.escape(label)}</a>")


# -- the page's address ----------------------------------------------------------------------
def query_string() -> str:
    """The page's query string: a preheated Voila kernel waits for it (it gets it late); any
    other kernel has it in its environment from the start (as Voila's own helper reads it)."""
    if os.environ.get("VOILA_PREHEAT") == "True":
        # voila.utils imports Voila's whole server (jupyter_server, nbconvert, lxml: ~40 MiB),
        # so only a preheated kernel, which must wait for its page, loads it
        from voila.utils import get_query_string

        return get_query_string() or ""
    return os.environ.get("QUERY_STRING", "")


def parse_query(query: str | None) -> dict[str, str]:
    """``id=…&stage=…`` as a dict of first values (an empty dict for no query)."""
    parsed = parse_qs((query or "").lstrip("?"))
    return {k: v[0] for k, v in parsed.items() if v}


# -- options offered by forms ---------------------------------------------------------------
def table_options(table: Table, *, exclude: tuple[str, ...] = ()) -> Options:
    """A label table of :mod:`kit.labels` as ``(中文, code)`` options."""
    return options(table, exclude=exclude)


def vocab_options(name: str) -> Options:
    """A vocabulary of the guide as ``(中文, code)`` options."""
    return options(vocab(name))


def section_options() -> Options:
    """The 14 sections of 七 as options."""
    return tuple((f"{s.label} {s.text.zh}", s.id) for s in load_guide().sections)


def clause_options(*parents: str) -> Options:
    """The clauses below ``parents`` (``3``, ``4.2``...) as options, each with its full text
    (a requirement is confirmed as the guide words it, never cut short)."""
    guide = load_guide()
    return tuple((f"{c.label} {c.zh}", c.id)
                 for p in parents for c in guide.item(p).children)


def session_profile(session: Session) -> Profile | None:
    """The checklist profile the session's inspection runs under (None: the office removed it)."""
    return resolve_profile(session.inspection.profile)


def team_options(session: Session, *, blank: str = "") -> Options:
    """The team's leader and inspectors (not its experts) as ``(name, member key)`` options;
    with ``blank``, a first option of that text for no one chosen."""
    found = tuple((m.name or k, k) for k, m in session.inspection.team.items()
                  if m.role != "expert")
    return ((blank, ""), *found) if blank else found


def office_policy() -> tuple[Policy, str]:
    """The office's grading scheme and handling rules (``templates/``), and what is wrong with
    them ('' when they load): a broken file leaves the guide's own way (no grading) in force,
    said on the page, never a traceback in place of a stage."""
    try:
        return load_policy(), ""
    except KitError as exc:
        return Policy(), f"办公室规则文件有误，按不分级处理 / the office's policy files are " \
                         f"broken, no grading applied: {exc}"


def shown_if(widget: W.Widget, shown: bool) -> None:
    """Show or hide ``widget`` (hidden, it takes no room)."""
    display = None if shown else "none"
    if widget.layout.display != display:
        widget.layout.display = display


# -- dates on the official calendar ----------------------------------------------------------
def day_html(day: date, calendar: WorkCalendar, *, estimated: bool | None = None,
             note_below: bool = False) -> str:
    """``day`` as the apps show a deadline: an estimate (its year's official schedule not
    known; or ``estimated``, a count of working days said so) marked with
    :data:`~kit.workdays.ESTIMATE_MARK` and its note on hover (and below with ``note_below``);
    a day off named (春节, 周六 …), known or estimated. The record keeps the date only: whether
    it is an estimate is the calendar's, worked out each time it is shown (the same answer
    until the office adds the year's schedule to ``templates/holidays.yaml``)."""
    estimate = (not calendar.knows(day)) if estimated is None else estimated
    years = sorted({day.year} if not calendar.knows(day) else set())
    note = estimate_note(years or [day.year]) if estimate else ""
    text = day.isoformat() + (ESTIMATE_MARK if estimate else "")
    out = (f"<span class='kit-day{' kit-estimate' if estimate else ''}' "
           f"title='{html.escape(note, quote=True)}'>{html.escape(text)}</span>")
    why = calendar.why_day_off(day)
    if why:
        guess = "（估算）" if not calendar.knows(day) else ""
        out += (f"<span class='kit-day-off' style='color:{WARNING}'> ⚠ {day.isoformat()} 是"
                f"{html.escape(why)}{guess}，不是工作日 / a day off</span>")
    if estimate and note_below:
        out += estimate_html(years or [day.year])
    return out


def estimate_html(years: list[int]) -> str:
    """How an estimate over ``years`` was made, small, below what it explains."""
    return (f"<div class='kit-estimate-note' style='color:{MUTED};font-size:85%;"
            f"line-height:1.35'>{html.escape(estimate_note(years))}</div>")
