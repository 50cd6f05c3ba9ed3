"""The working parts of the sampling rules (九.3-九.6) behind :mod:`kit.sampling`.

Kept apart so that :mod:`kit.sampling` reads as the guide's rules and their composition. All
functions take record frames with canonical columns and return frames; none loops over
records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kit.sampling._registers import FAIL, PASS, RECORDS

Keys = Callable[[pd.Series], np.ndarray]

#: the records register's own columns; any other numeric column holds measured data
STANDARD = frozenset(c.name for c in RECORDS.columns)
CLASS_NAMES = {1: "Ⅰ类", 2: "Ⅱ类", 3: "Ⅲ类"}


# -- columns -------------------------------------------------------------------------------
def data_columns(records: pd.DataFrame) -> list[str]:
    """The measured-data columns: every numeric column the records register does not define."""
    return [str(c) for c in records.columns if c not in STANDARD
            and pd.api.types.is_numeric_dtype(records[c].dtype)
            and not pd.api.types.is_bool_dtype(records[c].dtype)]


def codes(values: pd.Series, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of text values (-1 for missing or blank), hashing plain object arrays.

    Factorizing the object array behind a ``str`` column is about twice as fast as going
    through the string dtype, and this runs on every record of the register.
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), sort=sort)
    uniques = np.asarray(uniques, dtype=object)
    blank = np.flatnonzero(uniques == "")
    if blank.size:
        codes = np.where(codes == blank[0], -1, codes)
    return codes, uniques


def text_keys(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of text values and each distinct value's comparison key (no case, no spaces)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    keys = pd.Series(np.asarray(uniques, dtype=object), dtype="str").str.casefold() \
        .str.replace(r"\s+", "", regex=True)
    return codes, keys.to_numpy(dtype=object)


def same_text(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Element-wise equality of two coded text arrays (from :func:`text_keys`).

    Missing (code -1) is never equal to anything. Only distinct values are compared as text.
    """
    (ca, ka), (cb, kb) = a, b
    joint = pd.Index(np.concatenate([ka, kb])).unique()
    la = np.where(ca >= 0, joint.get_indexer(ka)[np.maximum(ca, 0)] if len(ka) else -1, -1)
    lb = np.where(cb >= 0, joint.get_indexer(kb)[np.maximum(cb, 0)] if len(kb) else -2, -2)
    return la == lb


def conditions(records: pd.DataFrame) -> pd.Series:
    """The condition of each record (line, equipment, shift, supplier); "" where none."""
    if "condition" not in records:
        return pd.Series("", index=records.index, dtype="str")
    return records["condition"].astype("str").fillna("")


def stages(records: pd.DataFrame) -> pd.Series:
    """The process stage of each record: ``stage``, else its record type."""
    if "stage" not in records:
        return records["record_type"].astype("str")
    stage = records["stage"].astype("str")
    return stage.fillna(records["record_type"].astype("str")) if stage.isna().any() else stage


def group_labels(records: pd.DataFrame) -> pd.Series:
    """9.1's group of each record as a label: ``记录类型 / 产品 / 条件`` (no condition: two parts)."""
    def text(name: str) -> np.ndarray:
        if name not in records:
            return np.full(len(records), "", dtype=object)
        arr = records[name].to_numpy(dtype=object)
        return np.where(pd.isna(arr), "", arr).astype(object)

    cond = text("condition")
    label = text("record_type") + " / " + text("product")
    label = np.where(cond != "", label + " / " + cond, label)
    return pd.Series(label, index=records.index, dtype=object)


def num(values: pd.Series) -> pd.Series:
    """Numbers as short text: 95.0 -> 95, 93.80 -> 93.8; missing -> —."""
    text = values.astype("float64").round(6).astype("str")
    return text.str.replace(r"\.0$", "", regex=True).fillna("—")


# -- 9.3 -----------------------------------------------------------------------------------
#: a column the products register does not have, as each dtype holds "not given"
_MISSING: dict[str, Any] = {"str": "", "Int64": pd.NA, "boolean": pd.NA, "float64": np.nan}


def rank_products(products: pd.DataFrame, record_products: Sequence[str],
                  max_products: int | None) -> pd.DataFrame:
    """See :func:`kit.sampling.rank_products` (``products`` already typed)."""
    table = pd.DataFrame({"product": products["product"].astype("str")})
    dtypes: dict[str, Any] = {"registration_no": "str", "class": "Int64",
                              "high_risk": "boolean", "volume": "float64"}
    for name, dtype in dtypes.items():
        table[name] = products[name].astype(dtype) if name in products else \
            pd.Series(_MISSING[dtype], index=products.index, dtype=dtype)
    table = table.dropna(subset=["product"]).drop_duplicates("product")
    table.insert(1, "in_register", True)
    extra = sorted(set(record_products) - set(table["product"]))
    if extra:
        more = pd.DataFrame({"product": pd.Series(extra, dtype="str"), "in_register": False})
        table = pd.concat([table, more.astype({"product": "str"})], ignore_index=True)
        table = table.astype({"registration_no": "str", "class": "Int64",
                              "high_risk": "boolean", "volume": "float64"})
    table = table.iloc[_either_order(table)].reset_index(drop=True)
    n = len(table)
    table["rank"] = np.arange(1, n + 1)
    table["chosen"] = True if max_products is None else table["rank"] <= max_products
    table["reason"] = _product_reasons(table, max_products)
    return table


def _either_order(table: pd.DataFrame) -> list[int]:
    """9.3 asks for the products with the larger volume *or* the higher safety demand: not one
    strict order, so the ranking takes them in turn, the safest not yet taken, then the
    largest not yet taken, and so on (products missing from the register last). The row
    positions in that order; ``table["basis"]`` says which turn took each."""
    reg = table["in_register"].astype(bool)
    risk = table["high_risk"].fillna(False).astype(bool)
    cls = table["class"].fillna(0).astype(int)
    vol = table["volume"].fillna(-1.0)
    keys = pd.DataFrame({"reg": reg, "risk": risk, "cls": cls, "vol": vol,
                         "name": table["product"]})
    safety = keys.sort_values(["reg", "risk", "cls", "vol", "name"],
                              ascending=[False, False, False, False, True], kind="stable")
    volume = keys.sort_values(["reg", "vol", "risk", "cls", "name"],
                              ascending=[False, False, False, False, True], kind="stable")
    queues = {"safety": [int(i) for i in safety.index],
              "volume": [int(i) for i in volume.index if vol[i] >= 0]}
    order: list[int] = []
    basis: dict[int, str] = {}
    turn = "safety"
    while len(order) < len(table):
        queue = [i for i in queues[turn] if i not in basis]
        if queue and (reg[queue[0]] or turn == "safety"):
            basis[queue[0]] = turn if reg[queue[0]] else "unregistered"
            order.append(queue[0])
        elif turn == "volume" and not queue:
            pass  # no volumes known: safety alone decides
        turn = "volume" if turn == "safety" else "safety"
    table["basis"] = pd.Series(basis).reindex(table.index).astype("str")
    positions = {label: n for n, label in enumerate(table.index)}
    return [positions[i] for i in order]


def _product_reasons(table: pd.DataFrame, limit: int | None) -> pd.Series:
    """9.3's reason for each product, in Chinese, from its rank and what decided it."""
    n = len(table)
    registered = table["in_register"].to_numpy(dtype=bool)
    if limit is None:
        text = pd.Series(f"9.3 覆盖全部产品（共 {n} 个）", index=table.index, dtype="str")
    else:
        cls = table["class"].map(CLASS_NAMES).fillna("类别未填")
        risk = np.where(table["high_risk"].fillna(False).astype(bool), "、高风险", "")
        vol = table["volume"].map("{:,.0f}".format, na_action="ignore").astype(object).fillna("未填")
        why = cls + risk + "，产量 " + vol
        by = table["basis"].map({"safety": "安全性要求较高", "volume": "生产量较大"}).fillna("")
        place = ("按" + by.where(by != "", "登记情况") + "排第 " + table["rank"].astype(str)
                 + f"/{n}（")
        verdict = np.where(table["chosen"], f"），入选前 {limit} 个",
                           f"），未入选（只查前 {limit} 个）")
        text = "9.3 检查时间有限，" + place + why + verdict
    note = np.where(registered, "", "；产品登记表中没有该产品，记录中却有")
    return (text + note).astype("str")


# -- 9.4 -----------------------------------------------------------------------------------
def stage_sets(records: pd.DataFrame, valid: np.ndarray, product_codes: np.ndarray,
               names: np.ndarray) -> dict[str, tuple[str, ...]]:
    """Each product's stages over the whole register, from integer codes (one factorize)."""
    if "stage" in records:
        scodes, snames = codes(records["stage"])
        missing = np.flatnonzero(scodes < 0)
        if missing.size:  # a record without a stage stands for its record type
            tcodes, tnames = codes(records["record_type"].iloc[missing])
            scodes[missing] = np.where(tcodes >= 0, tcodes + len(snames), -1)
            snames = np.concatenate([snames, tnames])
    else:
        scodes, snames = codes(records["record_type"])
    ok = valid & (product_codes >= 0) & (scodes >= 0)
    width = max(len(snames), 1)
    seen = np.bincount(product_codes[ok].astype("int64") * width + scodes[ok],
                       minlength=len(names) * width)
    pairs = np.flatnonzero(seen)
    out: dict[str, list[str]] = {}
    for p, s in zip(pairs // width, pairs % width, strict=True):
        out.setdefault(str(names[p]), []).append(str(snames[s]))
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def follow_batches(records: pd.DataFrame, drawn: pd.DataFrame, *,
                   windows: pd.DataFrame | None, stage_sets: Mapping[str, Sequence[str]] | None,
                   until: pd.Timestamp | None, keys: Keys,
                   shortlist: int = 8) -> tuple[pd.DataFrame, pd.DataFrame]:
    """See :func:`kit.sampling.follow_batches`; ``shortlist`` batches per product are compared."""
    cand = (drawn.dropna(subset=["batch"])[["product", "batch"]].astype("str")
            .value_counts(sort=False).rename("n_drawn").reset_index())
    cand["cycle"] = False
    if windows is not None:
        cyc = windows[windows["window_fallback"] & windows["cycle_batch"].notna()]
        if "chosen" in cyc:
            cyc = cyc[cyc["chosen"]]
        if len(cyc):
            cand = pd.concat([cand[~cand["product"].isin(cyc["product"])], pd.DataFrame(
                {"product": cyc["product"].astype("str"), "batch": cyc["cycle_batch"],
                 "n_drawn": 0, "cycle": True})], ignore_index=True)
    if cand.empty:
        return records.iloc[:0].assign(followed_batch=pd.Series(dtype="str")), empty_gaps()
    cand["key"] = keys(cand["product"] + "\x1f" + cand["batch"])
    cand = cand.sort_values(["product", "cycle", "n_drawn", "key"],
                            ascending=[True, False, False, True])
    cand = cand[(cand.groupby("product", sort=False).cumcount() < shortlist).to_numpy()]

    near = records["batch"].isin(cand["batch"].unique()).to_numpy()
    if until is not None:
        near = near & (records["record_date"].to_numpy() <= until.to_datetime64())
    rows = records[near]
    pair = pd.MultiIndex.from_arrays([rows["product"].astype("str"), rows["batch"].astype("str")])
    rows = rows[pair.isin(pd.MultiIndex.from_frame(cand[["product", "batch"]]))
                & rows["record_type"].notna().to_numpy()]
    found = pd.DataFrame({"product": rows["product"].astype("str"),
                          "batch": rows["batch"].astype("str"), "stage": stages(rows)})
    first = rows.groupby([found["product"], found["batch"]])["record_date"].transform("min")
    found["offset"] = (rows["record_date"] - first).dt.days
    position = found.groupby(["product", "stage"], as_index=False)["offset"].mean()
    sets = stage_sets if stage_sets is not None else {
        str(p): tuple(g.unique()) for p, g in stages(records).groupby(records["product"])}
    known = pd.DataFrame([(p, s) for p, ss in sets.items() for s in ss],
                         columns=["product", "stage"]).astype("str")
    known = known.merge(position, on=["product", "stage"], how="left")
    last = (known.dropna(subset=["offset"]).sort_values(["product", "offset", "stage"])
            .drop_duplicates("product", keep="last")[["product", "stage"]])
    finished = found.merge(last, on=["product", "stage"])[["product", "batch"]] \
        .drop_duplicates().assign(complete=True)
    cand = cand.merge(finished, on=["product", "batch"], how="left")
    cand["complete"] = cand["complete"].eq(True)
    chosen = cand.sort_values(["product", "cycle", "complete", "n_drawn", "key"],
                              ascending=[True, False, False, False, True]) \
        .drop_duplicates("product")
    mine = pd.MultiIndex.from_frame(found[["product", "batch"]]).isin(
        pd.MultiIndex.from_frame(chosen[["product", "batch"]]))
    trace = rows[mine].assign(followed_batch=found.loc[mine, "batch"])
    return trace, _gaps(found[mine], trace, chosen, known)


def _gaps(found: pd.DataFrame, trace: pd.DataFrame, chosen: pd.DataFrame,
          known: pd.DataFrame) -> pd.DataFrame:
    """One row per followed batch: its stages in process order and the ones it lacks."""
    order = known.assign(offset=known["offset"].fillna(np.inf)) \
        .sort_values(["product", "offset", "stage"], kind="stable")
    present = found[["product", "stage"]].drop_duplicates().assign(present=True)
    order = order.merge(present, on=["product", "stage"], how="left")
    order["present"] = order["present"].eq(True)
    joined = order.groupby(["product", "present"], sort=False)["stage"].agg("；".join)
    dates = trace["record_date"].groupby(found["product"]).agg(["size", "min", "max"])
    have = joined.xs(True, level="present") if True in joined.index.get_level_values(1) \
        else pd.Series(dtype=object)
    lack = joined.xs(False, level="present") if False in joined.index.get_level_values(1) \
        else pd.Series(dtype=object)
    product = pd.Series(chosen["product"].to_numpy(dtype=object), dtype=object)

    def text(by_product: pd.Series) -> pd.Series:
        found = product.map(by_product).to_numpy(dtype=object)
        return pd.Series(np.where(pd.isna(found), "", found), dtype="str")

    missing = text(lack)
    return pd.DataFrame({
        "product": product.astype("str"),
        "batch": pd.Series(chosen["batch"].to_numpy(dtype=object), dtype="str"),
        "n_records": product.map(dates["size"]).fillna(0).astype("int64"),
        "first_date": product.map(dates["min"]).astype("datetime64[ns]"),
        "last_date": product.map(dates["max"]).astype("datetime64[ns]"),
        "stages": text(have), "missing_stages": missing, "gap": missing != ""})


def empty_gaps() -> pd.DataFrame:
    """The trace-gaps table with no rows, its columns typed."""
    return pd.DataFrame({"product": pd.Series(dtype="str"), "batch": pd.Series(dtype="str"),
                         "n_records": pd.Series(dtype="int64"),
                         "first_date": pd.Series(dtype="datetime64[ns]"),
                         "last_date": pd.Series(dtype="datetime64[ns]"),
                         "stages": pd.Series(dtype="str"),
                         "missing_stages": pd.Series(dtype="str"),
                         "gap": pd.Series(dtype="bool")})


# -- 9.5 -----------------------------------------------------------------------------------
def judge(records: pd.DataFrame, columns: Sequence[str] | None,
          detail: bool = False) -> tuple[pd.Series, pd.Series]:
    """9.5's verdict per record, and (with ``detail``) a Chinese sentence saying why."""
    cols = data_columns(records) if columns is None else [c for c in columns if c in records]
    n = len(records)
    text = pd.Series("", index=records.index, dtype="str")
    if not cols or "conclusion" not in records or not ({"lower", "upper"} & set(records)):
        return pd.Series(False, index=records.index), text
    nan = np.full(n, np.nan)
    lo = records["lower"].to_numpy(dtype="float64") if "lower" in records else nan
    hi = records["upper"].to_numpy(dtype="float64") if "upper" in records else nan
    limited = ~np.isnan(lo) | ~np.isnan(hi)
    outside = np.zeros(n, dtype=bool)
    judged = np.zeros(n, dtype=bool)
    first_out = np.full(n, "", dtype=object)
    for c in cols:
        v = records[c].to_numpy(dtype="float64")
        out = (v < lo) | (v > hi)
        if detail and (new := out & ~outside).any():
            first_out[new] = (f"“{c}”为 " + num(pd.Series(v[new])) + "，超出限值 ["
                              + num(pd.Series(lo[new])) + ", " + num(pd.Series(hi[new]))
                              + "]").to_numpy(dtype=object)
        outside |= out
        judged |= ~np.isnan(v) & limited
    verdict = records["conclusion"].to_numpy(dtype=object)
    wrong_pass = outside & (verdict == PASS)
    wrong_fail = judged & ~outside & (verdict == FAIL)
    if detail:
        text[wrong_pass] = "9.5 数据与结论不一致：" + first_out[wrong_pass] + "，却判定合格"
        if wrong_fail.any():
            text[wrong_fail] = ("9.5 数据与结论不一致：数据均在限值 [" + num(pd.Series(lo[wrong_fail]))
                                + ", " + num(pd.Series(hi[wrong_fail]))
                                + "] 内，却判定不合格").to_numpy(dtype=object)
    return pd.Series(wrong_pass | wrong_fail, index=records.index), text


# -- 9.6 -----------------------------------------------------------------------------------
def discrepancies(drawn: pd.DataFrame, threshold: float,
                  columns: Sequence[str] | None) -> pd.DataFrame:
    """See :func:`kit.sampling.find_discrepancies`; one groupby per data column."""
    cols = data_columns(drawn) if columns is None else [c for c in columns if c in drawn]
    parts = []
    labels = group_labels(drawn)
    tolerance = _tolerance(drawn).groupby(labels).min()  # the tightest a group's records give
    for c in cols:
        values = drawn[c].astype("float64").dropna()
        if values.empty:
            continue
        agg = values.groupby(labels[values.index]).agg(
            ["count", "max", "min", "idxmax", "idxmin"])
        scale = pd.concat([agg["max"].abs(), agg["min"].abs()], axis=1).max(axis=1)
        tol = pd.Series(tolerance.reindex(agg.index).to_numpy(dtype="float64"), index=agg.index)
        by_tolerance = tol.notna() & (tol > 0)
        rel = ((agg["max"] - agg["min"]) / scale.where(scale > 0)).fillna(0.0)
        rel = ((agg["max"] - agg["min"]) / tol).where(by_tolerance, rel)
        parts.append(pd.DataFrame({"column": c, "n_values": agg["count"],
                                   "relative_difference": rel,
                                   "basis": np.where(by_tolerance, "tolerance", "value"),
                                   "tolerance": tol.where(by_tolerance),
                                   "low_index": agg["idxmin"], "high_index": agg["idxmax"]}))
    if not parts:
        out = pd.DataFrame({"column": pd.Series(dtype="str"),
                            "n_values": pd.Series(dtype="int64"),
                            "relative_difference": pd.Series(dtype="float64"),
                            "basis": pd.Series(dtype="str"),
                            "tolerance": pd.Series(dtype="float64"),
                            "low_index": pd.Series(dtype="int64"),
                            "high_index": pd.Series(dtype="int64")})
    else:
        both = pd.concat(parts).rename_axis("group").reset_index()
        both = both.sort_values(["group", "relative_difference", "column"],
                                ascending=[True, False, True], kind="stable")
        out = both.drop_duplicates("group").set_index("group")
    out["discrepant"] = (out["n_values"] >= 2) & (out["relative_difference"] > threshold)
    return out


def _tolerance(records: pd.DataFrame) -> pd.Series:
    """Each record's tolerance, ``upper - lower`` where the register gives both limits."""
    if "lower" not in records or "upper" not in records:
        return pd.Series(np.nan, index=records.index, dtype="float64")
    low = pd.to_numeric(records["lower"], errors="coerce")
    high = pd.to_numeric(records["upper"], errors="coerce")
    return (high - low).where(high > low)


def expansion_pool(records: pd.DataFrame, valid: np.ndarray, codes: np.ndarray,
                   names: np.ndarray, members: pd.DataFrame) -> pd.DataFrame:
    """Rows that may widen the groups of ``members``: valid records of their products and types.

    Filters on integer product codes first, so the string comparison runs on few rows.
    """
    if members.empty:
        return records.iloc[:0]
    wanted = np.flatnonzero(pd.Index(names).isin(members["product"].unique()))
    rows = records.iloc[np.flatnonzero(valid & np.isin(codes, wanted))]
    return rows[rows["record_type"].isin(members["record_type"].unique()).to_numpy()]


def expand(pool: pd.DataFrame, groups: Sequence[str], taken: pd.Index, *, per_group: int,
           windows: pd.DataFrame, keys: Keys) -> pd.DataFrame:
    """See :func:`kit.sampling.expand_discrepant`; ``keys`` gives the seeded draw keys."""
    labels = group_labels(pool)
    rows = pool[(labels.isin(list(groups)) & ~pool.index.isin(taken)).to_numpy()]
    if rows.empty:
        return empty_expansion(pool)
    bounds = windows.set_index("product")
    start = rows["product"].map(bounds["window_start"])
    end = rows["product"].map(bounds["window_end"])
    dates = rows["record_date"]
    inside = ((dates >= start) & (dates <= end)).fillna(False).astype(bool)
    gap = ((start - dates).where(dates < start, dates - end)).dt.days.where(~inside, 0)
    order = pd.DataFrame({"group": group_labels(rows), "outside": ~inside,
                          "distance": gap.fillna(np.inf), "key": keys(rows["record_id"])},
                         index=rows.index)
    order = order.sort_values(["group", "outside", "distance", "key"], kind="stable")
    take = order[order.groupby("group", sort=False).cumcount() < per_group]
    out = rows.loc[take.index].copy()
    out["group"] = take["group"]
    out["expanded_from"] = np.where(take["outside"], "outside", "window")
    return out


def empty_expansion(like: pd.DataFrame) -> pd.DataFrame:
    """No records added: ``like``'s columns plus ``group`` and ``expanded_from``."""
    return like.iloc[:0].assign(group=pd.Series(dtype="str"),
                                expanded_from=pd.Series(dtype="str"))


def cap_per_group(index: pd.Index, group: np.ndarray, keys: np.ndarray, mask: np.ndarray,
                  per_group: int) -> np.ndarray:
    """Index labels of at most ``per_group`` flagged rows per group, in key order."""
    at = np.flatnonzero(mask)
    if not at.size:
        return np.empty(0, dtype="int64")
    order = np.lexsort((keys[at], group[at]))
    g = group[at][order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    rank = np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)]))
    return np.asarray(index[at[order][rank < per_group]], dtype="int64")
