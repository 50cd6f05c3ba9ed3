"""The company's way in (六、9; 十、1): a company person sees their own company's served notices and
findings to rectify, and submits; the door refuses them everything else, whichever way."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from PIL import Image

from kit.door import COMPANIES, AccessError, Door, Identity
from kit.errors import ValidationError
from kit.record import Attachment, Company, Finding, Notice, new_inspection
from kit.register import RegisteredCompany

JIA, YI = "91110000100000000R", "91110108MA01ABCDEN"
PDF = b"%PDF-1.4\n% the frozen notice\n"


def company(user: str) -> Identity:
    return Identity(user, frozenset({COMPANIES}), hub=True)


def photo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), "green").save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def office(any_store_url: str):
    """A store with two companies of the register, an account each, and an inspection of
    each with a served rectification notice (its frozen PDF kept) and findings."""
    door = Door.connect(any_store_url, identity=Identity("张明"))
    door.import_companies([RegisteredCompany(JIA, "甲医疗器械公司", "海淀区", False),
                           RegisteredCompany(YI, "乙医疗器械公司", "昌平区", False)])
    door.bind_account(JIA, "jia")
    door.bind_account(YI, "yi")
    ids = {}
    for code, name in ((JIA, "甲医疗器械公司"), (YI, "乙医疗器械公司")):
        digest = door._store.put_blob(PDF + name.encode(), "application/pdf", user="张明")
        ins = replace(
            new_inspection(), stage="follow_up",
            company=Company(name=name, credit_code=code),
            findings={
                "F1": Finding(item="7.8.c1", description=f"{name}批记录不全",
                              requirement="补全批记录", deadline=date(2026, 3, 20)),
                "F2": Finding(item="7.8.c2", description="现场已纠正", handling="correct_on_site"),
            },
            attachments={"A1": Attachment(kind="file", target="notices/rectification",
                                          name="N.pdf", mime="application/pdf",
                                          size=len(PDF), sha256=digest)},
            notices={"rectification": Notice(number=f"京整〔2026〕{len(ids) + 1}号",
                                             issued_on=date(2026, 3, 2),
                                             served_on=date(2026, 3, 2), pdf="A1")})
        ids[code] = door.create(ins)
    yield door, ids
    door.close()


def test_a_company_person_sees_only_their_company_s_findings_to_rectify(office):
    door, ids = office
    view = door.as_(company("jia")).company_view(today=date(2026, 3, 16))
    assert (view.company, view.credit_code) == ("甲医疗器械公司", JIA)
    assert [i.id for i in view.inspections] == [ids[JIA]]
    seen = view.inspections[0]
    assert [n.number for n in seen.notices] == ["京整〔2026〕1号"]
    # the finding to rectify, with its requirement and the working days left; not the one
    # corrected on site
    assert [(f.key, f.requirement, f.deadline, f.days_left) for f in seen.findings] == [
        ("F1", "补全批记录", date(2026, 3, 20), 4)]
    assert "乙" not in repr(view)


def test_an_unserved_inspection_is_not_shown(office):
    door, ids = office
    door.save(door.open(ids[JIA]), {"notices/rectification/served_on": None})
    assert door.as_(company("jia")).company_view().inspections == ()


def test_a_submission_is_kept_frozen_and_a_later_one_is_a_new_round(office):
    door, ids = office
    jia = door.as_(company("jia"))
    iid = ids[JIA]
    assert jia.submit_rectification(iid, "F1", "已补全批记录并培训",
                                    [("照片.png", photo()), ("报告.pdf", PDF)]) == "S1"
    ins = door.inspection(iid)
    f = ins.findings["F1"]
    assert f.state == "submitted"
    assert f.submitted_on is not None
    s1 = f.submissions["S1"]
    assert (s1.by, s1.channel, s1.report) == ("jia", "portal", "已补全批记录并培训")
    files = [ins.attachments[a] for a in s1.files]
    assert [(a.name, a.mime, a.target) for a in files] == [
        ("照片.png", "image/jpeg", "findings/F1/submissions/S1"),
        ("报告.pdf", "application/pdf", "findings/F1/submissions/S1")]
    # the trail holds the submission under the company person's sign-in
    assert {(e.user, e.action) for e in door.audit(iid, "findings/F1/submissions")
            if e.path != "findings/F1/submissions"} == {("jia", "submit")}
    # waiting for its review: no second submission
    with pytest.raises(ValidationError, match="等待复查"):
        jia.submit_rectification(iid, "F1", "补充", [])
    # the inspector reviews: failed; the company sees it and submits again, as a new round
    door.save(door.open(iid), {"findings/F1/state": "failed", "findings/F1/review_mode": "written",
                               "findings/F1/reviewed_on": "2026-12-08",
                               "findings/F1/reviewer": "王芳"})
    seen = jia.company_view(today=date(2026, 3, 16)).inspections[0].findings[0]
    assert [(r.result, r.reviewed_on) for r in seen.reviews] == [("不合格", date(2026, 12, 8))]
    assert seen.may_submit
    assert jia.submit_rectification(iid, "F1", "再次整改", []) == "S2"
    f = door.inspection(iid).findings["F1"]
    assert list(f.submissions) == ["S1", "S2"]
    assert f.submissions["S1"] == s1
    assert f.reviews["R1"].result == "failed"
    assert f.reviews["R1"].evidence == "S1"


@pytest.mark.parametrize("change", [
    {"findings/F1/submissions/S1/report": "改过的报告"},
    {"findings/F1/submissions/S1": None},
    {"findings/F1": None},
])
def test_nobody_changes_a_submission_made(office, change):
    door, ids = office
    iid = ids[JIA]
    door.as_(company("jia")).submit_rectification(iid, "F1", "报告", [("p.png", photo())])
    from kit.door import DELETE
    change = {k: (DELETE if v is None else v) for k, v in change.items()}
    with pytest.raises(ValidationError, match=r"rectification\.submission_frozen"):
        door.save(door.open(iid), change)
    key = door.inspection(iid).findings["F1"].submissions["S1"].files[0]
    with pytest.raises(ValidationError, match=r"rectification\.submission_frozen"):
        door.save(door.open(iid), {f"attachments/{key}/name": "换掉.png"})


def test_the_company_gets_its_notices_and_its_own_files_only(office):
    door, ids = office
    jia, yi = door.as_(company("jia")), door.as_(company("yi"))
    assert jia.company_notice(ids[JIA], "rectification") == PDF + "甲医疗器械公司".encode()
    yi.submit_rectification(ids[YI], "F1", "乙的报告", [("乙.pdf", PDF + b"yi")])
    theirs = door.inspection(ids[YI]).findings["F1"].submissions["S1"].files[0]
    digest = door.inspection(ids[YI]).attachments[theirs].sha256
    assert yi.company_file(ids[YI], digest)[1] == PDF + b"yi"
    # as an attacker: another company's inspection, notice, file; a guessed finding
    for attempt in (lambda: jia.company_notice(ids[YI], "rectification"),
                    lambda: jia.company_file(ids[YI], digest),
                    lambda: jia.company_file(ids[JIA], digest),
                    lambda: jia.company_notice(ids[JIA], "result"),
                    lambda: jia.submit_rectification(ids[YI], "F1", "x", []),
                    lambda: jia.submit_rectification(ids[JIA], "F9", "x", []),
                    lambda: jia.submit_rectification(ids[JIA], "F2", "x", []),
                    lambda: jia.company_view(credit_code=YI),
                    lambda: jia.submit_rectification("no-such-id", "F1", "x", [])):
        with pytest.raises((AccessError, ValidationError)):
            attempt()
    assert door.inspection(ids[YI]).findings["F1"].submissions["S1"].report == "乙的报告"
    assert "S1" not in door.inspection(ids[JIA]).findings["F1"].submissions


def test_a_company_person_is_refused_every_other_door(office):
    door, ids = office
    jia = door.as_(company("jia"))
    for attempt in (lambda: jia.open(ids[JIA]), lambda: jia.inspection(ids[JIA]),
                    lambda: jia.find(""), lambda: jia.list(), lambda: jia.rows(["stage"]),
                    lambda: jia.row_chunks(["stage"]), lambda: jia.listing(),
                    lambda: jia.companies(), lambda: jia.company(JIA),
                    lambda: jia.audit(ids[JIA]), lambda: jia.plan_lines(),
                    lambda: jia.evidence(ids[JIA], "0" * 64), lambda: jia.verify(ids[JIA]),
                    lambda: jia.save(door.open(ids[JIA]), {"company/name": "改名"}),
                    lambda: jia.create(new_inspection()), lambda: jia.deadlines(),
                    lambda: jia.create_many([new_inspection()]),
                    lambda: jia.notice_numbers()):
        with pytest.raises(AccessError):
            attempt()
    # even an account an office put on a team by mistake, or among its leaders
    both = door.as_(Identity("jia", frozenset({COMPANIES, "leaders"}), hub=True))
    with pytest.raises(AccessError):
        both.inspection(ids[YI])


def test_an_account_is_bound_to_one_company_and_kept_over_a_register_import(office):
    door, _ids = office
    with pytest.raises(ValidationError, match=r"company\.account_bound"):
        door.bind_account(YI, "jia")
    # the register file says what was licensed: importing it again keeps the accounts
    door.import_companies([RegisteredCompany(JIA, "甲医疗器械有限公司", "海淀区", False)])
    assert door.company(JIA).company.accounts == ("jia",)
    door.unbind_account(JIA, "jia")
    with pytest.raises(AccessError, match="未绑定企业"):
        door.as_(company("jia")).company_view()
    # binding is the office leaders' on the office server
    with pytest.raises(AccessError):
        door.as_(Identity("lisi", hub=True)).bind_account(JIA, "mallory")


def test_an_inspector_records_a_submission_that_came_by_mail(office):
    door, ids = office
    key = door.submit_rectification(ids[JIA], "F1", "邮寄的整改报告", [("扫描.pdf", PDF)])
    sub = door.inspection(ids[JIA]).findings["F1"].submissions[key]
    assert (sub.channel, sub.by) == ("mail", "张明")
    # on the office server only the team records one
    outsider = door.as_(Identity("wangwu", hub=True))
    door.save(door.open(ids[YI]), {"team/M1": {"name": "李四", "role": "leader",
                                               "user": "lisi"}})
    with pytest.raises(AccessError):
        outsider.submit_rectification(ids[YI], "F1", "x", [])


def test_bad_files_and_an_empty_submission_are_refused_naming_them(office):
    door, ids = office
    jia = door.as_(company("jia"))
    with pytest.raises(ValidationError, match=r"rectification\.empty"):
        jia.submit_rectification(ids[JIA], "F1", "  ", [])
    with pytest.raises(ValidationError, match=r"病毒\.exe"):
        jia.submit_rectification(ids[JIA], "F1", "报告", [("病毒.exe", b"MZ\x90\x00")])
    assert door.inspection(ids[JIA]).findings["F1"].submissions == {}
