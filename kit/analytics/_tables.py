"""Many inspections as tidy pandas tables, and the analyses an office reads from them (十、3)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from kit.errors import KitError, ValidationError
from kit.guide import Clause, load_guide
from kit.labels import RESULTS, STAGES
from kit.profiles import items_in_scope, resolve_profile
from kit.record import Inspection
from kit.sampling import write_tables
from kit.session import open_inspection
from kit.store import Store
from kit.workdays import CalendarEstimateWarning, WorkCalendar, load_calendar

RESULT_COLUMNS = ("inspection_id", "section", "item", "kind", "label", "result", "result_zh",
                  "notes", "means", "evidence", "inspector")
FINDING_COLUMNS = ("inspection_id", "finding", "item", "item_label", "section", "description",
                   "handling", "handling_zh", "needs_deadline", "requirement", "deadline",
                   "affects_past_products")
INSPECTION_COLUMNS = ("inspection_id", "company", "credit_code", "role", "type", "type_zh",
                      "unannounced", "remote", "start_date", "end_date", "stage", "stage_zh",
                      "profile", "n_sections", "n_findings")
FOLLOW_UP_COLUMNS = ("inspection_id", "submitted_on", "review_mode", "reviewed_on", "reviewer",
                     "closed_on", "measures", "measures_zh", "note")
SAMPLE_COLUMNS = ("inspection_id", "seed", "inspection_date", "row")

#: 十、1 handling that marks a serious history (products harmed, suspension, a case filed)
SERIOUS_HANDLING = ("suspend_and_warn", "suspend_and_rectify", "file_case")
#: sections whose findings call for more product testing (十、3.（2）): equipment, quality control
TESTING_SECTIONS = ("7.4", "7.9")


# -- one inspection -> rows ------------------------------------------------------------------
log = logging.getLogger(__name__)


def _day(value: date | None) -> pd.Timestamp | None:
    return pd.Timestamp(value) if value is not None else None


def _checklist(inspection: Inspection) -> tuple[Clause, ...]:
    return items_in_scope(resolve_profile(inspection.profile), inspection.scope.sections)


def item_results(inspection: Inspection) -> pd.DataFrame:
    """One row per checklist item in scope, with its result (未检查 where none was set)."""
    rows = []
    for item in _checklist(inspection):
        r = inspection.result(item.id)
        rows.append((inspection.id, item.parent_id, item.id, item.kind, item.label, r.result,
                     RESULTS[r.result][0], r.notes, ";".join(r.means), r.evidence, r.inspector))
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def findings_frame(inspection: Inspection) -> pd.DataFrame:
    """One row per finding with its item's section and label and the handling's Chinese name."""
    guide = load_guide()
    handling = {t.code: t for t in guide.terms("handling_kinds")}
    items = {c.id: c for c in _checklist(inspection)}
    rows = []
    for key, f in inspection.findings.items():
        item = items.get(f.item) or (guide.item(f.item) if f.item in guide else None)
        kind = handling.get(f.handling)
        rows.append((inspection.id, key, f.item, item.label if item else f.item,
                     (item.parent_id or "") if item else f.item.rsplit(".", 1)[0],
                     f.description, f.handling, kind.zh if kind else f.handling,
                     bool(kind and kind.needs_deadline), f.requirement, _day(f.deadline),
                     f.affects_past_products))
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    frame["deadline"] = pd.to_datetime(frame["deadline"])
    return frame


def inspections_frame(inspections: Iterable[Inspection]) -> pd.DataFrame:
    """One row per inspection: company, type, manner, dates, stage and how many findings."""
    types = {t.code: t.zh for t in load_guide().terms("inspection_types")}
    rows = [(ins.id, ins.company.name, ins.company.credit_code, ins.company.role, ins.scope.type,
             types.get(ins.scope.type, ins.scope.type), ins.scope.unannounced, ins.scope.remote,
             _day(ins.scope.start_date), _day(ins.scope.end_date), ins.stage,
             STAGES.get(ins.stage, (ins.stage, ""))[0], ins.profile, len(ins.scope.sections),
             len(ins.findings)) for ins in inspections]
    frame = pd.DataFrame(rows, columns=list(INSPECTION_COLUMNS))
    for column in ("start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def follow_ups_frame(inspections: Iterable[Inspection]) -> pd.DataFrame:
    """One row per inspection: rectification submitted, reviewed, closed; 十、3 measures taken."""
    names = {t.code: t.zh for t in load_guide().terms("follow_up_measures")}
    rows = [(ins.id, _day(f.submitted_on), f.review_mode, _day(f.reviewed_on), f.reviewer,
             _day(f.closed_on), ";".join(f.measures), "；".join(names.get(m, m) for m in f.measures),
             f.note) for ins in inspections for f in (ins.follow_up,)]
    frame = pd.DataFrame(rows, columns=list(FOLLOW_UP_COLUMNS))
    for column in ("submitted_on", "reviewed_on", "closed_on"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def samples_frame(inspections: Iterable[Inspection]) -> pd.DataFrame:
    """One row per sampled record (九), with the draw's seed and date and the record's columns."""
    parts = []
    for ins in inspections:
        s = ins.sampling
        if not s.rows:
            continue
        rows = pd.DataFrame([dict(r) for r in s.rows], columns=list(s.columns) or None)
        parts.append(rows.assign(inspection_id=ins.id, seed=s.seed,
                                 inspection_date=_day(s.inspection_date), row=range(1, len(rows) + 1)))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in SAMPLE_COLUMNS})
    frame = pd.concat(parts, ignore_index=True)
    return frame[[*SAMPLE_COLUMNS, *(c for c in frame.columns if c not in SAMPLE_COLUMNS)]]


@dataclass(frozen=True)
class Tables:
    """Every inspection of a store as tidy tables, joined on ``inspection_id``.

    ``skipped`` names records that could not be read (id and why); they are in no table.
    """

    inspections: pd.DataFrame
    results: pd.DataFrame
    findings: pd.DataFrame
    samples: pd.DataFrame
    follow_ups: pd.DataFrame
    skipped: tuple[tuple[str, str], ...] = ()


def tables_of(inspections: Iterable[Inspection]) -> Tables:
    """:class:`Tables` of inspections already in hand (tests, or records from elsewhere).

    Findings carry their inspection's company, type and start date, so that the analyses need
    no join.
    """
    found = list(inspections)
    heads = inspections_frame(found)
    context = heads[["inspection_id", "company", "credit_code", "type", "start_date"]]
    return Tables(
        inspections=heads,
        results=_concat([item_results(i) for i in found], item_results(Inspection())),
        findings=_concat([findings_frame(i) for i in found], findings_frame(Inspection()))
        .merge(context, on="inspection_id", how="left"),
        samples=samples_frame(found),
        follow_ups=follow_ups_frame(found),
    )


def _concat(frames: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else empty


def load_tables(store: Store, *, progress: bool = False) -> Tables:
    """Read every inspection in ``store`` into :class:`Tables` (one call for an analyst).

    A record the model refuses is left out and named in ``skipped`` with the reason, so one
    broken record never hides all the others. ``progress`` shows a bar (in a notebook, a
    widget; in a terminal, on stderr).
    """
    from tqdm.auto import tqdm  # here: importing it looks for ipywidgets, a notebook's bar

    found, skipped = [], []
    rows = store.list(())
    for row in tqdm(rows, desc="读取检查记录 reading", unit="条", disable=not progress,
                    leave=False):
        try:
            found.append(open_inspection(store, row["id"]))
        except ValidationError as exc:
            skipped.append((row["id"], str(exc).splitlines()[0]))
    log.info("read %d inspection(s), %d left out", len(found), len(skipped))
    tables = tables_of(found)
    return Tables(tables.inspections, tables.results, tables.findings, tables.samples,
                  tables.follow_ups, tuple(skipped))


# -- counts for the charts ---------------------------------------------------------------------
def findings_per_section(tables: Tables) -> pd.DataFrame:
    """Per section of 七 (all 14): findings, inspections that covered it, findings per inspection."""
    sections = load_guide().sections
    frame = pd.DataFrame({"section": [s.id for s in sections], "label": [s.label for s in sections],
                          "title_zh": [s.text.zh for s in sections],
                          "title_en": [s.text.en for s in sections]})
    found = tables.findings.groupby("section").size()
    covered = tables.results.groupby("section")["inspection_id"].nunique()
    frame["n_findings"] = frame["section"].map(found).fillna(0).astype("int64")
    frame["n_inspections"] = frame["section"].map(covered).fillna(0).astype("int64")
    frame["findings_per_inspection"] = _ratio(frame["n_findings"], frame["n_inspections"])
    return frame


def findings_per_company(tables: Tables) -> pd.DataFrame:
    """Per company: inspections, findings, findings per inspection, the latest inspection."""
    heads = tables.inspections
    frame = heads.groupby("company", as_index=False).agg(
        credit_code=("credit_code", "first"), n_inspections=("inspection_id", "size"),
        n_findings=("n_findings", "sum"), last_inspection=("start_date", "max"))
    frame["findings_per_inspection"] = _ratio(frame["n_findings"], frame["n_inspections"])
    return frame.sort_values(["n_findings", "company"], ascending=[False, True],
                             ignore_index=True)


def findings_per_type(tables: Tables) -> pd.DataFrame:
    """Per inspection type of 五、2 (all six): inspections, findings, findings per inspection."""
    terms = load_guide().terms("inspection_types")
    frame = pd.DataFrame({"type": [t.code for t in terms], "type_zh": [t.zh for t in terms]})
    by_type = tables.inspections.groupby("type").agg(n_inspections=("inspection_id", "size"),
                                                     n_findings=("n_findings", "sum"))
    for column in ("n_inspections", "n_findings"):
        frame[column] = frame["type"].map(by_type[column]).fillna(0).astype("int64")
    frame["findings_per_inspection"] = _ratio(frame["n_findings"], frame["n_inspections"])
    return frame


def _ratio(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a / b.where(b > 0)).fillna(0.0).round(2)


# -- working days, overdue rectifications ---------------------------------------------------------
def workday_counts(starts: pd.Series, ends: pd.Series, *,
                     calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """Working days after each start up to each end, for whole columns at once.

    The same count as :meth:`WorkCalendar.workdays_between` (negative when the end is first),
    computed from one cumulative count over the days spanned, not a loop per row. Where a day
    counted lies in a year whose schedule is unknown, Monday-Friday is counted, ``estimated`` is
    True and a :class:`~kit.workdays.CalendarEstimateWarning` says which years. Columns: days
    (nullable integer, missing where a date is), estimated.
    """
    cal = calendar or load_calendar()
    a, b = pd.to_datetime(starts).dt.normalize(), pd.to_datetime(ends).dt.normalize()
    ok = (a.notna() & b.notna()).to_numpy()
    out = pd.DataFrame({"days": pd.array([pd.NA] * len(a), dtype="Int64"),
                        "estimated": np.zeros(len(a), dtype=bool)}, index=starts.index)
    if not ok.any():
        return out
    lo = min(a[ok].min(), b[ok].min())
    days = pd.date_range(lo, max(a[ok].max(), b[ok].max()), freq="D")
    known = np.array([cal.knows(d.date()) for d in days])
    work = np.array([cal.is_workday(d.date()) if k else d.weekday() < 5
                     for d, k in zip(days, known, strict=True)])
    counted, unknown = np.cumsum(work), np.cumsum(~known)
    i = ((a[ok] - lo).dt.days.to_numpy(), (b[ok] - lo).dt.days.to_numpy())
    out.loc[ok, "days"] = counted[i[1]] - counted[i[0]]
    estimated = unknown[np.maximum(*i)] != unknown[np.minimum(*i)]
    out.loc[ok, "estimated"] = estimated
    if estimated.any():
        years = sorted({d.year for d in days[~known]})
        warnings.warn(f"{'、'.join(map(str, years))} 年放假安排未知，工作日按周一至周五估算 / the "
                      f"{years} holiday schedule is unknown; working days were estimated",
                      CalendarEstimateWarning, stacklevel=2)
    return out


def overdue_rectifications(tables: Tables, as_of: date, *,
                           calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """Findings whose rectification was overdue on ``as_of``, in working days (六、9，十、1).

    A finding whose handling needs a deadline is ``overdue`` (逾期未整改) when its deadline has
    passed and the company had submitted no rectification by ``as_of``: overdue by the working
    days from the deadline to ``as_of``. It is ``late`` (逾期提交) when the rectification came
    after the deadline: late by the working days from the deadline to the submission.
    """
    day = pd.Timestamp(as_of)
    f = tables.findings[tables.findings["needs_deadline"] & tables.findings["deadline"].notna()]
    f = f.merge(tables.follow_ups[["inspection_id", "submitted_on", "closed_on"]],
                on="inspection_id", how="left")
    submitted = f["submitted_on"].where(f["submitted_on"] <= day)
    still_open = submitted.isna()
    counted = workday_counts(f["deadline"], submitted.fillna(day), calendar=calendar)
    f = f.assign(status=np.where(still_open, "overdue", "late"),
                 status_zh=np.where(still_open, "逾期未整改", "逾期提交"),
                 workdays_overdue=counted["days"], estimated=counted["estimated"])
    f = f[f["workdays_overdue"].fillna(0) > 0]
    columns = ["company", "inspection_id", "start_date", "finding", "item", "item_label",
               "section", "handling_zh", "deadline", "submitted_on", "status", "status_zh",
               "workdays_overdue", "estimated"]
    return f[columns].sort_values(["status", "workdays_overdue", "company"],
                                  ascending=[False, False, True], ignore_index=True)


# -- repeats and suggested measures -------------------------------------------------------------
def repeat_findings(tables: Tables, by: str = "item") -> pd.DataFrame:
    """Items (or sections, ``by="section"``) with findings in two or more of a company's inspections.

    Columns: company, key (item or section id), label, n_inspections, n_findings, first_found,
    last_found, dates (the inspections' start dates, ``;``-joined), inspections (their ids).
    """
    if by not in ("item", "section"):
        msg = f"by 只能是 item 或 section / by must be 'item' or 'section', not {by!r}"
        raise KitError(msg)
    f = tables.findings.sort_values(["start_date", "inspection_id"])
    labels = {s.id: f"{s.label} {s.text.zh}" for s in load_guide().sections}
    f = f.assign(key=f[by], label=f["item_label"] if by == "item" else f["section"].map(labels),
                 day=f["start_date"].dt.strftime("%Y-%m-%d"))
    grouped = f.groupby(["company", "key"], as_index=False, sort=True).agg(
        label=("label", "first"), n_inspections=("inspection_id", "nunique"),
        n_findings=("finding", "size"), first_found=("start_date", "min"),
        last_found=("start_date", "max"),
        dates=("day", lambda s: ";".join(dict.fromkeys(s))),
        inspections=("inspection_id", lambda s: ";".join(dict.fromkeys(s))))
    repeats = grouped[grouped["n_inspections"] >= 2]
    return repeats.sort_values(["n_inspections", "company", "key"], ascending=[False, True, True],
                               ignore_index=True)


#: The order in which a company's history suggests one follow-up measure of 十、3: the first
#: condition that holds wins. Each reason is written from the company's own history.
MEASURE_LADDER = ("recall", "credit_penalty", "key_supervision", "warning_interview",
                  "self_inspection_reports", "more_testing", "recheck", "")


def suggest_measures(tables: Tables, today: date, *,
                     calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """One suggested follow-up measure of 十、3 per company, and the reason from its history.

    十、3 leaves the choice to the office "视现场情况、企业整改情况以及对企业既往的监管情况"; this
    is a suggestion for the analyst, in this order (the first that holds):

    1. products harmed people (十、1 情形2 in its history) -> 建议召回 (十、3.（8）);
    2. a suspected illegal act was filed or transferred (十、1 情形5) -> 失信惩戒 (十、3.（4）);
    3. the same item found in two or more inspections, or production suspended for a serious
       GMP violation (十、1 情形3) -> 列为重点监管企业 (十、3.（3）);
    4. a rectification overdue today -> 告诫、责任约谈 (十、3.（6）);
    5. a rectification submitted late before -> 定期自查并汇报 (十、3.（5）);
    6. findings on equipment or quality control (七、4, 七、9) -> 加强自检或送检 (十、3.（2）);
    7. a rectification not yet reviewed and closed -> 现场复查或书面审查 (十、3.（1）);
    8. otherwise no extra measure.

    ``also_zh`` names the other measures whose conditions hold, for the analyst to weigh.
    """
    columns = ["company", "credit_code", "measure", "measure_zh", "clause", "reason", "also_zh",
               "n_inspections", "n_findings", "n_repeat_items", "n_overdue",
               "max_overdue_workdays", "n_late", "last_inspection"]
    guide = load_guide()
    heads = tables.inspections
    if heads.empty:
        return pd.DataFrame(columns=columns)
    f = tables.findings
    over = overdue_rectifications(tables, today, calendar=calendar)
    repeats = repeat_findings(tables)
    companies = heads.groupby("company").agg(credit_code=("credit_code", "first"),
                                             n_inspections=("inspection_id", "size"),
                                             n_findings=("n_findings", "sum"),
                                             last_inspection=("start_date", "max"))

    def per_company(mask: pd.Series, text: pd.Series) -> pd.Series:
        """The ``；``-joined texts of the findings where ``mask`` holds, by company ('' if none)."""
        joined = text[mask].groupby(f.loc[mask, "company"]).agg("；".join)
        return _text_by(joined, companies.index)

    day = f["start_date"].dt.strftime("%Y-%m-%d")
    what = day + " " + f["item_label"]
    harmed = per_company(f["handling"].eq("suspend_and_warn"), what)
    filed = per_company(f["handling"].eq("file_case"), what)
    suspended = per_company(f["handling"].eq("suspend_and_rectify"), what)
    testing = per_company(f["section"].isin(TESTING_SECTIONS), what)
    rep = repeats.assign(text=repeats["label"] + "（" + repeats["dates"].str.replace(";", "、")
                         + "）").groupby("company")["text"].agg("；".join)
    overdue = over[over["status"] == "overdue"].groupby("company")["workdays_overdue"].agg(
        ["size", "max"])
    late = over[over["status"] == "late"].groupby("company").size()
    done = tables.follow_ups.loc[tables.follow_ups["closed_on"].notna(), "inspection_id"]
    pending = f[f["needs_deadline"].astype(bool) & ~f["inspection_id"].isin(done)].groupby(
        "company")["inspection_id"].agg(lambda s: "、".join(dict.fromkeys(s)))

    index = companies.index
    n_overdue = _count_by(overdue["size"], index)
    max_overdue = _count_by(overdue["max"], index)
    n_late = _count_by(late, index)
    n_repeats = _count_by(repeats.groupby("company").size(), index)
    repeated = _text_by(rep, index)
    waiting = _text_by(pending, index)
    conditions = [harmed != "", filed != "", (repeated != "") | (suspended != ""),
                  n_overdue > 0, n_late > 0, testing != "", waiting != ""]
    reasons = [
        "产品对人体造成伤害或可能危害人体健康（十、1 情形2）：" + harmed,
        "涉嫌违法行为已立案调查或移交（十、1 情形5）：" + filed,
        np.where(repeated != "", "同一检查项在多次检查中重复发现问题：" + repeated,
                 "严重违反规范、暂停生产整改（十、1 情形3）：" + suspended),
        f"截至 {today} 有 " + n_overdue.astype(str) + " 项整改逾期未提交，最长逾期 "
        + max_overdue.astype(str) + " 个工作日",
        "既往有 " + n_late.astype(str) + " 项整改逾期提交",
        "设备或质量控制方面发现问题：" + testing,
        "整改尚未复查结案（检查 " + waiting + "）",
    ]
    measure = np.select(conditions, MEASURE_LADDER[:-1], default="")
    held = pd.DataFrame(dict(zip(MEASURE_LADDER[:-1], conditions, strict=True)))
    also = (held.to_numpy() & (held.columns.to_numpy() != measure[:, None])).astype(bool)
    reason = np.select(conditions, [np.asarray(r, dtype=object) for r in reasons],
                       default="既往检查未发现需要后续措施的问题，按常规监督检查")
    terms = {t.code: t for t in guide.terms("follow_up_measures")}
    names = np.array([terms[m].zh for m in held.columns], dtype=object)
    out = companies.reset_index().assign(
        measure=measure,
        measure_zh=[terms[m].zh if m else "无需额外措施" for m in measure],
        clause=[guide.item(terms[m].source).label if m else "" for m in measure],
        reason=reason,
        also_zh=["；".join(names[row]) for row in also], n_repeat_items=n_repeats.to_numpy(),
        n_overdue=n_overdue.to_numpy(), max_overdue_workdays=max_overdue.to_numpy(),
        n_late=n_late.to_numpy())
    rank = out["measure"].map({m: i for i, m in enumerate(MEASURE_LADDER)})
    return out.assign(rank=rank).sort_values(["rank", "company"], ignore_index=True)[columns]


def _text_by(values: pd.Series, index: pd.Index) -> pd.Series:
    """Texts by company, '' for a company with none."""
    return values.astype("str").reindex(index, fill_value="")


def _count_by(values: pd.Series, index: pd.Index) -> pd.Series:
    """Counts by company, 0 for a company with none."""
    return values.reindex(index, fill_value=0).fillna(0).astype("int64")


# -- Excel ---------------------------------------------------------------------------------------
SHEETS: Mapping[str, str] = {
    "measures": "建议措施", "overdue": "逾期整改", "repeats": "重复问题", "by_section": "按节统计",
    "by_company": "按企业统计", "by_type": "按类型统计", "inspections": "检查", "findings": "问题",
    "follow_ups": "跟踪整改", "samples": "记录抽样", "results": "检查项结果",
}


def report_tables(tables: Tables, today: date, *,
                  calendar: WorkCalendar | None = None) -> dict[str, pd.DataFrame]:
    """Every analysis and every table by name (the keys of :data:`SHEETS`), ready to write."""
    return {
        "measures": suggest_measures(tables, today, calendar=calendar),
        "overdue": overdue_rectifications(tables, today, calendar=calendar),
        "repeats": repeat_findings(tables), "by_section": findings_per_section(tables),
        "by_company": findings_per_company(tables), "by_type": findings_per_type(tables),
        "inspections": tables.inspections, "findings": tables.findings,
        "follow_ups": tables.follow_ups, "samples": tables.samples, "results": tables.results,
    }


def export_excel(tables: Tables, path: str | Path, *, today: date | None = None,
                 calendar: WorkCalendar | None = None) -> Path:
    """Write the analyses and the tables to one .xlsx workbook, a sheet each; return the path.

    Overdue rectifications and suggested measures are as of ``today`` (default: the real
    today). Text (company names, notes) is written as text, never as a formula, whatever it
    starts with.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        msg = f"导出文件须为 .xlsx / the export must be an .xlsx file, not {path.name!r}"
        raise KitError(msg)
    write_tables(report_tables(tables, today or date.today(), calendar=calendar), path,
                 titles=SHEETS)
    return path
