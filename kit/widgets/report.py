"""检查文书 (六、7-10, 十、3): signatures or refusal, follow-up, the rules, the workbook."""

from __future__ import annotations

import html
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import ipywidgets as W

from kit.dates import beijing_text
from kit.errors import KitError, ValidationError
from kit.interchange import notary_from_environment
from kit.labels import NOTICE_KINDS, REVIEW_MODES, STAGES, vocab, zh
from kit.notices import compose, notice_changes, notice_doc
from kit.session import GATED_STAGES, GateError, Session
from kit.widgets._common import (
    XLSX_MIME,
    download_link,
    message_html,
    office_policy,
    shown_if,
    table_options,
    team_options,
    vocab_options,
)
from kit.widgets._cross import cross_report_panel
from kit.widgets._fields import ProblemList, field, guarded, problems_html
from kit.widgets._guard import form_class
from kit.widgets._signature import SignaturePad
from kit.widgets._verdict import VerdictPanel

__all__ = [
    "AUDIT_SHOWN",
    "InabilityPanel",
    "NoticePanel",
    "ReportWidget",
    "member_options",
    "workbook_bytes",
]

AUDIT_SHOWN = 200


def member_options(session: Session) -> tuple[tuple[str, str], ...]:
    return team_options(session)


def workbook_bytes(session: Session) -> bytes:
    """The inspection's workbook as it stands now (the written record of 六、7), signed by
    the signing component when there is one (the office's key pair), else sealed only."""
    from kit.interchange import export_workbook  # openpyxl when asked for, not in the kernel

    notary = notary_from_environment(session.door)
    if notary is not None:
        return notary.export(session.id, "xlsx")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "record.xlsx"
        export_workbook(session.door, session.id, out)
        return out.read_bytes()


NOTICE_TITLES = {code: f"{words[0]} {words[1][0].upper()}{words[1][1:]}"
                 for code, words in NOTICE_KINDS.items()}


class NoticePanel(W.VBox):
    """One written notice: issue it (the office's next document number), record its service
    and the company's receipt or refusal, print it as PDF or Excel to serve."""

    def __init__(self, session: Session, kind: str) -> None:
        self.session, self.kind = session, kind
        base = f"notices/{kind}"
        self.status = W.HTML()
        self.status.add_class("kit-notice-number")
        self.issue_button = W.Button(description="出具并编号 Issue",
                                     layout=W.Layout(width="auto"))
        self.issue_button.add_class("kit-notice-issue")
        self.issue_button.on_click(lambda _b: self.issue())
        pdf = W.Button(description="打印 PDF", layout=W.Layout(width="auto"))
        pdf.on_click(lambda _b: self.print_notice(".pdf"))
        xlsx = W.Button(description="Excel", layout=W.Layout(width="auto"))
        xlsx.on_click(lambda _b: self.print_notice(".xlsx"))
        self.message = W.HTML()
        self.message.add_class("kit-notice-message")
        serve = W.Button(description="记录送达回证 Record service", layout=W.Layout(width="auto"))
        serve.add_class("kit-notice-serve")
        serve.on_click(lambda _b: self.serve())
        self.changes = W.HTML()
        self.changes.add_class("kit-notice-changes-area")
        session.on_change(lambda _p: self.show(), field=f"{base}/number")
        self.show()
        super().__init__([
            W.HTML(f"<b>{NOTICE_TITLES[kind]}</b>"),
            W.HBox([self.status, self.issue_button, pdf, xlsx],
                   layout=W.Layout(flex_flow="row wrap", align_items="center")),
            self.message,
            field(session, f"{base}/served_on", "送达日期 Served on", "date"),
            field(session, f"{base}/received_by", "签收人 Received by"),
            field(session, f"{base}/refused", "企业拒收 Refused", "bool"),
            field(session, f"{base}/witnesses", "注明拒收的检查人员 Inspectors noting a refusal",
                  "multichoice", member_options(session)),
            field(session, f"{base}/note", "送达情况 Note", "textarea"),
            serve, self.changes,
        ])
        self.add_class(f"kit-notice-{kind}")

    def show(self) -> None:
        notice = self.session.inspection.notices.get(self.kind)
        if notice is not None and notice.number:
            day = notice.issued_on.isoformat() if notice.issued_on else ""
            text = message_html(f"文号 {notice.number}（{day} 出具）", "ok", tag="span")
        else:
            text = message_html("尚未出具 not issued yet", "muted", tag="span")
        problems = self.session.problems_at(f"notices/{self.kind}/number")
        self.status.value = text + (problems_html(problems) if problems else "")
        self.issue_button.disabled = bool(notice is not None and notice.number) or \
            self.session.refusal(f"notices/{self.kind}/number") is not None
        changes = guarded(self._say_changes, self.changes_since_issued)
        if changes is not None:
            self.changes.value = changes

    def _say_changes(self, text: str, error: bool = False) -> None:
        self.changes.value = message_html(text, "error" if error else "ok")

    def _act(self, failed: str, act: Callable[[], str]) -> None:
        """Run ``act``; say what it reports done, or why it failed (``failed``: what was not
        done), the rules' problems listed."""
        try:
            done = act()
        except ValidationError as exc:
            self.message.value = (message_html(f"{failed}:", "error")
                                  + problems_html(list(exc.problems)))
            return
        except KitError as exc:
            self.message.value = message_html(f"{failed}: {exc}", "error")
            return
        self.message.value = message_html(done, "ok")

    def issue(self) -> None:
        self.session.flush_pending()

        def issue() -> str:
            number = self.session.issue_notice(
                self.kind, notary=notary_from_environment(self.session.door))
            return f"已出具 issued: {number}"

        self._act("未出具 not issued", issue)

    def serve(self) -> None:
        """Record the service as the fields above say it, with its signed proof (送达回证)."""
        self.session.flush_pending()
        notice = self.session.inspection.notices.get(self.kind)
        if notice is None or notice.served_on is None:
            self.message.value = message_html(
                "请先填写送达日期 / enter the date it was served first", "error")
            return
        on = notice.served_on

        def serve() -> str:
            self.session.serve_notice(
                self.kind, on=on, received_by=notice.received_by, refused=notice.refused,
                witnesses=notice.witnesses, note=notice.note,
                notary=notary_from_environment(self.session.door))
            return "已记录送达回证 proof of service kept"

        self._act("未记录 not recorded", serve)

    def changes_since_issued(self) -> str:
        """What the record says now that the notice as issued does not, as HTML ('' for
        nothing, or a notice not frozen when issued)."""
        notice = self.session.inspection.notices.get(self.kind)
        if notice is None or not notice.issued_text:
            return ""
        now = notice_doc(compose(self.session.inspection, self.kind))  # type: ignore[arg-type]
        changes = notice_changes(json.loads(notice.issued_text), now)
        if not changes:
            return ""
        rows = "".join(f"<tr><td>{html.escape(c.part)}</td><td>{html.escape(c.issued)}</td>"
                       f"<td>{html.escape(c.current)}</td></tr>" for c in changes)
        return (message_html("出具后记录已修改；已送达的文书不变 / the record changed since the "
                             "notice was issued; the issued notice stays as served:", "warning")
                + "<table class='kit-notice-changes'><tr><th>部分 part</th><th>出具时 issued"
                  f"</th><th>现在 now</th></tr>{rows}</table>")

    def print_notice(self, suffix: str) -> None:
        from kit.interchange import export_notice, issued_pdf  # printing, when asked for

        self.session.flush_pending()
        name = f"{NOTICE_TITLES[self.kind].split()[0]}-{self.session.id}{suffix}"
        frozen = issued_pdf(self.session.door, self.session.id, self.kind) \
            if suffix == ".pdf" else None
        if frozen is not None:  # the notice as it was issued and served, signed
            self.message.value = download_link(frozen, name, "application/pdf",
                                               f"下载已出具的文书 Download the issued {name}")
            return
        try:
            with tempfile.TemporaryDirectory() as tmp:
                out = export_notice(self.session.door, self.session.id, [self.kind],
                                    Path(tmp) / f"notice{suffix}")
                data = out.read_bytes()
        except KitError as exc:
            self.message.value = message_html(f"未能生成 not generated: {exc}", "error")
            return
        mime = "application/pdf" if suffix == ".pdf" else XLSX_MIME
        self.message.value = download_link(data, name, mime, f"下载 Download {name}")


class InabilityPanel(W.VBox):
    """六、8 由于企业自身原因而无法实施检查: recorded with what happened and the two or more
    inspectors who noted it (the witness signs on the witness's pad). Then the checklist's
    items left unchecked follow from it, instead of blocking the move to 检查文书."""

    def __init__(self, session: Session) -> None:
        inspectors = session.inspection.inspectors
        options = tuple((label, key) for label, key in member_options(session)
                        if key in inspectors)
        super().__init__([
            W.HTML("<h3>无法实施检查 Inspection not possible（六、8）</h3>"
                   "<p>由于企业自身原因而无法实施检查的，应由2名以上（包括2名）检查人员注明情况并"
                   "签字确认，现场有见证人的情形需要由见证人签字。<br><small>When the company's "
                   "own conduct makes the inspection impossible, two or more inspectors note it "
                   "and sign; a witness present signs too.</small></p>"),
            field(session, "inability/recorded", "无法实施检查 Could not inspect", "bool"),
            field(session, "inability/reason", "情况（原因）What happened", "textarea"),
            field(session, "inability/noted_by", "注明情况的检查人员 Inspectors noting it",
                  "multichoice", options),
            ProblemList(session, ["inability"]),
        ])
        self.add_class("kit-inability")


class ReportWidget(W.VBox):
    """Signatures or the refusal, the inability to inspect, follow-up with 十、3 measures, all problems, downloads."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.policy, _broken = office_policy()  # the findings stage says what is broken
        self.verdict = VerdictPanel(session, self.policy)
        self.suspension = NoticePanel(session, "suspension")
        session.on_change(lambda _p: self._show_suspension())
        self._show_suspension()
        self.download = W.HTML()
        self.download.add_class("kit-download-area")
        self.export_button = W.Button(description="生成检查文书 Excel workbook",
                                      button_style="primary", layout=W.Layout(width="auto"))
        self.export_button.add_class("kit-export")
        self.export_button.on_click(lambda _b: self.export())
        self.json_button = W.Button(description="导出 JSON", layout=W.Layout(width="auto"))
        self.json_button.on_click(lambda _b: self.export_json())
        self.audit_button = W.Button(description="修改记录 Audit trail",
                                     layout=W.Layout(width="auto"))
        self.audit_button.add_class("kit-show-audit")
        self.audit_button.on_click(lambda _b: self.show_audit())
        self.audit = W.HTML()
        self.audit.add_class("kit-audit")
        super().__init__([
            W.HTML("<h3>签字确认 Signatures（六、7-8）</h3>"),
            self._signed_summary(),
            field(session, "signatures/company_signed_at", "签字时间 Signed at", "datetime"),
            field(session, "signatures/refused", "企业拒绝签字 Refused", "bool"),
            field(session, "signatures/refusal_note", "拒签情况 What happened", "textarea"),
            field(session, "signatures/witness_present", "现场有见证人 Witness present", "bool"),
            field(session, "signatures/witness_name", "见证人 Witness"),
            self._signature_pads(),
            InabilityPanel(session),
            W.HTML("<h3>书面告知 Written notices（六、7-9）</h3>"),
            NoticePanel(session, "result"),
            NoticePanel(session, "rectification"),
            self.suspension,
            W.HTML("<h3>跟踪检查 Follow-up（六、9，十、3）</h3>"),
            field(session, "follow_up/submitted_on", "企业提交整改资料 Submitted", "date"),
            field(session, "follow_up/review_mode", "复查方式 Review", "choice", table_options(REVIEW_MODES)),
            field(session, "follow_up/reviewed_on", "复查日期 Reviewed on", "date"),
            field(session, "follow_up/reviewer", "复查人 Reviewer"),
            field(session, "follow_up/closed_on", "结案日期 Closed on", "date"),
            field(session, "follow_up/measures", "后续措施 Measures（十、3）", "multichoice",
                  vocab_options("follow_up_measures")),
            field(session, "follow_up/note", "说明 Note", "textarea"),
            W.HTML("<h3>检查意见 Opinion（六、5、六、6）</h3>"),
            self._opinion_summary(),
            field(session, "opinion/conclusion", "检查意见/结论 Conclusion", "textarea",
                  placeholder="检查组讨论确定的检查意见，由组长填写 / the team's conclusion, "
                              "entered by its leader"),
            field(session, "opinion/decided_on", "确定日期 Decided on", "date"),
            self.verdict,
            cross_report_panel(session),
            W.HTML("<h3>检查阶段 Stage</h3>"),
            field(session, "stage", "当前阶段 Stage", "choice",
                  table_options(STAGES)),
            self._override_form(),
            W.HTML("<h3>按指南规则检查 Rule check</h3>"),
            ProblemList(session, []),
            W.HBox([self.export_button, self.json_button, self.audit_button]),
            self.download,
            self.audit,
        ])
        self.add_class("kit-report")

    def _show_suspension(self) -> None:
        """The suspension notice (暂停生产通知书) shows once a finding suspends production
        (the office's rule, templates/handling.yaml), or once the record holds it."""
        ins = self.session.inspection
        kinds = self.policy.handling.notice_kinds if self.policy.handling.notice_required \
            else ()
        shown_if(self.suspension, "suspension" in ins.notices or any(
            f.handling in kinds for f in ins.findings.values()))

    def _signed_summary(self) -> W.Widget:
        """Who has signed: it follows from the signatures kept (drawn on the pads below),
        never from a tick, so nobody is recorded as signed without signing."""
        summary = W.HTML()
        summary.add_class("kit-signed-summary")

        def show(_path: str = "*") -> None:
            ins = self.session.inspection
            sig = ins.signatures
            names = "、".join(html.escape(ins.team[k].name or k if k in ins.team else k)
                             for k in sig.inspector_signers) or "（无 none）"
            company = html.escape(sig.company_signer) or "（未签 not yet）"
            witness = "已签 signed" if sig.witness_signed else "未签 not yet"
            problems = [p for p in self.session.problems("signatures")
                        if p.field in ("signatures/inspector_signers",
                                       "signatures/company_signer", "signatures/witness_signed")]
            summary.value = (
                f"<div>企业签字人 Company signer：<b>{company}</b></div>"
                f"<div>签字检查人员 Inspectors signed：<b>{names}</b></div>"
                f"<div>见证人 Witness：{witness}</div>"
                "<small>在下方签字板上签名后自动记录 / recorded when each signs on a pad below"
                "</small>" + (problems_html(problems) if problems else ""))

        self.session.on_change(show)
        show()
        return summary

    def _signature_pads(self) -> W.Widget:
        """Signatures drawn on the screen: the company's signer, each inspector, the witness."""
        ins = self.session.inspection
        pads = [SignaturePad(self.session, "company", "企业签字人签名 Company signer")]
        pads += [SignaturePad(self.session, key, f"检查人员签名 Inspector：{ins.team[key].name or key}")
                 for key in ins.inspectors]
        pads.append(SignaturePad(self.session, "witness", "见证人签名 Witness（现场有见证人时）"))
        self.pads = pads
        box = W.VBox([W.HTML("<b>手写签名 Signatures drawn on the screen</b>"), *pads])
        box.add_class("kit-signature-pads")
        return box

    def _opinion_summary(self) -> W.Widget:
        """What the opinion sums up: the findings by their handling (十、1), kept current."""
        summary = W.HTML()
        summary.add_class("kit-opinion-summary")

        def show(_path: str = "*") -> None:
            ins = self.session.inspection
            findings = ins.findings
            kinds = vocab("handling_kinds")
            parts = "，".join(f"{zh(kinds, k)} {n} 项" for k, n in ins.handling_counts.items())
            text = (f"发现问题 {len(findings)} 项：{parts}" if findings else "未记录问题 / no findings")
            summary.value = message_html(text, "muted")

        self.session.on_change(show)
        show()
        return summary

    def _override_form(self) -> W.Widget:
        """The leader moves the record on despite the rules' errors, saying why (audited)."""
        self.override_stage = W.Dropdown(
            options=[(label, code) for label, code in table_options(STAGES)
                     if code in GATED_STAGES], layout=W.Layout(width="12em"))
        self.override_reason = W.Text(placeholder="理由（将记入修改记录） reason, kept in the trail",
                                      layout=W.Layout(width="28em"))
        self.override_reason.add_class("kit-override-reason")
        self.override_stage.add_class(form_class("override/stage"))  # kept across a reload
        self.override_reason.add_class(form_class("override/reason"))
        button = W.Button(description="组长注明理由后推进 Leader: move on",
                          layout=W.Layout(width="auto"))
        button.add_class("kit-override")
        button.on_click(lambda _b: self.override())
        self.override_message = W.HTML()
        self.override_message.add_class("kit-override-message")
        if self.session.refusal("gate_overrides/closed") is not None:
            button.disabled = True
        return W.VBox([W.HTML("<small>规则仍有错误时，记录不能推进；组长可注明理由后推进 / "
                              "errors by the rules block the move; the team's leader may move "
                              "on with a reason</small>"),
                       W.HBox([self.override_stage, self.override_reason, button],
                              layout=W.Layout(flex_flow="row wrap")),
                       self.override_message])

    def override(self) -> None:
        stage = self.override_stage.value
        try:
            self.session.advance(stage, override=self.override_reason.value)
        except GateError as exc:
            self.override_message.value = (message_html(
                "请注明理由 / give the reason", "error") + problems_html(list(exc.problems)))
            return
        except KitError as exc:
            self.override_message.value = message_html(f"未推进 not moved: {exc}", "error")
            return
        self.override_reason.value = ""
        self.override_stage.index = 0  # done: what the page kept of the form is let go
        self.override_message.value = message_html(
            f"已推进到“{zh(STAGES, stage)}”，理由已记入修改记录 / moved on; the reason is in "
            "the trail", "ok")

    def export(self) -> None:
        self.session.flush_pending()
        self.download.value = "正在生成… generating…"
        try:
            data = workbook_bytes(self.session)
        except Exception as exc:  # shown, never lost in a log: the inspector must know
            text = str(exc) if isinstance(exc, KitError) else f"{type(exc).__name__}: {exc}"
            self.download.value = message_html(f"未能生成 not generated: {text}", "error",
                                               tag="span")
            return
        name = f"检查记录-{self.session.id}.xlsx"
        self.download.value = download_link(data, name, XLSX_MIME, f"下载 Download {name}")

    def show_audit(self, last: int = AUDIT_SHOWN) -> None:
        """The latest changes: who changed which field when, old and new value."""
        entries = self.session.door.audit(self.session.id)
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (
                beijing_text(e.at), e.user, e.action, e.path or "",
                e.old_json or "", e.new_json or "")) + "</tr>"
            for e in reversed(entries[-last:])
        )
        head = "".join(f"<th>{h}</th>" for h in ("时间（北京时间） When, Beijing time", "人员 Who", "操作 Action",
                                                  "字段 Field", "原值 Old", "新值 New"))
        self.audit.value = (f"<div>共 {len(entries)} 条，显示最近 {min(last, len(entries))} 条 / "
                            f"{len(entries)} entries, latest first</div>"
                            f"<div style='max-height:30em;overflow:auto'><table class='kit-table'>"
                            f"<tr>{head}</tr>{rows}</table></div>")

    def export_json(self) -> None:
        self.session.flush_pending()
        notary = notary_from_environment(self.session.door)
        try:
            if notary is not None:  # signed, as kit export signs it
                data = notary.export(self.session.id, "json")
            else:
                doc = self.session.door.document(self.session.id)
                data = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        except KitError as exc:
            self.download.value = message_html(f"未能生成 not generated: {exc}", "error")
            return
        name = f"检查记录-{self.session.id}.json"
        self.download.value = download_link(data, name, "application/json",
                                            f"下载 Download {name}")
