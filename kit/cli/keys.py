"""The office's key pairs: ``kit keys init`` makes a trial one, ``kit keys show`` lists them."""

from __future__ import annotations

import argparse
from pathlib import Path

from kit.cli._common import EXIT_OK, Subparsers, _out
from kit.errors import KitError

__all__ = ["add_parsers", "cmd_keys"]


def cmd_keys(args: argparse.Namespace) -> int:
    from kit.proof import authorities, authority_dir, init_keys, keys_dir, load_signer

    folder = Path(args.dir) if args.dir else keys_dir()
    if args.action == "init":
        if not args.authority:
            msg = "请用 --authority 给出发文机关名称 / give the issuing authority with --authority"
            raise KitError(msg)
        signer = init_keys(folder, authority=args.authority, office=args.office, days=args.days)
        home = authority_dir(folder, signer.authority)
        _out(f"已生成试用密钥对 made a trial key pair: {home / 'key.pem'}（仅签名服务可读 "
             f"readable by the signing component only）, {home / 'cert.pem'}")
        _out(f"证书 certificate: {signer.certificate.describe()}")
        _out("这是自签名的试用证书：把 cert.pem 放入 templates/trust/（或 KIT_TRUST_DIR）后才受信任；"
             "正式使用请换成机构的证书与私钥（key.pem + cert.pem，或 key.p12）/ a self-signed "
             "certificate for trials: trusted only once cert.pem is in templates/trust (or "
             "KIT_TRUST_DIR); for real use put the office's own certificate and key there")
        return EXIT_OK
    found = authorities(folder)
    if not found:
        _out(f"{folder} 中没有密钥对（kit keys init）/ no key pairs")
    for name in found:
        _out(f"{name}\t{load_signer(name, folder).certificate.describe()}")
    return EXIT_OK


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``keys``."""
    ks = sub.add_parser("keys", help="发文机关的密钥对 / the issuing authorities' key pairs")
    ks.add_argument("action", choices=("init", "show"),
                    help="init: make a trial key pair; show: list the key pairs")
    ks.add_argument("--authority", help="init: the issuing authority, e.g. 北京市药品监督管理局"
                                        "第七分局")
    ks.add_argument("--office", help="init: the office it belongs to (the certificate's O)")
    ks.add_argument("--days", type=int, default=3650, help="init: how long the certificate lasts")
    ks.add_argument("--dir", help="the folder of key pairs (else $KIT_KEYS_DIR, else the user "
                                  "data folder's keys)")
    ks.set_defaults(handler=cmd_keys)
