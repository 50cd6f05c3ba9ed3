"""Write ``sample_data/demo_inspection.json``: a finished inspection of the fictional company.

Run ``python sample_data/make_demo_inspection.py`` after changing the sample registers or the
record model; the output is deterministic (fixed ids, dates and sampling seed).

北京示例医疗科技有限公司 is fictional; its credit code is made valid with the GB 32100 check
character, nothing more.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from PIL import Image, ImageDraw

from kit.draw import draw_from_files, sample_registers, sampling_changes
from kit.evidence import prepare
from kit.guide import load_guide
from kit.identifiers import make_credit_code
from kit.record import (
    Adjustment,
    Attachment,
    Background,
    Company,
    Finding,
    FollowUp,
    Inspection,
    ItemResult,
    Licence,
    Member,
    Notice,
    Notification,
    Opinion,
    Partner,
    PastFinding,
    PastProducts,
    Plan,
    Product,
    Sampling,
    Scope,
    Signatures,
    Step,
    to_doc,
)

HERE = Path(__file__).resolve().parent
OUT = HERE / "demo_inspection.json"
START, END = date(2026, 11, 19), date(2026, 11, 20)

COMPANY_NAME = "北京示例医疗科技有限公司"
REGISTERED = "北京市北京经济技术开发区示例路8号"
PRODUCTION = "北京市北京经济技术开发区示例路8号2号楼"
AUTHORITY = "北京市药品监督管理局第七分局"


def company() -> Company:
    products = {
        "P1": Product("一次性使用无菌注射器", "registration", "国械注准20193140001", "III", "14-01",
                      True, COMPANY_NAME, PRODUCTION, "", date(2029, 5, 12), True,
                      "无菌三类产品，安全性要求高（九、3）"),
        "P2": Product("一次性使用输液器", "registration", "国械注准20203140002", "III", "14-02",
                      True, COMPANY_NAME, PRODUCTION, "", date(2030, 3, 2), True,
                      "无菌三类产品；近一季度未生产，抽取最近一个生产周期（九、2）"),
        "P3": Product("医用电子体温计", "registration", "京械注准20212070003", "II", "07-03",
                      False, COMPANY_NAME, PRODUCTION, "", date(2031, 8, 30), True,
                      "产量最大的产品（九、3）"),
        "P4": Product("医用外科口罩", "registration", "京械注准20222140004", "II", "14-14",
                      False, COMPANY_NAME, "北京市大兴区受托路16号（委托生产）",
                      "北京受托医疗用品有限公司", date(2027, 6, 30), True,
                      "委托生产产品（七、14）"),
    }
    licences = {
        "L1": Licence("business_licence", make_credit_code("91110115MA01KT8X5"), COMPANY_NAME,
                      REGISTERED, "", (), date(2015, 4, 1), None),
        "L2": Licence("production_licence", "京药监械生产许20150123号", COMPANY_NAME, REGISTERED,
                      PRODUCTION, ("14-01", "14-02", "07-03"), date(2025, 1, 10),
                      date(2030, 1, 9)),
        "L3": Licence("contract_production_filing", "京药监械生产委托备20240007号", COMPANY_NAME,
                      REGISTERED, "", ("14-14",), date(2024, 7, 1), date(2027, 6, 30)),
    }
    partners = {
        "C1": Partner("北京受托医疗用品有限公司", make_credit_code("91110115MA04RH2L9"),
                      "contract_manufacturer", "北京市大兴区受托路16号",
                      "北京市药品监督管理局第八分局", "same_city", ("P4",)),
    }
    return Company(COMPANY_NAME, make_credit_code("91110115MA01KT8X5"), "registrant", "陈示例",
                   "质量部 刘质量 010-00000000", REGISTERED, PRODUCTION, AUTHORITY, licences,
                   products, partners)


def team() -> dict[str, Member]:
    guide = load_guide()
    basic = tuple(c.id for c in guide.item("4.2").children)
    leader = basic + tuple(c.id for c in guide.item("4.3").children)
    standards = tuple(t.code for t in guide.terms("leader_standards"))
    return {
        "M1": Member("张明", "leader", AUTHORITY, "京械检-0101", leader, standards,
                     ("7.1", "7.2", "7.5", "7.6", "7.10", "7.12", "7.13", "7.14"),
                     user="zhangming"),
        "M2": Member("李华", "inspector", AUTHORITY, "京械检-0217", basic, (),
                     ("7.3", "7.4", "7.7", "7.8", "7.9", "7.11"), user="lihua"),
        "E1": Member("赵工", "expert", "某医疗器械检验研究院", "", (), (), ()),
    }


FINDINGS = {
    "F1": Finding("7.3.m2", "洁净车间2026年9月的环境监测记录缺少沉降菌检测数据，未见超标处理记录。",
                  "rectify_by_deadline", "补全环境监测程序，对9月监测缺项进行原因分析并培训相关人员，"
                  "提交整改报告。", date(2026, 12, 11), True, "passed", date(2026, 11, 23),
                  "环境监测程序修订版及培训记录", "written", date(2026, 11, 24), "张明",
                  "《医疗器械生产质量管理规范附录无菌医疗器械》"),
    "F2": Finding("7.5.m4", "注射器装配工位现场使用的作业指导书为已作废的B版。", "correct_on_site",
                  "现场收回作废文件并发放现行C版。", None, False, "passed", date(2026, 11, 19),
                  "现场收回的作废文件", "on_site", date(2026, 11, 19), "李华"),
    "F3": Finding("7.9.m5", "批号S2608-03出厂检验记录中拉伸力实测值低于下限，结论判定为合格。",
                  "suspend_and_rectify", "暂停注射器放行，对该批及同期批次重新评价，完成纠正预防措施后"
                  "申请复查。", date(2026, 12, 4), True, "passed", date(2026, 11, 23),
                  "同期批次重新检验报告、纠正预防措施记录", "on_site", date(2026, 11, 24), "张明"),
    "F4": Finding("7.10.m6", "医用电子体温计部分批次未完成产品唯一标识数据上传。",
                  "rectify_by_deadline", "补传产品唯一标识数据并建立维护更新制度。",
                  date(2026, 12, 11), False, "passed", date(2026, 11, 23), "数据上传截图",
                  "written", date(2026, 11, 24), "张明"),
}


def results() -> dict[str, ItemResult]:
    guide = load_guide()
    out = {}
    owner = {s: k for k, m in team().items() for s in m.sections}
    for item in guide.checklist_items():
        text = item.zh
        means = ["document_review"]
        if "询问" in text:
            means = ["interview"]
        if "现场" in text or "观察" in text:
            means.append("site")
        result = "conform"
        notes = ""
        if item.id in ("7.6.m6", "7.6.m7"):
            result, notes = "not_applicable", "近一年无设计开发变更。"
        found = [k for k, f in FINDINGS.items() if f.item == item.id]
        if found:
            result, notes = "nonconform", f"见问题 {found[0]}"
        out[item.id] = ItemResult(result, notes, tuple(means),
                                  f"现场检查记录附件 {item.id}" if found else "",
                                  owner[item.parent_id or ""])
    return out


SAMPLING_SEED = 20261119


def sampling() -> Sampling:
    """The record sample drawn on site from the company's registers (九), seed fixed."""
    result = draw_from_files(sample_registers(), inspection_date=END, seed=SAMPLING_SEED)
    changes = sampling_changes(result)
    return Sampling(
        seed=changes["sampling/seed"],
        inspection_date=changes["sampling/inspection_date"],
        parameters=changes["sampling/parameters"],
        columns=tuple(changes["sampling/columns"]),
        rows=tuple(changes["sampling/rows"]),
        notes=tuple(changes["sampling/notes"]),
    )


def inspection() -> Inspection:
    guide = load_guide()
    steps = {
        c.id: Step(True, datetime(2026, 11, 19 if n <= 4 else 20, 9 + n % 8, 0), "")
        for n, c in enumerate(guide.part(6).items("item"), start=1)
    }
    steps["6.9"] = Step(True, datetime(2026, 11, 24, 10, 0), "书面审查企业整改报告")
    steps["6.10"] = Step(True, datetime(2026, 11, 24, 16, 0), "已录入监督检查系统")
    return Inspection(
        id="demo-2026-1119",
        guide_id=guide.id,
        guide_version=guide.version,
        profile="full",
        stage="closed",
        company=company(),
        background=Background(
            notes={
                "licences": "2025年1月生产许可证延续；2024年7月新增口罩委托生产备案。",
                "quality_staff": "2026年6月更换管理者代表。",
                "process_changes": "注射器装配线新增一台自动组装机。",
                "production_sales": "注射器月产约30万支；输液器2026年8月起停产检修。",
                "past_rectification": "2025年检查发现的2项问题已整改完毕。",
                "sampling_tests": "2026年国抽注射器1批次合格。",
                "adverse_events": "近一年上报可疑不良事件3例，均已评价。",
            },
            past_findings={
                "H1": PastFinding("仓库温湿度记录不连续", date(2025, 9, 16), "closed", "已复查"),
            },
        ),
        scope=Scope("supervisory", False, False, False, "none", "", START, END, None,
                    tuple(s.id for s in guide.sections), ("3.1", "3.4", "3.5", "3.8"),
                    "年度日常监督检查，覆盖全部已注册产品。", "无菌产品的灭菌过程确认、出厂检验与放行",
                    "环氧乙烷灭菌参数控制；委托生产口罩的质量协议履行"),
        team=team(),
        plan=Plan(True, "approved", "11月19日：首次会议、文件审查、现场；11月20日：记录抽样、末次会议",
                  datetime(2026, 11, 12, 10, 0), datetime(2026, 11, 13, 15, 30), "王处长"),
        notification=Notification(True, date(2026, 11, 16), "电话", "通知质量负责人刘质量"),
        steps=steps,
        adjustments={
            "A1": Adjustment("增加对输液器停产检修期间设备维护记录的检查。",
                             datetime(2026, 11, 19, 14, 0), "王处长", datetime(2026, 11, 19, 14, 20)),
        },
        results=results(),
        findings=FINDINGS,
        past_products=PastProducts(("supervisory_sampling",), "对批号S2608-03同期批次开展监督抽验。"),
        signatures=Signatures("陈示例", datetime(2026, 11, 20, 16, 40), False, "", ("M1", "M2"),
                              False, "", False),
        follow_up=FollowUp(date(2026, 11, 23), "written", date(2026, 11, 24), "张明",
                           date(2026, 11, 24), ("recheck", "more_testing"),
                           "整改报告及证据齐全；注射器放行恢复前已复核。"),
        opinion=Opinion("企业质量管理体系总体运行正常。发现问题4项：现场纠正1项，限期整改2项，"
                        "暂停相关产品生产并限期整改1项；"
                        "企业应于限期内完成整改并提交整改报告。", date(2026, 11, 20)),
        sampling=sampling(),
        notices={
            "result": Notice("京药监械检告〔2026〕118号", END, END, "陈示例"),
            "rectification": Notice("京药监械整改〔2026〕064号", END, END, "陈示例"),
        },
    )


def _photo() -> bytes:
    """A made-up photo of the finding of 七、5 (F2): a binder on a workstation, marked."""
    picture = Image.new("RGB", (800, 600), (188, 196, 204))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 420, 800, 600), fill=(120, 110, 96))  # the bench
    draw.rectangle((250, 140, 560, 470), fill=(240, 236, 220), outline=(60, 60, 60), width=6)
    for y in range(190, 430, 30):  # the pages' lines
        draw.line((290, y, 520, y), fill=(150, 150, 150), width=4)
    draw.ellipse((430, 150, 550, 270), outline=(200, 30, 30), width=10)  # the version, circled
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def _signature(seed: int) -> bytes:
    """A made-up drawn signature: a few strokes on a transparent 600 x 200 canvas."""
    canvas = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    points = [(60 + 40 * k, 120 + ((k * 37 + seed * 11) % 60) - 30) for k in range(12)]
    draw.line(points, fill=(17, 17, 17, 255), width=4, joint="curve")
    draw.line([(80, 150), (520, 140 - seed * 5)], fill=(17, 17, 17, 255), width=3)
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return out.getvalue()


#: the demo's evidence: (key, target, file name, bytes, drawn by (a signature), captured by,
#: when): the company's signer signs on the leader's tablet
EVIDENCE = (
    ("A1", "results/7.5.m4", "IMG_20261119_103512.jpg", _photo, "", "李华",
     datetime(2026, 11, 19, 10, 35, 12)),
    ("A2", "signatures/company", "签名-company.png", lambda: _signature(1), "陈示例", "张明",
     datetime(2026, 11, 20, 16, 40)),
    ("A3", "signatures/M1", "签名-M1.png", lambda: _signature(2), "张明", "张明",
     datetime(2026, 11, 20, 16, 41)),
    ("A4", "signatures/M2", "签名-M2.png", lambda: _signature(3), "李华", "李华",
     datetime(2026, 11, 20, 16, 41)),
)


def evidence() -> tuple[dict[str, Attachment], dict[str, dict[str, str]]]:
    """The demo's attachments, and their bytes as an exported file carries them."""
    attachments, kept = {}, {}
    for key, target, name, make, signer, by, at in EVIDENCE:
        ready = prepare(name, make(), signature=bool(signer))
        digest = hashlib.sha256(ready.data).hexdigest()
        thumb = hashlib.sha256(ready.thumb).hexdigest() if ready.thumb else ""
        kept[digest] = {"mime": ready.mime, "base64": base64.b64encode(ready.data).decode()}
        if ready.thumb:
            kept[thumb] = {"mime": ready.thumb_mime,
                           "base64": base64.b64encode(ready.thumb).decode()}
        attachments[key] = Attachment(ready.kind, target, name, ready.mime, len(ready.data),
                                      digest, thumb, by, at, signer=signer)
    return attachments, dict(sorted(kept.items()))


def main() -> None:
    attachments, kept = evidence()
    doc = to_doc(replace(inspection(), attachments=attachments))
    doc["evidence"] = kept
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
