"""Issue 25 on the tablet, without a browser: each finding's outcome fields of its own handling,
the grade and the verdict under the office's scheme, the kept review rounds, the extensions,
十、2's notification, the duties across authorities and 延伸检查 linked both ways. Every value
goes in through the app's own fields and save path, and is read back from the store."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from kit.dates import beijing_now
from kit.door import Door, Identity
from kit.record import Member, new_inspection
from kit.session import Session
from kit.store import Store
from kit.widgets import InspectorApp, fields_of

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(data_dir=tmp_path / "data")


@pytest.fixture
def nmpa2015(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The office's templates with the NMPA 2015 grading scheme chosen."""
    folder = tmp_path / "templates"
    shutil.copytree(REPO / "templates", folder)
    grading = folder / "grading.yaml"
    data = yaml.safe_load(grading.read_text(encoding="utf-8"))
    data["scheme"] = "nmpa2015"
    grading.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(folder))
    return folder


def stored(store: Store, **changes: object) -> str:
    """A stored inspection with a leader and an inspector, and ``changes`` saved."""
    from dataclasses import replace

    ins = replace(new_inspection(start_date=date(2026, 11, 19)),
                  team={"M1": Member("张明", "leader"), "M2": Member("李华", "inspector")})
    session = Session.create(Door(store, Identity("张明")), ins)
    if changes:
        session.set_many({k.replace("__", "/"): v for k, v in changes.items()})
    return session.id


def app_on(store: Store, iid: str, stage: str) -> InspectorApp:
    app = InspectorApp(Door(store), user="张明")
    app.open_inspection(iid, stage=stage)
    return app


def widgets_of(widget) -> list:
    """Every widget inside ``widget``, itself included."""
    out, stack = [], [widget]
    while stack:
        w = stack.pop()
        out.append(w)
        stack.extend(getattr(w, "children", ()))
    return out


def bound(widget, path: str):
    return next(f for f in fields_of(widget) if f.spec.path == path)


def paths(widget) -> set[str]:
    return {f.spec.path for f in fields_of(widget)}


def shown(widget) -> bool:
    return widget.layout.display != "none"


def visible_paths(widget) -> set[str]:
    """The bound fields a person sees: none inside a hidden box."""
    out: set[str] = set()
    stack = [widget]
    while stack:
        w = stack.pop()
        if not shown(w):
            continue
        if hasattr(w, "spec"):
            out.add(w.spec.path)
        stack.extend(getattr(w, "children", ()))
    return out


FINDING = {"item": "7.1.c1", "description": "问题", "handling": "correct_on_site"}


def test_the_now_button_names_its_field_and_follows_who_may_change_it(store):
    """The page fills the field the button names (kn:<path>, static/guard.js; tapped in
    Chromium in test_outcomes_tablet.py); it is off once the record may not be changed."""
    iid = stored(store, findings__F1=FINDING)
    app = app_on(store, iid, "findings")
    widget = app.stage("findings")
    now = next(w for w in widgets_of(widget) if "kit-now" in w._dom_classes)
    assert "kn:findings/F1/corrected_at" in now._dom_classes
    assert "kp:findings/F1/corrected_at" in bound(widget, "findings/F1/corrected_at").control._dom_classes
    assert not now.disabled


def test_each_handling_shows_its_own_outcome_fields_and_they_reach_the_store(store):
    iid = stored(store, findings__F1=FINDING)
    app = app_on(store, iid, "findings")
    widget = app.stage("findings")
    seen = visible_paths(widget)
    assert {"findings/F1/corrected_by", "findings/F1/corrected_at"} <= seen
    assert not seen & {"findings/F1/warning_text", "findings/F1/case_number",
                       "findings/F1/deadline", "findings/F1/state", "findings/F1/grade"}
    who = bound(widget, "findings/F1/corrected_by")
    assert dict(who.control.options)["李华"] == "M2"  # a team member, by name
    who.control.value = "M2"
    bound(widget, "findings/F1/corrected_at").control.value = "2026-11-19 10:40"

    bound(widget, "findings/F1/handling").control.value = "suspend_and_warn"
    seen = visible_paths(widget)
    assert {"findings/F1/warning_on", "findings/F1/warning_channel",
            "findings/F1/warning_text"} <= seen
    assert "findings/F1/case_number" not in seen
    # production suspended resumes after a review: the round under way is shown
    assert "findings/F1/review_mode" in seen
    bound(widget, "findings/F1/warning_on").control.value = "2026年11月20日"
    bound(widget, "findings/F1/warning_channel").control.value = "北京市药监局网站"
    bound(widget, "findings/F1/warning_text").save("暂停销售批号S2608-03注射器")

    bound(widget, "findings/F1/handling").control.value = "file_case"
    seen = visible_paths(widget)
    assert {"findings/F1/case_number", "findings/F1/transferred_to",
            "findings/F1/transferred_on", "findings/F1/handed_over"} <= seen
    bound(widget, "findings/F1/case_number").save("京药监械立〔2026〕12号")
    bound(widget, "findings/F1/transferred_to").save("市公安局")
    bound(widget, "findings/F1/transferred_on").control.value = "2026-11-21"
    bound(widget, "findings/F1/handed_over").save("检查记录、照片 12 张")

    f = store.load(iid).doc["findings"]["F1"]
    assert (f["corrected_by"], f["corrected_at"]) == ("M2", "2026-11-19T10:40:00")
    assert (f["warning_on"], f["warning_channel"], f["warning_text"]) == (
        "2026-11-20", "北京市药监局网站", "暂停销售批号S2608-03注射器")
    assert (f["case_number"], f["transferred_to"], f["transferred_on"], f["handed_over"]) == (
        "京药监械立〔2026〕12号", "市公安局", "2026-11-21", "检查记录、照片 12 张")
    assert store.audit(iid, "findings/F1/warning_channel")[-1].user == "张明"


def test_a_deadline_kind_shows_the_deadline_in_force_and_takes_an_extension(store):
    iid = stored(store, findings__F1={**FINDING, "handling": "rectify_by_deadline",
                                           "requirement": "整改", "deadline": "2026-12-11"})
    widget = app_on(store, iid, "findings").stage("findings")
    outcome = widget._outcomes["F1"]
    assert "2026-12-11" in outcome.due.value
    assert "findings/F1/corrected_by" not in visible_paths(widget)
    extensions = next(w for w in _walk(outcome) if getattr(w, "base", "") ==
                      "findings/F1/extensions")
    key = extensions.add_entry()
    assert key == "E1"
    base = "findings/F1/extensions/E1"
    bound(widget, f"{base}/new_deadline").control.value = "2026-12-18"
    bound(widget, f"{base}/reason").save("数据库年度维护")
    bound(widget, f"{base}/approved_by").save("王建国（科长）")
    bound(widget, f"{base}/approved_on").control.value = "2026-11-22"
    e1 = store.load(iid).doc["findings"]["F1"]["extensions"]["E1"]
    assert e1 == {"new_deadline": "2026-12-18", "reason": "数据库年度维护",
                  "approved_by": "王建国（科长）", "approved_on": "2026-11-22"}
    assert "2026-12-18" in outcome.due.value
    assert "E1" in outcome.due.value


def _walk(widget):
    stack = [widget]
    while stack:
        w = stack.pop()
        yield w
        stack.extend(getattr(w, "children", ()))


def test_a_kept_round_is_listed_above_the_round_under_way(store):
    iid = stored(store, findings__F1={
        **FINDING, "handling": "rectify_by_deadline", "requirement": "整改",
        "deadline": "2026-12-11", "state": "failed", "submitted_on": "2026-11-21",
        "review_mode": "written", "reviewed_on": "2026-11-22", "reviewer": "张明"})
    widget = app_on(store, iid, "findings").stage("findings")
    outcome = widget._outcomes["F1"]
    assert outcome.rounds.value == ""  # nothing kept yet
    assert "第 1 轮" in outcome.round_title.value
    # the company submits again: the door keeps the failed review as round R1
    bound(widget, "findings/F1/state").control.value = "submitted"
    kept = store.load(iid).doc["findings"]["F1"]["reviews"]["R1"]
    assert (kept["result"], kept["reviewed_on"], kept["reviewer"]) == (
        "failed", "2026-11-22", "张明")
    for text in ("R1", "2026-11-21", "书面审查", "2026-11-22", "张明", "不合格"):
        assert text in outcome.rounds.value
    assert "第 2 轮" in outcome.round_title.value
    # the fields of the new round show what the record holds: its review is still to come
    assert bound(widget, "findings/F1/reviewed_on").control.value == ""
    assert bound(widget, "findings/F1/reviewer").control.value == ""
    children = outcome.groups["round"].children
    assert children.index(outcome.rounds) < children.index(
        bound(widget, "findings/F1/state"))  # the kept rounds above the round under way


def test_under_none_nothing_is_graded_and_no_verdict_is_asked(store):
    iid = stored(store, findings__F1=FINDING)
    app = app_on(store, iid, "findings")
    assert not shown(app.stage("findings")._outcomes["F1"].groups["grade"])
    assert not shown(app.stage("report").verdict)


def test_a_grade_and_verdict_held_under_none_are_shown_not_hidden(store):
    """An office that went back to ``none`` still sees what the record holds, said as such."""
    iid = stored(store, findings__F1=FINDING)
    raw = store.load(iid).doc
    raw["findings"]["F1"]["grade"] = "key"
    raw.setdefault("opinion", {})["verdict"] = "fail"  # a store keeps no default leaf
    odd = store.create(raw, user="管理员")  # straight into the store, as a repair would
    app = app_on(store, odd, "findings")
    outcome = app.stage("findings")._outcomes["F1"]
    assert shown(outcome.groups["grade"])
    assert bound(outcome, "findings/F1/grade").control.value == "key"
    panel = app.stage("report").verdict
    assert shown(panel)
    assert "⚠ 未知 unknown：fail" in panel.current.value


def test_the_verdict_is_proposed_from_the_grades_and_confirmed_or_changed_with_a_reason(
        store, nmpa2015):
    iid = stored(store, findings__F1=FINDING, findings__F2={**FINDING, "item": "7.1.c2"})
    app = app_on(store, iid, "findings")
    findings = app.stage("findings")
    grade = bound(findings, "findings/F1/grade")
    assert shown(findings._outcomes["F1"].groups["grade"])
    assert dict(grade.control.options)["关键项（*）不符合 a key item (*) not met"] == "key"
    grade.control.value = "general"
    panel = app.stage("report").verdict
    assert shown(panel)
    assert "F2" in panel.proposal.value  # one finding still ungraded: nothing proposed yet
    assert not shown(panel.confirm_button)
    bound(findings, "findings/F2/grade").control.value = "general"
    assert "整改后复查" in panel.proposal.value  # live, from the grades
    before = beijing_now()
    panel.confirm_button.click()
    op = store.load(iid).doc["opinion"]
    assert (op["verdict"], op["scheme"], op["verdict_by"], op["verdict_reason"]) == (
        "recheck", "nmpa2015", "张明", "")
    at = datetime.fromisoformat(op["verdict_at"])
    assert before - timedelta(seconds=1) <= at <= beijing_now()  # Beijing time, now
    assert "整改后复查" in panel.current.value
    assert "张明" in panel.current.value
    assert not shown(panel.confirm_button)  # nothing left to confirm

    panel.choose_button.click()  # nothing chosen: nothing given
    assert "请先选择" in panel.message.value
    panel.other.value = "fail"
    panel.choose_button.click()  # another verdict without a reason: refused, said
    assert "理由" in panel.message.value
    assert store.load(iid).doc["opinion"]["verdict"] == "recheck"
    panel.reason.value = "F1 直接影响无菌屏障"
    panel.choose_button.click()
    op = store.load(iid).doc["opinion"]
    assert (op["verdict"], op["verdict_reason"]) == ("fail", "F1 直接影响无菌屏障")
    assert "F1 直接影响无菌屏障" in panel.current.value
    assert shown(panel.confirm_button)  # the proposal can still be taken instead
    panel.other.value, panel.reason.value = "pass", "写了一半"
    panel.confirm_button.click()  # the proposal taken: the other choice begun is let go
    assert store.load(iid).doc["opinion"]["verdict"] == "recheck"
    assert (panel.other.value, panel.reason.value) == ("", "")

    bound(findings, "findings/F1/grade").control.value = "key"
    assert "未通过检查" in panel.proposal.value  # the proposal follows a grade changed


def test_the_review_unit_told_shows_once_the_measure_is_chosen(store):
    iid = stored(store, findings__F1={**FINDING, "affects_past_products": True})
    widget = app_on(store, iid, "findings").stage("findings")
    panel = next(w for w in _walk(widget) if "kit-review-unit" in w._dom_classes)
    assert not shown(panel)
    bound(widget, "past_products/measures").control.value = ("notify_review_unit",)
    assert shown(panel)
    bound(widget, "past_products/notified_unit").save("北京市医疗器械审评检查中心")
    bound(widget, "past_products/notified_by").save("张明")
    bound(widget, "past_products/notified_on").control.value = "2026-11-21"
    past = store.load(iid).doc["past_products"]
    assert (past["notified_unit"], past["notified_by"], past["notified_on"]) == (
        "北京市医疗器械审评检查中心", "张明", "2026-11-21")


def test_the_duties_across_authorities_where_the_guide_puts_them(store):
    iid = stored(store)
    app = app_on(store, iid, "preparation")
    scope = app.stage("preparation").build(2)
    assert "cross_region/communicated_with" not in visible_paths(scope)
    bound(scope, "scope/cooperation").control.value = "joint"
    assert {"cross_region/communicated_with", "cross_region/communicated_by",
            "cross_region/communicated_on"} <= visible_paths(scope)
    bound(scope, "cross_region/communicated_with").save("河北省药品监督管理局")
    bound(scope, "cross_region/communicated_by").save("张明")
    bound(scope, "cross_region/communicated_on").control.value = "2026-11-12"
    report = app.stage("report")
    seen = visible_paths(report)
    assert "cross_region/report_to_both_on" in seen  # a joint inspection
    assert "cross_region/outside_authority" not in seen
    bound(report, "cross_region/report_to_both_on").control.value = "2026-11-25"
    bound(report, "cross_region/notify_outside").control.value = True
    assert "cross_region/outside_authority" in visible_paths(report)
    bound(report, "cross_region/outside_authority").save("天津市药品监督管理局")
    bound(report, "cross_region/advance_report_on").control.value = "2026-11-26"
    bound(report, "cross_region/notified_outside_on").control.value = "2026-11-27"
    cr = store.load(iid).doc["cross_region"]
    assert cr == {"communicated_with": "河北省药品监督管理局", "communicated_by": "张明",
                  "communicated_on": "2026-11-12", "report_to_both_on": "2026-11-25",
                  "notify_outside": True, "outside_authority": "天津市药品监督管理局",
                  "advance_report_on": "2026-11-26", "notified_outside_on": "2026-11-27"}


def test_an_extension_and_its_principal_open_each_other(store):
    principal = stored(store)
    app = app_on(store, principal, "preparation")
    scope = app.stage("preparation").show_scope()
    assert "scope/principal" not in visible_paths(scope)  # not an extended inspection
    company = app.stage("preparation").build(0)
    roles = {v for _l, v in bound(company, "company/role").control.options}
    assert not roles & {"supplier", "service_provider"}

    extension = stored(store)
    app.open_inspection(extension, stage="preparation")
    prep = app.stage("preparation")
    scope = prep.show_scope()
    bound(scope, "scope/type").control.value = "extended"
    assert "scope/principal" in visible_paths(scope)
    bound(scope, "scope/principal").save(principal)
    company = prep.build(0)
    role = bound(company, "company/role")
    offered = dict(role.control.options)
    assert {"supplier", "service_provider"} <= set(offered.values())
    # what the record still holds is shown as not fitting, until another role is chosen
    assert offered["注册人（与检查方式不符 does not fit the type）"] == "registrant"
    assert len(offered) == 3
    role.control.value = "supplier"
    assert {v for _l, v in role.control.options} == {"supplier", "service_provider"}
    got = store.load(extension).doc
    assert (got["scope"]["principal"], got["company"]["role"]) == (principal, "supplier")

    (to_principal,) = [w for w in _walk(scope) if "kit-open-linked" in w._dom_classes]
    assert principal in to_principal.description
    to_principal.click()
    assert app.session is not None
    assert app.session.id == principal
    scope = app.stage("preparation").build(2)
    (to_extension,) = [w for w in _walk(scope) if "kit-open-linked" in w._dom_classes]
    assert extension in to_extension.description
    to_extension.click()
    assert app.session.id == extension


def test_the_inspector_sees_what_the_company_submitted_with_its_files(store):
    """六、9: the company's submission (online, here through the door as the portal does) is
    shown on 问题处理 above the review it waits for, its report and a link to each file with
    the file's own bytes."""
    import base64
    import re

    from kit.door import COMPANIES
    from kit.register import RegisteredCompany

    code = "91110000100000000R"
    iid = stored(store, company__credit_code=code, findings__F1={
        **FINDING, "handling": "rectify_by_deadline", "requirement": "整改",
        "deadline": "2026-12-11"})
    door = Door(store, Identity("张明"))
    door.import_companies([RegisteredCompany(code, "甲公司", "海淀区", False)])
    door.bind_account(code, "jia")
    door.save(door.open(iid), {"notices/rectification/number": "N1",
                               "notices/rectification/served_on": "2026-11-20"})
    pdf = b"%PDF-1.4\n%rectification report\n"
    door.as_(Identity("jia", frozenset({COMPANIES}), hub=True)).submit_rectification(
        iid, "F1", "已修订程序\n并完成培训", [("整改报告.pdf", pdf)])
    widget = app_on(store, iid, "findings").stage("findings")
    shown_html = widget._outcomes["F1"].submissions.value
    for text in ("S1", "jia", "企业在线提交", "已修订程序<br>并完成培训", "整改报告.pdf"):
        assert text in shown_html
    (payload,) = re.findall(r'href="data:application/pdf;base64,([^"]+)"', shown_html)
    assert base64.b64decode(payload) == pdf


def test_the_company_s_and_each_inspector_s_e_mail_are_entered_in_the_app(store):
    """Where the reminders of deadlines go (kit remind): the company's contact and each member
    of the team, typed in 检查前准备 and kept in the store."""
    iid = stored(store)
    widget = app_on(store, iid, "preparation").stage("preparation")
    for index in range(len(widget.PANELS)):
        widget.build(index)
    bound(widget, "company/email").control.value = "qa@jia.example.cn"
    bound(widget, "team/M2/email").control.value = "lihua@mpa.example.cn"
    widget.session.flush_pending()
    doc = store.load(iid).doc
    assert doc["company"]["email"] == "qa@jia.example.cn"
    assert doc["team"]["M2"]["email"] == "lihua@mpa.example.cn"
