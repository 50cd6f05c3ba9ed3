"""The office's register of companies (企业名录) in the apps: find a company by name or credit
code and take it as the register has it, instead of typing it.

The register is read through the door once, when first searched (everyone may read it), and
searched here: a few thousand companies are searched faster than a query could be sent.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import ipywidgets as W

from kit.door import Door, Registered
from kit.register import RegisteredCompany
from kit.widgets._common import message_html, shown_if

__all__ = ["REGISTER_PAGE", "RegisterPicker", "company_label", "company_summary", "find_companies"]

#: how many of the companies found the picker lists at once
REGISTER_PAGE = 30

_CLASS = {"I": "一类", "II": "二类", "III": "三类"}


def find_companies(companies: Sequence[RegisteredCompany], text: str
                   ) -> list[RegisteredCompany]:
    """The companies whose name, credit code or region holds ``text`` (any case), those whose
    credit code or name starts with it first; none for an empty text."""
    text = text.strip().upper()
    if not text:
        return []
    found = [c for c in companies
             if text in c.credit_code or text in c.name.upper() or text in c.region.upper()]
    return sorted(found, key=lambda c: (not (c.credit_code.startswith(text)
                                             or c.name.upper().startswith(text)), c.name))


def company_label(c: RegisteredCompany) -> str:
    """One line for a picker: name · credit code · region."""
    return " · ".join(x for x in (c.name, c.credit_code, c.region) if x)


def company_summary(c: RegisteredCompany) -> str:
    """What taking ``c`` fills in, as short HTML: its licence or filing and its products."""
    papers = []
    if c.licence_no:
        papers.append(f"生产许可证 licence {c.licence_no}"
                      + (f"（有效期至 {c.licence_expires}）" if c.licence_expires else ""))
    if c.filing_no:
        papers.append(f"第一类生产备案 filing {c.filing_no}")
    products = "、".join(f"{p.name}（{_CLASS.get(p.device_class, p.device_class)}）"
                        for p in c.products[:6])
    more = f" 等 {len(c.products)} 个" if len(c.products) > 6 else ""
    lines = [f"<b>{html.escape(c.name)}</b> {html.escape(c.credit_code)}"
             f"{' · ' + html.escape(c.region) if c.region else ''}"
             f"{' · 委托生产 contracts (七、14)' if c.contracts else ''}",
             html.escape("；".join(papers) or "无许可证或备案 no licence or filing on record"),
             f"产品 products：{html.escape(products + more) if products else '无 none'}"]
    return "<div class='kit-register-summary' style='line-height:1.5'>" + "<br>".join(
        lines) + "</div>"


class RegisterPicker(W.VBox):
    """A search box over the register and the companies it finds; :attr:`chosen` is the one
    picked (None: none, the name is typed instead). ``on_pick(company | None)`` is told of each
    pick and each clearing."""

    def __init__(self, door: Door,
                 on_pick: Callable[[RegisteredCompany | None], None] | None = None) -> None:
        self.door = door
        self.on_pick = on_pick
        self._register: list[RegisteredCompany] | None = None
        self._found: dict[str, RegisteredCompany] = {}
        self.search = W.Text(placeholder="从企业名录选择：名称或统一社会信用代码 / search the register",
                             continuous_update=False, layout=W.Layout(width="22em",
                                                                      max_width="100%"))
        self.search.add_class("kit-register-search")
        self.search.observe(lambda _c: self.find(), names="value")
        self.choice = W.Dropdown(options=[], layout=W.Layout(width="34em", max_width="100%"))
        self.choice.add_class("kit-register-choice")
        self.choice.observe(lambda _c: self._picked(), names="value")
        self.clear_button = W.Button(description="清除 Clear", layout=W.Layout(width="auto"),
                                     tooltip="不从名录选择，手工填写企业名称 / type the name instead")
        self.clear_button.add_class("kit-register-clear")
        self.clear_button.on_click(lambda _b: self.clear())
        self.note = W.HTML()
        self.note.add_class("kit-register-note")
        self.summary = W.HTML()
        self.summary.add_class("kit-register-picked")
        shown_if(self.choice, False)
        shown_if(self.clear_button, False)
        super().__init__([
            W.HBox([self.search, self.choice, self.clear_button, self.note],
                   layout=W.Layout(flex_flow="row wrap", align_items="center")),
            self.summary,
        ])
        self.add_class("kit-register")

    @property
    def chosen(self) -> RegisteredCompany | None:
        """The company picked from the register (None: none)."""
        return self._found.get(self.choice.value or "")

    def companies(self) -> list[RegisteredCompany]:
        """The register, read through the door when first needed."""
        if self._register is None:
            self._register = [r.company for r in self._read()]
        return self._register

    def _read(self) -> list[Registered]:
        return self.door.companies()

    def reload(self) -> None:
        """Read the register again at the next search (an office leader imported it anew)."""
        self._register = None

    def find(self, text: str | None = None) -> None:
        """List the companies ``text`` (else the search box's) finds; the first is picked."""
        text = self.search.value if text is None else text
        if not text.strip():
            self.clear()
            return
        companies = self.companies()
        found = find_companies(companies, text)
        self._found = {c.credit_code: c for c in found[:REGISTER_PAGE]}
        self.choice.options = [(company_label(c), c.credit_code) for c in found[:REGISTER_PAGE]]
        if found:  # what the search found first is picked, as a tap would
            self.choice.value = found[0].credit_code
        shown_if(self.choice, bool(found))
        shown_if(self.clear_button, True)
        if not companies:
            self.note.value = message_html("企业名录为空：请科室负责人用 kit companies import 导入 / "
                                           "the register is empty: an office leader imports it",
                                           "warning", tag="small")
        elif not found:
            self.note.value = message_html(f"名录中没有“{text.strip()}” / not in the register",
                                           "warning", tag="small")
        else:
            more = f"，列出前 {REGISTER_PAGE} 家 / the first {REGISTER_PAGE}" \
                if len(found) > REGISTER_PAGE else " /"
            self.note.value = message_html(f"找到 {len(found)} 家{more} {len(found)} found",
                                           "muted", tag="small")
        self._picked()

    def pick(self, credit_code: str) -> RegisteredCompany:
        """Pick the company of ``credit_code`` (as a tap on its line would)."""
        if credit_code not in self._found:
            self.find(credit_code)
        self.choice.value = credit_code
        return self._found[credit_code]

    def clear(self) -> None:
        """Nothing picked: the name is typed instead."""
        self._found = {}
        self.choice.options = []
        if self.search.value:
            self.search.value = ""  # observed: comes back here with the box empty
            return
        self.note.value = ""
        shown_if(self.choice, False)
        shown_if(self.clear_button, False)
        self._picked()

    def _picked(self) -> None:
        company = self.chosen
        self.summary.value = company_summary(company) if company is not None else ""
        if self.on_pick is not None:
            self.on_pick(company)
