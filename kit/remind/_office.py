"""The office's side of reminders: ``templates/mail.yaml`` (how many working days before a
deadline, the sender, the signature) and the mail server's settings (``KIT_SMTP_HOST`` and the
others, the app's address ``KIT_BASE_URL``), each checked with every problem named by file
and field, or by the variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

from kit.config import Settings, settings
from kit.errors import NotFoundError, Problem, ValidationError
from kit.resources import DATA_DIR, templates_dir
from kit.schemas import check_file

__all__ = ["MAIL_FILE", "MAIL_SCHEMA", "TLS_MODES", "MailOffice", "SmtpSettings", "load_mail",
           "mail_file", "smtp_settings"]

MAIL_FILE: Final = "mail.yaml"
MAIL_SCHEMA: Final = DATA_DIR / "mail.schema.json"
#: how the connection to the mail server is encrypted, and each mode's usual port
TLS_MODES: Final[Mapping[str, int]] = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class MailOffice:
    """What ``templates/mail.yaml`` says: N, the sender, a reply address, the signature."""

    days_before: int
    sender_name: str
    sender_address: str
    reply_to: str = ""
    signature: tuple[str, ...] = ()
    file: str = ""


def mail_file(folder: str | Path | None = None) -> Path:
    """``mail.yaml`` of ``folder`` (default: the office's templates folder)."""
    return (Path(folder) if folder is not None else templates_dir()) / MAIL_FILE


def load_mail(folder: str | Path | None = None) -> MailOffice:
    """The office's reminder mails from ``folder`` (default: the templates folder), checked:
    :class:`ValidationError` with every problem by file and field."""
    path = mail_file(folder)
    if not path.is_file():
        msg = f"找不到提醒邮件设置文件 {path} / no such file {path}"
        raise NotFoundError(msg)
    return _load(str(path.resolve()), path.stat().st_mtime_ns)


@cache
def _load(path: str, _stamp: int) -> MailOffice:
    try:
        data: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ValidationError([Problem(
            "remind.file", f"不是有效的 YAML：{exc}", "not valid YAML", file=path,
            row=mark.line + 1 if mark is not None else None)], path) from None
    problems = [Problem("remind.file", f"提醒邮件设置文件格式不符：{zh}", en, field=where or "/",
                        file=path) for where, zh, en in check_file(data, MAIL_SCHEMA)]
    if problems:
        raise ValidationError(problems, path)
    sender = data["sender"]
    return MailOffice(days_before=int(data["days_before"]), sender_name=str(sender["name"]),
                      sender_address=str(sender["address"]),
                      reply_to=str(data.get("reply_to") or ""),
                      signature=tuple(str(s) for s in data.get("signature") or ()), file=path)


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server as the settings give it (``KIT_SMTP_HOST``…), and the app's address."""

    host: str
    port: int
    user: str
    password: str
    tls: str
    base_url: str

    def __repr__(self) -> str:  # never the password
        return (f"SmtpSettings({self.host}:{self.port}, tls={self.tls}, "
                f"user={self.user or '-'}, base_url={self.base_url or '-'})")


def smtp_settings(now: Settings | None = None, *, need_host: bool = True) -> SmtpSettings:
    """The mail server's settings, checked (:class:`ValidationError` naming each variable):
    a TLS mode of :data:`TLS_MODES`, a port that is a number, a host unless ``need_host`` is
    false (a dry run sends nothing), a password only with a user."""
    now = now if now is not None else settings()
    problems = []

    def bad(variable: str, zh: str, en: str) -> None:
        problems.append(Problem("remind.setting", zh, en, field=variable))

    tls = now.smtp_tls or "starttls"
    if tls not in TLS_MODES:
        bad("KIT_SMTP_TLS", f"加密方式应为 {'、'.join(TLS_MODES)} 之一，而不是 {now.smtp_tls!r}",
            f"must be one of {', '.join(TLS_MODES)}, not {now.smtp_tls!r}")
    port = TLS_MODES.get(tls, 587)
    if now.smtp_port:
        if now.smtp_port.isdigit() and 0 < int(now.smtp_port) < 65536:
            port = int(now.smtp_port)
        else:
            bad("KIT_SMTP_PORT", f"端口应为 1-65535 的整数，而不是 {now.smtp_port!r}",
                f"the port must be a whole number 1-65535, not {now.smtp_port!r}")
    if need_host and not now.smtp_host:
        bad("KIT_SMTP_HOST", "未设置发送提醒的邮件服务器（只能 --dry-run）",
            "no mail server is set: only --dry-run can run")
    if now.smtp_password and not now.smtp_user:
        bad("KIT_SMTP_USER", "设置了 KIT_SMTP_PASSWORD 却没有用户名",
            "KIT_SMTP_PASSWORD is set without a user name")
    base = now.base_url
    if base and not base.startswith(("http://", "https://")):
        bad("KIT_BASE_URL", f"应用地址应以 http:// 或 https:// 开头：{base!r}",
            f"the app's address must start with http:// or https://: {base!r}")
    if problems:
        raise ValidationError(problems, "邮件服务器设置 mail server settings")
    return SmtpSettings(now.smtp_host, port, now.smtp_user, now.smtp_password, tls, base)
