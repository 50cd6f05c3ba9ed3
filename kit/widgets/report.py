"""检查文书 (六、7-10, 十、3): signatures or refusal, follow-up, the rules, the workbook."""

from __future__ import annotations

import html
import json
import tempfile
from pathlib import Path

import ipywidgets as W

from kit.errors import KitError
from kit.interchange import export_workbook
from kit.labels import REVIEW_MODES, STAGES
from kit.session import Session, export_doc
from kit.widgets._common import XLSX_MIME, download_link, message_html, table_options, vocab_options
from kit.widgets._fields import ProblemList, field

__all__ = [
    "AUDIT_SHOWN",
    "ReportWidget",
    "member_options",
    "workbook_bytes",
]

AUDIT_SHOWN = 200


def member_options(session: Session) -> tuple[tuple[str, str], ...]:
    return tuple((m.name or k, k) for k, m in session.inspection.team.items()
                 if m.role != "expert")


def workbook_bytes(session: Session) -> bytes:
    """The inspection's workbook as it stands now (the written record of 六、7)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "record.xlsx"
        export_workbook(session.store, session.id, out)
        return out.read_bytes()


class ReportWidget(W.VBox):
    """Signatures or the refusal, follow-up with 十、3 measures, all problems, downloads."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.download = W.HTML()
        self.download.add_class("kit-download-area")
        self.export_button = W.Button(description="生成检查文书 Excel workbook", icon="file-excel-o",
                                      button_style="primary", layout=W.Layout(width="auto"))
        self.export_button.add_class("kit-export")
        self.export_button.on_click(lambda _b: self.export())
        self.json_button = W.Button(description="导出 JSON", layout=W.Layout(width="auto"))
        self.json_button.on_click(lambda _b: self.export_json())
        self.audit_button = W.Button(description="修改记录 Audit trail", icon="history",
                                     layout=W.Layout(width="auto"))
        self.audit_button.add_class("kit-show-audit")
        self.audit_button.on_click(lambda _b: self.show_audit())
        self.audit = W.HTML()
        self.audit.add_class("kit-audit")
        signers = member_options(session)
        super().__init__([
            W.HTML("<h3>签字确认 Signatures（六、7-8）</h3>"),
            field(session, "signatures/company_signer", "企业签字人 Company signer"),
            field(session, "signatures/company_signed_at", "签字时间 Signed at", "datetime"),
            field(session, "signatures/refused", "企业拒绝签字 Refused", "bool"),
            field(session, "signatures/refusal_note", "拒签情况 What happened", "textarea"),
            field(session, "signatures/inspector_signers", "签字检查人员 Inspectors signing",
                  "multichoice", signers),
            field(session, "signatures/witness_present", "现场有见证人 Witness present", "bool"),
            field(session, "signatures/witness_name", "见证人 Witness"),
            field(session, "signatures/witness_signed", "见证人已签字 Witness signed", "bool"),
            W.HTML("<h3>跟踪检查 Follow-up（六、9，十、3）</h3>"),
            field(session, "follow_up/submitted_on", "企业提交整改资料 Submitted", "date"),
            field(session, "follow_up/review_mode", "复查方式 Review", "choice", table_options(REVIEW_MODES)),
            field(session, "follow_up/reviewed_on", "复查日期 Reviewed on", "date"),
            field(session, "follow_up/reviewer", "复查人 Reviewer"),
            field(session, "follow_up/closed_on", "结案日期 Closed on", "date"),
            field(session, "follow_up/measures", "后续措施 Measures（十、3）", "multichoice",
                  vocab_options("follow_up_measures")),
            field(session, "follow_up/note", "说明 Note", "textarea"),
            W.HTML("<h3>检查阶段 Stage</h3>"),
            field(session, "stage", "当前阶段 Stage", "choice",
                  table_options(STAGES)),
            W.HTML("<h3>按指南规则检查 Rule check</h3>"),
            ProblemList(session, []),
            W.HBox([self.export_button, self.json_button, self.audit_button]),
            self.download,
            self.audit,
        ])
        self.add_class("kit-report")

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
        entries = self.session.store.audit(self.session.id)
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (
                e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), e.user, e.action, e.path or "",
                e.old_json or "", e.new_json or "")) + "</tr>"
            for e in reversed(entries[-last:])
        )
        head = "".join(f"<th>{h}</th>" for h in ("时间 When", "人员 Who", "操作 Action",
                                                  "字段 Field", "原值 Old", "新值 New"))
        self.audit.value = (f"<div>共 {len(entries)} 条，显示最近 {min(last, len(entries))} 条 / "
                            f"{len(entries)} entries, latest first</div>"
                            f"<div style='max-height:30em;overflow:auto'><table class='kit-table'>"
                            f"<tr>{head}</tr>{rows}</table></div>")

    def export_json(self) -> None:
        self.session.flush_pending()
        doc = export_doc(self.session.store, self.session.id)
        data = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        name = f"检查记录-{self.session.id}.json"
        self.download.value = download_link(data, name, "application/json",
                                            f"下载 Download {name}")
