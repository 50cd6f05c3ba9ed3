"""``kit remind``: today's reminders of rectification deadlines, sent and recorded once each
(``--dry-run``: listed, nothing sent or recorded; ``--check``: the office's ``mail.yaml`` and
the mail server's settings).

Exit codes: 0 every reminder due went (or none was due); 1 some did not go (the mail server
refused it or could not be reached, or nobody to send it to has an address): each said on
stderr, none of them recorded, so the next run tries again; 2 could not run (a bad
``mail.yaml``, no mail server set, a bad option): nothing sent.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kit.cli._common import EXIT_FINDINGS, EXIT_OK, Subparsers, _door, _out

__all__ = ["add_parsers", "cmd_remind"]

log = logging.getLogger("kit.cli")


def cmd_remind(args: argparse.Namespace) -> int:
    """Send (or with ``--dry-run`` list) today's reminders; ``--check`` the office's setup."""
    from kit.dates import beijing_today, parse_date
    from kit.remind import describe, load_mail, remind, smtp_settings

    if args.check is not None:
        return _check(Path(args.check) if args.check else None)
    today = (parse_date(args.today) if args.today else None) or beijing_today()
    office = load_mail()  # a bad file: every problem by file and field, exit 2
    smtp = smtp_settings(need_host=not args.dry_run)
    if not smtp.base_url:
        print("注意 note: 未设置 KIT_BASE_URL，提醒邮件中没有应用的链接 / KIT_BASE_URL is not set: "
              "the mails carry no link to the app", file=sys.stderr)
    door = _door(args)
    log.info("reminders for %s, %d working day(s) before, from %s", today,
             office.days_before, office.sender_address)
    if args.dry_run:
        report = remind(door, door.calendar(), today, _never, office=office,
                        base_url=smtp.base_url, dry_run=True)
    else:
        from kit.remind import SmtpSender

        with SmtpSender(smtp) as sender:
            report = remind(door, door.calendar(), today, sender, office=office,
                            base_url=smtp.base_url)
    for line in describe(report.having("sent", "would_send", "already")):
        _out(line)
    for line in describe(report.not_sent):
        print(line, file=sys.stderr)
    counts = {s: len(report.having(s)) for s in ("sent", "would_send", "already")}
    failed = len(report.not_sent)
    if args.dry_run:
        _out(f"{today} 将发送提醒 {counts['would_send']} 封，此前已发送 {counts['already']} 封，"
             f"无收件地址或无法读取 {failed} 封（试运行：未发送，未记录） / {today}: "
             f"{counts['would_send']} would be sent, {counts['already']} sent before, "
             f"{failed} could not be (dry run: nothing sent or recorded)")
        return EXIT_OK
    _out(f"{today} 已发送提醒 {counts['sent']} 封，此前已发送 {counts['already']} 封，未能发送 "
         f"{failed} 封 / {today}: {counts['sent']} sent, {counts['already']} sent before, "
         f"{failed} not sent")
    if failed:
        print(f"{failed} 封提醒未能发送，未记录，下次运行时重试 / {failed} reminder(s) not sent "
              "and not recorded: the next run tries again", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK


def _never(message: object) -> None:  # a dry run hands nothing to a mail server
    msg = "试运行不发送邮件 / a dry run sends nothing"
    raise AssertionError(msg)


def _check(folder: Path | None) -> int:
    """``mail.yaml`` of the templates (or ``folder``) and the mail server's settings."""
    from kit.remind import load_mail, mail_file, smtp_settings

    office = load_mail(folder)
    smtp = smtp_settings(need_host=False)
    _out(f"{mail_file(folder)}：提醒邮件设置无误：整改期限前 {office.days_before} 个工作日提醒，发件人 "
         f"{office.sender_name} <{office.sender_address}> / the reminder mails' file is fine")
    if smtp.host:
        _out(f"邮件服务器 mail server: {smtp.host}:{smtp.port}（{smtp.tls}"
             f"{'，用户 ' + smtp.user if smtp.user else ''}）")
    else:
        _out("邮件服务器未设置（KIT_SMTP_HOST）：只能 kit remind --dry-run / no mail server set: "
             "only kit remind --dry-run")
    _out(f"应用地址 app address: {smtp.base_url or '未设置 not set (KIT_BASE_URL)'}")
    return EXIT_OK


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``remind``."""
    rm = sub.add_parser("remind", parents=[store_opts],
                        help="整改期限提醒：向企业联系人和检查员发送邮件 / mail today's reminders "
                             "of rectification deadlines")
    rm.add_argument("--dry-run", action="store_true",
                    help="list what would be sent today; send and record nothing")
    rm.add_argument("--today", metavar="D",
                    help="the day to run for (default today in Beijing): for tests, and to "
                         "catch up a day missed")
    rm.add_argument("--check", nargs="?", const="", metavar="DIR",
                    help="check mail.yaml of the templates folder (or DIR) and the mail "
                         "server's settings; send nothing")
    rm.set_defaults(handler=cmd_remind)
