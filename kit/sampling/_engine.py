"""Record sampling for 九 记录样本的选取: which records an inspector pulls, by which rule, and why.

The guide's six rules are pure functions over record frames with the canonical columns of
:mod:`kit.sampling` (``record_id``, ``record_type``, ``product``, ``batch``, ``record_date``;
optional ``condition``, ``stage``, ``doc_id``, ``doc_version``, ``lower``, ``upper``,
``conclusion``; any other numeric column is measured data):

* 9.1 :func:`draw_groups` - ``per_group`` records of each record type + product + condition,
  drawn by a key seeded from the record id: same inputs and seed, same draw, any row order;
* 9.2 :func:`record_windows`, :func:`in_window` - the three months before the inspection, or a
  product's latest production cycle; :func:`versions_in_force` - the document version in force
  on each record's date;
* 9.3 :func:`rank_products` - every product, or the top K by safety demand, then volume;
* 9.4 :func:`follow_batches` - one batch per product through every stage in the register;
* 9.5 :func:`data_conclusion_mismatch` - a value outside its limits judged 合格, or inside 不合格;
* 9.6 :func:`find_discrepancies`, :func:`expand_discrepant` - two drawn records that differ by
  more than a threshold widen their group; otherwise nothing is widened.

:func:`sample` composes them over a whole register. Each step is a column operation or a
groupby; Python loops run over products or data columns, never over records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from kit.errors import Problem, ValidationError
from kit.sampling import _rules as rules
from kit.sampling import _tables as tables
from kit.sampling._params import SampleParameters
from kit.sampling._registers import normalize_register, parse_dates
from kit.sampling._rules import group_labels

REQUIRED = ("record_id", "record_type", "product", "batch", "record_date")
_NAT = np.datetime64("NaT", "ns")


@dataclass(frozen=True)
class SampleResult:
    """A draw: the chosen records and the tables that explain it.

    ``selection``: one row per chosen record: record_id, rules, reason, group,
    doc_version_in_force, flags, then the record's own columns. ``summary``: per product and
    record type. ``groups``: per group, with the zero-defect upper bound of DOMAIN §3.
    ``products``: 9.3's choice with its reason and each product's window. ``trace_gaps``: the
    batch followed per product (9.4) and the stages it lacks. ``notes``: what to know.
    """

    selection: pd.DataFrame
    summary: pd.DataFrame
    groups: pd.DataFrame
    products: pd.DataFrame
    trace_gaps: pd.DataFrame
    seed: int
    parameters: SampleParameters
    notes: tuple[str, ...]

    #: sheet titles when the tables are written to a workbook
    TITLES: ClassVar[dict[str, str]] = {
        "selection": "抽样记录", "summary": "汇总", "groups": "分组统计", "products": "产品",
        "trace_gaps": "批号追溯", "parameters": "参数与说明"}

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the draw by name, the parameters and notes last, ready to write."""
        labels = {"inspection_date": "检查日期", "seed": "随机种子", "per_group": "每组至少抽取份数",
                  "max_products": "产品数上限", "discrepancy": "数据差异阈值（相对）",
                  "window_months": "抽样窗口（月）", "confidence": "置信度"}
        rows = [(k, labels[k], "全部 all" if v is None else str(v))
                for k, v in self.parameters.as_dict().items()]
        rows += [("note", "说明", note) for note in self.notes]
        meta = pd.DataFrame(rows, columns=["parameter", "名称", "value"])
        return {"selection": self.selection, "summary": self.summary, "groups": self.groups,
                "products": self.products, "trace_gaps": self.trace_gaps, "parameters": meta}


# -- 9.1 -----------------------------------------------------------------------------------
def draw_keys(record_ids: pd.Series, seed: int) -> np.ndarray:
    """A seeded pseudo-random key per record, computed from its id alone.

    The key depends neither on row order nor on other records, so reordering a register or
    adding records to another group never changes a group's draw.
    """
    key = hashlib.sha256(f"kit.sampling:{seed}".encode()).hexdigest()[:16]
    if not pd.api.types.is_string_dtype(record_ids.dtype):
        record_ids = record_ids.astype("str")
    ids = record_ids.to_numpy(dtype=object)
    return pd.util.hash_array(ids, hash_key=key, categorize=False)


@dataclass(frozen=True)
class _Ranked:
    group: np.ndarray  # dense group number per row, in (record_type, product, condition) order
    rank: np.ndarray  # 0-based place of each row in its group's key order
    sizes: np.ndarray  # rows per group
    first: np.ndarray  # row position of each group's first record in key order
    keys: np.ndarray


def _rank_groups(frame: pd.DataFrame, seed: int,
                 given: Mapping[str, tuple[np.ndarray, int]] | None = None) -> _Ranked:
    """Number the groups in label order and rank each group's rows by their draw key.

    ``given`` may hold, per column, codes in name order and their count, when the caller has
    them already. Rows without a record type are never drawn (they get rank -1).
    """
    combined = np.zeros(len(frame), dtype="int64")
    missing = np.zeros(len(frame), dtype=bool)
    for name in ("record_type", "product", "condition"):
        if name not in frame:
            continue
        if given and name in given:
            codes, count = given[name]
        else:
            codes, uniques = rules.codes(frame[name], sort=True)
            count = len(uniques)
        if name != "condition":
            missing |= codes < 0
        combined = combined * (count + 1) + codes + 1
    keys = draw_keys(frame["record_id"], seed)
    bits = max(int(combined.max()).bit_length() if len(combined) else 1, 1)
    if bits <= 24:  # group in the high bits, the key's top bits below: one sort, not two
        shift = np.uint64(64 - bits)
        packed = (combined.astype("uint64") << shift) | (keys >> np.uint64(bits))
        order = np.argsort(packed, kind="stable")
    else:
        order = np.lexsort((keys, combined))
    ordered = combined[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(order) \
        else np.empty(0, dtype="int64")
    sizes = np.diff(np.r_[starts, len(order)]).astype("int64")
    group = np.empty(len(order), dtype="int64")
    group[order] = np.repeat(np.arange(len(starts)), sizes)
    rank = np.empty(len(order), dtype="int64")
    rank[order] = np.arange(len(order)) - np.repeat(starts, sizes)
    rank[missing] = -1
    return _Ranked(group, rank, sizes, order[starts], keys)


def draw_groups(records: pd.DataFrame, *, per_group: int = 2, seed: int) -> pd.DataFrame:
    """9.1: ``per_group`` records of each record type + product + condition, seeded.

    Returns the drawn rows with ``group`` (its label), ``n_group`` (records in the group) and
    ``draw_rank`` (0 = drawn first). A group smaller than ``per_group`` is taken whole.
    """
    ranked = _rank_groups(records, seed)
    take = np.flatnonzero((ranked.rank >= 0) & (ranked.rank < per_group))
    drawn = records.iloc[take].copy()
    drawn["group"] = group_labels(drawn)
    drawn["n_group"] = ranked.sizes[ranked.group[take]]
    drawn["draw_rank"] = ranked.rank[take]
    return drawn


# -- 9.2 -----------------------------------------------------------------------------------
def window_bounds(inspection_date: object, months: int = 3) -> tuple[pd.Timestamp, pd.Timestamp]:
    """9.2's window: from ``months`` before the inspection date to the inspection date."""
    day = _day(inspection_date)
    return day - pd.DateOffset(months=months), day


def record_windows(records: pd.DataFrame, inspection_date: object, *,
                   months: int = 3) -> pd.DataFrame:
    """9.2: each product's window, or its latest production cycle where the window is empty.

    A product's latest production cycle is the span (first to last record) of its most recently
    started batch; every record of the product in that span is in its window. Columns: product,
    n_records, n_in_window, window_start, window_end, window_fallback, cycle_batch. Records
    dated after the inspection date are never sampled.
    """
    start, day = window_bounds(inspection_date, months)
    dates = _dates(records)
    codes, names = rules.codes(records["product"])
    return _windows(codes, names, dates, _valid(dates, codes, day), records["batch"], day, start)


def _windows(codes: np.ndarray, names: np.ndarray, dates: np.ndarray, valid: np.ndarray,
             batch: pd.Series, day: pd.Timestamp, start: pd.Timestamp) -> pd.DataFrame:
    """:func:`record_windows` from integer product codes (one row per code, in code order)."""
    n = len(names)
    known = codes >= 0
    recent = valid & known & (dates >= start.to_datetime64())
    n_records = np.bincount(codes[valid & known], minlength=n)
    n_recent = np.bincount(codes[recent], minlength=n)
    has = n_recent > 0
    table = pd.DataFrame({
        "product": pd.Series(names, dtype="str"), "n_records": n_records, "n_in_window": n_recent,
        "window_start": np.where(has, start.to_datetime64(), _NAT).astype("datetime64[ns]"),
        "window_end": np.where(has, day.to_datetime64(), _NAT).astype("datetime64[ns]"),
        "window_fallback": (n_records > 0) & ~has,
        "cycle_batch": pd.Series(pd.NA, index=range(n), dtype="str")})
    fallback = np.flatnonzero(table["window_fallback"].to_numpy())
    if fallback.size:
        rows = valid & np.isin(codes, fallback)
        part = pd.DataFrame({"code": codes[rows], "date": dates[rows],
                             "batch": batch[rows].astype("str").fillna("").to_numpy()})
        spans = part.groupby(["code", "batch"], sort=False)["date"].agg(["min", "max"])
        spans = spans.reset_index().sort_values(["code", "min", "max", "batch"],
                                                ascending=[True, False, False, False])
        latest = spans.drop_duplicates("code").set_index("code")
        table.loc[latest.index, "window_start"] = latest["min"].to_numpy()
        table.loc[latest.index, "window_end"] = latest["max"].to_numpy()
        table.loc[latest.index, "cycle_batch"] = latest["batch"].replace("", pd.NA).to_numpy()
        lo = table["window_start"].to_numpy(dtype="datetime64[ns]")[codes[rows]]
        hi = table["window_end"].to_numpy(dtype="datetime64[ns]")[codes[rows]]
        inside = codes[rows][(dates[rows] >= lo) & (dates[rows] <= hi)]
        table.loc[fallback, "n_in_window"] = np.bincount(inside, minlength=n)[fallback]
    return table


def in_window(records: pd.DataFrame, windows: pd.DataFrame) -> pd.Series:
    """9.2: whether each record lies in its product's window (from :func:`record_windows`)."""
    bounds = windows.set_index("product")
    dates = records["record_date"]
    start = records["product"].map(bounds["window_start"])
    end = records["product"].map(bounds["window_end"])
    return ((dates >= start) & (dates <= end)).fillna(False).astype(bool)


def versions_in_force(records: pd.DataFrame, documents: pd.DataFrame | None) -> pd.DataFrame:
    """9.2: the version of each record's document in force on the record's date.

    The version in force is the one most recently effective on or before that date, unless
    its 失效日期 has passed. ``version_status``: ``ok``; ``mismatch`` (the record names another
    version); ``not_in_force`` (no version was in force that day); ``no_version`` (the record
    names none); ``unknown_document`` (not in the documents register); empty when the record
    names no document or no documents register is given. Versions compare without case or
    spaces (``a/1`` is ``A/1``).
    """
    docs = None if documents is None else _documents(documents)
    return _version_frame(records, docs)


def _versions(records: pd.DataFrame,
              docs: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`versions_in_force` on prepared documents: integer codes and one searchsorted."""
    n = len(records)
    in_force = np.full(n, np.nan, dtype=object)
    status = np.full(n, "", dtype=object)
    if docs is None or "doc_id" not in records or not n:
        return in_force, status
    doc, doc_names = rules.codes(records["doc_id"])
    dates = _dates(records)
    right = pd.Index(doc_names).get_indexer(docs["doc_id"].to_numpy(dtype=object))
    mine = docs[right >= 0].assign(code=right[right >= 0]) \
        .sort_values(["code", "effective_from"], kind="stable")
    known = np.zeros(len(doc_names) + 1, dtype=bool)  # the extra slot answers code -1
    known[mine["code"].to_numpy()] = True
    has = (doc >= 0) & ~np.isnat(dates)
    status[has & ~known[doc]] = "unknown_document"
    at = np.flatnonzero(has & known[doc])
    if not at.size:
        return in_force, status
    # one sorted key per (document, effective day); each record finds the last one <= its own
    starts = mine["effective_from"].to_numpy(dtype="datetime64[D]").astype("int64")
    when = dates[at].astype("datetime64[D]").astype("int64")
    low = min(starts.min(), when.min())
    span = max(starts.max(), when.max()) - low + 1
    lookup = mine["code"].to_numpy(dtype="int64") * span + (starts - low)
    hit = np.searchsorted(lookup, doc[at].astype("int64") * span + (when - low), "right") - 1
    row = np.maximum(hit, 0)
    found = (hit >= 0) & (mine["code"].to_numpy()[row] == doc[at])
    end = mine["effective_to"].to_numpy(dtype="datetime64[ns]")[row]
    found &= np.isnat(end) | (dates[at] <= end)
    versions = mine["version"].to_numpy(dtype=object)
    in_force[at] = np.where(found, versions[row], np.nan)
    cited = records["doc_version"].to_numpy(dtype=object)[at] if "doc_version" in records \
        else np.full(at.size, np.nan, dtype=object)
    vcodes, vkeys = rules.text_keys(versions)
    ccodes, ckeys = rules.text_keys(cited)
    same = rules.same_text((ccodes, ckeys), (np.where(found, vcodes[row], -1), vkeys))
    status[at] = np.select([~found, ccodes < 0, same], ["not_in_force", "no_version", "ok"],
                           "mismatch")
    return in_force, status


def _version_frame(records: pd.DataFrame, docs: pd.DataFrame | None) -> pd.DataFrame:
    in_force, status = _versions(records, docs)
    return pd.DataFrame({"doc_version_in_force": pd.Series(in_force, index=records.index,
                                                           dtype="str"),
                         "version_status": pd.Series(status, index=records.index, dtype="str")})


# -- 9.3 -----------------------------------------------------------------------------------
def rank_products(products: pd.DataFrame, record_products: Sequence[str] = (), *,
                  max_products: int | None = None) -> pd.DataFrame:
    """9.3: every product, or the top ``max_products`` by safety demand and then volume.

    Safety demand is 高风险 first, then the higher 管理类别; then the larger 产量; the name breaks
    ties. A product found in the records but not in the products register is kept, ranked
    after the registered ones, and its reason says so. Columns: product, in_register,
    registration_no, class, high_risk, volume, rank, chosen, reason.
    """
    return rules.rank_products(_products(products), record_products, max_products)


# -- 9.4 -----------------------------------------------------------------------------------
def follow_batches(records: pd.DataFrame, drawn: pd.DataFrame, *, seed: int,
                   windows: pd.DataFrame | None = None,
                   stage_sets: Mapping[str, Sequence[str]] | None = None,
                   inspection_date: object | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """9.4: one batch (or serial number) per product, followed through every stage.

    The batch is one already drawn: for a product in its fallback window, the batch of its
    latest cycle; otherwise a finished batch (one that reached the product's last stage)
    before an unfinished one, then the batch drawn most often, then by seeded key. A stage is
    ``stage``, else ``record_type``; a product's stages are ``stage_sets[product]``, by default
    every stage of the product in ``records``. Returns the batch's records (with
    ``followed_batch``) and one row per product: product, batch, n_records, first_date,
    last_date, stages, missing_stages, gap.
    """
    until = None if inspection_date is None else _day(inspection_date)
    return rules.follow_batches(records, drawn, windows=windows, stage_sets=stage_sets,
                                 until=until, keys=lambda ids: draw_keys(ids, seed))


# -- 9.5 -----------------------------------------------------------------------------------
def data_conclusion_mismatch(records: pd.DataFrame,
                             columns: Sequence[str] | None = None) -> pd.Series:
    """9.5: True where a value outside [下限, 上限] is judged 合格, or all inside 不合格.

    Only records with a conclusion, a limit and a value are judged; ``columns`` defaults to the
    data columns (:func:`data_columns`).
    """
    return rules.judge(records, columns)[0]


# -- 9.6 -----------------------------------------------------------------------------------
def find_discrepancies(drawn: pd.DataFrame, *, threshold: float = 0.2,
                       columns: Sequence[str] | None = None) -> pd.DataFrame:
    """9.6: per group, the largest difference between two drawn records, relative to what
    "differ a lot" means for that measurement.

    Where the register gives both limits, a difference is measured against the tolerance
    (``upper - lower``, the tightest of the group's records): 29.8 and 30.2 kΩ within
    29.7-30.3 differ by 67% of the tolerance, though by 1% of the value. Without limits the
    relative difference of a and b is ``|a - b| / max(|a|, |b|)``; a group's largest is
    ``(max - min) / max(|max|, |min|)`` of each data column (exact when the values share a
    sign). Index: group label. Columns: column, n_values, relative_difference, basis
    (``tolerance`` or ``value``), tolerance, low_index, high_index, discrepant (> threshold).
    """
    return rules.discrepancies(drawn, threshold, columns)


def expand_discrepant(pool: pd.DataFrame, groups: Sequence[str], taken: pd.Index, *,
                      per_group: int, seed: int, windows: pd.DataFrame) -> pd.DataFrame:
    """9.6: ``per_group`` more records of each discrepant group, to confirm and ask why.

    First the group's records in its window that were not ``taken``, in key order; when the
    window has no more, records outside it, nearest in date first. Returns the added rows with
    ``group`` and ``expanded_from`` (``window`` or ``outside``).
    """
    return rules.expand(pool, groups, taken, per_group=per_group, windows=windows,
                         keys=lambda ids: draw_keys(ids, seed))


# -- the engine ----------------------------------------------------------------------------
def sample(
    records: pd.DataFrame,
    products: pd.DataFrame,
    documents: pd.DataFrame | None,
    inspection_date: object,
    *,
    seed: int,
    per_group: int = 2,
    max_products: int | None = None,
    discrepancy: float = 0.2,
    data_columns: Sequence[str] | None = None,
) -> SampleResult:
    """Choose the records to inspect under 九 and say, for each, which rules chose it and why.

    ``records``, ``products`` and ``documents`` are frames as :mod:`kit.sampling` loads them
    (products and documents are re-checked here; records must have unique ``record_id``, as
    the loader guarantees). The same frames, date and seed give the same selection, whatever
    the row order. A record is chosen when

    * 9.1 it is drawn: ``per_group`` per record type + product + condition, in the product's
      window (9.2: the three months before ``inspection_date``, or the latest production cycle
      when those months hold none of the product's records);
    * 9.2 / 9.5 screening finds it in its window citing a document version other than the one
      in force on its date, or with data that contradict its conclusion (up to ``per_group``
      such records per group join; the groups table counts them all);
    * 9.4 it belongs to the batch followed for its product, wherever its date falls;
    * 9.6 its group's drawn records differ by more than ``discrepancy`` and it is added to
      confirm (from the window first, then the nearest records outside it).

    ``rules`` lists the rules that chose or flagged a record; ``flags`` lists any of
    :data:`FLAGS`: ``window_fallback`` (its product is sampled from its latest cycle),
    ``outside_window`` (the record lies outside its product's window), ``expanded``,
    ``discrepancy``, ``version_mismatch``, ``data_conclusion_mismatch``, ``trace_gap``.
    Products are limited (9.3) to the ``max_products`` with the highest safety demand and
    volume when given. ``data_columns`` overrides which numeric columns are measured data.

    >>> from kit.resources import shipped_dir
    >>> from kit.sampling import load_registers
    >>> folder = shipped_dir("sample_data") / "registers"
    >>> records, products, documents = load_registers(
    ...     folder / "records.xlsx", folder / "products.csv", folder / "documents.csv")
    >>> result = sample(records.frame, products.frame, documents.frame, "2026-11-20", seed=7)
    >>> result.selection.columns[:3].tolist(), result.seed
    (['record_id', 'rules', 'reason'], 7)
    """
    params = SampleParameters(_day(inspection_date).date(), seed, per_group, max_products,
                              float(discrepancy))
    rec = _records(records)
    prod = _products(products)
    docs = None if documents is None else _documents(documents)
    start, day = window_bounds(params.inspection_date, params.window_months)
    dates = rec["record_date"].to_numpy(dtype="datetime64[ns]")
    codes, names = rules.codes(rec["product"])
    valid = _valid(dates, codes, day)
    cols = list(data_columns) if data_columns is not None else rules.data_columns(rec)

    # 9.3 and 9.2: the products, and each product's window
    windows = _windows(codes, names, dates, valid, rec["batch"], day, start)
    ranked = rules.rank_products(prod, [str(n) for n in names], max_products)
    windows["chosen"] = windows["product"].isin(ranked.loc[ranked["chosen"], "product"])
    lo = np.r_[windows["window_start"].to_numpy(dtype="datetime64[ns]"), _NAT]
    hi = np.r_[windows["window_end"].to_numpy(dtype="datetime64[ns]"), _NAT]
    chosen = np.r_[windows["chosen"].to_numpy(dtype=bool), False]
    in_pool = valid & chosen[codes] & (dates >= lo[codes]) & (dates <= hi[codes])
    pool = rec.iloc[np.flatnonzero(in_pool)]

    # 9.1: the seeded draw in each group
    by_name = np.empty(len(names), dtype="int64")
    by_name[np.argsort(names.astype(str), kind="stable")] = np.arange(len(names))
    groups = _rank_groups(pool, seed,
                          {"product": (by_name[codes[pool.index.to_numpy()]], len(names))})
    if (groups.rank < 0).any():  # records without a record type cannot be grouped
        pool = pool[groups.rank >= 0]
        groups = _rank_groups(pool, seed,
                              {"product": (by_name[codes[pool.index.to_numpy()]], len(names))})
    take = np.flatnonzero(groups.rank < per_group)
    drawn = pool.iloc[take]

    # 9.6: a group whose drawn records differ too much is widened
    disc = rules.discrepancies(drawn, discrepancy, cols)
    widen = [str(g) for g in disc.index[disc["discrepant"]]]
    expanded = rules.expand(
        _widening_pool(rec, pool, groups, take, widen, valid & ~in_pool, codes, names, per_group),
        widen, drawn.index, per_group=per_group, windows=windows,
        keys=lambda ids: draw_keys(ids, seed))

    # 9.5 and 9.2: every record in the windows is screened; up to per_group per group join
    contradicts = rules.judge(pool, cols)[0].to_numpy()
    wrong_version = np.isin(_versions(pool, docs)[1], ["mismatch", "not_in_force"])

    # 9.4: one batch per product, through every stage of the register
    trace, gaps = rules.follow_batches(
        rec, drawn, windows=windows, stage_sets=rules.stage_sets(rec, valid, codes, names),
        until=day, keys=lambda ids: draw_keys(ids, seed))

    members = pd.Index(np.unique(np.concatenate([
        drawn.index.to_numpy(), expanded.index.to_numpy(), trace.index.to_numpy(),
        rules.cap_per_group(pool.index, groups.group, groups.keys, contradicts, per_group),
        rules.cap_per_group(pool.index, groups.group, groups.keys, wrong_version, per_group),
    ]).astype("int64")))
    chosen_rows = rec.loc[members]
    checks = tables.Checks(
        versions=_version_frame(chosen_rows, docs),
        judged=rules.judge(chosen_rows, cols, detail=True),
        n_group=pd.Series(groups.sizes[groups.group[take]], index=drawn.index))
    out = tables.assemble(
        chosen_rows, checks, params=params, windows=windows, ranked=ranked, drawn=drawn,
        disc=disc, expanded=expanded, trace=trace, gaps=gaps, columns=cols,
        group_table=tables.group_table(pool, groups.group, groups.sizes, groups.first,
                                       contradicts, wrong_version),
        notes=tables.input_notes(rec, dates, valid, day, windows, ranked, docs))
    return SampleResult(out.selection, out.summary, out.groups, out.products, out.trace_gaps,
                        seed, params, out.notes)


def _widening_pool(rec: pd.DataFrame, pool: pd.DataFrame, groups: _Ranked, take: np.ndarray,
                   widen: list[str], outside: np.ndarray, codes: np.ndarray, names: np.ndarray,
                   per_group: int) -> pd.DataFrame:
    """The records 9.6 may add to the widened groups, found without scanning the register.

    The next records of each group in its window come from the ranked pool; the register is
    searched (by integer product code) only for groups whose window has too few left.
    """
    if not widen:
        return pool.iloc[:0]
    drawn = pool.iloc[take]
    bad = np.unique(groups.group[take][group_labels(drawn).isin(widen).to_numpy()])
    nearby = np.isin(groups.group, bad) & (groups.rank >= per_group) & \
        (groups.rank < 2 * per_group)
    short = bad[groups.sizes[bad] < 2 * per_group]
    parts = [pool[nearby]]
    if short.size:
        like = drawn[np.isin(groups.group[take], short)]
        parts.append(rules.expansion_pool(rec, outside, codes, names, like))
    return pd.concat(parts)


# -- inputs --------------------------------------------------------------------------------
def _day(value: object) -> pd.Timestamp:
    parsed = parse_dates(pd.Series([value], dtype=object)).iloc[0]
    if pd.isna(parsed):
        raise ValidationError([Problem("bad_date", f"检查日期“{value}”无法识别",
                                       f"unrecognised inspection date {value!r}",
                                       field="inspection_date")], what="抽样参数 parameters")
    return pd.Timestamp(parsed)


def _dates(records: pd.DataFrame) -> np.ndarray:
    dates = records["record_date"]
    if dates.dtype != "datetime64[ns]":
        dates = parse_dates(dates)
    return dates.to_numpy(dtype="datetime64[ns]")


def _valid(dates: np.ndarray, product_codes: np.ndarray, day: pd.Timestamp) -> np.ndarray:
    """Records that can be sampled: dated no later than the inspection, with a product."""
    return ~np.isnat(dates) & (dates <= day.to_datetime64()) & (product_codes >= 0)


def _records(records: pd.DataFrame) -> pd.DataFrame:
    """The records with their required columns checked and dates as datetime64[ns]."""
    absent = [c for c in REQUIRED if c not in records.columns]
    if absent:
        raise ValidationError(
            [Problem("missing_column", f"记录登记表缺少列“{c}”", f"records: column {c!r} is missing",
                     column=c) for c in absent], what="记录登记表 records")
    rec = records.reset_index(drop=True)
    if rec["record_date"].dtype != "datetime64[ns]":
        rec["record_date"] = parse_dates(rec["record_date"])
    return rec


def _products(products: pd.DataFrame) -> pd.DataFrame:
    return normalize_register(products, "products").frame.reset_index(drop=True)


def _documents(documents: pd.DataFrame) -> pd.DataFrame:
    docs = normalize_register(documents, "documents").frame.reset_index(drop=True)
    if "effective_to" not in docs:
        docs["effective_to"] = pd.Series(pd.NaT, index=docs.index, dtype="datetime64[ns]")
    docs = docs[["doc_id", "version", "effective_from", "effective_to"]]
    return docs.sort_values(["effective_from", "doc_id"], kind="stable").reset_index(drop=True)



