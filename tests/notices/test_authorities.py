"""Notices per issuing authority: a 分局 issues under its own letterhead, sign-off, titles and
number sequences (from the year's starting number) where ``templates/notices.yaml`` lists it,
the office's otherwise; every date on a notice is written 2026年11月11日."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from kit.cli import main
from kit.door import Door, Identity
from kit.errors import ValidationError
from kit.interchange import export_notice, issued_pdf
from kit.notices import (
    compose,
    load_notice_templates,
    next_number,
    notice_changes,
    notice_doc,
    notices_file,
    service_lines,
)
from kit.record import Attachment, Inspection
from kit.resources import shipped_dir
from kit.session import Session
from kit.store import NumberTakenError, Store
from kit.workdays import ESTIMATE_MARK, load_calendar

DAY = date(2026, 11, 20)
SEVENTH = "北京市药品监督管理局第七分局"  # the demo's leader's authority
EIGHTH = "北京市药品监督管理局第八分局"
UNLISTED = "北京市药品监督管理局第九分局"
needs_office = pytest.mark.skipif(
    shutil.which("libreoffice") is None and shutil.which("soffice") is None,
    reason="LibreOffice prints the notices")

#: two authorities' own sections, as an office would write them
AUTHORITIES: dict[str, Any] = {
    SEVENTH: {
        "letterhead": "北京市药品监督管理局第七分局文件",
        "name": "北京市药品监督管理局第七分局",
        "contact": "联系人：王七　联系电话：010-77777777",
        "notices": {
            "result": {"number": "京药监七分局械检告〔{year}〕{seq:03d}号"},
            "rectification": {"title": "责令整改通知书",
                              "number": "京药监七分局械责改〔{year}〕{seq:03d}号",
                              "start": {2026: 101}},
        },
    },
    EIGHTH: {
        "notices": {"result": {"number": "京药监八分局械检告〔{year}〕{seq}号"}},
    },
}


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(notices_file().read_text(encoding="utf-8"))
    return data


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The office's templates folder, its notices.yaml listing two authorities; returns the
    notices file."""
    folder = tmp_path / "templates"
    shutil.copytree(shipped_dir("templates"), folder)
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(folder))
    return write(folder / "notices.yaml", {**shipped(), "authorities": AUTHORITIES})


@pytest.fixture
def store(any_store_url: str) -> Iterator[Store]:
    with Store(any_store_url) as s:
        yield s


def led_by(demo: Inspection, authority: str, iid: str = "x") -> Inspection:
    """The demo at the report, none of its notices issued, its leader from ``authority``."""
    (leader,) = demo.leaders
    team = {**demo.team, leader: replace(demo.team[leader], authority=authority)}
    return replace(demo, id=iid, stage="reporting", notices={}, team=team)


# -- the template file -----------------------------------------------------------------------
def test_the_example_in_the_shipped_files_comments_loads_when_uncommented(
        tmp_path: Path) -> None:
    text = notices_file().read_text(encoding="utf-8")
    head, _, example = text.partition("\n# authorities:\n")
    example = "authorities:\n" + "\n".join(
        line.removeprefix("# ") for line in example.splitlines() if line.startswith("#   "))
    ours = write(tmp_path / "notices.yaml",
                 {**yaml.safe_load(head), **yaml.safe_load(example)})
    t = load_notice_templates(ours).issuer(SEVENTH)
    assert t.authority == SEVENTH
    assert t["rectification"].title == "责令整改通知书"
    assert t["rectification"].first(2027) == 101
    assert load_notice_templates().authorities == {}  # nothing listed unless the office says so


def test_an_unlisted_authority_issues_under_the_offices_templates(office: Path,
                                                                  demo: Inspection) -> None:
    t = load_notice_templates(office)
    assert t.issuer(UNLISTED) is t
    text = compose(led_by(demo, UNLISTED), "rectification")
    default = shipped()
    assert text.letterhead == default["office"]["letterhead"]
    assert text.office == default["office"]["name"]
    assert text.title == default["notices"]["rectification"]["title"]
    assert text.contact == default["office"]["contact"]


def test_a_listed_authority_gets_its_letterhead_sign_off_and_titles(office: Path,
                                                                    demo: Inspection) -> None:
    ins = led_by(demo, SEVENTH)
    rect, result = compose(ins, "rectification"), compose(ins, "result")
    own = AUTHORITIES[SEVENTH]
    assert (rect.letterhead, rect.office, rect.contact) == (own["letterhead"], own["name"],
                                                            own["contact"])
    assert rect.title == "责令整改通知书"
    # what the authority does not say differently is the office's
    assert result.title == shipped()["notices"]["result"]["title"]
    assert result.paragraphs == compose(led_by(demo, UNLISTED), "result").paragraphs
    # an authority with only its number shapes signs with its name on its own letterhead
    eighth = compose(led_by(demo, EIGHTH), "result")
    assert (eighth.letterhead, eighth.office) == (EIGHTH, EIGHTH)
    assert eighth.title == shipped()["notices"]["result"]["title"]
    # the proof of service names the notice by the authority's title and signs with its name
    served = replace(demo.notices["rectification"], number="京药监七分局械责改〔2026〕101号")
    _title, lines = service_lines(replace(ins, notices={"rectification": served}),
                                 "rectification", "")
    assert "送达文书：责令整改通知书（京药监七分局械责改〔2026〕101号）" in lines
    assert lines[-1] == f"送达机关：{own['name']}"


# -- numbering -------------------------------------------------------------------------------
def test_a_start_number_begins_the_year_and_a_sequence_past_it_goes_on() -> None:
    shape = "七改〔{year}〕{seq:03d}号"
    assert next_number(shape, 2027, [], start=101) == "七改〔2027〕101号"
    assert next_number(shape, 2027, ["七改〔2027〕130号"], start=101) == "七改〔2027〕131号"
    assert next_number(shape, 2027, ["七改〔2027〕007号"], start=101) == "七改〔2027〕101号"


@needs_office
def test_two_authorities_in_one_store_number_each_in_its_own_sequence(
        office: Path, store: Store, demo: Inspection) -> None:
    def session(iid: str, authority: str) -> Session:
        return Session.create(Door(store, Identity("张明")), led_by(demo, authority, iid))

    a, a2 = session("a", SEVENTH), session("a2", SEVENTH)
    b, c = session("b", EIGHTH), session("c", UNLISTED)
    assert a.issue_notice("result", on=DAY) == "京药监七分局械检告〔2026〕001号"
    assert b.issue_notice("result", on=DAY) == "京药监八分局械检告〔2026〕1号"
    assert c.issue_notice("result", on=DAY) == "京药监械检告〔2026〕001号"
    assert a2.issue_notice("result", on=DAY) == "京药监七分局械检告〔2026〕002号"
    # the seventh's rectification notices start at its 2026 start; the eighth's are the office's
    assert a.issue_notice("rectification", on=DAY) == "京药监七分局械责改〔2026〕101号"
    assert a2.issue_notice("rectification", on=DAY) == "京药监七分局械责改〔2026〕102号"
    assert b.issue_notice("rectification", on=DAY) == "京药监械整改〔2026〕001号"
    # what each froze says is its authority's
    issued = json.loads(a.inspection.notices["rectification"].issued_text)
    assert (issued["letterhead"], issued["title"], issued["office"]) == (
        AUTHORITIES[SEVENTH]["letterhead"], "责令整改通知书", AUTHORITIES[SEVENTH]["name"])
    assert json.loads(c.inspection.notices["result"].issued_text)["letterhead"] == \
        shipped()["office"]["letterhead"]
    # the store still refuses one number text on two notices, whoever issued it
    with pytest.raises(NumberTakenError):
        c.set("notices/rectification/number", "京药监七分局械责改〔2026〕101号")


# -- dates -----------------------------------------------------------------------------------
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def every_line(text: Any) -> list[str]:
    doc = notice_doc(text)
    out = [str(v) for v in doc.values() if isinstance(v, str)]
    for key in ("paragraphs", "closing", "receipt"):
        out += doc[key]
    out += ["｜".join(r) for r in doc["table_rows"]]
    out += [s["drawn_at"] for s in doc["signers"]]
    return out


def test_every_date_on_a_notice_is_written_in_chinese(demo: Inspection) -> None:
    pad = Attachment(kind="signature", target="signatures/M1", signer="张明", sha256="ab" * 32,
                     at=datetime(2026, 11, 20, 16, 5))
    ins = replace(demo, attachments={**demo.attachments, "A99": pad})
    for kind in ("result", "rectification", "suspension"):
        text = compose(ins, kind)
        lines = every_line(text)
        assert not [line for line in lines if ISO.search(line)], kind
        assert text.dated == "2026年11月20日"
    rect = compose(ins, "rectification")
    assert rect.table_rows[2][4].startswith("2026年12月18日")  # 整改期限, extended
    assert rect.table_rows[2][4].endswith("已延期（原期限 2026年12月11日）")
    assert "2026年11月20日 16:05" in [s.drawn_at for s in rect.signers if s.picture]


def test_a_deadline_counted_into_an_unknown_year_is_marked_an_estimate(
        demo: Inspection) -> None:
    unknown = load_calendar().known_years()[-1] + 1
    due = date(unknown, 1, 20)
    f1 = replace(demo.findings["F1"], deadline=due, extensions={})
    text = compose(replace(demo, findings={**demo.findings, "F1": f1}), "rectification")
    row = next(r for r in text.table_rows if r[1] == f1.description)
    deadline, count = row[4].split("\n")[:2]
    assert deadline == f"{unknown}年1月20日"
    assert count.endswith(ESTIMATE_MARK)
    known = next(r for r in text.table_rows if r[1] != f1.description)
    assert ESTIMATE_MARK not in known[4]


def test_a_notice_issued_with_the_old_dates_is_not_shown_as_changed_for_them(
        demo: Inspection) -> None:
    now = notice_doc(compose(demo, "rectification"))

    def iso(text: str) -> str:
        return re.sub(r"(\d{4})年(\d{1,2})月(\d{1,2})日",
                      lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text)

    old = {**now, "table_rows": [[iso(c) for c in r] for r in now["table_rows"]]}
    assert old["table_rows"] != now["table_rows"]
    assert notice_changes(old, now) == []
    moved = {**old, "table_rows": [[*old["table_rows"][0][:4], "2026-12-31"],
                                   *old["table_rows"][1:]]}
    assert [c.part for c in notice_changes(moved, now)] == ["问题 1 finding 1"]


# -- checking the file -----------------------------------------------------------------------
def changed(**notices: Any) -> dict[str, Any]:
    seventh = {**AUTHORITIES[SEVENTH], "notices": {**AUTHORITIES[SEVENTH]["notices"],
                                                   **notices}}
    return {**shipped(), "authorities": {**AUTHORITIES, SEVENTH: seventh}}


WHERE = f"authorities/{SEVENTH}/notices"


@pytest.mark.parametrize(("data", "field", "words"), [
    (changed(rectification={"number": "七改〔2026〕{seq}号"}), f"{WHERE}/rectification/number",
     "{year}"),
    (changed(rectification={"number": "七改〔{year}〕{seq}号", "start": {2027: 0}}),
     f"{WHERE}/rectification/start/2027", "不能小于 1"),
    (changed(rectification={"number": "七改〔{year}〕{seq}号", "start": {2027: "一百零一"}}),
     f"{WHERE}/rectification/start/2027", "整数"),
    (changed(rectification={"number": "七改〔{year}〕{seq}号", "start": {"明年": 101}}),
     f"{WHERE}/rectification/start/明年", "年份"),
    (changed(warning={"title": "警告书"}), f"{WHERE}/warning", "warning"),
    (changed(suspension={"start": {2027: 5}}), f"{WHERE}/suspension/start/2027", "number"),
    (changed(suspension={"number": "京药监械停〔{year}〕{seq:03d}号"}),
     f"{WHERE}/suspension/number", "notices/suspension/number"),
    (changed(suspension={"closing": ["{恢复条件}"]}), f"{WHERE}/suspension/closing/0",
     "{恢复条件}"),
])
def test_a_bad_authority_section_is_named_by_its_file_and_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], data: dict[str, Any], field: str,
        words: str) -> None:
    path = write(tmp_path / "notices.yaml", data)
    with pytest.raises(ValidationError) as err:
        load_notice_templates(path)
    (problem,) = err.value.problems
    assert (problem.code, problem.field, problem.file) == ("notices.template", field,
                                                           str(path.resolve()))
    assert words in problem.message
    capsys.readouterr()
    assert main(["notice", "check-template", str(path)]) == 2
    said = capsys.readouterr()
    assert field in said.out + said.err
    assert "Traceback" not in said.out + said.err


def test_any_authority_name_may_be_listed(tmp_path: Path) -> None:
    data = {**shipped(), "authorities": {"某个尚无检查组的机关": {"letterhead": "某机关"},
                                         "空的机关": None}}
    t = load_notice_templates(write(tmp_path / "notices.yaml", data))
    assert t.issuer("空的机关")["result"] == t["result"]
    assert main(["notice", "check-template", str(tmp_path / "notices.yaml")]) == 0


# -- frozen ----------------------------------------------------------------------------------
@needs_office
def test_an_issued_notice_keeps_its_authoritys_text_after_the_template_changes(
        office: Path, store: Store, demo: Inspection, tmp_path: Path) -> None:
    door = Door(store, Identity("张明"))
    session = Session.create(door, led_by(demo, SEVENTH, "a"))
    number = session.issue_notice("rectification", on=DAY)
    kept = issued_pdf(door, "a", "rectification")
    issued_text = session.inspection.notices["rectification"].issued_text
    data = yaml.safe_load(office.read_text(encoding="utf-8"))
    seventh = data["authorities"][SEVENTH]
    seventh["letterhead"] = "北京市药品监督管理局第七分局（新抬头）"
    seventh["notices"]["rectification"].update(title="整改通知书", start={2026: 500},
                                               number="七分局改〔{year}〕{seq}号")
    write(office, data)
    stat = office.stat()  # a new modification time, however coarse the file system's clock
    os.utime(office, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert compose(session.inspection, "rectification").title == "整改通知书"  # the new one
    # issuing again keeps the number, the frozen PDF and what it said
    assert session.issue_notice("rectification", on=DAY + timedelta(days=3)) == number
    assert session.inspection.notices["rectification"].issued_text == issued_text
    out = export_notice(door, "a", ["rectification"], tmp_path / "again.pdf")
    assert out.read_bytes() == kept
    # and the app shows what the template changed beside the notice as issued
    changes = {c.part: (c.issued, c.current) for c in notice_changes(
        json.loads(issued_text), notice_doc(compose(session.inspection, "rectification")))}
    assert changes["发文机关 letterhead"] == (AUTHORITIES[SEVENTH]["letterhead"],
                                          "北京市药品监督管理局第七分局（新抬头）")
    assert changes["标题 title"] == ("责令整改通知书", "整改通知书")
