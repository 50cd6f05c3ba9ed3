"""Handing reminders to the office's mail server (SMTP), as the settings give it.

One connection per run, opened at the first mail and opened again after a failure; a mail the
server refuses, or a server that cannot be reached, raises :class:`SendError` with the reason,
so the run reports it, records nothing for it, and goes on with the others.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from types import TracebackType

from kit.errors import KitError
from kit.remind._office import SmtpSettings

__all__ = ["MailSender", "SendError", "SmtpSender"]

log = logging.getLogger(__name__)

#: what a reminder run hands each mail to (raises :class:`SendError` when it did not go)
MailSender = Callable[[EmailMessage], None]
#: how long the mail server may take to answer, in seconds
TIMEOUT_S = 30.0


class SendError(KitError):
    """A mail did not go: the server refused it or could not be reached."""


class SmtpSender:
    """Send mails through the mail server of ``settings``; use it as a context manager (the
    connection is closed at the end) or call :meth:`close`."""

    def __init__(self, settings: SmtpSettings, *, timeout: float = TIMEOUT_S) -> None:
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.tls == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        try:
            if s.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, s.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def __call__(self, message: EmailMessage) -> None:
        """Hand ``message`` to the server; :class:`SendError` when it did not take it."""
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise SendError(_reason(exc, self.settings)) from None
        if refused:  # the mail went to the others: it counts as sent, the refusal is said
            log.warning("邮件服务器拒收部分收件人 the server refused some recipients of %s: %s",
                        message.get("Subject", ""),
                        ", ".join(f"{a} ({code})" for a, (code, _m) in refused.items()))

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _reason(exc: BaseException, s: SmtpSettings) -> str:
    where = f"{s.host}:{s.port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (f"邮件服务器 {where} 拒绝了用户名或密码（KIT_SMTP_USER、KIT_SMTP_PASSWORD） / "
                f"the mail server {where} refused the user name or password")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return (f"邮件服务器 {where} 拒收全部收件人：{', '.join(exc.recipients)} / the mail "
                "server refused every recipient")
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return (f"邮件服务器 {where} 拒收：{exc.smtp_code} {text} / the mail server refused "
                f"it: {exc.smtp_code} {text}")
    text = str(exc) or type(exc).__name__
    return (f"无法连接邮件服务器 {where}：{text}（请检查 KIT_SMTP_HOST、KIT_SMTP_PORT、KIT_SMTP_TLS "
            f"和服务器是否运行） / cannot reach the mail server {where}: {text}")
