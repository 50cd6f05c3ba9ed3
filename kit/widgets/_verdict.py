"""The verdict under the office's grading scheme (``templates/grading.yaml``): proposed from the
findings' grades as they stand, confirmed by the team's leader, or changed with a reason.

Confirming writes the verdict, the scheme it was given under, who (the signed-in person) and
when (Beijing time) in one write, through :meth:`kit.session.Session.set_many`; the rules then
say whether it still fits (a grade changed since, another scheme in force). Under ``none`` (the
guide's own way) there is no verdict and the panel is not shown, unless the record holds one.
"""

from __future__ import annotations

import html

import ipywidgets as W

from kit.dates import beijing_now
from kit.errors import KitError, ValidationError
from kit.policy import Policy
from kit.session import Session
from kit.widgets._common import message_html, shown_if
from kit.widgets._fields import LABEL_WIDTH, problems_html
from kit.widgets._guard import form_class

__all__ = ["VerdictPanel"]


class VerdictPanel(W.VBox):
    """The proposed verdict, live; confirm it, or choose another with a required reason."""

    def __init__(self, session: Session, policy: Policy) -> None:
        self.session, self.policy = session, policy
        scheme = policy.scheme
        self.proposal = W.HTML()
        self.proposal.add_class("kit-verdict-proposed")
        self.current = W.HTML()
        self.current.add_class("kit-verdict-current")
        self.confirm_button = W.Button(description="确认建议结论 Confirm", button_style="primary",
                                       layout=W.Layout(width="auto"))
        self.confirm_button.add_class("kit-verdict-confirm")
        self.confirm_button.on_click(lambda _b: self.confirm())
        # nothing chosen at first: a tap on "choose" never gives a verdict nobody picked
        self.other = W.Dropdown(description="其他结论 Another",
                                options=[("（请选择 choose）", ""),
                                         *((f"{v.zh} {v.en}", v.code) for v in scheme.verdicts)],
                                style={"description_width": LABEL_WIDTH},
                                layout=W.Layout(width="100%", max_width="100%"))
        self.other.add_class("kit-verdict-other")
        self.other.add_class(form_class("verdict/other"))  # kept across a reload till chosen
        self.reason = W.Textarea(description="理由 Reason", placeholder="改变建议结论的理由（必填） / "
                                 "why it differs from the proposal (required)", rows=2,
                                 style={"description_width": LABEL_WIDTH},
                                 layout=W.Layout(width="100%"))
        self.reason.add_class("kit-verdict-reason")
        self.reason.add_class(form_class("verdict/reason"))
        self.choose_button = W.Button(description="改为此结论 Choose this verdict",
                                      button_style="warning", layout=W.Layout(width="auto"))
        self.choose_button.add_class("kit-verdict-choose")
        self.choose_button.on_click(lambda _b: self.choose(self.other.value, self.reason.value))
        self.message = W.HTML()
        self.message.add_class("kit-verdict-message")
        refused = session.refusal("opinion/verdict")
        for control in (self.confirm_button, self.choose_button, self.other, self.reason):
            control.disabled = refused is not None
        self.problems = W.HTML()
        super().__init__([
            W.HTML(f"<h4>检查结论 Verdict（本局分级办法 the office's scheme：{html.escape(scheme.zh)}）"
                   f"</h4><details><summary>依据 Source</summary><small>"
                   f"{html.escape(scheme.source)}</small></details>"),
            self.proposal, self.current,
            W.HBox([self.confirm_button], layout=W.Layout(flex_flow="row wrap")),
            W.HTML("<small>不同意建议结论时，选择其他结论并写明理由 / to give another verdict, "
                   "choose it and say why</small>"),
            self.other, self.reason,
            W.HBox([self.choose_button], layout=W.Layout(flex_flow="row wrap")),
            self.message, self.problems,
        ])
        self.add_class("kit-verdict")
        session.on_change(lambda _path: self.refresh())
        self.refresh()

    @property
    def proposed(self) -> str:
        """The verdict the scheme proposes from the grades now ('' while one is ungraded)."""
        return self.policy.scheme.propose(f.grade for f in self.session.inspection.findings.values())

    def words(self, code: str) -> str:
        term = self.policy.scheme.verdict(code)
        return f"{term.zh} {term.en}" if term is not None else f"⚠ 未知 unknown：{code}"

    def refresh(self) -> None:
        ins = self.session.inspection
        op = ins.opinion
        shown_if(self, bool(self.policy.scheme.verdicts) or bool(op.verdict))
        ungraded = [k for k, f in ins.findings.items() if not f.grade]
        proposed = self.proposed
        if proposed:
            self.proposal.value = (f"<div>按问题等级建议 Proposed from the grades：<b>"
                                   f"{html.escape(self.words(proposed))}</b></div>")
        elif ungraded and self.policy.scheme.verdicts:
            self.proposal.value = message_html(
                f"尚有问题未定级，暂无建议结论：{'、'.join(ungraded)} / grade every finding "
                "first (findings stage)", "warning")
        else:
            self.proposal.value = ""
        # nothing to confirm once the proposal is the verdict (or while nothing is proposed)
        shown_if(self.confirm_button, bool(proposed) and op.verdict != proposed)
        if op.verdict:
            by = html.escape(op.verdict_by or "?")
            at = op.verdict_at.strftime("%Y-%m-%d %H:%M") if op.verdict_at else "?"
            reason = (f"<div>理由 Reason：{html.escape(op.verdict_reason)}</div>"
                      if op.verdict_reason else "")
            self.current.value = (f"<div>已确认 Confirmed：<b>{html.escape(self.words(op.verdict))}"
                                  f"</b>（{by}，{at} 北京时间 Beijing time）</div>{reason}")
        else:
            self.current.value = message_html("检查结论尚未确认 / no verdict confirmed yet",
                                              "muted")
        mine = [p for p in self.session.problems("opinion")
                if p.field in ("opinion/verdict", "opinion/verdict_reason", "opinion/scheme")]
        self.problems.value = problems_html(mine)

    def confirm(self) -> bool:
        """Confirm the proposed verdict (a reason given for an earlier change is cleared)."""
        proposed = self.proposed
        if not proposed:
            self.message.value = message_html(
                "暂无建议结论：请先给每个问题定级 / nothing proposed: grade every finding first",
                "error")
            return False
        if not self._save(proposed, ""):
            return False
        self.reason.value = ""  # another verdict begun and not chosen: let go
        self.other.value = ""
        return True

    def choose(self, verdict: str, reason: str) -> bool:
        """Give ``verdict``; one that differs from the proposal needs ``reason``."""
        reason = (reason or "").strip()
        if not verdict:
            self.message.value = message_html("请先选择检查结论 / choose a verdict first", "error")
            return False
        if verdict != self.proposed and not reason:
            self.message.value = message_html(
                "请写明改变建议结论的理由 / say why the verdict differs from the proposal",
                "error")
            return False
        if self._save(verdict, reason):
            self.reason.value = ""
            self.other.value = ""
            return True
        return False

    def _save(self, verdict: str, reason: str) -> bool:
        self.session.flush_pending()
        try:
            self.session.set_many({
                "opinion/verdict": verdict, "opinion/scheme": self.policy.scheme.id,
                "opinion/verdict_by": self.session.user,
                "opinion/verdict_at": beijing_now().isoformat(timespec="seconds"),
                "opinion/verdict_reason": reason})
        except ValidationError as exc:
            self.message.value = (message_html("未保存 not saved:", "error")
                                  + problems_html(list(exc.problems)))
            return False
        except KitError as exc:
            self.message.value = message_html(f"未保存 not saved: {exc}", "error")
            return False
        self.message.value = message_html(f"已确认检查结论 verdict confirmed：{self.words(verdict)}",
                                          "ok")
        return True
