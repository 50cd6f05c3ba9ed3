"""A concluded review is never overwritten, and a 延伸检查 names a principal that exists: the
door keeps these promises whichever way a write comes (its API, a session's save)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kit.door import DELETE, Door, FieldConflictError, Identity
from kit.errors import ValidationError
from kit.record import Company, Finding, Member, new_inspection
from kit.session import Session
from kit.store import Store

FAILED = Finding(item="7.8.c1", description="工艺验证缺少记录", requirement="补做工艺验证",
                 deadline=date(2027, 1, 20), state="failed", submitted_on=date(2027, 1, 5),
                 evidence="验证方案", review_mode="written", reviewed_on=date(2027, 1, 8),
                 reviewer="王芳")


@pytest.fixture
def door(any_store_url: str):
    with Store(any_store_url) as store:
        yield Door(store, Identity("张明"))


def stored(door: Door, **findings: Finding) -> str:
    return door.create(replace(new_inspection(company=Company(name="北京甲公司")),
                               findings=findings))


def test_a_new_submission_after_a_failed_review_keeps_that_review_as_a_round(door):
    iid = stored(door, F1=FAILED)
    door.save(door.open(iid), {"findings/F1/state": "submitted",
                               "findings/F1/submitted_on": "2027-01-12",
                               "findings/F1/evidence": "补充的验证报告"})
    f = door.inspection(iid).findings["F1"]
    assert f.state == "submitted"
    assert f.submitted_on == date(2027, 1, 12)
    assert (f.review_mode, f.reviewed_on, f.reviewer) == ("", None, "")  # waits for its review
    r1 = f.reviews["R1"]
    assert (r1.result, r1.mode, r1.reviewed_on, r1.reviewer, r1.submitted_on, r1.evidence) == (
        "failed", "written", date(2027, 1, 8), "王芳", date(2027, 1, 5), "验证方案")
    door.save(door.open(iid), {"findings/F1/state": "failed", "findings/F1/review_mode": "on_site",
                               "findings/F1/reviewed_on": "2027-01-15",
                               "findings/F1/reviewer": "李华"})
    door.save(door.open(iid), {"findings/F1/state": "passed",
                               "findings/F1/reviewed_on": "2027-01-22"})
    f = door.inspection(iid).findings["F1"]
    assert [r.reviewed_on for r in f.reviews.values()] == [date(2027, 1, 8), date(2027, 1, 15)]
    assert f.state == "passed"
    assert f.reviewed_on == date(2027, 1, 22)
    # the trail says who kept each round, in the same change as the overwrite
    kept = list(door.audit(iid, "findings/F1/reviews/R2/result"))
    assert kept
    assert kept[-1].user == "张明"


def test_correcting_a_reviewer_s_name_is_not_a_new_round(door):
    iid = stored(door, F1=FAILED)
    door.save(door.open(iid), {"findings/F1/reviewer": "王芳（科员）"})
    assert door.inspection(iid).findings["F1"].reviews == {}


@pytest.mark.parametrize("change", [
    {"findings/F1/reviews/R1/result": "passed"},
    {"findings/F1/reviews/R1/reviewer": "别人"},
    {"findings/F1/reviews/R1": DELETE},
    {"findings/F1/reviews": DELETE},
    {"findings/F1": DELETE},
    {"findings/F1": {"item": "7.8.c1", "description": "重写", "state": "open"}},
])
def test_a_kept_round_cannot_be_changed_or_removed(door, change):
    iid = stored(door, F1=FAILED)
    door.save(door.open(iid), {"findings/F1/state": "submitted"})
    before = door.inspection(iid)
    with pytest.raises(ValidationError) as info:
        door.save(door.open(iid), change)
    assert info.value.problems[0].code == "review.round_frozen"
    assert door.inspection(iid) == before  # nothing written


def test_a_caller_that_keeps_the_round_itself_keeps_it_once(door):
    iid = stored(door, F1=FAILED)
    door.save(door.open(iid), {
        "findings/F1/reviews/R1": {"submitted_on": "2027-01-05", "evidence": "验证方案",
                                   "mode": "written", "reviewed_on": "2027-01-08",
                                   "reviewer": "王芳", "result": "failed", "note": "退回"},
        "findings/F1/state": "submitted"})
    f = door.inspection(iid).findings["F1"]
    assert list(f.reviews) == ["R1"]
    assert f.reviews["R1"].note == "退回"


def test_a_tab_that_read_before_a_colleague_concluded_a_review_cannot_overwrite_it(door):
    submitted = replace(FAILED, state="submitted", review_mode="", reviewed_on=None, reviewer="")
    iid = stored(door, F1=submitted)
    old_tab = door.open(iid)
    colleague = door.as_(Identity("李华"))
    colleague.save(colleague.open(iid), {"findings/F1/state": "failed",
                                         "findings/F1/review_mode": "written",
                                         "findings/F1/reviewed_on": "2027-01-09",
                                         "findings/F1/reviewer": "李华"})
    with pytest.raises((FieldConflictError, ValidationError)):
        door.save(old_tab, {"findings/F1/state": "passed", "findings/F1/reviewed_on": "2027-01-10"})
    assert door.inspection(iid).findings["F1"].reviewed_on == date(2027, 1, 9)


def test_the_app_s_save_keeps_the_round_too(door):
    iid = stored(door, F1=FAILED)
    session = Session(door, iid)
    session.set_many({"findings/F1/state": "submitted"})
    assert door.inspection(iid).findings["F1"].reviews["R1"].result == "failed"
    assert session.inspection.findings["F1"].reviews["R1"].result == "failed"  # the tab sees it


# -- 延伸检查 ------------------------------------------------------------------------------
def _extension(door: Door, **kw: object) -> str:
    ext = new_inspection(company=Company(name="北京某灭菌服务有限公司", role="service_provider"),
                         type="extended")
    return door.create(replace(ext, **kw))


def test_an_extension_names_a_stored_principal_and_each_finds_the_other(door):
    principal = stored(door)
    ext = _extension(door)
    for bad, code in (("no-such-inspection", "extended.unknown_principal"),
                      (ext, "extended.self")):
        with pytest.raises(ValidationError) as info:
            door.save(door.open(ext), {"scope/principal": bad})
        assert info.value.problems[0].code == code
    door.save(door.open(ext), {"scope/principal": principal})
    assert door.inspection(ext).scope.principal == principal
    assert door.extensions_of(principal) == [ext]
    assert door.extensions_of(ext) == []


def test_a_person_sees_only_the_extensions_they_may_read(any_store_url):
    with Store(any_store_url) as store:
        admin = Door(store, Identity("admin"))
        team_a = {"M1": Member("张明", "leader", user="zhangming"), "M2": Member("李华", user="lihua")}
        team_b = {"M1": Member("赵磊", "leader", user="zhao"), "M2": Member("孙悦", user="sun")}
        principal = admin.create(replace(new_inspection(company=Company(name="甲")), team=team_a))
        ours = _extension(admin, team=team_a)
        theirs = _extension(admin, team=team_b)
        for iid in (ours, theirs):
            admin.save(admin.open(iid), {"scope/principal": principal})
        zhang = Door(store, Identity("zhangming", hub=True))
        assert zhang.extensions_of(principal) == [ours]
        assert sorted(admin.extensions_of(principal)) == sorted([ours, theirs])


def test_roles_of_an_extension_are_refused_with_an_unknown_value(door):
    iid = stored(door)
    with pytest.raises(ValidationError):
        door.save(door.open(iid), {"company/role": "steriliser"})
    door.save(door.open(iid), {"company/role": "supplier"})
    assert door.inspection(iid).company.role == "supplier"

