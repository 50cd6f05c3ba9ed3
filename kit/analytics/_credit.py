"""六、10: what goes to the supervision system and each company's credit file (信用档案).

Per company (by 统一社会信用代码): every inspection, its opinion and its verdict under the
office's grading scheme, every finding with its grade and handling carried to its outcome (the
correction confirmed, the safety warning, the case number or transfer, production suspended or
resumed, every review round and extension), and the measures chosen (十、2 for past products,
十、3 after the follow-up). A 延伸检查 names the inspection it extends (六、5). As JSON in the shape of the shipped
``kit/data/credit_file.schema.json``, or as an Excel workbook of two sheets (inspections,
findings), one row each.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from kit.analytics._outcomes import PRODUCTION_STATES, words
from kit.guide import Guide, load_guide
from kit.labels import (
    FINDING_STATES,
    REVIEW_MODES,
    REVIEW_RESULTS,
    STAGES,
    SUBMISSION_CHANNELS,
    vocab,
    zh,
)
from kit.labels import NOTICE_KINDS as NOTICE_WORDS
from kit.policy import Policy, load_policy
from kit.record import (
    NOTICE_KINDS,
    Extension,
    Finding,
    Inspection,
    Review,
    Submission,
    natural_key,
)
from kit.resources import DATA_DIR
from kit.sampling import write_tables

#: 2: each inspection's written notices; 3: each inspection's role, principal (延伸检查) and
#: verdict with its scheme, each finding's grade and outcome (deadline in force, correction,
#: safety warning, case or transfer, production suspended or resumed, review rounds,
#: extensions), and the suspension notice; 4: each finding's submissions by the company (六、10:
#: its rectification material), with their files by hash
CREDIT_FORMAT_VERSION = 4
CREDIT_SCHEMA = DATA_DIR / "credit_file.schema.json"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _when(moment: datetime | None) -> str | None:
    return moment.replace(microsecond=0).isoformat() if moment is not None else None


def _production(f: Finding, policy: Policy) -> str:
    if f.handling not in policy.handling.resume_kinds:
        return ""
    return "resumed" if f.state == "passed" else "suspended"


def _finding(ins: Inspection, key: str, guide: Guide, policy: Policy) -> dict[str, Any]:
    f = ins.findings[key]
    label = guide.item(f.item).label if f.item in guide else f.item
    grades = words(policy, "grades")
    member = ins.team.get(f.corrected_by)
    production = _production(f, policy)
    return {
        "finding": key, "item": f.item, "item_label": label, "description": f.description,
        "grade": f.grade, "grade_zh": grades.get(f.grade, f.grade),
        "handling": f.handling, "handling_zh": zh(vocab("handling_kinds"), f.handling),
        "requirement": f.requirement, "deadline": _iso(f.deadline), "due": _iso(f.due),
        "affects_past_products": f.affects_past_products,
        "state": f.state, "state_zh": zh(FINDING_STATES, f.state),
        "submitted_on": _iso(f.submitted_on), "evidence": f.evidence,
        "review_mode": f.review_mode,
        "review_mode_zh": zh(REVIEW_MODES, f.review_mode) if f.review_mode else "",
        "reviewed_on": _iso(f.reviewed_on), "reviewer": f.reviewer,
        "corrected_by": member.name if member is not None and member.name else f.corrected_by,
        "corrected_at": _when(f.corrected_at),
        "warning_on": _iso(f.warning_on), "warning_channel": f.warning_channel,
        "warning_text": f.warning_text,
        "case_number": f.case_number, "transferred_to": f.transferred_to,
        "transferred_on": _iso(f.transferred_on), "handed_over": f.handed_over,
        "production": production,
        "production_zh": PRODUCTION_STATES[production][0] if production else "",
        "reviews": [_round(k, f.reviews[k]) for k in sorted(f.reviews, key=natural_key)],
        "extensions": [_extension(k, f.extensions[k])
                       for k in sorted(f.extensions, key=natural_key)],
        "submissions": [_submission(ins, k, f.submissions[k])
                        for k in sorted(f.submissions, key=natural_key)],
    }


def _submission(ins: Inspection, key: str, s: Submission) -> dict[str, Any]:
    """What the company submitted, frozen (六、10: its rectification material)."""
    files = [ins.attachments[a] for a in s.files if a in ins.attachments]
    return {"submission": key, "at": _when(s.at), "by": s.by, "channel": s.channel,
            "channel_zh": zh(SUBMISSION_CHANNELS, s.channel), "report": s.report,
            "files": [{"name": a.name, "sha256": a.sha256, "mime": a.mime, "size": a.size}
                      for a in files]}


def _round(key: str, r: Review) -> dict[str, Any]:
    """A kept review round (the round under way is the finding's own fields)."""
    return {"round": key, "submitted_on": _iso(r.submitted_on), "mode": r.mode,
            "reviewed_on": _iso(r.reviewed_on), "reviewer": r.reviewer, "result": r.result,
            "result_zh": zh(REVIEW_RESULTS, r.result), "note": r.note}


def _extension(key: str, e: Extension) -> dict[str, Any]:
    return {"extension": key, "new_deadline": _iso(e.new_deadline), "reason": e.reason,
            "approved_by": e.approved_by, "approved_on": _iso(e.approved_on)}


def _inspection(ins: Inspection, guide: Guide, policy: Policy) -> dict[str, Any]:
    scope, fu, op = ins.scope, ins.follow_up, ins.opinion
    return {
        "inspection_id": ins.id, "role": ins.company.role,
        "role_zh": zh(vocab("roles"), ins.company.role), "type": scope.type,
        "type_zh": zh(vocab("inspection_types"), scope.type), "principal": scope.principal,
        "start_date": _iso(scope.start_date), "end_date": _iso(scope.end_date),
        "stage": ins.stage, "stage_zh": zh(STAGES, ins.stage),
        "opinion": op.conclusion,
        "verdict": op.verdict, "verdict_zh": words(policy, "verdicts").get(op.verdict, op.verdict),
        "verdict_scheme": op.scheme, "verdict_reason": op.verdict_reason,
        "findings": [_finding(ins, k, guide, policy)
                     for k in sorted(ins.findings, key=natural_key)],
        "past_product_measures": list(ins.past_products.measures),
        "follow_up_measures": list(fu.measures),
        "closed_on": _iso(fu.closed_on),
        "notices": [{"kind": k, "kind_zh": zh(NOTICE_WORDS, k), "number": n.number,
                     "issued_on": _iso(n.issued_on), "served_on": _iso(n.served_on),
                     "received_by": n.received_by, "refused": n.refused}
                    for k in NOTICE_KINDS if (n := ins.notices.get(k)) is not None and n.number],
    }


def credit_file(inspections: Iterable[Inspection], *, company: str | None = None,
                generated_at: datetime | None = None) -> dict[str, Any]:
    """The credit-file document: companies by credit code, their inspections oldest first.
    ``company`` keeps one company (its credit code, or its name)."""
    guide, policy = load_guide(), load_policy()
    by_company: dict[str, dict[str, Any]] = {}
    for ins in inspections:
        co = ins.company
        if company and company not in (co.credit_code, co.name):
            continue
        code = co.credit_code or f"（无代码）{co.name}"
        entry = by_company.setdefault(code, {"credit_code": co.credit_code, "name": co.name,
                                             "inspections": []})
        entry["inspections"].append(_inspection(ins, guide, policy))
    for entry in by_company.values():
        entry["inspections"].sort(key=lambda i: (i["start_date"] or "", i["inspection_id"]))
    moment = (generated_at or datetime.now()).replace(microsecond=0)
    return {"format_version": CREDIT_FORMAT_VERSION, "generated_at": moment.isoformat(),
            "companies": [by_company[k] for k in sorted(by_company)]}


def credit_tables(document: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The document as two tidy tables: one row per inspection, one per finding."""
    inspections, findings = [], []
    for co in document["companies"]:
        for ins in co["inspections"]:
            inspections.append({
                "credit_code": co["credit_code"], "company": co["name"],
                **{k: v for k, v in ins.items() if k != "findings"},
                "past_product_measures": ";".join(ins["past_product_measures"]),
                "follow_up_measures": ";".join(ins["follow_up_measures"]),
                "notices": "；".join(
                    f"{n['kind_zh']} {n['number']}" + (
                        f"（{n['served_on']} 送达，{'拒收' if n['refused'] else '签收'}）"
                        if n["served_on"] else "（未送达）") for n in ins["notices"]),
                "n_findings": len(ins["findings"])})
            findings += [{"credit_code": co["credit_code"], "company": co["name"],
                          "inspection_id": ins["inspection_id"], **f,
                          "reviews": "；".join(map(_round_text, f["reviews"])),
                          "extensions": "；".join(map(_extension_text, f["extensions"])),
                          "submissions": "；".join(map(_submission_text, f["submissions"]))}
                         for f in ins["findings"]]
    return {"inspections": pd.DataFrame(inspections), "findings": pd.DataFrame(findings)}


def _round_text(r: dict[str, Any]) -> str:
    return f"{r['round']} {r['reviewed_on'] or '未复查'} {r['reviewer']} {r['result_zh']}"


def _submission_text(s: dict[str, Any]) -> str:
    return (f"{s['submission']} {(s['at'] or '')[:16].replace('T', ' ')} {s['by']}"
            f"（{s['channel_zh']}，{len(s['files'])} 个文件）")


def _extension_text(e: dict[str, Any]) -> str:
    return f"{e['extension']} 延期至 {e['new_deadline']}（{e['approved_by']} {e['approved_on']} 批准）"


def write_credit_file(document: dict[str, Any], out: str | Path) -> list[Path]:
    """Write the document as .json, or its tables as .xlsx (or .csv beside each other)."""
    path = Path(out)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
        return [path]
    return write_tables(credit_tables(document), path,
                        titles={"inspections": "检查记录", "findings": "问题与整改"})
