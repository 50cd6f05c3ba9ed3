"""The ``kit`` command: everything the apps do, from a shell.

Exit codes: 0 done; 1 the command ran and found errors (``check``, ``advance`` blocked,
``audit --verify``, ``db status``, ``verify``, ``remind`` some not sent); 2 the command could not do its work (bad input,
an unknown id, a file that is not the kit's) and changed nothing; 3 (``verify``) intact, but its
signer is not trusted. :data:`EXIT_CODES` has each command's, which its ``--help`` and the
README's table of commands say.

``-v`` logs what a command does on stderr (the command and its options, the store and who
reads it, what was read and written); ``-vv`` more.

One module per family of commands, each adding its commands with ``add_parsers``:
``guide`` (the guide, reason codes, exercises), ``records`` (list, check, advance, audit,
export, import, verify), ``notices``, ``policy`` (policy, verdict), ``db``, ``serving`` (serve,
hub), ``office`` (credit-file, plan, class, demo), ``companies`` (the register), ``plan_lines``
(new: an inspection from a plan line or the register), ``remind`` (deadline reminders),
``rectification`` (what a company sees, and its submissions),
``sample`` and ``keys``; what they share
is in ``_common``.

Each command imports what it needs inside its handler: ``kit guide`` should not wait for the
database driver, openpyxl or pandas, which other commands load (the only place in the kit
where imports sit inside functions, and only for start-up time).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from kit import __version__
from kit.cli import (
    companies,
    db,
    guide,
    keys,
    notices,
    office,
    plan_lines,
    policy,
    records,
    rectification,
    remind,
    sample,
    serving,
)
from kit.cli._common import (
    EXIT_FAILED,
    EXIT_FINDINGS,
    EXIT_OK,
    Handler,
    Subparsers,
    store_options,
)
from kit.cli.companies import cmd_companies
from kit.cli.db import cmd_db
from kit.cli.guide import cmd_guide, cmd_quiz, cmd_reasons
from kit.cli.notices import cmd_notice
from kit.cli.office import cmd_class, cmd_credit_file, cmd_demo, cmd_plan
from kit.cli.plan_lines import cmd_new
from kit.cli.policy import cmd_policy, cmd_verdict
from kit.cli.records import (
    PART_NAMES,
    cmd_advance,
    cmd_audit,
    cmd_check,
    cmd_export,
    cmd_import,
    cmd_list,
    cmd_verify,
)
from kit.cli.rectification import cmd_rectification
from kit.cli.remind import cmd_remind
from kit.cli.sample import cmd_sample
from kit.cli.serving import cmd_hub, cmd_serve

log = logging.getLogger("kit.cli")

__all__ = [
    "COMMANDS",
    "EXIT_CODES",
    "EXIT_FAILED",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "PART_NAMES",
    "Handler",
    "build_parser",
    "cmd_advance",
    "cmd_audit",
    "cmd_check",
    "cmd_class",
    "cmd_companies",
    "cmd_credit_file",
    "cmd_db",
    "cmd_demo",
    "cmd_export",
    "cmd_guide",
    "cmd_hub",
    "cmd_import",
    "cmd_list",
    "cmd_new",
    "cmd_notice",
    "cmd_plan",
    "cmd_policy",
    "cmd_quiz",
    "cmd_reasons",
    "cmd_rectification",
    "cmd_remind",
    "cmd_sample",
    "cmd_serve",
    "cmd_verdict",
    "cmd_verify",
    "main",
]

#: the families, each adding its commands to the parser
FAMILIES = (guide, records, notices, policy, db, serving, office, sample, keys, companies,
            plan_lines, remind, rectification)

#: the commands in the order ``kit --help`` lists them: the order users have known, which is
#: not family by family (a command not named here is listed last)
COMMANDS = ("guide", "reasons", "list", "check", "advance", "quiz", "notice", "verdict", "db",
            "audit", "export", "import", "verify", "keys", "serve", "hub", "credit-file",
            "companies", "plan", "new", "remind", "rectification", "policy", "class", "demo", "tables", "sample")


#: 2 for every command (a bad option, an unknown id, bad input: nothing changed)
_FAILED = "无法完成，未作改动 could not do its work, nothing changed"
#: the commands with exit codes besides 0 and 2, and what those mean
_MORE_CODES: dict[str, dict[int, str]] = {
    "check": {EXIT_FINDINGS: "有错误 errors found"},
    "advance": {EXIT_FINDINGS: "被规则的错误阻止 blocked by the rules' errors"},
    "audit": {EXIT_FINDINGS: "--verify 发现问题 the trail does not verify"},
    "db": {EXIT_FINDINGS: "status: 结构不是最新或缺少保护 schema not current or a protection "
                          "missing"},
    "remind": {EXIT_FINDINGS: "有提醒未能发送，未记录 some reminders not sent, not recorded"},
    "verify": {EXIT_FINDINGS: "签名后被修改 changed since it was signed",
               3: "完好，签名者不受信任或未签名 intact, the signer not trusted or none"},
}
#: each command's exit codes and what they mean (0 done and 2 for every one)
EXIT_CODES: Mapping[str, Mapping[int, str]] = MappingProxyType({
    name: MappingProxyType({EXIT_OK: "完成 done", **_MORE_CODES.get(name, {}),
                            EXIT_FAILED: _FAILED})
    for name in COMMANDS})


def _exit_epilog(name: str) -> str:
    codes = EXIT_CODES.get(name, EXIT_CODES["list"])
    return "退出码 exit codes: " + "; ".join(f"{code} {what}" for code, what in
                                           sorted(codes.items()))


def _in_listed_order(sub: Subparsers) -> None:
    """Order the commands as ``COMMANDS`` does, in ``kit --help`` and in argparse's "invalid
    choice … (choose from …)"."""
    rank = {name: i for i, name in enumerate(COMMANDS)}
    parsers = sorted(sub.choices.items(), key=lambda item: rank.get(item[0], len(rank)))
    sub.choices.clear()
    sub.choices.update(parsers)
    sub._choices_actions.sort(key=lambda action: rank.get(action.dest, len(rank)))


def build_parser() -> argparse.ArgumentParser:
    """The ``kit`` command's parser: the top options, then every family's commands."""
    parser = argparse.ArgumentParser(
        prog="kit",
        description="北京市医疗器械生产监督检查指南 inspection kit / 检查工具包",
    )
    parser.add_argument("--version", action="version", version=f"kit {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="say what is done as it is done (-v), and more (-vv), on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    store_opts = store_options()
    for family in FAMILIES:
        family.add_parsers(sub, store_opts)
    _in_listed_order(sub)
    for name, command in sub.choices.items():
        command.epilog = _exit_epilog(name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kit`` command on ``argv`` (default: the process's arguments); return its exit
    code. Errors are one line on stderr, never a traceback (``KIT_DEBUG=1`` shows one)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_FAILED
    if args.verbose:
        logging.basicConfig(level=logging.INFO if args.verbose == 1 else logging.DEBUG,
                            format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S",
                            stream=sys.stderr)
        log.info("kit %s%s", _command_line(args), "".join(
            f" {opt}" for opt in _given(args)))
    started = time.monotonic()
    code = _run(handler, args)
    log.info("exit %d after %.1f s", code, time.monotonic() - started)
    return code


def _command_line(args: argparse.Namespace) -> str:
    """The command and its action (``db status``, ``notice issue``), as typed."""
    action = next((getattr(args, dest) for dest in ("db_command", "notice_command", "action")
                   if isinstance(getattr(args, dest, None), str)), None)
    return f"{args.command} {action}" if action else str(args.command)


def _given(args: argparse.Namespace) -> list[str]:
    """The options and arguments given, by name (a password in a URL hidden)."""
    skip = {"command", "handler", "verbose", "db_command", "notice_command", "action"}
    given = []
    for name, value in sorted(vars(args).items()):
        if name in skip or value in (None, False, [], ()):
            continue
        if name == "db_url":
            from sqlalchemy.engine import make_url

            try:
                value = make_url(value).render_as_string(hide_password=True)
            except Exception:  # an URL it cannot read: said when the store is opened
                value = "…"
        given.append(f"{name}={value}")
    return given


def _run(handler: Handler, args: argparse.Namespace) -> int:
    """The handler's exit code; an error as one line on stderr (exit 2), never a traceback."""
    from kit.config import settings
    from kit.errors import KitError, ValidationError

    try:
        return handler(args)
    except ValidationError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except KitError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # `kit guide --json | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("已中断 interrupted", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a bug: say what broke in one line, never a traceback
        if settings().debug:
            raise
        print(f"内部错误 internal error: {type(exc).__name__}: {exc} (KIT_DEBUG=1 shows the "
              "traceback)", file=sys.stderr)
        return EXIT_FAILED
