"""The store's fields as typed pandas tables, built in one pass over the rows (see :func:`build`).

The store keeps every leaf of every inspection as a row ``(inspection id, path, JSON)``
(``results/7.8.m4/result = "conform"``). An office's store has about 700 rows per inspection,
most of them repeating a few texts, so the tables are built from codes, not row by row: the
paths, the values and the inspections are each factorized once (distinct texts are few), the
distinct values parsed in one ``json.loads``, and every column is then a ``take`` of its
distinct values, typed once each. A value the model would refuse (a result that is not one of
the four, a date that is not a date) leaves its inspection out, named with the field and why.

Types: sections, items and every coded field are ordered categoricals in the guide's order;
missing text and dates are ``pd.NA`` / ``NaT``; booleans are the nullable ``boolean``. A date is
a day (``datetime64`` at midnight, no zone: a day has none); a time of day (a correction
confirmed) is aware, in :data:`ZONE` (Beijing): the record keeps its own times as Beijing wall
time, and one written with an offset is converted to Beijing.

Multi-valued fields (an inspection's sections and inspectors, an item's means, the measures,
a notice's witnesses) are one type whatever the backend: an ``object`` column whose every value
is a **tuple of str**, ``()`` for none (never a list, never ``NaN``, never pyarrow's
``list<…>``). Tuples are hashable (``groupby``, ``drop_duplicates``, ``value_counts`` work on
them), ``explode`` gives one row per value, and pandas keeps them as they are with or without
pyarrow; ``to_parquet`` writes them as a list of strings. They are made only by
:func:`tuples` and :func:`tuples_by`, never by ``groupby(...).agg(tuple)``: over text stored
with pyarrow (pandas 3's default when pyarrow is installed) that returns pyarrow lists.
Text is pandas' ``string`` dtype (missing ``pd.NA``), stored with pyarrow when pandas' string
storage says so: the values and the logical types are the same either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, cast

import numpy as np
import pandas as pd

from kit.dates import ZONE, beijing
from kit.guide import Clause, load_guide
from kit.labels import (
    FINDING_STATES,
    ITEM_KINDS,
    LICENCE_KINDS,
    MEMBER_ROLES,
    RESULTS,
    REVIEW_MODES,
    REVIEW_RESULTS,
    STAGES,
    Table,
)
from kit.policy import Scheme, load_policy
from kit.profiles import items_in_scope, resolve_profile
from kit.record import NOTICE_KINDS, check_value, flatten, natural_key
from kit.schemas import canonical_json

#: the parts of a record the tables read (at or below each path)
READ_PATHS = ("company/name", "company/credit_code", "company/role", "company/products",
              "company/licences", "scope", "stage",
              "profile", "team", "results", "findings", "follow_up", "sampling", "notices",
              "opinion/decided_on", "opinion/verdict", "opinion/scheme", "opinion/verdict_reason",
              "cross_region")
#: a finding's own collections (its kept review rounds, its extensions): an entry's key is
#: ``F1/reviews/R1``, so a refused value is named by its whole path
NESTED = ("findings/reviews", "findings/extensions")
#: collections whose entries become rows of their own table
KEYED = ("results", "findings", "team", "notices", "company/products", "company/licences",
         *NESTED)
_ABSENT = object()  # a field the record does not have: the model's default applies


@dataclass(frozen=True)
class Column:
    """How one field becomes one typed column."""

    name: str  # the column's name
    path: str  # the head path (``scope/type``) or, for a keyed table, the field of an entry
    kind: str  # text, category, items or open (categories then any text), date, bool, list, int
    categories: tuple[str, ...] = ()
    default: Any = None  # the model's default, for a record without the field


def coded(codes: Any, categories: Sequence[str], *, ordered: bool = True) -> Any:
    """An ordered categorical from integer codes (-1: missing) into ``categories``."""
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64),
                                     categories=pd.Index(list(categories)), ordered=ordered)


def tuples(values: Iterable[Any]) -> np.ndarray:
    """Multi-valued fields as the tables hold them: an object array of tuples, ``()`` for a
    missing value (``None``, ``NaN``, ``pd.NA``), whatever each value came as (a tuple, a list,
    a numpy array)."""
    out = [() if _missing(v) else tuple(v) for v in values]
    vals = np.empty(len(out), dtype=object)
    vals[:] = out
    return vals


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and np.isnan(value)


def tuples_by(values: pd.Series, keys: pd.Series) -> dict[str, tuple[str, ...]]:
    """The non-missing ``values`` of each key, in their order, as a tuple: what
    ``values.groupby(keys).agg(tuple)`` means, the same with any string storage."""
    out: dict[str, list[str]] = {}
    for key, value in zip(keys.astype(object), values.astype(object), strict=True):
        if not _missing(value) and not _missing(key):
            out.setdefault(str(key), []).append(str(value))
    return {k: tuple(v) for k, v in out.items()}


def _cats(table: Table) -> tuple[str, ...]:
    return tuple(code for code in table if code)


@cache
def vocabularies() -> dict[str, tuple[str, ...]]:
    """Every coded field's codes in the order the guide and the forms give them."""
    guide = load_guide()
    return {
        "section": tuple(s.id for s in guide.sections),
        "item": tuple(c.id for c in guide.clauses()),
        "type": tuple(t.code for t in guide.terms("inspection_types")),
        "handling": tuple(t.code for t in guide.terms("handling_kinds")),
        "measure": tuple(t.code for t in guide.terms("follow_up_measures")),
        "role": tuple(t.code for t in guide.terms("roles")),
        "cooperation": ("none", "joint", "delegated"),
        "stage": _cats(STAGES), "result": _cats(RESULTS), "state": _cats(FINDING_STATES),
        "review_mode": _cats(REVIEW_MODES), "member_role": _cats(MEMBER_ROLES),
        "review_result": _cats(REVIEW_RESULTS),
        "notice": NOTICE_KINDS, "licence": _cats(LICENCE_KINDS),
    }


def _scheme() -> Scheme:
    """The office's grading scheme in force: its grades and verdicts come first in their
    columns' categories (any other code a record holds follows, as it is)."""
    return load_policy().scheme


def _head_columns() -> tuple[Column, ...]:
    v, scheme = vocabularies(), _scheme()
    return (
        Column("company", "company/name", "text"),
        Column("credit_code", "company/credit_code", "text"),
        Column("role", "company/role", "category", v["role"], "registrant"),
        Column("type", "scope/type", "category", v["type"], "supervisory"),
        Column("principal", "scope/principal", "text"),
        Column("cooperation", "scope/cooperation", "category", v["cooperation"], "none"),
        Column("unannounced", "scope/unannounced", "bool", default=False),
        Column("remote", "scope/remote", "bool", default=False),
        Column("start_date", "scope/start_date", "date"),
        Column("end_date", "scope/end_date", "date"),
        Column("stage", "stage", "category", v["stage"], "preparation"),
        Column("profile", "profile", "text", default="full"),
        Column("sections", "scope/sections", "list", default=()),
        Column("decided_on", "opinion/decided_on", "date"),
        Column("verdict", "opinion/verdict", "open", tuple(t.code for t in scheme.verdicts), ""),
        Column("verdict_scheme", "opinion/scheme", "text"),
        Column("verdict_reason", "opinion/verdict_reason", "text"),
        # the duties across authorities (五、8; 八、5（3）（4）)
        Column("communicated_with", "cross_region/communicated_with", "text"),
        Column("communicated_on", "cross_region/communicated_on", "date"),
        Column("report_to_both_on", "cross_region/report_to_both_on", "date"),
        Column("notify_outside", "cross_region/notify_outside", "bool", default=False),
        Column("advance_report_on", "cross_region/advance_report_on", "date"),
        # the follow-up (十、3), one per inspection
        Column("submitted_on", "follow_up/submitted_on", "date"),
        Column("review_mode", "follow_up/review_mode", "category", v["review_mode"], ""),
        Column("reviewed_on", "follow_up/reviewed_on", "date"),
        Column("reviewer", "follow_up/reviewer", "text"),
        Column("closed_on", "follow_up/closed_on", "date"),
        Column("measures", "follow_up/measures", "list", default=()),
        Column("note", "follow_up/note", "text"),
        # the record sample (九)
        Column("seed", "sampling/seed", "int", default=0),
        Column("sample_date", "sampling/inspection_date", "date"),
        Column("sample_columns", "sampling/columns", "list", default=()),
        Column("sample_rows", "sampling/rows", "list", default=()),
    )


def _entry_columns() -> dict[str, tuple[Column, ...]]:
    v, scheme = vocabularies(), _scheme()
    return {
        "results": (
            Column("result", "result", "category", v["result"], "unchecked"),
            Column("notes", "notes", "text"),
            Column("means", "means", "list", default=()),
            Column("evidence", "evidence", "text"),
            Column("inspector", "inspector", "text"),
        ),
        "findings": (
            Column("item", "item", "items", v["item"], ""),
            Column("description", "description", "text"),
            # the model keeps any text here: the guide's kinds first, then any other as it is
            Column("handling", "handling", "open", v["handling"], "rectify_by_deadline"),
            Column("requirement", "requirement", "text"),
            Column("deadline", "deadline", "date"),
            Column("affects_past_products", "affects_past_products", "bool", default=False),
            Column("state", "state", "category", v["state"], "open"),
            Column("submitted_on", "submitted_on", "date"),
            Column("evidence", "evidence", "text"),
            Column("review_mode", "review_mode", "category", v["review_mode"], ""),
            Column("reviewed_on", "reviewed_on", "date"),
            Column("reviewer", "reviewer", "text"),
            Column("basis", "basis", "text"),
            Column("grade", "grade", "open", tuple(t.code for t in scheme.grades), ""),
            # each handling's outcome (十、1)
            Column("corrected_by", "corrected_by", "text"),
            Column("corrected_at", "corrected_at", "datetime"),
            Column("warning_on", "warning_on", "date"),
            Column("warning_channel", "warning_channel", "text"),
            Column("case_number", "case_number", "text"),
            Column("transferred_to", "transferred_to", "text"),
            Column("transferred_on", "transferred_on", "date"),
        ),
        "findings/reviews": (
            Column("submitted_on", "submitted_on", "date"),
            Column("evidence", "evidence", "text"),
            Column("mode", "mode", "category", v["review_mode"], ""),
            Column("reviewed_on", "reviewed_on", "date"),
            Column("reviewer", "reviewer", "text"),
            Column("result", "result", "category", v["review_result"], "failed"),
            Column("note", "note", "text"),
        ),
        "findings/extensions": (
            Column("new_deadline", "new_deadline", "date"),
            Column("reason", "reason", "text"),
            Column("approved_by", "approved_by", "text"),
            Column("approved_on", "approved_on", "date"),
        ),
        "team": (
            Column("name", "name", "text"),
            Column("role", "role", "category", v["member_role"], "inspector"),
            Column("user", "user", "text"),
            Column("authority", "authority", "text"),
            Column("sections", "sections", "list", default=()),
        ),
        "company/products": (
            Column("name", "name", "text"),
            Column("certificate", "certificate", "category", ("registration", "filing"),
                   "registration"),
            Column("registration_no", "registration_no", "text"),
            Column("device_class", "device_class", "category", ("I", "II", "III"), "II"),
            Column("category_code", "category_code", "text"),
            Column("sterile", "sterile", "bool", default=False),
            Column("in_scope", "in_scope", "bool", default=True),
        ),
        "company/licences": (
            Column("kind", "kind", "category", v["licence"], "business_licence"),
            Column("number", "number", "text"),
            Column("issued", "issued", "date"),
            Column("expires", "expires", "date"),
        ),
        "notices": (
            Column("number", "number", "text"),
            Column("issued_on", "issued_on", "date"),
            Column("served_on", "served_on", "date"),
            Column("received_by", "received_by", "text"),
            Column("refused", "refused", "bool", default=False),
            Column("witnesses", "witnesses", "list", default=()),
            Column("note", "note", "text"),
        ),
    }


# -- the rows, coded ------------------------------------------------------------------------
class Coded:
    """The rows as integer codes: inspection, path and value of each row, and what they name."""

    def __init__(self, rows: Iterable[Sequence[tuple[str, str, str]]] | Sequence[
            tuple[str, str, str]], *, chunked: bool = False) -> None:
        chunks = cast(Iterable[Sequence[tuple[str, str, str]]], rows) if chunked else [
            cast(Sequence[tuple[str, str, str]], rows)]
        (self.icode, self.ids), (self.pcode, self.paths), (self.vcode, texts) = _codes(chunks)
        self.values = _parse(texts)
        self.path_index = {p: k for k, p in enumerate(self.paths)}
        parts = [_entry_of(p) for p in self.paths]
        self.top = np.array([x[0] for x in parts], dtype=object)
        self.key = np.array([x[1] for x in parts], dtype=object)
        leaf_code, self.leaves = _factorize(np.array([x[2] for x in parts], dtype=object))
        self.leaf = leaf_code  # per path, the code of its field below an entry
        self.bad: dict[int, str] = {}  # inspection code -> why it is left out

    @property
    def n(self) -> int:
        return len(self.ids)

    def head(self, path: str) -> np.ndarray:
        """Per inspection, the code of its value at ``path`` (-1 where it has none)."""
        out = np.full(self.n, -1, dtype=np.int64)
        code = self.path_index.get(path)
        if code is not None:
            rows = np.flatnonzero(self.pcode == code)
            out[self.icode[rows]] = self.vcode[rows]
        return out

    def entries(self, top: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The rows below entries of ``top``: (row numbers, inspection, path, field code)."""
        rows = np.flatnonzero((self.top == top)[self.pcode]) if len(self.pcode) else \
            np.array([], dtype=np.int64)
        p = self.pcode[rows]
        return rows, self.icode[rows], p, self.leaf[p]

    def leaf_of(self, name: str) -> int:
        """The code of an entry's field ``name`` (-1 if no row has it)."""
        found = np.flatnonzero(self.leaves == name)
        return int(found[0]) if len(found) else -1

    def typed(self, column: Column, vidx: np.ndarray, owners: np.ndarray, where: str,
              keys: np.ndarray | None = None) -> Any:
        """The column's values from value codes (-1: absent), typed; a value the model refuses
        leaves its owner out (``owners``: the inspection of each row; ``where``: the field's
        path, ``*`` standing for each row's entry key in ``keys``)."""
        uniq, inv = np.unique(vidx, return_inverse=True)
        raw = [self.values[u] if u >= 0 else _ABSENT for u in uniq]
        converted, refused = _CONVERT[column.kind](column, raw)
        for k in np.flatnonzero(refused):
            for r in np.flatnonzero(inv == k):
                path = where.replace("*", str(keys[r])) if keys is not None else where
                self.bad.setdefault(int(owners[r]), _why(path, raw[k]))
        return converted.take(inv) if len(inv) else converted[:0]


def _entry_of(path: str) -> tuple[str, str, str]:
    """``(collection, entry key, field)`` of a path below an entry of :data:`KEYED`, else
    ``("", "", "")``: ``company/products/P1/name`` -> ``("company/products", "P1", "name")``,
    ``findings/F1/reviews/R1/mode`` -> ``("findings/reviews", "F1/reviews/R1", "mode")``."""
    head, _, leaf = path.rpartition("/")
    parts = head.split("/")
    if len(parts) == 4 and parts[0] == "findings" and f"findings/{parts[2]}" in NESTED \
            and parts[1] and parts[3]:
        return f"findings/{parts[2]}", "/".join(parts[1:]), leaf
    top, _, key = head.rpartition("/")
    return (top, key, leaf) if top in KEYED and key else ("", "", "")


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)


def _codes(chunks: Iterable[Sequence[tuple[str, str, str]]]
           ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The rows' three columns factorized, chunk by chunk: a chunk's rows are let go once coded,
    so a store read in chunks never holds all its rows as Python text at once (only the
    distinct texts, and three integers per row)."""
    known: list[dict[Any, int]] = [{}, {}, {}]
    codes: list[list[np.ndarray]] = [[], [], []]
    for chunk in chunks:
        if not len(chunk):
            continue
        table = np.array(chunk, dtype=object)
        for k in range(3):
            local, uniques = pd.factorize(table[:, k])
            seen = known[k]
            remap = np.fromiter((seen.setdefault(u, len(seen)) for u in uniques),
                                dtype=np.int64, count=len(uniques))
            codes[k].append(remap[local])
        del table
    return [(np.concatenate(codes[k]) if codes[k] else np.array([], dtype=np.int64),
             np.array(list(known[k]), dtype=object)) for k in range(3)]


def _parse(texts: np.ndarray) -> list[Any]:
    """The distinct JSON texts parsed in one call (one that is not JSON is marked, not fatal)."""
    try:
        return json.loads("[" + ",".join(texts) + "]")
    except (ValueError, TypeError):
        out = []
        for text in texts:
            try:
                out.append(json.loads(text))
            except (ValueError, TypeError):
                out.append(_NotJson(str(text)))
        return out


@dataclass(frozen=True)
class _NotJson:
    text: str


def _why(where: str, value: Any) -> str:
    problems = [] if isinstance(value, _NotJson) else check_value(where, value)
    if problems:
        return f"{where}：{problems[0].message}"
    shown = value.text if isinstance(value, _NotJson) else value
    return f"{where}：{shown!r} 不是有效的值 / not a valid value"


# -- each kind's conversion of distinct values: (typed array, refused flags) --------------
def _refused(column: Column, ok: Callable[[Any], bool], raw: list[Any]) -> np.ndarray:
    return np.array([v is not _ABSENT and not ok(v) for v in raw], dtype=bool)


def _text(column: Column, raw: list[Any]) -> tuple[Any, np.ndarray]:
    refused = _refused(column, lambda v: isinstance(v, str), raw)
    vals = [v if isinstance(v, str) and v else (column.default or pd.NA)
            if v is _ABSENT else pd.NA for v in raw]
    return pd.array(vals, dtype="string"), refused


def _category(column: Column, raw: list[Any]) -> tuple[Any, np.ndarray]:
    index = {c: k for k, c in enumerate(column.categories)}
    refused = _refused(column, lambda v: isinstance(v, str) and (v in index or v == ""), raw)
    codes = [index.get(str(column.default), -1) if v is _ABSENT else
             index.get(v, -1) if isinstance(v, str) else -1 for v in raw]
    return coded(codes, column.categories), refused


def _items(column: Column, raw: list[Any]) -> tuple[Any, np.ndarray]:
    """A finding's item (or another open code): the guide's codes in order, then any other
    text as it is."""
    extra = sorted({v for v in raw if isinstance(v, str) and v}.difference(column.categories),
                   key=natural_key)
    return _category(Column(column.name, column.path, "category",
                            (*column.categories, *extra), column.default), raw)


def _date(column: Column, raw: list[Any], *, with_time: bool = False) -> tuple[Any, np.ndarray]:
    """ISO dates (``2026-12-01``; with ``with_time`` also a time of day), each distinct text
    parsed once; anything else is refused."""
    out = np.full(len(raw), np.datetime64("NaT"), dtype="datetime64[us]")
    refused = np.zeros(len(raw), dtype=bool)
    parse = datetime.fromisoformat if with_time else date.fromisoformat
    for k, value in enumerate(raw):
        if value is _ABSENT or value is None:
            continue
        try:
            if not isinstance(value, str) or (not with_time and len(value) != 10):
                raise ValueError(value)
            parsed = parse(value)
            if isinstance(parsed, datetime) and parsed.tzinfo is not None:
                parsed = beijing(parsed).replace(tzinfo=None)
            out[k] = np.datetime64(parsed, "us")
        except ValueError:
            refused[k] = True
    return out, refused


def _bool(column: Column, raw: list[Any]) -> tuple[Any, np.ndarray]:
    refused = _refused(column, lambda v: isinstance(v, bool), raw)
    vals = [column.default if v is _ABSENT else v if isinstance(v, bool) else pd.NA for v in raw]
    return pd.array(vals, dtype="boolean"), refused


def _list(column: Column, raw: list[Any]) -> tuple[Any, np.ndarray]:
    refused = _refused(column, lambda v: isinstance(v, list), raw)
    return tuples(v if isinstance(v, list) else () for v in raw), refused


def _int(column: Column, raw: list[Any]) -> tuple[Any, np.ndarray]:
    refused = _refused(column, lambda v: isinstance(v, int) and not isinstance(v, bool), raw)
    vals = [column.default if v is _ABSENT else v if isinstance(v, int) else pd.NA for v in raw]
    return pd.array(vals, dtype="Int64"), refused


def _datetime(column: Column, raw: list[Any]) -> tuple[Any, np.ndarray]:
    """Times of day, aware in :data:`ZONE`."""
    naive, refused = _date(column, raw, with_time=True)
    return pd.array(naive).tz_localize(ZONE), refused


_CONVERT: dict[str, Callable[[Column, list[Any]], tuple[Any, np.ndarray]]] = {
    "text": _text, "category": _category, "date": _date, "bool": _bool, "list": _list,
    "int": _int, "items": _items, "open": _items, "datetime": _datetime,
}


# -- the tables ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Built:
    """The typed frames before the analyses' joins (see :func:`kit.analytics.load_tables`)."""

    heads: pd.DataFrame  # one row per inspection, every head column
    results: pd.DataFrame
    findings: pd.DataFrame
    team: pd.DataFrame
    notices: pd.DataFrame
    products: pd.DataFrame
    licences: pd.DataFrame
    samples: pd.DataFrame
    reviews: pd.DataFrame  # the kept review rounds (R1, R2…), one row each
    extensions: pd.DataFrame  # the extensions (E1…), one row each
    skipped: tuple[tuple[str, str], ...]
    clauses: Mapping[str, Clause]  # the guide's clauses and the profiles' own items, by id


#: the steps :func:`build` counts through ``step`` (a progress bar's real steps)
BUILD_STEPS = 4


def build(rows: Sequence[tuple[str, str, str]],
          step: Callable[[], object] | None = None) -> Built:
    """Every table from the store's rows ``(inspection id, path, JSON)``, in one pass;
    ``step()`` is called after each of its :data:`BUILD_STEPS` stages (the values decoded, the
    inspections' own fields, the item results, the other collections)."""
    tick = step or (lambda: None)
    c = Coded(rows)
    tick()
    every = np.arange(c.n)
    heads = pd.DataFrame({"inspection_id": pd.array(c.ids, dtype="string")})
    for column in _head_columns():
        heads[column.name] = c.typed(column, c.head(column.path), every, column.path)
    tick()
    columns = _entry_columns()
    results, clauses = _results(c, heads, columns["results"])
    tick()
    keyed = {top: _entries(c, top, columns[top]) for top in KEYED if top != "results"}
    tick()
    samples = _samples(heads)
    skipped = tuple(sorted((str(c.ids[k]), why) for k, why in c.bad.items()))
    keep = ~np.isin(every, list(c.bad))
    order = heads[keep].assign(_at=np.flatnonzero(keep)).sort_values(
        ["start_date", "inspection_id"], na_position="last", kind="stable")
    rank = np.full(c.n, -1)
    rank[order["_at"].to_numpy()] = np.arange(len(order))

    def ordered(frame: pd.DataFrame, *by: str) -> pd.DataFrame:
        at = rank[frame["_ins"].to_numpy()]
        frame = frame[at >= 0].assign(_rank=at[at >= 0])
        if "inspection_id" not in frame:
            frame.insert(0, "inspection_id", pd.array(c.ids[frame["_ins"].to_numpy()],
                                                      dtype="string"))
        return frame.sort_values(["_rank", *by], kind="stable").drop(
            columns=["_rank", "_ins"]).reset_index(drop=True)

    return Built(
        heads=order.drop(columns="_at").reset_index(drop=True),
        results=ordered(results, "_order"),
        findings=ordered(keyed["findings"], "_order"),
        team=ordered(keyed["team"], "_order"),
        notices=ordered(keyed["notices"], "_order"),
        products=ordered(keyed["company/products"], "_order"),
        licences=ordered(keyed["company/licences"], "_order"),
        samples=ordered(samples, "row"),
        reviews=ordered(keyed["findings/reviews"], "_order"),
        extensions=ordered(keyed["findings/extensions"], "_order"),
        skipped=skipped,
        clauses=clauses,
    )


@dataclass(frozen=True)
class Parts:
    """Some typed frames, as :func:`build` gives them, from the rows of a few fields only
    (:func:`build_parts`): the inspections' named head columns and the named fields of the
    entries of some collections, each frame in :func:`build`'s order."""

    heads: pd.DataFrame
    entries: Mapping[str, pd.DataFrame]  # by collection (``findings``, ``company/products``)
    skipped: tuple[tuple[str, str], ...]
    clauses: Mapping[str, Clause]  # as Built's (the heads hold ``profile`` and ``sections``)


def build_parts(chunks: Iterable[Sequence[tuple[str, str, str]]], heads: Sequence[str],
                entries: Mapping[str, Sequence[str]]) -> Parts:
    """:func:`build`'s frames for the head columns named in ``heads`` and, for each
    collection of ``entries``, the fields named: the same values, types, defaults and order
    as :func:`build` gives from every row, at the price of the rows of these fields alone (no
    item results are made), read from the rows in ``chunks`` (each let go once coded). A
    value the model refuses leaves its inspection out as in :func:`build`; only the fields
    read are checked."""
    c = Coded(chunks, chunked=True)
    every = np.arange(c.n)
    named = set(heads) | {"start_date"}
    frame = pd.DataFrame({"inspection_id": pd.array(c.ids, dtype="string")})
    for column in _head_columns():
        if column.name in named:
            frame[column.name] = c.typed(column, c.head(column.path), every, column.path)
    columns = _entry_columns()
    keyed = {top: _entries(c, top, [col for col in columns[top] if col.name in set(fields)])
             for top, fields in entries.items()}
    keep = ~np.isin(every, list(c.bad))
    order = frame[keep].assign(_at=np.flatnonzero(keep)).sort_values(
        ["start_date", "inspection_id"], na_position="last", kind="stable")
    rank = np.full(c.n, -1)
    rank[order["_at"].to_numpy()] = np.arange(len(order))
    out = order.drop(columns="_at").reset_index(drop=True)
    clauses = (_checklists(out)[0] if {"profile", "sections"} <= set(out.columns) else
               {k.id: k for k in load_guide().clauses()})
    return Parts(out, {top: _ordered(f, rank, c.ids) for top, f in keyed.items()},
                 tuple(sorted((str(c.ids[k]), why) for k, why in c.bad.items())), clauses)


def _ordered(frame: pd.DataFrame, rank: np.ndarray, ids: np.ndarray) -> pd.DataFrame:
    """The entries of the inspections kept, in their inspections' order, then their own."""
    at = rank[frame["_ins"].to_numpy()]
    frame = frame[at >= 0].assign(_rank=at[at >= 0])
    frame.insert(0, "inspection_id", pd.array(ids[frame["_ins"].to_numpy()], dtype="string"))
    return frame.sort_values(["_rank", "_order"], kind="stable").drop(
        columns=["_rank", "_ins", "_order"]).reset_index(drop=True)


def _results(c: Coded, heads: pd.DataFrame, columns: Sequence[Column]
             ) -> tuple[pd.DataFrame, dict[str, Clause]]:
    """One row per checklist item in scope (every inspection's own checklist), its result.

    Items are in the guide's order, then the office's own items of its profiles (such as a
    sterile-products profile's extra checks) in the order the profiles give them."""
    clauses, groups = _checklists(heads)
    items = list(clauses)
    position = {item: k for k, item in enumerate(items)}
    ins = np.concatenate([np.repeat(at, len(ids)) for at, ids in groups] or
                         [np.array([], dtype=np.int64)]).astype(np.int64)
    item = np.concatenate([np.tile(np.array([position[i] for i in ids], dtype=np.int64),
                                   len(at)) for at, ids in groups] or
                          [np.array([], dtype=np.int64)]).astype(np.int64)
    width = len(items) + 1
    skeleton = pd.Index(ins * width + item)
    rows, owner, paths, leaf = c.entries("results")
    at = np.array([position.get(k, -1) for k in c.key], dtype=np.int64)[paths]
    entry = skeleton.get_indexer(owner * width + at)
    found = (entry >= 0) & (at >= 0)
    frame = _fill(c, "results", columns, rows[found], entry[found], leaf[found], ins,
                  np.asarray(items, dtype=object)[item])
    known = [clauses[i] for i in items]
    sections = vocabularies()["section"]
    section_codes = np.array([sections.index(k.parent_id) if k.parent_id in sections else -1
                              for k in known], dtype=np.int64)
    kinds = [k for k in ITEM_KINDS if any(c.kind == k for c in known)]
    kinds += sorted({c.kind for c in known}.difference(kinds))
    frame.insert(0, "section", coded(section_codes[item], sections))
    frame.insert(1, "item", coded(item, items))
    frame.insert(2, "kind", coded(np.array([kinds.index(c.kind) for c in known],
                                           dtype=np.int64)[item], kinds))
    labels = list(dict.fromkeys(c.label for c in known))
    frame.insert(3, "label", coded(np.array([labels.index(c.label) for c in known],
                                            dtype=np.int64)[item], labels))
    return frame.assign(_ins=ins, _order=item), clauses


def _checklists(heads: pd.DataFrame
                ) -> tuple[dict[str, Clause], list[tuple[np.ndarray, list[str]]]]:
    """The guide's clauses and the profiles' own items in scope, by id (the guide's first);
    and for each inspection's checklist (profile and sections), its inspections' rows in
    ``heads`` and its items in order."""
    clauses = {c.id: c for c in load_guide().clauses()}
    scope = pd.DataFrame({"profile": heads["profile"].astype(object).fillna("full"),
                          "sections": heads["sections"]})
    groups = []
    for (profile, sections), group in scope.groupby(["profile", "sections"], sort=False):
        checklist = items_in_scope(resolve_profile(str(profile)), cast(tuple[str, ...],
                                                                      sections))
        for clause in checklist:
            clauses.setdefault(clause.id, clause)
        groups.append((group.index.to_numpy(), list(dict.fromkeys(i.id for i in checklist))))
    return clauses, groups


def _entries(c: Coded, top: str, columns: Sequence[Column]) -> pd.DataFrame:
    """One row per entry of ``top`` (findings, team members, notices) of every inspection."""
    rows, owner, paths, leaf = c.entries(top)
    key_code, key_names = _factorize(c.key)  # per path, its entry's key
    width = max(len(key_names), 1)
    uniq, entry = np.unique(owner * width + key_code[paths], return_inverse=True)
    ins = (uniq // width).astype(np.int64)
    keys = key_names[uniq % width] if len(uniq) else np.array([], dtype=object)
    frame = _fill(c, top, columns, rows, entry.astype(np.int64), leaf, ins, keys)
    name = {"findings": "finding", "team": "member", "notices": "kind",
            "company/products": "product", "company/licences": "licence",
            "findings/reviews": "key", "findings/extensions": "extension"}[top]
    kinds = vocabularies()["notice"]
    if top in NESTED:  # F1/reviews/R1: the finding, then the entry's own key
        split = [str(k).split("/") for k in keys]
        frame.insert(0, "finding", pd.Series([p[0] for p in split], dtype="string"))
        frame.insert(1, name, pd.Series([p[-1] for p in split], dtype="string"))
    else:
        frame.insert(0, name, pd.Series(keys, dtype="string") if top != "notices" else
                     coded([kinds.index(k) if k in kinds else -1 for k in keys], kinds))
    ranks = {k: r for r, k in enumerate(sorted({str(k) for k in keys}, key=natural_key))}
    order = np.array([ranks[str(k)] for k in keys], dtype=np.int64)
    return frame.assign(_ins=ins, _order=order)


def _fill(c: Coded, top: str, columns: Sequence[Column], rows: np.ndarray, entry: np.ndarray,
          leaf: np.ndarray, owners: np.ndarray, keys: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(index=pd.RangeIndex(len(owners)))
    for column in columns:
        vidx = np.full(len(owners), -1, dtype=np.int64)
        here = leaf == c.leaf_of(column.path)
        vidx[entry[here]] = c.vcode[rows[here]]
        where = f"findings/*/{column.path}" if top in NESTED else f"{top}/*/{column.path}"
        frame[column.name] = c.typed(column, vidx, owners, where, keys)
    return frame


def _samples(heads: pd.DataFrame) -> pd.DataFrame:
    """One row per sampled record (九): the draw's seed and date, then the record's columns."""
    parts: list[dict[str, Any]] = []
    owners: list[int] = []
    numbers: list[int] = []
    for k, rows in enumerate(heads["sample_rows"]):
        if rows:
            parts.extend(rows)
            owners.extend([k] * len(rows))
            numbers.extend(range(1, len(rows) + 1))
    records = pd.DataFrame.from_records(parts) if parts else pd.DataFrame()
    records = records.astype("string") if len(records.columns) else records
    # a register's own column may bear a name of the draw's (row, seed…): keep both
    records = records.rename(columns={k: f"record_{k}" for k in records.columns
                                      if k in ("inspection_id", "seed", "inspection_date",
                                               "row", "_ins")})
    owner = np.array(owners, dtype=np.int64)
    front = pd.DataFrame({
        "inspection_id": pd.array(heads["inspection_id"].to_numpy()[owner], dtype="string"),
        "seed": pd.array(heads["seed"].to_numpy()[owner], dtype="Int64"),  # none if not drawn
        "inspection_date": heads["sample_date"].to_numpy()[owner] if len(owner) else
        np.array([], dtype="datetime64[us]"),
        "row": np.array(numbers, dtype=np.int64)})
    return pd.concat([front, records.reset_index(drop=True)], axis=1).assign(_ins=owner)


def rows_of(docs: Iterable[tuple[str, dict[str, Any]]]) -> list[tuple[str, str, str]]:
    """``(id, document)`` pairs as the store's rows (what :func:`build` reads)."""
    return [(iid, path, canonical_json(value))
            for iid, doc in docs for path, value in flatten(doc).items()]
