"""Which company a company's account is bound to: found by key on each request of the portal
(the register is not read whole every time), and right at once when another process binds,
moves or removes the account."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kit.door import COMPANIES, AccessError, Door, Identity
from kit.errors import ValidationError
from kit.identifiers import make_credit_code
from kit.register import RegisteredCompany

OFFICE = Identity("张明")


def company(user: str) -> Identity:
    return Identity(user, frozenset({COMPANIES}), hub=True)


def code(n: int) -> str:
    return make_credit_code(f"911100001{n:08d}")


@pytest.fixture
def two_doors(any_store_url: str) -> Iterator[tuple[Door, Door]]:
    """The portal's door and the office's, each on its own connection to one store (two
    processes), a register of 60 companies, ``jia`` bound to the first."""
    office = Door.connect(any_store_url, identity=OFFICE)
    office.import_companies([RegisteredCompany(code(n), f"企业{n}", "海淀区", False)
                             for n in range(60)])
    office.bind_account(code(0), "jia")
    portal = Door.connect(any_store_url)
    yield portal, office
    portal.close()
    office.close()


def _counting(monkeypatch: pytest.MonkeyPatch, door: Door) -> dict[str, int]:
    """How often ``door``'s store reads the whole register, and one company by key."""
    calls = {"companies": 0, "company": 0}
    store: Any = door._store
    for name in calls:
        real = getattr(store, name)

        def counted(*args: Any, _real: Any = real, _name: str = name) -> Any:
            calls[_name] += 1
            return _real(*args)

        monkeypatch.setattr(store, name, counted)
    return calls


def test_the_portal_finds_an_account_by_key_not_by_reading_the_register(two_doors, monkeypatch):
    portal, _office = two_doors
    calls = _counting(monkeypatch, portal)
    for _request in range(8):  # eight requests, each a door of its own as the person
        assert portal.as_(company("jia")).account_company().credit_code == code(0)
    assert calls["companies"] == 1  # the first request learns where jia is bound
    assert calls["company"] == 7  # then each reads that company alone, by its credit code


def test_a_binding_moved_or_removed_elsewhere_counts_at_once(two_doors):
    portal, office = two_doors
    assert portal.as_(company("jia")).account_company().credit_code == code(0)
    office.unbind_account(code(0), "jia")  # another process moves the account
    office.bind_account(code(7), "jia")
    assert portal.as_(company("jia")).account_company().credit_code == code(7)
    office.unbind_account(code(7), "jia")  # and removes it
    with pytest.raises(AccessError, match="未绑定企业"):
        portal.as_(company("jia")).company_view()
    office.bind_account(code(3), "jia")  # bound again: seen on the next request
    assert portal.as_(company("jia")).account_company().credit_code == code(3)
    # someone else's account, bound a moment ago, is found too
    office.bind_account(code(5), "yi")
    assert portal.as_(company("yi")).account_company().credit_code == code(5)


def test_an_import_cannot_bind_an_account_to_a_second_company(two_doors):
    _portal, office = two_doors
    with pytest.raises(ValidationError, match=r"company\.account_bound"):
        office.import_companies([RegisteredCompany(code(9), "企业9", "海淀区", False,
                                                   accounts=("jia",))])
    assert office.company(code(9)).company.accounts == ()
    assert office.company(code(0)).company.accounts == ("jia",)


def test_two_leaders_binding_one_account_at_once_bind_it_once(any_store_url):
    """Each door's own look at the register may be stale: the store refuses, under the import's
    lock, a write that leaves an account bound to two companies, so one binding wins."""
    from kit.errors import ConflictError

    office = Door.connect(any_store_url, identity=OFFICE)
    office.import_companies([RegisteredCompany(code(n), f"企业{n}", "海淀区", False)
                             for n in range(3)])
    office.bind_account(code(0), "yi")
    stale = {**office.company(code(1)).company.to_doc(), "accounts": ["yi"]}  # read before
    with pytest.raises(ConflictError, match="yi"):
        office._store.put_companies([stale], user="李华", action="account")
    assert office.company(code(1)).company.accounts == ()
    # at once, from two processes: exactly one company ends up with the account
    leaders = [Door.connect(any_store_url, identity=Identity(n)) for n in ("王芳", "赵强")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def bind(door: Door, n: int) -> None:
        barrier.wait()
        try:
            door.bind_account(code(n), "bing")
            outcomes.append("bound")
        except (ConflictError, ValidationError):
            outcomes.append("refused")

    threads = [threading.Thread(target=bind, args=(d, n)) for d, n in zip(leaders, (1, 2), strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["bound", "refused"]
    holders = [n for n in (1, 2) if "bing" in office.company(code(n)).company.accounts]
    assert len(holders) == 1
    for door in (office, *leaders):
        door.close()
