"""Each finding carried to its outcome (十、1-3), as the analysts' tables show it: the grade
and the verdict under the office's scheme (``templates/grading.yaml``), the deadline in force
after any extension (延期整改), every review round, kept or under way, and whether production
suspended has resumed (``templates/handling.yaml``).

The words of grades and verdicts are the office's scheme's (the scheme in force first, then
any other it ships, for a record graded under an earlier one); a code no scheme knows is shown
as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kit.analytics._typed import Built, coded, tuples_by
from kit.labels import PRODUCTION_STATES, REVIEW_MODES, REVIEW_RESULTS
from kit.policy import Policy
from kit.record import natural_key

#: a round's key is its finding's and ``R`` with its number (``A1/F2/R1``), an extension's its
#: finding's and its own (``A1/F2/E1``): the analysts' tables add them (``kit.analytics.KEYS``)
REVIEW_COLUMNS = ("review_key", "finding_key", "inspection_id", "finding", "round", "kept",
                  "submitted_on", "evidence", "mode", "mode_zh", "reviewed_on", "reviewer",
                  "result", "result_zh", "note")
EXTENSION_COLUMNS = ("extension_key", "finding_key", "inspection_id", "finding", "extension",
                     "previous_deadline", "new_deadline", "reason", "approved_by", "approved_on")


def zh_of(codes: pd.Series, names: Mapping[str, str]) -> pd.Series:
    """A coded categorical's Chinese names, as a categorical in the same order."""
    cats = [names.get(c, c) for c in codes.cat.categories]
    return pd.Series(coded(codes.cat.codes, cats), index=codes.index)


def words(policy: Policy, kind: str) -> dict[str, str]:
    """Every grade (``kind="grades"``) or verdict code's Chinese words: the scheme in force's,
    then those of the other schemes the office ships."""
    out: dict[str, str] = {}
    for scheme in (policy.scheme, *policy.schemes):
        for term in getattr(scheme, kind):
            out.setdefault(term.code, term.zh)
    return out


def _key_order(keys: pd.Series) -> np.ndarray:
    ranks = {k: r for r, k in enumerate(sorted(set(keys.astype(str)), key=natural_key))}
    return np.array([ranks[str(k)] for k in keys], dtype=np.int64)


def due_dates(findings: pd.DataFrame, extensions: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per finding, the deadline in force (the last extension's new deadline, else the one
    first set: :attr:`kit.record.Finding.due`) and whether an extension set it."""
    ext = extensions.dropna(subset=["new_deadline"])
    ext = ext.assign(_o=_key_order(ext["extension"])).sort_values("_o", kind="stable")
    last = dict(zip(zip(ext["inspection_id"].astype(str), ext["finding"].astype(str),
                        strict=True), ext["new_deadline"], strict=True))
    keys = zip(findings["inspection_id"].astype(str), findings["finding"].astype(str),
               strict=True)
    extended = pd.Series([last.get(k, pd.NaT) for k in keys], index=findings.index,
                         dtype="datetime64[us]")
    due = extended.fillna(findings["deadline"]).astype("datetime64[us]")
    return due, extended.notna()


def production(findings: pd.DataFrame, policy: Policy) -> pd.Series:
    """Per finding whose handling suspends production until a review passes (the office's
    ``resume_kinds``): ``suspended``, or ``resumed`` once its review passed; else missing."""
    suspending = findings["handling"].astype(object).isin(policy.handling.resume_kinds)
    passed = findings["state"].astype(object).eq("passed")
    codes = np.where(~suspending.to_numpy(), -1, np.where(passed.to_numpy(), 1, 0))
    return pd.Series(coded(codes, list(PRODUCTION_STATES)), index=findings.index)


def review_rounds(built: Built) -> pd.DataFrame:
    """Every review round of every finding: its kept rounds (R1, R2…, ``kept``) and the round
    under way (the finding's own fields, once something was submitted or reviewed), numbered
    from 1 in order, so the rows of a finding count its rounds."""
    kept = built.reviews
    f = built.findings
    f_ids = f["inspection_id"] if "inspection_id" in f else pd.Series(dtype="string")
    kept_n = kept.groupby([kept["inspection_id"].astype(str), kept["finding"].astype(str)],
                          sort=False).size()
    order = kept.assign(_o=_key_order(kept["key"]))
    kept_rounds = pd.DataFrame({
        "inspection_id": kept["inspection_id"], "finding": kept["finding"],
        "round": order.groupby([kept["inspection_id"].astype(str),
                                kept["finding"].astype(str)], sort=False)["_o"]
        .rank(method="first").astype("int64"),
        "kept": np.ones(len(kept), dtype=bool),
        "submitted_on": kept["submitted_on"], "evidence": kept["evidence"],
        "mode": kept["mode"], "reviewed_on": kept["reviewed_on"],
        "reviewer": kept["reviewer"], "result": kept["result"], "note": kept["note"]})
    state = f["state"].astype(object)
    going = (state.ne("open") & state.notna()) | f["submitted_on"].notna() \
        | f["reviewed_on"].notna()
    g = f[going.to_numpy()]
    key = pd.MultiIndex.from_arrays([f_ids[going.to_numpy()].astype(str),
                                     g["finding"].astype(str)])
    result_cats = list(REVIEW_RESULTS)
    g_state = g["state"].astype(object)
    under_way = pd.DataFrame({
        "inspection_id": f_ids[going.to_numpy()], "finding": g["finding"],
        "round": kept_n.reindex(key, fill_value=0).to_numpy().astype("int64") + 1,
        "kept": np.zeros(len(g), dtype=bool),
        "submitted_on": g["submitted_on"], "evidence": g["evidence"],
        "mode": g["review_mode"], "reviewed_on": g["reviewed_on"], "reviewer": g["reviewer"],
        "result": coded([result_cats.index(s) if s in result_cats else -1 for s in g_state],
                        result_cats),
        "note": pd.array([pd.NA] * len(g), dtype="string")})
    both = pd.concat([kept_rounds, under_way], ignore_index=True)
    rank = {iid: k for k, iid in enumerate(built.heads["inspection_id"].astype(str))}
    both = both.assign(
        _i=both["inspection_id"].astype(str).map(rank),
        _f=_key_order(both["finding"]) if len(both) else np.array([], dtype=np.int64))
    both = both.sort_values(["_i", "_f", "round"], kind="stable", ignore_index=True)
    both["inspection_id"] = both["inspection_id"].astype("string")
    both["finding"] = both["finding"].astype("string")
    both["round"] = both["round"].astype("int64")
    both["kept"] = both["kept"].astype(bool)
    for name in ("mode", "result"):
        both[name] = pd.Categorical(both[name], categories=kept[name].cat.categories,
                                    ordered=True)
    both["mode_zh"] = zh_of(both["mode"], {k: v[0] for k, v in REVIEW_MODES.items()})
    both["result_zh"] = zh_of(both["result"], {k: v[0] for k, v in REVIEW_RESULTS.items()})
    return both[[c for c in REVIEW_COLUMNS if not c.endswith("_key")]]


def extensions_table(built: Built) -> pd.DataFrame:
    """Every extension (延期整改) of every finding, in order, with the deadline it replaced."""
    ext = built.extensions
    f = built.findings
    first = dict(zip(zip(f["inspection_id"].astype(str), f["finding"].astype(str),
                         strict=True), f["deadline"], strict=True))
    previous: list[object] = []
    last: dict[tuple[str, str], object] = {}
    for iid, key, new in zip(ext["inspection_id"].astype(str), ext["finding"].astype(str),
                             ext["new_deadline"], strict=True):
        previous.append(last.get((iid, key), first.get((iid, key), pd.NaT)))
        if pd.notna(new):
            last[iid, key] = new
    return ext.assign(previous_deadline=pd.Series(previous, index=ext.index,
                                                  dtype="datetime64[us]"))[
        [c for c in EXTENSION_COLUMNS if not c.endswith("_key")]]


def proposed_verdicts(ids: pd.Series, findings: pd.DataFrame, policy: Policy) -> pd.Series:
    """Per inspection, the verdict the office's scheme proposes from its findings' grades
    (:meth:`kit.policy.Scheme.propose`; missing when it proposes none)."""
    grades = findings["grade"].astype(object).where(findings["grade"].notna(), "")
    by = tuples_by(grades, findings["inspection_id"])
    scheme = policy.scheme
    codes = [scheme.propose(by.get(str(i), ())) for i in ids]
    cats = [t.code for t in scheme.verdicts]
    return pd.Series(coded([cats.index(c) if c in cats else -1 for c in codes], cats),
                     index=ids.index)
