"""The training exercises' teaching content, loaded from ``kit/data/training.yaml``.

Only what the guide leaves to judgement is teaching content: which situation calls for which
inspection type, handling or role, the clause of the guide that decides each kind of exercise
(:attr:`Teaching.decided_by`), and the fictional companies, teams and records registers the
scenarios are built from. It is read once into frozen dataclasses. The shipped file is checked
in the tests by :func:`validate_teaching_data`: its schema, then every clause id, every quote of
the guide's words and every vocabulary code against the guide.

>>> load_teaching().situations["inspection_types"][0].decided_by
'6.9'
>>> load_teaching().decided_by["remote"].clause
'8.4.1'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, cast

import yaml

from kit.errors import Problem
from kit.guide import Guide, Text, load_guide
from kit.record import Member, MemberRole, Partner, PartnerRelation, Role
from kit.resources import DATA_DIR
from kit.schemas import check_file

TRAINING_FILE = DATA_DIR / "training.yaml"
SCHEMA_FILE = DATA_DIR / "training.schema.json"


@dataclass(frozen=True)
class Basis:
    """The clause that decides an answer, and the guide's words in it that do."""

    clause: str
    words: str


#: how a kind's deciding clause is found: a fixed :class:`Basis`, the situation's own
#: (``"situation"``), or the clause the question quotes, completes or asks for (``"asked"``)
Decider = Basis | Literal["situation", "asked"]


@dataclass(frozen=True)
class Situation:
    """A situation and the code (of the guide's vocabulary) it calls for.

    ``decided_by`` is the clause that says so and ``words`` its words that do; ``see_also``
    clauses are cited after it.
    """

    code: str
    text: Text
    decided_by: str
    words: str
    see_also: tuple[str, ...] = ()

    @property
    def clauses(self) -> tuple[str, ...]:
        """The clauses cited, the deciding one first."""
        return (self.decided_by, *self.see_also)


@dataclass(frozen=True)
class Signing:
    """One way of signing a record the company refused to sign (六、8), offered as an option.

    With a witness present, the witness signs too unless ``witness_signs`` is false; a way with
    ``witness_signs`` false is offered only when a witness is present.
    """

    value: str
    signers: tuple[str, ...]
    text: Text
    witness_signs: bool = True


@dataclass(frozen=True)
class Refusal:
    """The refusal scenario: what happened, the team, the witness's name, the ways of signing."""

    note: Text
    team_text: Text
    witness: str
    team: Mapping[str, Member]
    signings: tuple[Signing, ...]


@dataclass(frozen=True)
class ContractCase:
    """What a company does (after its name), and its contract partner if any (七、14)."""

    role: Role
    text: Text
    partner: Partner | None = None


@dataclass(frozen=True)
class RecordKind:
    """A fictional records register: product, record type, data column with unit and limits."""

    product: str
    record_type: str
    column: str
    unit: str
    lower: float
    upper: float


@dataclass(frozen=True)
class Teaching:
    """All of ``training.yaml``; the order of every tuple is the order the seeds draw from."""

    decided_by: Mapping[str, Decider]
    situations: Mapping[str, tuple[Situation, ...]]
    not_principles: tuple[Text, ...]
    companies: tuple[str, ...]
    team_names: tuple[str, ...]
    teams: tuple[tuple[MemberRole, ...], ...]
    refusal: Refusal
    contract_company: str
    contract_cases: tuple[ContractCase, ...]
    record_kinds: tuple[RecordKind, ...]


@cache
def load_teaching() -> Teaching:
    """The shipped teaching content, read once."""
    return teaching_from_data(_raw_teaching_data())


@cache
def _raw_teaching_data() -> Any:
    return yaml.safe_load(TRAINING_FILE.read_text(encoding="utf-8"))


def _text(raw: Mapping[str, Any]) -> Text:
    return Text(raw["zh"].strip(), raw["en"].strip())


def teaching_from_data(data: Mapping[str, Any]) -> Teaching:
    """Build :class:`Teaching` from data shaped like ``training.yaml`` (already validated)."""
    refusal, contract = data["refusal"], data["contract_manufacturing"]
    return Teaching(
        decided_by={kind: cast(Decider, raw) if isinstance(raw, str)
                    else Basis(raw["clause"], raw["words"])
                    for kind, raw in data["decided_by"].items()},
        situations={
            vocabulary: tuple(
                Situation(s["code"], _text(s), s["decided_by"], s["words"],
                          tuple(s.get("see_also", ())))
                for s in found
            )
            for vocabulary, found in data["situations"].items()
        },
        not_principles=tuple(_text(t) for t in data["not_principles"]),
        companies=tuple(data["companies"]),
        team_names=tuple(data["teams"]["names"]),
        teams=tuple(
            tuple(cast(MemberRole, r) for r in roles) for roles in data["teams"]["compositions"]
        ),
        refusal=Refusal(
            note=_text(refusal["note"]),
            team_text=_text(refusal["team_text"]),
            witness=refusal["witness"],
            team={m["id"]: Member(m["name"], cast(MemberRole, m["role"])) for m in refusal["team"]},
            signings=tuple(
                Signing(s["value"], tuple(s["signers"]), _text(s), s.get("witness_signs", True))
                for s in refusal["signings"]
            ),
        ),
        contract_company=contract["company"],
        contract_cases=tuple(
            ContractCase(cast(Role, c["role"]), _text(c), _partner(c.get("partner")))
            for c in contract["cases"]
        ),
        record_kinds=tuple(
            RecordKind(
                r["product"], r["record_type"], r["column"], r["unit"],
                float(r["lower"]), float(r["upper"]),
            )
            for r in data["record_kinds"]
        ),
    )


def _partner(raw: Mapping[str, Any] | None) -> Partner | None:
    if raw is None:
        return None
    return Partner(raw["name"], relation=cast(PartnerRelation, raw["relation"]))


# -- checking --------------------------------------------------------------------------------
def validate_teaching_data(data: Any, file: str = "", guide: Guide | None = None) -> list[Problem]:
    """Every problem with teaching content: schema first, then ids and codes against the guide.

    Every clause id cited must be a clause of the guide, the words quoted as deciding an answer
    that clause's text, every situation's code a code of the guide's vocabulary of the same
    name; the names must cover the largest team, the signers be
    members of the team, and a register's lower limit lie below its upper one.
    """
    problems = [
        Problem("training.schema", f"不符合培训内容格式：{zh}", en, field=where or "/", file=file)
        for where, zh, en in check_file(data, SCHEMA_FILE)
    ]
    if problems:
        return problems
    guide = guide or load_guide()

    def bad(code: str, where: str, zh: str, en: str) -> None:
        problems.append(Problem(code, zh, en, field=where, file=file))

    def basis(clause_id: str, words: str, where: str, field: str) -> None:
        if clause_id not in guide:
            bad("training.clause", f"{where}/{field}", f"指南中没有条款 {clause_id}",
                f"no clause {clause_id} in the guide")
        elif words not in guide.item(clause_id).zh:
            bad("training.words", f"{where}/words",
                f"“{words}”不是条款 {clause_id} 的原文", f"'{words}' is not the text of {clause_id}")

    for kind, raw in data["decided_by"].items():
        if isinstance(raw, dict):
            basis(raw["clause"], raw["words"], f"decided_by/{kind}", "clause")
    for vocabulary, found in data["situations"].items():
        codes = {t.code for t in guide.terms(vocabulary)}
        for i, situation in enumerate(found):
            where = f"situations/{vocabulary}/{i}"
            if situation["code"] not in codes:
                bad("training.code", f"{where}/code",
                    f"{situation['code']} 不是指南词表 {vocabulary} 中的代码",
                    f"{situation['code']} is not a code of the guide's {vocabulary}")
            basis(situation["decided_by"], situation["words"], where, "decided_by")
            for k, clause_id in enumerate(situation.get("see_also", ())):
                if clause_id not in guide:
                    bad("training.clause", f"{where}/see_also/{k}",
                        f"指南中没有条款 {clause_id}", f"no clause {clause_id} in the guide")
    names = data["teams"]["names"]
    for i, roles in enumerate(data["teams"]["compositions"]):
        if len(roles) > len(names):
            bad("training.team_size", f"teams/compositions/{i}",
                f"检查组有 {len(roles)} 人，但只给了 {len(names)} 个姓名",
                f"a team of {len(roles)} but only {len(names)} names")
    members = [m["id"] for m in data["refusal"]["team"]]
    if len(set(members)) != len(members):
        bad("training.member_id", "refusal/team", "检查组成员编号重复", "member ids repeat")
    team_text = data["refusal"]["team_text"]
    for i, member in enumerate(data["refusal"]["team"]):
        if member["name"] not in team_text["zh"] or member["name"] not in team_text["en"]:
            bad("training.team_text", f"refusal/team/{i}/name",
                f"team_text 中没有成员 {member['name']}",
                f"member {member['name']} is missing from team_text")
    for i, signing in enumerate(data["refusal"]["signings"]):
        for k, signer in enumerate(signing["signers"]):
            if signer not in members:
                bad("training.signer", f"refusal/signings/{i}/signers/{k}",
                    f"{signer} 不是检查组成员", f"{signer} is not a member of the team")
    for i, kind in enumerate(data["record_kinds"]):
        if not kind["lower"] < kind["upper"]:
            bad("training.limits", f"record_kinds/{i}", "下限应小于上限",
                "the lower limit must be below the upper one")
    return problems
