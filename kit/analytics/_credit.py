"""六、10: what goes to the supervision system and each company's credit file (信用档案).

Per company (by 统一社会信用代码): every inspection, its opinion, every finding with its
handling, its rectification to the end (state, submission, review), and the measures chosen
(十、2 for past products, 十、3 after the follow-up). As JSON in the shape of the shipped
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

from kit.guide import Guide, load_guide
from kit.labels import FINDING_STATES, REVIEW_MODES, STAGES, vocab, zh
from kit.labels import NOTICE_KINDS as NOTICE_WORDS
from kit.record import NOTICE_KINDS, Inspection, natural_key
from kit.resources import DATA_DIR
from kit.sampling import write_tables

CREDIT_FORMAT_VERSION = 2  # 2: each inspection's written notices
CREDIT_SCHEMA = DATA_DIR / "credit_file.schema.json"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _finding(ins: Inspection, key: str, guide: Guide) -> dict[str, Any]:
    f = ins.findings[key]
    label = guide.item(f.item).label if f.item in guide else f.item
    return {
        "finding": key, "item": f.item, "item_label": label, "description": f.description,
        "handling": f.handling, "handling_zh": zh(vocab("handling_kinds"), f.handling),
        "requirement": f.requirement, "deadline": _iso(f.deadline),
        "affects_past_products": f.affects_past_products,
        "state": f.state, "state_zh": zh(FINDING_STATES, f.state),
        "submitted_on": _iso(f.submitted_on), "evidence": f.evidence,
        "review_mode": f.review_mode,
        "review_mode_zh": zh(REVIEW_MODES, f.review_mode) if f.review_mode else "",
        "reviewed_on": _iso(f.reviewed_on), "reviewer": f.reviewer,
    }


def _inspection(ins: Inspection, guide: Guide) -> dict[str, Any]:
    scope, fu = ins.scope, ins.follow_up
    return {
        "inspection_id": ins.id, "type": scope.type,
        "type_zh": zh(vocab("inspection_types"), scope.type),
        "start_date": _iso(scope.start_date), "end_date": _iso(scope.end_date),
        "stage": ins.stage, "stage_zh": zh(STAGES, ins.stage),
        "opinion": ins.opinion.conclusion,
        "findings": [_finding(ins, k, guide) for k in sorted(ins.findings, key=natural_key)],
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
    guide = load_guide()
    by_company: dict[str, dict[str, Any]] = {}
    for ins in inspections:
        co = ins.company
        if company and company not in (co.credit_code, co.name):
            continue
        code = co.credit_code or f"（无代码）{co.name}"
        entry = by_company.setdefault(code, {"credit_code": co.credit_code, "name": co.name,
                                             "inspections": []})
        entry["inspections"].append(_inspection(ins, guide))
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
                          "inspection_id": ins["inspection_id"], **f} for f in ins["findings"]]
    return {"inspections": pd.DataFrame(inspections), "findings": pd.DataFrame(findings)}


def write_credit_file(document: dict[str, Any], out: str | Path) -> list[Path]:
    """Write the document as .json, or its tables as .xlsx (or .csv beside each other)."""
    path = Path(out)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
        return [path]
    return write_tables(credit_tables(document), path,
                        titles={"inspections": "检查记录", "findings": "问题与整改"})
