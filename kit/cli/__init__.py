"""The ``kit`` command: everything the apps do, from a shell.

Exit codes: 0 done; 1 the command ran and found errors (``check``, ``verify``); 2 the command
could not do its work (bad input, unknown id) and changed nothing; 3 (``verify``) intact, but
its signer is not trusted.

One module per family of commands, each adding its commands with ``add_parsers``:
``guide`` (the guide, reason codes, exercises), ``records`` (list, check, advance, audit,
export, import, verify), ``notices``, ``policy`` (policy, verdict), ``db``, ``serving`` (serve,
hub), ``office`` (credit-file, plan, class, demo), ``companies`` (the register), ``plan_lines``
(new: an inspection from a plan line or the register), ``sample`` and ``keys``; what they share
is in ``_common``.

Each command imports what it needs inside its handler: ``kit guide`` should not wait for the
database driver, openpyxl or pandas, which other commands load (the only place in the kit
where imports sit inside functions, and only for start-up time).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

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
from kit.cli.sample import cmd_sample
from kit.cli.serving import cmd_hub, cmd_serve
from kit.config import settings
from kit.errors import KitError, ValidationError

__all__ = [
    "COMMANDS",
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
    "cmd_sample",
    "cmd_serve",
    "cmd_verdict",
    "cmd_verify",
    "main",
]

#: the families, each adding its commands to the parser
FAMILIES = (guide, records, notices, policy, db, serving, office, sample, keys, companies,
            plan_lines)

#: the commands in the order ``kit --help`` lists them: the order users have known, which is
#: not family by family (a command not named here is listed last)
COMMANDS = ("guide", "reasons", "list", "check", "advance", "quiz", "notice", "verdict", "db",
            "audit", "export", "import", "verify", "keys", "serve", "hub", "credit-file",
            "companies", "plan", "new", "policy", "class", "demo", "sample")


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
