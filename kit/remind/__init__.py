"""Reminders of rectification deadlines (六、9; 十、1): the company's contact and the finding's
inspector get a mail N working days before a finding's deadline in force and on the first
working day after it passed, at most once per finding, deadline and kind, each recorded.

The office sets N, the sender and the signature in ``templates/mail.yaml``
(:func:`load_mail`), the mail server and its password in the settings (``KIT_SMTP_HOST`` and
the others, :func:`smtp_settings`), the app's address for links in ``KIT_BASE_URL``.
:func:`remind` is one run (``kit remind``): it reads every deadline in one query through the
door, opens only the inspections with a reminder due, and sends and records each in one
transaction (:meth:`kit.door.Door.remind_once`).
"""

from __future__ import annotations

from kit.remind._due import Due, due_reminders
from kit.remind._mail import REMINDER_HEADER, Recipients, app_link, compose, recipients
from kit.remind._office import (
    MAIL_FILE,
    MAIL_SCHEMA,
    TLS_MODES,
    MailOffice,
    SmtpSettings,
    load_mail,
    mail_file,
    smtp_settings,
)
from kit.remind._run import Outcome, RemindReport, Status, describe, remind
from kit.remind._smtp import MailSender, SendError, SmtpSender

__all__ = [
    "MAIL_FILE",
    "MAIL_SCHEMA",
    "REMINDER_HEADER",
    "TLS_MODES",
    "Due",
    "MailOffice",
    "MailSender",
    "Outcome",
    "Recipients",
    "RemindReport",
    "SendError",
    "SmtpSender",
    "SmtpSettings",
    "Status",
    "app_link",
    "compose",
    "describe",
    "due_reminders",
    "load_mail",
    "mail_file",
    "recipients",
    "remind",
    "smtp_settings",
]
