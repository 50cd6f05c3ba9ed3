"""六、10: the credit file per company, in the shipped schema's shape, as JSON and Excel."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import jsonschema
from openpyxl import load_workbook

from kit.analytics import credit_file, demo_inspections
from kit.analytics._credit import CREDIT_SCHEMA
from kit.door import Door, Identity
from kit.interchange import demo_file, demo_inspection, import_json
from kit.labels import NOTICE_KINDS as NOTICE_WORDS
from kit.record import NOTICE_KINDS
from kit.schemas import check_file
from kit.store import Store


def test_every_inspection_finding_and_outcome_per_company():
    inspections = demo_inspections(40, 6, seed=4)
    doc = credit_file(inspections, generated_at=datetime(2026, 12, 1, 9, 0))
    assert check_file(doc, CREDIT_SCHEMA) == []
    jsonschema.validate(doc, json.loads(CREDIT_SCHEMA.read_text(encoding="utf-8")))
    assert len(doc["companies"]) == 6
    assert sum(len(c["inspections"]) for c in doc["companies"]) == 40
    findings = [f for c in doc["companies"] for i in c["inspections"] for f in i["findings"]]
    assert len(findings) == sum(len(i.findings) for i in inspections)
    assert {f["state"] for f in findings} >= {"passed"}
    for company in doc["companies"]:
        starts = [i["start_date"] for i in company["inspections"]]
        assert starts == sorted(starts)  # oldest first: the history reads down
    one = doc["companies"][0]
    only = credit_file(inspections, company=one["credit_code"])
    assert [c["credit_code"] for c in only["companies"]] == [one["credit_code"]]


def test_kit_credit_file_writes_json_and_excel(tmp_path):
    with Store(data_dir=tmp_path) as store:
        import_json(Door(store, Identity("张明")), demo_file())
    base = [sys.executable, "-m", "kit", "credit-file", "--data-dir", str(tmp_path)]
    subprocess.run([*base, "--out", str(tmp_path / "c.json")], check=True, timeout=120,
                   capture_output=True)
    doc = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert check_file(doc, CREDIT_SCHEMA) == []
    (company,) = doc["companies"]
    assert company["name"] == "北京示例医疗科技有限公司"
    (ins,) = company["inspections"]
    assert ins["opinion"].startswith("企业质量管理体系总体运行正常")
    f3 = next(f for f in ins["findings"] if f["finding"] == "F3")
    assert (f3["state_zh"], f3["review_mode_zh"], f3["reviewed_on"]) == (
        "复查合格", "现场复查", "2026-11-24")
    record = demo_inspection()
    assert [(n["kind"], n["kind_zh"], n["number"], n["served_on"], n["received_by"])
            for n in ins["notices"]] == [
        (k, NOTICE_WORDS[k][0], n.number, n.served_on.isoformat(), n.received_by)
        for k in NOTICE_KINDS if (n := record.notices.get(k)) is not None]
    assert "suspension" in [n["kind"] for n in ins["notices"]]  # 暂停生产通知书 (十、1)
    got = {f["finding"]: f for f in ins["findings"]}
    for key, f in record.findings.items():  # each finding carried to its outcome
        assert got[key]["due"] == (f.due.isoformat() if f.due else None)
        assert [r["round"] for r in got[key]["reviews"]] == sorted(f.reviews)
        assert [e["new_deadline"] for e in got[key]["extensions"]] == [
            e.new_deadline.isoformat() for e in f.extensions.values()]
    f1, f2 = record.findings["F1"], record.findings["F2"]
    (kept,) = got["F1"]["reviews"]  # failed, then passed: the first round kept
    assert (kept["result"], kept["reviewed_on"], kept["reviewer"]) == (
        f1.reviews["R1"].result, f1.reviews["R1"].reviewed_on.isoformat(),
        f1.reviews["R1"].reviewer)
    assert kept["result_zh"] == "不合格"
    assert got["F2"]["corrected_by"] == record.team[f2.corrected_by].name  # a name, not M2
    assert got["F2"]["corrected_at"] == f2.corrected_at.isoformat()
    assert (got["F3"]["production"], got["F3"]["production_zh"]) == ("resumed", "复查合格，恢复生产")
    extended = next(k for k, f in record.findings.items() if f.extensions)
    assert got[extended]["due"] != got[extended]["deadline"]
    subprocess.run([*base, "--out", str(tmp_path / "c.xlsx")], check=True, timeout=120,
                   capture_output=True)
    book = load_workbook(tmp_path / "c.xlsx", read_only=True)
    assert book.sheetnames == ["检查记录", "问题与整改"]
    head, first = list(book["检查记录"].iter_rows(values_only=True, max_row=2))
    assert "整改通知书 京药监械整改〔2026〕064号（2026-11-20 送达，签收）" in first[head.index("notices")]
    rows = list(book["问题与整改"].iter_rows(values_only=True))
    assert len(rows) == 1 + len(record.findings)
    f1_row = next(r for r in rows[1:] if r[rows[0].index("finding")] == "F1")
    assert f1_row[rows[0].index("reviews")].startswith("R1 ")
    nobody = subprocess.run([*base, "--company", "不存在的企业", "--out", str(tmp_path / "n.json")],
                            timeout=120, capture_output=True, text=True, encoding="utf-8")
    assert nobody.returncode == 2
    assert "不存在的企业" in nobody.stderr
    assert "Traceback" not in nobody.stderr


def test_the_company_s_submissions_are_in_its_credit_file(tmp_path):
    """六、10: the company's rectification material goes into the credit file, each submission
    as made (when, by whom, how, its report, its files by hash)."""
    from dataclasses import replace

    with Store(data_dir=tmp_path) as store:
        door = Door(store, Identity("张明"))
        ins = demo_inspection()
        failed = replace(ins.findings["F4"], state="failed")
        iid = door.create(replace(ins, id="c1", stage="follow_up",
                                  findings={**ins.findings, "F4": failed}))
        door.submit_rectification(iid, "F4", "重新上传数据", [("确认单.pdf", b"%PDF-1.4 ok")])
        doc = credit_file([door.inspection(iid)])
    jsonschema.validate(doc, json.loads(CREDIT_SCHEMA.read_text(encoding="utf-8")))
    (f4,) = [f for f in doc["companies"][0]["inspections"][0]["findings"] if f["finding"] == "F4"]
    (sub,) = f4["submissions"]
    assert (sub["submission"], sub["by"], sub["channel_zh"], sub["report"]) == (
        "S1", "张明", "邮寄或电子邮件", "重新上传数据")
    assert [(f["name"], f["mime"], f["size"]) for f in sub["files"]] == [
        ("确认单.pdf", "application/pdf", 11)]
