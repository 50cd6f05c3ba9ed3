"""The office's register of companies: ``kit companies template``, ``import``, ``list``,
``trail`` and ``account`` (the companies' people's sign-ins, bound to their credit codes).

``import`` reads the whole workbook first: a problem anywhere (named by sheet, row and column)
stops it with exit code 2 and nothing written; otherwise every company is added or updated in
one transaction, each change kept in the register's trail with the row before and after.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from kit.cli._common import EXIT_FAILED, EXIT_OK, Subparsers, _door, _out
from kit.errors import KitError

__all__ = ["add_parsers", "cmd_companies"]

log = logging.getLogger("kit.cli")


def cmd_companies(args: argparse.Namespace) -> int:
    """Dispatch ``kit companies ACTION``."""
    action = getattr(args, "action", None)
    if action == "template":
        return _template(args)
    if action == "import":
        return _import(args)
    if action == "list":
        return _list(args)
    if action == "trail":
        return _trail(args)
    if action == "account":
        return _account(args)
    msg = ("请给出 template、import、list、trail 或 account（kit companies --help） / give template, "
           "import, list, trail or account")
    raise KitError(msg)


def _template(args: argparse.Namespace) -> int:
    from kit.register import write_template

    path = write_template(Path(args.out))
    _out(f"已写入企业名录模板 written: {path}（工作表“企业”和“产品”，首行为表头）")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from kit.register import read_register

    companies = read_register(Path(args.file))  # every problem, or nothing is written
    log.info("read %d companies from %s; writing them in one transaction", len(companies),
             args.file)
    changes = _door(args).import_companies(companies)
    added = sum(c.old is None for c in changes)
    updated = len(changes) - added
    _out(f"企业名录：{len(companies)} 家企业，新增 {added} 家、更新 {updated} 家、未变 "
         f"{len(companies) - len(changes)} 家 / the register: {len(companies)} companies, "
         f"{added} added, {updated} updated, {len(companies) - len(changes)} unchanged")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    kept = _door(args).companies()
    if args.json:
        _out(json.dumps([{**r.company.to_doc(), "updated_at": r.updated_at,
                          "updated_by": r.updated_by} for r in kept], ensure_ascii=False,
                        indent=1))
        return EXIT_OK
    for r in kept:
        c = r.company
        classes = "/".join(sorted({p.device_class for p in c.products}, key=len)) or "-"
        _out("\t".join((c.credit_code, c.name, c.region, "委托生产" if c.contracts else "-",
                        c.licence_no or c.filing_no, f"{len(c.products)} 个产品 {classes}",
                        r.updated_at[:19].replace("T", " "), r.updated_by)))
    _out(f"{len(kept)} 家企业 / companies")
    return EXIT_OK


def _trail(args: argparse.Namespace) -> int:
    entries = _door(args).company_trail(args.code)
    if args.json:
        _out(json.dumps([{"seq": e.seq, "at": e.at, "user": e.user, "action": e.action,
                          "credit_code": e.credit_code, "old": e.old, "new": e.new}
                         for e in entries], ensure_ascii=False, indent=1))
        return EXIT_OK
    for e in entries:
        if e.old is None:
            what = "新增 added"
        else:
            new = e.new or {}
            fields = [k for k in sorted(set(e.old) | set(new)) if e.old.get(k) != new.get(k)]
            what = "更新 updated: " + ", ".join(
                f"{k}: {_short(e.old.get(k))} -> {_short(new.get(k))}" for k in fields)
        _out(f"{e.seq}\t{e.at[:19].replace('T', ' ')}\t{e.user}\t{e.credit_code}\t{what}")
    _out(f"{len(entries)} 条修改记录 / entries")
    return EXIT_OK if entries or args.code is None else EXIT_FAILED


def _account(args: argparse.Namespace) -> int:
    """Bind (add) or unbind (remove) a company person's Hub account, or list the accounts."""
    door = _door(args)
    if args.change == "list":
        for r in door.companies():
            for user in r.company.accounts:
                _out(f"{user}\t{r.company.credit_code}\t{r.company.name}")
        return EXIT_OK
    if not args.code or not args.user:
        msg = (f"kit companies account {args.change} 统一社会信用代码 账号 / give the credit code "
               "and the account")
        raise KitError(msg)
    if args.change == "add":
        changed = door.bind_account(args.code, args.user)
        _out(f"账号 {args.user} 已绑定企业 {args.code.strip().upper()}" if changed else
             f"账号 {args.user} 已绑定过该企业，未变 / already bound")
    else:
        changed = door.unbind_account(args.code, args.user)
        _out(f"账号 {args.user} 已与企业 {args.code.strip().upper()} 解除绑定" if changed else
             f"账号 {args.user} 未绑定该企业，未变 / was not bound")
    return EXIT_OK


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``companies`` with its actions."""
    co = sub.add_parser("companies", help="企业名录：模板、导入、列出、修改记录 / the register of "
                                          "licensed and filed companies")
    actions = co.add_subparsers(dest="action", metavar="ACTION")
    tp = actions.add_parser("template", help="write the register's template workbook")
    tp.add_argument("--out", required=True, help="F.xlsx")
    im = actions.add_parser("import", parents=[store_opts],
                            help="import a register workbook (sheets 企业 and 产品)")
    im.add_argument("file", help="F.xlsx")
    ls = actions.add_parser("list", parents=[store_opts], help="the companies of the register")
    ls.add_argument("--json", action="store_true", help="as JSON")
    tr = actions.add_parser("trail", parents=[store_opts],
                            help="every change to the register: who, when, before and after")
    tr.add_argument("code", nargs="?", help="one company's credit code")
    tr.add_argument("--json", action="store_true", help="as JSON")
    ac = actions.add_parser("account", parents=[store_opts],
                            help="the companies' people's sign-ins (Hub group companies): "
                                 "add, remove, list")
    ac.add_argument("change", choices=("add", "remove", "list"),
                    help="add (bind), remove (unbind) or list the accounts")
    ac.add_argument("code", nargs="?", help="the company's credit code")
    ac.add_argument("user", nargs="?", help="the Hub account")
    co.set_defaults(handler=cmd_companies)
