"""The generators of the training exercises, one per kind (registered in :data:`kit.training.KINDS`).

A generator takes a seeded :class:`random.Random` and returns a :class:`Draft`: the question,
options, answer, the reason for it and the clauses that say so. Answers the kit can compute are
never typed in: a scenario is built as a small :class:`~kit.record.Inspection` and the answer
is what :func:`kit.rules.check` says about it; record-sampling answers come from
:mod:`kit.sampling`, deadlines from :mod:`kit.workdays`, options from the guide's vocabularies.
What the guide leaves to judgement comes from the teaching content (``kit/data/training.yaml``),
and so does the clause that decides each kind's answer (its ``decided_by``), cited first.

A question grades only what the guide says. Where an answer also rests on a setting of the kit's
own (九、6's "数据差别较大" has no figure in the guide), the question states the setting as the
kit's. A blank or a swapped phrase is a phrase of a clause, never its whole text, and a swapped
sentence is never the text of any clause of the guide.

Every draw from the generator's ``rng`` is part of what a seed means: drawing in another order,
or drawing more or less, changes the exercises every seed gives.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache

import pandas as pd

from kit.errors import Problem
from kit.guide import Clause, Text, load_guide
from kit.labels import MEMBER_ROLES
from kit.record import (
    Company,
    Finding,
    Inspection,
    Member,
    Notification,
    Signatures,
    new_inspection,
)
from kit.rules import DELEGATED_FEEDBACK_WORKDAYS, check
from kit.sampling import (
    SampleParameters,
    data_conclusion_mismatch,
    find_discrepancies,
    in_window,
    record_windows,
)
from kit.training._content import Basis, RecordKind, Situation, load_teaching
from kit.workdays import load_calendar

Rng = random.Random

YES, NO = "yes", "no"
YES_NO = ((Text("是", "Yes"), YES), (Text("否", "No"), NO))
SAMPLING_YEAR = 2026


@dataclass(frozen=True)
class Draft:
    """An exercise before it has an id: :func:`kit.training.exercises` adds the id and cites
    ``clauses`` after ``reason`` for the explanation.

    ``clauses[0]`` is the clause that decides the answer; ``reason`` never names a cited
    clause itself, so that the feedback says "依据 …" once.
    """

    question: Text
    options: tuple[tuple[Text, str], ...]
    answer: str
    reason: Text
    clauses: tuple[str, ...]
    exhibit: tuple[tuple[str, ...], ...] = ()
    facts: Mapping[str, str] = field(default_factory=dict)


# -- helpers ---------------------------------------------------------------------------------
def _draft(question: Text, options: Sequence[tuple[Text, str]], answer: str, reason: Text,
           clauses: Sequence[str], rng: Rng, *, shuffle: bool = True,
           exhibit: Sequence[Sequence[str]] = (), facts: Mapping[str, str] | None = None) -> Draft:
    opts = list(options)
    if shuffle:
        rng.shuffle(opts)
    return Draft(question, tuple(opts), answer, reason, tuple(clauses),
                 tuple(tuple(r) for r in exhibit), dict(facts or {}))


def _decided(kind: str) -> str:
    """The clause that decides every answer of ``kind``, as the teaching content declares it."""
    basis = load_teaching().decided_by[kind]
    assert isinstance(basis, Basis), f"{kind} is decided by one clause"
    return basis.clause


def _errors(inspection: Inspection, prefix: str) -> list[Problem]:
    """The rules' errors whose code starts with ``prefix`` (where an answer comes from)."""
    return [p for p in check(inspection) if p.severity == "error" and p.code.startswith(prefix)]


# a rule's message names its clause in brackets, "（四、1）", "（六、7，十、1）", "(八.4 (1))": the
# explanation cites the clauses once, after the reason
_CITED_ZH = re.compile(r"（[一二三四五六七八九十]、(?:[^（）]|（[^（）]*）)*）")
_CITED_EN = re.compile(r" ?\([一二三四五六七八九十]\.(?:[^()]|\([^()]*\))*\)")


def _rule_text(problems: Sequence[Problem], ok: Text) -> Text:
    if not problems:
        return ok
    zh = dict.fromkeys(_CITED_ZH.sub("", p.message) for p in problems)
    en = dict.fromkeys(_CITED_EN.sub("", p.message_en) for p in problems)
    return Text("；".join(zh) + "。", "; ".join(en) + ".")


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _term_options(vocabulary: str, answer: str, rng: Rng, n: int = 4) -> list[tuple[Text, str]]:
    terms = load_guide().terms(vocabulary)
    others = [t for t in terms if t.code != answer]
    chosen = [next(t for t in terms if t.code == answer), *rng.sample(others, min(n - 1,
                                                                                len(others)))]
    return [(Text(t.zh, t.en), t.code) for t in chosen]


def _situation(vocabulary: str, rng: Rng) -> tuple[Situation, dict[str, str]]:
    """A situation drawn, and the facts naming it (its vocabulary and number)."""
    found = load_teaching().situations[vocabulary]
    k = rng.randrange(len(found))
    return found[k], {"situation": f"{vocabulary}/{k}"}


def _weekday(day: date) -> Text:
    return Text(f"{day:%Y年%m月%d日}（周{'一二三四五六日'[day.weekday()]}）",
                f"{day:%Y-%m-%d} ({day:%a})")


# -- 一 二 三 四 ---------------------------------------------------------------------------
def role(rng: Rng) -> Draft:
    situation, facts = _situation("roles", rng)
    code, text = situation.code, situation.text
    name = rng.choice(load_teaching().companies)
    term = load_guide().term("roles", code)
    options = [(Text(t.zh, t.en), t.code) for t in load_guide().terms("roles")]
    return _draft(Text(f"{name}{text.zh}按指南一，它属于哪一类被检查对象？",
                       f"{name} {text.en} Under part 一, what kind of inspected party is it?"),
                  options, code, Text(f"该企业是{term.zh}。", f"It is a {term.en}."),
                  situation.clauses, rng, shuffle=False, facts={"role": code, **facts})


def principle(rng: Rng) -> Draft:
    terms = load_guide().terms("principles")
    wrong = rng.choice(load_teaching().not_principles)
    options = [(Text(t.zh, t.en), t.code) for t in rng.sample(terms, 3)]
    options.append((wrong, "not_a_principle"))
    return _draft(Text("下列哪一项不是指南二规定的检查原则？",
                       "Which of these is not one of the inspection principles of part 二?"),
                  options, "not_a_principle",
                  Text(f"检查原则是：{'、'.join(t.zh for t in terms)}，不含“{wrong.zh}”。",
                       f"The principles are: {', '.join(t.en for t in terms)}."),
                  (_decided("principle"),), rng)


_BASIS_ZH = re.compile(r"^《(?P<title>[^》]+)》（(?P<no>[^）]+)）$")
_BASIS_EN = re.compile(r"^(?P<title>.+?) \((?P<no>[^()]*No\. \d+[^()]*)\)$")


def _bases() -> list[tuple[str, re.Match[str], re.Match[str]]]:
    """三's bases that give a title and a number: (clause id, its Chinese, its English)."""
    found = []
    for clause in load_guide().part(3).items("item"):
        zh, en = _BASIS_ZH.match(clause.zh), _BASIS_EN.match(clause.en)
        if zh and en:
            found.append((clause.id, zh, en))
    return found


def basis(rng: Rng) -> Draft:
    chosen = rng.sample(_bases(), 4)
    cid, zh, en = chosen[0]
    options = [(Text(z["no"], e["no"]), c) for c, z, e in chosen]
    return _draft(Text(f"指南三所列检查依据《{zh['title']}》的文号是？",
                       f"What is the number of the basis '{en['title']}' listed in part 三?"),
                  options, cid, Text(f"《{zh['title']}》是{zh['no']}。",
                                     f"'{en['title']}' is {en['no']}."), (cid,), rng)


def team(rng: Rng) -> Draft:
    teaching = load_teaching()
    roles = rng.choice(teaching.teams)
    members = {f"M{i}": Member(teaching.team_names[i], r) for i, r in enumerate(roles)}
    found = _errors(replace(new_inspection(), team=members), "team.")
    who = Text("、".join(f"{MEMBER_ROLES[m.role][0]}{m.name}" for m in members.values()),
               ", ".join(f"{MEMBER_ROLES[m.role][1]} {m.name}" for m in members.values()))
    ok = Text("检查组有一名组长，检查人员不少于2名（专家不计入检查人员），符合要求。",
              "One leader and at least 2 inspectors (experts do not count): the team may work.")
    return _draft(Text(f"检查组由{who.zh}组成。该检查组符合指南四的要求吗？",
                       f"The team is: {who.en}. Does it meet part 四?"),
                  YES_NO, _yes_no(not found), _rule_text(found, ok), (_decided("team"),), rng,
                  shuffle=False, facts={"roles": ",".join(roles)})


# -- 五 六 ---------------------------------------------------------------------------------
def inspection_type(rng: Rng) -> Draft:
    situation, facts = _situation("inspection_types", rng)
    code, text = situation.code, situation.text
    term = load_guide().term("inspection_types", code)
    return _draft(Text(f"{text.zh}按指南，这是哪种检查方式？",
                       f"{text.en} Under the guide, which kind of inspection is it?"),
                  _term_options("inspection_types", code, rng), code,
                  Text(f"该情形属于{term.zh}。", f"This is a {term.en}."), situation.clauses, rng,
                  facts={"type": code, **facts})


def _type_text(code: str, unannounced: bool) -> Text:
    term = load_guide().term("inspection_types", code)
    return Text(term.zh + ("（飞行检查）" if unannounced else ""),
                term.en + (" (unannounced)" if unannounced else ""))


def notification(rng: Rng) -> Draft:
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
                  YES_NO, _yes_no(not found), _rule_text(found, ok), (_decided("notification"),),
                  rng,
                  shuffle=False, facts={"type": code, "unannounced": _yes_no(unannounced)})


def refusal(rng: Rng) -> Draft:
    scene = load_teaching().refusal
    witness = rng.random() < 0.5
    valid, messages, options = [], {}, []
    for way in scene.signings:
        if not (witness or way.witness_signs):
            continue  # "the witness need not sign" is offered only with a witness
        witness_signs = witness and way.witness_signs
        sig = Signatures(refused=True, refusal_note=scene.note.zh,
                         inspector_signers=way.signers, witness_present=witness,
                         witness_name=scene.witness if witness else "",
                         witness_signed=witness_signs)
        found = _errors(replace(new_inspection(), team=dict(scene.team), signatures=sig),
                        "signatures.")
        messages.update({_CITED_ZH.sub("", p.message): _CITED_EN.sub("", p.message_en)
                         for p in found})
        if not found:
            valid.append(way.value)
        suffix = ("，见证人签字", ", the witness signs") if witness_signs else ("", "")
        options.append((Text(way.text.zh + suffix[0], way.text.en + suffix[1]), way.value))
    (answer,) = valid  # the rules accept exactly one way
    where = (f"；现场有见证人{scene.witness}", f"; a witness, {scene.witness}, is present") \
        if witness else ("", "")
    reason = Text("；".join(messages) + "；专家不是检查人员。", "; ".join(messages.values())
                  + "; an expert is not an inspector.")
    who = scene.team_text
    return _draft(Text(f"{scene.note.zh}检查组：{who.zh}{where[0]}。应如何签字确认？",
                       f"{scene.note.en} Team: {who.en}{where[1]}. Who signs?"),
                  options, answer, reason, (_decided("refusal_signers"),), rng,
                  facts={"witness": _yes_no(witness)})


# -- 七 -----------------------------------------------------------------------------------
def section_of_item(rng: Rng) -> Draft:
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
                  options, right.id, Text(f"该项在“{right.text.zh}”一节。",
                                          f"It is in the section '{right.text.en}'."),
                  (item.id,), rng)


def section14(rng: Rng) -> Draft:
    teaching = load_teaching()
    case = rng.choice(teaching.contract_cases)
    partners = {"C1": case.partner} if case.partner else {}
    name = teaching.contract_company
    sections = tuple(s.id for s in load_guide().sections if s.id != "7.14")
    company = Company(name=name, role=case.role, partners=partners)
    found = _errors(new_inspection(company=company, sections=sections), "scope.section14")
    reason = (Text("企业涉及委托生产，检查时应同时重点关注委托生产的检查内容。",
                   "The company is in contract manufacturing: the inspection also covers it.")
              if found else
              Text("企业不涉及委托生产，委托生产的检查内容不是必查内容。",
                   "The company is not in contract manufacturing: that section is not required."))
    return _draft(Text(f"{name}{case.text.zh}。对其检查时，检查范围必须包括七、14 委托生产情形吗？",
                       f"{name} {case.text.en}. Must the inspection cover 七.14?"),
                  YES_NO, _yes_no(bool(found)), reason, (_decided("section14"),), rng,
                  shuffle=False, facts={"role": case.role, "partners": str(len(partners))})


# -- 八 -----------------------------------------------------------------------------------
def remote(rng: Rng) -> Draft:
    if rng.random() < 0.4:
        code, unannounced = "for_cause", rng.random() < 0.5
    else:
        code = rng.choice(("supervisory", "focused", "follow_up", "special", "extended"))
        unannounced = rng.random() < 0.2
    ins = new_inspection(type=code)  # type: ignore[arg-type]
    ins = replace(ins, scope=replace(ins.scope, remote=True, unannounced=unannounced,
                                     remote_reason="因不可抗力不宜到企业现场"))
    found = _errors(ins, "remote.")
    kind = _type_text(code, unannounced)
    ok = Text("有时限要求、因不可抗力不宜到现场，又不是有因（飞行）检查，可以远程检查，但不能降低检查标准，"
              "结果需经检查单位和企业确认。",
              "It cannot wait, force majeure keeps the team away, and it is not a for-cause or "
              "unannounced inspection: it may be remote, to the same standard, with the result "
              "confirmed by both sides.")
    clauses = (_decided("remote"),) if found else (_decided("remote"), "8.4.2")
    return _draft(Text(f"一次{kind.zh}有时限要求，但因不可抗力不宜到企业现场开展线下检查，拟采用远程检查。可以吗？",
                       f"A {kind.en} is subject to a time limit, but force majeure keeps the team "
                       "away from the site; may it be done remotely?"),
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


def delegated_deadline(rng: Rng) -> Draft:
    n = DELEGATED_FEEDBACK_WORKDAYS
    start, due, options, reason = _deadline(rng, n)
    return _draft(Text(f"委托检查于{_weekday(start).zh}结束。受托生产企业所在地监管部门最迟应在哪一天"
                       "向注册人所在地监管部门反馈检查结果？",
                       f"A delegated inspection ended on {_weekday(start).en}. By which day must "
                       "the result reach the registrant's authority?"),
                  options, due.isoformat(), reason, (_decided("delegated_deadline"),), rng,
                  facts={"start": start.isoformat(), "workdays": str(n)})


# -- 九 -----------------------------------------------------------------------------------
def _records(rng: Rng, dates: Sequence[date],
             batches: Sequence[str] | None = None) -> tuple[pd.DataFrame, RecordKind]:
    kind = rng.choice(load_teaching().record_kinds)
    ids = sorted(rng.sample(range(1, 999), len(dates)))
    order = sorted(range(len(dates)), key=lambda k: dates[k])
    frame = pd.DataFrame({
        "record_id": [f"JL-{ids[order.index(k)]:04d}" for k in range(len(dates))],
        "record_type": kind.record_type, "product": kind.product,
        "batch": list(batches) if batches else [f"B{d:%y%m}-{k + 1:02d}"
                                                for k, d in enumerate(dates)],
        "record_date": pd.to_datetime(list(dates))})
    return frame, kind


def _table(frame: pd.DataFrame, columns: Mapping[str, str]) -> list[list[str]]:
    body = frame[list(columns)].astype(object).map(
        lambda v: f"{v:%Y-%m-%d}" if isinstance(v, pd.Timestamp) else str(v))
    return [list(columns.values()), *body.to_numpy().tolist()]


def _inspection_day(rng: Rng) -> date:
    return date(SAMPLING_YEAR, 1, 1) + timedelta(days=rng.randint(120, 330))


_BASIC = {"record_id": "记录编号", "record_type": "记录类型", "product": "产品", "batch": "批号",
          "record_date": "记录日期"}


def sampling_window(rng: Rng) -> Draft:
    day = _inspection_day(rng)
    offsets = [rng.randint(5, 80), *rng.sample(range(100, 330), 3)]
    frame, kind = _records(rng, [day - timedelta(days=o) for o in offsets])
    windows = record_windows(frame, day)
    inside = frame[in_window(frame, windows)]
    (answer,) = inside["record_id"]
    start = windows["window_start"].iloc[0]
    options = [(Text(f"{rid}（{when:%Y-%m-%d}）", f"{rid} ({when:%Y-%m-%d})"), str(rid))
               for rid, when in zip(frame["record_id"], frame["record_date"], strict=True)]
    return _draft(Text(f"检查日期为 {day}。下表是企业的{kind.record_type}（{kind.product}）。按九、2，"
                       "应优先选取哪一份记录？",
                       f"The inspection is on {day}. The table lists the company's "
                       f"{kind.record_type} for {kind.product}. Under 九.2, which record comes "
                       "first?"),
                  options, answer,
                  Text(f"一般选取现场检查前一季度内的记录：{start:%Y-%m-%d} 至 {day} 之间只有 {answer}。",
                       f"Records from the quarter before the inspection come first: only {answer} "
                       f"lies between {start:%Y-%m-%d} and {day}."),
                  (_decided("sampling_window"),), rng, shuffle=False, exhibit=_table(frame, _BASIC),
                  facts={"inspection_date": day.isoformat()})


def sampling_cycle(rng: Rng) -> Draft:
    day = _inspection_day(rng)
    starts = sorted(rng.sample(range(120, 320, 20), 3), reverse=True)
    dates, batches, types = [], [], []
    for k, begin in enumerate(starts):
        first = day - timedelta(days=begin)
        batch = f"B{first:%y%m}-{k + 1:02d}"
        dates += [first, first + timedelta(days=rng.randint(3, 12))]
        batches += [batch, batch]
        types += ["生产记录", "出厂检验记录"]
    frame, kind = _records(rng, dates, batches)
    frame["record_type"] = types
    windows = record_windows(frame, day)
    answer = str(windows["cycle_batch"].iloc[0])
    lo, hi = windows["window_start"].iloc[0], windows["window_end"].iloc[0]
    options = [(Text(b, b), b) for b in dict.fromkeys(batches)]
    return _draft(Text(f"检查日期为 {day}，{kind.product}近一季度没有生产记录（见下表）。按九、2，"
                       "应选取哪一批的记录？",
                       f"The inspection is on {day}; {kind.product} has no records in the last "
                       "quarter (see the table). Under 九.2, which batch's records are taken?"),
                  options, answer,
                  Text(f"检查前一季度内没有记录时，选取最近一个生产周期的记录：批号 {answer}"
                       f"（{lo:%Y-%m-%d} 至 {hi:%Y-%m-%d}）。",
                       f"With no records in the quarter, the latest production cycle is taken: "
                       f"batch {answer} ({lo:%Y-%m-%d} to {hi:%Y-%m-%d})."),
                  (_decided("sampling_cycle"),), rng, shuffle=False, exhibit=_table(frame, _BASIC),
                  facts={"inspection_date": day.isoformat()})


def sampling_conclusion(rng: Rng) -> Draft:
    day = _inspection_day(rng)
    frame, kind = _records(
        rng, sorted(day - timedelta(days=d) for d in rng.sample(range(3, 90), 4)))
    column, unit, low, high = kind.column, kind.unit, kind.lower, kind.upper
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
                  (_decided("sampling_conclusion"),), rng, shuffle=False,
                  exhibit=_table(frame, cols))


def sampling_discrepancy(rng: Rng) -> Draft:
    day = _inspection_day(rng)
    frame, kind = _records(
        rng, [day - timedelta(days=d) for d in sorted(rng.sample(range(3, 90), 2))])
    column, unit = kind.column, kind.unit
    low, high = kind.lower, kind.upper
    tol = high - low
    a = round(rng.uniform(low + 0.2 * tol, high - 0.2 * tol), 1)
    # alike: close within the limits; differing: apart by much of the tolerance, or far off
    # (then one usually lies outside its limits too, which 九、5 would also catch)
    b = (round(min(max(a + rng.uniform(-0.1, 0.1) * tol, low), high), 1) if rng.random() < 0.5
         else round(a * (1 - rng.uniform(0.3, 0.6)), 1))
    threshold = SampleParameters(day, 0).discrepancy
    measured_frame = frame.assign(lower=low, upper=high)
    measured_frame[column] = [a, b]
    found = find_discrepancies(measured_frame, threshold=threshold, columns=[column])
    widen, measured = bool(found["discrepant"].iloc[0]), found["relative_difference"].iloc[0]
    word = ("超过", "above") if widen else ("未超过", "not above")
    diff = abs(a - b)
    setting = Text(f"本工具包把“数据差别较大”设为两者之差超过公差（上限－下限）的 {threshold:.0%}"
                   "（本工具包的设置，可在抽样参数中调整；指南未规定具体数值）",
                   f"The kit takes 'differ a lot' as a difference above {threshold:.0%} of the "
                   "tolerance (upper - lower limit): the kit's setting, a sampling parameter; the "
                   "guide sets no figure")
    return _draft(Text(f"相似条件下的两份{kind.record_type}（{kind.product}）中，{column}分别为 {a} 和 "
                       f"{b} {unit}（限值 {low:g}–{high:g} {unit}）。{setting.zh}。按九、6 和本工具包的"
                       "这一设置，需要补充选取相似条件下的同种记录进行确认，并询问差别原因吗？",
                       f"Two {kind.record_type} of {kind.product} under similar conditions show "
                       f"{column} {a} and {b} {unit} (limits {low:g}-{high:g} {unit}). "
                       f"{setting.en}. Under 九.6 and this setting of the kit, should more such "
                       "records be taken and the difference asked about?"),
                  YES_NO, _yes_no(widen),
                  Text(f"两者相差 {diff:.2g} {unit}，为公差（{tol:g} {unit}）的 {measured:.0%}，"
                       f"{word[0]}本工具包设定的 {threshold:.0%}。",
                       f"They differ by {diff:.2g} {unit}, {measured:.0%} of the tolerance "
                       f"({tol:g} {unit}): {word[1]} the kit's {threshold:.0%}."),
                  (_decided("sampling_discrepancy"),), rng, shuffle=False,
                  facts={"a": str(a), "b": str(b), "lower": str(low), "upper": str(high),
                         "threshold": str(threshold)})


# -- 十 -----------------------------------------------------------------------------------
def handling(rng: Rng) -> Draft:
    situation, facts = _situation("handling_kinds", rng)
    code, text = situation.code, situation.text
    guide = load_guide()
    term = guide.term("handling_kinds", code)
    finding = Finding("7.1.m1", text.zh, code)
    # what a record of this handling needs besides (a deadline, 六、7), as the rules say
    found = _errors(replace(new_inspection(), findings={"F1": finding}), "finding.")
    extra = _rule_text(found, Text("", ""))
    options = [(Text(t.zh, t.en), t.code) for t in guide.terms("handling_kinds")]
    return _draft(Text(f"现场发现：{text.zh}按十、1，应如何处理？",
                       f"Found on site: {text.en} Under 十.1, how is it handled?"),
                  options, code,
                  Text(f"该情形应{term.zh}。{extra.zh}", f"This calls for {term.en}. {extra.en}"),
                  situation.clauses, rng, shuffle=False, facts={"handling": code, **facts})


def rectification_deadline(rng: Rng) -> Draft:
    n = rng.choice((10, 15, 20, 30))
    start, due, options, reason = _deadline(rng, n)
    return _draft(Text(f"现场检查于{_weekday(start).zh}结束，检查组与企业协商确定整改时限为 {n} 个工作日。"
                       "整改期限是哪一天？",
                       f"The visit ended on {_weekday(start).en}; the agreed rectification time is "
                       f"{n} working days. What is the deadline?"),
                  options, due.isoformat(), reason, (_decided("rectification_deadline"), "10.1.4"),
                  rng,
                  facts={"start": start.isoformat(), "workdays": str(n)})


# -- the guide's own words, for every part ---------------------------------------------------
# These kinds take a part's clauses as the material: where a clause is quoted, which part holds
# it, a phrase left out, a phrase swapped. The answer is the guide's text itself.
_PHRASE = re.compile(r"[^、，；。：（）“”《》\s,;:()]+")
_TEXT_KINDS = ("paragraph", "item", "content", "method", "focus")


def _clauses(part: str) -> list[Clause]:
    """The part's clauses with text enough to quote (its section titles are not)."""
    return [c for c in load_guide().part(part).walk()
            if c.kind in _TEXT_KINDS and len(c.zh) >= 8]


def _phrases(text: str) -> list[str]:
    """The phrases between the punctuation of a text, 2-10 characters, each once."""
    return list(dict.fromkeys(p for p in _PHRASE.findall(text) if 2 <= len(p) <= 10))


def _key_phrases(clause: Clause) -> list[str]:
    """The phrases of a clause a question may leave out or swap: a key term or phrase, never the
    whole text of the clause, with at least as many of its words left around it (and 4)."""
    def rest(phrase: str) -> int:
        return len("".join(_PHRASE.findall(clause.zh.replace(phrase, "", 1))))

    return [p for p in _phrases(clause.zh) if rest(p) >= max(4, len(p))]


_ENDS = "；。;.，, "


@cache
def _guide_texts() -> tuple[str, ...]:
    return tuple(t for c in load_guide().clauses() if (t := c.zh.strip().rstrip(_ENDS)))


def _is_guide_text(text: str) -> bool:
    """Whether ``text`` is the text of a clause of the guide, or a part of one."""
    words = text.strip().rstrip(_ENDS)
    return any(words in t for t in _guide_texts())


def _other_phrases(part: str, clause: Clause, near: str, n: int = 3) -> list[str]:
    """Phrases (at least ``n``) of about ``near``'s length from elsewhere in the part (else the
    guide), none of them in ``clause``'s own text, none making it another clause's text."""
    def pool(clauses: Sequence[Clause]) -> list[str]:
        return sorted({p for c in clauses if c.id != clause.id for p in _phrases(c.zh)
                       if p not in clause.zh and near not in p and abs(len(p) - len(near)) <= 2
                       and not _is_guide_text(clause.zh.replace(near, p, 1))})

    found = pool(_clauses(part))
    if len(found) < n:
        found = pool([c for c in load_guide().clauses() if c.kind in _TEXT_KINDS])
    return found


def _quoted(clause: Clause) -> Text:
    return Text(clause.zh, clause.en or clause.zh)


def source_clause(part: str, rng: Rng) -> Draft:
    """Where does the guide say this? The clause and three others of its part."""
    clauses = _clauses(part)
    clause = rng.choice(clauses)

    def apart(c: Clause) -> bool:  # another clause, not one holding these words (十、1 情形1)
        return c.id != clause.id and c.label != clause.label and clause.zh not in c.zh \
            and c.zh not in clause.zh

    others = [c for c in clauses if apart(c)]
    if len(others) < 3:
        others += [c for c in load_guide().clauses() if c.kind in _TEXT_KINDS
                   and c.part_id != part and apart(c)]
    chosen = [clause, *rng.sample(others[:max(3, len(others))], 3)]
    options = [(Text(c.label.rstrip("."), c.label.rstrip(".")), c.id) for c in chosen]
    quote = _quoted(clause)
    right = load_guide().part(part)
    return _draft(Text(f"“{quote.zh}”出自指南的哪一条？", f"Where does the guide say: '{quote.en}'?"),
                  options, clause.id, Text(f"该句在“{right.label} {right.text.zh}”。",
                                           f"It is in part {right.label}, {right.text.en}."),
                  (clause.id,), rng)


def part_of_clause(part: str, rng: Rng) -> Draft:
    """Which part of the guide holds this clause?"""
    guide = load_guide()
    clause = rng.choice(_clauses(part))
    parts = [guide.part(p) for p in range(1, 11) if str(p) != part]
    chosen = [guide.part(part), *rng.sample(parts, 3)]
    options = [(Text(f"{p.label} {p.text.zh}", f"{p.label} {p.text.en}"), p.id) for p in chosen]
    quote = _quoted(clause)
    right = guide.part(part)
    return _draft(Text(f"“{quote.zh}”属于指南的哪一部分？",
                       f"Which part of the guide says: '{quote.en}'?"),
                  options, right.id, Text(f"该句在“{right.label} {right.text.zh}”。",
                                          f"It is in part {right.label}, {right.text.en}."),
                  (clause.id,), rng)


def cloze(part: str, rng: Rng) -> Draft:
    """A key phrase of a clause left out (never its whole text): which phrase goes there?"""
    clause = rng.choice([c for c in _clauses(part) if _key_phrases(c)])
    phrase = rng.choice(_key_phrases(clause))
    blank = clause.zh.replace(phrase, "____", 1)
    others = rng.sample(_other_phrases(part, clause, phrase), 3)
    options = [(Text(p, p), p) for p in (phrase, *others)]
    return _draft(Text(f"{clause.label.rstrip('.')}：“{blank}”横线处应为？",
                       f"{clause.label} reads: '{blank}'. What fills the blank?"),
                  options, phrase, Text(f"原文：“{clause.zh}”", f"The guide: '{clause.en}'"),
                  (clause.id,), rng)


def true_or_false(part: str, rng: Rng) -> Draft:
    """A clause as the guide has it, or with one key phrase swapped (the changed sentence never
    the text of any clause): is it what the guide says?"""
    clause = rng.choice([c for c in _clauses(part) if _key_phrases(c)])
    phrase = rng.choice(_key_phrases(clause))
    swapped = rng.random() < 0.5
    other = rng.choice(_other_phrases(part, clause, phrase, 1))
    shown = clause.zh.replace(phrase, other, 1) if swapped else clause.zh
    reason = (Text(f"原文是“{phrase}”，不是“{other}”：“{clause.zh}”",
                   f"The guide says '{phrase}', not '{other}': '{clause.en}'") if swapped else
              Text(f"与原文一致：“{clause.zh}”", f"As the guide says: '{clause.en}'"))
    return _draft(Text(f"指南{clause.label.rstrip('.')}：“{shown}”这句话与指南原文一致吗？",
                       f"Does {clause.label} read: '{shown}'?"),
                  YES_NO, _yes_no(not swapped), reason, (clause.id,), rng, shuffle=False,
                  facts={"swapped": _yes_no(swapped), **({"phrase": phrase, "other": other}
                                                          if swapped else {})})


# -- more of 一 二 三 四 六 -------------------------------------------------------------------
_INSPECTORS = re.compile(r"是指(?P<who>[^对]+?)对")


def who_inspects(rng: Rng) -> Draft:
    """一: who carries out the supervisory inspection (the guide's words), not who is inspected."""
    guide = load_guide()
    clause = guide.item("1.1")
    match = _INSPECTORS.search(clause.zh)
    assert match is not None, "1.1 names who inspects"
    who = match["who"]
    roles = rng.sample(list(guide.terms("roles")), 3)
    options = [(Text(who, "Beijing's medical device production regulatory personnel"), "who"),
               *((Text(t.zh, t.en), t.code) for t in roles)]
    return _draft(Text("按指南一，本指南所指的监督检查由谁实施？",
                       "Under part 一, who carries out the supervisory inspections of the guide?"),
                  options, "who",
                  Text(f"监督检查由{who}实施；{'、'.join(t.zh for t in roles)}是被检查对象。",
                       "The regulators inspect; registrants, filers and contract manufacturers "
                       "are inspected."), (_decided("who_inspects"),), rng)


def principle_missing(rng: Rng) -> Draft:
    """二: five of the six principles are listed; which one is missing?"""
    terms = list(load_guide().terms("principles"))
    missing = rng.choice(terms)
    shown = [t for t in terms if t.code != missing.code]
    wrong = rng.sample(list(load_teaching().not_principles), 3)
    options = [(Text(missing.zh, missing.en), missing.code),
               *((t, f"not:{k}") for k, t in enumerate(wrong))]
    return _draft(Text(f"指南二的检查原则有：{'、'.join(t.zh for t in shown)}，还有哪一项？",
                       f"The principles of part 二 are {', '.join(t.en for t in shown)} and?"),
                  options, missing.code,
                  Text(f"检查原则是：{'、'.join(t.zh for t in terms)}。",
                       f"The principles are: {', '.join(t.en for t in terms)}."),
                  (_decided("principle_missing"),), rng)


def basis_title(rng: Rng) -> Draft:
    """三: the number of a basis is given; which regulation is it?"""
    chosen = rng.sample(_bases(), 4)
    cid, zh, en = chosen[0]
    options = [(Text(f"《{z['title']}》", e["title"]), c) for c, z, e in chosen]
    return _draft(Text(f"指南三所列检查依据中，文号为“{zh['no']}”的是？",
                       f"Which basis listed in part 三 is {en['no']}?"),
                  options, cid, Text(f"{zh['no']}是《{zh['title']}》。",
                                     f"{en['no']} is '{en['title']}'."), (cid,), rng)


def leader_requirement(rng: Rng) -> Draft:
    """四: which requirement is the leader's own (4.3), beyond every inspector's (4.2)?"""
    guide = load_guide()
    leader = rng.choice(guide.item("4.3").children)
    everyone = rng.sample(list(guide.item("4.2").children), 3)

    def short(c: Clause) -> Text:
        return Text(c.zh.rstrip("；。"), (c.en or c.zh).rstrip(";."))

    options = [(short(leader), leader.id), *((short(c), c.id) for c in everyone)]
    return _draft(Text("下列哪一项是指南四对检查组长（而不是对每名检查人员）的要求？",
                       "Which of these does part 四 ask of the team leader, beyond every "
                       "inspector?"),
                  options, leader.id,
                  Text("该项是对检查组长的要求；其余三项是对所有检查人员的要求。",
                       "It is asked of the leader; the other three of every inspector."),
                  (leader.id, "4.2"), rng)


def step_order(rng: Rng) -> Draft:
    """六: the steps of the visit in their order: which comes right after this one?"""
    steps = list(load_guide().part(6).items("item"))
    k = rng.randrange(len(steps) - 1)
    now, after = steps[k], steps[k + 1]
    others = rng.sample([s for i, s in enumerate(steps) if i not in (k, k + 1)], 3)

    def short(c: Clause) -> Text:
        return Text(c.zh[:40].rstrip("，。；") + ("…" if len(c.zh) > 40 else ""),
                    (c.en or c.zh)[:80] + ("…" if len(c.en or c.zh) > 80 else ""))

    options = [(short(after), after.id), *((short(s), s.id) for s in others)]
    return _draft(Text(f"按指南六的检查实施顺序，“{short(now).zh}”（{now.label}）之后是哪一步？",
                       f"In the order of part 六, what comes right after '{short(now).en}' "
                       f"({now.label})?"),
                  options, after.id, Text(f"其后一步是：{after.zh}",
                                          f"Next comes: {after.en or after.zh}"),
                  (now.id, after.id), rng)
