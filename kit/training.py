"""Training exercises on the guide: scenarios generated from the guide's data and the kit's code.

Trainers teach the guide part by part (一..十). Each part has kinds of exercise (:data:`KINDS`);
each exercise is a frozen :class:`Exercise`: a scenario, options, the answer and an explanation
citing the clause by label and id (``依据 八、4.（1）［8.4.1］``). Answers the kit can compute are
never typed in: a scenario is built as a small :class:`~kit.inspection.Inspection` and the
answer is what :func:`kit.rules.check` says about it; record-sampling answers come from
:mod:`kit.sampling`, deadlines from :mod:`kit.workdays`, options from the guide's vocabularies.
Only what the guide leaves to judgement (which situation calls for which inspection type or
handling) is teaching content, in :data:`SITUATIONS`.

The same part, seed and count always give the same exercises. :func:`grade` turns an answer into
:class:`Feedback`; a trainee's :class:`Score` counts each exercise's first answer and is written
to Excel by :func:`score_to_excel` (every text as text, never a formula).

>>> ex = exercises("8", seed=1)[0]
>>> grade(ex, ex.answer).correct
True
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from kit.errors import KitError
from kit.guide import Text, load_guide
from kit.inspection import (
    Company,
    Finding,
    Inspection,
    Member,
    MemberRole,
    Notification,
    Partner,
    Role,
    Signatures,
    new_inspection,
)
from kit.rules import check
from kit.sampling import (
    SampleParameters,
    data_conclusion_mismatch,
    find_discrepancies,
    in_window,
    record_windows,
)
from kit.workdays import load_calendar

__all__ = [
    "KINDS",
    "PARTS",
    "SITUATIONS",
    "Answer",
    "Exercise",
    "Feedback",
    "Kind",
    "Option",
    "Score",
    "cite",
    "exercises",
    "grade",
    "kinds_of_part",
    "score_to_excel",
]

YES, NO = "yes", "no"
YES_NO = ((Text("是", "Yes"), YES), (Text("否", "No"), NO))


# -- the model -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    """One answer a trainee may choose: its label in Chinese and English, and its value."""

    label: Text
    value: str


@dataclass(frozen=True)
class Exercise:
    """One scenario question with its answer and an explanation that cites the guide.

    ``exhibit`` is an optional small table (header row first) the question refers to, such as a
    records register; ``facts`` are the scenario's parameters, kept for review and tests.
    """

    id: str
    part: str
    kind: str
    question: Text
    options: tuple[Option, ...]
    answer: str
    explanation: Text
    clauses: tuple[str, ...]
    exhibit: tuple[tuple[str, ...], ...] = ()
    facts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = [o.value for o in self.options]
        if len(set(values)) != len(values) or self.answer not in values:
            msg = f"练习 {self.id} 的选项重复或不含答案 / exercise {self.id}: bad options"
            raise KitError(msg)

    def option(self, value: str) -> Option:
        """The option with this value; :class:`KitError` if there is none."""
        for opt in self.options:
            if opt.value == value:
                return opt
        msg = f"练习 {self.id} 没有选项 {value!r} / exercise {self.id} has no option {value!r}"
        raise KitError(msg)


@dataclass(frozen=True)
class Feedback:
    """What a trainee sees right after answering: right or wrong, the answer, and why."""

    exercise_id: str
    given: str
    correct: bool
    answer: str
    message: Text
    clauses: tuple[str, ...]


def grade(exercise: Exercise, answer: str | None) -> Feedback:
    """Grade one answer (an option's value) and explain it, citing the clause."""
    if not answer:
        msg = "请先选择一个答案 / choose an answer first"
        raise KitError(msg)
    given = exercise.option(answer)
    right = exercise.option(exercise.answer)
    ok = answer == exercise.answer
    zh = "✔ 正确。" if ok else f"✖ 不正确。正确答案：{right.label.zh}。"
    en = "✔ Correct. " if ok else f"✖ Not correct. The answer is: {right.label.en}. "
    message = Text(zh + exercise.explanation.zh, en + exercise.explanation.en)
    return Feedback(exercise.id, given.value, ok, exercise.answer, message, exercise.clauses)


def cite(*clause_ids: str) -> Text:
    """``依据 八、4.（1）［8.4.1］`` for the given clause ids (each checked against the guide)."""
    guide = load_guide()
    labels = [(guide.item(c).label, c) for c in clause_ids]
    return Text("依据 " + "，".join(f"{lab}［{cid}］" for lab, cid in labels) + "。",
                "Per " + ", ".join(f"{lab} [{cid}]" for lab, cid in labels) + ".")


# -- helpers for the generators ------------------------------------------------------------
Rng = random.Random
Draft = dict[str, Any]


def _draft(question: Text, options: Sequence[tuple[Text, str]], answer: str, reason: Text,
           clauses: Sequence[str], rng: Rng, *, shuffle: bool = True,
           exhibit: Sequence[Sequence[str]] = (), facts: Mapping[str, str] | None = None) -> Draft:
    opts = [Option(label, value) for label, value in options]
    if shuffle:
        rng.shuffle(opts)
    why = cite(*clauses)
    return {"question": question, "options": tuple(opts), "answer": answer,
            "explanation": Text(f"{reason.zh}{why.zh}", f"{reason.en} {why.en}"),
            "clauses": tuple(clauses), "exhibit": tuple(tuple(r) for r in exhibit),
            "facts": dict(facts or {})}


def _errors(inspection: Inspection, prefix: str) -> list[Any]:
    """The rules' errors whose code starts with ``prefix`` (where an answer comes from)."""
    return [p for p in check(inspection) if p.severity == "error" and p.code.startswith(prefix)]


def _rule_text(problems: Sequence[Any], ok: Text) -> Text:
    if not problems:
        return ok
    return Text("；".join(p.message for p in problems) + "。",
                "; ".join(p.message_en for p in problems) + ".")


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _term_options(vocabulary: str, answer: str, rng: Rng, n: int = 4) -> list[tuple[Text, str]]:
    terms = load_guide().terms(vocabulary)
    others = [t for t in terms if t.code != answer]
    chosen = [next(t for t in terms if t.code == answer), *rng.sample(others, min(n - 1,
                                                                                len(others)))]
    return [(Text(t.zh, t.en), t.code) for t in chosen]


TEAM = {"M1": Member("张明", "leader"), "M2": Member("李华", "inspector"),
        "E1": Member("赵工", "expert")}
FICTIONAL = ("北京康华医疗器械有限公司", "北京瑞达医用材料有限公司", "北京恒泰生物科技有限公司",
             "北京安诺医疗科技有限公司")

#: Teaching content: situations and what the guide calls for in each (clause ids cite why).
SITUATIONS: Mapping[str, tuple[tuple[str, str, str, tuple[str, ...]], ...]] = {
    "inspection_types": (
        ("supervisory", "按年度监督检查计划，对企业质量体系开展全项目的日常检查。",
         "A routine check of the whole quality system under the annual plan.", ("5.2",)),
        ("focused", "企业已被列为重点监管企业，按计划对其无菌产品的关键工序重点检查。",
         "The company is listed for key supervision; its sterile products' key processes are "
         "checked as planned.", ("5.2", "10.3.3")),
        ("follow_up", "上次检查发现的问题整改期限已到，需要核实企业的整改情况。",
         "The deadline for problems found last time has passed; the rectification is verified.",
         ("5.2", "6.9")),
        ("for_cause", "接到投诉举报，反映企业某批产品存在严重质量问题，需要立即核查。",
         "A complaint reports a serious quality problem with one batch; it is checked at once.",
         ("5.2",)),
        ("special", "全市统一部署，对各企业产品唯一标识的实施情况开展检查。",
         "A city-wide campaign checks how every company implements unique device identification.",
         ("5.2",)),
        ("extended", "需要对为企业提供灭菌服务的单位开展检查。",
         "The unit that sterilises the company's products has to be inspected.", ("5.2", "6.5")),
    ),
    "handling_kinds": (
        ("correct_on_site", "装配工位现场使用的作业指导书为已作废版本，企业可当场收回并发放现行版本。",
         "An obsolete work instruction is in use at an assembly station; it can be replaced now.",
         ()),
        ("correct_on_site", "成品库一处货架状态标识脱落，企业可当场补贴。",
         "A status label fell off a shelf in the finished-goods store; it can be re-attached now.",
         ()),
        ("suspend_and_warn", "不良事件报告显示，某批注射器针座断裂已造成患者受伤。",
         "Adverse event reports show that broken needle hubs of a syringe batch injured patients.",
         ()),
        ("suspend_and_rectify", "灭菌过程从未经过确认，近三个月灭菌记录缺失，不能保证产品无菌。",
         "Sterilisation was never validated and three months of records are missing: sterility "
         "is not assured.", ()),
        ("rectify_by_deadline", "供方评价记录未覆盖今年新增的两家供应商。",
         "The supplier evaluation does not cover the two suppliers added this year.", ()),
        ("rectify_by_deadline", "内审计划未覆盖全部部门，管理评审记录缺少输入。",
         "The internal audit plan misses some departments; review records lack inputs.", ()),
        ("file_case", "企业在未取得注册证的情况下生产并销售一种第二类医疗器械。",
         "The company makes and sells a class II device without a registration certificate.",
         ()),
    ),
    "roles": (
        ("registrant", "持有第三类医疗器械注册证，在自己的厂房生产该产品。",
         "holds a class III registration certificate and makes the device in its own plant.", ()),
        ("registrant", "持有第二类医疗器械注册证，委托另一家企业生产该产品。",
         "holds a class II registration certificate and has another company make the device.",
         ()),
        ("filer", "持有第一类医疗器械备案凭证，自行生产该产品。",
         "holds a class I filing certificate and makes the device itself.", ()),
        ("contract_manufacturer", "不持有该产品的注册证，受一家注册人委托生产其产品。",
         "holds no certificate for the device and makes it under contract for a registrant.", ()),
    ),
}
NOT_PRINCIPLES = (("高效", "efficient"), ("便民", "convenient"), ("从严", "strict"),
                  ("透明", "transparent"))
#: product, record type, data column, unit, lower and upper limit (fictional registers)
RECORD_KINDS = (
    ("一次性使用无菌注射器", "出厂检验记录", "针座拉拔力", "N", 10.0, 30.0),
    ("医用外科口罩", "出厂检验记录", "细菌过滤效率", "%", 95.0, 100.0),
    ("一次性使用输液器", "出厂检验记录", "流量", "mL/min", 20.0, 30.0),
    ("医用电子体温计", "过程检验记录", "电阻值", "kΩ", 29.7, 30.3),
)
SAMPLING_YEAR = 2026


def _situation(vocabulary: str, rng: Rng) -> tuple[str, Text, tuple[str, ...]]:
    code, zh, en, clauses = rng.choice(SITUATIONS[vocabulary])
    return code, Text(zh, en), clauses


def _weekday(day: date) -> Text:
    return Text(f"{day:%Y年%m月%d日}（周{'一二三四五六日'[day.weekday()]}）",
                f"{day:%Y-%m-%d} ({day:%a})")


# -- 一 二 三 四 ---------------------------------------------------------------------------
def _role(rng: Rng) -> Draft:
    code, text, _ = _situation("roles", rng)
    name = rng.choice(FICTIONAL)
    term = load_guide().term("roles", code)
    options = [(Text(t.zh, t.en), t.code) for t in load_guide().terms("roles")]
    return _draft(Text(f"{name}{text.zh}按指南一，它属于哪一类被检查对象？",
                       f"{name} {text.en} Under part 一, what kind of inspected party is it?"),
                  options, code, Text(f"该企业是{term.zh}。", f"It is a {term.en}."), ("1.1",), rng,
                  shuffle=False, facts={"role": code})


def _principle(rng: Rng) -> Draft:
    terms = load_guide().terms("principles")
    wrong_zh, wrong_en = rng.choice(NOT_PRINCIPLES)
    options = [(Text(t.zh, t.en), t.code) for t in rng.sample(terms, 3)]
    options.append((Text(wrong_zh, wrong_en), "not_a_principle"))
    return _draft(Text("下列哪一项不是指南二规定的检查原则？",
                       "Which of these is not one of the inspection principles of part 二?"),
                  options, "not_a_principle",
                  Text(f"检查原则是：{'、'.join(t.zh for t in terms)}，不含“{wrong_zh}”。",
                       f"The principles are: {', '.join(t.en for t in terms)}."), ("2.1",), rng)


_BASIS_ZH = re.compile(r"^《(?P<title>[^》]+)》（(?P<no>[^）]+)）$")
_BASIS_EN = re.compile(r"^(?P<title>.+?) \((?P<no>[^()]*No\. \d+[^()]*)\)$")


def _basis(rng: Rng) -> Draft:
    found = []
    for clause in load_guide().part(3).items("item"):
        zh, en = _BASIS_ZH.match(clause.zh), _BASIS_EN.match(clause.en)
        if zh and en:
            found.append((clause.id, zh, en))
    chosen = rng.sample(found, 4)
    cid, zh, en = chosen[0]
    options = [(Text(z["no"], e["no"]), c) for c, z, e in chosen]
    return _draft(Text(f"指南三所列检查依据《{zh['title']}》的文号是？",
                       f"What is the number of the basis '{en['title']}' listed in part 三?"),
                  options, cid, Text(f"《{zh['title']}》是{zh['no']}。",
                                     f"'{en['title']}' is {en['no']}."), (cid,), rng)


TEAMS: tuple[tuple[MemberRole, ...], ...] = (("leader",), ("leader", "expert"), ("leader", "inspector"), ("inspector", "inspector"),
         ("leader", "inspector", "expert"), ("leader", "leader"), ("inspector", "expert"))
_ROLE_ZH = {"leader": ("组长", "team leader"), "inspector": ("检查员", "inspector"),
            "expert": ("专家", "expert")}


def _team(rng: Rng) -> Draft:
    roles = rng.choice(TEAMS)
    names = ("张明", "李华", "王芳")
    team = {f"M{i}": Member(names[i], role) for i, role in enumerate(roles)}
    found = _errors(replace(new_inspection(), team=team), "team.")
    who = Text("、".join(f"{_ROLE_ZH[m.role][0]}{m.name}" for m in team.values()),
               ", ".join(f"{_ROLE_ZH[m.role][1]} {m.name}" for m in team.values()))
    ok = Text("检查组有一名组长，检查人员不少于2名（专家不计入检查人员），符合要求。",
              "One leader and at least 2 inspectors (experts do not count): the team may work.")
    return _draft(Text(f"检查组由{who.zh}组成。该检查组符合指南四的要求吗？",
                       f"The team is: {who.en}. Does it meet part 四?"),
                  YES_NO, _yes_no(not found), _rule_text(found, ok), ("4.1",), rng,
                  shuffle=False, facts={"roles": ",".join(roles)})


# -- 五 六 ---------------------------------------------------------------------------------
def _inspection_type(rng: Rng) -> Draft:
    code, text, clauses = _situation("inspection_types", rng)
    term = load_guide().term("inspection_types", code)
    return _draft(Text(f"{text.zh}应采用哪种检查方式？", f"{text.en} Which kind of inspection is it?"),
                  _term_options("inspection_types", code, rng), code,
                  Text(f"该情形属于{term.zh}。", f"This is a {term.en}."), clauses, rng,
                  facts={"type": code})


def _type_text(code: str, unannounced: bool) -> Text:
    term = load_guide().term("inspection_types", code)
    return Text(term.zh + ("（飞行检查）" if unannounced else ""),
                term.en + (" (unannounced)" if unannounced else ""))


def _notification(rng: Rng) -> Draft:
    unannounced = rng.random() < 0.5
    code = "for_cause" if unannounced else rng.choice(("supervisory", "special", "follow_up"))
    ins = new_inspection(type=code)  # type: ignore[arg-type]
    ins = replace(ins, scope=replace(ins.scope, unannounced=unannounced),
                  notification=Notification(planned=True))
    found = _errors(ins, "notification.")
    kind = _type_text(code, unannounced)
    ok = Text("不是飞行检查，应联系被检查企业，通知检查相关事宜。",
              "Not unannounced: contact the company and tell it about the inspection.")
    return _draft(Text(f"本次是{kind.zh}。检查前可以联系企业、通知检查事宜吗？",
                       f"This is a {kind.en}. May the company be notified beforehand?"),
                  YES_NO, _yes_no(not found), _rule_text(found, ok), ("5.6",), rng,
                  shuffle=False, facts={"type": code, "unannounced": _yes_no(unannounced)})


def _refusal(rng: Rng) -> Draft:
    witness = rng.random() < 0.5
    choices = [("leader_only", ("M1",), witness, "只由组长张明签字", "only the leader 张明 signs"),
               ("leader_expert", ("M1", "E1"), witness, "组长张明和专家赵工签字",
                "the leader 张明 and the expert 赵工 sign"),
               ("two_inspectors", ("M1", "M2"), witness, "组长张明和检查员李华签字",
                "the leader 张明 and the inspector 李华 sign")]
    if witness:
        choices.append(("no_witness", ("M1", "M2"), False, "组长和检查员签字，见证人不必签字",
                        "the leader and the inspector sign; the witness need not"))
    valid, messages, options = [], {}, []
    for value, signers, witness_signs, zh, en in choices:
        sig = Signatures(refused=True, refusal_note="企业负责人拒绝在检查记录上签字。",
                         inspector_signers=signers, witness_present=witness,
                         witness_name="周见证" if witness else "", witness_signed=witness_signs)
        found = _errors(replace(new_inspection(), team=TEAM, signatures=sig), "signatures.")
        messages.update({p.message: p.message_en for p in found})
        if not found:
            valid.append(value)
        suffix = ("，见证人签字", ", the witness signs") if witness and witness_signs else ("", "")
        options.append((Text(zh + suffix[0], en + suffix[1]), value))
    (answer,) = valid  # the rules accept exactly one way
    where = ("；现场有见证人周见证", "; a witness, 周见证, is present") if witness else ("", "")
    reason = Text("；".join(messages) + "；专家不是检查人员。", "; ".join(messages.values())
                  + "; an expert is not an inspector.")
    return _draft(Text(f"企业负责人拒绝在检查记录上签字。检查组：组长张明、检查员李华、专家赵工{where[0]}。"
                       "应如何签字确认？",
                       "The company's head refuses to sign the record. Team: leader 张明, "
                       f"inspector 李华, expert 赵工{where[1]}. Who signs?"),
                  options, answer, reason, ("6.8",), rng, facts={"witness": _yes_no(witness)})


# -- 七 -----------------------------------------------------------------------------------
def _section_of_item(rng: Rng) -> Draft:
    guide = load_guide()
    items = [i for i in guide.checklist_items() if i.parent_id != "7.14"]
    counts = pd.Series([i.zh for i in items]).value_counts()
    item = rng.choice([i for i in items if counts[i.zh] == 1])
    right = guide.item(item.parent_id or "")
    others = rng.sample([s for s in guide.sections if s.id != right.id], 3)
    options = [(Text(f"{s.label} {s.text.zh}", f"{s.label} {s.text.en}"), s.id)
               for s in (right, *others)]
    return _draft(Text(f"检查项“{item.zh}”属于指南七的哪一节？",
                       f"Which section of part 七 holds the item '{item.en}'?"),
                  options, right.id, Text(f"该项是{item.label}。", f"It is {item.label}."),
                  (item.id,), rng)


def _section14(rng: Rng) -> Draft:
    partner = Partner("北京受托医疗用品有限公司", relation="contract_manufacturer")
    client = Partner("北京康华医疗器械有限公司", relation="client")
    cases: tuple[tuple[Role, dict[str, Partner], str, str], ...] = (
             ("registrant", {}, "持有注册证，在自己的厂房生产全部产品",
              "holds registrations and makes every product in its own plant"),
             ("registrant", {"C1": partner}, "持有注册证，委托北京受托医疗用品有限公司生产其中一种产品",
              "holds registrations and has 北京受托医疗用品有限公司 make one product"),
             ("contract_manufacturer", {"C1": client}, "受北京康华医疗器械有限公司委托生产产品",
              "makes products under contract for 北京康华医疗器械有限公司"),
             ("filer", {}, "持有第一类备案凭证并自行生产", "holds class I filings and makes them itself"))
    role, partners, zh, en = rng.choice(cases)
    guide = load_guide()
    sections = tuple(s.id for s in guide.sections if s.id != "7.14")
    company = Company(name="北京安诺医疗科技有限公司", role=role, partners=partners)
    found = _errors(new_inspection(company=company, sections=sections), "scope.section14")
    ok = Text("企业不涉及委托生产，七、14 不是必查内容。",
              "The company is not in contract manufacturing: 七.14 is not required.")
    return _draft(Text(f"北京安诺医疗科技有限公司{zh}。对其检查时，检查范围必须包括七、14 委托生产情形吗？",
                       f"北京安诺医疗科技有限公司 {en}. Must the inspection cover 七.14?"),
                  YES_NO, _yes_no(bool(found)), _rule_text(found, ok), ("7.14.0",), rng,
                  shuffle=False, facts={"role": role, "partners": str(len(partners))})


# -- 八 -----------------------------------------------------------------------------------
def _remote(rng: Rng) -> Draft:
    if rng.random() < 0.4:
        code, unannounced = "for_cause", rng.random() < 0.5
    else:
        code = rng.choice(("supervisory", "focused", "follow_up", "special", "extended"))
        unannounced = rng.random() < 0.2
    ins = new_inspection(type=code)  # type: ignore[arg-type]
    ins = replace(ins, scope=replace(ins.scope, remote=True, unannounced=unannounced))
    found = _errors(ins, "remote.")
    kind = _type_text(code, unannounced)
    ok = Text("不是有因（飞行）检查，可以远程检查，但不能降低检查标准，结果需经检查单位和企业确认。",
              "Not a for-cause or unannounced inspection: it may be remote, to the same standard, "
              "with the result confirmed by both sides.")
    clauses = ("8.4.1",) if found else ("8.4.1", "8.4.2")
    return _draft(Text(f"因不可抗力不宜到企业现场，拟对一次{kind.zh}采用远程检查。可以吗？",
                       f"Force majeure keeps the team away; may a {kind.en} be done remotely?"),
                  YES_NO, _yes_no(not found), _rule_text(found, ok), clauses, rng,
                  shuffle=False, facts={"type": code, "unannounced": _yes_no(unannounced)})


def _deadline(rng: Rng, n: int) -> tuple[date, date, list[tuple[Text, str]], Text]:
    """A start date a few days before a holiday, the date ``n`` working days later, options."""
    cal = load_calendar()
    last = max(cal.known_years())
    pool = sorted(d for d in cal.holidays if d.year >= last - 2 and d <= date(last, 10, 31))
    start = rng.choice(pool) - timedelta(days=rng.randint(1, 6))
    due = cal.add_workdays(start, n).date
    weekdays, day = 0, start
    while weekdays < n:
        day += timedelta(days=1)
        weekdays += day.weekday() < 5
    candidates = [due, day, start + timedelta(days=n), cal.add_workdays(start, n - 1).date,
                  cal.add_workdays(start, n + 1).date]
    unique = list(dict.fromkeys(candidates))[:4]
    options = [(_weekday(d), d.isoformat()) for d in unique]
    reason = Text(f"从 {start} 的次日起算，第 {n} 个工作日是 {due}（法定节假日不计，调休上班日计入）；"
                  f"按日历日计是 {start + timedelta(days=n)}，只按周一至周五计是 {day}。",
                  f"Counting from the day after {start}, working day {n} is {due} (official "
                  f"holidays excluded, make-up working days included); {n} calendar days give "
                  f"{start + timedelta(days=n)}, Monday-Friday only gives {day}.")
    return start, due, options, reason


def _delegated_deadline(rng: Rng) -> Draft:
    from kit.rules import DELEGATED_FEEDBACK_WORKDAYS as n

    start, due, options, reason = _deadline(rng, n)
    return _draft(Text(f"委托检查于{_weekday(start).zh}结束。受托生产企业所在地监管部门最迟应在哪一天"
                       "向注册人所在地监管部门反馈检查结果？",
                       f"A delegated inspection ended on {_weekday(start).en}. By which day must "
                       "the result reach the registrant's authority?"),
                  options, due.isoformat(), reason, ("8.5.3",), rng,
                  facts={"start": start.isoformat(), "workdays": str(n)})


def _rectification_deadline(rng: Rng) -> Draft:
    n = rng.choice((10, 15, 20, 30))
    start, due, options, reason = _deadline(rng, n)
    return _draft(Text(f"现场检查于{_weekday(start).zh}结束，检查组与企业协商确定整改时限为 {n} 个工作日。"
                       "整改期限是哪一天？",
                       f"The visit ended on {_weekday(start).en}; the agreed rectification time is "
                       f"{n} working days. What is the deadline?"),
                  options, due.isoformat(), reason, ("10.1.4", "6.9"), rng,
                  facts={"start": start.isoformat(), "workdays": str(n)})


# -- 九 -----------------------------------------------------------------------------------
def _records(rng: Rng, dates: Sequence[date], batches: Sequence[str] | None = None,
             record_type: str | None = None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    product, rtype, column, unit, low, high = rng.choice(RECORD_KINDS)
    ids = sorted(rng.sample(range(1, 999), len(dates)))
    order = sorted(range(len(dates)), key=lambda k: dates[k])
    frame = pd.DataFrame({
        "record_id": [f"JL-{ids[order.index(k)]:04d}" for k in range(len(dates))],
        "record_type": record_type or rtype, "product": product,
        "batch": list(batches) if batches else [f"B{d:%y%m}-{k + 1:02d}"
                                                for k, d in enumerate(dates)],
        "record_date": pd.to_datetime(list(dates))})
    return frame, (product, rtype, column, unit, str(low), str(high))


def _table(frame: pd.DataFrame, columns: Mapping[str, str]) -> list[list[str]]:
    body = frame[list(columns)].astype(object).map(
        lambda v: f"{v:%Y-%m-%d}" if isinstance(v, pd.Timestamp) else str(v))
    return [list(columns.values()), *body.to_numpy().tolist()]


def _inspection_day(rng: Rng) -> date:
    return date(SAMPLING_YEAR, 1, 1) + timedelta(days=rng.randint(120, 330))


_BASIC = {"record_id": "记录编号", "record_type": "记录类型", "product": "产品", "batch": "批号",
          "record_date": "记录日期"}


def _sampling_window(rng: Rng) -> Draft:
    day = _inspection_day(rng)
    offsets = [rng.randint(5, 80), *rng.sample(range(100, 330), 3)]
    frame, (product, rtype, *_rest) = _records(rng, [day - timedelta(days=o) for o in offsets])
    windows = record_windows(frame, day)
    inside = frame[in_window(frame, windows)]
    (answer,) = inside["record_id"]
    start = windows["window_start"].iloc[0]
    options = [(Text(f"{rid}（{when:%Y-%m-%d}）", f"{rid} ({when:%Y-%m-%d})"), str(rid))
               for rid, when in zip(frame["record_id"], frame["record_date"], strict=True)]
    return _draft(Text(f"检查日期为 {day}。下表是企业的{rtype}（{product}）。按九、2，应优先选取哪一份记录？",
                       f"The inspection is on {day}. The table lists the company's {rtype} for "
                       f"{product}. Under 九.2, which record comes first?"),
                  options, answer,
                  Text(f"九、2 一般选取检查前一季度内的记录：{start:%Y-%m-%d} 至 {day} 之间只有 {answer}。",
                       f"九.2 takes records from the quarter before the inspection: only {answer} "
                       f"lies between {start:%Y-%m-%d} and {day}."),
                  ("9.2",), rng, shuffle=False, exhibit=_table(frame, _BASIC),
                  facts={"inspection_date": day.isoformat()})


def _sampling_cycle(rng: Rng) -> Draft:
    day = _inspection_day(rng)
    starts = sorted(rng.sample(range(120, 320, 20), 3), reverse=True)
    dates, batches, types = [], [], []
    for k, begin in enumerate(starts):
        first = day - timedelta(days=begin)
        batch = f"B{first:%y%m}-{k + 1:02d}"
        dates += [first, first + timedelta(days=rng.randint(3, 12))]
        batches += [batch, batch]
        types += ["生产记录", "出厂检验记录"]
    frame, (product, *_rest) = _records(rng, dates, batches)
    frame["record_type"] = types
    windows = record_windows(frame, day)
    answer = str(windows["cycle_batch"].iloc[0])
    lo, hi = windows["window_start"].iloc[0], windows["window_end"].iloc[0]
    options = [(Text(b, b), b) for b in dict.fromkeys(batches)]
    return _draft(Text(f"检查日期为 {day}，{product}近一季度没有生产记录（见下表）。按九、2，应选取哪一批的记录？",
                       f"The inspection is on {day}; {product} has no records in the last quarter "
                       "(see the table). Under 九.2, which batch's records are taken?"),
                  options, answer,
                  Text(f"检查前一季度内没有记录时，选取最近一个生产周期的记录：批号 {answer}"
                       f"（{lo:%Y-%m-%d} 至 {hi:%Y-%m-%d}）。",
                       f"With no records in the quarter, the latest production cycle is taken: "
                       f"batch {answer} ({lo:%Y-%m-%d} to {hi:%Y-%m-%d})."),
                  ("9.2",), rng, shuffle=False, exhibit=_table(frame, _BASIC),
                  facts={"inspection_date": day.isoformat()})


def _sampling_conclusion(rng: Rng) -> Draft:
    day = _inspection_day(rng)
    frame, (_product, _rtype, column, unit, low_t, high_t) = _records(
        rng, sorted(day - timedelta(days=d) for d in rng.sample(range(3, 90), 4)))
    low, high = float(low_t), float(high_t)
    span = high - low
    bad = rng.randrange(4)
    values, verdicts = [], []
    for k in range(4):
        passed = rng.random() < 0.6
        inside = passed != (k == bad)
        value = rng.uniform(low + 0.1 * span, high - 0.1 * span) if inside else \
            rng.choice((low - rng.uniform(0.05, 0.3) * span, high + rng.uniform(0.05, 0.3) * span))
        values.append(round(value, 2))
        verdicts.append("合格" if passed else "不合格")
    frame = frame.assign(lower=low, upper=high, conclusion=verdicts, **{column: values})
    flagged = frame[data_conclusion_mismatch(frame, [column]).to_numpy()]
    (answer,) = flagged["record_id"]
    row = flagged.iloc[0]
    options = [(Text(r, r), r) for r in frame["record_id"]]
    cols = {"record_id": "记录编号", "batch": "批号", column: f"{column}（{unit}）", "lower": "下限",
            "upper": "上限", "conclusion": "结论"}
    return _draft(Text("下表是抽取的检验记录。按九、5，哪一份记录的数据与结论不一致？",
                       "The table lists drawn test records. Under 九.5, which record's data "
                       "disagree with its conclusion?"),
                  options, answer,
                  Text(f"{answer} 的{column} {row[column]}{unit}，限度 {low:g}–{high:g}，却判定为"
                       f"“{row['conclusion']}”。",
                       f"{answer}: {column} {row[column]} {unit}, limits {low:g}-{high:g}, judged "
                       f"'{row['conclusion']}'."),
                  ("9.5",), rng, shuffle=False, exhibit=_table(frame, cols))


def _sampling_discrepancy(rng: Rng) -> Draft:
    day = _inspection_day(rng)
    frame, (product, rtype, column, unit, low_t, high_t) = _records(
        rng, [day - timedelta(days=d) for d in sorted(rng.sample(range(3, 90), 2))])
    a = round(rng.uniform(float(low_t), float(high_t)), 1)
    rel = rng.uniform(0.02, 0.12) if rng.random() < 0.5 else rng.uniform(0.3, 0.6)
    b = round(a * (1 - rel), 1)
    threshold = SampleParameters(day, 0).discrepancy
    found = find_discrepancies(frame.assign(**{column: [a, b]}), threshold=threshold,
                               columns=[column])
    widen, measured = bool(found["discrepant"].iloc[0]), found["relative_difference"].iloc[0]
    word = ("超过", "above") if widen else ("未超过", "not above")
    return _draft(Text(f"相似条件下的两份{rtype}（{product}）中，{column}分别为 {a} 和 {b} {unit}。"
                       "按九、6，需要补充选取同种记录并询问差别原因吗？",
                       f"Two {rtype} of {product} under similar conditions show {column} {a} and "
                       f"{b} {unit}. Under 九.6, should more such records be taken and the "
                       "difference asked about?"),
                  YES_NO, _yes_no(widen),
                  Text(f"两者相对差异 {measured:.0%}，{word[0]}本工具包“数据差别较大”的阈值 "
                       f"{threshold:.0%}（抽样参数可调）。",
                       f"The relative difference is {measured:.0%}, {word[1]} the kit's threshold "
                       f"for 'differ a lot', {threshold:.0%} (a sampling parameter)."),
                  ("9.6",), rng, shuffle=False)


# -- 十 -----------------------------------------------------------------------------------
def _handling(rng: Rng) -> Draft:
    code, text, _ = _situation("handling_kinds", rng)
    guide = load_guide()
    term = guide.term("handling_kinds", code)
    finding = Finding("7.1.m1", text.zh, code)
    found = _errors(replace(new_inspection(), findings={"F1": finding}), "finding.")
    extra = _rule_text(found, Text("此处理方式不要求书面整改期限。",
                                   "This handling needs no written deadline."))
    options = [(Text(t.zh, t.en), t.code) for t in guide.terms("handling_kinds")]
    return _draft(Text(f"现场发现：{text.zh}按十、1，应如何处理？",
                       f"Found on site: {text.en} Under 十.1, how is it handled?"),
                  options, code,
                  Text(f"该情形应{term.zh}（{guide.item(term.source).label}）。{extra.zh}",
                       f"This calls for {term.en}. {extra.en}"),
                  (term.source,), rng, shuffle=False, facts={"handling": code})


# -- the registry and the generator ----------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    """A kind of exercise: the part of the guide it trains, its title, and its generator."""

    part: str
    title: Text
    make: Callable[[Rng], Draft]


KINDS: Mapping[str, Kind] = {
    "role": Kind("1", Text("被检查对象", "Who is inspected"), _role),
    "principle": Kind("2", Text("检查原则", "Principles"), _principle),
    "basis": Kind("3", Text("检查依据", "Legal bases"), _basis),
    "team": Kind("4", Text("检查组组成", "The team"), _team),
    "inspection_type": Kind("5", Text("检查方式", "Inspection type"), _inspection_type),
    "notification": Kind("5", Text("通知企业", "Notifying the company"), _notification),
    "refusal_signers": Kind("6", Text("拒绝签字", "Refusal to sign"), _refusal),
    "section_of_item": Kind("7", Text("检查项所属节", "Which section"), _section_of_item),
    "section14": Kind("7", Text("委托生产情形", "Contract manufacturing"), _section14),
    "remote": Kind("8", Text("远程检查", "Remote inspection"), _remote),
    "delegated_deadline": Kind("8", Text("委托检查反馈期限", "Delegated result deadline"),
                               _delegated_deadline),
    "sampling_window": Kind("9", Text("近期记录", "Recent records"), _sampling_window),
    "sampling_cycle": Kind("9", Text("最近生产周期", "Latest production cycle"), _sampling_cycle),
    "sampling_conclusion": Kind("9", Text("数据与结论", "Data and conclusion"),
                                _sampling_conclusion),
    "sampling_discrepancy": Kind("9", Text("数据差别较大", "Records that differ"),
                                 _sampling_discrepancy),
    "handling": Kind("10", Text("问题的处理", "Handling a finding"), _handling),
    "rectification_deadline": Kind("10", Text("整改期限", "Rectification deadline"),
                                   _rectification_deadline),
}
PARTS = tuple(str(n) for n in range(1, 11))


def _part(part: int | str) -> str:
    text = str(part).strip()
    if text not in PARTS:
        msg = f"指南没有第 {text!r} 部分（1-10，即一至十）/ no part {text!r}: give 1-10"
        raise KitError(msg)
    return text


def kinds_of_part(part: int | str) -> tuple[str, ...]:
    """The kinds of exercise for one part of the guide (1..10 for 一..十)."""
    p = _part(part)
    return tuple(name for name, kind in KINDS.items() if kind.part == p)


def exercises(part: int | str, *, seed: int, per_kind: int = 2) -> tuple[Exercise, ...]:
    """``per_kind`` exercises of every kind for one part, the same for the same seed.

    Each exercise draws from its own generator seeded by (seed, kind, number), so adding a kind
    or asking for more never changes the exercises already given. Within a kind, a repeated
    question is drawn again (a few times at most).
    """
    out = []
    for name in kinds_of_part(part):
        kind, seen = KINDS[name], set()
        for i in range(per_kind):
            for attempt in range(8):
                rng = random.Random(f"kit.training:{seed}:{name}:{i}:{attempt}")
                draft = kind.make(rng)
                if draft["question"] not in seen:
                    break
            seen.add(draft["question"])
            out.append(Exercise(id=f"{name}-{seed}-{i}", part=kind.part, kind=name, **draft))
    return tuple(out)


# -- the score ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    """One answered exercise as the score keeps it (Chinese texts, for the trainer's sheet)."""

    exercise_id: str
    part: str
    kind: str
    question: str
    given: str
    answer: str
    correct: bool
    clauses: str
    at: datetime


@dataclass(frozen=True)
class Score:
    """A trainee's answers; only the first answer to each exercise counts."""

    trainee: str = ""
    seed: int | None = None
    answers: tuple[Answer, ...] = ()

    def record(self, exercise: Exercise, feedback: Feedback, *,
               at: datetime | None = None) -> Score:
        """This score with the answer added, unless the exercise was answered before."""
        if any(a.exercise_id == exercise.id for a in self.answers):
            return self
        guide = load_guide()
        answer = Answer(exercise.id, exercise.part, exercise.kind, exercise.question.zh,
                        exercise.option(feedback.given).label.zh,
                        exercise.option(exercise.answer).label.zh, feedback.correct,
                        "，".join(f"{guide.item(c).label}［{c}］" for c in exercise.clauses),
                        at or datetime.now().replace(microsecond=0))
        return replace(self, answers=(*self.answers, answer))

    @property
    def n_answered(self) -> int:
        return len(self.answers)

    @property
    def n_correct(self) -> int:
        return sum(a.correct for a in self.answers)

    @property
    def percent(self) -> float:
        """Share of first answers that were right, 0-100 (0 before any answer)."""
        return 100.0 * self.n_correct / self.n_answered if self.answers else 0.0

    def summary(self) -> Text:
        return Text(f"得分 {self.n_correct}/{self.n_answered}（{self.percent:.0f}%）",
                    f"Score {self.n_correct}/{self.n_answered} ({self.percent:.0f}%)")


def _text_cell(ws: Any, row: int, col: int, value: object) -> None:
    """Write a value; any text as text, so a name such as ``=1+1`` never becomes a formula."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"


def score_to_excel(score: Score, path: str | Path) -> Path:
    """Write the score to an .xlsx workbook: a summary, every answer, and a sheet by part."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    guide = load_guide()
    path = Path(path)
    book = Workbook()
    ws = book.active
    ws.title = "成绩 Score"
    head = [("学员 Trainee", score.trainee), ("练习组 Set (seed)", "" if score.seed is None
                                              else str(score.seed)),
            ("作答 Answered", score.n_answered), ("正确 Correct", score.n_correct),
            ("正确率 Rate", round(score.percent / 100, 4)),
            ("导出时间 Exported", datetime.now().replace(microsecond=0))]
    for r, (label, value) in enumerate(head, start=1):
        _text_cell(ws, r, 1, label)
        _text_cell(ws, r, 2, value)
        ws.cell(row=r, column=1).font = Font(bold=True)
    ws.cell(row=5, column=2).number_format = "0%"
    ws.cell(row=6, column=2).number_format = "yyyy-mm-dd hh:mm"
    columns = ("序号 No.", "部分 Part", "题型 Kind", "题目 Question", "作答 Given",
               "正确答案 Answer", "结果 Result", "依据 Clause", "时间 Time")
    first = len(head) + 2
    for c, title in enumerate(columns, start=1):
        _text_cell(ws, first, c, title)
        ws.cell(row=first, column=c).font = Font(bold=True)
    for n, a in enumerate(score.answers, start=1):
        kind = KINDS[a.kind].title.zh if a.kind in KINDS else a.kind
        values = (n, guide.part(a.part).label, kind, a.question, a.given, a.answer,
                  "正确" if a.correct else "错误", a.clauses, a.at)
        for c, value in enumerate(values, start=1):
            _text_cell(ws, first + n, c, value)
        ws.cell(row=first + n, column=9).number_format = "yyyy-mm-dd hh:mm"
    for letter, width in zip("ABCDEFGHI", (18, 8, 14, 60, 24, 24, 8, 22, 17), strict=True):
        ws.column_dimensions[letter].width = width
    parts = book.create_sheet("按部分 By part")
    for c, title in enumerate(("部分 Part", "作答 Answered", "正确 Correct"), start=1):
        _text_cell(parts, 1, c, title)
    for r, p in enumerate(PARTS, start=2):
        mine = [a for a in score.answers if a.part == p]
        _text_cell(parts, r, 1, f"{guide.part(p).label} {guide.part(p).text.zh}")
        _text_cell(parts, r, 2, len(mine))
        _text_cell(parts, r, 3, sum(a.correct for a in mine))
    parts.column_dimensions["A"].width = 26
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
