"""``kit db``: the store's schema — where it stands and its protections, upgrade it from an
earlier kit, or give the apps' PostgreSQL role what it needs and no more."""

from __future__ import annotations

import argparse

from kit.cli._common import EXIT_FINDINGS, EXIT_OK, Subparsers, _door, _out, store_options

__all__ = ["add_parsers", "cmd_db"]


def cmd_db(args: argparse.Namespace) -> int:
    """The store's schema: where it stands, upgrade it, or grant the app role its rights."""
    from kit.door import schema_status, upgrade_schema

    if args.db_command == "upgrade":
        before, after = upgrade_schema(args.db_url, data_dir=args.data_dir)
        if before == after:
            _out(f"数据库已是最新结构（{after}），未作改动 / already at schema {after}")
        else:
            _out(f"数据库结构已从 {before} 升级到 {after} / upgraded from {before} to {after}")
        return EXIT_OK
    if args.db_command == "grant":
        for statement in _door(args).grant_app_role(args.role):
            _out(statement)
        return EXIT_OK
    current, needed = schema_status(args.db_url, data_dir=args.data_dir)
    _out(f"数据库结构 schema: {current or '（空库 empty）'}；本工具需要 kit needs: {needed}")
    if current != needed:
        return EXIT_FINDINGS
    door = _door(args)
    for name in door.protection_problems:
        _out(f"缺少保护规则 missing protection: {name}")
    for zh, en in door.role_problems():  # fine to administer, not to run the apps
        _out(f"注意：{zh}，此连接不宜用于应用（kit db grant 角色名） / note: {en}; not for the "
             "apps (kit db grant ROLE)")
    return EXIT_FINDINGS if door.protection_problems else EXIT_OK


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``db`` and its actions ``status``, ``upgrade`` and ``grant``."""
    db = sub.add_parser("db", parents=[store_opts],
                        help="数据库结构：状态、升级、应用角色 / the store's schema: status, upgrade, role")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    store_opts = store_options(nested=True)  # `kit db --data-dir D status` keeps D
    db_sub.add_parser("status", parents=[store_opts],
                      help="the schema revision and the protections (exit 1 when not current)")
    db_sub.add_parser("upgrade", parents=[store_opts],
                      help="bring the database to this kit's schema (back it up first)")
    grant = db_sub.add_parser("grant", parents=[store_opts],
                              help="PostgreSQL: give the kit's own role what it needs, no more")
    grant.add_argument("role", help="the role the apps connect as (never the owner)")
    db.set_defaults(handler=cmd_db)
