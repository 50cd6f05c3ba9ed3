"""The apps' widgets without a browser: build, set values, click; check the record and store."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from pathlib import Path

import ipywidgets as W
import pytest

from kit.door import Door, Identity
from kit.guide import load_guide
from kit.interchange import demo_file, import_json
from kit.record import new_inspection
from kit.session import Session
from kit.store import Store
from kit.widgets import ChecklistWidget, InspectorApp, SectionWidget, fields_of
from kit.widgets.findings import FindingsWidget
from kit.widgets.preparation import PreparationWidget

DEMO = demo_file()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(data_dir=tmp_path)


@pytest.fixture
def session(store: Store) -> Session:
    ins = new_inspection(start_date=date(2026, 11, 19))
    return Session.create(Door(store, Identity("张明")), ins)


def reopen(store: Store, session: Session) -> Session:
    return Session(Door(store, Identity("检查")), session.id)


def by_path(widget, path: str):
    return next(f for f in fields_of(widget) if f.spec.path == path)


@pytest.mark.parametrize("section", [s.id for s in load_guide().sections])
def test_every_section_widget_has_every_item_of_the_guide(session, section):
    widget = SectionWidget(session, section)
    ids = [i["id"] for i in widget.rows.items]
    assert ids == [i.id for i in load_guide().checklist_items(section)]
    assert widget.item_ids == ids
    first = widget.rows.items[0]
    assert first["label"] == load_guide().item(ids[0]).label
    assert first["paths"]["notes"] == f"kp:results/{ids[0]}/notes"  # the guard keeps typing


def test_setting_a_result_autosaves_with_who(store, session):
    widget = SectionWidget(session, "7.8")
    assert widget.item_ids[3] == "7.8.c4"
    rows = widget.rows
    for name, value in (("result", "nonconform"), ("notes", "特殊过程未确认"),
                        ("means", ["document_review", "site"])):
        rows._message(rows, {"kind": "set", "id": "7.8.c4", "field": name, "value": value}, [])
    fresh = reopen(store, session).inspection.result("7.8.c4")
    assert (fresh.result, fresh.notes, fresh.means) == (
        "nonconform", "特殊过程未确认", ("document_review", "site"))
    assert store.audit(session.id, "results/7.8.c4/result")[-1].user == "张明"
    assert "已检查 1/15" in widget.progress.value
    assert rows.values["7.8.c4"]["result"] == "nonconform"  # the row shows what was saved


def test_a_rule_problem_shows_in_its_row_naming_the_item(session):
    widget = SectionWidget(session, "7.8")
    assert widget.rows.set("7.8.c1", "result", "nonconform") is None
    (problem,) = widget.rows.problems["7.8.c1"]
    assert problem[0] == "warning"
    assert problem[1].startswith("七、8.检查内容（1） 判定为不符合，但尚未记录问题")


def test_a_rows_refused_edit_says_why_and_shows_the_record(store, session):
    widget = SectionWidget(session, "7.1")
    assert widget.rows.set("7.1.c1", "result", "perhaps") is not None
    assert widget.rows.set("7.9.c1", "result", "conform") is not None  # not this section's
    assert reopen(store, session).inspection.result("7.1.c1").result == "unchecked"
    Session(Door(store, Identity("李华")), session.id).set("results/7.1.c1/notes", "李华的记录")
    why = widget.rows.set("7.1.c1", "notes", "张明的记录")
    assert why is not None
    assert "李华" in why
    assert widget.rows.values["7.1.c1"]["notes"] == "李华的记录"


def test_record_as_finding_takes_the_item_and_its_notes(store, session):
    made = []
    widget = SectionWidget(session, "7.3", on_finding=made.append)
    widget.rows.set("7.3.c2", "result", "nonconform")
    widget.rows.set("7.3.c2", "notes", "仓库温湿度记录缺9月数据")
    widget.rows._message(widget.rows, {"kind": "finding", "id": "7.3.c2"}, [])
    assert made == ["F1"]
    finding = reopen(store, session).inspection.findings["F1"]
    assert (finding.item, finding.description) == ("7.3.c2", "仓库温湿度记录缺9月数据")
    assert widget.rows.values["7.3.c2"]["found"]  # the row no longer offers it
    assert "7.3.c2" not in widget.rows.problems  # no "尚未记录问题" any more


def test_a_refused_value_is_explained_and_the_record_value_shown(store, session):
    widget = PreparationWidget(session)
    scope = widget.build(2)
    start = by_path(scope, "scope/start_date")
    other = Session(Door(store, Identity("李华")), session.id)
    other.set("scope/start_date", date(2026, 11, 25))  # another tab changed it meanwhile
    start.control.value = "2026-11-30"
    assert "未保存" in start.message.value
    assert start.control.value == "2026-11-25"
    assert reopen(store, session).inspection.scope.start_date == date(2026, 11, 25)


def test_dates_show_as_2026_12_01_and_take_any_form_the_kit_reads(store, session):
    scope = PreparationWidget(session).build(2)
    start = by_path(scope, "scope/start_date")
    assert start.control.value == "2026-11-19"  # whatever the browser's language
    start.control.value = "2026年11月20日"
    assert reopen(store, session).inspection.scope.start_date == date(2026, 11, 20)
    assert start.control.value == "2026-11-20"
    start.control.value = "2026-02-30"  # no such day: said, not saved, left to be fixed
    assert "2026-02-30" in start.message.value
    assert start.control.value == "2026-02-30"
    assert reopen(store, session).inspection.scope.start_date == date(2026, 11, 20)


def test_html_in_names_is_shown_as_text(session):
    session.set("team/M1/name", "<img src=x onerror=alert(1)>")
    session.set("team/M1/sections", ["7.1"])
    widget = SectionWidget(session, "7.1")
    html_out = widget.children[0].value
    assert "<img" not in html_out
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_out


def test_team_collection_add_edit_remove(store, session):
    team = PreparationWidget(session).build(3)
    collection = team.children[1]
    first = collection.add_entry()
    second = collection.add_entry()
    assert (first, second) == ("M1", "M2")
    by_path(team, "team/M1/name").control.value = "张明"
    by_path(team, "team/M1/role").control.value = "leader"
    by_path(team, "team/M2/name").control.value = "李华"
    by_path(team, "team/M1/sections").control.value = ("7.1", "7.2")
    ins = reopen(store, session).inspection
    assert ins.team["M1"].name == "张明"
    assert ins.team["M1"].sections == ("7.1", "7.2")
    assert ins.leaders == ("M1",)
    collection.remove_entry("M2")
    assert list(reopen(store, session).inspection.team) == ["M1"]
    assert "李华" in collection.message.value
    collection.undo()  # put back as it was
    assert reopen(store, session).inspection.team["M2"].name == "李华"
    collection.remove_entry("M2")
    assert collection.add_entry() == "M3"  # ids are never reused


def test_removing_asks_first_titles_and_derived_choices_follow(store, session):
    company = PreparationWidget(session).build(0)
    from kit.widgets._collection import CollectionWidget

    def collections(w):
        if isinstance(w, CollectionWidget):
            yield w
        for child in getattr(w, "children", ()):
            yield from collections(child)

    licences, products, _partners = collections(company)
    products.add_entry()
    licences.add_entry()
    scope = by_path(company, "company/licences/L1/scope")
    assert scope.control.options == ()
    by_path(company, "company/products/P1/category_code").control.value = "14-01"
    by_path(company, "company/products/P1/name").save("一次性使用无菌注射器")
    assert [v for _l, v in scope.control.options] == ["14-01"]  # at once, no reload
    title = products._titles["P1"]
    assert "一次性使用无菌注射器" in title.value  # the entry's title follows its name
    entry = products.entries.children[0]
    remove, sure, keep = (w for w in entry.children[0].children if isinstance(w, W.Button))
    remove.click()
    assert sure.layout.display == "flex"
    assert "P1" in reopen(store, session).inspection.company.products  # only asked
    keep.click()
    assert sure.layout.display == "none"
    remove.click()
    sure.click()
    assert "P1" not in reopen(store, session).inspection.company.products


def test_findings_deadline_in_working_days(store, session):
    session.set_many({"scope/end_date": "2025-09-30", "scope/sections": ["7.1"]})
    widget = FindingsWidget(session)
    key = widget.findings.add_entry()
    helper = widget._outcomes[key].deadline_helper
    helper.days.value = 10
    helper.button.click()
    assert reopen(store, session).inspection.findings[key].deadline == date(2025, 10, 21)
    assert "10 个工作日" in helper.info.value


def test_app_creates_and_reopens_an_inspection(store):
    app = InspectorApp(Door(store), user="张明")
    app.new_company.value = "北京<示例>医疗"
    app.new_type.value = "special"
    iid = app.create()
    assert app.chooser.value == iid
    ins = Session(Door(store, Identity("x")), iid).inspection
    assert ins.company.name == "北京<示例>医疗"
    assert ins.scope.type == "special"
    assert "&lt;示例&gt;" in app.title.value
    again = InspectorApp(Door(store), user="李华")
    again.open_from_query(f"?id={iid}&stage=checklist&section=7.3")
    checklist = again.stage("checklist")
    assert isinstance(checklist, ChecklistWidget)
    assert checklist.chooser.value == "7.3"


def test_app_builds_only_the_stage_that_is_shown(store):
    iid = import_json(Door(store, Identity("t")), DEMO)
    app = InspectorApp(Door(store), user="张明")
    app.open_from_query(f"id={iid}&stage=checklist")
    assert list(app._built) == ["checklist"]
    checklist = app._built["checklist"]
    assert list(checklist._built) == ["7.1"]
    checklist.chooser.value = "7.9"
    assert list(checklist._built) == ["7.1", "7.9"]
    assert app.guard.query == f"id={iid}&stage=checklist&section=7.9"  # the address follows
    checklist.step(1)
    assert checklist.chooser.value == "7.10"
    assert app.guard.query.endswith("section=7.10")
    app.stage("report")
    assert app.guard.query == f"id={iid}&stage=report"


def test_the_section_picker_shows_each_sections_progress_and_the_whole(store):
    iid = import_json(Door(store, Identity("t")), DEMO)
    session = Session(Door(store, Identity("张明")), iid)
    checklist = ChecklistWidget(session, "7.2")
    labels = {v: k for k, v in checklist.chooser.options}
    total = sum(len(load_guide().checklist_items(s)) for s in session.inspection.scope.sections)
    assert labels["7.3"] == "七、3. 厂房与设施 · 9/9 · ✖1"  # F1's item does not conform
    assert f"全部 {total}/{total}，不符合 4" in checklist.overall.value
    session.set("results/7.3.c1/result", "unchecked")
    labels = {v: k for k, v in checklist.chooser.options}
    assert labels["7.3"] == "七、3. 厂房与设施 · 8/9 · ✖1"
    assert checklist.chooser.value == "7.2"  # relabelling keeps the section shown
    assert checklist.previous.disabled is False
    checklist.step(-1)
    checklist.step(-1)
    assert (checklist.chooser.value, checklist.previous.disabled) == ("7.1", True)


def test_app_says_what_is_wrong_with_an_unknown_id(store):
    app = InspectorApp(Door(store), user="张明")
    app.open_from_query("id=nope")
    assert "nope" in app.message.value
    assert app.session is None


def test_every_stage_builds_on_the_demo(store):
    iid = import_json(Door(store, Identity("t")), DEMO)
    app = InspectorApp(Door(store), user="张明")
    app.open_inspection(iid)
    assert app.tabs.selected_index == 5  # a closed record opens on its report
    for key in ("preparation", "onsite", "checklist", "sampling", "findings", "report"):
        assert app.stage(key) is app._built[key]
    prep = app.stage("preparation")
    for i in range(len(prep.PANELS)):
        prep.build(i)
    assert by_path(prep, "company/name").control.value == "北京示例医疗科技有限公司"


def test_report_shows_who_changed_what(store, session):
    from kit.widgets.report import ReportWidget

    session.set("company/name", "<b>北京示例</b>")
    report = ReportWidget(session)
    report.audit_button.click()
    assert "company/name" in report.audit.value
    assert "张明" in report.audit.value
    assert "&lt;b&gt;北京示例&lt;/b&gt;" in report.audit.value


def test_refresh_shows_what_another_tab_saved(store):
    iid = import_json(Door(store, Identity("t")), DEMO)
    app = InspectorApp(Door(store), user="张明")
    app.open_from_query(f"id={iid}&stage=checklist&section=7.1")
    rows = app._built["checklist"].current.rows
    Session(Door(store, Identity("李华")), iid).set("results/7.1.m1/notes", "另一标签页的记录")
    assert rows.values["7.1.m1"]["notes"] != "另一标签页的记录"
    app.refresh_button.click()
    assert rows.values["7.1.m1"]["notes"] == "另一标签页的记录"


def _upload(widget, kind: str, name: str, content: bytes) -> None:
    widget.uploads[kind].value = ({"name": name, "type": "", "size": len(content),
                                   "content": memoryview(content),
                                   "last_modified": datetime(2026, 11, 19, tzinfo=UTC)},)


def test_sampling_from_uploaded_registers_is_saved_with_its_seed(store):
    from kit.draw import sample_registers
    from kit.widgets.sampling import SamplingWidget

    iid = import_json(Door(store, Identity("t")), DEMO)
    session = Session(Door(store, Identity("张明")), iid)
    widget = SamplingWidget(session)
    for kind, path in sample_registers().items():
        _upload(widget, kind, path.name, path.read_bytes())
    widget.seed.value = 42
    widget.run_button.click()
    assert "已抽取" in widget.message.value
    saved = Session(Door(store, Identity("x")), iid).inspection.sampling
    assert saved.seed == 42
    assert saved.columns[:3] == ("record_id", "rules", "reason")
    assert len(saved.rows) > 10
    assert store.audit(iid, "sampling/seed")[-1].action == "sampling"
    # the tables in the workbook's words: Chinese headers, flags and yes/no in words
    shown = widget.output.value
    for words in ("窗口内记录数", "按最近生产周期", "选取理由", "记录编号"):
        assert words in shown
    for code in ("n_in_window", "window_fallback", "record_id", ">True<", ">False<"):
        assert code not in shown


@pytest.mark.parametrize(("name", "size", "message"), [
    ("records.pdf", 4, "只接受 .xlsx 或 .csv"),
    ("records.csv", 0, "文件为空"),
    ("records.csv", 50 * 2**20 + 1, "超过上限"),
], ids=["pdf", "empty", "too-large"])
def test_bad_uploads_are_explained_and_nothing_is_drawn(store, name, size, message):
    content = b"x" * size
    from kit.widgets.sampling import SamplingWidget

    iid = import_json(Door(store, Identity("t")), DEMO)
    session = Session(Door(store, Identity("张明")), iid)
    before = session.inspection.sampling
    widget = SamplingWidget(session)
    _upload(widget, "records", name, content)
    widget.run_button.click()
    assert message in widget.message.value
    assert Session(Door(store, Identity("x")), iid).inspection.sampling == before


def test_a_register_with_bad_cells_names_file_row_and_column(store, tmp_path):
    from kit.draw import sample_registers
    from kit.widgets.sampling import SamplingWidget

    iid = import_json(Door(store, Identity("t")), DEMO)
    widget = SamplingWidget(Session(Door(store, Identity("张明")), iid))
    records = ("记录编号,记录类型,产品,批号,记录日期\n"
               "R1,出厂检验记录,一次性使用无菌注射器,S1,2026-02-30\n").encode()
    _upload(widget, "records", "records.csv", records)
    _upload(widget, "products", "products.csv", sample_registers()["products"].read_bytes())
    widget.run_button.click()
    text = widget.message.value
    assert "未抽样" in text
    assert "records.csv" in text
    assert "row 2" in text


def test_typing_is_saved_after_a_pause_or_at_once_before_an_export(store, session):
    import asyncio

    from kit.widgets.report import ReportWidget

    async def type_then_wait() -> None:
        widget = PreparationWidget(session)
        purpose = by_path(widget.build(2), "scope/purpose")
        purpose.control.value = "年度检查"
        assert reopen(store, session).get("scope/purpose") in (None, "")  # still typing
        await asyncio.sleep(purpose.debounce + 0.4)
        assert reopen(store, session).get("scope/purpose") == "年度检查"
        purpose.control.value = "年度日常监督检查"
        ReportWidget(session).export_json()  # leaving: what was typed is saved first
        assert reopen(store, session).get("scope/purpose") == "年度日常监督检查"

    asyncio.run(type_then_wait())


def test_a_refused_edit_shows_what_was_typed(store, session):
    widget = PreparationWidget(session)
    purpose = by_path(widget.build(2), "scope/purpose")
    Session(Door(store, Identity("李华")), session.id).set("scope/purpose", "李华的目的")
    purpose.control.value = "张明的长篇说明"
    purpose.flush()
    message = purpose.message.value
    assert "张明的长篇说明" in message
    assert "李华" in message


def test_the_picker_lists_a_page_and_searches_the_rest(store):
    from kit.widgets.app import PICKER_PAGE

    ids = [store.create({"company": {"name": f"北京第{k:02d}号公司"}}, user="u")
           for k in range(PICKER_PAGE + 10)]
    app = InspectorApp(Door(store), user="张明")
    assert len(app.chooser.options) == PICKER_PAGE
    assert app.chooser.options[0][1] == ids[-1]  # the most recently changed first
    assert "最近修改的 50 条" in app.found.value
    app.search.value = "第03号"
    assert [v for _k, v in app.chooser.options] == [ids[3]]
    app.open_button.click()
    assert app.session is not None
    assert app.session.id == ids[3]
    app.search.value = "<b>没有</b>"
    assert "&lt;b&gt;" in app.found.value  # what was typed is shown as text
    assert [v for _k, v in app.chooser.options] == [ids[3]]  # the open one stays choosable


def test_the_stage_does_not_move_on_with_errors_unless_the_leader_says_why(store):
    from kit.widgets.report import ReportWidget

    iid = import_json(Door(store, Identity("张明")), DEMO)
    session = Session(Door(store, Identity("张明")), iid)
    first = sorted(session.inspection.results)[0]
    session.set_many({"stage": "on_site", f"results/{first}/result": "unchecked"})
    report = ReportWidget(session)
    stage = by_path(report, "stage")
    stage.control.value = "reporting"
    assert stage.control.value == "on_site"  # refused: the field shows the record again
    assert "不能进入“检查文书与签字”" in stage.message.value
    label = load_guide().item(first).label
    assert f"{label} 尚未检查" in stage.message.value  # the item as the inspector knows it
    report.override_stage.value = "reporting"
    report.override()  # no reason: refused, and says so
    assert "请注明理由" in report.override_message.value
    report.override_reason.value = "专家意见另附"
    report.override()
    assert reopen(store, session).inspection.stage == "reporting"
    assert stage.control.value == "reporting"
    assert "已推进" in report.override_message.value
    # done: the form is empty again (what the page kept of it is let go)
    assert (report.override_stage.index, report.override_reason.value) == (0, "")


def test_the_opinion_is_the_leaders_and_sums_up_the_findings(store):
    from kit.door import Identity
    from kit.widgets.report import ReportWidget

    iid = import_json(Door(store, Identity("张明")), DEMO)
    session = Session(Door(store, Identity("张明")), iid)
    team = {k: {**m, "user": f"u{k}"} for k, m in session.record.doc["team"].items()}
    session.set("team", team)
    leader = next(k for k, m in team.items() if m["role"] == "leader")
    member = next(k for k, m in team.items() if m["role"] != "leader")
    mine = ReportWidget(Session(Door(store, Identity(f"u{leader}", hub=True)), iid))
    theirs = ReportWidget(Session(Door(store, Identity(f"u{member}", hub=True)), iid))
    summary = next(c for c in mine.children if "kit-opinion-summary" in c._dom_classes)
    assert "发现问题 4 项" in summary.value
    assert "现场监督立即纠正 1 项" in summary.value
    assert not by_path(mine, "opinion/conclusion").control.disabled
    assert by_path(theirs, "opinion/conclusion").control.disabled
    by_path(mine, "opinion/conclusion").save("检查意见：限期整改。")
    assert reopen(store, session).get("opinion/conclusion") == "检查意见：限期整改。"


def test_each_finding_tracks_its_rectification(store):
    iid = import_json(Door(store, Identity("张明")), DEMO)
    session = Session(Door(store, Identity("张明")), iid)
    widget = FindingsWidget(session)
    state = by_path(widget, "findings/F1/state")
    assert state.control.value == "passed"
    by_path(widget, "findings/F1/reviewer").save("")
    assert "复查结论须有复查方式、复查日期和复查人" in by_path(widget, "findings/F1/reviewed_on"
                                                        ).message.value
    state.control.value = "failed"
    assert reopen(store, session).get("findings/F1/state") == "failed"


def test_a_notice_is_issued_served_and_printed_from_the_report(store, demo):
    from dataclasses import replace

    from kit.widgets.report import NoticePanel, ReportWidget

    iid = Door(store, Identity("张明")).create(replace(demo, id="n1", stage="reporting", notices={}))
    session = Session(Door(store, Identity("张明")), iid)
    report = ReportWidget(session)
    panel = next(c for c in report.children if isinstance(c, NoticePanel)
                 and c.kind == "rectification")
    assert "尚未出具" in panel.status.value
    served = by_path(panel, "notices/rectification/served_on")
    served.save("2026-11-20")  # before it is issued: said beside its number
    assert "没有文号" in panel.status.value
    panel.issue()
    number = reopen(store, session).inspection.notices["rectification"].number
    assert number == "京药监械整改〔2026〕001号"
    assert number in panel.status.value
    assert "没有文号" not in panel.status.value
    by_path(panel, "notices/rectification/refused").save(True)
    by_path(panel, "notices/rectification/witnesses").save(["M1"])
    assert "2名以上检查人员" in by_path(panel, "notices/rectification/witnesses").message.value
    panel.print_notice(".xlsx")
    assert "kit-download" in panel.message.value
    assert "整改通知书-n1.xlsx" in panel.message.value
    gap = replace(demo, id="n2", stage="on_site", notices={})
    early = NoticePanel(Session(Door(store, Identity("张明")), Door(store, Identity("张明")).create(gap)), "result")
    early.issue()
    assert "未出具" in early.message.value
    assert "notices.too_early" in early.message.value or "现场检查结束" in early.message.value


def test_a_finding_keeps_its_photos_and_files(store, demo):
    import io

    from PIL import Image

    from kit.widgets._evidence import EvidenceBox

    iid = import_json(Door(store, Identity("张明")), DEMO)
    session = Session(Door(store, Identity("张明")), iid)
    widget = FindingsWidget(session)
    boxes = [c for entry in widget.findings.entries.children for c in entry.children
             if isinstance(c, EvidenceBox)]
    assert [b.target for b in boxes] == ["findings/F1", "findings/F2", "findings/F3",
                                         "findings/F4"]
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(buf, "JPEG")
    boxes[2]._message(boxes[2], {"kind": "attach", "name": "整改后.jpg"}, [buf.getvalue()])
    assert [k["name"] for k in boxes[2].kept] == ["整改后.jpg"]
    assert boxes[2].kept[0]["thumb"].startswith("data:image/jpeg;base64,")
    boxes[2]._message(boxes[2], {"kind": "attach", "name": "x.gif"}, [b"GIF89a0000"])
    assert "只接受" in boxes[2].message
    kept = reopen(store, session).inspection.attachments
    assert [a.target for a in kept.values() if a.name == "整改后.jpg"] == ["findings/F3"]


@pytest.mark.slow
def test_an_issued_notice_is_signed_frozen_and_its_later_changes_shown(
        store, demo, tmp_path, monkeypatch):
    """The office's key pair here (kit serve): issuing from the app keeps the signed PDF; the
    PDF printed later is those bytes whatever changed since, and the panel says what did."""
    from kit.interchange import issued_pdf
    from kit.proof import init_keys, trusted_certificates, verify_pdf
    from kit.widgets.report import NoticePanel

    leader = demo.team[next(k for k, m in demo.team.items() if m.role == "leader")]
    authority = demo.company.authority
    signer = init_keys(tmp_path / "keys", authority=authority)
    monkeypatch.setenv("KIT_KEYS_DIR", str(tmp_path / "keys"))
    door = Door(store, Identity(leader.user or leader.name))
    iid = import_json(door, DEMO)  # its notices issued by an earlier kit, no PDF kept
    panel = NoticePanel(Session(door, iid), "rectification")
    number = demo.notices["rectification"].number
    panel.issue()  # frozen now, under the number it had
    assert panel.session.inspection.notices["rectification"].number == number
    frozen = issued_pdf(door, iid, "rectification")
    assert frozen is not None
    verdict = verify_pdf(frozen, [signer.certificate])
    assert (verdict.intact, verdict.trusted) == (True, True), verdict.reasons
    assert verify_pdf(frozen, trusted_certificates()).intact
    assert panel.changes.value == ""  # nothing changed since
    finding = next(iter(panel.session.inspection.findings))
    panel.session.set(f"findings/{finding}/description", "出具后改写的问题描述")
    panel.show()
    assert "出具后改写的问题描述" in panel.changes.value
    panel.print_notice(".pdf")
    assert "下载已出具的文书" in panel.message.value
    assert base64.b64encode(frozen).decode()[:200] in panel.message.value
    # the workbook the report downloads is signed: the company checks it with no secret
    from kit.interchange import verify_file
    from kit.widgets.report import workbook_bytes

    out = tmp_path / "signed.xlsx"
    out.write_bytes(workbook_bytes(panel.session))
    verdict, _report = verify_file(out, [signer.certificate])
    assert (verdict.intact, verdict.trusted, verdict.exit_code) == (True, True, 0)


def test_an_inability_to_inspect_is_recorded_in_the_report(store, demo):
    """六、8: recorded in its panel with what happened and the inspectors who noted it (the
    team's inspectors to choose from, never an expert); its problems show beside it."""
    from dataclasses import replace

    from kit.widgets.report import InabilityPanel, ReportWidget

    iid = Door(store, Identity("张明")).create(replace(demo, id="u1", stage="on_site"))
    session = Session(Door(store, Identity("张明")), iid)
    report = ReportWidget(session)
    panel = next(c for c in report.children if isinstance(c, InabilityPanel))
    noted = by_path(panel, "inability/noted_by")
    assert [key for _label, key in noted.spec.options] == ["M1", "M2"]  # E1 is an expert
    by_path(panel, "inability/recorded").save(True)
    by_path(panel, "inability/reason").save("企业以设备检修为由拒绝检查人员进入洁净车间")
    noted.save(["M1"])
    assert "2名以上" in panel.children[-1].value
    noted.save(["M1", "M2"])
    kept = reopen(store, session).inspection.inability
    assert kept.recorded
    assert kept.noted_by == ("M1", "M2")
    assert "企业以设备检修" in kept.reason
    assert "2名以上" not in panel.children[-1].value
