"""Each company's supervision level and the year's plan of inspections (五、1 分类分级, 十、3（3）).

A company's level comes from its products against the key-supervision catalogues, raised by
one for each of: being listed for key supervision (十、3（3）), the same item found in two or
more inspections, a serious finding (十、1) in the last years. The level says how often a full
inspection is due; the last full inspection says when the next one is. The year's plan takes
every company due by the year's end (the overdue first), proposes a month whose middle is not
after its due date while keeping the months even, and a team of two whose loads stay even.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kit.analytics import SERIOUS_HANDLING, Tables
from kit.dates import beijing_today
from kit.errors import KitError
from kit.guide import load_guide
from kit.planning._rules import Level, Serious, SupervisionRules, load_supervision_rules
from kit.policy import load_policy
from kit.register import RegisteredCompany

LEVEL_COLUMNS = ("company", "credit_code", "level", "level_zh", "basis", "every_months",
                 "kind", "raised_by", "scope", "products", "in_register", "last_inspection",
                 "last_full_inspection", "next_due", "last_leader")
PLAN_COLUMNS = ("month", "company", "credit_code", "level", "level_zh", "kind", "scope", "next_due",
                "overdue", "last_full_inspection", "leader", "inspector", "basis")


@dataclass(frozen=True)
class Grading:
    """Each finding's grade and each inspection's verdict (with the scheme it was given under),
    for tables that do not carry them yet (:func:`grading_of`): ``findings`` has
    ``inspection_id``, ``finding``, ``grade``; ``verdicts`` has ``inspection_id``,
    ``verdict``, ``verdict_scheme``."""

    findings: pd.DataFrame
    verdicts: pd.DataFrame


def grading_of(rows: Iterable[tuple[str, str, str]]) -> Grading:
    """:class:`Grading` from the store's rows ``(inspection id, path, value JSON)`` at
    ``findings`` and ``opinion`` (what :meth:`kit.door.Door.rows` gives)."""
    grades: list[tuple[str, str, Any]] = []
    verdicts: dict[str, dict[str, Any]] = {}
    for iid, path, value in rows:
        parts = path.split("/")
        if len(parts) == 3 and parts[0] == "findings" and parts[2] == "grade":
            grades.append((iid, parts[1], json.loads(value)))
        elif path in ("opinion/verdict", "opinion/scheme"):
            verdicts.setdefault(iid, {})["verdict" if path.endswith("verdict") else
                                         "verdict_scheme"] = json.loads(value)
    return Grading(
        pd.DataFrame(grades, columns=["inspection_id", "finding", "grade"]),
        pd.DataFrame([{"inspection_id": i, "verdict": v.get("verdict", ""),
                       "verdict_scheme": v.get("verdict_scheme", "")}
                      for i, v in verdicts.items()],
                     columns=["inspection_id", "verdict", "verdict_scheme"]))


def _key(company: pd.Series, code: pd.Series, register: Mapping[str, str]) -> pd.Series:
    """A company's identity: its unified social credit code, else the code another of its
    inspections (by the same name) or the register recorded, else its name."""
    known = pd.DataFrame({"company": company, "code": code}).dropna().drop_duplicates(
        "company", keep="last").set_index("company")["code"]
    code = code.astype("string")
    return code.fillna(company.map(known).astype("string")).fillna(
        company.map(register).astype("string")).fillna(company.astype("string")).astype("string")


def _serious(tables: Tables, heads: pd.DataFrame, since: pd.Timestamp, rules: SupervisionRules,
             grading: Grading | None) -> tuple[set[str], set[str]]:
    """The companies (keys) with a finding graded serious, and with a serious verdict, since
    ``since``, each read under its inspection's scheme (else the office's scheme in force)."""
    if not rules.serious:
        return set(), set()
    recent = heads.loc[heads["start_date"] >= since, ["inspection_id", "key"]]
    verdicts = (tables.inspections[["inspection_id", "verdict", "verdict_scheme"]]
                if "verdict" in tables.inspections else
                grading.verdicts if grading is not None else None)
    in_force = load_policy().scheme.id
    scheme = pd.Series(in_force, index=recent["inspection_id"], dtype=object)
    by_verdict: set[str] = set()
    if verdicts is not None and len(verdicts):
        v = recent.merge(verdicts, on="inspection_id")
        given = v["verdict_scheme"].astype(object).where(
            v["verdict_scheme"].notna() & v["verdict_scheme"].astype(object).ne(""), in_force)
        scheme.loc[v["inspection_id"]] = given.to_numpy()
        bad = [str(verdict) in rules.serious.get(str(s), Serious()).verdicts
               for verdict, s in zip(v["verdict"].astype(object), given, strict=True)]
        by_verdict = set(v.loc[bad, "key"])
    grades = (tables.findings[["inspection_id", "finding", "grade"]]
              if "grade" in tables.findings else
              grading.findings if grading is not None else None)
    by_grade: set[str] = set()
    if grades is not None and len(grades):
        g = recent.merge(grades, on="inspection_id")
        bad = [str(grade) in rules.serious.get(str(scheme.get(iid, in_force)), Serious()).grades
               for iid, grade in zip(g["inspection_id"], g["grade"].astype(object), strict=True)]
        by_grade = set(g.loc[bad, "key"])
    return by_grade, by_verdict


def company_levels(tables: Tables, as_of: date, *, rules: SupervisionRules | None = None,
                   register: Sequence[RegisteredCompany] | None = None,
                   grading: Grading | None = None) -> pd.DataFrame:
    """Every company in ``tables`` and in the ``register`` with its supervision level, why,
    and when its next full inspection is due.

    The products are the register's (else those of the company's latest inspection up to
    ``as_of`` that recorded any); a full inspection covers every section that applies to it
    (七、14 only where it contracts manufacturing, as the register says, else its
    inspections); the history that raises a level is that of the last ``history_years`` (the
    rules file), each reason named, the raise at most ``max_raise``. A company of the register
    never inspected is due by its level's rule: class I three months after filing, the
    others at once. Grades and verdicts are read from the tables when they carry them, else
    from ``grading``.
    """
    rules = rules or load_supervision_rules()
    day = pd.Timestamp(as_of)
    listed = {c.credit_code: c for c in (register or ())}
    by_name = {c.name: c.credit_code for c in listed.values()}
    heads = tables.inspections[tables.inspections["start_date"].le(day).fillna(False)]
    heads = heads.assign(key=_key(heads["company"], heads["credit_code"], by_name))
    latest = heads.sort_values(["start_date", "inspection_id"]).groupby("key").tail(1)
    sections = [s.id for s in load_guide().sections]
    since = day - pd.DateOffset(years=rules.history_years)
    recent = heads[heads["start_date"] >= since]
    f = tables.findings.merge(heads[["inspection_id", "key"]], on="inspection_id")
    f = f[f["start_date"] >= since]
    repeats = f.groupby(["key", "item"], observed=True)["inspection_id"].nunique()
    labels = f.drop_duplicates("item").set_index("item")["item_label"]
    repeated = repeats[repeats >= 2].reset_index().groupby("key")["item"].agg(
        lambda s: "、".join(str(labels.get(i, i)) for i in sorted(set(s))))
    serious = set(f.loc[f["handling"].isin(SERIOUS_HANDLING), "key"])
    graded, judged = _serious(tables, heads, since, rules, grading)
    measures = tables.follow_ups.merge(recent[["inspection_id", "key"]], on="inspection_id")
    key_listed = set(measures.loc[measures["measures"].map(lambda m: "key_supervision" in m),
                                  "key"])
    team = tables.team[tables.team["role"] == "leader"].drop_duplicates(
        "inspection_id").set_index("inspection_id")["name"]
    with_products = set(tables.products["inspection_id"])
    contracting = set(heads.loc[heads["role"].astype(object).eq("contract_manufacturer"), "key"])
    contract_filings = tables.licences.loc[
        tables.licences["kind"].astype(object).eq("contract_production_filing"), "inspection_id"]
    contracting |= set(heads.loc[heads["inspection_id"].isin(contract_filings), "key"])
    by_level = {lv.when: lv for lv in rules.levels}
    ladder = sorted(lv.level for lv in rules.levels)
    latest_by_key = {str(r.key): r for r in latest.itertuples(index=False)}
    keys = list(latest_by_key) + [code for code in listed if code not in latest_by_key]
    own_by_key = dict(tuple(heads.groupby("key", sort=False)))
    # each inspection's products and class I filing date, looked up once for every company
    texts = tables.products[["inspection_id", "name", "category_code", "device_class"]].astype(
        object).fillna("")
    named_by: dict[str, list[tuple[str, str, str]]] = {}
    for iid, n, c, k in texts.itertuples(index=False):
        named_by.setdefault(str(iid), []).append((str(n), str(c), str(k)))
    filings = tables.licences[tables.licences["kind"] == "class1_production_filing"]
    filed_by = filings.groupby(filings["inspection_id"].astype(object))["issued"].max()
    in_order = heads.sort_values(["start_date", "inspection_id"])
    recorded_by = {str(k): [str(i) for i in g if i in with_products] for k, g in
                   in_order.groupby("key", sort=False)["inspection_id"]}
    rows = []
    for key in keys:
        entry = listed.get(key)
        row = latest_by_key.get(key)
        own = own_by_key.get(key, heads.iloc[:0])
        named: list[tuple[str, str, str]]
        if entry is not None and entry.products:
            named = [(p.name, p.category_code, str(p.device_class)) for p in entry.products]
        else:
            # the products of the latest inspection that recorded any (a follow-up may not)
            recorded = recorded_by.get(key, [])
            source = (recorded[-1] if recorded else
                      row.inspection_id if row is not None else None)
            named = list(named_by.get(str(source), [])) if source is not None else []
        why, when = _condition(named, rules)
        base = by_level.get(when)
        if base is None:  # the office's file names no level for this condition
            base = rules.level(ladder[0])
        raised = [rules.raise_when[name] for name, holds in (
            ("key_supervision", key in key_listed), ("repeat_findings", key in repeated.index),
            ("serious_handling", key in serious), ("serious_grade", key in graded),
            ("serious_verdict", key in judged)) if holds and name in rules.raise_when]
        steps = min(len(raised), rules.max_raise, len(ladder) - 1 - ladder.index(base.level))
        level = rules.level(ladder[ladder.index(base.level) + steps])
        contracts = entry.contracts if entry is not None else key in contracting
        applies = set(sections) - (set() if contracts else {"7.14"})
        fulls = own.loc[[applies <= set(s) for s in own["sections"]], "start_date"]
        last_full = fulls.max() if len(fulls) else pd.NaT
        filed = (pd.Timestamp(entry.filed_on) if entry is not None and entry.filed_on else
                 filed_by.reindex(own["inspection_id"].astype(object)).max())
        due = _due(level.every_months, level.first_within_months, last_full, filed, day)
        kind = level.kind
        if level.every_months is None and pd.notna(due):
            kind = "全项目检查（备案后首次）"  # class I: the first full inspection after filing
        rows.append({
            "company": entry.name if entry is not None else
            row.company if row is not None else key,
            "credit_code": key if entry is not None or row is None else row.credit_code,
            "level": level.level, "level_zh": level.zh,
            "basis": _basis(base, level, why, raised, steps, rules, repeated.get(key)),
            "every_months": level.every_months, "kind": kind, "raised_by": tuple(raised),
            "scope": "七、1-14" if contracts else "七、1-13（无委托生产）",
            "products": tuple(n for n, _c, _k in named if n),
            "in_register": entry is not None,
            "last_inspection": own["start_date"].max() if len(own) else pd.NaT,
            "last_full_inspection": last_full, "next_due": due,
            "last_leader": team.get(row.inspection_id, pd.NA) if row is not None else pd.NA})
    out = pd.DataFrame(rows, columns=list(LEVEL_COLUMNS))
    for column in ("last_inspection", "last_full_inspection", "next_due"):
        out[column] = pd.to_datetime(out[column]).astype("datetime64[us]")
    out["every_months"] = out["every_months"].astype("Int64")
    out["level"] = out["level"].astype("int64")
    out["in_register"] = out["in_register"].astype(bool)
    for column in ("company", "credit_code", "level_zh", "basis", "kind", "scope",
                   "last_leader"):
        out[column] = out[column].astype("string")
    return out.sort_values(["level", "next_due", "company"], ascending=[False, True, True],
                           na_position="last", ignore_index=True)


def _basis(base: Level, level: Level, why: Sequence[str], raised: Sequence[str], steps: int,
           rules: SupervisionRules, repeated: Any) -> str:
    """Why the company is at ``level``, in words: the products' level, each reason that
    raises it (and the cap, when it holds back more), the frequency of the level reached.
    A level reached by a raise is described by its frequency, never by its own condition:
    a glove maker raised to 四级 does not make catalogue products."""
    detail = {rules.raise_when.get("repeat_findings"): f"（{repeated}）" if repeated else ""}
    parts = [f"按产品为{base.zh}" + (f"：{'；'.join(why)}" if why else "")]
    if raised:
        reasons = "；".join(r + detail.get(r, "") for r in raised)
        if steps:
            cap = (f"（本局规定最多提高 {rules.max_raise} 级）" if len(raised) > steps and
                   steps == rules.max_raise else "")
            parts.append(f"提高{_steps_zh(steps)}级：{reasons}{cap}")
        else:
            held = "已为最高级别" if steps < rules.max_raise else f"本局规定最多提高 {rules.max_raise} 级"
            parts.append(f"有提高级别的情形但未提高（{held}）：{reasons}")
    parts.append(f"定为{level.zh}：{level.frequency if steps else level.basis}")
    return "；".join(parts)


def _steps_zh(n: int) -> str:
    return "一二三四五六七八九"[n - 1] if 1 <= n <= 9 else str(n)


def _condition(products: Sequence[tuple[str, str, str]],
               rules: SupervisionRules) -> tuple[list[str], str]:
    """Which of the levels' conditions the products meet first, and why in words."""
    for name in ("national_catalogue", "beijing_catalogue"):
        catalogue = rules.catalogues[name]
        hits = [f"{n}：{why}" for n, code, _k in products
                if (why := catalogue.lists(n, code))]
        if hits:
            return [f"{catalogue.zh}（{'；'.join(hits)}）"], name
    classes = {k for _n, _c, k in products}
    if classes & {"II", "III"} or not products:
        return ([] if products else ["未记录产品，按第二类计"]), "class_ii_or_iii"
    return [], "class_i"


def _due(every: int | None, first: int | None, last_full: Any, filed: Any,
         day: pd.Timestamp) -> Any:
    """When the next full inspection is due (NaT: spot checks only)."""
    if every is not None:
        return last_full + pd.DateOffset(months=every) if pd.notna(last_full) else day
    if first is not None and pd.isna(last_full):
        return filed + pd.DateOffset(months=first) if pd.notna(filed) else day
    return pd.NaT  # spot checks only


@dataclass(frozen=True)
class YearPlan:
    """The year's plan: the inspections (``plan``), each inspector's months (``load``) and
    every company's level (``levels``), as of ``as_of`` under ``rules``."""

    year: int
    as_of: date
    plan: pd.DataFrame
    load: pd.DataFrame
    levels: pd.DataFrame
    source: str

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"plan": self.plan, "load": self.load, "levels": self.levels,
                "source": pd.DataFrame({"item": ["年度 year", "截至 as of", "依据 source"],
                                        "value": [str(self.year), self.as_of.isoformat(),
                                                  self.source]}).astype("string")}

    def to_excel(self, path: str | Path) -> Path:
        """The plan as a formatted workbook (年度计划, 工作量, 监管级别, 依据)."""
        from kit.analytics import write_frames

        return write_frames(self.frames(), path, titles={
            "plan": f"{self.year}年度计划", "load": "检查员工作量", "levels": "监管级别",
            "source": "依据"})


def year_plan(tables: Tables, year: int, *, as_of: date | None = None,
              rules: SupervisionRules | None = None,
              inspectors: Sequence[str] | None = None, seed: int | None = None,
              register: Sequence[RegisteredCompany] | None = None,
              grading: Grading | None = None) -> YearPlan:
    """The supervision plan of ``year``: who is due, in which month, with which team; every
    company of the ``register`` among them, inspected or not (:func:`company_levels`).

    ``inspectors`` are the office's people (default: everyone on a team in the last
    ``history_years``); those who have led a team may lead. Spot checks of a level with a
    ``spot_share`` are drawn with ``seed`` (default: the year), so a plan can be made again.
    """
    if not 2000 <= year <= 2100:
        msg = f"年度须在 2000 至 2100 之间，而不是 {year} / the year must be 2000-2100"
        raise KitError(msg)
    rules = rules or load_supervision_rules()
    as_of = as_of or min(beijing_today(), date(year - 1, 12, 31))
    levels = company_levels(tables, as_of, rules=rules, register=register, grading=grading)
    end = pd.Timestamp(year, 12, 31)
    due = levels[levels["next_due"].le(end).fillna(False)].assign(kind_of="due")
    rng = random.Random(year if seed is None else seed)
    spots = []
    for level in rules.levels:
        if level.spot_share <= 0:
            continue
        pool = levels[(levels["level"] == level.level) & levels["next_due"].isna()]
        n = min(len(pool), math.ceil(level.spot_share * len(pool)))
        spots.append(pool.iloc[sorted(rng.sample(range(len(pool)), n))])
    planned = pd.concat([due, *spots], ignore_index=True) if spots else due.reset_index(
        drop=True)
    start = pd.Timestamp(year, 1, 1)
    latest_month = [_latest_month(d, start) for d in planned["next_due"]]
    months = _months(latest_month, planned["level"].tolist())
    people = _people(tables, as_of, rules, inspectors)
    leaders, members = _teams(months, planned["last_leader"].tolist(), people)
    plan = pd.DataFrame({
        "month": pd.PeriodIndex([pd.Period(year=year, month=m, freq="M") for m in months],
                                freq="M") if len(months) else
        pd.PeriodIndex([], freq="M"),
        "company": planned["company"], "credit_code": planned["credit_code"],
        "level": planned["level"], "level_zh": planned["level_zh"],
        "kind": planned["kind"], "scope": planned["scope"], "next_due": planned["next_due"],
        "overdue": planned["next_due"].lt(start).fillna(False).astype(bool),
        "last_full_inspection": planned["last_full_inspection"],
        "leader": pd.array(leaders, dtype="string"),
        "inspector": pd.array(members, dtype="string"), "basis": planned["basis"]})
    plan = plan.sort_values(["month", "level", "company"], ascending=[True, False, True],
                            ignore_index=True)[list(PLAN_COLUMNS)]
    return YearPlan(year, as_of, plan, _load(plan, people[0] + people[1]),
                    levels.drop(columns="last_leader"), rules.source)


def _latest_month(due: Any, start: pd.Timestamp) -> int:
    """The latest month an inspection due on ``due`` may be planned in: the last month whose
    15th is not after the due date (due 2027-03-02: February; 2027-03-20: March); overdue,
    or due early in January: January; a spot check (no due date): any month."""
    if pd.isna(due):
        return 12
    if due < start:
        return 1
    return max(1, due.month if due.day >= 15 else due.month - 1)


def _months(latest: Sequence[int], level: Sequence[int]) -> list[int]:
    """A month for each inspection, never after its latest month, the months kept even: the
    highest levels and the earliest due are placed first, each in its latest month with room
    (at most ``ceil(n / 12)``), else the emptiest month before it."""
    n = len(latest)
    room = max(1, math.ceil(n / 12))
    count = [0] * 13
    out = [0] * n
    for k in sorted(range(n), key=lambda k: (latest[k], -level[k], k)):
        fits = [m for m in range(latest[k], 0, -1) if count[m] < room]
        month = fits[0] if fits else min(range(1, latest[k] + 1), key=lambda m: (count[m], -m))
        out[k] = month
        count[month] += 1
    return out


def _people(tables: Tables, as_of: date, rules: SupervisionRules,
            inspectors: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """(who may lead, the others) from the office's recent teams, or the names given."""
    day = pd.Timestamp(as_of)
    since = day - pd.DateOffset(years=rules.history_years)
    recent = tables.inspections.loc[tables.inspections["start_date"].between(since, day),
                                    "inspection_id"]
    team = tables.team[tables.team["inspection_id"].isin(recent)].dropna(subset=["name"])
    led = set(team.loc[team["role"] == "leader", "name"])
    names = list(dict.fromkeys(inspectors)) if inspectors else sorted(set(team["name"]))
    leads = [p for p in names if p in led] or list(names)
    return leads, [p for p in names if p not in leads]


def _teams(months: Sequence[int], last_leaders: Sequence[object],
           people: tuple[list[str], list[str]]) -> tuple[list[str | None], list[str | None]]:
    """A leader and an inspector for each inspection, keeping everyone's load even (in the
    month, then over the year); the company's last leader leads only when nobody else can."""
    leads, others = people
    total: dict[str, int] = dict.fromkeys(leads + others, 0)
    per_month: dict[tuple[str, int], int] = {}
    leaders: list[str | None] = []
    members: list[str | None] = []
    for month, last in zip(months, last_leaders, strict=True):
        def busy(p: str, month: int = month) -> tuple[int, int, str]:
            return (per_month.get((p, month), 0), total[p], p)

        def fresh(p: str, last: object = last) -> tuple[bool, int, int, str]:
            return (p == last, *busy(p))

        leader = min(leads, key=fresh) if leads else None
        pool = [p for p in [*others, *leads] if p != leader]
        member = min(pool, key=busy) if pool else None
        for p in (leader, member):
            if p is not None:
                total[p] += 1
                per_month[p, month] = per_month.get((p, month), 0) + 1
        leaders.append(leader)
        members.append(member)
    return leaders, members


def _load(plan: pd.DataFrame, people: Sequence[str]) -> pd.DataFrame:
    """Per inspector: inspections led and joined in each month, and the year's total."""
    long = pd.concat([plan[["month", "leader"]].rename(columns={"leader": "inspector"}),
                      plan[["month", "inspector"]]]).dropna(subset=["inspector"])
    grid = pd.crosstab(long["inspector"], long["month"].dt.month).reindex(
        index=pd.Index(list(people), name="inspector"), columns=range(1, 13), fill_value=0)
    grid.columns = [f"{m}月" for m in grid.columns]
    grid = grid.fillna(0).astype("int64")
    grid["合计"] = grid.sum(axis=1)
    led = plan["leader"].value_counts()
    grid.insert(0, "任组长", np.asarray([int(led.get(p, 0)) for p in grid.index]))
    return grid.reset_index().astype({"inspector": "string"})
