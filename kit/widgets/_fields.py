"""Widgets bound to one field of a record: show it, check it, autosave it.

Every editable control in the apps is a :class:`BoundField`. It reads its value from a
:class:`~kit.session.Session`, writes every change back through :meth:`Session.set` (which
checks and saves it at once, with the user's name in the audit trail), and shows beside itself
what went wrong (a bad value, someone else's newer change) and what the guide's rules say about
that field. It never holds the only copy of anything: after a refused change it shows the
record's value again.

The registry :data:`FACTORIES` maps a field kind to the widget that edits it; it is the one
place to change how a kind of field looks. A multi-choice field is :class:`ChoiceChips` (every
option's full text as a chip a finger can tap), not a native multi-select list.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import anywidget
import ipywidgets as W
import traitlets as t

from kit.dates import DateError, parse_date, parse_datetime
from kit.door import AccessError
from kit.errors import ConflictError, KitError, Problem, ValidationError
from kit.session import Session
from kit.widgets._common import ERROR, WARNING, message_html
from kit.widgets._guard import path_class, show_field
from kit.widgets._static import STATIC, esm

Options = tuple[tuple[str, str], ...]
log = logging.getLogger(__name__)

LABEL_WIDTH = "12em"
#: what an empty date (or date and time) field shows: a hint no one takes for a value
DATE_HINT, DATETIME_HINT = "年-月-日", "年-月-日 时:分"


@dataclass(frozen=True)
class FieldSpec:
    """What a field is: its record path, its label (Chinese, then English), its kind."""

    path: str
    label: str
    kind: str = "text"
    options: Options = ()
    placeholder: str = ""


@cache
def shared_layout(kind: str) -> W.Layout:
    """One Layout per field kind, shared by every control of that kind (fewer browser models)."""
    if kind in ("text", "textarea", "multichoice"):
        return W.Layout(width="100%", flex="1 1 auto")
    if kind == "int":
        return W.Layout(width="18em")
    return W.Layout(width="auto")


_STYLES: dict[str, W.Widget] = {}


def shared_style(cls: type[W.Widget]) -> W.Widget:
    """One style per control class (the label column's width), shared by every control."""
    name = cls.__name__
    if name not in _STYLES:
        klass = cls.class_traits()["style"].klass
        extra = {"button_width": "6.5em"} if cls is W.ToggleButtons else {}
        _STYLES[name] = klass(description_width=LABEL_WIDTH, **extra)
    return _STYLES[name]


def _make(cls: type[W.Widget], spec: FieldSpec, **kwargs: Any) -> W.Widget:
    return cls(description=spec.label, layout=shared_layout(spec.kind), style=shared_style(cls),
               **kwargs)


def _text(spec: FieldSpec) -> W.Widget:
    return _make(W.Text, spec, placeholder=spec.placeholder, continuous_update=True)


def _textarea(spec: FieldSpec) -> W.Widget:
    return _make(W.Textarea, spec, placeholder=spec.placeholder, continuous_update=True, rows=2)


def _date(spec: FieldSpec) -> W.Widget:
    """A date as text, 2026-12-01 whatever the browser's language (a browser's date picker
    shows 12/01/2026 in one and 01.12.2026 in another); any form the kit reads is taken.
    Empty, it shows the form a date takes (年-月-日), never an example date that reads as one."""
    return _make(W.Text, spec, placeholder=spec.placeholder or DATE_HINT,
                 continuous_update=False)


def _datetime(spec: FieldSpec) -> W.Widget:
    return _make(W.Text, spec, placeholder=spec.placeholder or DATETIME_HINT,
                 continuous_update=False)


def _bool(spec: FieldSpec) -> W.Widget:
    return _make(W.Checkbox, spec, indent=True)


def _choice(spec: FieldSpec) -> W.Widget:
    return _make(W.Dropdown, spec, options=list(spec.options))


def _buttons(spec: FieldSpec) -> W.Widget:
    return _make(W.ToggleButtons, spec, options=list(spec.options))


class ChoiceChips(anywidget.AnyWidget):
    """A multi-choice field as chips (anywidget, ``static/chips.js``): each option's full text,
    wrapping, the chosen ones marked by colour and a tick; one tap toggles one.

    It has the traits a :class:`BoundField` uses of a selection widget (``options`` as
    ``(label, value)`` pairs, ``value`` as a tuple of values, ``disabled``), so saving, a
    refusal, read only, :meth:`BoundField.set_options` and a value no option names work as
    for any field. The chosen values are kept in the options' order.
    """

    _esm = esm("chips.js")
    _css = STATIC / "chips.css"
    description = t.Unicode("").tag(sync=True)
    options = t.Tuple().tag(sync=True)
    value = t.Tuple().tag(sync=True)
    disabled = t.Bool(False).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("kit-choices")

    @t.validate("options")
    def _pairs(self, proposal: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
        return tuple((str(label), value) for label, value in proposal["value"])

    @t.validate("value")
    def _in_order(self, proposal: dict[str, Any]) -> tuple[Any, ...]:
        chosen = list(dict.fromkeys(proposal["value"]))  # each once
        order = {v: i for i, (_label, v) in enumerate(self.options)}
        return tuple(sorted(chosen, key=lambda v: order.get(v, len(order))))


def _checks(spec: FieldSpec) -> W.Widget:
    return ChoiceChips(description=spec.label, options=spec.options,
                       layout=shared_layout(spec.kind))


def _int(spec: FieldSpec) -> W.Widget:
    return _make(W.IntText, spec)


#: Field kind -> widget factory. Text kinds save after a short pause in typing.
FACTORIES: dict[str, Callable[[FieldSpec], W.Widget]] = {
    "text": _text,
    "textarea": _textarea,
    "date": _date,
    "datetime": _datetime,
    "bool": _bool,
    "choice": _choice,
    "buttons": _buttons,
    "multichoice": _checks,
    "int": _int,
}
TYPED_KINDS = frozenset({"text", "textarea"})
#: kinds whose control offers a closed set of choices
CHOICE_KINDS = frozenset({"choice", "buttons", "multichoice"})


def to_widget(kind: str, value: Any) -> Any:
    """The record's plain value as the widget wants it."""
    if kind == "date":
        return value if isinstance(value, str) else ""
    if kind == "datetime":
        if not isinstance(value, str) or not value:
            return ""
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    if kind == "multichoice":
        return tuple(value or ())
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value or 0)
    if kind in ("choice", "buttons"):
        return value
    return "" if value is None else str(value)


def from_widget(kind: str, value: Any) -> Any:
    """The widget's value as the record holds it; a date typed in any form the kit reads
    (2026-12-01, 2026/12/1, 2026年12月1日 ...) as ISO text, else :class:`DateError`."""
    if kind == "multichoice":
        return list(value)
    if kind == "date":
        day = parse_date(value)
        return day.isoformat() if day is not None else None
    if kind == "datetime":
        moment = parse_datetime(value)
        return moment.isoformat(timespec="seconds") if moment is not None else None
    return value


def problems_html(problems: Sequence[Problem]) -> str:
    """Problems as a short escaped HTML list: errors red, warnings amber."""
    if not problems:
        return ""
    items = []
    for p in problems:
        colour = ERROR if p.severity == "error" else WARNING
        mark = "✖" if p.severity == "error" else "⚠"
        items.append(f'<div style="color:{colour};font-size:90%;line-height:1.3">{mark} '
                     f"{html.escape(p.message)}</div>")
    return "".join(items)


def guarded(say: Callable[..., None], fn: Callable[..., Any], *args: Any,
            **kwargs: Any) -> Any:
    """Run an app action; show any failure through ``say(text, error=True)``, never lose it.

    Voila hides tracebacks, so an action that fails silently would look as if nothing
    happened; a KitError's message is shown as it is, anything else with its type.
    """
    try:
        return fn(*args, **kwargs)
    except KitError as exc:
        say(str(exc), error=True)
    except Exception as exc:  # an app must say what broke, not go silent
        log.exception("app action failed")
        say(f"内部错误 internal error: {type(exc).__name__}: {exc}", error=True)
    return None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        return None
    return loop if loop.is_running() else None


class BoundField(W.VBox):
    """One record field: label, control, and the messages that concern it."""

    def __init__(self, session: Session, spec: FieldSpec, *, debounce: float = 0.8) -> None:
        self.session = session
        self.spec = spec
        self.debounce = debounce if spec.kind in TYPED_KINDS else 0.0
        self.control = FACTORIES[spec.kind](spec)
        self.control.add_class("kit-field")
        self.control.add_class("kit-field-" + spec.path.replace("/", "--").replace(".", "_"))
        # the page guard keeps every keystroke and tap until the kernel confirms it: a text as
        # typed, a choice chips send as values, any other field as what it shows (read by kept)
        self.control.add_class(path_class(spec.path))
        if spec.kind not in TYPED_KINDS | {"multichoice"}:
            self.control.add_class("kit-shown")
        show_field(session, spec.path, self)
        self._message: W.HTML | None = None
        self._options: Options = tuple(spec.options)
        self._unknown: tuple[Any, ...] = ()  # values the record holds that no choice names
        self._timer: asyncio.TimerHandle | None = None
        self._pending: Any = None
        self._updating = False
        self._show(session.get(spec.path))
        if session.refusal(spec.path) is not None:  # read only, or the leader's to change
            self.control.disabled = True
        self.control.observe(self._on_widget, names="value")
        session.on_change(self._on_record, field=self.spec.path)
        super().__init__([self.control], layout=shared_layout("field"))
        self._show_rules()

    def set_options(self, options: Options) -> None:
        """New choices (derived from elsewhere in the record), the record's value kept."""
        if self._options == tuple(options):
            return
        self._options = tuple(options)
        self._show(self.session.get(self.spec.path))
        self._show_rules()

    def shown(self, value: Any) -> Any:
        """What the control shows for the record's ``value``, as the page keeps a tap on it:
        a choice's label, a checkbox's tick, a date's or a number's text."""
        shown = to_widget(self.spec.kind, value)
        if self.spec.kind in ("choice", "buttons"):
            return next((label for label, v in self.control.options if v == shown), None)
        if self.spec.kind in ("bool", "multichoice"):
            return shown if self.spec.kind == "bool" else list(shown)
        return str(shown)

    def kept(self, shown: Any) -> Any:
        """The record's value for what the page kept of a tap (:meth:`shown`'s form), or
        :class:`~kit.errors.ValidationError` naming the field when it names no choice."""
        if self.spec.kind in ("choice", "buttons"):
            labels = dict(self.control.options)
            if shown not in labels:
                raise ValidationError([Problem(
                    "record.unknown_code", f"“{shown}”不是此项的选项", f"{shown!r} is no choice "
                    "of this field", field=self.spec.path)], self.spec.path)
            return labels[shown]
        if self.spec.kind == "bool":
            return bool(shown)
        if self.spec.kind == "int":
            try:
                return int(str(shown).strip() or 0)
            except ValueError:
                raise ValidationError([Problem("record.not_a_number", f"“{shown}”不是整数",
                                               f"{shown!r} is not a whole number",
                                               field=self.spec.path)], self.spec.path) from None
        try:
            return from_widget(self.spec.kind, shown)
        except DateError as exc:
            raise ValidationError([Problem(exc.reason, f"“{shown}”：{exc.zh}", exc.en,
                                           field=self.spec.path)], self.spec.path) from None

    @property
    def message(self) -> W.HTML:
        """What went wrong or what the rules say about this field (created when first needed)."""
        if self._message is None:
            self._message = W.HTML()
            self.children = [self.control, self._message]
        return self._message

    # -- record -> widget ------------------------------------------------------------------
    def _show(self, value: Any) -> None:
        self._updating = True
        try:
            shown = to_widget(self.spec.kind, value)
            if self.spec.kind in CHOICE_KINDS:
                self._admit(shown)
            self.control.value = shown
        finally:
            self._updating = False

    def _admit(self, shown: Any) -> None:
        """Choices for what the record holds: a value no choice names (an older kit's, a
        repair's) is offered as itself, marked, so the field shows it and a problem says so;
        choosing a known one mends it."""
        known = {v for _label, v in self._options}
        held = shown if isinstance(shown, tuple) else (shown,)
        self._unknown = tuple(v for v in held if v is not None and v not in known)
        options = [*self._options, *((f"⚠ 未知 unknown：{v}", v) for v in self._unknown)]
        if list(getattr(self.control, "options", ())) != options:
            self.control.options = options

    def _on_record(self, path: str) -> None:
        mine = path in ("*", self.spec.path) or self.spec.path.startswith(path + "/")
        if mine and self._timer is None:
            self._show(self.session.get(self.spec.path))
        self._show_rules()

    def _show_rules(self, extra: Sequence[Problem] = ()) -> None:
        mine = self.session.problems_at(self.spec.path)
        held = [Problem("record.unknown_code",
                        f"记录中的 {v!r} 不是已知的选项，请重新选择",
                        f"the record holds {v!r}, which none of the choices names: choose one",
                        field=self.spec.path) for v in self._unknown]
        text = problems_html([*extra, *held, *mine])
        if text or self._message is not None:
            self.message.value = text

    # -- widget -> record ------------------------------------------------------------------
    def _on_widget(self, change: dict[str, Any]) -> None:
        if self._updating:
            return
        try:
            value = from_widget(self.spec.kind, change["new"])
        except DateError as exc:  # said beside the field; what was typed stays to be fixed
            self._show_rules([Problem(exc.reason, f"“{change['new']}”：{exc.zh}", exc.en)])
            return
        loop = _running_loop() if self.debounce > 0 else None
        if loop is None:
            self.save(value)
            return
        self._pending = value
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(self.debounce, self.flush)
        self.session.defer(id(self), self.flush)

    def flush(self) -> None:
        """Save a value still waiting for the typing pause to end."""
        self.session.undefer(id(self))
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
            self.save(self._pending)

    def save(self, value: Any) -> bool:
        """Save ``value``; on refusal show why and the record's own value again."""
        try:
            self.session.set(self.spec.path, value)
        except ValidationError as exc:
            self._show(self.session.get(self.spec.path))
            self._show_rules(exc.problems)
            return False
        except ConflictError as exc:
            self._show(self.session.get(self.spec.path))
            mine = "" if value in (None, "", [], ()) else f"您输入的“{value}”未保存；"
            conflict = Problem("store.conflict", f"{mine}{exc}", "not saved")
            self._show_rules([conflict])
            return False
        except AccessError as exc:
            self._show(self.session.get(self.spec.path))
            self._show_rules([Problem("access.refused", f"未保存：{exc}", "not saved")])
            return False
        except Exception as exc:  # show it beside the field rather than lose it in a log
            self._show(self.session.get(self.spec.path))
            self._show_rules([Problem("kit.error", f"未保存：{type(exc).__name__}: {exc}",
                                      "not saved")])
            return False
        return True


def field(session: Session, path: str, label: str, kind: str = "text",
          options: Options = (), **kwargs: Any) -> BoundField:
    """Shorthand: a :class:`BoundField` for ``path``."""
    placeholder = kwargs.pop("placeholder", "")
    return BoundField(session, FieldSpec(path, label, kind, options, placeholder), **kwargs)


def fields_of(widget: W.Widget) -> list[BoundField]:
    """Every bound field inside ``widget`` (for tests, and to flush before leaving)."""
    found: list[BoundField] = []
    stack = [widget]
    while stack:
        w = stack.pop()
        if isinstance(w, BoundField):
            found.append(w)
        stack.extend(getattr(w, "children", ()))
    return found


class ProblemList(W.HTML):
    """The guide's rules' problems under some record paths, kept current as the record changes."""

    def __init__(self, session: Session, prefixes: Sequence[str], title: str = "") -> None:
        super().__init__()
        self.session = session
        self.prefixes = tuple(prefixes)
        self.title = title
        self.add_class("kit-problems")
        session.on_change(lambda _path: self.refresh())
        self.refresh()

    @property
    def problems(self) -> list[Problem]:
        found = self.session.problems()
        if not self.prefixes:
            return found
        mine = {id(p) for x in self.prefixes for p in self.session.problems(x)}
        return [p for p in found if id(p) in mine]

    def refresh(self) -> None:
        problems = self.problems
        if not problems:
            self.value = message_html("✔ 未发现问题 / no problems", "ok")
            return
        head = f"<b>{html.escape(self.title)}</b>" if self.title else ""
        self.value = head + problems_html(problems)
