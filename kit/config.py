"""The one home of the kit's settings from the environment: every ``KIT_*`` variable is read here.

A setting is read when it is asked for (:func:`settings`), from ``os.environ`` unless another
mapping is given, so a test or a server that changes the environment is seen at once. Each
variable is listed once in :data:`VARIABLES` with what it does; the README's table of settings
is this list, and a test keeps the two the same.

>>> sorted(settings({"KIT_USER_GROUPS": "leaders, analysts"}).groups)
['analysts', 'leaders']
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

__all__ = ["HUB_TOKEN", "HUB_USER", "VARIABLES", "Settings", "settings"]

#: the Hub's own variable naming the signed-in person (set by JupyterHub, never by the office)
HUB_USER: Final = "JUPYTERHUB_USER"
#: the Hub's own variable holding the token of a person's server or a service (set by JupyterHub)
HUB_TOKEN: Final = "JUPYTERHUB_API_TOKEN"

#: every environment variable the kit reads: name -> (what it does, 中文 / English)
VARIABLES: Final[Mapping[str, str]] = {
    "KIT_DB_URL": "the store's database, any SQLAlchemy URL (else KIT_DATA_DIR) / 存储的数据库地址",
    "KIT_DATA_DIR": "folder of the SQLite store kit.sqlite (else the user's data folder) / "
                    "单机存储所在的文件夹",
    "KIT_DB_CONNECTIONS": "held or per_transaction: how a store holds its database connection "
                          "(default held on SQLite, per_transaction on a server) / 数据库连接方式",
    "KIT_SIGNING_KEY": "an earlier release's HMAC key: checks trails and workbooks sealed with it "
                       "(new ones are signed with the key pair) / 旧版的 HMAC 密钥，仅用于核验",
    "KIT_KEYS_DIR": "the signing component's folder of key pairs, one per issuing authority "
                    "(else keys in the user data folder) / 各发文机关密钥对所在的文件夹",
    "KIT_KEY_PASSPHRASE": "the passphrase of an encrypted key.pem or key.p12 / 私钥文件的口令",
    "KIT_TRUST_DIR": "the certificates kit verify trusts (*.pem, *.crt; else templates/trust) "
                     "/ 信任的证书所在的文件夹",
    "KIT_SIGNER_URL": "on the office server, the signing service people's servers ask (set by "
                      "the Hub's configuration) / 签名服务地址",
    "KIT_TIMESTAMP_URL": "an RFC 3161 timestamp server: signed PDFs carry its timestamp (PAdES "
                         "B-T) / 时间戳服务地址",
    "KIT_USER": "on one machine, the name changes are recorded under (kit serve --user) / "
                "单机使用时的署名",
    "KIT_USER_GROUPS": "on the office server, the signed-in person's groups, comma-separated "
                       "(set by the Hub) / 办公室服务器上登录人员所在的组",
    "KIT_TEMPLATES_DIR": "the office's templates folder (profiles, notices, holidays, "
                         "supervision rules) instead of the shipped one / 办公室模板文件夹",
    "KIT_OPEN_ID": "the inspection the app opens first (kit serve --demo) / 应用首先打开的检查记录",
    "KIT_DEBUG": "1: a bug's traceback instead of its one-line message / 显示程序错误的详细信息",
    "KIT_BASE_URL": "the office's address of the app, for the links in reminders (e.g. "
                    "https://kit.example.gov.cn/voila/render/app.ipynb) / 提醒邮件中应用的链接地址",
    "KIT_PORTAL_URL": "the company portal's address, for the companies' links in reminders "
                      "(e.g. https://kit.example.gov.cn/services/kit-portal/) / "
                      "提醒邮件中企业在线整改页面的地址",
    "KIT_SMTP_HOST": "the mail server reminders are sent through (kit remind) / 发送提醒的邮件服务器",
    "KIT_SMTP_PORT": "its port (default 587 with starttls, 465 with ssl, 25 with none) / "
                     "邮件服务器端口",
    "KIT_SMTP_USER": "the user name on the mail server, if it asks for one / 邮件服务器用户名",
    "KIT_SMTP_PASSWORD": "its password: a secret, never in templates/ / 邮件服务器密码",
    "KIT_SMTP_TLS": "starttls (default), ssl or none: how the connection is encrypted / "
                    "邮件服务器加密方式",
    "KIT_HUB_IP": "the office server's address (set by kit hub) / 办公室服务器地址",
    "KIT_HUB_PORT": "the office server's port (set by kit hub) / 办公室服务器端口",
    "KIT_HUB_STATE": "the folder of the Hub's own files (set by kit hub) / 服务器自身文件夹",
    "KIT_HUB_PYTHON": "the Python the Hub starts people's servers with (set by kit hub) / "
                      "服务器使用的 Python",
    "KIT_HUB_API_PORT": "the Hub's internal API port (set by kit hub) / 服务器内部接口端口",
    "KIT_HUB_PROXY_API_PORT": "the proxy's API port (set by kit hub) / 代理接口端口",
    "KIT_HUB_SIGNER_PORT": "the signing service's port on 127.0.0.1 (set by kit hub) / "
                           "签名服务端口",
    "KIT_HUB_TRIAL_PASSWORD": "the trial server's shared password (scripts/office-trial) / "
                              "试用服务器的共用密码",
}


@dataclass(frozen=True)
class Settings:
    """The kit's settings as the environment gives them ('' or None where unset)."""

    db_url: str | None
    data_dir: str | None
    db_connections: str
    signing_key: bytes | None
    keys_dir: str | None
    key_passphrase: str
    trust_dir: str | None
    signer_url: str
    timestamp_url: str | None
    user: str
    hub_user: str
    hub_token: str
    groups: frozenset[str]
    templates_dir: str | None
    open_id: str
    debug: bool
    hub: Mapping[str, str]
    #: the app's address for links in reminders ('' unset)
    base_url: str = ""
    #: the company portal's address for the companies' links in reminders ('' unset)
    portal_url: str = ""
    #: the mail server of reminders: host ('' unset), port as given ('' default), user,
    #: password, and TLS mode as given ('' default starttls)
    smtp_host: str = ""
    smtp_port: str = ""
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_tls: str = ""


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings now (from ``environ``, by default the process's environment)."""
    env = os.environ if environ is None else environ

    def text(name: str) -> str:
        return env.get(name, "").strip()

    key = env.get("KIT_SIGNING_KEY", "")
    return Settings(
        db_url=text("KIT_DB_URL") or None,
        data_dir=text("KIT_DATA_DIR") or None,
        db_connections=text("KIT_DB_CONNECTIONS"),
        signing_key=key.encode("utf-8") if key else None,
        keys_dir=text("KIT_KEYS_DIR") or None,
        key_passphrase=env.get("KIT_KEY_PASSPHRASE", ""),
        trust_dir=text("KIT_TRUST_DIR") or None,
        signer_url=text("KIT_SIGNER_URL"),
        timestamp_url=text("KIT_TIMESTAMP_URL") or None,
        user=text("KIT_USER"),
        hub_user=text(HUB_USER),
        hub_token=text(HUB_TOKEN),
        groups=frozenset(g.strip() for g in text("KIT_USER_GROUPS").split(",") if g.strip()),
        templates_dir=text("KIT_TEMPLATES_DIR") or None,
        open_id=text("KIT_OPEN_ID"),
        debug=bool(text("KIT_DEBUG")),
        hub={name: env[name] for name in VARIABLES if name.startswith("KIT_HUB_") and name in env},
        base_url=text("KIT_BASE_URL"),
        portal_url=text("KIT_PORTAL_URL"),
        smtp_host=text("KIT_SMTP_HOST"),
        smtp_port=text("KIT_SMTP_PORT"),
        smtp_user=text("KIT_SMTP_USER"),
        smtp_password=env.get("KIT_SMTP_PASSWORD", ""),
        smtp_tls=text("KIT_SMTP_TLS").lower(),
    )
