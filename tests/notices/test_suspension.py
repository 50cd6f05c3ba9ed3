"""The suspension notice 暂停生产通知书 (十、1 要求企业暂停生产的紧急控制措施): the office's template,
what it states, and issuing it like the other notices."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from kit.cli import main
from kit.door import Door, Identity
from kit.errors import ValidationError
from kit.interchange import export_notice, issued_pdf
from kit.notices import compose, load_notice_templates, notices_file
from kit.policy import load_policy
from kit.record import Inspection
from kit.resources import shipped_dir
from kit.session import Session

DAY = date(2026, 11, 20)
needs_office = pytest.mark.skipif(
    shutil.which("libreoffice") is None and shutil.which("soffice") is None,
    reason="LibreOffice prints the notices")


def warned(demo: Inspection) -> Inspection:
    """The demo at the report, none of its notices issued, F3 suspended with a safety
    warning published (暂停生产并发布安全警示信息)."""
    f3 = replace(demo.findings["F3"], handling="suspend_and_warn", warning_on=DAY,
                 warning_channel="北京市药品监督管理局网站",
                 warning_text="批号S2608-03一次性使用无菌注射器暂停销售和使用")
    return replace(demo, stage="reporting", notices={}, findings={**demo.findings, "F3": f3})


# -- what it says ----------------------------------------------------------------------------
def test_the_shipped_template_numbers_it_in_its_own_scheme() -> None:
    t = load_notice_templates()["suspension"]
    assert t.title == "暂停生产通知书"
    assert t.number == "京药监械停〔{year}〕{seq:03d}号"


def test_it_lists_only_the_findings_that_suspend_production_with_their_requirements(
        demo: Inspection) -> None:
    text = compose(demo, "suspension")
    assert text.number == "京药监械停〔2026〕007号"
    assert text.table_header == ("序号", "问题描述", "检查项及依据", "处理方式", "要求")
    (row,) = text.table_rows  # F3 only: F1 and F4 are rectified by a deadline, F2 corrected
    assert row[0] == "1"
    assert row[1] == demo.findings["F3"].description
    assert (row[3], row[4]) == ("暂停生产并立即开始整改", demo.findings["F3"].requirement)
    assert text.table_intro == "要求暂停生产的问题 1 项："


def test_it_states_the_emergency_measure_and_resumption_only_after_the_recheck_on_site(
        demo: Inspection) -> None:
    body = "\n".join(compose(demo, "suspension").paragraphs)
    assert "紧急控制措施" in body
    assert "立即暂停" in body
    assert "经我局现场复查合格后方可恢复生产" in body
    source = load_policy().handling.resumption_source.rstrip("。")
    assert f"（依据：{source}）" in body  # the office's rule, cited: 十、1 does not say it
    assert "安全警示信息" not in body  # F3 suspends and rectifies: no warning to state


def test_a_suspension_with_a_safety_warning_states_its_date_channel_and_text(
        demo: Inspection) -> None:
    text = compose(warned(demo), "suspension")
    assert text.table_rows[0][3] == "暂停生产并发布安全警示信息"
    assert ("安全警示信息：问题1已于2026年11月20日通过北京市药品监督管理局网站发布安全警示信息："
            "“批号S2608-03一次性使用无菌注射器暂停销售和使用”。") in text.paragraphs
    unpublished = replace(warned(demo).findings["F3"], warning_on=None, warning_channel="",
                          warning_text="")
    text = compose(replace(demo, findings={**demo.findings, "F3": unpublished}), "suspension")
    assert any("问题1须发布安全警示信息（尚未记录发布日期、渠道和内容）" in p for p in text.paragraphs)


def test_an_office_that_accepts_a_written_review_says_so(
        tmp_path: Path, demo: Inspection) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(shipped_dir("templates"), folder)
    handling = folder / "handling.yaml"
    handling.write_text(handling.read_text("utf-8").replace("recheck_on_site: true",
                                                            "recheck_on_site: false"), "utf-8")
    body = "\n".join(compose(demo, "suspension", policy=load_policy(folder)).paragraphs)
    assert "经我局复查合格后方可恢复生产" in body
    assert "现场复查合格后方可恢复生产（" not in body


# -- the template ----------------------------------------------------------------------------
def _write(tmp_path: Path, data: dict) -> Path:
    out = tmp_path / "notices.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


def test_a_template_file_without_the_suspension_notice_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(notices_file().read_text(encoding="utf-8"))
    del data["notices"]["suspension"]
    with pytest.raises(ValidationError) as err:
        load_notice_templates(_write(tmp_path, data))
    (problem,) = err.value.problems
    assert problem.field == "notices"
    assert "suspension" in problem.message


def test_a_wrong_placeholder_in_the_suspension_notice_names_its_field(tmp_path: Path) -> None:
    data = yaml.safe_load(notices_file().read_text(encoding="utf-8"))
    data["notices"]["suspension"]["paragraphs"][1] = "{安全警告}"
    assert main(["notice", "check-template", str(_write(tmp_path, data))]) == 2
    with pytest.raises(ValidationError) as err:
        load_notice_templates(tmp_path / "notices.yaml")
    (problem,) = err.value.problems
    assert (problem.field, "{安全警告}" in problem.message) == (
        "notices/suspension/paragraphs/1", True)


# -- issuing it ------------------------------------------------------------------------------
@needs_office
def test_issuing_numbers_and_freezes_it_like_the_other_notices(
        tmp_path: Path, demo: Inspection) -> None:
    door = Door.connect(f"sqlite:///{tmp_path}/kit.sqlite", identity=Identity("张明"))
    s = Session.create(door, replace(warned(demo), id="s"))
    assert s.issue_notice("suspension", on=DAY) == "京药监械停〔2026〕001号"
    assert s.issue_notice("rectification", on=DAY) == "京药监械整改〔2026〕001号"  # its own run
    notice = s.inspection.notices["suspension"]
    kept = s.inspection.attachments[notice.pdf]
    assert (kept.target, kept.mime) == ("notices/suspension", "application/pdf")
    said = json.loads(notice.issued_text)
    assert said["title"] == "暂停生产通知书"
    assert said["number"] == "京药监械停〔2026〕001号"
    pdf = issued_pdf(door, "s", "suspension")
    assert pdf is not None
    again = export_notice(door, "s", ["suspension"], tmp_path / "again.pdf")
    assert again.read_bytes() == pdf  # printed as issued, byte for byte
    s.serve_notice("suspension", on=DAY, received_by="陈示例")
    assert s.inspection.notices["suspension"].served_on == DAY


@needs_office
def test_kit_notice_issue_suspension_works_and_is_refused_when_nothing_suspends(
        tmp_path: Path, demo: Inspection, capsys: pytest.CaptureFixture[str]) -> None:
    store = ["--data-dir", str(tmp_path), "--user", "张明"]
    door = Door.connect(None, data_dir=str(tmp_path), identity=Identity("张明"))
    Session.create(door, replace(warned(demo), id="a"))
    no_suspension = {k: f for k, f in demo.findings.items() if k != "F3"}
    Session.create(door, replace(warned(demo), id="b", findings=no_suspension))
    assert main(["notice", "issue", "a", "suspension", "--on", "2026-11-20", *store]) == 0
    assert "a suspension: 京药监械停〔2026〕001号" in capsys.readouterr().out
    assert main(["notice", "issue", "b", "suspension", "--on", "2026-11-20", *store]) == 2
    err = capsys.readouterr().err
    assert "没有要求暂停生产的问题，无需暂停生产通知书（十、1）" in err
    assert "[notices.nothing_to_suspend]" in err
    assert "suspension" not in door.inspection("b").notices  # nothing was numbered
