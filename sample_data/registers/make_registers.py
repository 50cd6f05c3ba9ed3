"""Write the demo company's three registers for record sampling (九), from a seed.

北京示例医疗科技有限公司 and everything in its registers are fictional. A year of records
(2025-11-21 to the demo inspection date 2026-11-20) for four products, across purchasing,
incoming inspection, production, sterilisation, in-process and final inspection, release and
sales, with one planted case for each rule the engine checks:

* 9.2 window fallback - 一次性使用输液器 stopped in August 2026 (停产检修): no records in the
  quarter before the inspection, so its latest production cycle (batch Y2607-02) is sampled;
* 9.2 version - the 医用电子体温计 过程检验记录 of batch T2610-01 cites SOP-GC-T version A/1,
  although B/0 has been in force since 2026-09-01;
* 9.4 trace gap - batch Y2607-02 was released and sold without a 出厂检验记录;
* 9.5 data against conclusion - 一次性使用无菌注射器 batch S2608-03: 拉伸力 below its lower limit,
  judged 合格 (the finding of the demo inspection);
* 9.6 discrepancy - the only two runs of 2号灭菌柜 in the quarter differ by about 27% in
  环氧乙烷浓度, so that group widens, from outside the window since it has no more records.

Run ``python sample_data/registers/make_registers.py [--seed N]``. The same seed writes the
same cells: records.xlsx (dates as date cells) and records.csv (the same records; the sales
office writes dates as 2026年3月5日), products.csv and documents.csv, all UTF-8 with BOM.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
INSPECTION = date(2026, 11, 20)
FIRST = date(2025, 11, 21)
WINDOW_START = date(2026, 8, 20)
SEED = 20261120

HEADERS = ["记录编号", "记录类型", "产品", "批号", "记录日期", "条件", "工序", "文件编号", "文件版本",
           "检验项目", "测量值", "单位", "下限", "上限", "结论", "记录人"]
PREFIX = {"采购记录": "CG", "进货检验记录": "JH", "生产记录": "SC", "过程检验记录": "GC",
          "灭菌记录": "MJ", "出厂检验记录": "CJ", "放行记录": "FX", "销售记录": "XS"}
PEOPLE = ["王芳", "李强", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "孙丽"]

# product -> (batch prefix, code, days between batches, last batch start, steps)
# a step: (day offset, record type, stage, condition or a list to rotate, item, unit,
#          mean, sd, lower, upper)
Step = tuple[int, str, str, object, str, str, float, float, float | None, float | None]
STERILE_STEPS: list[Step] = [
    (-7, "采购记录", "采购", ["供应商甲", "供应商乙"], "", "", 0, 0, None, None),
    (-5, "进货检验记录", "进货检验", ["供应商甲", "供应商乙"], "熔体流动速率", "g/10min",
     12.0, 0.25, 10.0, 14.0),
    (0, "生产记录", "注塑", ["1号线", "2号线"], "", "", 0, 0, None, None),
    (1, "生产记录", "装配", ["1号线", "2号线"], "", "", 0, 0, None, None),
    (2, "过程检验记录", "过程检验", ["1号线", "2号线"], "外套内径", "mm", 12.45, 0.02, 12.35, 12.55),
    (4, "灭菌记录", "灭菌", "sterilizer", "环氧乙烷浓度", "mg/L", 600.0, 8.0, 450.0, 900.0),
    (16, "出厂检验记录", "出厂检验", "", "拉伸力", "N", 30.0, 1.0, 22.0, None),
    (18, "放行记录", "放行", "", "", "", 0, 0, None, None),
    (21, "销售记录", "销售", "", "", "", 0, 0, None, None),
]
PRODUCTS = {
    "一次性使用无菌注射器": ("S", "S", 7, date(2026, 11, 16), STERILE_STEPS),
    "一次性使用输液器": ("Y", "Y", 14, date(2026, 7, 27), STERILE_STEPS),
    "医用电子体温计": ("T", "T", 10, date(2026, 11, 10), [
        (-6, "采购记录", "采购", "供应商丙", "", "", 0, 0, None, None),
        (-4, "进货检验记录", "进货检验", "供应商丙", "热敏电阻阻值", "kΩ", 30.0, 0.05, 29.7, 30.3),
        (0, "生产记录", "组装", "1号线", "", "", 0, 0, None, None),
        (1, "过程检验记录", "过程检验", "1号线", "37℃示值", "℃", 37.0, 0.02, 36.9, 37.1),
        (3, "出厂检验记录", "出厂检验", "", "37℃示值", "℃", 37.0, 0.02, 36.9, 37.1),
        (5, "放行记录", "放行", "", "", "", 0, 0, None, None),
        (8, "销售记录", "销售", "", "", "", 0, 0, None, None),
    ]),
    "医用外科口罩": ("K", "K", 10, date(2026, 11, 12), [
        (-5, "采购记录", "采购", ["供应商丁", "供应商戊"], "", "", 0, 0, None, None),
        (-3, "进货检验记录", "进货检验", ["供应商丁", "供应商戊"], "熔喷布过滤效率", "%",
         99.0, 0.2, 95.0, None),
        (0, "生产记录", "制片焊接", "受托方1号线", "", "", 0, 0, None, None),
        (1, "过程检验记录", "过程检验", "受托方1号线", "口罩带断裂强力", "N", 18.0, 0.6, 10.0, None),
        (3, "出厂检验记录", "出厂检验", "", "细菌过滤效率", "%", 98.5, 0.3, 95.0, None),
        (5, "放行记录", "放行", "", "", "", 0, 0, None, None),
        (7, "销售记录", "销售", "", "", "", 0, 0, None, None),
    ]),
}
# (record type, product) -> [(version, effective from, effective to)]
REVISIONS = {
    ("灭菌记录", "S"): [("A/2", date(2024, 3, 1), date(2026, 3, 31)),
                     ("B/0", date(2026, 4, 1), None)],
    ("过程检验记录", "T"): [("A/1", date(2025, 2, 1), date(2026, 8, 31)),
                       ("B/0", date(2026, 9, 1), None)],
}
TITLES = {"采购记录": "采购控制程序", "进货检验记录": "进货检验规程", "生产记录": "生产工艺规程",
          "过程检验记录": "过程检验规程", "灭菌记录": "环氧乙烷灭菌作业指导书",
          "出厂检验记录": "出厂检验规程", "放行记录": "产品放行程序", "销售记录": "销售记录管理规定"}


def doc_id(record_type: str, code: str) -> str:
    return f"SOP-{PREFIX[record_type]}-{code}"


def documents() -> pd.DataFrame:
    rows = []
    for (name, (_b, code, *_)) in PRODUCTS.items():
        for record_type in dict.fromkeys(s[1] for s in PRODUCTS[name][4]):
            versions = REVISIONS.get((record_type, code), [("A/0", date(2024, 1, 1), None)])
            for version, start, end in versions:
                rows.append({"文件编号": doc_id(record_type, code),
                             "文件名称": f"{name}{TITLES[record_type]}", "版本": version,
                             "生效日期": start.isoformat(),
                             "失效日期": end.isoformat() if end else ""})
    return pd.DataFrame(rows)


def version_on(record_type: str, code: str, day: date) -> str:
    versions = REVISIONS.get((record_type, code), [("A/0", date(2024, 1, 1), None)])
    return next(v for v, start, end in reversed(versions) if start <= day)


def records(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for name, (prefix, code, every, last, steps) in PRODUCTS.items():
        n_batches = (last - FIRST).days // every + 1
        starts = [last - timedelta(days=every * i) for i in range(n_batches)][::-1]
        per_month: dict[str, int] = {}
        for i, start in enumerate(starts):
            month = f"{start:%y%m}"
            per_month[month] = per_month.get(month, 0) + 1
            batch = f"{prefix}{month}-{per_month[month]:02d}"
            for offset, rtype, stage, cond, item, unit, mean, sd, lo, hi in steps:
                day = start + timedelta(days=offset)
                if not FIRST <= day <= INSPECTION:
                    continue
                if cond == "sterilizer":  # 2号灭菌柜 runs every seventh batch
                    cond = "2号灭菌柜" if i % 7 == 3 else "1号灭菌柜"
                elif isinstance(cond, list):
                    cond = cond[i % len(cond)]
                value = round(float(rng.normal(mean, sd)), 3) if item else None
                verdict = "" if not item else \
                    ("不合格" if (lo is not None and value < lo) or (hi is not None and value > hi)
                     else "合格")
                if rtype == "放行记录":
                    verdict = "合格"
                rows.append({"记录类型": rtype, "产品": name, "批号": batch, "记录日期": day,
                             "条件": cond, "工序": stage, "文件编号": doc_id(rtype, code),
                             "文件版本": version_on(rtype, code, day), "检验项目": item,
                             "测量值": value, "单位": unit, "下限": lo, "上限": hi,
                             "结论": verdict, "记录人": PEOPLE[int(rng.integers(len(PEOPLE)))]})
    frame = pd.DataFrame(rows).sort_values(["记录日期", "产品", "批号"], kind="stable")
    frame = plant(frame.reset_index(drop=True))
    seq = frame.groupby("记录类型").cumcount() + 1
    frame.insert(0, "记录编号", frame["记录类型"].map(PREFIX) + "-" + seq.map("{:04d}".format))
    return frame[HEADERS].reset_index(drop=True)


def plant(frame: pd.DataFrame) -> pd.DataFrame:
    """Make the planted cases true, whatever the random noise drew."""
    def at(**match: object) -> pd.Series:
        mask = pd.Series(True, index=frame.index)
        for column, value in match.items():
            mask &= frame[column] == value
        assert mask.sum() == 1, f"expected one row for {match}, found {int(mask.sum())}"
        return mask

    # 9.5: S2608-03 出厂检验 拉伸力 below its lower limit, judged 合格
    frame.loc[at(批号="S2608-03", 记录类型="出厂检验记录"), ["测量值", "结论"]] = [20.6, "合格"]
    # a true 不合格 that agrees with its data, outside the window (never flagged)
    frame.loc[at(批号="K2605-01", 记录类型="过程检验记录"), ["测量值", "结论"]] = [8.4, "不合格"]
    # 9.4: the last batch of 输液器 was released and sold with no 出厂检验记录
    frame = frame[~at(批号="Y2607-02", 记录类型="出厂检验记录")]
    # 9.6: the two runs of 2号灭菌柜 in the quarter differ by about 27%
    recent = (frame["条件"] == "2号灭菌柜") & (frame["产品"] == "一次性使用无菌注射器") & \
        (frame["记录日期"] >= WINDOW_START)
    assert recent.sum() == 2, "the demo needs exactly two 2号灭菌柜 runs in the quarter"
    frame.loc[recent[recent].index[-1], "测量值"] = 822.0
    # 9.2: a 体温计 过程检验记录 of October still cites the withdrawn version A/1
    frame.loc[at(批号="T2610-01", 记录类型="过程检验记录"), "文件版本"] = "A/1"
    return frame


def products() -> pd.DataFrame:
    return pd.DataFrame({
        "产品": ["一次性使用无菌注射器", "一次性使用输液器", "医用电子体温计", "医用外科口罩"],
        "注册证号": ["国械注准20193140001", "国械注准20203140002", "京械注准20212070003",
                 "京械注准20222140004"],
        "产量": [3600000, 1200000, 4800000, 2400000],
        "管理类别": ["Ⅲ类", "Ⅲ类", "Ⅱ类", "Ⅱ类"],
        "高风险": ["是", "是", "否", "否"],
    })


def write(seed: int, out: Path = HERE) -> list[Path]:
    rec = records(seed)
    xlsx = out / "records.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        rec.assign(记录日期=pd.to_datetime(rec["记录日期"])).to_excel(
            writer, sheet_name="记录", index=False)
        sheet = writer.sheets["记录"]
        for (cell,) in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
            cell.number_format = "yyyy-mm-dd"
    text = rec.copy()
    dates = pd.to_datetime(text["记录日期"])
    sales = text["记录类型"] == "销售记录"
    text["记录日期"] = dates.dt.strftime("%Y-%m-%d")
    text.loc[sales, "记录日期"] = (dates[sales].dt.year.astype(str) + "年"
                               + dates[sales].dt.month.astype(str) + "月"
                               + dates[sales].dt.day.astype(str) + "日")
    paths = [xlsx, out / "records.csv", out / "products.csv", out / "documents.csv"]
    text.to_csv(paths[1], index=False, encoding="utf-8-sig")
    products().to_csv(paths[2], index=False, encoding="utf-8-sig")
    documents().to_csv(paths[3], index=False, encoding="utf-8-sig")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for path in write(args.seed):
        print(path)


if __name__ == "__main__":
    main()
