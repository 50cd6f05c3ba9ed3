"""Who is working, and what they may do with an inspection (四、1: the leader answers for the whole).

On the office server the person is the Hub's user (``JUPYTERHUB_USER``, with the office's
groups in ``KIT_USER_GROUPS``) and cannot be typed. An inspection is open to its team (the
members whose ``user`` is a Hub user) and, to read, to the office's leaders and analysts;
anyone else is refused. Only the team's signed-in leader changes the team and its division of
labour, the opinion, or closes the inspection; a team whose leader has no sign-in yet is
staffed by an office leader (``leaders``), never by one of its members. On one machine (``kit
serve``, the ``kit`` command, Python), the person is the name chosen or given, else the login:
nothing is enforced there (whoever holds the store's files or credentials administers it), but
nothing is recorded under a default name in the apps either.

>>> from kit.record import Inspection, Member
>>> ins = Inspection(team={"M1": Member("张三", "leader", user="zhangsan"),
...                        "M2": Member("李四", user="lisi")})
>>> lisi = Identity("lisi", hub=True)
>>> may_read(ins, lisi), may_edit(ins, lisi)
(True, True)
>>> refusal(ins, lisi, "team/M2/sections", ["7.8"]) is not None
True
>>> may_read(ins, Identity("wangwu", hub=True))
False
>>> may_edit(ins, Identity("chen", frozenset({LEADERS}), hub=True))  # office leaders read
False
"""

from __future__ import annotations

import functools
import getpass
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from kit.config import settings
from kit.errors import KitError
from kit.record import Inspection

__all__ = [
    "ANALYSTS",
    "COMPANIES",
    "LEADERS",
    "LEADER_PATHS",
    "READERS",
    "TRAINERS",
    "AccessError",
    "Identity",
    "OfficeOnly",
    "company_refusal",
    "for_anyone",
    "for_companies",
    "is_company",
    "is_team_leader",
    "login_name",
    "may_edit",
    "may_read",
    "read_refusal",
    "refusal",
    "signed_in_leaders",
]

#: the office's groups, as the Hub's configuration names them
LEADERS, ANALYSTS, TRAINERS = "leaders", "analysts", "trainers"
#: the companies' people (六、9): each account bound to one company of the register; they see
#: only what :mod:`kit.door._company` gives them, never an inspection's record
COMPANIES: Final = "companies"
#: the groups that read every inspection
READERS: Final = frozenset({LEADERS, ANALYSTS})
#: what only the team's leader changes (四、1, 五、4, 六、5, the closing of 六、9-10)
LEADER_PATHS: Final = ("team", "opinion", "gate_overrides")


class AccessError(KitError):
    """The person may not see, or may not change, this part of this inspection."""


def login_name() -> str:
    """The operating system's login name (what an administrator's changes are recorded under)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"


@dataclass(frozen=True)
class Identity:
    """A person working in the kit: their user name and the office's groups they belong to.

    ``hub`` says the name comes from the office server's sign-in: then the rules of access
    apply. On one machine (``hub`` false) they do not: the person owns the store.
    """

    user: str
    groups: frozenset[str] = field(default_factory=frozenset)
    hub: bool = False

    @classmethod
    def from_environment(cls, chosen: str | None = None) -> Identity | None:
        """The Hub's user when there is one, else ``chosen`` or ``$KIT_USER``; None if nobody
        has been named yet (then the apps ask, and change nothing until they are told)."""
        now = settings()
        if now.hub_user:
            return cls(now.hub_user, now.groups, hub=True)
        name = (chosen or now.user).strip()
        return cls(name) if name else None

    @classmethod
    def of_command(cls, chosen: str | None = None) -> Identity:
        """Who runs the ``kit`` command or a script: the Hub's user when there is one, else
        ``chosen`` (``--user``), else ``$KIT_USER``, else the login name."""
        return cls.from_environment(chosen) or cls(login_name())

    @property
    def label(self) -> str:
        roles = [r for g, r in ((LEADERS, "科室负责人 leader"), (ANALYSTS, "分析人员 analyst"),
                                (TRAINERS, "培训人员 trainer")) if g in self.groups]
        return self.user + (f"（{'、'.join(roles)}）" if roles else "")

    @property
    def reads_everything(self) -> bool:
        """Whether this person reads every inspection (one machine, office leaders, analysts);
        never a company's person, whatever else they are in."""
        return not is_company(self) and (not self.hub or bool(READERS & self.groups))


def is_company(who: Identity) -> bool:
    """Whether ``who`` is a company's person (the Hub's group ``companies``)."""
    return COMPANIES in who.groups


def _team_users(ins: Inspection) -> set[str]:
    return {m.user for m in ins.team.values() if m.user}


def signed_in_leaders(ins: Inspection) -> tuple[str, ...]:
    """The sign-ins of the team's leaders (usually one)."""
    return tuple(m.user for m in ins.team.values() if m.role == "leader" and m.user)


def is_team_leader(ins: Inspection, who: Identity) -> bool:
    """Whether ``who`` may act as this team's leader: its signed-in leader; while the leader
    has no sign-in, an office leader (who staffs it); anyone on one machine."""
    if not who.hub:
        return True
    leaders = signed_in_leaders(ins)
    return who.user in leaders if leaders else LEADERS in who.groups


def may_read(ins: Inspection, who: Identity) -> bool:
    """The team, the office's leaders and analysts (and anyone on one machine) may read; a
    company's person never reads a record (only what the company sees of it)."""
    if is_company(who):
        return False
    return who.reads_everything or who.user in _team_users(ins)


def read_refusal(ins: Inspection, who: Identity) -> str | None:
    """Why ``who`` may not open this inspection at all, or None."""
    if may_read(ins, who):
        return None
    if is_company(who):
        return company_refusal(who)
    zh, en = (("请联系检查组长", "ask its leader") if _team_users(ins) else
              ("尚未分配检查组，请联系科室负责人", "it has no team yet: ask an office leader"))
    return (f"{who.user} 不是检查记录 {ins.id} 的检查组成员，无权查看；{zh} / "
            f"{who.user} is not on the team of inspection {ins.id} and may not open it; {en}")


def may_edit(ins: Inspection, who: Identity) -> bool:
    """Only the team changes an inspection; one with no signed-in member yet (imported, or
    made on one machine) is the office leaders' to staff."""
    if is_company(who):
        return False
    if not who.hub:
        return True
    team = _team_users(ins)
    return who.user in team if team else LEADERS in who.groups


def _leader_part(path: str, value: Any) -> bool:
    return path.split("/", 1)[0] in LEADER_PATHS or (path == "stage" and value == "closed")


def company_refusal(who: Identity) -> str:
    """Why a company's person is refused a record (or any other door than theirs)."""
    return (f"{who.user} 是企业账号，只能查看本企业的整改事项 / {who.user} is a company's account: "
            "only the company's own notices, findings and submissions")


def refusal(ins: Inspection, who: Identity, path: str, value: Any) -> str | None:
    """Why ``who`` may not set ``path`` to ``value``, or None."""
    if is_company(who):
        return company_refusal(who)
    if not who.hub:
        return None
    if _leader_part(path, value):
        if is_team_leader(ins, who):
            return None
        if signed_in_leaders(ins):
            return (f"只有检查组长可以修改{_leader_what(path, value)}（四、1 检查组长负责制） / only "
                    "the team's leader changes the team, the division of labour and the "
                    "opinion, or closes the inspection (四、1)")
        return (f"检查组长尚无登录名，{_leader_what(path, value)}须由科室负责人安排（四、1） / the "
                "team's leader has no sign-in yet: an office leader staffs the team (四、1)")
    if not may_edit(ins, who):
        return (f"{who.user} 不是本次检查组成员，只能查看，不能修改 / {who.user} is not on this "
                "inspection's team: read only" if may_read(ins, who) else
                f"{who.user} 不是本次检查组成员 / {who.user} is not on this inspection's team")
    return None


def _leader_what(path: str, value: Any) -> str:
    return "结案" if path == "stage" and value == "closed" else "检查组、分工和检查意见"


# -- the door's methods: the office's unless marked -------------------------------------------
F = TypeVar("F", bound=Callable[..., Any])
#: where a method's mark is kept: who may call it ("companies", "anyone"), or "office" once
#: :class:`OfficeOnly` has put the refusal in front of it
_MARK: Final = "__kit_door_for__"


def for_companies(method: F) -> F:
    """Mark a door method a company's person may call: it decides itself what they see (their
    own company's part, :mod:`kit.door._company`). Every unmarked one refuses them."""
    setattr(method, _MARK, "companies")
    return method


def for_anyone(method: F) -> F:
    """Mark a door method that reads and writes no stored data (who is acting, the calendar,
    another person on the same store, closing it): a company's person may call it."""
    setattr(method, _MARK, "anyone")
    return method


def _refusing(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method``, refusing a company's person before anything else."""

    @functools.wraps(method)
    def office_only(self: Any, *args: Any, **kwargs: Any) -> Any:
        who = self.identity
        if who is not None and is_company(who):
            raise AccessError(company_refusal(who))
        return method(self, *args, **kwargs)

    setattr(office_only, _MARK, "office")
    return office_only


def _marked(function: Any) -> bool:
    return getattr(function, _MARK, None) is not None


class OfficeOnly:
    """A door whose public methods and properties refuse a company's person, unless marked
    :func:`for_companies` or :func:`for_anyone`: the refusal is put in front of every other one
    when the class (or a subclass) is made, so a method added later cannot forget it
    (tests/door/test_refusal.py enumerates them). The instance has an ``identity``."""

    identity: Identity | None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in dir(cls):
            if name.startswith("_"):
                continue
            attr = inspect.getattr_static(cls, name)
            if inspect.isfunction(attr) and not _marked(attr):
                setattr(cls, name, _refusing(attr))
            elif isinstance(attr, property) and attr.fget is not None and \
                    not _marked(attr.fget):
                setattr(cls, name, property(_refusing(attr.fget), attr.fset, attr.fdel,
                                            attr.__doc__))
