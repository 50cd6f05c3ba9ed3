"""Write the small register files that tests/test_registers.py reads (run once; output is kept).

Each file has one purpose, written down in the test that reads it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
HEADER = ["记录编号", "记录类型", "产品", "批号", "记录日期", "条件", "结论", "测量值", "下限", "上限"]


def titled_workbook() -> None:
    """A title row and a blank row above the header, a blank row in the data, every date form,
    text that looks like a formula, and a second sheet named 记录 that must be chosen."""
    book = Workbook()
    other = book.active
    other.title = "说明"
    other.append(["这个工作表不是记录登记表"])
    sheet = book.create_sheet("记录")
    sheet.append(["北京示例医疗科技有限公司 记录登记表"])  # row 1: a title
    sheet.append([])  # row 2: blank
    sheet.append(HEADER)  # row 3: the header
    sheet.append(["R1", "出厂检验记录", "口罩", "K1", date(2026, 3, 5), "1号线", "合格", 98.5, 95, None])
    sheet.append(["R2", "出厂检验记录", "口罩", "K1", "2026/3/5", "1号线", "合格", 98.1, 95, None])
    sheet.append([])  # row 6: blank, skipped
    sheet.append(["R3", "出厂检验记录", "口罩", "K2", "2026年3月5日", "", "不合格", 93.0, 95, None])
    sheet.append(["R4", "出厂检验记录", "口罩", "K2", 46086, "", "合格", 97.0, 95, None])
    sheet.append(["R5", "出厂检验记录", "口罩", "K3", datetime(2026, 3, 5, 14, 30), "", "合格",
                  96.0, 95, None])
    cell = sheet.cell(row=9, column=6)
    cell.value = "=1+1"
    cell.data_type = "s"  # typed text, not a formula
    sheet.append(["R6", "出厂检验记录", "口罩", "K3", "2026.3.5", "2号线", "合格", 97.2, 95, None])
    book.save(HERE / "records_titled.xlsx")


def bad_workbook() -> None:
    """One bad cell of each kind, at known rows: 3 bad date, 4 bad number, 5 bad verdict,
    6 missing record type, 7 duplicate id of row 2, 8 lower above upper."""
    book = Workbook()
    sheet = book.active
    sheet.title = "记录"
    sheet.append(HEADER)
    sheet.append(["R1", "过程检验记录", "注射器", "S1", date(2026, 3, 5), "1号线", "合格", 4.75, 4.7, 4.8])
    sheet.append(["R2", "过程检验记录", "注射器", "S1", "3/5/2026", "1号线", "合格", 4.75, 4.7, 4.8])
    sheet.append(["R3", "过程检验记录", "注射器", "S1", date(2026, 3, 6), "1号线", "合格", "四点七", 4.7,
                  4.8])
    sheet.append(["R4", "过程检验记录", "注射器", "S1", date(2026, 3, 7), "1号线", "还行", 4.75, 4.7, 4.8])
    sheet.append(["R5", None, "注射器", "S1", date(2026, 3, 8), "1号线", "合格", 4.75, 4.7, 4.8])
    sheet.append(["R1", "过程检验记录", "注射器", "S1", date(2026, 3, 9), "1号线", "合格", 4.75, 4.7, 4.8])
    sheet.append(["R7", "过程检验记录", "注射器", "S1", date(2026, 3, 9), "1号线", "合格", 4.75, 4.9, 4.8])
    book.save(HERE / "records_bad.xlsx")


def gb18030_csv() -> None:
    """A CSV as Chinese Excel saves it: GB18030, no BOM, English headers in another order."""
    text = ("batch,record_id,product,record_type,date,conclusion\n"
            "T1,A-1,体温计,出厂检验记录,2026-03-05,合格\n"
            "T1,A-2,体温计,放行记录,2026-03-06,合格\n")
    (HERE / "records_gb18030.csv").write_bytes(text.encode("gb18030"))


if __name__ == "__main__":
    titled_workbook()
    bad_workbook()
    gb18030_csv()
