"""The office's notice templates (``templates/notices.yaml``: the result, rectification and
suspension notices), each issuing authority's own (its letterhead, sign-off, titles, number
shapes and starting numbers, ``authorities:``), and the document numbering.

Numbers run per number shape and year: an authority with its own shape has its own sequence,
so two authorities may both issue their own 001 (the texts differ by shape, and the store
refuses a number text given twice).

>>> scheme = "京药监械检告〔{year}〕{seq:03d}号"
>>> next_number(scheme, 2026, ["京药监械检告〔2026〕007号", "京药监械检告〔2025〕031号", "x"])
'京药监械检告〔2026〕008号'
>>> next_number(scheme, 2027, ["京药监械检告〔2026〕007号"])
'京药监械检告〔2027〕001号'
>>> next_number(scheme, 2027, ["京药监械检告〔2026〕007号"], start=101)
'京药监械检告〔2027〕101号'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kit.errors import NotFoundError, Problem, ValidationError
from kit.resources import DATA_DIR, templates_dir
from kit.schemas import check_file

SCHEMA_FILE = DATA_DIR / "notices.schema.json"

#: what a notice's texts may say in braces, each filled from the record (the last four are
#: whole sentences, empty where they do not apply: :data:`SENTENCES`)
PLACEHOLDERS = (
    "企业名称", "统一社会信用代码", "生产地址", "检查单位", "检查类型", "检查开始日期",
    "检查结束日期", "检查日期", "检查依据", "检查意见", "检查组长", "检查组成员", "问题数", "文号",
    "检查结论", "安全警示信息", "恢复生产条件", "无法实施检查",
)
#: the placeholders that are whole sentences: the verdict under the office's grading scheme,
#: the safety warnings published (十、1), what lets suspended production resume (the
#: office's rule, templates/handling.yaml) and an inspection the company's own doing kept
#: from being carried out (六、8); a paragraph that fills to nothing is left out
SENTENCES = ("检查结论", "安全警示信息", "恢复生产条件", "无法实施检查")
#: who may sign a notice (``signatures`` in the template), with what the notice calls them
SIGNER_ROLES = {"leader": "检查组长", "inspectors": "检查人员", "company": "企业负责人",
                "witness": "见证人"}
#: the years a ``start`` may name (a four-digit year)
_YEARS = range(1000, 10000)
_BRACES = re.compile(r"\{([^{}]*)\}")
_SEQ = re.compile(r"\{seq(?::0?(\d)d)?\}")


@dataclass(frozen=True)
class NoticeTemplate:
    """One kind of notice: its title, numbering scheme and wording."""

    kind: str
    title: str
    number: str
    paragraphs: tuple[str, ...]
    findings_intro: str
    no_findings: str
    closing: tuple[str, ...]
    receipt: str
    #: whose drawn signatures the notice carries (:data:`SIGNER_ROLES`), in this order
    signatures: tuple[str, ...] = ()
    #: the first number of a year, where the office set one (``start: {2027: 101}``)
    start: Mapping[int, int] = field(default_factory=dict, hash=False)

    def first(self, year: int) -> int:
        """The first number of ``year``: its ``start``, else 1."""
        return self.start.get(year, 1)


@dataclass(frozen=True)
class NoticeTemplates:
    """The office's letterhead and sign-off, and each kind of notice; with each issuing
    authority's own (``authorities``, by the authority's name as a team leader's ``authority``
    holds it), resolved over the office's (:meth:`issuer`)."""

    office: str
    letterhead: str
    contact: str
    kinds: Mapping[str, NoticeTemplate]
    source: str = ""
    #: each authority listed in the file, its templates complete (the office's where it gives
    #: none of its own)
    authorities: Mapping[str, NoticeTemplates] = field(default_factory=dict, hash=False)
    #: the authority these templates are for ('' for the office's own, the default)
    authority: str = ""

    def __getitem__(self, kind: str) -> NoticeTemplate:
        return self.kinds[kind]

    def issuer(self, authority: str) -> NoticeTemplates:
        """The templates the notices of ``authority`` are issued under: its own section of
        the file, else the office's (an authority not listed).

        >>> t = load_notice_templates()
        >>> t.issuer("没有列出的分局") is t
        True
        """
        return self.authorities.get(authority.strip(), self)


def notices_file() -> Path:
    return templates_dir() / "notices.yaml"


def load_notice_templates(path: Path | None = None) -> NoticeTemplates:
    """The office's notice templates, checked: a problem names the file, field and cause."""
    path = path or notices_file()
    if not path.is_file():
        msg = f"找不到文书模板 {path} / no notice templates file"
        raise NotFoundError(msg)
    return _load(str(path.resolve()), path.stat().st_mtime_ns)


@cache
def _load(path: str, _mtime: int) -> NoticeTemplates:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ValidationError([Problem(
            "notices.template", f"文书模板不是有效的 YAML：{exc}", "not valid YAML",
            file=path, row=mark.line + 1 if mark is not None else None)], path) from None
    problems = template_problems(data, path)
    if problems:
        raise ValidationError(problems, path)
    return _templates(data, path)


def template_problems(data: Any, file: str = "") -> list[Problem]:
    """Every problem of a notice-templates document: its shape, then each number shape (one
    per sequence), starting number and placeholder, the office's notices and each
    authority's."""
    found = [Problem("notices.template", f"文书模板格式不符：{zh}", en, field=where or "/",
                     file=file) for where, zh, en in check_file(data, SCHEMA_FILE)]
    if found:
        return found
    shapes: dict[str, str] = {}  # a number shape -> where it was first given
    sections = [("notices", data["notices"])] + [
        (f"authorities/{name}/notices", (spec or {}).get("notices") or {})
        for name, spec in (data.get("authorities") or {}).items()]
    for base, notices in sections:
        for kind, spec in notices.items():
            found += _kind_problems(f"{base}/{kind}", spec or {}, shapes, file)
    return found


def _kind_problems(where: str, spec: Mapping[str, Any], shapes: dict[str, str],
                   file: str) -> list[Problem]:
    found: list[Problem] = []

    def flag(name: str, zh: str, en: str) -> None:
        found.append(Problem("notices.template", zh, en, field=f"{where}/{name}", file=file))

    scheme = spec.get("number")
    if scheme is not None:
        rest = _SEQ.sub("", scheme).replace("{year}", "", 1)
        if len(_SEQ.findall(scheme)) != 1 or scheme.count("{year}") != 1 or \
                _BRACES.search(rest):
            flag("number",
                    f"文号格式须含一个 {{year}} 和一个 {{seq}}（或 {{seq:03d}}），不能有其他占位符：{scheme}",
                    "a number scheme needs one {year} and one {seq} (or {seq:03d}) and nothing "
                    "else in braces")
        elif scheme in shapes:
            flag("number",
                    f"文号格式 {scheme} 与 {shapes[scheme]} 相同：每个出具机关、每种文书应有自己的文号格式，"
                    "各自编号",
                    f"the same number shape as {shapes[scheme]}: each authority and kind numbers "
                    "in its own shape")
        else:
            shapes[scheme] = f"{where}/number"
    for year, first in (spec.get("start") or {}).items():
        if _year(year) is None:
            flag(f"start/{year}", f"起始文号的年份应为四位年份（如 2027）：{year!r}",
                    f"a starting number is keyed by a four-digit year (2027), not {year!r}")
        elif scheme is None and where.startswith("authorities/"):
            flag(f"start/{year}",
                    "起始文号须与本机关自己的文号格式（number）一起给出；未给出时沿用本局的编号",
                    "a starting number needs the authority's own number shape (number); "
                    f"without one it numbers in the office's sequence (start {first})")
    texts = {"title": spec.get("title"), "findings_intro": spec.get("findings_intro"),
             "no_findings": spec.get("no_findings"), "receipt": spec.get("receipt"),
             **{f"paragraphs/{i}": t for i, t in enumerate(spec.get("paragraphs") or ())},
             **{f"closing/{i}": t for i, t in enumerate(spec.get("closing") or ())}}
    for name, text in texts.items():
        for unknown in sorted(set(_BRACES.findall(text or "")) - set(PLACEHOLDERS)):
            flag(name, f"未知的占位符 {{{unknown}}}；可用：" + "、".join(PLACEHOLDERS),
                    f"unknown placeholder {{{unknown}}}")
    return found


def _year(key: Any) -> int | None:
    """A ``start`` key as a year (2027 or "2027"); None if it is not one."""
    if isinstance(key, bool):
        return None
    if isinstance(key, str) and key.strip().isdigit():
        key = int(key)
    return key if isinstance(key, int) and key in _YEARS else None


def _kind(kind: str, spec: Mapping[str, Any]) -> NoticeTemplate:
    start = {y: int(n) for k, n in (spec.get("start") or {}).items()
             if (y := _year(k)) is not None}
    return NoticeTemplate(kind, spec["title"], spec["number"], tuple(spec["paragraphs"]),
                          spec["findings_intro"], spec["no_findings"], tuple(spec["closing"]),
                          spec["receipt"], tuple(spec.get("signatures") or ()), start)


def _templates(data: Mapping[str, Any], source: str) -> NoticeTemplates:
    office = data["office"]
    kinds = {kind: _kind(kind, spec) for kind, spec in data["notices"].items()}
    default = NoticeTemplates(office.get("name") or "", office["letterhead"],
                              office.get("contact") or "", kinds, source)
    authorities = {}
    for name, spec in (data.get("authorities") or {}).items():
        spec = spec or {}
        own = spec.get("notices") or {}
        # a kind the authority does not number itself numbers in the office's sequence,
        # from the office's start
        merged = {kind: _kind(kind, {**data["notices"][kind],
                                     **({"start": {}} if "number" in (own.get(kind) or {})
                                        else {}),
                                     **(own.get(kind) or {})})
                  for kind in data["notices"]}
        key = str(name).strip()
        authorities[key] = NoticeTemplates(
            spec.get("name") or key, spec.get("letterhead") or key,
            default.contact if spec.get("contact") is None else spec["contact"],
            merged, source, authority=key)
    return NoticeTemplates(default.office, default.letterhead, default.contact, kinds, source,
                           authorities)


def _pattern(scheme: str, year: int) -> re.Pattern[str]:
    parts = [re.escape(p) for p in _SEQ.split(scheme.replace("{year}", str(year)))[::2]]
    return re.compile(r"(\d+)".join(parts))


def next_number(scheme: str, year: int, used: Iterable[str], start: int = 1) -> str:
    """The next document number of ``year`` in ``scheme``, after every number in ``used``
    that follows the scheme (others, such as numbers typed by hand or another authority's,
    are ignored); the year's first is ``start``, and a sequence already past it goes on."""
    pattern = _pattern(scheme, year)
    seqs = [int(m.group(1)) for n in used if isinstance(n, str) and (m := pattern.fullmatch(n))]
    seq = max(max(seqs, default=0) + 1, start)
    m = _SEQ.search(scheme)
    width = int(m.group(1)) if m and m.group(1) else 0
    return _SEQ.sub(f"{seq:0{width}d}", scheme.replace("{year}", str(year)))


def follows_scheme(number: str, scheme: str, year: int) -> bool:
    """Whether ``number`` is one of ``year``'s numbers in ``scheme``."""
    return _pattern(scheme, year).fullmatch(number) is not None
