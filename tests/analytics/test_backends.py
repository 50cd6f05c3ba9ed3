"""The analysts' tables are the same in any environment: pandas 2.2 or 3, with pyarrow or without.

pandas 3 stores text with pyarrow when pyarrow is installed (and pandas 2.2 does when told to);
an analyst's numbers, types and exports must not depend on it. These tests run as they are in
every environment CI has (the main one, and `.ci/run`'s venv with pandas 3 and pyarrow) and
assert the same logical types there; the last ones run only where pyarrow is installed and build
every table both ways in one process.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, replace

import pandas as pd
import pytest

from kit.analytics import (
    DEFAULT_END,
    SAMPLE_COLUMNS,
    Tables,
    demo_inspections,
    export_excel,
    load_tables,
    read_export,
    report_tables,
    tables_of,
)
from kit.door import Door, Identity
from kit.record import Member
from kit.store import Store
from tests.analytics.test_tables import HISTORY

PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3
#: the tables of :class:`Tables` (``skipped`` is not a table)
TABLES = tuple(f.name for f in fields(Tables) if f.name != "skipped")


def logical_type(column: pd.Series) -> str:
    """What a column holds for an analyst, whatever pandas stores it with: text, category,
    integer, float, boolean, date, datetime, period or list. ``string`` stored in Python or
    in pyarrow is text either way; ``int64`` and ``Int64`` are integers. ``datetime64`` holds
    both dates (at midnight) and times, so the values tell them apart; an ``object`` column is a
    list when every value is a tuple, else it is not one of the tables' types."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if isinstance(dtype, pd.PeriodDtype):
        return "period"
    if isinstance(dtype, pd.StringDtype):
        return "text"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        days = column.dropna()
        zoned = getattr(dtype, "tz", None) is not None
        return "datetime" if zoned or (days != days.dt.normalize()).any() else "date"
    if pd.api.types.is_object_dtype(dtype) and len(column) and all(
            isinstance(v, tuple) for v in column):
        return "list"
    return f"unexpected {dtype}"


def _spec(**groups: str) -> dict[str, str]:
    return {column: kind for kind, columns in groups.items() for column in columns.split()}


#: every column of every table and analysis the export holds, by its logical type
EXPECTED = {
    "inspections": _spec(
        text="inspection_id company credit_code principal profile leader verdict_scheme "
             "verdict_reason communicated_with",
        category="role role_zh type type_zh cooperation stage stage_zh verdict verdict_zh "
                 "proposed_verdict proposed_verdict_zh",
        boolean="unannounced remote notify_outside",
        date="start_date end_date decided_on communicated_on report_to_both_on "
             "advance_report_on",
        period="quarter", list="sections inspectors", integer="n_sections n_findings"),
    "results": _spec(text="result_key inspection_id notes evidence inspector",
                     category="section item kind label result result_zh", list="means"),
    "findings": _spec(
        text="finding_key inspection_id finding item_label description requirement evidence reviewer "
             "basis corrected_by warning_channel case_number transferred_to company "
             "credit_code",
        category="item section grade grade_zh handling handling_zh state state_zh "
                 "review_mode production production_zh type",
        boolean="needs_deadline extended affects_past_products",
        date="deadline due submitted_on reviewed_on warning_on transferred_on start_date",
        datetime="corrected_at"),
    "samples": _spec(text="sample_key inspection_id batch product reason record_date record_id "
                          "record_type rules",
                     integer="seed row", date="inspection_date"),
    "follow_ups": _spec(text="inspection_id reviewer note",
                        date="submitted_on reviewed_on closed_on", category="review_mode",
                        list="measures measures_zh"),
    "team": _spec(text="member_key inspection_id member name user authority", category="role",
                  list="sections"),
    "notices": _spec(text="notice_key inspection_id number received_by note", category="kind",
                     date="issued_on served_on", boolean="refused", list="witnesses"),
    "products": _spec(text="product_key inspection_id product name registration_no category_code",
                      category="certificate device_class", boolean="sterile in_scope"),
    "licences": _spec(text="licence_key inspection_id licence number", category="kind",
                      date="issued expires"),
    "reviews": _spec(text="review_key finding_key inspection_id finding evidence reviewer note", integer="round",
                     boolean="kept", date="submitted_on reviewed_on",
                     category="mode mode_zh result result_zh"),
    "extensions": _spec(text="extension_key finding_key inspection_id finding extension reason approved_by",
                        date="previous_deadline new_deadline approved_on"),
    "measures": _spec(text="company credit_code measure measure_zh clause reason also_zh",
                      integer="n_inspections n_findings n_repeat_items n_overdue "
                              "max_overdue_workdays n_late",
                      date="last_inspection"),
    "overdue": _spec(text="company inspection_id finding item_label status status_zh",
                     date="start_date deadline due submitted_on",
                     category="item section handling_zh", boolean="extended estimated",
                     integer="workdays_overdue"),
    "repeats": _spec(text="company label dates inspections", category="key",
                     integer="n_inspections n_findings", date="first_found last_found"),
    "trends": _spec(period="quarter", integer="n_inspections n_findings n_to_rectify n_overdue",
                    float="findings_per_inspection overdue_rate"),
    "by_quarter_section": _spec(period="quarter", category="section", text="label title_zh",
                                integer="n_findings n_inspections",
                                float="findings_per_inspection"),
    "workload": _spec(text="inspector", period="quarter",
                      integer="n_inspections n_led days_on_site n_items_recorded "
                              "n_findings_in_sections"),
    "by_section": _spec(text="section label title_zh title_en",
                        integer="n_findings n_inspections", float="findings_per_inspection"),
    "by_company": _spec(text="company credit_code", integer="n_inspections n_findings",
                        date="last_inspection", float="findings_per_inspection"),
    "by_type": _spec(text="type type_zh", integer="n_inspections n_findings",
                     float="findings_per_inspection"),
}


def every_table(tables: Tables) -> dict[str, pd.DataFrame]:
    """The tables and every analysis of the export, by name."""
    return {**report_tables(tables, DEFAULT_END),
            **{name: getattr(tables, name) for name in TABLES}}


@pytest.fixture(scope="module")
def records():
    """Forty demo inspections of ten companies: every kind of table has rows."""
    return demo_inspections(40, 10, seed=3)


def test_every_column_has_the_same_logical_type_in_any_environment(records):
    got = every_table(tables_of(records))
    assert set(got) == set(EXPECTED)
    for name, frame in got.items():
        assert len(frame), name  # a type read off an empty column would prove nothing
        types = {column: logical_type(frame[column]) for column in frame.columns}
        assert types == EXPECTED[name], name


def test_text_is_string_with_na_for_missing_in_every_table(records):
    for name, frame in every_table(tables_of(records)).items():
        for column in frame.columns:
            if logical_type(frame[column]) == "text":
                assert frame[column].dtype.na_value is pd.NA, (name, column)


def test_multi_valued_fields_are_tuples_of_text_and_every_inspector_is_kept(records):
    t = tables_of(records)
    for name, frame in every_table(t).items():
        for column in frame.columns:
            if logical_type(frame[column]) == "list":
                assert all(isinstance(x, str) for value in frame[column] for x in value), (
                    name, column)
    team = t.team.dropna(subset=["name"])
    for iid, inspectors in zip(t.inspections["inspection_id"], t.inspections["inspectors"],
                               strict=True):
        assert inspectors == tuple(team.loc[team["inspection_id"] == iid, "name"])
    assert sum(map(len, t.inspections["inspectors"])) == len(team) > 0
    exploded = t.inspections.explode("inspectors").dropna(subset=["inspectors"])
    assert len(exploded) == len(team)
    assert t.inspections["sections"].value_counts().sum() == len(t.inspections)  # hashable


def test_the_export_reads_back_every_table_as_it_was(records, tmp_path):
    t = tables_of(records)
    back = read_export(export_excel(t, tmp_path / "a.xlsx", today=DEFAULT_END))
    assert set(back) == set(EXPECTED) | {"dictionary"}  # every table, products and licences too
    for name, frame in every_table(t).items():
        # an empty text comes back missing, as Excel holds it (the measures' "none" is "")
        pd.testing.assert_frame_equal(back[name], frame.replace("", pd.NA), obj=name)
        assert {c: logical_type(back[name][c]) for c in back[name].columns} == EXPECTED[name]


# -- where pyarrow is installed: every table built with text in pyarrow and without ---------------
@contextmanager
def string_storage(storage: str) -> Iterator[None]:
    """Text stored in ``"pyarrow"`` or ``"python"``: pandas 3 stores both ``str`` and
    ``string`` as ``mode.string_storage`` says; pandas 2 infers ``str`` only when told."""
    options: list[object] = ["mode.string_storage", storage]
    if not PANDAS_3:
        options += ["future.infer_string", storage == "pyarrow"]
    with pd.option_context(*options):
        yield


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """The values as Python objects: text, categories and missing values alike whatever
    stored them (logical types are compared on their own)."""
    out = frame.astype(object).where(frame.notna(), None)
    out.columns = pd.Index(list(frame.columns), dtype=object)
    return out


def test_with_pyarrow_every_table_is_the_same_as_without(records, tmp_path):
    pytest.importorskip("pyarrow")
    with string_storage("python"):
        plain = every_table(tables_of(records))
    with string_storage("pyarrow"):
        arrow = every_table(tables_of(records))
        exported = read_export(export_excel(tables_of(records), tmp_path / "arrow.xlsx",
                                            today=DEFAULT_END))
    stored = {str(frame[c].dtype.storage) for frame in arrow.values() for c in frame.columns
              if isinstance(frame[c].dtype, pd.StringDtype)}
    assert stored == {"pyarrow"}  # the text really was in pyarrow
    assert set(plain) == set(arrow)
    for name in plain:
        a, b = plain[name], arrow[name]
        assert list(a.columns) == list(b.columns), name
        assert {c: logical_type(a[c]) for c in a.columns} == {
            c: logical_type(b[c]) for c in b.columns}, name
        for c in a.columns:
            if isinstance(a[c].dtype, pd.CategoricalDtype):
                assert list(a[c].cat.categories) == list(b[c].cat.categories), (name, c)
                assert a[c].cat.ordered == b[c].cat.ordered, (name, c)
        pd.testing.assert_frame_equal(_comparable(a), _comparable(b), obj=name)
    for name, frame in exported.items():
        if name != "dictionary":
            pd.testing.assert_frame_equal(frame, arrow[name].replace("", pd.NA),
                                          obj=f"{name} from Excel")


@pytest.mark.parametrize("storage", ["pyarrow", "python"])
def test_with_pyarrow_every_table_writes_to_parquet(records, storage, tmp_path):
    pytest.importorskip("pyarrow")
    with string_storage(storage):
        tables = every_table(tables_of(records))
        empty = every_table(load_tables(Door(Store(data_dir=tmp_path))))
    for name, frame in [*tables.items(), *((f"empty {n}", f) for n, f in empty.items())]:
        buffer = io.BytesIO()
        frame.to_parquet(buffer)
        back = pd.read_parquet(io.BytesIO(buffer.getvalue()))
        assert list(back.columns) == list(frame.columns), name
        assert len(back) == len(frame), name
        for column in frame.columns:
            if len(frame) and logical_type(frame[column]) == "list":
                assert [tuple(v) for v in back[column]] == list(frame[column]), (name, column)


def test_a_team_named_in_the_store_is_read_back_with_its_inspectors(tmp_path):
    """The reported failure: with pyarrow every inspection's ``inspectors`` was ``()``."""
    first = replace(HISTORY[0], team={"M1": Member(name="赵磊", role="leader"),
                                      "M2": Member(name="钱敏", role="inspector")})
    with Store(data_dir=tmp_path) as store:
        Door(store, Identity("分析")).create(first)
        tables = load_tables(Door(store))
    assert tables.inspections.loc[0, "inspectors"] == ("赵磊", "钱敏")
    assert tables.inspections.loc[0, "leader"] == "赵磊"


def test_the_logical_type_of_a_column():
    # the helper tells a date column from a time column by its values, not by its name
    days = pd.Series(pd.to_datetime(["2026-03-02", None]))
    moments = pd.Series(pd.to_datetime(["2026-03-02 09:30", None]))
    assert (logical_type(days), logical_type(moments)) == ("date", "datetime")
    assert logical_type(pd.Series([("a",), ()], dtype=object)) == "list"
    assert logical_type(pd.Series([["a"], ()], dtype=object)).startswith("unexpected")
    assert logical_type(pd.Series(["a", None], dtype="string")) == "text"


def test_an_empty_store_gives_every_table_and_analysis_with_its_columns_and_types(records):
    """An analyst's code written against a full store runs on an empty one: the same columns,
    each of the same dtype (an empty frame of ``object`` columns breaks ``.dt`` and sums).
    Only the sampled records' own columns (each register's) and the categories of a checklist
    item column (the items of the profiles in use) depend on what the store holds."""
    full = every_table(tables_of(records))
    empty = every_table(tables_of([]))
    for name, frame in empty.items():
        expected = full[name][list(SAMPLE_COLUMNS)] if name == "samples" else full[name]
        assert list(frame.columns) == list(expected.columns), name
        for column in frame.columns:
            got, want = frame[column].dtype, expected[column].dtype
            if isinstance(want, pd.CategoricalDtype) and column in ("item", "label", "kind"):
                assert isinstance(got, pd.CategoricalDtype), (name, column)
            else:
                assert got == want, (name, column)
