"""A company's person passes only the company's part of the door: every other public method
and property of :class:`kit.door.Door`, today's and any added later, refuses them before it
reads or writes anything."""

from __future__ import annotations

import inspect
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from kit.door import COMPANIES, AccessError, Door, Identity
from kit.identifiers import make_credit_code
from kit.record import Company, Finding, Notice, new_inspection
from kit.register import RegisteredCompany

JIA = "91110000100000000R"
#: what a company's person may call: their company's part (each gives their own company only)
COMPANY_METHODS = frozenset({"account_company", "company_view", "company_notice",
                             "company_file", "submit_rectification"})
#: what reads and writes no stored data: who is acting, the calendar, another person on the
#: same store, closing it, where the store is (its address, password hidden: what a command
#: run by a company's person says it works on); ``connect`` makes a door (it acts as nobody)
PLUMBING = frozenset({"as_", "close", "user", "calendar", "where", "connect"})


def company(user: str) -> Identity:
    return Identity(user, frozenset({COMPANIES}), hub=True)


@pytest.fixture
def door(any_store_url: str):
    """A store with a company of the register, its account ``jia``, and an inspection of it
    with a served notice and a finding to rectify."""
    door = Door.connect(any_store_url, identity=Identity("张明"))
    door.import_companies([RegisteredCompany(JIA, "甲医疗器械公司", "海淀区", False)])
    door.bind_account(JIA, "jia")
    door.create(replace(
        new_inspection(), id="I1", stage="follow_up",
        company=Company(name="甲医疗器械公司", credit_code=JIA),
        findings={"F1": Finding(item="7.8.c1", requirement="补全批记录",
                                deadline=date(2026, 3, 20))},
        notices={"rectification": Notice(number="京整〔2026〕1号", served_on=date(2026, 3, 2))}))
    yield door
    door.close()


def _arguments(method: Any, door: Door) -> list[Any]:
    """Plausible values for ``method``'s required positional parameters: were the refusal
    missing, the call would go on (and read or write the store)."""
    record = door.open("I1")
    plausible = {"inspection_id": "I1", "record": record, "changes": {"company/name": "改"},
                 "credit_code": JIA, "user": "jia", "sha256": "0" * 64, "data": b"x",
                 "mime": "text/plain", "inspection": new_inspection(),
                 "inspections": [new_inspection()], "companies": [], "line_id": "2027-001",
                 "year": 2027, "lines": [], "exercise": "E1", "role": "kit_app",
                 "signer": None, "blobs": {}, "current": door.inspection("I1"), "stage": "closed",
                 "profile_id": "", "ins": door.inspection("I1"), "finding": "F1",
                 "deadline": date(2026, 3, 20), "kind": "before", "base": "findings"}
    out = []
    for p in inspect.signature(method).parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            out.append(plausible.get(p.name))
    return out


def _call(door: Door, jia: Door, name: str) -> None:
    """Call ``jia``'s ``name`` as a program would (a property read, a method with plausible
    arguments, an iterator's first item read)."""
    if isinstance(inspect.getattr_static(Door, name), property):
        getattr(jia, name)
        return
    method = getattr(jia, name)
    kwargs = {"sent_on": date(2026, 3, 17), "recipients": [],
              "send": lambda: None} if name == "remind_once" else {}
    result = method(*_arguments(method, door), **kwargs)
    if hasattr(result, "__next__"):
        next(result, None)


def test_every_public_door_method_but_the_company_s_refuses_a_company_person(door):
    public = {name for name in dir(Door) if not name.startswith("_")}
    assert public >= COMPANY_METHODS | PLUMBING  # the lists name what is there
    jia = door.as_(company("jia"))
    heads = door.head_of("I1"), len(door.company_trail())
    refused = []
    for name in sorted(public - COMPANY_METHODS - PLUMBING):
        with pytest.raises(AccessError, match="企业账号"):
            _call(door, jia, name)
        refused.append(name)
    assert len(refused) >= 40  # every one of them, read from the class, not from a list
    assert (door.head_of("I1"), len(door.company_trail())) == heads  # nothing written


def test_the_company_s_part_and_the_plumbing_serve_them(door):
    jia = door.as_(company("jia"))
    assert jia.user == "jia"
    assert jia.account_company().credit_code == JIA
    assert [f.key for f in jia.company_view(today=date(2026, 3, 9)).inspections[0].findings] \
        == ["F1"]
    assert jia.submit_rectification("I1", "F1", "已补全批记录", []) == "S1"
    assert jia.calendar() is not None
    assert door.as_(Identity("张明")).inspection("I1").findings["F1"].state == "submitted"


def test_a_company_s_door_becomes_nobody_else_and_asks_of_no_other_account(door):
    """Their part of the door is their own: no other account's company, no other person's
    door (nor nobody's, which on one machine reads everything)."""
    yi_code = make_credit_code("91110000MA01AB2C3")
    door.import_companies([RegisteredCompany(yi_code, "乙公司", "昌平区", False)])
    door.bind_account(yi_code, "yi")
    assert door.account_company("yi").credit_code == yi_code  # the office may ask
    jia = door.as_(company("jia"))
    for other in (Identity("张明"), None, company("yi")):
        with pytest.raises(AccessError, match="企业账号"):
            jia.as_(other)
    with pytest.raises(AccessError, match="本账号"):
        jia.account_company("yi")
    assert jia.as_(company("jia")).account_company().credit_code == JIA


def test_a_method_added_later_refuses_them_without_a_word_of_its_own(door):
    class Later(Door):
        def peek(self, inspection_id: str) -> str:
            return str(self._store.load(inspection_id).doc["company"]["name"])

        @property
        def everything(self) -> int:
            return len(self._store.companies())

    later = Later(door._store, company("jia"))
    with pytest.raises(AccessError, match="企业账号"):
        later.peek("I1")
    with pytest.raises(AccessError, match="企业账号"):
        _ = later.everything
    office = Later(door._store, Identity("张明"))
    assert office.peek("I1") == "甲医疗器械公司"  # the office passes
    assert office.everything == 1
