"""Reminders of rectification deadlines (kit.remind, ``kit remind``), sent to a local mail server
the test starts (aiosmtpd), on SQLite and PostgreSQL: the right mails on the right days, once."""

from __future__ import annotations

import asyncio
import email
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
import yaml
from aiosmtpd.controller import Controller

from kit.cli import EXIT_CODES
from kit.door import AccessError, Door, Identity
from kit.errors import ValidationError
from kit.record import Company, Extension, Finding, Inspection, Member
from kit.remind import (
    MAIL_SCHEMA,
    REMINDER_HEADER,
    SmtpSender,
    load_mail,
    mail_file,
    remind,
    smtp_settings,
)
from kit.schemas import check_file
from kit.store import Store, migrate
from kit.workdays import load_calendar
from tests.test_cli import run_kit

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://kit.example.cn/voila/render/app.ipynb"
PORTAL = "https://kit.example.cn/services/kit-portal/"
#: a deadline right after 清明 2026 (4-6 April off): three working days before it span the
#: weekend and the holiday
DEADLINE = date(2026, 4, 8)


class Inbox:
    """What the local mail server received: (envelope recipients, message)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.mails: list[tuple[list[str], EmailMessage]] = []
        self.delay = delay
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow server: two runs overlap while it answers
        message = email.message_from_bytes(envelope.content, policy=default)
        self.mails.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"

    def reminders(self) -> list[str]:
        return sorted(str(m[REMINDER_HEADER]) for _to, m in self.mails)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A local mail server, and the settings that send to it."""
    box = Inbox(delay=0.05)
    port = box.port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    for name, value in {"KIT_SMTP_HOST": "127.0.0.1", "KIT_SMTP_PORT": str(port),
                        "KIT_SMTP_TLS": "none", "KIT_BASE_URL": BASE,
                        "KIT_PORTAL_URL": PORTAL}.items():
        monkeypatch.setenv(name, value)
    for name in ("KIT_SMTP_USER", "KIT_SMTP_PASSWORD", "KIT_TEMPLATES_DIR"):
        monkeypatch.delenv(name, raising=False)
    yield box
    controller.stop()


def _inspection(iid: str, *, deadline: date = DEADLINE, state: str = "open",
                extensions: dict[str, Extension] | None = None, stage: str = "follow_up"
                ) -> Inspection:
    return Inspection(
        id=iid, stage=stage,  # type: ignore[arg-type]
        company=Company(name=f"北京{iid}医疗科技有限公司", email=f"qa@{iid.lower()}.example.cn",
                        contact="质量部 刘质量"),
        team={"M1": Member("张明", "leader", sections=("7.1", "7.2"), user="zhangming",
                           email="zhangming@office.example.cn"),
              "M2": Member("李华", sections=("7.3", "7.4"), user="lihua",
                           email="lihua@office.example.cn")},
        findings={"F1": Finding(item="7.3.m2", description="洁净车间环境监测记录缺少沉降菌数据",
                                requirement="补全环境监测程序并提交整改报告",
                                deadline=deadline, state=state,  # type: ignore[arg-type]
                                extensions=extensions or {})})


def _door(url: str) -> Door:
    return Door.connect(url, identity=Identity("提醒服务"))


def _run(url: str, today: date, **kw: Any) -> Any:
    with _door(url) as door, SmtpSender(smtp_settings()) as sender:
        return remind(door, load_calendar(), today, sender, **kw)


def test_the_right_mails_on_the_right_days(any_store_url: str, inbox: Inbox) -> None:
    cal = load_calendar()
    assert [cal.why_day_off(date(2026, 4, d)) != "" for d in range(2, 9)] == \
        [False, False, True, True, True, False, False]  # Sat, Sun and 清明 Monday off
    n = load_mail().days_before
    assert cal.workdays_between(date(2026, 4, 2), DEADLINE).days == n == 3
    with _door(any_store_url) as door:
        door.create(_inspection("A1"))
    assert _run(any_store_url, date(2026, 4, 1)).outcomes == ()  # N+1 working days before
    assert inbox.mails == []
    report = _run(any_store_url, date(2026, 4, 2))  # N working days before, across 清明
    assert [(o.status, o.due.kind, o.due.days) for o in report.outcomes] == \
        [("sent", "before", 3)]
    [(to, mail)] = inbox.mails
    assert sorted(to) == ["lihua@office.example.cn", "qa@a1.example.cn"]  # not the leader
    assert mail["To"].addresses[0].addr_spec == "qa@a1.example.cn"
    assert mail["Cc"].addresses[0].addr_spec == "lihua@office.example.cn"
    office = load_mail()
    # decoded as RFC 2047 says (the stdlib's address parser puts a space where a long name
    # was folded into two encoded words)
    sender = str(make_header(decode_header(email.message_from_bytes(mail.as_bytes())["From"])))
    assert sender == f"{office.sender_name} <{office.sender_address}>"
    body = mail.get_content()
    subject = str(mail["Subject"])
    assert "北京A1医疗科技有限公司" in subject
    assert "F1" in subject
    assert "2026-04-08" in subject
    assert body.index("还有 3 个工作日") < body.index("3 working day(s) left")  # Chinese first
    assert "补全环境监测程序并提交整改报告" in body
    assert "洁净车间环境监测记录缺少沉降菌数据" in body
    assert f"{BASE}?id=A1&stage=findings" in body
    assert f"企业在线提交整改资料 / the company submits online: {PORTAL}" in body
    for day in (3, 7, 8):  # the days after, and the deadline itself: nothing new
        assert [o.status for o in _run(any_store_url, date(2026, 4, day)).outcomes] == \
            ["already"]
    assert len(inbox.mails) == 1
    late = _run(any_store_url, date(2026, 4, 9))  # the working day after it passed
    assert [(o.status, o.due.kind, o.due.days) for o in late.outcomes] == [("sent", "after", 1)]
    assert "已逾期 1 个工作日" in inbox.mails[1][1].get_content()
    assert "整改逾期提醒" in str(inbox.mails[1][1]["Subject"])
    assert [o.status for o in _run(any_store_url, date(2026, 4, 10)).outcomes] == ["already"]
    with _door(any_store_url) as door:
        kept = door.reminders()
    assert [(r.inspection_id, r.finding, r.deadline, r.kind, r.sent_on) for r in kept] == [
        ("A1", "F1", "2026-04-08", "before", "2026-04-02"),
        ("A1", "F1", "2026-04-08", "after", "2026-04-09")]
    assert kept[0].recipients == ("qa@a1.example.cn", "lihua@office.example.cn")
    assert kept[0].user == "提醒服务"


def test_nothing_for_a_finding_passed_on_review_or_a_closed_inspection(
        any_store_url: str, inbox: Inbox) -> None:
    with _door(any_store_url) as door:
        door.create(_inspection("P1", state="passed"))
        door.create(_inspection("C1", stage="closed"))
        door.create(_inspection("N1", deadline=None))  # type: ignore[arg-type]
        door.create(_inspection("O1"))
    for day in (2, 9):
        report = _run(any_store_url, date(2026, 4, day))
        assert [o.due.inspection_id for o in report.outcomes] == ["O1"]
    assert inbox.reminders() == ["O1 F1 2026-04-08 after", "O1 F1 2026-04-08 before"]


def test_an_extensions_new_deadline_is_used(any_store_url: str, inbox: Inbox) -> None:
    with _door(any_store_url) as door:
        door.create(_inspection("E1"))
    _run(any_store_url, date(2026, 4, 2))  # before the first deadline
    with _door(any_store_url) as door:  # then 延期整改 to 30 April
        record = door.open("E1")
        door.save(record, {"findings/F1/extensions/E1": {
            "new_deadline": "2026-04-30", "reason": "设备到货延迟", "approved_by": "王科长",
            "approved_on": "2026-04-07"}})
    assert _run(any_store_url, date(2026, 4, 9)).outcomes == ()  # the old one passed: no mail
    report = _run(any_store_url, date(2026, 4, 27))  # 3 working days before 30 April
    assert [(o.status, o.due.kind, str(o.due.deadline)) for o in report.outcomes] == \
        [("sent", "before", "2026-04-30")]
    body = inbox.mails[-1][1].get_content()
    assert "整改期限为 2026-04-30（原期限 2026-04-08，已延期）" in body
    assert inbox.reminders() == ["E1 F1 2026-04-08 before", "E1 F1 2026-04-30 before"]


def test_a_second_run_and_two_runs_at_once_send_each_reminder_once(
        any_store_url: str, inbox: Inbox) -> None:
    with _door(any_store_url) as door:
        for k in range(12):
            door.create(_inspection(f"R{k:02d}"))
    args = [sys.executable, "-m", "kit", "remind", "--today", "2026-04-02",
            "--db-url", any_store_url, "--user", "提醒服务"]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              encoding="utf-8") for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert sum(out.count("已发送 sent\t") for out, _err in outs) == 12  # split between them
    again = run_kit(*args[3:])
    assert again.stdout.count("此前已发送 sent before") == 12
    assert inbox.reminders() == sorted(f"R{k:02d} F1 2026-04-08 before" for k in range(12))
    with _door(any_store_url) as door:
        assert len(door.reminders()) == 12


def test_dry_run_lists_and_sends_and_records_nothing(any_store_url: str, inbox: Inbox,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with _door(any_store_url) as door:
        door.create(_inspection("D1"))
    monkeypatch.delenv("KIT_SMTP_HOST")  # a dry run needs no mail server
    proc = run_kit("remind", "--dry-run", "--today", "2026-04-02", "--db-url", any_store_url)
    assert "将发送 would send\tD1\tF1\t期限前 before\t2026-04-08" in proc.stdout
    assert "qa@d1.example.cn, lihua@office.example.cn" in proc.stdout
    assert inbox.mails == []
    with _door(any_store_url) as door:
        assert door.reminders() == []
    refused = run_kit("remind", "--today", "2026-04-02", "--db-url", any_store_url, check=False)
    assert refused.returncode == 2
    assert "KIT_SMTP_HOST" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_dead_mail_server_is_reported_and_nothing_recorded(
        any_store_url: str, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    with _door(any_store_url) as door:
        door.create(_inspection("X1"))
        door.create(_inspection("X2"))
    dead = _free_port()  # nobody listens there
    monkeypatch.setenv("KIT_SMTP_PORT", str(dead))
    proc = run_kit("remind", "--today", "2026-04-02", "--db-url", any_store_url, check=False)
    assert proc.returncode == 1
    assert EXIT_CODES["remind"][1].startswith("有提醒未能发送")  # the code the README gives
    assert f"127.0.0.1:{dead}" in proc.stderr
    assert proc.stderr.count("未能发送 not sent\t") == 2  # each said, the second tried too
    assert "Traceback" not in proc.stderr
    with _door(any_store_url) as door:
        assert door.reminders() == []
    monkeypatch.setenv("KIT_SMTP_PORT", str(inbox.port))
    assert run_kit("remind", "--today", "2026-04-02", "--db-url", any_store_url).returncode == 0
    assert inbox.reminders() == ["X1 F1 2026-04-08 before", "X2 F1 2026-04-08 before"]


def test_a_mail_refused_is_not_recorded_and_the_others_go(any_store_url: str,
                                                          inbox: Inbox) -> None:
    with _door(any_store_url) as door:
        door.create(_inspection("S1"))
        door.create(_inspection("S2"))
    sent: list[EmailMessage] = []

    def flaky(message: EmailMessage) -> None:
        from kit.remind import SendError

        if message[REMINDER_HEADER].startswith("S1 "):
            raise SendError("邮件服务器拒收 / refused")
        sent.append(message)

    with _door(any_store_url) as door:
        report = remind(door, load_calendar(), date(2026, 4, 2), flaky)
        assert [(o.due.inspection_id, o.status) for o in report.outcomes] == \
            [("S1", "failed"), ("S2", "sent")]
        assert [r.inspection_id for r in door.reminders()] == ["S2"]
        retry = remind(door, load_calendar(), date(2026, 4, 3), sent.append)
        assert [(o.due.inspection_id, o.status) for o in retry.outcomes] == \
            [("S1", "sent"), ("S2", "already")]


def test_no_address_is_said_and_the_inspector_still_gets_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kit.sqlite'}"
    sent: list[EmailMessage] = []
    with _door(url) as door:
        ins = _inspection("M1")
        door.create(replace(ins, company=replace(ins.company, email="")))
        bare = _inspection("M2")
        door.create(replace(bare, company=replace(bare.company, email=""), team={
            k: replace(m, email="") for k, m in bare.team.items()}))
        report = remind(door, load_calendar(), date(2026, 4, 2), sent.append)
    first, second = report.outcomes
    assert (first.status, first.to) == ("sent", ("lihua@office.example.cn",))
    assert any("company/email" in m for m in first.missing)
    assert second.status == "no_address"
    assert second in report.not_sent
    assert [str(m["To"]) for m in sent] == ["李华 <lihua@office.example.cn>"]


def test_on_the_office_server_only_leaders_and_analysts_send(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kit.sqlite'}"
    with Door.connect(url, identity=Identity("admin")) as door:
        door.create(_inspection("H1"))
    inspector = Identity("lihua", hub=True)
    with Door.connect(url, identity=inspector) as door, pytest.raises(AccessError):
        remind(door, load_calendar(), date(2026, 4, 2), lambda m: None)
    leader = Identity("chen", frozenset({"leaders"}), hub=True)
    sent: list[EmailMessage] = []
    with Door.connect(url, identity=leader) as door:
        assert [o.status for o in remind(door, load_calendar(), date(2026, 4, 2),
                                         sent.append).outcomes] == ["sent"]
        assert door.reminders()[0].user == "chen"


# -- templates/mail.yaml and the settings ---------------------------------------------------
def test_the_shipped_mail_file_meets_its_schema() -> None:
    data = yaml.safe_load(mail_file(ROOT / "templates").read_text(encoding="utf-8"))
    assert check_file(data, MAIL_SCHEMA) == []
    jsonschema.validate(data, json.loads(MAIL_SCHEMA.read_text(encoding="utf-8")))
    assert load_mail(ROOT / "templates").days_before == data["days_before"]


@pytest.mark.parametrize(("change", "field"), [
    ({"days_before": 0}, "days_before"),
    ({"sender": {"name": "局", "address": "not an address"}}, "sender/address"),
    ({"sender": {"name": "局"}}, "sender"),
    ({"smtp_password": "secret"}, "smtp_password"),  # a secret has no place in templates/
    ({"format_version": 2}, "format_version"),
])
def test_a_bad_mail_file_is_named_by_file_and_field(tmp_path: Path, change: dict[str, Any],
                                                    field: str) -> None:
    data = {**yaml.safe_load(mail_file(ROOT / "templates").read_text(encoding="utf-8")),
            **change}
    (tmp_path / "mail.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ValidationError) as caught:
        load_mail(tmp_path)
    assert field in [p.field for p in caught.value.problems]
    proc = run_kit("remind", "--check", str(tmp_path), check=False)
    assert proc.returncode == 2
    assert str(tmp_path / "mail.yaml") in proc.stderr
    assert field in proc.stderr
    assert "Traceback" not in proc.stderr


def test_broken_yaml_is_named_by_its_row(tmp_path: Path) -> None:
    (tmp_path / "mail.yaml").write_text("format_version: 1\ndays_before: [3\n", "utf-8")
    proc = run_kit("remind", "--check", str(tmp_path), check=False)
    assert proc.returncode == 2
    assert "mail.yaml" in proc.stderr
    assert "YAML" in proc.stderr


def test_the_check_of_the_shipped_file_passes_and_names_the_server(inbox: Inbox) -> None:
    proc = run_kit("remind", "--check")
    assert "提醒邮件设置无误" in proc.stdout
    assert "127.0.0.1" in proc.stdout


@pytest.mark.parametrize(("variable", "value"), [
    ("KIT_SMTP_PORT", "smtp"), ("KIT_SMTP_TLS", "maybe"), ("KIT_BASE_URL", "kit.example.cn")])
def test_a_bad_setting_is_named_by_its_variable(inbox: Inbox, monkeypatch: pytest.MonkeyPatch,
                                                variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as caught:
        smtp_settings()
    assert [p.field for p in caught.value.problems] == [variable]
    proc = run_kit("remind", "--check", check=False)
    assert proc.returncode == 2
    assert variable in proc.stderr


def test_the_password_is_never_shown(inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_SMTP_USER", "kit")
    monkeypatch.setenv("KIT_SMTP_PASSWORD", "s3cret-pw")
    assert "s3cret-pw" not in repr(smtp_settings())
    proc = run_kit("-v", "remind", "--check")
    assert "s3cret-pw" not in proc.stdout + proc.stderr


# -- the store: schema 9 -------------------------------------------------------------------
def test_a_schema_8_store_gets_the_reminders_table_append_only(any_store_url: str) -> None:
    from alembic import command

    with Store(any_store_url) as store:
        store.create({"company": {"name": "甲"}}, user="u", inspection_id="A1")
    engine = sa.create_engine(any_store_url, poolclass=sa.NullPool)
    with engine.begin() as connection:  # the store as schema 8 had it
        command.downgrade(migrate._config(connection), "0008")
    with engine.connect() as connection:
        assert not engine.dialect.has_table(connection, "reminders")
    assert migrate.upgrade(any_store_url) == ("0008", migrate.HEAD_REVISION)
    with Store(any_store_url) as store:
        assert store.protection_problems == []
        assert store.remind_once(("A1", "F1", "2026-04-08", "before"), sent_on="2026-04-02",
                                 recipients=["a@b.cn"], user="u", send=lambda: None)
        assert not store.remind_once(("A1", "F1", "2026-04-08", "before"),
                                     sent_on="2026-04-03", recipients=["a@b.cn"], user="u",
                                     send=lambda: None)
    for statement in ("UPDATE reminders SET kind = 'after'", "DELETE FROM reminders",
                      "UPDATE reminders SET recipients = '[]'"):
        with pytest.raises(sa.exc.DBAPIError, match="提醒记录"), engine.begin() as connection:
            connection.exec_driver_sql(statement)
    engine.dispose()
