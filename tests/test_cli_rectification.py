"""``kit companies account`` and ``kit rectification``: a company's rectification from a shell,
through the same door as the portal (a company's person sees and submits only their own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from kit.door import Door, Identity
from kit.record import Company, Finding, Notice, new_inspection
from kit.register import RegisteredCompany

JIA, YI = "91110000100000000R", "91110108MA01ABCDEN"


def kit(store: Path, *args: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kit", *args, "--data-dir", str(store)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env={**os.environ, **(env or {})})


def make_store(store: Path) -> dict[str, str]:
    ids = {}
    with Door.connect(data_dir=str(store), identity=Identity("张明")) as door:
        door.import_companies([RegisteredCompany(JIA, "甲公司", "海淀区", False),
                               RegisteredCompany(YI, "乙公司", "昌平区", False)])
        for code in (JIA, YI):
            ids[code] = door.create(replace(
                new_inspection(), company=Company(name=code, credit_code=code),
                findings={"F1": Finding(item="7.8.c1", requirement="补全批记录",
                                        deadline=date(2026, 3, 20))},
                notices={"rectification": Notice(number=f"N-{code[-4:]}",
                                                 served_on=date(2026, 3, 2))}))
    return ids


def test_a_company_person_sees_and_submits_their_own_from_a_shell(tmp_path):
    store = tmp_path / "store"
    ids = make_store(store)
    assert kit(store, "companies", "account", "add", JIA, "jia").returncode == 0
    assert "jia\t" + JIA in kit(store, "companies", "account", "list").stdout
    company = {"JUPYTERHUB_USER": "jia", "KIT_USER_GROUPS": "companies"}
    shown = kit(store, "rectification", "show", "--json", "--today", "2026-03-16", env=company)
    assert shown.returncode == 0, shown.stderr
    view = json.loads(shown.stdout)
    assert view["credit_code"] == JIA
    assert [i["id"] for i in view["inspections"]] == [ids[JIA]]
    assert view["inspections"][0]["findings"][0]["days_left"] == 4
    # another company's page, or its inspection: refused, exit 2, nothing written
    assert kit(store, "rectification", "show", YI, env=company).returncode == 2
    assert kit(store, "rectification", "submit", ids[YI], "F1", "--report", "x",
               env=company).returncode == 2
    report = tmp_path / "整改报告.pdf"
    report.write_bytes(b"%PDF-1.4\n%report\n")
    done = kit(store, "rectification", "submit", ids[JIA], "F1", "--report", "已补全",
               "--file", str(report), env=company)
    assert done.returncode == 0, done.stderr
    assert "S1" in done.stdout
    with Door.connect(data_dir=str(store), identity=Identity("张明")) as door:
        sub = door.inspection(ids[JIA]).findings["F1"].submissions["S1"]
        assert (sub.by, sub.channel, sub.report) == ("jia", "portal", "已补全")
        assert door.inspection(ids[YI]).findings["F1"].submissions == {}


def test_an_inspector_records_a_mailed_submission_and_bad_files_are_refused(tmp_path):
    store = tmp_path / "store"
    ids = make_store(store)
    exe = tmp_path / "整改.exe"
    exe.write_bytes(b"MZ\x90\x00" * 10)
    bad = kit(store, "rectification", "submit", ids[YI], "F1", "--report", "邮寄件",
              "--file", str(exe))
    assert bad.returncode == 2
    assert "整改.exe" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = kit(store, "rectification", "submit", ids[YI], "F1", "--file", "nowhere.pdf")
    assert missing.returncode == 2
    assert "nowhere.pdf" in missing.stderr
    ok = kit(store, "rectification", "submit", ids[YI], "F1", "--report", "邮寄件")
    assert ok.returncode == 0, ok.stderr
    shown = json.loads(kit(store, "rectification", "show", YI, "--json").stdout)
    sub = shown["inspections"][0]["findings"][0]["submissions"][0]
    assert (sub["channel"], sub["report"]) == ("mail", "邮寄件")
    # waiting for its review: a second submission is refused, exit 2
    again = kit(store, "rectification", "submit", ids[YI], "F1", "--report", "补充")
    assert again.returncode == 2
    assert "等待复查" in again.stderr
