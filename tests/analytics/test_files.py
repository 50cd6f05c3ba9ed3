"""The analysts' tables in any tool: `kit tables` and write_tables (Parquet, CSV, Excel), the data
dictionary beside them and in the docs, the tables' keys and zoned times, SQL with DuckDB."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import kit.frames
from kit.analytics import (
    DEFAULT_END,
    KEYS,
    TABLE_NAMES,
    data_dictionary,
    demo_inspections,
    describe,
    dictionary_markdown,
    export_excel,
    read_export,
    read_tables,
    tables_of,
    write_tables,
)
from kit.cli import main
from kit.door import Door, Identity
from kit.errors import KitError
from kit.store import Store
from tests.analytics.test_backends import EXPECTED, every_table, logical_type

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tables():
    """Forty demo inspections of ten companies: every table has rows, times and lists."""
    return tables_of(demo_inspections(40, 10, seed=3))


@pytest.fixture(scope="module")
def store(tmp_path_factory, tables):
    folder = tmp_path_factory.mktemp("office")
    with Store(data_dir=folder) as s:
        for ins in demo_inspections(12, 4, seed=5):
            Door(s, Identity("分析")).create(ins)
    return folder


# -- the dictionary -----------------------------------------------------------------------------
def test_every_column_of_every_table_is_in_the_dictionary_and_nothing_stale_is(tables):
    docs = data_dictionary()
    frames = every_table(tables)
    assert set(docs) == set(frames)
    for name, frame in frames.items():
        doc = docs[name]
        listed = [f.name for f in doc.fields if f.name != "*"]
        wild = any(f.name == "*" for f in doc.fields)
        got = list(frame.columns)
        # every column listed is in the table, in its order; a sampled record's own columns
        # (the register's: they vary) are the table's only ones left to the "*" entry
        assert got[:len(listed)] == listed, name
        assert wild or got == listed, name
        for column in got:
            f = doc.field(column)
            assert f.type == logical_type(frame[column]) == EXPECTED[name][column], (name, column)
            assert all((f.zh, f.en, f.source)), (name, column)
        assert {k.strip() for k in doc.key.split(",")} <= set(got), name


def test_each_tables_key_names_one_row_and_includes_its_inspection(tables):
    for name in TABLE_NAMES:
        frame = getattr(tables, name)
        key = KEYS[name]
        assert data_dictionary()[name].key == key
        assert frame[key].notna().all(), name
        assert frame[key].is_unique, name
        assert frame.columns[0] == key or key == "inspection_id", name
        if key != "inspection_id":
            assert all(str(k).startswith(f"{i}/") for k, i in
                       zip(frame[key], frame["inspection_id"], strict=True)), name
    f = tables.findings
    assert (f["finding_key"] == f["inspection_id"] + "/" + f["finding"]).all()
    # the same finding id in two inspections: two keys
    assert f["finding"].duplicated().any()
    assert f["finding_key"].is_unique
    r = tables.reviews
    assert (r["review_key"] == r["finding_key"] + "/R" + r["round"].astype(str)).all()
    assert set(r["finding_key"]) <= set(f["finding_key"])
    e = tables.extensions
    assert (e["extension_key"] == e["finding_key"] + "/" + e["extension"]).all()


def test_the_dictionary_states_units_sources_and_clauses():
    docs = data_dictionary()
    overdue = docs["overdue"].field("workdays_overdue")
    assert (overdue.unit, overdue.type) == ("工作日", "integer")
    assert docs["findings"].field("deadline").source == "findings/*/deadline"
    assert docs["findings"].field("handling").clause == "十、1"
    assert docs["follow_ups"].field("measures").clause == "十、3"
    assert "Beijing" in docs["findings"].field("corrected_at").en
    with pytest.raises(KitError, match="nope"):
        describe(tables=["nope"])


def test_the_committed_docs_page_is_current():
    page = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert page == dictionary_markdown(), (
        "docs/data-dictionary.md is stale: kit tables --describe --markdown > "
        "docs/data-dictionary.md")
    for doc in data_dictionary().values():
        assert f"`{doc.name}`" in page
        assert all(f"`{f.name}`" in page for f in doc.fields)


# -- the files ----------------------------------------------------------------------------------
def test_csv_is_utf8_with_a_bom_with_the_dictionary_beside_it(tables, tmp_path):
    written = write_tables(tables, tmp_path, "csv")
    assert {p.name for p in written} == {f"{n}.csv" for n in TABLE_NAMES} | {
        "dictionary.csv", "dictionary.json"}
    raw = (tmp_path / "findings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 (and so Chinese) by its BOM
    with (tmp_path / "findings.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(tables.findings)
    assert rows[0]["company"] == tables.findings["company"].iloc[0]
    at = tables.findings["corrected_at"].dropna().iloc[0]
    assert at.strftime("%Y-%m-%d %H:%M:%S+08:00") in {r["corrected_at"] for r in rows}
    with (tmp_path / "inspections.csv").open(encoding="utf-8-sig", newline="") as f:
        first = next(csv.DictReader(f))
    assert first["inspectors"] == "；".join(tables.inspections["inspectors"].iloc[0])
    described = pd.read_csv(tmp_path / "dictionary.csv", encoding="utf-8-sig")
    assert len(described) == sum(len(getattr(tables, n).columns) for n in TABLE_NAMES)
    schema = json.loads((tmp_path / "dictionary.json").read_text(encoding="utf-8"))
    findings = schema["tables"]["findings"]
    assert findings["primaryKey"] == ["finding_key"]
    fields = {f["name"]: f for f in findings["fields"]}
    assert fields["corrected_at"]["zone"] == "Asia/Shanghai"
    assert fields["section"]["categories"][:2] == ["7.1", "7.2"]


def test_the_workbook_holds_every_table_and_the_dictionary_and_reads_back(tables, tmp_path):
    write_tables(tables, tmp_path, "xlsx")
    book = openpyxl.load_workbook(tmp_path / "tables.xlsx", read_only=True)
    assert "数据字典" in book.sheetnames
    assert "产品" in book.sheetnames
    book.close()
    back = read_tables(tmp_path)
    assert set(back) == set(TABLE_NAMES)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(back[name], getattr(tables, name), obj=name)


def test_parquet_keeps_every_type(tables, tmp_path):
    pytest.importorskip("pyarrow")
    write_tables(tables, tmp_path, "parquet")
    back = read_tables(tmp_path)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(back[name], getattr(tables, name), obj=name)
    plain = pd.read_parquet(tmp_path / "results.parquet")  # any reader: categories in order
    assert list(plain["section"].cat.categories[:3]) == ["7.1", "7.2", "7.3"]
    assert plain["section"].cat.ordered
    assert str(pd.read_parquet(tmp_path / "findings.parquet")["corrected_at"].dtype) == \
        "datetime64[us, Asia/Shanghai]"


def test_parquet_of_an_empty_store_keeps_its_columns(tmp_path):
    pytest.importorskip("pyarrow")
    from kit.analytics import load_tables

    empty = load_tables(Door(Store(data_dir=tmp_path / "empty")))
    write_tables(empty, tmp_path / "out", "parquet")
    back = read_tables(tmp_path / "out")
    for name in TABLE_NAMES:
        assert list(back[name].columns) == list(getattr(empty, name).columns), name
        assert len(back[name]) == 0


def test_parquet_without_pyarrow_is_refused_naming_the_package(tables, tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(KitError, match=r"pyarrow.*bj-inspection-kit\[tables\]"):
        write_tables(tables, tmp_path / "out", "parquet")
    assert not (tmp_path / "out").exists()  # nothing written


# -- Excel, honestly ------------------------------------------------------------------------------
def test_a_table_longer_than_a_sheet_goes_on_over_sheets_and_reads_back_whole(
        tables, tmp_path, monkeypatch):
    monkeypatch.setattr(kit.frames, "MAX_ROWS", 31)  # 30 rows and the header a sheet
    path = export_excel(tables, tmp_path / "a.xlsx", today=DEFAULT_END)
    book = openpyxl.load_workbook(path, read_only=True)
    n = len(tables.findings)
    parts = [t for t in book.sheetnames if re.fullmatch(r"问题( \(\d+\))?", t)]
    assert parts == ["问题", *(f"问题 ({k})" for k in range(2, -(-n // 30) + 1))]
    assert [c.value for c in next(book["问题 (2)"].iter_rows(max_row=1))][:2] == [
        "finding_key", "inspection_id"]  # each part has its header
    book.close()
    back = read_export(path)
    pd.testing.assert_frame_equal(back["findings"], tables.findings)
    pd.testing.assert_frame_equal(back["results"], tables.results)


def test_times_are_beijing_wall_time_in_excel_and_zoned_again_when_read(tables, tmp_path):
    path = export_excel(tables, tmp_path / "a.xlsx", today=DEFAULT_END)
    f = tables.findings
    at = f["corrected_at"].dropna()
    assert str(at.dt.tz) == "Asia/Shanghai"
    row = int(at.index[0]) + 2
    sheet = openpyxl.load_workbook(path)["问题"]
    column = [c.value for c in sheet[1]].index("corrected_at") + 1
    assert sheet.cell(row, column).value == at.iloc[0].tz_localize(None).to_pydatetime()
    back = read_export(path)["findings"]["corrected_at"]
    pd.testing.assert_series_equal(back, f["corrected_at"])
    dictionary = read_export(path)["dictionary"].set_index(["table", "column"])
    assert "Beijing" in dictionary.loc[("findings", "corrected_at"), "en"]


def test_empty_text_and_missing_both_come_back_missing(tables, tmp_path):
    frame = pd.DataFrame({"text": pd.array(["有", "", None], dtype="string"),
                          "plain": pd.Series(["a", "", None], dtype=object)})
    back = read_export(kit.frames.write_frames({"t": frame}, tmp_path / "t.xlsx"))["t"]
    assert back["text"].tolist() == ["有", pd.NA, pd.NA]
    assert back["plain"].tolist() == ["a", pd.NA, pd.NA]
    # the suggested measures, whose "nothing" is "": read back, it is missing, nothing else
    back = read_export(export_excel(tables, tmp_path / "a.xlsx", today=DEFAULT_END))
    measures = every_table(tables)["measures"]
    pd.testing.assert_frame_equal(back["measures"], measures.replace("", pd.NA),
                                  obj="measures")


def test_every_table_and_analysis_is_exported(tables, tmp_path):
    back = read_export(export_excel(tables, tmp_path / "a.xlsx", today=DEFAULT_END))
    assert set(back) == set(EXPECTED) | {"dictionary"}
    described = back["dictionary"]
    for name, frame in every_table(tables).items():
        assert list(described.loc[described["table"] == name, "column"]) == list(
            frame.columns), name


# -- the command ----------------------------------------------------------------------------------
def test_kit_tables_writes_the_store_s_tables(store, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["tables", "--out", str(out), "--format", "csv", "--data-dir",
                 str(store)]) == 0
    said = capsys.readouterr().out
    assert "findings.csv" in said
    assert "dictionary.json" in said
    with (out / "inspections.csv").open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == 12


def test_kit_tables_refuses_what_it_cannot_do(store, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["tables", "--out", str(blocker), "--format", "csv", "--data-dir",
                 str(store)]) == 2
    assert "不是文件夹" in capsys.readouterr().err
    assert main(["tables", "--data-dir", str(store)]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["tables", "--describe", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


def test_kit_tables_describe(capsys):
    assert main(["tables", "--describe", "findings"]) == 0
    said = capsys.readouterr().out
    assert "finding_key" in said
    assert "findings/*/deadline" in said
    assert "十、1" in said
    assert "inspections" not in said.split("\n")[0]
    assert main(["tables", "--describe", "--markdown"]) == 0
    assert capsys.readouterr().out == dictionary_markdown()


# -- SQL ----------------------------------------------------------------------------------------
def _readme_query() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- the DuckDB example: tests/analytics/test_files.py runs this query -->",
                       1)[1]
    return block.split("```sql", 1)[1].split("```", 1)[0]


def test_the_readme_s_duckdb_query_runs_and_agrees_with_pandas(tables):
    duckdb = pytest.importorskip("duckdb")
    from kit.analytics import duckdb_views

    con = duckdb.connect()
    assert duckdb_views(con, tables) == list(TABLE_NAMES)
    got = con.sql(_readme_query()).df()
    f = tables.findings
    sections = [s for s in f["section"].cat.categories if s in set(f["section"].dropna())]
    assert [str(s) for s in got["section"].dropna()] == sections  # 7.10 after 7.9
    by = got.dropna(subset=["section"]).set_index(got["section"].dropna().astype(str))
    per = f.groupby("section", observed=True)
    for s in sections:
        assert by.loc[s, "n_findings"] == per.size()[s]
        assert by.loc[s, "n_extended"] == per["extended"].sum()[s]
        keys = set(f.loc[f["section"] == s, "finding_key"])
        assert by.loc[s, "n_rounds"] == tables.reviews["finding_key"].isin(keys).sum()
    zoned = con.sql("SELECT corrected_at FROM findings WHERE corrected_at IS NOT NULL "
                    "ORDER BY finding_key LIMIT 1").fetchall()[0][0]
    first = f.dropna(subset=["corrected_at"]).sort_values("finding_key")["corrected_at"].iloc[0]
    assert zoned == first.to_pydatetime()  # the same moment, with its zone
    assert con.sql("SELECT count(*) FROM (SELECT unnest(inspectors) FROM inspections)"
                   ).fetchall()[0][0] == sum(map(len, tables.inspections["inspectors"]))
