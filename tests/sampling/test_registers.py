"""kit.sampling's registers: reading the records, products and documents registers, and writing tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from kit.errors import ValidationError
from kit.resources import shipped_dir
from kit.sampling import (
    load_registers,
    normalize_register,
    parse_dates,
    read_register,
    write_tables,
)
from tests.conftest import data_file

SAMPLE = shipped_dir("sample_data") / "registers"


def fixture(name: str) -> Path:
    """A register file under tests/data/sampling/ (written by make_fixtures.py there)."""
    path = data_file("sampling", name)
    if not path.exists():
        msg = f"missing test fixture {path}"
        raise FileNotFoundError(msg)
    return path


def problems(exc: pytest.ExceptionInfo[ValidationError]) -> dict[tuple[str, int | None], str]:
    """The problems of a ValidationError as {(code, row): column}."""
    return {(p.code, p.row): p.column for p in exc.value.problems}


def write_csv(tmp_path: Path, text: str, name: str = "records.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


RECORDS_CSV = "记录编号,记录类型,产品,批号,记录日期\nR1,采购记录,口罩,K1,2026-03-05\nR2,采购记录,口罩,K2,2026-03-06\n"


# -- dates ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "2026 年 3 月 5 号", "2026-3-5",
    "20260305", "２０２６－０３－０５", "2026-03-05 14:30:00", "2026-03-05T08:00", " 2026/03/05 ",
    46086, 46086.75, "46086",
])
def test_parse_dates_reads_every_common_form(text: object) -> None:
    assert parse_dates([text]).iloc[0] == pd.Timestamp("2026-03-05")


@pytest.mark.parametrize("text", ["3/5/2026", "26-3-5", "2026-02-30", "2026-13-01", "soon",
                                  "2026-03/05", "", None, True])
def test_parse_dates_refuses_what_it_cannot_read_for_sure(text: object) -> None:
    assert pd.isna(parse_dates([text]).iloc[0])


def test_parse_dates_keeps_the_index_and_passes_datetimes_through() -> None:
    values = pd.Series(pd.to_datetime(["2026-03-05 10:00", None]), index=[7, 9])
    out = parse_dates(values)
    assert out.index.tolist() == [7, 9]
    assert out.dtype == "datetime64[ns]"
    assert out.iloc[0] == pd.Timestamp("2026-03-05")
    assert pd.isna(out.iloc[1])


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_parse_dates_round_trips_every_form(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    forms = [day.isoformat(), f"{day.year}/{day.month}/{day.day}",
             f"{day.year}.{day.month}.{day.day}", f"{day.year}年{day.month}月{day.day}日",
             day.strftime("%Y%m%d"), serial, str(serial)]
    parsed = parse_dates(forms)
    assert (parsed == pd.Timestamp(day)).all()


# -- reading -------------------------------------------------------------------------------
def test_csv_with_chinese_headers_is_typed_and_numbered_as_excel_shows_it(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "记录编号,记录类型,产品,批号,记录日期,结论,下限,上限,测量值,备注\n"
                     "R1,出厂检验记录,口罩,K1,2026/3/5,合格,95,,98.5,first\n"
                     "R2,出厂检验记录,口罩,K1,2026年3月6日,不符合,95,,93.0,\n")
    reg = read_register(path, "records")
    frame = reg.frame
    assert list(frame.index) == [2, 3]  # the header is row 1
    assert frame["record_date"].tolist() == [pd.Timestamp("2026-03-05"), pd.Timestamp("2026-03-06")]
    assert frame["conclusion"].tolist() == ["合格", "不合格"]
    assert frame["测量值"].dtype == "float64"  # an extra numeric column is measured data
    assert frame["备注"].tolist()[0] == "first"
    assert pd.isna(frame["备注"].iloc[1])
    assert frame["upper"].isna().all()
    assert frame["lower"].tolist() == [95.0, 95.0]


def test_workbook_title_rows_blank_rows_sheet_choice_and_formula_text() -> None:
    reg = read_register(fixture("records_titled.xlsx"), "records")
    assert reg.sheet == "记录"  # the sheet named after the register, not the first one
    frame = reg.frame
    assert list(frame.index) == [4, 5, 7, 8, 9, 10]  # rows as Excel shows them
    assert (frame["record_date"] == pd.Timestamp("2026-03-05")).all()  # six ways to write it
    assert frame.loc[9, "condition"] == "=1+1"  # text stays text, never evaluated
    assert pd.isna(frame.loc[7, "condition"])


def test_every_bad_cell_is_reported_with_file_sheet_row_and_column() -> None:
    with pytest.raises(ValidationError) as exc:
        read_register(fixture("records_bad.xlsx"), "records")
    found = problems(exc)
    assert found == {
        ("bad_date", 3): "记录日期 (E)",
        ("bad_number", 4): "测量值 (H)",
        ("bad_conclusion", 5): "结论 (G)",
        ("missing_value", 6): "记录类型 (B)",
        ("duplicate_id", 7): "记录编号 (A)",
        ("bad_range", 8): "上限 (J)",
    }
    assert all(p.file == "records_bad.xlsx" and p.sheet == "记录" for p in exc.value.problems)
    dup = next(p for p in exc.value.problems if p.code == "duplicate_id")
    assert "第 2 行" in dup.message
    assert "row 2" in dup.message_en
    assert "nothing was applied" in str(exc.value)


def test_english_headers_in_gb18030_are_read() -> None:
    frame = read_register(fixture("records_gb18030.csv"), "records").frame
    assert frame["product"].tolist() == ["体温计", "体温计"]
    assert frame["record_date"].tolist() == [pd.Timestamp("2026-03-05"), pd.Timestamp("2026-03-06")]


def test_column_map_takes_other_names_either_way_round(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "单据号,类别,品名,批次,日期\nX1,采购记录,口罩,K1,2026-03-05\n")
    column_map = {"单据号": "record_id", "类别": "record_type", "品名": "product",
                  "batch": "批次"}  # the last one written canonical -> header
    frame = read_register(path, "records", column_map=column_map).frame
    assert frame.loc[2, "record_id"] == "X1"
    assert frame.loc[2, "batch"] == "K1"


def test_a_bad_column_map_entry_is_reported(tmp_path: Path) -> None:
    path = write_csv(tmp_path, RECORDS_CSV)
    with pytest.raises(ValidationError) as exc:
        read_register(path, "records", column_map={"单据号": "receipt"})
    assert [p.code for p in exc.value.problems] == ["bad_column_map"]


def test_tab_and_semicolon_separated_files_are_read(tmp_path: Path) -> None:
    for sep in ("\t", ";"):
        path = write_csv(tmp_path, RECORDS_CSV.replace(",", sep), f"r{ord(sep)}.csv")
        assert read_register(path, "records").frame["batch"].tolist() == ["K1", "K2"]


@pytest.mark.parametrize(("content", "code"), [
    ("", "empty_file"),
    ("\n\n", "empty_file"),
    ("记录编号,记录类型,产品,批号,记录日期\n", "no_data_rows"),
    ("记录编号,产品,批号\nR1,口罩,K1\n", "missing_column"),
    ("记录编号,record_id,记录类型,产品,批号,记录日期\nR1,R1,采购记录,口罩,K1,2026-03-05\n",
     "duplicate_column"),
])
def test_files_that_cannot_be_a_register(tmp_path: Path, content: str, code: str) -> None:
    path = write_csv(tmp_path, content)
    with pytest.raises(ValidationError) as exc:
        read_register(path, "records")
    assert code in {p.code for p in exc.value.problems}


def test_missing_columns_are_all_listed_at_once(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "记录编号,产品\nR1,口罩\n")
    with pytest.raises(ValidationError) as exc:
        read_register(path, "records")
    assert {p.column for p in exc.value.problems} == {"记录类型", "批号", "记录日期"}


def test_unknown_files_formats_and_sheets(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="file_not_found"):
        read_register(tmp_path / "nope.csv", "records")
    (tmp_path / "r.json").write_text("{}")
    with pytest.raises(ValidationError, match="unsupported_format"):
        read_register(tmp_path / "r.json", "records")
    with pytest.raises(ValidationError, match="unknown_sheet"):
        read_register(fixture("records_titled.xlsx"), "records", sheet="没有")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(ValidationError, match="unreadable_file"):
        read_register(tmp_path / "broken.xlsx", "records")


def test_a_register_above_the_row_limit_is_refused_whole(tmp_path: Path) -> None:
    rows = "".join(f"R{i},采购记录,口罩,K1,2026-03-05\n" for i in range(30))
    path = write_csv(tmp_path, "记录编号,记录类型,产品,批号,记录日期\n" + rows)
    with pytest.raises(ValidationError, match="too_many_rows"):
        read_register(path, "records", max_rows=20)
    assert len(read_register(path, "records", max_rows=30).frame) == 30


def test_many_bad_cells_in_one_column_are_capped_with_a_count(tmp_path: Path) -> None:
    rows = "".join(f"R{i},采购记录,口罩,K1,someday\n" for i in range(100))
    path = write_csv(tmp_path, "记录编号,记录类型,产品,批号,记录日期\n" + rows)
    with pytest.raises(ValidationError) as exc:
        read_register(path, "records")
    listed = [p for p in exc.value.problems if p.row is not None]
    assert len(listed) == 30
    assert listed[0].row == 2
    assert "另有 70 处" in exc.value.problems[-1].message


def test_implausible_dates_are_errors_not_1900(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "记录编号,记录类型,产品,批号,记录日期\nR1,采购记录,口罩,K1,12\n")
    with pytest.raises(ValidationError, match="date_out_of_range"):
        read_register(path, "records")


def test_products_register_reads_classes_and_yes_no(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "产品,注册证号,产量,管理类别,高风险\n"
                     "注射器,国械注准1,\"1,200,000\",Ⅲ类,是\n体温计,京械注准2,500,二类,否\n"
                     "敷贴,京械备3,,I,\n", "products.csv")
    frame = read_register(path, "products").frame
    assert frame["class"].tolist() == [3, 2, 1]
    assert frame["volume"].tolist()[:2] == [1_200_000.0, 500.0]
    assert frame["high_risk"].tolist()[:2] == [True, False]
    assert pd.isna(frame["high_risk"].iloc[2])


def test_products_register_refuses_unknown_classes_and_duplicates(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "产品,管理类别,高风险,产量\n注射器,四类,也许,-5\n注射器,Ⅲ,是,1\n",
                     "products.csv")
    with pytest.raises(ValidationError) as exc:
        read_register(path, "products")
    assert {p.code for p in exc.value.problems} == {"bad_class", "bad_bool", "bad_number",
                                                      "duplicate_id"}


def test_documents_register_checks_dates_and_overlapping_versions(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "文件编号,版本,生效日期,失效日期\n"
                     "SOP-1,A/0,2025-01-01,2026-05-01\nSOP-1,B/0,2026-04-01,\n"
                     "SOP-2,A/0,2026-01-01,2025-01-01\nSOP-3,A/0,2025-01-01,2025-12-31\n"
                     "SOP-3,B/0,2025-12-31,\n", "documents.csv")
    with pytest.raises(ValidationError) as exc:
        read_register(path, "documents")
    assert problems(exc) == {("overlapping_versions", 3): "生效日期 (C)",
                             ("bad_range", 4): "失效日期 (D)"}  # a hand-over day is fine


def test_load_registers_collects_the_problems_of_every_file(tmp_path: Path) -> None:
    records = write_csv(tmp_path, "记录编号,产品\nR1,口罩\n")
    products = write_csv(tmp_path, "产品,管理类别\n口罩,五类\n", "products.csv")
    with pytest.raises(ValidationError) as exc:
        load_registers(records, products, tmp_path / "missing.csv")
    files = {p.file for p in exc.value.problems}
    assert files == {"records.csv", "products.csv", "missing.csv"}


def test_the_sample_registers_read_the_same_from_csv_and_xlsx() -> None:
    from_csv, products, documents = load_registers(
        SAMPLE / "records.csv", SAMPLE / "products.csv", SAMPLE / "documents.csv")
    from_xlsx = read_register(SAMPLE / "records.xlsx", "records")
    pd.testing.assert_frame_equal(from_csv.frame, from_xlsx.frame)
    assert len(from_csv.frame) > 1000
    assert from_csv.frame["record_type"].nunique() >= 5
    assert documents is not None
    assert len(products.frame) == 4


def test_normalize_register_types_a_frame_already_in_memory() -> None:
    raw = pd.DataFrame({"记录编号": ["R1"], "记录类型": ["采购记录"], "产品": ["口罩"],
                        "批号": [20260305], "记录日期": ["2026.3.5"]})
    frame = normalize_register(raw, "records").frame
    assert frame.loc[2, "batch"] == "20260305"  # a number typed as a batch stays its text
    assert frame.loc[2, "record_date"] == pd.Timestamp("2026-03-05")


# -- writing -------------------------------------------------------------------------------
def test_write_tables_xlsx_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    table = pd.DataFrame({"a": ["=1+1", "+86 10", "ok"], "d": pd.to_datetime(
        ["2026-03-05", None, "2026-03-06"]), "n": [1.5, np.nan, 3.0]})
    [path] = write_tables({"first": table, "second": table.head(1)}, tmp_path / "o.xlsx",
                          titles={"first": "表一"})
    book = load_workbook(path)
    assert book.sheetnames == ["表一", "second"]
    sheet = book["表一"]
    assert sheet["A2"].value == "=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].is_date
    assert sheet["B3"].value is None
    assert sheet["C3"].value is None


def test_write_tables_csv_writes_sidecars_and_defuses_formulas(tmp_path: Path) -> None:
    table = pd.DataFrame({"a": ["=1+1", "-5", "中文"], "d": pd.to_datetime(["2026-03-05"] * 3)})
    paths = write_tables({"main": table, "notes": table}, tmp_path / "out.csv")
    assert [p.name for p in paths] == ["out.csv", "out_notes.csv"]
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Chinese correctly
    back = pd.read_csv(paths[0], encoding="utf-8-sig", dtype=str)
    assert back["a"].tolist() == ["'=1+1", "-5", "中文"]
    assert back["d"].tolist() == ["2026-03-05"] * 3


def test_write_tables_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unsupported_format"):
        write_tables({"a": pd.DataFrame()}, tmp_path / "out.json")


def test_written_tables_never_hold_formulas_or_unwritable_characters(tmp_path):
    import openpyxl

    from kit.sampling import write_tables

    frame = pd.DataFrame({"=EVIL()": ["=1+1", "x\x07y"], "ok": ["@SUM(A1)", "-2+3"]})
    [xlsx] = write_tables({"t": frame}, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type == "s" for c in cells)
    assert [c.value for c in cells] == ["=EVIL()", "ok", "=1+1", "@SUM(A1)", "x\ufffdy", "-2+3"]
    written = write_tables({"t": frame}, tmp_path / "out.csv")
    header = written[0].read_text("utf-8-sig").splitlines()[0]
    assert header.startswith("'=EVIL()")


def test_a_csv_in_another_encoding_says_how_to_save_it(tmp_path):
    from kit.sampling import read_register

    path = tmp_path / "records.csv"
    path.write_bytes("记录编号,记录类型\n".encode() + "é".encode("latin-1") * 70000 + b"\xff\n")
    with pytest.raises(ValidationError) as info:
        read_register(path, "records")
    problem = info.value.problems[0]
    assert problem.code == "unreadable_encoding"
    assert "CSV UTF-8" in problem.message
    assert problem.file == "records.csv"
