"""The shape of the workbook's sheets as plain data, and the reference data they are made of.

A sheet is a :class:`SheetLayout`: columns and rows of plain values, with the editable cells
marked by the record path they hold (``_sheets.py`` renders the record into
them). The writer puts these rows into cells, :func:`kit.workbook.verify_workbook` renders
them again from the record embedded in the workbook and compares cell by cell, and the
importer uses them to know which cell holds which field and what it showed when exported.

Rendering reads reference data besides the record: checklist items and their texts, the words
of the guide's vocabularies, section titles, working-day counts. All of it goes through one
:class:`Lookups` object, which records every answer at export time. The answers are stored in
the workbook, so a later verify renders exactly what was exported even after the guide, a
checklist profile or the holiday calendar has changed.

Nothing here touches openpyxl; every mapping is iterated in a fixed order (natural order of
its ids) because the embedded record is canonical JSON with sorted keys.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from kit.errors import KitError
from kit.guide import load_guide
from kit.labels import REGISTER_COLUMNS, SAMPLING_COLUMNS
from kit.policy import load_policy
from kit.profiles import find_item, resolve_profile, section_items
from kit.record import Inspection, natural_key
from kit.workdays import CalendarEstimateWarning, workdays_between

Value = str | int | date | datetime | None

MAX_CELL_UNITS = 32767  # Excel's limit, in UTF-16 code units
YES, NO = "是", "否"

PLAN, RECORD, FINDINGS, SAMPLING, SIGNATURES, TRACKING, FOLLOW_UP, EVIDENCE, AUDIT = (
    "检查方案", "现场检查记录", "问题与整改", "记录抽样", "签字确认", "整改跟踪", "跟踪", "证据材料",
    "审计记录",
)
#: since layout 5: each handling's outcome, the kept review rounds, the extensions granted
OUTCOMES, ROUNDS, EXTENSIONS = "处理结果", "复查记录", "延期整改"
SHEET_NAMES = (PLAN, RECORD, FINDINGS, SAMPLING, SIGNATURES, TRACKING, OUTCOMES, ROUNDS,
               EXTENSIONS, FOLLOW_UP, EVIDENCE, AUDIT)
SHEET_TITLES = {
    PLAN: "医疗器械生产监督检查方案",
    RECORD: "医疗器械生产监督现场检查记录",
    FINDINGS: "检查发现问题及整改要求",
    SAMPLING: "记录样本选取清单",
    SIGNATURES: "检查结果确认及签字",
    TRACKING: "问题整改逐项跟踪",
    FOLLOW_UP: "跟踪检查及后续措施",
    EVIDENCE: "证据材料清单（照片、文件、手写签名）",
    AUDIT: "检查记录修改审计记录",
    OUTCOMES: "问题处理结果（十、1）",
    ROUNDS: "整改复查记录（六、9；十、3）",
    EXTENSIONS: "延期整改记录",
}
#: the lead columns of the sampling engine's selection, in its order, with their headers
SAMPLING_KNOWN = {code: zh for code, (zh, _en) in SAMPLING_COLUMNS.items()}

class AuditLike(Protocol):
    """An audit-trail entry as the store keeps it (duck-typed: any object with these)."""

    @property
    def at(self) -> datetime | str: ...
    @property
    def user(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def path(self) -> str | None: ...
    @property
    def old(self) -> Any: ...
    @property
    def new(self) -> Any: ...


@dataclass(frozen=True)
class Change:
    """One value read from a filled-in workbook that differs from the record.

    ``path`` is the record's document path (``results/7.8.m4/result``, ``findings/F2/deadline``;
    a new finding is one change at ``findings/F5`` whose value is the whole finding), ``value``
    the new JSON value, ``sheet`` and ``cell`` where it was read (``问题与整改``, ``D12``).
    """

    path: str
    value: Any
    sheet: str
    cell: str

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}"


# -- text as a cell can hold it -----------------------------------------------------------------
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SUSPECT = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")  # also CR


def cell_text(text: str) -> str:
    """``text`` as a cell shows it: line ends as LF, no XML-illegal characters, <= 32,767 units.

    XML readers turn CR LF into LF and openpyxl refuses control characters, so the writer and
    the verifier both render through this one function and compare like with like.
    """
    if len(text) <= MAX_CELL_UNITS // 2 and not _SUSPECT.search(text):
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("\ufffd", text)
    if len(text) > MAX_CELL_UNITS // 2 and len(text.encode("utf-16-le")) // 2 > MAX_CELL_UNITS:
        keep = MAX_CELL_UNITS - 2
        while len(text[:keep].encode("utf-16-le")) // 2 > MAX_CELL_UNITS - 1:
            keep -= 1
        text = text[:keep] + "…"
    return text


def _sorted(mapping: Mapping[str, Any]) -> list[str]:
    return sorted(mapping, key=natural_key)


def fmt_dt(value: datetime | date | None) -> str:
    """A date or time as the workbook prints it in text (``2026-11-13 15:30``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


# -- the shape of a sheet -----------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """An editable cell: the record path it holds and how to read what a person types there.

    ``kind`` is one of text, result, means, handling, date, datetime, bool, members, item,
    review_mode, flag (a 是/否 cell that puts ``code`` into the list at ``path``).
    """

    path: str
    kind: str = "text"
    code: str = ""
    required: bool = False


@dataclass(frozen=True)
class Column:
    """A column: its header and, for rows typed in below the table, the field it fills."""

    key: str
    header: str
    kind: str = ""
    required: bool = False


@dataclass(frozen=True)
class Row:
    """One rendered row; ``fields`` maps a 0-based column index to the editable field there."""

    values: tuple[Value, ...]
    fields: Mapping[int, Field] = field(default_factory=dict)
    group: bool = False
    height: float | None = None
    picture: str = ""  # the SHA-256 of a picture placed in the row's last column

    @property
    def key(self) -> str:
        first = self.values[0] if self.values else None
        return first if isinstance(first, str) else ""


@dataclass(frozen=True)
class SheetLayout:
    """A sheet as rows below its header; ``open_rows`` blank rows below accept new entries."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    open_rows: int = 0
    form: bool = False
    key_columns: int = 1  # the row is found by its first cells (joined by '/')


# -- reference data, recorded --------------------------------------------------------------------
class ReplayError(KitError, LookupError):
    """The workbook's stored reference data lacks an answer the record needs."""


#: the lookups a workbook written before layout 5 lacks: its kit graded nothing
_GRADING_KEYS = ("scheme/", "propose/")


class Lookups:
    """Reference data for rendering, computed live at export and replayed at verify/import.

    ``Lookups.live(inspection)`` asks the guide, the profile and the calendar and remembers each
    answer in :attr:`data` (plain JSON); ``Lookups.replay(data)`` answers only from that data.
    """

    def __init__(self, data: dict[str, Any], compute: Callable[[str], Any] | None) -> None:
        self.data = data
        self._compute = compute

    @classmethod
    def live(cls, inspection: Inspection) -> Lookups:
        return cls({}, _LiveSource(inspection).answer)

    @classmethod
    def replay(cls, data: Mapping[str, Any]) -> Lookups:
        return cls(dict(data), None)

    @classmethod
    def fixed(cls, inspection: Inspection) -> Lookups:
        """Answers that depend on nothing installed (the guide, a profile, the calendar): what
        a layout's fingerprint renders with, so that only a change in the writer changes it."""
        return cls({}, _FixedSource(inspection).answer)

    def get(self, key: str) -> Any:
        if key in self.data:
            return self.data[key]
        if self._compute is None:
            if key.startswith(_GRADING_KEYS):  # written before the office could grade (layout 5)
                return None
            raise ReplayError(key)
        value = self._compute(key)
        self.data[key] = value
        return value

    # conveniences over get()
    def checklist(self, section_id: str) -> list[list[str]]:
        """[[item id, label, kind, zh text], ...] of one section under the record's profile."""
        return list(self.get(f"checklist/{section_id}"))

    def section(self, section_id: str) -> tuple[str, str]:
        label, title = self.get(f"section/{section_id}")
        return str(label), str(title)

    def clause(self, clause_id: str) -> tuple[str, str]:
        label, text = self.get(f"clause/{clause_id}")
        return str(label), str(text)

    def terms(self, vocabulary: str) -> list[tuple[str, str]]:
        return [(str(c), str(z)) for c, z in self.get(f"terms/{vocabulary}")]

    def term(self, vocabulary: str, code: str) -> str:
        return dict(self.terms(vocabulary)).get(code, code)

    def workdays(self, start: date, end: date) -> Value:
        value = self.get(f"workdays/{start.isoformat()}/{end.isoformat()}")
        return value if isinstance(value, int | str) else None

    def scheme(self, name: str = "") -> Mapping[str, Any] | None:
        """The office's grading scheme in force at export (``name`` empty) or the one named:
        ``{"id", "zh", "grades": [[code, zh]…], "verdicts": [[code, zh]…]}``; None for a
        scheme the office's ``grading.yaml`` does not have."""
        value = self.get(f"scheme/{name}")
        return value if isinstance(value, Mapping) else None

    def proposed(self, grades: Sequence[str]) -> str:
        """The verdict the scheme in force at export proposes for findings of these grades
        ('' when it grades nothing or a finding is not graded yet)."""
        return str(self.get("propose/" + ",".join(grades)) or "")


class _LiveSource:
    """Answers lookups from the installed guide, the record's profile and the calendar."""

    def __init__(self, inspection: Inspection) -> None:
        self.inspection = inspection

    def answer(self, key: str) -> Any:
        kind, _, arg = key.partition("/")
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            raise ReplayError(key)
        return handler(arg)

    def _checklist(self, section_id: str) -> list[list[str]]:
        guide = load_guide()
        if section_id not in guide:
            return []
        # a profile the office removed: the guide's own items still render
        items = section_items(resolve_profile(self.inspection.profile), section_id, guide)
        return [[i.id, i.label, i.kind, i.zh] for i in items]

    def _section(self, section_id: str) -> list[str]:
        guide = load_guide()
        if section_id not in guide:
            return [section_id, ""]
        clause = guide.item(section_id)
        return [clause.label.rstrip("."), clause.text.zh]

    def _clause(self, clause_id: str) -> list[str]:
        guide = load_guide()
        try:
            clause = find_item(clause_id, resolve_profile(self.inspection.profile), guide)
        except KitError:
            return [clause_id, ""]
        return [clause.label, clause.text.zh]

    def _terms(self, vocabulary: str) -> list[list[str]]:
        return [[t.code, t.zh] for t in load_guide().terms(vocabulary)]

    def _workdays(self, arg: str) -> int | str:
        start, end = (date.fromisoformat(p) for p in arg.split("/"))
        with warnings.catch_warnings():
            # the cell itself says the count is an estimate, and for which year
            warnings.simplefilter("ignore", CalendarEstimateWarning)
            count = workdays_between(start, end, allow_estimate=True)
        return str(count) if count.estimated else count.days

    def _scheme(self, name: str) -> Any:
        policy = load_policy()
        scheme = policy.scheme_named(name) if name else policy.scheme
        if scheme is None:
            return None
        return {"id": scheme.id, "zh": scheme.zh,
                "grades": [[t.code, t.zh] for t in scheme.grades],
                "verdicts": [[t.code, t.zh] for t in scheme.verdicts]}

    def _propose(self, arg: str) -> str:
        return load_policy().scheme.propose(arg.split(",") if arg else [])

    def _sampling(self, arg: str) -> Any:
        if arg == "headers":  # Chinese names of the records register's canonical columns
            return {code: zh for code, (zh, _en) in REGISTER_COLUMNS.items()}
        seen: dict[str, None] = {}
        for key in self.inspection.sampling.columns:
            if key not in SAMPLING_KNOWN:
                seen.setdefault(key, None)
        for row in self.inspection.sampling.rows:
            for key in row:
                if key not in SAMPLING_KNOWN:
                    seen.setdefault(key, None)
        return list(seen)


class _FixedSource(_LiveSource):
    """Stand-in reference data: each checklist section lists the record's own results in it,
    every label and word is made from its id, every vocabulary has two words."""

    def _checklist(self, section_id: str) -> list[list[str]]:
        prefix = section_id + "."
        return [[i, f"〔{i}〕", "", f"〔{i} 条文〕"]
                for i in _sorted(self.inspection.results) if i.startswith(prefix)]

    def _section(self, section_id: str) -> list[str]:
        return [f"〔{section_id}〕", f"〔{section_id} 标题〕"]

    def _clause(self, clause_id: str) -> list[str]:
        return [f"〔{clause_id}〕", f"〔{clause_id} 条文〕"]

    def _terms(self, vocabulary: str) -> list[list[str]]:
        return [[f"{vocabulary}.{n}", f"〔{vocabulary} {n}〕"] for n in (1, 2)]

    def _workdays(self, arg: str) -> int | str:
        return 10

    def _scheme(self, name: str) -> Any:
        return {"id": name or "scheme", "zh": f"〔{name or 'scheme'}〕",
                "grades": [[f"g{n}", f"〔等级 {n}〕"] for n in (1, 2)],
                "verdicts": [[f"v{n}", f"〔结论 {n}〕"] for n in (1, 2)]}

    def _propose(self, arg: str) -> str:
        return "v1" if arg else "v2"


# -- shared by the sheets and the title block -------------------------------------------------
def text_value(value: Value) -> Value:
    """A value as a cell holds it (text through :func:`cell_text`)."""
    return cell_text(value) if isinstance(value, str) else value


def make_row(*values: Value, fields: Mapping[int, Field] | None = None, group: bool = False,
             height: float | None = None) -> Row:
    """One rendered row of ``values``, with the editable ``fields`` by 0-based column."""
    return Row(tuple(text_value(v) for v in values), dict(fields or {}), group, height)


def member_name(ins: Inspection, member_id: str) -> str:
    """A team member as the workbook names them: the name, else the key."""
    member = ins.team.get(member_id)
    return member.name if member is not None and member.name else member_id


def inspection_dates(ins: Inspection) -> str:
    start, end = ins.scope.start_date, ins.scope.end_date
    if start and end and end != start:
        return f"{start.isoformat()} 至 {end.isoformat()}"
    return fmt_dt(start or end)


def sampling_summary(ins: Inspection) -> str:
    """The draw's seed, date and parameters, one line (the 记录抽样 sheet's subtitle)."""
    s = ins.sampling
    parts = [f"随机种子 {s.seed}"]
    if s.inspection_date:
        parts.append(f"抽样基准日 {s.inspection_date.isoformat()}")
    params = "，".join(f"{k}={s.parameters[k]}" for k in _sorted(s.parameters))
    if params:
        parts.append(f"参数：{params}")
    parts.append(f"共 {len(s.rows)} 条记录" if s.rows else "尚未抽取记录样本")
    return cell_text("；".join(parts))


def placeholders(
    ins: Inspection, lk: Lookups, *, digest: str, exported_at: datetime, sheet: SheetLayout
) -> dict[str, str]:
    """The values of the template's placeholders (``{企业名称}`` and the like) on one sheet."""
    kind = lk.term("inspection_types", ins.scope.type)
    return {
        "表名": sheet.title,
        "检查单位": ins.inspecting_authority,
        "企业名称": ins.company.name,
        "统一社会信用代码": ins.company.credit_code,
        "检查编号": ins.id,
        "检查类型": kind + ("（飞行检查）" if ins.scope.unannounced else ""),
        "检查日期": inspection_dates(ins),
        "导出时间": exported_at.strftime("%Y-%m-%d %H:%M:%S"),
        "校验码": digest[:16],
        "抽样参数": sampling_summary(ins),
    }


_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,20})\}")


def fill_placeholders(text: str, values: Mapping[str, str], *, escape_amp: bool = False) -> str:
    """``text`` with each known ``{名称}`` replaced; unknown ones are left as typed."""

    def one(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        if value is None:
            return m.group(0)
        return value.replace("&", "&&") if escape_amp else value

    return _PLACEHOLDER.sub(one, text)


# -- the layouts the writer has had -----------------------------------------------------------
@dataclass(frozen=True)
class WorkbookLayout:
    """A layout of the workbook as some kit wrote it: the number its hidden sheet carries, its
    visible sheets in order, and the sheets this kit renders exactly as that kit did.

    ``rendered`` maps each such sheet to the fingerprint of its rendering
    (:func:`kit.workbook.sheet_fingerprints`). A sheet is compared cell by cell only while the
    current layout renders it with the same fingerprint, so a later change to the writer stops
    the comparison of exactly the sheets it changed. ``headers`` are column headers that
    layout wrote in other words. Two layouts that carry one number are told apart by the sheets
    their sealed manifest lists.
    """

    number: int
    sheets: tuple[str, ...]
    rendered: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    written_by: str = ""

    @property
    def fingerprint(self) -> str:
        """What the layout holds, one digest: its sheets and their fingerprints, in order."""
        text = "\n".join(f"{s}\t{self.rendered.get(s, '')}" for s in self.sheets)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def compared(self) -> tuple[str, ...]:
        """The sheets whose cells this kit compares: rendered today as that kit rendered them."""
        now = CURRENT_LAYOUT.rendered
        return tuple(s for s in self.sheets if s in self.rendered and now.get(s) == self.rendered[s])

    @property
    def is_current(self) -> bool:
        """Whether this is the current layout (perhaps written before it had its number)."""
        return (self.sheets == CURRENT_LAYOUT.sheets and not self.headers
                and self.compared == CURRENT_LAYOUT.sheets)


#: each sheet's fingerprint in layout 3 (tests/workbook/test_formats.py renders the reference
#: record and fails when the writer no longer gives these). Never edited: a writer that lays a
#: sheet out otherwise makes layout 4, its fingerprints beside it and last in LAYOUTS; the
#: sheets whose fingerprints stay the same are still compared in the earlier layouts' workbooks
LAYOUT_3 = {
    PLAN: "27d89ea53b3f359f1de3bad8bf099a17af7cac013736ec90004d64754205a5a5",
    RECORD: "e24ba3188d763f777a87bc1577309ce709c7f5b0806cfb9db4f094f1760327d4",
    FINDINGS: "78423e4fd949d280a7407f163ab89c1cea67cbd1e8e0d8dc88bd49ee2f99ab5b",
    SAMPLING: "93ac25952724e6b5702ec30dd1e9f3d13335ed7a338af8280ccea60c1ad9fcc2",
    SIGNATURES: "71fbb240a1569cacfbb26064a672fd1c05cd8d71484ff9881b71723ee3c8d50a",
    TRACKING: "18d528bbebead685c85749ad60cfd66c4271872c9ce79ea2f59386ca7666b0aa",
    FOLLOW_UP: "c3debdb16d96a81e8b8554cc36977a245de0e0f68d5be1ed097997ee4cbd29b7",
    EVIDENCE: "6b04d8c8f3fd49f5ef82df538386f3584f11080c6b1bebd0362d7e4e913a3fed",
    AUDIT: "ead4565dfece9ffd67e9a8e07f4b236744bd250fddaa4c198e7865e564d2815f",
}
#: layout 4 (issue 25): 签字确认 holds the inability to inspect of 六、8; the other sheets are
#: laid out as in 3
LAYOUT_4 = {**LAYOUT_3,
            SIGNATURES: "c97384e24d92b0a8213ee11233a9a86c54e5574e9c7aeacc7a9741e16f9a6c19"}
#: layout 5 (issue 25): a finding's grade (问题与整改), the deadline in force (整改跟踪), the
#: verdict and the suspension notice (签字确认), the review units told and the duties across
#: authorities (跟踪), and three sheets: 处理结果, 复查记录, 延期整改
LAYOUT_5 = {
    **LAYOUT_4,
    FINDINGS: "d82af6ca33fea8987f24ad7de18eaed11fb1e18ffca152cff2efca5c4c681f18",
    SIGNATURES: "f930d865b3474aa0a9115bb1fa2644c8c6d762dc8134dddf142e4c522a44b14d",
    TRACKING: "2ec5d704fff7a7a6d8a2ee886bdbcb2189fe21ca3fce5397eb740f5f791a77d3",
    OUTCOMES: "7d78cb935687cce3276c64e845997ba9a4cdfa3b94f29d79f021afc7b88e5367",
    ROUNDS: "79479dcdb178ec3337867dafe5c74623b547de0f077c5f2a343fd993e7626972",
    EXTENSIONS: "00a4c302b4dec343cacb20b7fb11330caec5a134961e3feb5c011153a5d64d3c",
    FOLLOW_UP: "3967f8ecc455d1d92675f460382c8f5fc0235aad128239b1bdb87f9cbce91994",
}
_SEVEN = (PLAN, RECORD, FINDINGS, SAMPLING, SIGNATURES, FOLLOW_UP, AUDIT)
_EIGHT = (PLAN, RECORD, FINDINGS, SAMPLING, SIGNATURES, TRACKING, FOLLOW_UP, AUDIT)
_NINE = (PLAN, RECORD, FINDINGS, SAMPLING, SIGNATURES, TRACKING, FOLLOW_UP, EVIDENCE, AUDIT)
_AUDIT_HEADERS_1 = {AUDIT: ("时间", "用户", "操作", "字段", "原值", "新值")}

#: Every layout a kit has written, oldest first; the last is the one this kit writes. Layouts
#: 1 and 2 each carried one number over two sets of sheets (a sheet was added without a new
#: number); from 3 on a number names one layout. tests/data/formats holds a workbook of each.
LAYOUTS = (
    # 4478097 … f26d4fd: several renderings of 检查方案, 问题与整改, 记录抽样 and 签字确认
    # under one number; only the sheets they all rendered as this kit does are compared
    WorkbookLayout(1, _SEVEN, {s: LAYOUT_3[s] for s in (RECORD, FOLLOW_UP, AUDIT)},
                   _AUDIT_HEADERS_1, "4478097 … f26d4fd"),
    # d4cae3b added 整改跟踪 and kept the number
    WorkbookLayout(1, _EIGHT, {s: LAYOUT_3[s] for s in _EIGHT}, _AUDIT_HEADERS_1, "d4cae3b"),
    # a record of these kits has no evidence, so 签字确认 names no drawn signature
    WorkbookLayout(2, _EIGHT, {s: LAYOUT_3[s] for s in _EIGHT}, {}, "bed76f4 … 4b53c2b"),
    # f1547e1 added 证据材料 and kept the number: layout 3 before it had its own
    WorkbookLayout(2, _NINE, LAYOUT_3, {}, "f1547e1 … 702a283"),
    WorkbookLayout(3, _NINE, LAYOUT_3, {}, "from the commit that numbered it (issue 22)"),
    WorkbookLayout(4, _NINE, LAYOUT_4, {}, "5d7e25b … 6c09ada (issue 25, the inability to inspect)"),
    WorkbookLayout(5, SHEET_NAMES, LAYOUT_5, {}, "from the commit that numbered it (issue 25)"),
)
CURRENT_LAYOUT = LAYOUTS[-1]
#: the number of the layout this kit writes
FORMAT = CURRENT_LAYOUT.number


def layout_of(manifest: Mapping[str, Any]) -> WorkbookLayout | None:
    """The layout a workbook holds, from its sealed manifest: the number it carries and the
    sheets it lists (never from the visible sheets, which anyone can delete or add); None
    for a combination no kit wrote (or a later kit's)."""
    number = manifest.get("format")
    sheets = frozenset(manifest.get("sheets") or ())
    for layout in LAYOUTS:
        if layout.number == number and frozenset(layout.sheets) == sheets:
            return layout
    return None
