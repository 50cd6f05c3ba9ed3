"""Many inspections as typed pandas tables, and the analyses an office reads from them (十、3)."""

from __future__ import annotations

import functools
import html
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ParamSpec

import numpy as np
import pandas as pd

from kit.analytics._dictionary import describe
from kit.analytics._outcomes import (
    EXTENSION_COLUMNS,
    PRODUCTION_STATES,
    REVIEW_COLUMNS,
    due_dates,
    extensions_table,
    production,
    proposed_verdicts,
    review_rounds,
    words,
)
from kit.analytics._typed import (
    BUILD_STEPS,
    READ_PATHS,
    Built,
    build,
    build_parts,
    coded,
    rows_of,
    tuples,
    tuples_by,
    vocabularies,
)
from kit.door import Door, Where
from kit.errors import KitError
from kit.frames import read_frames, write_frames
from kit.guide import load_guide
from kit.labels import FINDING_STATES, RESULTS, STAGES
from kit.policy import load_policy
from kit.record import Inspection, to_doc
from kit.workdays import WorkCalendar, load_calendar, warn_estimate

#: Each table's key: one column whose value names one row, stable from one reading to the next
#: (built from the record's own keys, never from a row's position): ``A1/7.8.m4`` an item's
#: result, ``A1/F2`` a finding (its id is unique only within its inspection), ``A1/F2/R1`` a
#: review round (R and its round number), ``A1/F2/E1`` an extension, ``A1/M1`` a team member,
#: ``A1/rectification`` a notice, ``A1/P1`` a product, ``A1/L1`` a licence, ``A1/3`` a record
#: sampled (its row in the draw). An inspection and its follow-up are keyed by the inspection.
KEYS: Mapping[str, str] = {
    "inspections": "inspection_id", "results": "result_key", "findings": "finding_key",
    "samples": "sample_key", "follow_ups": "inspection_id", "team": "member_key",
    "notices": "notice_key", "products": "product_key", "licences": "licence_key",
    "reviews": "review_key", "extensions": "extension_key",
}
RESULT_COLUMNS = ("result_key", "inspection_id", "section", "item", "kind", "label", "result",
                  "result_zh", "notes", "means", "evidence", "inspector")
FINDING_COLUMNS = ("finding_key", "inspection_id", "finding", "item", "item_label", "section",
                   "description", "grade", "grade_zh", "handling", "handling_zh",
                   "needs_deadline", "requirement", "deadline", "due", "extended",
                   "affects_past_products", "state", "state_zh", "submitted_on", "evidence",
                   "review_mode", "reviewed_on", "reviewer", "basis", "corrected_by",
                   "corrected_at", "warning_on", "warning_channel", "case_number",
                   "transferred_to", "transferred_on", "production", "production_zh",
                   "company", "credit_code", "type", "start_date")
INSPECTION_COLUMNS = ("inspection_id", "company", "credit_code", "role", "role_zh", "type",
                      "type_zh", "principal", "cooperation", "unannounced", "remote",
                      "start_date", "end_date", "quarter", "stage", "stage_zh", "profile",
                      "sections", "n_sections", "n_findings", "leader", "inspectors",
                      "decided_on", "verdict", "verdict_zh", "verdict_scheme",
                      "proposed_verdict", "proposed_verdict_zh", "verdict_reason",
                      "communicated_with", "communicated_on", "report_to_both_on",
                      "notify_outside", "advance_report_on")
FOLLOW_UP_COLUMNS = ("inspection_id", "submitted_on", "review_mode", "reviewed_on", "reviewer",
                     "closed_on", "measures", "measures_zh", "note")
TEAM_COLUMNS = ("member_key", "inspection_id", "member", "name", "role", "user", "authority",
                "sections")
NOTICE_COLUMNS = ("notice_key", "inspection_id", "kind", "number", "issued_on", "served_on",
                  "received_by", "refused", "witnesses", "note")
PRODUCT_COLUMNS = ("product_key", "inspection_id", "product", "name", "certificate",
                   "registration_no", "device_class", "category_code", "sterile", "in_scope")
LICENCE_COLUMNS = ("licence_key", "inspection_id", "licence", "kind", "number", "issued",
                   "expires")
#: the draw's own columns; the sampled record's columns (as its register names them) follow
SAMPLE_COLUMNS = ("sample_key", "inspection_id", "seed", "inspection_date", "row")

#: 十、1 handling that marks a serious history (products harmed, suspension, a case filed)
SERIOUS_HANDLING = ("suspend_and_warn", "suspend_and_rectify", "file_case")
#: sections whose findings call for more product testing (十、3.（2）): equipment, quality control
TESTING_SECTIONS = ("7.4", "7.9")

log = logging.getLogger(__name__)
_P = ParamSpec("_P")


def _text_typed(analysis: Callable[_P, pd.DataFrame]) -> Callable[_P, pd.DataFrame]:
    """An analysis whose text columns are pandas' ``string`` (missing ``pd.NA``), as in the
    tables: not ``object`` (pandas 2) or ``str`` (pandas 3), so one analysis gives the same
    dtypes under any pandas and string storage, and reads back from Excel as it was. An
    analysis holds no lists (the tables do), so an ``object`` column of an empty result is a
    text one too (pandas 2 gives ``object`` for what ``np.where`` makes of nothing)."""

    @functools.wraps(analysis)
    def typed(*args: _P.args, **kwargs: _P.kwargs) -> pd.DataFrame:
        frame = analysis(*args, **kwargs)
        text = [c for c in frame.columns if _is_text(frame[c]) or (
            frame.empty and pd.api.types.is_object_dtype(frame[c].dtype))]
        return frame.astype(dict.fromkeys(text, "string")) if text else frame

    return typed


def _empty(dtypes: dict[str, Any]) -> pd.DataFrame:
    """An analysis's frame with no rows: its columns, in order, each of its type."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes.items()})


def _is_text(column: pd.Series) -> bool:
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        return dtype.na_value is not pd.NA  # pandas 3's ``str``: missing is NaN
    return pd.api.types.is_object_dtype(dtype) and pd.api.types.infer_dtype(
        column, skipna=True) == "string"


@dataclass(frozen=True)
class Tables:
    """Every inspection of a store as typed tables, joined on ``inspection_id``.

    ``inspections`` (one row each), ``results`` (one row per checklist item in scope),
    ``findings`` (with each finding's rectification, and its inspection's company, type and
    start date), ``samples`` (九), ``follow_ups`` (十、3), ``team`` (one row per member),
    ``notices`` (六、7, 六、9), the company's ``products`` and ``licences`` as each
    inspection recorded them, every review round of each finding (``reviews``: the kept ones
    and the one under way) and its extensions (``extensions``, 延期整改). Sections, items and codes are ordered categoricals in the
    guide's order (``groupby`` gives 7.1, 7.2 … 7.10); missing values are ``pd.NA``/``NaT``;
    text is ``string``; multi-valued fields are tuples of str (``()`` for none), with or
    without pyarrow (:mod:`kit.analytics._typed`); times are aware, in Asia/Shanghai. Each
    table's first column is its key (:data:`KEYS`: ``finding_key`` ``A1/F2``…; inspections
    and follow-ups are keyed by ``inspection_id``); every column is described in the data
    dictionary (:func:`kit.analytics.data_dictionary`). ``skipped`` names records that could
    not be read (id and why); they are in no table.
    """

    inspections: pd.DataFrame
    results: pd.DataFrame
    findings: pd.DataFrame
    samples: pd.DataFrame
    follow_ups: pd.DataFrame
    team: pd.DataFrame
    notices: pd.DataFrame
    products: pd.DataFrame
    licences: pd.DataFrame
    reviews: pd.DataFrame
    extensions: pd.DataFrame
    skipped: tuple[tuple[str, str], ...] = ()


def _zh(codes: pd.Series, names: Mapping[str, str]) -> pd.Series:
    """A coded categorical's Chinese names, as a categorical in the same order."""
    cats = [names.get(c, c) for c in codes.cat.categories]
    return pd.Series(coded(codes.cat.codes, cats), index=codes.index)


def _tables(built: Built) -> Tables:
    """The analysts' tables from the typed frames: names in Chinese beside the codes, the
    findings with their inspection's context, the counts."""
    guide = load_guide()
    terms = {name: {t.code: t for t in guide.terms(name)}
             for name in ("inspection_types", "handling_kinds", "follow_up_measures", "roles")}
    policy = load_policy()
    verdict_words, grade_words = words(policy, "verdicts"), words(policy, "grades")
    h = built.heads
    team, f = built.team, built.findings
    leader = team[team["role"] == "leader"].drop_duplicates("inspection_id").set_index(
        "inspection_id")["name"]
    names = tuples_by(team["name"], team["inspection_id"])
    n_found = f.groupby("inspection_id", sort=False).size()
    ids = h["inspection_id"]
    heads = pd.DataFrame({
        "inspection_id": ids, "company": h["company"], "credit_code": h["credit_code"],
        "role": h["role"], "role_zh": _zh(h["role"], {k: t.zh for k, t in terms["roles"].items()}),
        "type": h["type"],
        "type_zh": _zh(h["type"], {k: t.zh for k, t in terms["inspection_types"].items()}),
        "principal": h["principal"], "cooperation": h["cooperation"],
        "unannounced": h["unannounced"], "remote": h["remote"], "start_date": h["start_date"],
        "end_date": h["end_date"], "quarter": h["start_date"].dt.to_period("Q"),
        "stage": h["stage"], "stage_zh": _zh(h["stage"], {k: v[0] for k, v in STAGES.items()}),
        "profile": h["profile"], "sections": h["sections"],
        "n_sections": h["sections"].map(len).astype("int64"),
        "n_findings": ids.map(n_found).fillna(0).astype("int64"),
        "leader": ids.map(leader).astype("string"),
        "inspectors": tuples(names.get(i, ()) for i in ids.astype(object)),
        "decided_on": h["decided_on"],
        "verdict": h["verdict"], "verdict_zh": _zh(h["verdict"], verdict_words),
        "verdict_scheme": h["verdict_scheme"],
        "proposed_verdict": proposed_verdicts(ids, f, policy),
        "verdict_reason": h["verdict_reason"],
        "communicated_with": h["communicated_with"], "communicated_on": h["communicated_on"],
        "report_to_both_on": h["report_to_both_on"], "notify_outside": h["notify_outside"],
        "advance_report_on": h["advance_report_on"],
    })
    heads.insert(list(heads.columns).index("proposed_verdict") + 1, "proposed_verdict_zh",
                 _zh(heads["proposed_verdict"], verdict_words))
    measures = {k: t.zh for k, t in terms["follow_up_measures"].items()}
    follow_ups = pd.DataFrame({
        "inspection_id": ids, "submitted_on": h["submitted_on"],
        "review_mode": h["review_mode"], "reviewed_on": h["reviewed_on"],
        "reviewer": h["reviewer"], "closed_on": h["closed_on"], "measures": h["measures"],
        "measures_zh": tuples([measures.get(m, m) for m in ms] for ms in h["measures"]),
        "note": h["note"]})
    handling = terms["handling_kinds"]
    items = built.clauses  # the guide's and the profiles' own (x.…) items
    section_ids = vocabularies()["section"]
    item_ids = f["item"].cat.categories
    item_section = [items[i].parent_id if i in items and items[i].parent_id in section_ids
                    else None for i in item_ids]
    due, extended = due_dates(f, built.extensions)
    findings = pd.DataFrame({
        "inspection_id": f["inspection_id"] if "inspection_id" in f else ids.iloc[:0],
        "finding": f["finding"],
        "item": f["item"],
        "item_label": pd.array([items[i].label if i in items else i for i in
                                f["item"].astype(object).fillna("")], dtype="string"),
        "section": pd.Categorical([item_section[k] if k >= 0 else None
                                   for k in f["item"].cat.codes],
                                  categories=list(section_ids), ordered=True),
        "description": f["description"],
        "grade": f["grade"], "grade_zh": _zh(f["grade"], grade_words),
        "handling": f["handling"],
        "handling_zh": _zh(f["handling"], {k: t.zh for k, t in handling.items()}),
        "needs_deadline": f["handling"].map(
            {k: t.needs_deadline for k, t in handling.items()}).astype("boolean")
        .fillna(False).astype(bool),
        "requirement": f["requirement"], "deadline": f["deadline"],
        "due": due, "extended": extended.astype(bool),
        "affects_past_products": f["affects_past_products"], "state": f["state"],
        "state_zh": _zh(f["state"], {k: v[0] for k, v in FINDING_STATES.items()}),
        "submitted_on": f["submitted_on"], "evidence": f["evidence"],
        "review_mode": f["review_mode"], "reviewed_on": f["reviewed_on"],
        "reviewer": f["reviewer"], "basis": f["basis"],
        "corrected_by": f["corrected_by"], "corrected_at": f["corrected_at"],
        "warning_on": f["warning_on"], "warning_channel": f["warning_channel"],
        "case_number": f["case_number"], "transferred_to": f["transferred_to"],
        "transferred_on": f["transferred_on"]}, index=f.index)
    findings["production"] = production(findings, policy)
    findings["production_zh"] = _zh(findings["production"],
                                     {k: v[0] for k, v in PRODUCTION_STATES.items()})
    context = heads[["inspection_id", "company", "credit_code", "type", "start_date"]]
    results = built.results
    results = results.assign(result_zh=_zh(results["result"],
                                           {k: v[0] for k, v in RESULTS.items()}))
    findings = findings.merge(context, on="inspection_id", how="left")
    reviews = review_rounds(built)
    extensions = extensions_table(built)
    samples = built.samples
    return Tables(
        inspections=heads,
        results=_keyed(results, "result_key", "item")[list(RESULT_COLUMNS)],
        findings=_keyed(findings, "finding_key", "finding")[list(FINDING_COLUMNS)],
        samples=_keyed(samples, "sample_key", "row"),
        follow_ups=follow_ups,
        team=_keyed(team, "member_key", "member")[list(TEAM_COLUMNS)],
        notices=_keyed(built.notices, "notice_key", "kind")[list(NOTICE_COLUMNS)],
        products=_keyed(built.products, "product_key", "product")[list(PRODUCT_COLUMNS)],
        licences=_keyed(built.licences, "licence_key", "licence")[list(LICENCE_COLUMNS)],
        reviews=_keyed(_keyed(reviews, "finding_key", "finding"), "review_key", "finding",
                       "round", prefix="R")[list(REVIEW_COLUMNS)],
        extensions=_keyed(_keyed(extensions, "finding_key", "finding"), "extension_key",
                          "finding", "extension")[list(EXTENSION_COLUMNS)],
        skipped=built.skipped,
    )


def _keyed(frame: pd.DataFrame, name: str, *parts: str, prefix: str = "") -> pd.DataFrame:
    """``frame`` with its key ``name`` first: ``inspection_id/part/…`` (the last part after
    ``prefix``: a review's round 2 is ``R2``), see :data:`KEYS`."""
    key = frame["inspection_id"].to_numpy(dtype=object, na_value="")
    for k, part in enumerate(parts):
        values = frame[part].astype(object).to_numpy(dtype=object)
        last = prefix if k == len(parts) - 1 else ""
        key = key + ("/" + last) + np.array([str(v) for v in values], dtype=object)
    out = frame.drop(columns=[name], errors="ignore")
    out.insert(0, name, pd.Series(key if len(frame) else [], index=frame.index,
                                  dtype="string"))
    return out


def tables_of(inspections: Iterable[Inspection]) -> Tables:
    """:class:`Tables` of inspections already in hand (tests, or records from elsewhere): the
    same tables :func:`load_tables` gives for the same records in a store."""
    return _tables(build(rows_of((ins.id, to_doc(ins)) for ins in inspections)))


def item_results(inspection: Inspection) -> pd.DataFrame:
    """One row per checklist item in scope, with its result (未检查 where none was set)."""
    return tables_of([inspection]).results


def findings_frame(inspection: Inspection) -> pd.DataFrame:
    """One row per finding with its item's section and label and the handling's Chinese name."""
    return tables_of([inspection]).findings


def inspections_frame(inspections: Iterable[Inspection]) -> pd.DataFrame:
    """One row per inspection: company, type, manner, dates, stage and how many findings."""
    return tables_of(inspections).inspections


def follow_ups_frame(inspections: Iterable[Inspection]) -> pd.DataFrame:
    """One row per inspection: rectification submitted, reviewed, closed; 十、3 measures taken."""
    return tables_of(inspections).follow_ups


def samples_frame(inspections: Iterable[Inspection]) -> pd.DataFrame:
    """One row per sampled record (九), with the draw's seed and date and the record's columns."""
    return tables_of(inspections).samples


def _texts(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def load_tables(door: Door, *, since: date | None = None, until: date | None = None,
                companies: str | Iterable[str] | None = None,
                inspectors: str | Iterable[str] | None = None,
                progress: bool = False) -> Tables:
    """Every inspection the door's person may read, as :class:`Tables` (one call for an
    analyst): an office leader or analyst reads every inspection, an inspector their teams'
    (the access rule is one more condition of the store's query, never a filter after loading).

    The filters are the store's query, so only what they select is read: ``since``/``until``
    (the visit's first day, both included), ``companies`` (names or unified social credit
    codes), ``inspectors`` (team members' names or sign-ins). A record whose values the model
    refuses is left out and named in ``skipped`` with the field and why, so one broken record
    never hides all the others. ``progress`` shows how far the reading is (in a notebook a
    line updated in place, no widget; in a terminal a bar on stderr).
    """
    where = []
    if since is not None or until is not None:
        where.append(Where(("scope/start_date",), low=since and since.isoformat(),
                           high=until and until.isoformat()))
    if wanted := _texts(companies):
        where.append(Where(("company/name", "company/credit_code"), wanted))
    if wanted := _texts(inspectors):
        where.append(Where(("team/*/name", "team/*/user"), wanted))
    with _steps(2 + BUILD_STEPS, "读取检查记录 reading", "步", show=progress) as step:
        rows = door.rows(READ_PATHS, where=where)
        step()
        tables = _tables(build(rows, step))
        step()
    log.info("read %d inspection(s), %d left out (%d fields)", len(tables.inspections),
             len(tables.skipped), len(rows))
    for iid, why in tables.skipped:
        log.warning("left out %s: %s", iid, why)
    return tables


#: the fields the year's plan reads (:func:`load_plan_tables`): the company, its products and
#: licences, the scope's first day and sections (a full inspection or not), the findings'
#: items, handling and grades, the follow-up's measures, the teams, the verdicts
PLAN_PATHS = ("company/name", "company/credit_code", "company/role", "company/products",
              "company/licences/*/kind", "company/licences/*/issued", "scope/start_date",
              "scope/sections", "profile", "findings/*/item", "findings/*/handling",
              "findings/*/grade", "follow_up/measures", "team/*/name", "team/*/role",
              "opinion/verdict", "opinion/scheme")
_PLAN_HEADS = ("company", "credit_code", "role", "start_date", "sections", "profile",
               "verdict", "verdict_scheme", "measures")
_PLAN_ENTRIES: Mapping[str, tuple[str, ...]] = {
    "findings": ("item", "handling", "grade"), "team": ("name", "role"),
    "company/products": PRODUCT_COLUMNS[3:],
    "company/licences": ("kind", "issued")}


def load_plan_tables(door: Door, *, chunk: int = 50_000) -> Tables:
    """What the year's plan (:mod:`kit.planning`) reads of every inspection the door's person
    may read, as :class:`Tables` holding those columns only: ``inspections`` (company, credit
    code, role, first day, sections, profile, verdict and its scheme), ``findings`` (item and
    its label, handling, grade, with the inspection's company and first day),
    ``follow_ups`` (measures), ``team`` (name, role), ``products`` and ``licences`` (kind,
    issued); the other tables empty. One query of :data:`PLAN_PATHS`, read ``chunk`` rows at
    a time: the same values, types and order as :func:`load_tables` gives for these columns,
    without reading or building the rest (an office's ~700 fields per inspection, its item
    results). A record whose values read here the model refuses is left out and named in
    ``skipped``, as :func:`load_tables` does."""
    parts = build_parts(door.row_chunks(PLAN_PATHS, size=chunk), _PLAN_HEADS, _PLAN_ENTRIES)
    h = parts.heads
    items = parts.clauses
    heads = h.drop(columns="measures")
    f = parts.entries["findings"]
    findings = f.assign(item_label=pd.array(
        [items[i].label if i in items else i for i in f["item"].astype(object).fillna("")],
        dtype="string"))
    findings = findings.merge(heads[["inspection_id", "company", "credit_code", "start_date"]],
                              on="inspection_id", how="left")
    empty = {name: pd.DataFrame(columns=list(columns)) for name, columns in (
        ("results", RESULT_COLUMNS), ("samples", SAMPLE_COLUMNS), ("notices", NOTICE_COLUMNS),
        ("reviews", REVIEW_COLUMNS), ("extensions", EXTENSION_COLUMNS))}
    log.info("read what the plan needs of %d inspection(s), %d left out",
             len(heads), len(parts.skipped))
    for iid, why in parts.skipped:
        log.warning("left out %s: %s", iid, why)
    return Tables(
        inspections=heads,
        findings=_keyed(findings, "finding_key", "finding"),
        follow_ups=h[["inspection_id", "measures"]],
        team=_keyed(parts.entries["team"], "member_key", "member"),
        products=_keyed(parts.entries["company/products"], "product_key", "product"),
        licences=_keyed(parts.entries["company/licences"], "licence_key", "licence"),
        skipped=parts.skipped, **empty)


@contextmanager
def _steps(total: int, desc: str, unit: str, *, show: bool) -> Iterator[Callable[[], None]]:
    """Show the progress of ``total`` steps; yield the function that counts one.

    In a notebook (JupyterLab, or served by Voila), one output line updated in place, with no
    widget: tqdm's notebook bar is a widget closed when done, and a page that renders the
    cell's outputs afterwards (Voila's) showed "Error displaying widget: model not found" where
    it had been. The line keeps its last words (how many steps, how long). In a terminal, a
    bar on stderr that goes when done (``kit plan``); nothing unless ``show``.
    """
    if not show:
        yield lambda: None
        return
    shell = _kernel()
    if shell is None:
        from tqdm import tqdm  # here, not at the top: only a few commands draw a bar

        with tqdm(total=total, desc=desc, unit=unit, leave=False) as bar:
            yield bar.update
        return
    from IPython.display import display

    start, done = time.monotonic(), 0

    def line() -> dict[str, str]:
        text = f"{desc}：{done}/{total} {unit}"
        if done >= total:
            text += f"，{time.monotonic() - start:.1f} s"
        bar = "" if done >= total else f'<progress value="{done}" max="{total}"></progress> '
        return {"text/plain": text,
                "text/html": f'<div class="kit-progress">{bar}{html.escape(text)}</div>'}

    handle = display(line(), raw=True, display_id=True)

    def step() -> None:
        nonlocal done
        done += 1
        if handle is not None:
            handle.update(line(), raw=True)

    yield step


def _kernel() -> Any:
    """The IPython kernel's shell when this runs in one (a notebook, a Voila page), else None.

    IPython is looked for among the loaded modules only: a terminal never imports it here."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or "IPKernelApp" not in getattr(shell, "config", {}):
        return None
    return shell


# -- counts for the charts ---------------------------------------------------------------------
@_text_typed
def findings_per_section(tables: Tables) -> pd.DataFrame:
    """Per section of 七 (all 14): findings, inspections that covered it, findings per inspection."""
    sections = load_guide().sections
    frame = pd.DataFrame({"section": [s.id for s in sections], "label": [s.label for s in sections],
                          "title_zh": [s.text.zh for s in sections],
                          "title_en": [s.text.en for s in sections]})
    found = tables.findings.groupby("section", observed=True).size()
    covered = tables.results.groupby("section", observed=True)["inspection_id"].nunique()
    frame["n_findings"] = frame["section"].map(found).fillna(0).astype("int64")
    frame["n_inspections"] = frame["section"].map(covered).fillna(0).astype("int64")
    frame["findings_per_inspection"] = _ratio(frame["n_findings"], frame["n_inspections"])
    return frame


@_text_typed
def findings_per_company(tables: Tables) -> pd.DataFrame:
    """Per company: inspections, findings, findings per inspection, the latest inspection."""
    heads = tables.inspections
    frame = heads.groupby("company", as_index=False).agg(
        credit_code=("credit_code", "first"), n_inspections=("inspection_id", "size"),
        n_findings=("n_findings", "sum"), last_inspection=("start_date", "max"))
    frame = frame.astype({"n_inspections": "int64", "n_findings": "int64"})
    frame["findings_per_inspection"] = _ratio(frame["n_findings"], frame["n_inspections"])
    return frame.sort_values(["n_findings", "company"], ascending=[False, True],
                             ignore_index=True)


@_text_typed
def findings_per_type(tables: Tables) -> pd.DataFrame:
    """Per inspection type of 五、2 (all six): inspections, findings, findings per inspection."""
    terms = load_guide().terms("inspection_types")
    frame = pd.DataFrame({"type": [t.code for t in terms], "type_zh": [t.zh for t in terms]})
    by_type = tables.inspections.groupby("type", observed=True).agg(
        n_inspections=("inspection_id", "size"), n_findings=("n_findings", "sum"))
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
    counted lies in a year whose schedule is unknown, it counts as the calendar's estimate
    does (a weekday that is not a statutory holiday), ``estimated`` is True and a :class:`~kit.workdays.CalendarEstimateWarning` says which years. Columns: days
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
    work = np.array([not cal.is_day_off(d.date()) for d in days])
    counted, unknown = np.cumsum(work), np.cumsum(~known)
    i = ((a[ok] - lo).dt.days.to_numpy(), (b[ok] - lo).dt.days.to_numpy())
    out.loc[ok, "days"] = counted[i[1]] - counted[i[0]]
    estimated = unknown[np.maximum(*i)] != unknown[np.minimum(*i)]
    out.loc[ok, "estimated"] = estimated
    if estimated.any():
        years = sorted({d.year for d in days[~known]})
        warn_estimate(years, stacklevel=2)
    return out


@_text_typed
def overdue_rectifications(tables: Tables, as_of: date, *,
                           calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """Findings whose rectification was overdue on ``as_of``, in working days (六、9，十、1).

    A finding whose handling needs a deadline is ``overdue`` (逾期未整改) when its deadline in
    force (``due``: the last extension's, else the one first set) has passed and the company had submitted no rectification of it (its own, or the
    inspection's follow-up) by ``as_of``: overdue by the working
    days from the deadline to ``as_of``. It is ``late`` (逾期提交) when the rectification came
    after the deadline: late by the working days from the deadline to the submission.
    """
    day = pd.Timestamp(as_of)
    f = tables.findings[tables.findings["needs_deadline"] & tables.findings["due"].notna()]
    whole = tables.follow_ups[["inspection_id", "submitted_on"]].rename(
        columns={"submitted_on": "follow_up_submitted_on"})
    f = f.merge(whole, on="inspection_id", how="left")
    # the finding's own rectification (六、9), else the one submitted for the whole inspection
    f["submitted_on"] = f["submitted_on"].fillna(f["follow_up_submitted_on"])
    submitted = f["submitted_on"].where(f["submitted_on"] <= day)
    still_open = submitted.isna()
    counted = workday_counts(f["due"], submitted.fillna(day), calendar=calendar)
    f = f.assign(status=np.where(still_open, "overdue", "late"),
                 status_zh=np.where(still_open, "逾期未整改", "逾期提交"),
                 workdays_overdue=counted["days"], estimated=counted["estimated"])
    f = f[f["workdays_overdue"].fillna(0) > 0]
    columns = ["company", "inspection_id", "start_date", "finding", "item", "item_label",
               "section", "handling_zh", "deadline", "due", "extended", "submitted_on", "status",
               "status_zh",
               "workdays_overdue", "estimated"]
    return f[columns].sort_values(["status", "workdays_overdue", "company"],
                                  ascending=[False, False, True], ignore_index=True)


# -- repeats and suggested measures -------------------------------------------------------------
@_text_typed
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
    grouped = f.groupby(["company", "key"], as_index=False, sort=True, observed=True).agg(
        label=("label", "first"), n_inspections=("inspection_id", "nunique"),
        n_findings=("finding", "size"), first_found=("start_date", "min"),
        last_found=("start_date", "max"),
        dates=("day", lambda s: ";".join(dict.fromkeys(s))),
        inspections=("inspection_id", lambda s: ";".join(dict.fromkeys(s))))
    grouped = grouped.astype({"n_inspections": "int64", "n_findings": "int64"})
    repeats = grouped[grouped["n_inspections"] >= 2]
    return repeats.sort_values(["n_inspections", "company", "key"], ascending=[False, True, True],
                               ignore_index=True)


#: The order in which a company's history suggests one follow-up measure of 十、3: the first
#: condition that holds wins. Each reason is written from the company's own history.
MEASURE_LADDER = ("recall", "credit_penalty", "key_supervision", "warning_interview",
                  "self_inspection_reports", "more_testing", "recheck", "")


@_text_typed
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
    texts = ["company", "credit_code", "measure", "measure_zh", "clause", "reason", "also_zh"]
    counts = ["n_inspections", "n_findings", "n_repeat_items", "n_overdue",
              "max_overdue_workdays", "n_late"]
    columns = [*texts, *counts, "last_inspection"]
    guide = load_guide()
    heads = tables.inspections
    if heads.empty:  # the same columns and types as when there is something to suggest
        return _empty({**dict.fromkeys(texts, "string"), **dict.fromkeys(counts, "int64"),
                       "last_inspection": heads["start_date"].dtype})
    f = tables.findings
    over = overdue_rectifications(tables, today, calendar=calendar)
    repeats = repeat_findings(tables)
    companies = heads.groupby("company").agg(credit_code=("credit_code", "first"),
                                             n_inspections=("inspection_id", "size"),
                                             n_findings=("n_findings", "sum"),
                                             last_inspection=("start_date", "max"))
    companies = companies.astype({"n_inspections": "int64", "n_findings": "int64"})

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


# -- trends and workloads -------------------------------------------------------------------
@_text_typed
def quarterly_trends(tables: Tables, as_of: date, *,
                     calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """Per quarter of the visits' first days: inspections, findings, findings per inspection,
    findings to rectify by a deadline and how many of them were overdue (or late) as of
    ``as_of``, and that rate. Every quarter from the first to the last is a row, empty ones
    too (their ratios NaN, not 0), so a trend is not drawn over a gap.
    """
    columns = ["quarter", "n_inspections", "n_findings", "findings_per_inspection",
               "n_to_rectify", "n_overdue", "overdue_rate"]
    heads = tables.inspections.dropna(subset=["quarter"])
    if heads.empty:
        return pd.DataFrame({c: pd.Series(dtype="period[Q-DEC]" if c == "quarter" else
                                          "float64" if "rate" in c or "per" in c else "int64")
                             for c in columns})
    quarters = pd.period_range(heads["quarter"].min(), heads["quarter"].max(), freq="Q")
    f = tables.findings.assign(quarter=tables.findings["start_date"].dt.to_period("Q"))
    over = overdue_rectifications(tables, as_of, calendar=calendar)
    over_q = over["start_date"].dt.to_period("Q").value_counts()
    frame = pd.DataFrame({"quarter": quarters})
    frame["n_inspections"] = _count_by(heads["quarter"].value_counts(), quarters).to_numpy()
    frame["n_findings"] = _count_by(f["quarter"].value_counts(), quarters).to_numpy()
    # a quarter with nothing to divide by has no ratio (NaN): a chart's line breaks there
    frame["findings_per_inspection"] = (frame["n_findings"] / frame["n_inspections"].where(
        frame["n_inspections"] > 0)).round(2)
    to_rectify = f[f["needs_deadline"]]["quarter"].value_counts()
    frame["n_to_rectify"] = _count_by(to_rectify, quarters).to_numpy()
    frame["n_overdue"] = _count_by(over_q, quarters).to_numpy()
    frame["overdue_rate"] = (frame["n_overdue"] / frame["n_to_rectify"].where(
        frame["n_to_rectify"] > 0)).round(2)
    return frame[columns]


@_text_typed
def findings_by_quarter_and_section(tables: Tables) -> pd.DataFrame:
    """Per quarter and section of 七: findings, inspections that covered the section, and
    findings per inspection (a long table: pivot it on ``section`` for a grid)."""
    columns = ["quarter", "section", "label", "title_zh", "n_findings", "n_inspections",
               "findings_per_inspection"]
    if tables.results.empty:
        return _empty({"quarter": "period[Q-DEC]", "section": tables.results["section"].dtype,
                       "label": "string", "title_zh": "string", "n_findings": "int64",
                       "n_inspections": "int64", "findings_per_inspection": "float64"})
    results = tables.results[["inspection_id", "section"]].drop_duplicates()
    quarter = tables.inspections.set_index("inspection_id")["quarter"]
    covered = results.assign(quarter=results["inspection_id"].map(quarter)).groupby(
        ["quarter", "section"], observed=True).size().rename("n_inspections")
    f = tables.findings.assign(quarter=tables.findings["start_date"].dt.to_period("Q"))
    found = f.groupby(["quarter", "section"], observed=True).size().rename("n_findings")
    frame = pd.concat([found, covered], axis=1).fillna(0).astype("int64").reset_index()
    sections = load_guide().sections
    frame["label"] = frame["section"].map({s.id: s.label for s in sections}).astype("string")
    frame["title_zh"] = frame["section"].map({s.id: s.text.zh for s in sections}).astype(
        "string")
    frame["findings_per_inspection"] = _ratio(frame["n_findings"], frame["n_inspections"])
    return frame.sort_values(["quarter", "section"], ignore_index=True)[columns]


@_text_typed
def inspector_workload(tables: Tables, *, by: str = "quarter") -> pd.DataFrame:
    """Per inspector (by name) and quarter (``by="year"``: per year): the inspections they
    were on, how many they led, the days on site (first to last day of each visit), the items
    whose result they recorded and the findings on the sections they were given (四、1,
    六、8: a team under its leader)."""
    if by not in ("quarter", "year"):
        msg = f"by 只能是 quarter 或 year / by must be 'quarter' or 'year', not {by!r}"
        raise KitError(msg)
    columns = ["inspector", by, "n_inspections", "n_led", "days_on_site", "n_items_recorded",
               "n_findings_in_sections"]
    heads = tables.inspections.set_index("inspection_id")
    team = tables.team.dropna(subset=["name"])
    if team.empty:  # the same columns and types as when someone was on a team
        return _empty({"inspector": "string", by: pd.PeriodDtype("Q" if by == "quarter" else "Y"),
                       **dict.fromkeys(columns[2:], "int64")})
    period = heads["start_date"].dt.to_period("Q" if by == "quarter" else "Y")
    days = ((heads["end_date"].fillna(heads["start_date"]) - heads["start_date"]).dt.days + 1)
    t = team.assign(**{by: team["inspection_id"].map(period),
                       "days": team["inspection_id"].map(days).astype("Int64"),
                       "led": team["role"].eq("leader").fillna(False).astype(bool)})
    member = t.set_index(["inspection_id", "member"])["name"]
    r = tables.results
    recorded = r[r["inspector"].notna()]
    names = pd.MultiIndex.from_arrays([recorded["inspection_id"], recorded["inspector"]])
    by_name = pd.Series(member.reindex(names).to_numpy(), index=recorded.index).dropna()
    items = (recorded.loc[by_name.index].assign(name=by_name)
             .groupby(["inspection_id", "name"]).size())
    owned = t[["inspection_id", "name", "sections"]].explode("sections").dropna()
    f = tables.findings.assign(section=tables.findings["section"].astype("string"))
    in_sections = owned.merge(f[["inspection_id", "section"]], left_on=["inspection_id",
                              "sections"], right_on=["inspection_id", "section"])
    found = in_sections.groupby(["inspection_id", "name"]).size()
    key = pd.MultiIndex.from_arrays([t["inspection_id"], t["name"]])
    t = t.assign(items=items.reindex(key, fill_value=0).to_numpy(),
                 findings=found.reindex(key, fill_value=0).to_numpy())
    out = t.groupby(["name", by], observed=True).agg(
        n_inspections=("inspection_id", "nunique"), n_led=("led", "sum"),
        days_on_site=("days", "sum"), n_items_recorded=("items", "sum"),
        n_findings_in_sections=("findings", "sum")).reset_index()
    out = out.rename(columns={"name": "inspector"})
    out["days_on_site"] = out["days_on_site"].astype("int64")
    return out.sort_values([by, "n_inspections", "inspector"], ascending=[True, False, True],
                           ignore_index=True)[columns]


def guide_table() -> pd.DataFrame:
    """The guide itself as a table: one row per clause in its order, with its part, parent,
    kind, label and texts (join results or findings on ``item``)."""
    guide = load_guide()
    clauses = list(guide.clauses())
    ids = [c.id for c in clauses]
    return pd.DataFrame({
        "item": pd.Categorical(ids, categories=ids, ordered=True),
        "part": pd.array([c.part_id for c in clauses], dtype="string"),
        "parent": pd.array([c.parent_id for c in clauses], dtype="string"),
        "kind": pd.Categorical([c.kind for c in clauses]),
        "label": pd.array([c.label for c in clauses], dtype="string"),
        "zh": pd.array([c.text.zh for c in clauses], dtype="string"),
        "en": pd.array([c.text.en or None for c in clauses], dtype="string"),
    })


# -- Excel ---------------------------------------------------------------------------------------
SHEETS: Mapping[str, str] = {
    "measures": "建议措施", "overdue": "逾期整改", "repeats": "重复问题", "trends": "季度趋势",
    "by_quarter_section": "季度分节", "workload": "检查员工作量", "by_section": "按节统计",
    "by_company": "按企业统计", "by_type": "按类型统计", "inspections": "检查", "findings": "问题",
    "follow_ups": "跟踪整改", "reviews": "复查轮次", "extensions": "延期整改", "team": "检查组",
    "notices": "文书", "samples": "记录抽样", "results": "检查项结果", "products": "产品",
    "licences": "证照", "dictionary": "数据字典",
}


def report_tables(tables: Tables, today: date, *,
                  calendar: WorkCalendar | None = None) -> dict[str, pd.DataFrame]:
    """Every analysis and every table by name (the keys of :data:`SHEETS` but the
    dictionary), ready to write."""
    return {
        "measures": suggest_measures(tables, today, calendar=calendar),
        "overdue": overdue_rectifications(tables, today, calendar=calendar),
        "repeats": repeat_findings(tables),
        "trends": quarterly_trends(tables, today, calendar=calendar),
        "by_quarter_section": findings_by_quarter_and_section(tables),
        "workload": inspector_workload(tables),
        "by_section": findings_per_section(tables),
        "by_company": findings_per_company(tables), "by_type": findings_per_type(tables),
        "inspections": tables.inspections, "findings": tables.findings,
        "follow_ups": tables.follow_ups, "reviews": tables.reviews,
        "extensions": tables.extensions, "team": tables.team, "notices": tables.notices,
        "samples": tables.samples, "results": tables.results,
        "products": tables.products, "licences": tables.licences,
    }


def export_excel(tables: Tables, path: str | Path, *, today: date | None = None,
                 calendar: WorkCalendar | None = None) -> Path:
    """Write the analyses and every table to one .xlsx workbook, a sheet each, and the data
    dictionary of every column of every sheet (数据字典); return the path.

    Overdue rectifications and suggested measures are as of ``today`` (default: today in
    Beijing). Each sheet has a frozen header, an autofilter and widths to its text; codes
    stay text, a text is never a formula whatever it starts with; a table longer than a sheet
    holds goes on over ``名称 (2)`` … ; times are Beijing wall time (the dictionary says so).
    :func:`read_export` reads the workbook back with the same types (:mod:`kit.frames`: an
    empty text comes back missing, as ``pd.NA``).
    """
    from kit.dates import beijing_today

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        msg = f"导出文件须为 .xlsx / the export must be an .xlsx file, not {path.name!r}"
        raise KitError(msg)
    frames = report_tables(tables, today or beijing_today(), calendar=calendar)
    return write_frames({**frames, "dictionary": describe(frames)}, path, titles=SHEETS)


def read_export(path: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of a workbook :func:`export_excel` wrote, by name (the keys of
    :data:`SHEETS`), with their types: ordered categoricals, dates, times in Asia/Shanghai
    again, ``pd.NA`` (for an empty text too), tuples; a table split over sheets, whole."""
    return read_frames(path)
