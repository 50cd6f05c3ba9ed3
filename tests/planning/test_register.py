"""The office's register of companies: the workbook read with every problem in its place,
nothing written on any, the store's rows with their trail, the door's access, the command."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from kit.door import AccessError, Door, Identity
from kit.errors import ValidationError
from kit.identifiers import make_credit_code
from kit.register import (
    COMPANY_COLUMNS,
    EXAMPLE,
    PRODUCT_COLUMNS,
    RegisteredCompany,
    read_register,
    write_register,
    write_template,
)

HEAD_C = [c.zh for c in COMPANY_COLUMNS]
HEAD_P = [c.zh for c in PRODUCT_COLUMNS]


def code(k: int) -> str:
    return make_credit_code(f"9111010{k:010d}")


def company_row(k: int, **changed: Any) -> list[Any]:
    row = {"统一社会信用代码": code(k), "企业名称": f"北京第{k}医疗器械有限公司", "所在区": "海淀区",
           "是否委托生产": "否", "生产许可证编号": f"京药监械生产许2026{k:04d}号",
           "许可证发证日期": "2026年3月5日", "许可证有效期至": "2031/3/4",
           "第一类生产备案凭证编号": None, "备案日期": None}
    row.update(changed)
    return [row[h] for h in HEAD_C]


def product_row(k: int, name: str = "电子血压计", klass: str = "II") -> list[Any]:
    return [code(k), name, "07-03-01", klass, f"京械注准2026207{k:04d}"]


def book(path: Path, companies: list[list[Any]], products: list[list[Any]], *,
         head_c: list[str] = HEAD_C, head_p: list[str] = HEAD_P,
         formula: tuple[int, int, str] | None = None) -> Path:
    """A register workbook as an office would fill it in Excel (``formula``: (row, column,
    text) written as a real formula cell)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "企业"
    ws.append(head_c)
    for row in companies:
        ws.append(row)
    if formula is not None:
        ws.cell(formula[0], formula[1]).value = formula[2]  # openpyxl: a formula cell
    wp = wb.create_sheet("产品")
    wp.append(head_p)
    for row in products:
        wp.append(row)
    wb.save(path)
    return path


def problems_of(path: Path) -> list[Any]:
    with pytest.raises(ValidationError) as err:
        read_register(path)
    return list(err.value.problems)


def test_the_template_reads_back_as_its_example(tmp_path):
    path = write_template(tmp_path / "register.xlsx")
    assert read_register(path) == [EXAMPLE]


def test_a_register_reads_with_chinese_dates_classes_and_the_products_joined(tmp_path):
    path = book(tmp_path / "r.xlsx",
                [company_row(1), company_row(2, **{"是否委托生产": "是"}),
                 company_row(3, **{"生产许可证编号": None, "第一类生产备案凭证编号": "京海械生产备20260003号",
                                   "备案日期": "二〇二六年十一月二日"})],
                [product_row(1), product_row(1, "电子体温计", "第二类"), product_row(2, "导管", "Ⅲ"),
                 product_row(3, "医用棉签", "一类")])
    got = {c.credit_code: c for c in read_register(path)}
    assert got[code(1)].licence_issued == date(2026, 3, 5)
    assert got[code(1)].licence_expires == date(2031, 3, 4)
    assert [p.device_class for p in got[code(1)].products] == ["II", "II"]
    assert got[code(2)].contracts is True
    assert got[code(2)].products[0].device_class == "III"
    assert got[code(3)].filed_on == date(2026, 11, 2)
    assert got[code(3)].products[0].device_class == "I"
    again = write_register(list(got.values()), tmp_path / "again.xlsx")
    assert read_register(again) == list(got.values())  # what the kit writes, it reads


def test_an_empty_file_and_a_header_alone_are_refused(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert [p.code for p in problems_of(empty)] == ["empty_file"]
    header_only = book(tmp_path / "header.xlsx", [], [])
    [p] = problems_of(header_only)
    assert (p.code, p.sheet) == ("no_data_rows", "企业")


def test_wrong_headers_name_the_sheet_row_and_column(tmp_path):
    head = [*HEAD_C[:2], "地区", *HEAD_C[3:]]  # 所在区 renamed
    found = problems_of(book(tmp_path / "r.xlsx", [company_row(1)], [], head_c=head))
    assert {(p.code, p.sheet, p.row) for p in found} == {
        ("register.unknown_column", "企业", 1), ("missing_column", "企业", 1)}
    unknown = next(p for p in found if p.code == "register.unknown_column")
    assert unknown.column == "地区 (C)"
    assert "所在区" in next(p for p in found if p.code == "missing_column").message


def test_a_missing_sheet_is_named(tmp_path):
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.save(tmp_path / "r.xlsx")
    found = problems_of(tmp_path / "r.xlsx")
    assert {(p.code, p.sheet) for p in found} == {("unknown_sheet", "企业"), ("unknown_sheet", "产品")}


def test_every_bad_row_is_named_and_nothing_is_returned(tmp_path):
    rows = [company_row(k) for k in range(1, 6)]
    bad_code = code(6)[:-1] + ("0" if code(6)[-1] != "0" else "1")
    rows.append(company_row(6, **{"统一社会信用代码": bad_code}))  # sheet row 7
    rows.append(company_row(2))  # row 8: a duplicate of row 3
    rows.append(company_row(9, **{"企业名称": "=1+1"}))  # row 9: text that would run
    rows.append(company_row(10, **{"是否委托生产": "也许", "许可证发证日期": "2026年13月1日"}))
    rows.append(company_row(11, **{"生产许可证编号": None}))  # row 11: no licence nor filing
    path = book(tmp_path / "r.xlsx", rows,
                [product_row(1, klass="IV"), product_row(1), product_row(1),
                 product_row(77)], formula=(12, 2, "=1+1"))
    found = {(p.sheet, p.row, p.column, p.code) for p in problems_of(path)}
    assert found == {
        ("企业", 7, "统一社会信用代码 (A)", "company.credit_code"),
        ("企业", 8, "统一社会信用代码 (A)", "duplicate_id"),
        ("企业", 9, "企业名称 (B)", "workbook.formula"),
        ("企业", 10, "是否委托生产 (D)", "bad_bool"),
        ("企业", 10, "许可证发证日期 (F)", "bad_date"),
        ("企业", 11, "生产许可证编号 (E)", "register.no_licence"),
        ("企业", 12, "企业名称 (B)", "workbook.formula"),  # a real formula cell
        ("企业", 12, "所在区 (C)", "missing_value"),
        ("企业", 12, "统一社会信用代码 (A)", "missing_value"),
        ("企业", 12, "是否委托生产 (D)", "missing_value"),
        ("产品", 2, "管理类别 (D)", "bad_class"),
        ("产品", 4, "产品名称 (B)", "register.duplicate_product"),
        ("产品", 5, "统一社会信用代码 (A)", "register.unknown_company"),
    }
    dup = next(p for p in problems_of(path) if p.code == "duplicate_id")
    assert "第 3 行" in dup.message  # which row it repeats


def test_a_zip_bomb_is_refused_before_it_is_opened(tmp_path):
    path = book(tmp_path / "bomb.xlsx", [company_row(1)], [product_row(1)])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        sheet = next(i for i in z.infolist() if i.filename.endswith("sheet1.xml"))
    # the central directory claims the sheet inflates to 2 GiB (the reader never inflates it)
    at = data.index(b"PK\x01\x02")
    while True:
        name_len = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + name_len].decode() == sheet.filename:
            break
        at = data.index(b"PK\x01\x02", at + 4)
    data[at + 24:at + 28] = (2**31).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    [p] = problems_of(path)
    assert (p.code, p.file) == ("file_bomb", "bomb.xlsx")


def registered(k: int, **changed: Any) -> RegisteredCompany:
    return replace(RegisteredCompany(code(k), f"北京第{k}医疗器械有限公司", "海淀区", False,
                                     licence_no=f"京药监械生产许2026{k:04d}号"), **changed)


def test_reimporting_updates_with_a_trail_of_before_and_after(any_store_url):
    door = Door.connect(any_store_url, identity=Identity("王科长"))
    first = door.import_companies([registered(1), registered(2)])
    assert [(c.credit_code, c.old) for c in first] == [(code(1), None), (code(2), None)]
    later = door.as_(Identity("李科长"))
    moved = registered(2, region="大兴区")
    changes = later.import_companies([registered(1), moved, registered(3)])
    assert [(c.credit_code, c.user) for c in changes] == [(code(2), "李科长"),
                                                           (code(3), "李科长")]
    update = changes[0]
    assert update.old is not None
    assert update.new is not None
    assert (update.old["region"], update.new["region"]) == ("海淀区", "大兴区")
    trail = door.company_trail(code(2))
    assert [(e.user, e.old is None) for e in trail] == [("王科长", True), ("李科长", False)]
    kept = {r.company.credit_code: r for r in door.companies()}
    assert kept[code(2)].company == moved
    assert kept[code(2)].updated_by == "李科长"
    assert kept[code(1)].updated_by == "王科长"  # unchanged: not rewritten
    assert door.import_companies([registered(1), moved]) == []  # the same again: nothing
    assert len(door.company_trail()) == 4
    door.close()


def test_the_door_refuses_a_bad_credit_code_and_an_inspector_on_the_server(any_store_url):
    door = Door.connect(any_store_url, identity=Identity("王科长"))
    with pytest.raises(ValidationError, match="统一社会信用代码"):
        door.import_companies([registered(1, credit_code="91110108MA01ABCD2Y")])
    inspector = door.as_(Identity("zhangming", hub=True))
    with pytest.raises(AccessError, match="科室负责人"):
        inspector.import_companies([registered(1)])
    assert door.companies() == []
    assert door.company_trail() == []
    leader = door.as_(Identity("wangke", frozenset({"leaders"}), hub=True))
    assert len(leader.import_companies([registered(1)])) == 1
    assert [r.company.credit_code for r in inspector.companies()] == [code(1)]  # all read it
    door.close()


def kit(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kit", *args, "--data-dir", str(data)],
                          capture_output=True, text=True, check=False)


def test_kit_companies_import_list_and_trail(tmp_path):
    data = tmp_path / "data"
    template = tmp_path / "template.xlsx"
    made = subprocess.run([sys.executable, "-m", "kit", "companies", "template", "--out",
                           str(template)], capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    good = book(tmp_path / "r.xlsx", [company_row(1), company_row(2)], [product_row(1)])
    done = kit("companies", "import", str(good), data=data)
    assert done.returncode == 0, done.stderr
    assert "新增 2 家" in done.stdout
    rows = [company_row(1), company_row(2, **{"所在区": "大兴区"})]
    rows += [company_row(k) for k in range(3, 6)]
    rows.append(company_row(6, **{"统一社会信用代码": "91110108MA01ABCD2Y"}))  # row 7
    bad = book(tmp_path / "bad.xlsx", rows, [])
    refused = kit("companies", "import", str(bad), data=data)
    assert refused.returncode == 2
    assert "bad.xlsx, sheet 企业, row 7, column 统一社会信用代码 (A)" in refused.stderr
    assert "Traceback" not in refused.stderr
    listed = kit("companies", "list", "--json", data=data)
    kept = json.loads(listed.stdout)
    assert [c["region"] for c in kept] == ["海淀区", "海淀区"]  # nothing of bad.xlsx written
    assert kept[0]["products"][0]["device_class"] == "II"
    rows[5] = company_row(6)
    fixed = kit("companies", "import", str(book(tmp_path / "ok.xlsx", rows, [product_row(1)])),
                data=data)
    assert "新增 4 家、更新 1 家、未变 1 家" in fixed.stdout
    trail = kit("companies", "trail", code(2), data=data)
    assert "region: \"海淀区\" -> \"大兴区\"" in trail.stdout
    plain = kit("companies", "list", data=data)
    assert "6 家企业" in plain.stdout


def test_an_inspectors_plan_holds_their_teams_companies_and_no_others_of_the_register(
        tmp_path):
    from kit.analytics import load_tables
    from kit.door import LEADERS
    from kit.interchange import demo_inspection, register_entry
    from kit.planning import office_year_plan
    from kit.record import Member
    from kit.store import Store

    demo = demo_inspection()
    other = replace(register_entry(demo.company), credit_code=make_credit_code("91110108MA01ABCD2"),
                    name="名录中的另一家公司")
    with Store(data_dir=tmp_path) as store:
        admin = Door(store, Identity("admin"))
        admin.create(replace(demo, team={"M1": Member("张明", "leader", user="zhangming"),
                                         "M2": Member("李华", user="lihua")}))
        admin.import_companies([register_entry(demo.company), other])
        leader = Door(store, Identity("chen", frozenset({LEADERS}), hub=True))
        inspector = Door(store, Identity("zhangming", hub=True))
        for door, names in ((leader, {demo.company.name, "名录中的另一家公司"}),
                            (inspector, {demo.company.name})):
            plan = office_year_plan(door, load_tables(door), 2027, as_of=date(2026, 12, 1))
            assert set(plan.levels["company"]) == names
