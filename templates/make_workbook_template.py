"""Write the default workbook template ``templates/workbook.xlsx``.

Run ``python templates/make_workbook_template.py`` to regenerate it. An office then restyles
the .xlsx in Excel or WPS (letterhead, fonts, widths, header and footer) without touching code;
the convention the writer follows is on the template's 说明 sheet and in ``templates/README.md``.
The header words come from the kit (:mod:`kit.workbook`), so they are imported here only
to make the template look like the result.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from kit.workbook import COLUMN_HEADERS, SHEET_NAMES

(PLAN, RECORD, FINDINGS, SAMPLING, SIGNATURES, TRACKING, OUTCOMES, ROUNDS, EXTENSIONS, FOLLOW_UP,
 EVIDENCE, AUDIT) = SHEET_NAMES

OUT = Path(__file__).resolve().parent / "workbook.xlsx"

SONG, HEI = "宋体", "黑体"  # SimSun, SimHei: present wherever Chinese Office or WPS is
GB2312 = 134  # the charset Excel records for Chinese fonts; helps it pick the right face
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E7E6E6")
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
TOP_CENTRE = Alignment(horizontal="center", vertical="top", wrap_text=True)

LETTERHEAD = "{检查单位}"
SUBTITLE = "被检查企业：{企业名称}　　检查编号：{检查编号}　　检查日期：{检查日期}"

# sheet -> (orientation, [(header, width, alignment, number format)], extra title lines)
SHEETS: dict[str, tuple[str, list[tuple[str, float, Alignment, str]], list[str]]] = {
    PLAN: ("portrait", [
        (COLUMN_HEADERS[PLAN][0], 18, TOP_LEFT, "General"),
        (COLUMN_HEADERS[PLAN][1], 60, TOP_LEFT, "General"),
        (COLUMN_HEADERS[PLAN][2], 14, TOP_LEFT, "General"),
    ], [SUBTITLE]),
    RECORD: ("landscape", [
        (COLUMN_HEADERS[RECORD][0], 18, TOP_LEFT, "General"),
        (COLUMN_HEADERS[RECORD][1], 52, TOP_LEFT, "General"),
        (COLUMN_HEADERS[RECORD][2], 8, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[RECORD][3], 24, TOP_LEFT, "General"),
        (COLUMN_HEADERS[RECORD][4], 11, TOP_LEFT, "General"),
        (COLUMN_HEADERS[RECORD][5], 14, TOP_LEFT, "General"),
        (COLUMN_HEADERS[RECORD][6], 8, TOP_CENTRE, "General"),
    ], [SUBTITLE]),
    FINDINGS: ("landscape", [
        (COLUMN_HEADERS[FINDINGS][0], 5, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[FINDINGS][1], 16, TOP_LEFT, "General"),
        (COLUMN_HEADERS[FINDINGS][2], 31, TOP_LEFT, "General"),
        (COLUMN_HEADERS[FINDINGS][3], 14, TOP_LEFT, "General"),
        (COLUMN_HEADERS[FINDINGS][4], 12, TOP_LEFT, "General"),
        (COLUMN_HEADERS[FINDINGS][5], 29, TOP_LEFT, "General"),
        (COLUMN_HEADERS[FINDINGS][6], 16, TOP_LEFT, "General"),
        (COLUMN_HEADERS[FINDINGS][7], 11, TOP_CENTRE, "yyyy-mm-dd"),
        (COLUMN_HEADERS[FINDINGS][8], 9, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[FINDINGS][9], 8, TOP_CENTRE, "General"),
    ], [SUBTITLE, "整改时限按法定工作日计，自检查结束日次日起算；新增问题请在表格下方空行填写，编号留空；"
        "问题等级按本机构的分级办法填写（不分级的留空）；各问题的整改情况填在“整改跟踪”表。"]),
    SAMPLING: ("landscape", [
        (COLUMN_HEADERS[SAMPLING][0], 9, TOP_LEFT, "General"),
        (COLUMN_HEADERS[SAMPLING][1], 20, TOP_LEFT, "General"),
        (COLUMN_HEADERS[SAMPLING][2], 9, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[SAMPLING][3], 10, TOP_LEFT, "General"),
        (COLUMN_HEADERS[SAMPLING][4], 11, TOP_LEFT, "General"),
        (COLUMN_HEADERS[SAMPLING][5], 6, TOP_LEFT, "General"),
        (COLUMN_HEADERS[SAMPLING][6], 32, TOP_LEFT, "General"),
        (COLUMN_HEADERS[SAMPLING][7], 34, TOP_LEFT, "General"),
        (COLUMN_HEADERS[SAMPLING][8], 10, TOP_LEFT, "General"),
    ], [SUBTITLE, "{抽样参数}"]),
    SIGNATURES: ("portrait", [
        (COLUMN_HEADERS[PLAN][0], 20, TOP_LEFT, "General"),
        (COLUMN_HEADERS[PLAN][1], 46, TOP_LEFT, "General"),
        (COLUMN_HEADERS[PLAN][2], 28, TOP_LEFT, "General"),
    ], [SUBTITLE]),
    TRACKING: ("landscape", [
        (COLUMN_HEADERS[TRACKING][0], 5, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[TRACKING][1], 18, TOP_LEFT, "General"),
        (COLUMN_HEADERS[TRACKING][2], 11, TOP_CENTRE, "yyyy-mm-dd"),
        (COLUMN_HEADERS[TRACKING][3], 11, TOP_CENTRE, "yyyy-mm-dd"),
        (COLUMN_HEADERS[TRACKING][4], 10, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[TRACKING][5], 11, TOP_CENTRE, "yyyy-mm-dd"),
        (COLUMN_HEADERS[TRACKING][6], 40, TOP_LEFT, "General"),
        (COLUMN_HEADERS[TRACKING][7], 10, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[TRACKING][8], 11, TOP_CENTRE, "yyyy-mm-dd"),
        (COLUMN_HEADERS[TRACKING][9], 10, TOP_CENTRE, "General"),
    ], [SUBTITLE, "逐项记录本轮企业提交整改资料的日期、证据和复查结果（六、9；十、1；十、3）；"
        "已结束的各轮复查见“复查记录”，延期见“延期整改”。"]),
    OUTCOMES: ("landscape", [
        (COLUMN_HEADERS[OUTCOMES][0], 5, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[OUTCOMES][1], 12, TOP_LEFT, "General"),
        (COLUMN_HEADERS[OUTCOMES][2], 14, TOP_LEFT, "General"),
        (COLUMN_HEADERS[OUTCOMES][3], 9, TOP_LEFT, "General"),
        (COLUMN_HEADERS[OUTCOMES][4], 13, TOP_CENTRE, "yyyy-mm-dd hh:mm"),
        (COLUMN_HEADERS[OUTCOMES][5], 11, TOP_CENTRE, "yyyy-mm-dd"),
        (COLUMN_HEADERS[OUTCOMES][6], 12, TOP_LEFT, "General"),
        (COLUMN_HEADERS[OUTCOMES][7], 20, TOP_LEFT, "General"),
        (COLUMN_HEADERS[OUTCOMES][8], 12, TOP_LEFT, "General"),
        (COLUMN_HEADERS[OUTCOMES][9], 13, TOP_LEFT, "General"),
        (COLUMN_HEADERS[OUTCOMES][10], 11, TOP_CENTRE, "yyyy-mm-dd"),
        (COLUMN_HEADERS[OUTCOMES][11], 14, TOP_LEFT, "General"),
    ], [SUBTITLE, "现场立即纠正的由检查人员确认；暂停生产并发布安全警示信息的记录发布情况；"
        "涉嫌违法的记录立案编号或移交情况（十、1）。"]),
    ROUNDS: ("landscape", [
        (COLUMN_HEADERS[ROUNDS][0], 8, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[ROUNDS][1], 8, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[ROUNDS][2], 11, TOP_CENTRE, "yyyy-mm-dd"),
        (COLUMN_HEADERS[ROUNDS][3], 36, TOP_LEFT, "General"),
        (COLUMN_HEADERS[ROUNDS][4], 10, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[ROUNDS][5], 11, TOP_CENTRE, "yyyy-mm-dd"),
        (COLUMN_HEADERS[ROUNDS][6], 10, TOP_LEFT, "General"),
        (COLUMN_HEADERS[ROUNDS][7], 9, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[ROUNDS][8], 30, TOP_LEFT, "General"),
    ], [SUBTITLE, "每轮复查结束后由系统保存，不能修改；本轮整改情况填在“整改跟踪”表。"]),
    EXTENSIONS: ("portrait", [
        (COLUMN_HEADERS[EXTENSIONS][0], 8, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[EXTENSIONS][1], 8, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[EXTENSIONS][2], 12, TOP_CENTRE, "yyyy-mm-dd"),
        (COLUMN_HEADERS[EXTENSIONS][3], 39, TOP_LEFT, "General"),
        (COLUMN_HEADERS[EXTENSIONS][4], 14, TOP_LEFT, "General"),
        (COLUMN_HEADERS[EXTENSIONS][5], 11, TOP_CENTRE, "yyyy-mm-dd"),
    ], [SUBTITLE, "同意延期整改的，在下方空行填写问题编号、延期后的整改期限、理由和批准情况，"
        "延期编号留空；最后一次延期的期限为现行整改期限。"]),
    FOLLOW_UP: ("portrait", [
        (COLUMN_HEADERS[PLAN][0], 32, TOP_LEFT, "General"),
        (COLUMN_HEADERS[PLAN][1], 36, TOP_LEFT, "General"),
        (COLUMN_HEADERS[PLAN][2], 26, TOP_LEFT, "General"),
    ], [SUBTITLE]),
    EVIDENCE: ("landscape", [
        (COLUMN_HEADERS[EVIDENCE][0], 6, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[EVIDENCE][1], 9, TOP_LEFT, "General"),
        (COLUMN_HEADERS[EVIDENCE][2], 20, TOP_LEFT, "General"),
        (COLUMN_HEADERS[EVIDENCE][3], 18, TOP_LEFT, "General"),
        (COLUMN_HEADERS[EVIDENCE][4], 8, TOP_CENTRE, "General"),
        (COLUMN_HEADERS[EVIDENCE][5], 9, TOP_LEFT, "General"),
        (COLUMN_HEADERS[EVIDENCE][6], 16, TOP_LEFT, "General"),
        (COLUMN_HEADERS[EVIDENCE][7], 24, TOP_LEFT, "General"),
        (COLUMN_HEADERS[EVIDENCE][8], 22, TOP_CENTRE, "General"),
    ], [SUBTITLE, "照片、文件和手写签名按其 SHA-256 保存，封印覆盖该值；图片为缩略图。"]),
    AUDIT: ("landscape", [
        (COLUMN_HEADERS[AUDIT][0], 20, TOP_LEFT, "General"),
        (COLUMN_HEADERS[AUDIT][1], 10, TOP_LEFT, "General"),
        (COLUMN_HEADERS[AUDIT][2], 14, TOP_LEFT, "General"),
        (COLUMN_HEADERS[AUDIT][3], 26, TOP_LEFT, "General"),
        (COLUMN_HEADERS[AUDIT][4], 32, TOP_LEFT, "General"),
        (COLUMN_HEADERS[AUDIT][5], 32, TOP_LEFT, "General"),
    ], ["被检查企业：{企业名称}　　检查编号：{检查编号}　　导出时间：{导出时间}"]),
}

#: body text size per sheet (points): the long sampling list is set smaller, never below 8
BODY_SIZE = {SAMPLING: 8.5, RECORD: 9.5}

README_LINES = [
    "工作簿模板说明 / How this template works",
    "",
    "本文件决定 `kit export` 生成的 Excel 检查文书的外观。可以在 Excel 或 WPS 中修改字体、颜色、边框、列宽、抬头和页眉页脚，无需修改程序。",
    "每个工作表对应输出中的同名工作表（检查方案、现场检查记录、问题与整改、记录抽样、签字确认、整改跟踪、处理结果、复查记录、延期整改、跟踪、证据材料、审计记录）；请勿改名或删除。本“说明”表不会输出。",
    "",
    "1. 样式行：每个表中最后一行有文字的行（“示例”）。其每个单元格的字体、填充、边框、对齐和数字格式逐列用于所有数据行；文字本身不输出；其行高为数据行的最小行高（多行文字的行自动加高）。",
    "2. 表头行：样式行上面的一行。其样式用于列标题（标题文字由工具包写入），打印时每页重复，并冻结在窗口顶部；现场检查记录中的分节行使用 A 列表头的样式。",
    "3. 抬头：表头行以上的所有行原样复制（文字、样式、合并单元格、行高），可增删行。合并范围与模板列数同宽时，自动扩展到输出的全部列。",
    "4. 占位符（可用于抬头和页眉页脚）：{检查单位} {表名} {企业名称} {统一社会信用代码} {检查编号} {检查类型} {检查日期} {导出时间} {校验码} {抽样参数}。",
    "5. 列宽、纸张（A4）、方向、缩放（调整为一页宽）、页边距、水平居中、页眉页脚（&P 页码，&N 总页数）和网格线显示均从模板复制；比模板多出的列沿用最后一列的列宽和样式。",
    "6. 列的顺序和标题由工具包决定，请勿在模板中移动列。图片（如徽标）无法带入输出。",
    "",
    "Each sheet: the last row holding text is the body-style row, the row above it the header row",
    "(frozen, repeated on every page), everything above it the title block (copied, placeholders",
    "filled in). Widths, page setup, header and footer come from here; header words and column",
    "order come from the kit.",
]


def build() -> Workbook:
    wb = Workbook()
    readme = wb.active
    readme.title = "说明"
    readme.column_dimensions["A"].width = 120
    for i, line in enumerate(README_LINES, 1):
        cell = readme.cell(i, 1, line)
        cell.font = Font(name=SONG, size=11, bold=(i == 1), charset=GB2312)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for name, (orientation, columns, extra) in SHEETS.items():
        ws = wb.create_sheet(name)
        n = len(columns)
        last = get_column_letter(n)
        lines = [(LETTERHEAD, Font(name=SONG, size=12, charset=GB2312), CENTRE, 20),
                 ("{表名}", Font(name=HEI, size=16, charset=GB2312), CENTRE, 30)]
        lines += [(t, Font(name=SONG, size=10.5, charset=GB2312),
                   Alignment(horizontal="left", vertical="center", wrap_text=True), 18)
                  for t in extra]
        for r, (text, font, align, height) in enumerate(lines, 1):
            cell = ws.cell(r, 1, text)
            cell.font, cell.alignment = font, align
            ws.merge_cells(f"A{r}:{last}{r}")
            ws.row_dimensions[r].height = height
        head, body = len(lines) + 1, len(lines) + 2
        ws.row_dimensions[head].height = 30
        size = BODY_SIZE.get(name, 10.5)
        ws.row_dimensions[body].height = round(size * 1.45 + 3, 1)  # every data row's minimum
        for c, (header, width, align, number_format) in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(c)].width = width
            h = ws.cell(head, c, header)
            h.font = Font(name=HEI, size=10.5, charset=GB2312)
            h.alignment, h.border, h.fill = CENTRE, BOX, HEAD_FILL
            b = ws.cell(body, c, "示例")
            b.font = Font(name=SONG, size=size, charset=GB2312)
            b.alignment, b.border, b.number_format = align, BOX, number_format
        ws.page_setup.orientation = orientation
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.75, bottom=0.75,
                                      header=0.3, footer=0.3)
        hf = HeaderFooter()
        hf.oddHeader.left.text = "{检查单位}"
        hf.oddHeader.right.text = "{企业名称}"
        hf.oddFooter.left.text = "检查编号 {检查编号}"
        hf.oddFooter.center.text = "第 &P 页 共 &N 页"
        hf.oddFooter.right.text = "校验码 {校验码}"
        for part in (hf.oddHeader, hf.oddFooter):
            for side in (part.left, part.center, part.right):
                side.size = 9
        ws.HeaderFooter = hf
        ws.sheet_view.showGridLines = False
    return wb


def main() -> None:
    build().save(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
