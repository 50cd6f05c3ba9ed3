"""``kit serve`` (the apps with Voila, with limits) and ``kit hub`` (the office server:
JupyterHub serving the apps to signed-in people on one PostgreSQL store)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kit.cli._common import Subparsers, _door, _out

__all__ = ["add_parsers", "cmd_hub", "cmd_serve"]


def cmd_serve(args: argparse.Namespace) -> int:
    from kit import server as serve
    from kit.interchange import load_demo

    serve.check_address(args.ip, args.token)  # before anything else is done
    open_id = None
    if args.demo:
        with _door(args) as door:  # closed before this process becomes the Voila server
            open_id = load_demo(door)
    notebook = serve.notebook_path(args.app)
    env = serve.serve_env(data_dir=args.data_dir, db_url=args.db_url, open_id=open_id,
                          user=args.user)
    argv = serve.voila_argv(notebook, port=args.port, ip=args.ip, token=args.token,
                            preheat=not args.no_preheat, open_browser=args.browser,
                            max_kernels=args.max_kernels, max_tabs=args.max_tabs)
    where = f"http://{args.ip}:{args.port}/" + (f"?token={args.token}" if args.token else "")
    _out(f"检查工具包应用 {args.app} 在 {where} / serving {notebook.name} at {where}")
    return serve.run(argv, env)


def cmd_hub(args: argparse.Namespace) -> int:
    """The office server: JupyterHub serving the apps to signed-in people, on one store."""
    from kit import server as serve
    from kit.interchange import load_demo

    config = serve.prerequisites(args.config)  # every check before anything starts
    db_url = serve.check_store(args.db_url)
    serve.check_hub_address(args.ip)
    if args.demo:
        with _door(args) as door:
            load_demo(door)
    state = Path(args.state) if args.state else serve.default_state_dir()
    env = serve.hub_env(db_url=db_url, ip=args.ip, port=args.port, state=state)
    where = f"http://{args.ip}:{args.port}/"
    _out(f"办公室服务器在 {where}（设置 {config}） / the office server at {where} ({config})")
    os.chdir(state)
    return serve.run(serve.hub_argv(config), env)


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``serve`` and ``hub``."""
    sv = sub.add_parser("serve", parents=[store_opts],
                        help="用 Voila 启动应用 / serve the app with Voila")
    sv.add_argument("--port", type=int, default=8866, help="port to listen on (default 8866)")
    sv.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: localhost)")
    sv.add_argument("--token", help="require this token in the URL")
    sv.add_argument("--demo", action="store_true",
                    help="load the sample company's demo inspection and open it")
    sv.add_argument("--app", default="app", help="app, training, analytics or a notebook path")
    sv.add_argument("--no-preheat", action="store_true", help="no preheated kernel")
    sv.add_argument("--max-kernels", type=int, default=12,
                    help="open pages in all (about 130 MiB each; default 12)")
    sv.add_argument("--max-tabs", type=int, default=6,
                    help="open pages per client address (default 6)")
    sv.add_argument("--browser", action="store_true", help="open a browser")
    sv.set_defaults(handler=cmd_serve)

    hb = sub.add_parser("hub", parents=[store_opts],
                        help="办公室服务器（JupyterHub + PostgreSQL） / the office server")
    hb.add_argument("--port", type=int, default=8000, help="default 8000")
    hb.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: localhost)")
    hb.add_argument("--config", help="the office's settings (default templates/jupyterhub_config.py)")
    hb.add_argument("--state", help="folder for the Hub's own files (default: the user data folder)")
    hb.add_argument("--demo", action="store_true", help="load the demo inspection into the store")
    hb.set_defaults(handler=cmd_hub)
