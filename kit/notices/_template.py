"""The office's notice templates (``templates/notices.yaml``: the result, rectification and
suspension notices) and its document numbering.

>>> scheme = "京药监械检告〔{year}〕{seq:03d}号"
>>> next_number(scheme, 2026, ["京药监械检告〔2026〕007号", "京药监械检告〔2025〕031号", "x"])
'京药监械检告〔2026〕008号'
>>> next_number(scheme, 2027, ["京药监械检告〔2026〕007号"])
'京药监械检告〔2027〕001号'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kit.errors import NotFoundError, Problem, ValidationError
from kit.resources import DATA_DIR, templates_dir
from kit.schemas import check_file

SCHEMA_FILE = DATA_DIR / "notices.schema.json"

#: what a notice's texts may say in braces, each filled from the record (the last three are
#: whole sentences, empty where they do not apply: :data:`SENTENCES`)
PLACEHOLDERS = (
    "企业名称", "统一社会信用代码", "生产地址", "检查单位", "检查类型", "检查开始日期",
    "检查结束日期", "检查日期", "检查依据", "检查意见", "检查组长", "检查组成员", "问题数", "文号",
    "检查结论", "安全警示信息", "恢复生产条件",
)
#: the placeholders that are whole sentences: the verdict under the office's grading scheme,
#: the safety warnings published (十、1) and what lets suspended production resume (the
#: office's rule, templates/handling.yaml); a paragraph that fills to nothing is left out
SENTENCES = ("检查结论", "安全警示信息", "恢复生产条件")
#: who may sign a notice (``signatures`` in the template), with what the notice calls them
SIGNER_ROLES = {"leader": "检查组长", "inspectors": "检查人员", "company": "企业负责人",
                "witness": "见证人"}
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


@dataclass(frozen=True)
class NoticeTemplates:
    """The office's letterhead and sign-off, and each kind of notice."""

    office: str
    letterhead: str
    contact: str
    kinds: Mapping[str, NoticeTemplate]
    source: str = ""

    def __getitem__(self, kind: str) -> NoticeTemplate:
        return self.kinds[kind]


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
    """Every problem of a notice-templates document: its shape, then each number scheme and
    placeholder."""
    found = [Problem("notices.template", f"文书模板格式不符：{zh}", en, field=where or "/",
                     file=file) for where, zh, en in check_file(data, SCHEMA_FILE)]
    if found:
        return found
    for kind, spec in data["notices"].items():
        where = f"notices/{kind}"
        scheme = spec["number"]
        rest = _SEQ.sub("", scheme).replace("{year}", "", 1)
        if len(_SEQ.findall(scheme)) != 1 or scheme.count("{year}") != 1 or \
                _BRACES.search(rest):
            found.append(Problem(
                "notices.template",
                f"文号格式须含一个 {{year}} 和一个 {{seq}}（或 {{seq:03d}}），不能有其他占位符：{scheme}",
                "a number scheme needs one {year} and one {seq} (or {seq:03d}) and nothing else "
                "in braces", field=f"{where}/number", file=file))
        texts = {"title": spec["title"], "findings_intro": spec["findings_intro"],
                 "no_findings": spec["no_findings"], "receipt": spec["receipt"],
                 **{f"paragraphs/{i}": t for i, t in enumerate(spec["paragraphs"])},
                 **{f"closing/{i}": t for i, t in enumerate(spec["closing"])}}
        for name, text in texts.items():
            for unknown in sorted(set(_BRACES.findall(text)) - set(PLACEHOLDERS)):
                found.append(Problem(
                    "notices.template",
                    f"未知的占位符 {{{unknown}}}；可用：" + "、".join(PLACEHOLDERS),
                    f"unknown placeholder {{{unknown}}}", field=f"{where}/{name}", file=file))
    return found


def _templates(data: Mapping[str, Any], source: str) -> NoticeTemplates:
    office = data["office"]
    kinds = {
        kind: NoticeTemplate(kind, spec["title"], spec["number"], tuple(spec["paragraphs"]),
                             spec["findings_intro"], spec["no_findings"],
                             tuple(spec["closing"]), spec["receipt"],
                             tuple(spec.get("signatures") or ()))
        for kind, spec in data["notices"].items()
    }
    return NoticeTemplates(office.get("name") or "", office["letterhead"],
                           office.get("contact") or "", kinds, source)


def _pattern(scheme: str, year: int) -> re.Pattern[str]:
    parts = [re.escape(p) for p in _SEQ.split(scheme.replace("{year}", str(year)))[::2]]
    return re.compile(r"(\d+)".join(parts))


def next_number(scheme: str, year: int, used: Iterable[str]) -> str:
    """The next document number of ``year`` in ``scheme``, after every number in ``used``
    that follows the scheme (others, such as numbers typed by hand, are ignored)."""
    pattern = _pattern(scheme, year)
    seqs = [int(m.group(1)) for n in used if isinstance(n, str) and (m := pattern.fullmatch(n))]
    seq = max(seqs, default=0) + 1
    m = _SEQ.search(scheme)
    width = int(m.group(1)) if m and m.group(1) else 0
    return _SEQ.sub(f"{seq:0{width}d}", scheme.replace("{year}", str(year)))


def follows_scheme(number: str, scheme: str, year: int) -> bool:
    """Whether ``number`` is one of ``year``'s numbers in ``scheme``."""
    return _pattern(scheme, year).fullmatch(number) is not None
