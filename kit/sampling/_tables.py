"""The tables a draw is explained by: selection, summary, groups, products, trace, notes.

Also the statistical view of DOMAIN.md §3: with n records sampled and none bad, the defect
rate is below ``1 - (1 - C) ** (1 / n)`` with confidence C.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit.sampling._params import SampleParameters
from kit.sampling._rules import conditions, group_labels, num

#: the rules of 九 as the guide words them, by id
RULES: dict[str, str] = {
    "9.1": "选取相似条件下的两份以上同种质量记录",
    "9.2": "选取现场检查前一季度内或最近一个生产周期的记录；核对记录发生时适用版本的管理文件",
    "9.3": "覆盖所有已取得注册证的产品；时间有限时选生产量较大或安全性要求较高的产品",
    "9.4": "围绕同一产品序列号（或批号）判断全过程追溯能否实现",
    "9.5": "记录中的数据应与根据记录判定的结论一致",
    "9.6": "相似条件下同种记录数据差别较大时补充选取并询问原因；否则不扩大样本",
}
#: every flag a chosen record may carry, in the order they are listed
FLAGS = ("window_fallback", "outside_window", "expanded", "discrepancy", "version_mismatch",
         "data_conclusion_mismatch", "trace_gap")
LEAD = ["record_id", "rules", "reason", "group", "doc_version_in_force", "flags"]


def zero_defect_upper_bound(n: int | np.ndarray | pd.Series,
                            confidence: float = 0.95) -> np.ndarray:
    """Upper confidence bound on the defect rate when ``n`` records were checked and none bad.

    ``1 - (1 - confidence) ** (1 / n)``; 1.0 where nothing was checked.

    >>> float(zero_defect_upper_bound(59).round(4))
    0.0495
    """
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore"):
        bound = 1.0 - (1.0 - confidence) ** (1.0 / n)
    return np.where(n > 0, bound, 1.0)


def zero_defect_sample_size(max_rate: float, confidence: float = 0.95) -> int:
    """Records to check, none bad, to claim the defect rate is below ``max_rate``.

    >>> zero_defect_sample_size(0.05)
    59
    """
    return int(np.ceil(np.log(1.0 - confidence) / np.log(1.0 - max_rate)))


@dataclass(frozen=True)
class Checks:
    """The checks run on the chosen records, for their flags and reasons."""

    versions: pd.DataFrame  # doc_version_in_force, version_status
    judged: tuple[pd.Series, pd.Series]  # 9.5 mismatch, and why
    n_group: pd.Series  # records in the group of each drawn record (index: its row)


@dataclass(frozen=True)
class Order:
    """How output rows are ordered: product rank (9.3), then record types in process order."""

    product_rank: pd.Series
    type_order: dict[str, int]

    def sort(self, frame: pd.DataFrame, then: list[str]) -> pd.DataFrame:
        """``frame`` by product rank, record type in process order, then ``then``."""
        types = frame["record_type"] if "record_type" in frame else \
            pd.Series("", index=frame.index)
        keys = [frame["product"].map(self.product_rank).fillna(np.inf).to_numpy(dtype=float),
                types.map(self.type_order).fillna(np.inf).to_numpy(dtype=float),
                _rank_codes(types), *(_rank_codes(frame[c]) for c in then)]
        return frame.iloc[np.lexsort(keys[::-1])].reset_index(drop=True)


def _rank_codes(values: pd.Series) -> np.ndarray:
    """Integers that sort like ``values`` (missing last), for np.lexsort."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        days = values.to_numpy(dtype="datetime64[ns]")
        return np.where(np.isnat(days), np.iinfo("int64").max, days.astype("int64"))
    codes, _ = pd.factorize(values.to_numpy(dtype=object), sort=True)
    return np.where(codes < 0, np.iinfo("int64").max, codes)


@dataclass(frozen=True)
class Tables:
    """The output tables of one draw, as :class:`kit.sampling.SampleResult` carries them."""

    selection: pd.DataFrame
    summary: pd.DataFrame
    groups: pd.DataFrame
    products: pd.DataFrame
    trace_gaps: pd.DataFrame
    notes: tuple[str, ...]


def group_table(pool: pd.DataFrame, group: np.ndarray, sizes: np.ndarray, first: np.ndarray,
                contradicts: np.ndarray, wrong_version: np.ndarray) -> pd.DataFrame:
    """One row per group in the windows, with what screening found there."""
    reps = pool.iloc[first]
    n = len(sizes)
    return pd.DataFrame({
        "group": group_labels(reps).to_numpy(), "record_type": reps["record_type"].to_numpy(),
        "product": reps["product"].to_numpy(), "condition": conditions(reps).to_numpy(),
        "n_in_window": sizes,
        "n_version_mismatch": np.bincount(group[wrong_version], minlength=n),
        "n_data_conclusion_mismatch": np.bincount(group[contradicts], minlength=n)})


def input_notes(rec: pd.DataFrame, dates: np.ndarray, valid: np.ndarray, day: pd.Timestamp,
                windows: pd.DataFrame, ranked: pd.DataFrame,
                docs: pd.DataFrame | None) -> list[str]:
    notes = []
    later = int((dates > day.to_datetime64()).sum())
    if later:
        notes.append(f"{later} 条记录日期晚于检查日期 {day:%Y-%m-%d}，未纳入抽样 / "
                     f"{later} record(s) dated after the inspection date were left out")
    unusable = int((~valid).sum()) - later
    if unusable:
        notes.append(f"{unusable} 条记录缺少日期或产品，未纳入抽样 / "
                     f"{unusable} record(s) without a date or product were left out")
    for row in windows[windows["window_fallback"] & windows["chosen"]].itertuples():
        notes.append(f"{row.product}：检查前三个月内无记录，取最近一个生产周期（批号 {row.cycle_batch}，"
                     f"{row.window_start:%Y-%m-%d} 至 {row.window_end:%Y-%m-%d}） / no records in "
                     "the window; its latest production cycle was sampled")
    seen = set(windows.loc[windows["n_records"] > 0, "product"])
    for product in ranked.loc[ranked["in_register"], "product"]:
        if product not in seen:
            notes.append(f"{product}：产品登记表中有，但检查日期前没有任何记录 / registered "
                         "product with no records")
    for product in ranked.loc[~ranked["in_register"], "product"]:
        notes.append(f"{product}：记录中有该产品，产品登记表中没有 / product in the records but "
                     "not in the products register")
    skipped = ranked.loc[~ranked["chosen"], "product"].tolist()
    if skipped:
        notes.append(f"按 9.3 只查前 {int(ranked['chosen'].sum())} 个产品，未查：{'、'.join(skipped)} / "
                     f"products left out by the limit: {', '.join(skipped)}")
    if docs is None:
        notes.append("未提供文件登记表，未核对记录所用文件版本 / no documents register: versions "
                     "were not checked")
    return notes


def _join(parts: Sequence[tuple[np.ndarray, np.ndarray | str]], index: pd.Index,
          sep: str) -> pd.Series:
    """Per row, the texts of the parts whose mask is set, joined by ``sep`` (no loop per row)."""
    out = np.full(len(index), "", dtype=object)
    for mask, text in parts:
        piece = np.where(mask, text, "").astype(object)
        out = np.where(mask & (out != ""), out + sep, out) + piece
    return pd.Series(out, index=index, dtype="str")


def assemble(chosen: pd.DataFrame, checks: Checks, *, params: SampleParameters,
             windows: pd.DataFrame, ranked: pd.DataFrame, drawn: pd.DataFrame,
             disc: pd.DataFrame, expanded: pd.DataFrame, trace: pd.DataFrame,
             gaps: pd.DataFrame, columns: list[str], group_table: pd.DataFrame,
             notes: list[str]) -> Tables:
    """Build every output table from the chosen rows and what each rule said about them.

    Text is built on plain object arrays: the selection has a row per chosen record, and
    pandas' string dtype would re-validate every intermediate column.
    """
    idx = chosen.index
    label = group_labels(chosen).to_numpy(dtype=object)
    at = pd.Index(windows["product"]).get_indexer(chosen["product"])
    start = _pick(windows["window_start"].to_numpy(dtype="datetime64[ns]"), at, np.datetime64("NaT"))
    end = _pick(windows["window_end"].to_numpy(dtype="datetime64[ns]"), at, np.datetime64("NaT"))
    fallback = _pick(windows["window_fallback"].to_numpy(dtype=bool), at, False).astype(bool)
    cycle = _pick(obj(windows["cycle_batch"]), at, "")
    dates = chosen["record_date"].to_numpy(dtype="datetime64[ns]")
    inside = (dates >= start) & (dates <= end)
    is_drawn = idx.isin(drawn.index)
    is_expanded = idx.isin(expanded.index)
    bad = disc[disc["discrepant"]]
    is_pair = idx.isin(pd.Index(bad["low_index"]).append(pd.Index(bad["high_index"])))
    is_trace = idx.isin(trace.index)
    missing = _missing_stages(chosen, is_trace, gaps)
    is_gap = missing != ""
    status = checks.versions["version_status"].to_numpy(dtype=object)
    wrong_version = (status == "mismatch") | (status == "not_in_force")
    contradicts = checks.judged[0].to_numpy(dtype=bool)
    in_force = obj(checks.versions["doc_version_in_force"])

    n_group = np.zeros(len(idx), dtype="int64")
    n_group[is_drawn] = checks.n_group.reindex(idx[is_drawn]).to_numpy(dtype="int64")
    days_from, days_to, shown = _days(start), _days(end), _days(dates)
    doc_id, doc_version = _text_column(chosen, "doc_id"), _text_column(chosen, "doc_version")
    texts: list[tuple[np.ndarray, np.ndarray | str]] = [
        (is_drawn, "9.1 同类记录随机抽取：本组窗口内 " + n_group.astype(str).astype(object) + " 份，抽 "
         + np.minimum(n_group, params.per_group).astype(str).astype(object) + " 份"),
        (fallback & inside, f"9.2 该产品检查前 {params.window_months} 个月内无记录，取最近一个"
         "生产周期（批号 " + cycle + "，" + days_from + " 至 " + days_to + "）"),
        (status == "mismatch", "9.2 记录所用文件 " + doc_id + " 版本为 " + doc_version
         + "，记录日期适用版本为 " + in_force),
        (status == "not_in_force", "9.2 记录日期 " + shown + " 时文件 " + doc_id + " 没有有效版本"),
        (is_trace, "9.4 追溯批号 " + obj(chosen["batch"])
         + np.where(is_gap, "，该批缺少环节：" + missing + "，须追问", "，各环节记录齐全")),
        (contradicts, checks.judged[1].to_numpy(dtype=object)),
        (is_pair, _pair_text(label, bad, params.discrepancy)),
        (is_expanded, "9.6 本组数据差异较大，补充抽取以确认并询问原因"),
        (~inside, "记录日期 " + shown + " 在抽样窗口（" + days_from + " 至 " + days_to + "）外"),
    ]
    rule_marks = [(is_drawn, "9.1"), (fallback | wrong_version, "9.2"), (is_trace, "9.4"),
                  (contradicts, "9.5"), (is_pair | is_expanded, "9.6")]
    flag_masks = dict(zip(FLAGS, (fallback, ~inside, is_expanded, is_pair, wrong_version,
                                  contradicts, is_gap), strict=True))
    lead = pd.DataFrame({
        "record_id": chosen["record_id"], "rules": _join(rule_marks, idx, ";"),
        "reason": _join(texts, idx, "；"), "group": pd.Series(label, index=idx, dtype="str"),
        "doc_version_in_force": checks.versions["doc_version_in_force"],
        "flags": _join([(m, f) for f, m in flag_masks.items()], idx, ";")}, index=idx)
    selection = pd.concat([lead, chosen.drop(columns=["record_id"])], axis=1)
    order = Order(ranked.set_index("product")["rank"], process_order(trace))
    selection = order.sort(selection, ["group", "record_date", "record_id"])

    groups = order.sort(_groups(group_table, windows, disc, expanded, params), ["group"])
    summary = order.sort(_summary(chosen, flag_masks, groups, windows), [])
    products = _products(ranked, windows, chosen)
    notes = list(notes)
    if (status == "unknown_document").any():
        unknown = pd.unique(doc_id[status == "unknown_document"])
        notes.append(f"文件登记表中没有这些文件编号：{'、'.join(map(str, unknown))} / document ids "
                     "missing from the documents register")
    short = int((groups["n_in_window"] < params.per_group).sum())
    if short:
        notes.append(f"{short} 个组窗口内不足 {params.per_group} 份，已全部抽取 / "
                     f"{short} group(s) had fewer than {params.per_group} records")
    if columns:
        notes.append(f"用于 9.5、9.6 的数据列：{'、'.join(columns)} / data columns: "
                     f"{', '.join(columns)}")
    return Tables(selection, summary, groups, products, order.sort(gaps, []) if len(gaps)
                  else gaps.reset_index(drop=True), tuple(notes))


def _text_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    return obj(frame[name]) if name in frame else np.full(len(frame), "", dtype=object)


def obj(values: pd.Series) -> np.ndarray:
    """Text as a plain object array with "" for missing."""
    arr = values.to_numpy(dtype=object)
    return np.where(pd.isna(arr), "", arr).astype(object)


def _pick(values: np.ndarray, at: np.ndarray, missing: object) -> np.ndarray:
    """``values[at]``, with ``missing`` where ``at`` is -1 (a product with no window)."""
    if not len(values):
        return np.full(len(at), missing)
    out = values[np.maximum(at, 0)]
    if (at < 0).any():
        out = out.astype(object) if out.dtype.kind not in "Mb" else out.copy()
        out[at < 0] = missing
    return out


def _days(values: np.ndarray) -> np.ndarray:
    text = np.datetime_as_string(values.astype("datetime64[D]"), unit="D").astype(object)
    text[np.isnat(values)] = ""
    return text


def _missing_stages(chosen: pd.DataFrame, is_trace: np.ndarray, gaps: pd.DataFrame) -> np.ndarray:
    """For each chosen record of a followed batch, the stages its batch lacks ("" if none)."""
    out = np.full(len(chosen), "", dtype=object)
    if is_trace.any() and len(gaps):
        key = gaps["product"].astype(str) + "\x1f" + gaps["batch"].astype(str)
        lacking = pd.Series(gaps["missing_stages"].to_numpy(dtype=object), index=key)
        rows = chosen[is_trace]
        mine = rows["product"].astype(str) + "\x1f" + rows["batch"].astype(str)
        found = mine.map(lacking).to_numpy(dtype=object)
        out[is_trace] = np.where(pd.isna(found), "", found)
    return out


def process_order(trace: pd.DataFrame) -> dict[str, int]:
    """Record types in process order: by their mean day within the followed batches."""
    if trace.empty:
        return {}
    first = trace.groupby(["product", "batch"])["record_date"].transform("min")
    day = (trace["record_date"] - first).dt.days
    order = day.groupby(trace["record_type"].astype(str)).mean().sort_values(kind="stable")
    return {str(t): i for i, t in enumerate(order.index)}


def _pair_text(label: np.ndarray, bad: pd.DataFrame, threshold: float) -> np.ndarray:
    at = pd.Index(bad.index).get_indexer(label)
    column = _pick(obj(bad["column"]), at, "")
    pct = _pick((bad["relative_difference"] * 100).round(1).to_numpy(), at, np.nan)
    basis = _pick(np.where(obj(bad["basis"]) == "tolerance", "公差（上限－下限）的 ", ""), at, "")
    return ("9.6 本组抽取记录的“" + column + "”相差" + basis
            + num(pd.Series(pct)).to_numpy(dtype=object)
            + f"%（阈值 {threshold * 100:g}%），须询问差异原因")


def _groups(table: pd.DataFrame, windows: pd.DataFrame, disc: pd.DataFrame,
            expanded: pd.DataFrame, params: SampleParameters) -> pd.DataFrame:
    bounds = windows.set_index("product")
    out = table.copy()
    for name in ("window_start", "window_end", "window_fallback"):
        out.insert(len(out.columns) - 3, name, out["product"].map(bounds[name]))
    out["n_drawn"] = np.minimum(out["n_in_window"], params.per_group)
    added = expanded.groupby("group").size() if len(expanded) else pd.Series(dtype="int64")
    out["n_expanded"] = out["group"].map(added).fillna(0).astype("int64")
    out["n_sampled"] = out["n_drawn"] + out["n_expanded"]
    out[f"defect_rate_ucl_{params.confidence * 100:g}"] = \
        zero_defect_upper_bound(out["n_sampled"], params.confidence).round(4)
    out["discrepancy_column"] = out["group"].map(disc["column"]).astype("str")
    out["relative_difference"] = out["group"].map(disc["relative_difference"]).round(4)
    out["discrepancy"] = out["group"].map(disc["discrepant"]).eq(True)
    note = np.where(out["n_in_window"] < params.per_group,
                    f"窗口内不足 {params.per_group} 份，已全部抽取", "")
    widened = out["discrepancy"] & (out["n_expanded"] < params.per_group)
    note = np.where(widened, np.char.add(note.astype(str), "；须补充抽取但同组记录不足"), note)
    out["note"] = pd.Series(note, index=out.index, dtype="str").str.lstrip("；")
    return out


def _summary(chosen: pd.DataFrame, flag_masks: dict[str, np.ndarray], groups: pd.DataFrame,
             windows: pd.DataFrame) -> pd.DataFrame:
    keys = ["product", "record_type"]
    sel = chosen[keys].astype("str").assign(
        n_selected=1, **{f"n_{f}": m.astype("int64") for f, m in flag_masks.items()})
    picked = sel.groupby(keys).sum()
    population = groups.groupby(keys).agg(n_groups=("group", "size"),
                                          n_in_window=("n_in_window", "sum"))
    out = population.join(picked, how="outer").fillna(0).astype("int64").reset_index()
    bounds = windows.set_index("product")
    for name in ("window_start", "window_end", "window_fallback"):
        out.insert(2 + ["window_start", "window_end", "window_fallback"].index(name), name,
                   out["product"].map(bounds[name]))
    return out


def _products(ranked: pd.DataFrame, windows: pd.DataFrame, chosen: pd.DataFrame) -> pd.DataFrame:
    cols = ["product", "n_records", "n_in_window", "window_start", "window_end",
            "window_fallback", "cycle_batch"]
    out = ranked.merge(windows[cols], on="product", how="left")
    out["n_records"] = out["n_records"].fillna(0).astype("int64")
    out["n_in_window"] = out["n_in_window"].fillna(0).astype("int64")
    out["window_fallback"] = out["window_fallback"].eq(True)
    out["n_selected"] = out["product"].map(chosen["product"].value_counts()).fillna(0) \
        .astype("int64")
    return out
