"""Demo data: fictional companies and two years of their inspections, reproducible by seed.

For the analytics notebook, its tests and anyone trying the kit: :func:`demo_inspections` makes
``n`` finished or following-up inspections of ``m`` fictional Beijing manufacturers between
``end`` minus two years and ``end``; :func:`load_demo_data` puts them into a store (``kit demo``).
Every company, person and product is invented; credit codes are made valid with the GB 32100
check character (:func:`kit.identifiers.make_credit_code`), nothing more.

The records are meant to pass the guide's rules and the office's (:func:`kit.rules.check` finds
no errors, under whichever grading scheme ``templates/`` chooses) and to look like an office's
history: most findings are rectified by a deadline counted in working days, some late, some
never (overdue); riskier companies have more findings, repeat some on the same item, and now
and then a serious one (suspension, a case filed). Every handling of 十、1 is carried to its
outcome, and even a small demo shows each kind, a failed review round, an extension, a
延伸检查 and a joint and a delegated inspection (:mod:`kit.analytics._demo_cases`).

>>> len(demo_inspections(30, 10, seed=1))
30
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Final, cast

from kit.analytics._demo_cases import (
    Earlier,
    Quota,
    cross_region,
    extended_company,
    graded,
    outcome,
    principal_of,
    review_due,
    with_extension,
    with_failed_round,
    with_verdict,
)
from kit.analytics._tables import SERIOUS_HANDLING
from kit.door import AccessError, Door, Identity
from kit.errors import ConflictError, KitError
from kit.guide import Clause, Guide, load_guide
from kit.identifiers import ALPHABET, make_credit_code
from kit.interchange import keep_latest, register_demo
from kit.policy import Policy, load_policy
from kit.profiles import FULL, load_profile
from kit.record import (
    Background,
    Company,
    DeviceClass,
    Finding,
    FollowUp,
    Inspection,
    InspectionType,
    ItemResult,
    Licence,
    LicenceKind,
    Member,
    Notice,
    Notification,
    Opinion,
    Partner,
    PastFinding,
    PastProducts,
    Plan,
    Product,
    ReviewMode,
    Role,
    Sampling,
    Scope,
    Signatures,
    Stage,
    Step,
    handling_counts,
)
from kit.workdays import load_calendar

DEFAULT_END = date(2026, 10, 30)
YEARS = 2
ID_PREFIX = "demo"

NAMES = ("康华", "瑞达", "恒泰", "安诺", "博远", "鑫源", "华信", "泰和", "佳禾", "宏图", "普济", "天成",
         "睿康", "誉衡", "维康", "同益", "百川", "德润", "和盛", "致远", "启明", "嘉德", "长青", "景行")
KINDS = ("医疗器械有限公司", "医疗科技有限公司", "生物科技有限公司", "医用材料有限公司")
#: area code, district, authority (fictional assignment of branches)
DISTRICTS = (("110105", "朝阳区", "第二分局"), ("110108", "海淀区", "第三分局"),
             ("110106", "丰台区", "第四分局"), ("110112", "通州区", "第五分局"),
             ("110113", "顺义区", "第六分局"), ("110114", "昌平区", "第一分局"),
             ("110115", "大兴区", "第八分局"), ("110111", "房山区", "第九分局"))
#: product, class, category code, sterile
PRODUCTS = (("一次性使用无菌注射器", "III", "14-01", True), ("一次性使用输液器", "III", "14-02", True),
            ("一次性使用无菌导尿管", "II", "14-05", True), ("医用外科口罩", "II", "14-14", False),
            ("医用电子体温计", "II", "07-03", False), ("电子血压计", "II", "07-03", False),
            ("血糖仪", "II", "07-04", False), ("医用超声耦合剂", "II", "06-07", False),
            ("医用棉签", "I", "14-13", False), ("医用检查手套", "I", "14-13", False))
PEOPLE = ("张明", "李华", "王芳", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周强", "吴敏", "孙涛", "郑洁")
DEFECTS = ("记录不完整，缺少审核人签字", "与现行文件版本不一致", "未按规定频次执行", "部分内容未及时更新",
           "现场实际情况与文件规定不一致", "抽查的记录中有数据缺失", "未见相关记录")
#: how often findings fall in each section of 七 (the rest: weight 1)
SECTION_WEIGHTS = {"7.3": 3, "7.4": 2, "7.5": 3, "7.7": 2, "7.8": 4, "7.9": 4, "7.11": 2,
                   "7.12": 3}


@dataclass(frozen=True)
class _Firm:
    company: Company
    risk: float  # 0..1: more findings, repeats, lateness
    sterile: bool
    contract: bool


def _credit_code(rng: random.Random, area: str) -> str:
    return make_credit_code("91" + area + "".join(rng.choice(ALPHABET) for _ in range(9)))


def _opinion(guide: Guide, findings: dict[str, Finding], finish: date, stage: str) -> Opinion:
    """The team's conclusion, as a leader writes it: the findings by handling (六、5-6)."""
    if stage in ("preparation", "on_site"):
        return Opinion()
    if not findings:
        return Opinion("本次检查未发现问题，企业质量管理体系运行正常。", finish)
    parts = "，".join(f"{guide.term('handling_kinds', k).zh}{n}项"
                     for k, n in handling_counts(findings).items())
    return Opinion(f"发现问题{len(findings)}项：{parts}。企业应按要求完成整改。", finish)


def _steps(day: date, finish: date, stage: str, refused: bool, reviewed: bool
           ) -> dict[str, Step]:
    """六's steps as a team records them: the visit's on its days, 六、8 on a refusal, 六、9
    once the rectification was reviewed, 六、10 when the case is closed."""
    if stage in ("preparation", "on_site"):
        return {}
    at = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
    end = datetime.combine(finish, datetime.min.time()) + timedelta(hours=16)
    steps = {f"6.{n}": Step(True, at + timedelta(minutes=30 * n)) for n in (1, 2, 3)}
    steps |= {f"6.{n}": Step(True, end + timedelta(minutes=15 * (n - 5))) for n in (5, 6, 7)}
    if refused:
        steps["6.8"] = Step(True, end + timedelta(minutes=45), "企业拒绝签字，两名检查员注明情况")
    if reviewed:
        steps["6.9"] = Step(True, end + timedelta(days=7), "整改资料已审查")
    if stage == "closed":
        steps["6.10"] = Step(True, end + timedelta(days=8), "已录入监督检查系统并归档")
    return steps


def _names(rng: random.Random, m: int) -> list[str]:
    """``m`` different company names: the first 24 from one word, then two, then numbered."""
    words = list(NAMES)
    if m > len(words):
        words += [a + b for a in NAMES for b in NAMES if a != b]
    picked = rng.sample(words, min(m, len(words)))
    picked += [f"{rng.choice(NAMES)}第{k}" for k in range(1, m - len(picked) + 1)]
    return [f"北京{a}{rng.choice(KINDS)}" for a in picked]


def _firm(rng: random.Random, name: str, k: int, end: date) -> _Firm:
    area, district, branch = rng.choice(DISTRICTS)
    authority = f"北京市药品监督管理局{branch}"
    role = cast(Role, rng.choices(("registrant", "contract_manufacturer", "filer"), (7, 2, 1))[0])
    pool = [p for p in PRODUCTS if (p[1] == "I") == (role == "filer")]
    chosen = rng.sample(pool, rng.randint(1, min(3, len(pool))))
    address = f"北京市{district}示例路{k + 1}号"
    plant = f"{address}{rng.randint(1, 5)}号楼"
    client = f"北京{rng.choice(NAMES)}医疗器械有限公司"
    partners, products = {}, {}
    if role == "contract_manufacturer":
        partners["C1"] = Partner(client, _credit_code(rng, area), "client", f"北京市{district}委托路1号",
                                 authority, "same_city", ("P1",))
    elif role == "registrant" and rng.random() < 0.3:
        other = f"北京{rng.choice(NAMES)}医用制品有限公司"
        partners["C1"] = Partner(other, _credit_code(rng, area), "contract_manufacturer",
                                 "北京市大兴区受托路16号", "北京市药品监督管理局第八分局", "same_city",
                                 ("P1",))
    for i, (pname, cls, cat, sterile) in enumerate(chosen, start=1):
        made_by = partners["C1"].name if "C1" in partners and i == 1 and role == "registrant" else ""
        prefix = "国械注准" if cls == "III" else "京械注准" if cls == "II" else "京械备"
        products[f"P{i}"] = Product(
            pname, "filing" if cls == "I" else "registration",
            f"{prefix}{2019 + rng.randint(0, 5)}{rng.randint(1000000, 9999999)}",
            cast(DeviceClass, cls),
            cat, sterile, client if role == "contract_manufacturer" else name,
            f"{partners['C1'].address}（委托生产）" if made_by else plant, made_by,
            end + timedelta(days=rng.randint(400, 1500)))
    own = tuple(dict.fromkeys(p.category_code for p in products.values() if not p.manufacturer))
    code = _credit_code(rng, area)
    licences = {"L1": Licence("business_licence", code, name, address, "", (), date(2015, 3, 1))}
    kind: LicenceKind = "class1_production_filing" if role == "filer" else "production_licence"
    licences["L2"] = Licence(kind, f"京药监械生产许{2020 + rng.randint(0, 4)}{k:04d}号", name,
                             address, plant, own, date(2021, 1, 10), end + timedelta(days=900))
    contracted = tuple(p.registration_no for p in products.values() if p.manufacturer)
    if contracted:  # 七、14（5）: the filing lists the products made under contract
        licences["L3"] = Licence("contract_production_filing", f"京药监械生产委托备2024{k:04d}号",
                                 name, address, "", contracted, date(2024, 1, 10),
                                 end + timedelta(days=900))
    legal = rng.choice(PEOPLE[6:])
    company = Company(name, code, role, legal, f"质量部 {rng.choice(PEOPLE)}", address, plant,
                      authority, licences, products, partners)
    return _Firm(company, rng.random(), any(p.sterile for p in products.values()), bool(partners))


def _schedule(rng: random.Random, n: int, m: int, firms: list[_Firm]) -> list[int]:
    """How many inspections each company has: one each, the rest to riskier ones more often."""
    counts = [1] * m if n >= m else [1] * n + [0] * (m - n)
    for _ in range(max(0, n - m)):
        counts[rng.choices(range(m), [0.3 + f.risk for f in firms])[0]] += 1
    return counts


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = 2.718281828459045 ** -lam, 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _description(rng: random.Random, item: Clause) -> str:
    topic = item.zh.rstrip("；;。.").split("（")[0]
    for verb in ("查看", "查阅", "现场查看", "询问", "查"):
        if topic.startswith(verb):
            topic = topic[len(verb):]
            break
    return f"检查{topic}发现：{rng.choice(DEFECTS)}。"


def _type(rng: random.Random, firm: _Firm, history: list[Inspection]) -> InspectionType:
    if not history:
        return "focused" if firm.risk > 0.7 and rng.random() < 0.5 else "supervisory"
    open_before = any(f.deadline for f in history[-1].findings.values())
    weights: dict[str, float] = {"supervisory": 4.0, "follow_up": 3.0 if open_before else 0.0,
               "for_cause": 0.5 + 2 * firm.risk, "special": 1.0, "focused": 2 * firm.risk,
               "extended": 0.5}
    return cast(InspectionType, rng.choices(list(weights), list(weights.values()))[0])


def _scope(rng: random.Random, firm: _Firm, kind: InspectionType,
           history: list[Inspection]) -> tuple[str, tuple[str, ...]]:
    """The checklist profile and the sections in scope (七、14 whenever contracts are involved)."""
    all_sections = [s.id for s in load_guide().sections]
    profile = FULL
    sections = list(all_sections)
    if kind in ("focused", "special"):
        profile = ("contract-manufacturing" if firm.contract else
                   "sterile-focus" if firm.sterile else FULL)
        sections = list(load_profile(profile).sections) if profile != FULL else \
            rng.sample(all_sections[:13], 5)
    elif kind == "follow_up":
        sections = list({f.item.rsplit(".", 1)[0] for f in history[-1].findings.values()})
    if kind != "extended" and (firm.company.role == "contract_manufacturer" or firm.contract):
        sections.append("7.14")
    return profile, tuple(s for s in all_sections if s in sections)


def _inspection(rng: random.Random, firm: _Firm, day: date, iid: str,
                history: list[Inspection], end: date, quota: Quota, policy: Policy,
                principal: str, past: set[str] | None = None) -> Inspection:
    """One demo inspection of ``firm`` on ``day``; ``past``: the clauses of its earlier
    findings (worked out from ``history`` when not kept by the caller)."""
    guide, cal, co = load_guide(), load_calendar(), firm.company
    kind = _type(rng, firm, history)
    if principal and (quota.extended or kind == "extended"):
        kind, quota.extended = "extended", False  # a supplier of the principal's company
        co = extended_company(co, firm.sterile)
    elif kind == "extended":
        kind = "supervisory"  # nothing yet to extend
    else:
        principal = ""
    unannounced = kind == "for_cause" and rng.random() < 0.6
    profile_id, sections = _scope(rng, firm, kind, history)
    profile = load_profile(profile_id)
    finish = cal.add_workdays(day, 1).date if len(sections) > 8 else day
    leader, helper = rng.sample(PEOPLE[:8], 2)
    basic = tuple(c.id for c in guide.item("4.2").children)
    team = {"M1": Member(leader, "leader", co.authority, f"京械检-{rng.randint(100, 999)}",
                         basic + tuple(c.id for c in guide.item("4.3").children),
                         tuple(t.code for t in guide.terms("leader_standards")), sections[0::2]),
            "M2": Member(helper, "inspector", co.authority, f"京械检-{rng.randint(100, 999)}",
                         basic, (), sections[1::2])}
    owner = {s: ("M1" if i % 2 == 0 else "M2") for i, s in enumerate(sections)}
    known = set(profile.item_ids(guide))
    items = [i for s in sections for i in profile.checklist(s, guide) if i.id in known]
    if past is None:
        past = {f.item for h in history for f in h.findings.values()}
    n = min(_poisson(rng, (0.4 + 3.2 * firm.risk) * (1.5 if kind == "for_cause" else 1.0)
                     * (0.5 if kind == "follow_up" else 1.0)), 6, len(items))
    chosen: list[Clause] = []
    while len(chosen) < n:
        again = [i for i in items if i.id in past and i not in chosen]
        if again and rng.random() < 0.6 * firm.risk:
            chosen.append(rng.choice(again))
            continue
        pick = rng.choices(items, [SECTION_WEIGHTS.get(i.parent_id or "", 1)
                                        for i in items])[0]
        if pick not in chosen:
            chosen.append(pick)
    findings = {}
    for k, item in enumerate(chosen, start=1):
        handling = quota.handling(rng.choices(
            ("correct_on_site", "rectify_by_deadline", "suspend_and_rectify",
             "suspend_and_warn", "file_case"),
            (20, 66, 2 + 6 * firm.risk, firm.risk, 2 * firm.risk))[0])
        needs = guide.term("handling_kinds", handling).needs_deadline
        findings[f"F{k}"] = Finding(
            item.id, _description(rng, item), handling,
            "限期整改并提交整改报告及相关证据。" if needs else "现场监督企业立即纠正。"
            if handling == "correct_on_site" else "按规定处理。",
            cal.add_workdays(finish, rng.choice((10, 15, 20, 30))).date if needs else None,
            handling.startswith("suspend") or rng.random() < 0.1)
        findings[f"F{k}"] = outcome(findings[f"F{k}"], f"F{k}", iid,
                                    owner.get(item.parent_id or "", "M1"), day, finish, co.name,
                                    rng)
    # graded from a draw of its own: under any scheme the demo is the same, graded or not
    findings = graded(findings, policy.scheme, SERIOUS_HANDLING,
                      random.Random(f"kit.demo.grades:{iid}"))
    found = {c.id for c in chosen}  # a clause's id names it: a set, not a list of clauses
    results = {i.id: ItemResult("nonconform" if i.id in found else "conform",
                                "见问题记录" if i.id in found else "",
                                ("interview",) if "询问" in i.zh else ("document_review",),
                                "", owner.get(i.parent_id or "", "M1")) for i in items}
    stage, follow_up = _follow_up(rng, firm, findings, finish, end, leader, policy)
    findings = _tracked(guide, findings, follow_up, finish, leader, policy, quota, rng)
    findings = with_extension(findings, finish, quota, rng)
    prev = history[-1] if history else None
    refused = rng.random() < 0.05
    scope, crossing = cross_region(_with_remote_reason(Scope(
        kind, unannounced, kind != "for_cause" and rng.random() < 0.06, True, "none",
        "", day, finish, None, sections, ("3.1", "3.4", "3.8"),
        f"{guide.term('inspection_types', kind).zh}，检查范围见检查方案。", principal=principal)),
        co, leader, finish, rng, quota)
    return Inspection(
        id=iid, guide_id=guide.id, guide_version=guide.version, profile=profile_id, stage=stage,
        company=co,
        background=Background(
            notes={"past_rectification": "既往检查问题的整改情况见检查记录。"} if prev else {},
            past_findings={f"H{k}": PastFinding(f.description, prev.scope.start_date,
                                               "closed" if prev.stage == "closed" else "open")
                           for k, f in enumerate(prev.findings.values(), start=1)} if prev else {}),
        scope=scope, cross_region=crossing,
        team=team,
        steps=_steps(day, finish, stage, refused, follow_up.reviewed_on is not None),
        opinion=with_verdict(_opinion(guide, findings, finish, stage), findings, policy.scheme,
                             leader, finish),
        plan=Plan(kind in ("for_cause", "focused"), "approved", "按检查方案执行",
                  datetime.combine(day - timedelta(days=5), datetime.min.time()),
                  datetime.combine(day - timedelta(days=4), datetime.min.time()), "王处长"),
        notification=Notification() if unannounced else
        Notification(True, day - timedelta(days=3), "电话", ""),
        results=results, findings=findings,
        past_products=PastProducts(("supervisory_sampling",), "对相关批次开展监督抽验。")
        if any(f.affects_past_products for f in findings.values()) else PastProducts(),
        signatures=Signatures("" if refused else co.legal_representative,
                              None if refused else datetime.combine(finish, datetime.min.time())
                              + timedelta(hours=16), refused,
                              "企业负责人拒绝签字，检查组注明情况。" if refused else "", ("M1", "M2")),
        follow_up=follow_up,
        sampling=_sampling(rng, firm.company, day) if "7.8" in sections and rng.random() < 0.6
        else Sampling(),
    )


def _with_remote_reason(scope: Scope) -> Scope:
    if not scope.remote:
        return scope
    return replace(scope, remote_reason="年度检查有时限要求，企业所在园区临时封闭管理，不宜线下检查（八、4）")


def _follow_up(rng: random.Random, firm: _Firm, findings: dict[str, Finding], finish: date,
               end: date, reviewer: str, policy: Policy) -> tuple[Stage, FollowUp]:
    """Stage and follow-up as the office knows them on ``end``: on time, late, or not yet."""
    due = review_due(findings, finish, policy)
    if due is None:
        return "closed", FollowUp()
    cal = load_calendar()
    if due > end - timedelta(days=150) and rng.random() < 0.15 + 0.5 * firm.risk:
        return "follow_up", FollowUp()  # not submitted (yet): overdue once the deadline passes
    late = rng.random() < 0.03 + 0.25 * firm.risk
    submitted = (cal.add_workdays(due, rng.randint(1, 15)).date if late
                 else max(finish + timedelta(days=1), due - timedelta(days=rng.randint(0, 8))))
    if submitted > end:
        return "follow_up", FollowUp()
    reviewed = submitted + timedelta(days=rng.randint(1, 6))
    serious = any(f.handling.startswith("suspend") for f in findings.values())
    mode: ReviewMode = "on_site" if serious else "written"
    if reviewed > end:
        return "follow_up", FollowUp(submitted, mode)
    measures = ("recheck", "key_supervision") if serious else ("recheck",)
    return "closed", FollowUp(submitted, mode, reviewed, reviewer, reviewed, measures,
                              "整改资料齐全，已复查。")


def _tracked(guide: Guide, findings: dict[str, Finding], fu: FollowUp, finish: date,
             reviewer: str, policy: Policy, quota: Quota, rng: random.Random
             ) -> dict[str, Finding]:
    """Each finding's rectification as the follow-up went: submitted, then passed on review
    (on site where production was suspended, 十、1 and the office's rule), now and then after
    a first review that failed, or still open."""
    out = {}
    for key, f in findings.items():
        kind = guide.term("handling_kinds", f.handling)
        reviewed = kind.needs_deadline or f.handling in policy.handling.resume_kinds
        if f.handling == "correct_on_site":  # corrected under the inspectors' eyes (十、1)
            out[key] = replace(f, state="passed", review_mode="on_site",
                               reviewed_on=finish, reviewer=reviewer)
        elif not reviewed or fu.submitted_on is None:
            out[key] = f
        elif fu.reviewed_on is None:
            out[key] = replace(f, state="submitted", submitted_on=fu.submitted_on)
        else:
            on_site = kind.suspends_production or (
                f.handling in policy.handling.resume_kinds and policy.handling.recheck_on_site)
            out[key] = with_failed_round(replace(
                f, state="passed", submitted_on=fu.submitted_on, evidence="整改报告及证据",
                reviewer=fu.reviewer, review_mode="on_site" if on_site else fu.review_mode,
                reviewed_on=fu.reviewed_on), fu, quota, rng)
    return out


def _sampling(rng: random.Random, company: Company, day: date) -> Sampling:
    products = [p.name for p in company.products.values()]
    columns = ("record_id", "record_type", "product", "batch", "record_date", "rules", "reason")
    rows = []
    for k in range(rng.randint(4, 6)):
        when = day - timedelta(days=rng.randint(3, 88))
        rows.append(dict(zip(columns, (
            f"JL-{rng.randint(1, 9999):04d}", rng.choice(("生产记录", "出厂检验记录", "进货检验记录")),
            rng.choice(products), f"B{when:%y%m}-{k + 1:02d}", when.isoformat(),
            "9.1;9.2" if k % 3 else "9.1;9.2;9.4",
            "检查前一季度内相似条件下的同种记录（九、1、九、2）"), strict=True)))
    return Sampling(rng.randint(0, 999_999), day, {"per_group": "2"}, columns, tuple(rows))


def demo_inspections(n: int = 30, m: int = 10, *, seed: int = 1,
                     end: date = DEFAULT_END) -> list[Inspection]:
    """``n`` inspections of ``m`` fictional companies in the two years up to ``end``, by seed.

    Ids are ``demo<seed>-<start date>-<number>``, so loading twice adds nothing twice.
    """
    return list(iter_demo_inspections(n, m, seed=seed, end=end))


def iter_demo_inspections(n: int = 30, m: int = 10, *, seed: int = 1,
                          end: date = DEFAULT_END) -> Iterator[Inspection]:
    """:func:`demo_inspections` one at a time, in the same order, holding none it has given:
    an office-sized demo (``kit demo --inspections 100000``) in the memory of a few."""
    if n < 1 or m < 1:
        msg = "检查数和企业数都至少为 1 / need at least one inspection and one company"
        raise KitError(msg)
    rng, cal = random.Random(f"kit.demo:{seed}"), load_calendar()
    names = _names(rng, m)
    firms = [_firm(rng, name, k, end) for k, name in enumerate(names)]
    start = end.replace(year=end.year - YEARS) + timedelta(days=1)
    visits: list[tuple[date, int]] = []
    weeks = range(0, (end - start).days - 7, 7)
    days = range(0, (end - start).days - 7)
    for f, count in enumerate(_schedule(rng, n, m, firms)):
        # at most one visit a week while a company has no more than the weeks of two years;
        # beyond that (an office-sized demo), any working day, some days twice
        offsets = (rng.sample(weeks, count) if count <= len(weeks) else
                   rng.choices(days, k=count))
        for offset in sorted(offsets):
            day = start + timedelta(days=offset)
            while not cal.is_workday(day):
                day += timedelta(days=1)
            visits.append((day, f))
    last: dict[int, Inspection] = {}  # each company's latest: what its next visit follows
    past_items: dict[int, set[str]] = {}  # each company's clauses found before, kept as it goes
    numbers: dict[tuple[str, int], int] = {}
    earlier: list[Earlier] = []
    quota, policy = Quota.of(load_guide()), load_policy()
    for k, (day, f) in enumerate(sorted(visits), start=1):
        before = last.get(f)
        principal = principal_of(day, f, earlier, rng)
        seen = past_items.setdefault(f, set())
        ins = _inspection(rng, firms[f], day, f"{ID_PREFIX}{seed}-{day:%Y%m%d}-{k:02d}",
                          [before] if before else [], end, quota, policy, principal, seen)
        seen.update(x.item for x in ins.findings.values())
        ins = _with_notices(ins, seed, numbers, policy)
        last[f] = ins
        earlier.append(Earlier(f, ins.id, ins.scope.type, ins.scope.start_date))
        yield ins


#: the demo's document numbers: like an office's, but marked 示例 and by seed, so that they
#: never meet a real number or another seed's
DEMO_NUMBER = {"result": "示例检告〔{year}〕S{seed}-{seq:04d}号",
               "rectification": "示例整改〔{year}〕S{seed}-{seq:04d}号",
               "suspension": "示例停产〔{year}〕S{seed}-{seq:04d}号"}


def _with_notices(ins: Inspection, seed: int, numbers: dict[tuple[str, int], int],
                  policy: Policy) -> Inspection:
    """The notices a record past its report has served (六、7; 十、1: the suspension notice
    too when production is suspended), numbered in turn."""
    if ins.stage not in ("follow_up", "closed"):
        return ins
    guide, day = load_guide(), ins.scope.ended_on or date.min
    kinds = ["result"]
    if any(guide.term("handling_kinds", f.handling).needs_deadline
           for f in ins.findings.values()):
        kinds.append("rectification")
    if policy.handling.notice_required and any(
            f.handling in policy.handling.notice_kinds for f in ins.findings.values()):
        kinds.append("suspension")
    sig, notices = ins.signatures, {}
    for kind in kinds:
        seq = numbers[kind, day.year] = numbers.get((kind, day.year), 0) + 1
        notices[kind] = Notice(DEMO_NUMBER[kind].format(year=day.year, seed=seed, seq=seq),
                               day, day, "" if sig.refused else sig.company_signer,
                               sig.refused, ("M1", "M2") if sig.refused else ())
    return replace(ins, notices=notices)


def load_demo_data(door: Door, *, inspections: int = 30, companies: int = 10, seed: int = 1,
                   end: date = DEFAULT_END,
                   progress: Callable[[int], object] | None = None) -> int:
    """Put the demo inspections into the store behind ``door`` (each checked like any new
    record), :data:`BATCH` to a transaction; return how many were new (0 if all were there).
    ``progress(k)``: ``k`` more of them done (``kit demo`` shows a bar)."""
    have = {row["id"] for row in door.list((), include_deleted=True)}
    loaded = 0
    latest: dict[str, Inspection] = {}  # each company's latest, for the register
    for batch in _batches(iter_demo_inspections(inspections, companies, seed=seed, end=end),
                          have, latest, progress):
        try:
            loaded += len(door.create_many(batch))
        except ConflictError:  # another process loaded some of them in the meantime
            for ins in batch:
                with contextlib.suppress(ConflictError):
                    door.create(ins)
                    loaded += 1
        if progress is not None:
            progress(len(batch))
    register_demo(door, list(latest.values()))  # the fictional companies in the register too
    return loaded


def _batches(made: Iterable[Inspection], have: set[str], latest: dict[str, Inspection],
             progress: Callable[[int], object] | None) -> Iterator[list[Inspection]]:
    """The inspections of ``made`` not in ``have``, :data:`BATCH` at a time; those already there
    counted as done at once; each company's latest start kept in ``latest`` as they pass."""
    batch: list[Inspection] = []
    for ins in made:
        keep_latest(latest, ins)
        if ins.id in have:
            if progress is not None:
                progress(1)
            continue
        batch.append(ins)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


#: how many demo inspections ``kit demo`` stores in one transaction
BATCH: Final = 200


def analysis_door(door: Door | None = None) -> tuple[Door, str]:
    """What an analysis reads, and a line saying so: the office's store as the person may read
    it (the office server's sign-in: an office leader or analyst everything, an inspector their
    teams'; on one machine, everything). On one machine an empty store gives way to the
    fictional demo, in memory, never written to theirs; on the office server nothing is ever
    made up, and a person who may read nothing is told why."""
    door = door or Door.connect(identity=Identity.of_command())
    who = door.identity
    if who is not None and who.hub:
        try:
            door.require_reader()
        except AccessError as why:
            return door, str(why)
        return door, f"{who.label}：{door.readable_by()}"
    if door.list(()):
        return door, door.readable_by()
    demo = Door.connect("sqlite://", identity=who or Identity("demo"))
    n = load_demo_data(demo)
    return demo, f"存储为空，改用内存中的示例数据（{n} 条）/ empty store: the demo data, in memory ({n})"
