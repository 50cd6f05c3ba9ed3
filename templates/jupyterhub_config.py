"""北京市医疗器械生产监督检查工具包 · 办公室服务器的设置 / The office server's settings.

``kit hub --config THIS_FILE`` starts JupyterHub with this file. Copy it, change the first part
(办公室填写 / the office fills in), keep the second: it is how the kit runs under the Hub.
Every setting is JupyterHub's own (https://jupyterhub.readthedocs.io); ``kit hub`` passes the
store, the addresses and the state folder in the environment (``KIT_*`` below).

A company's person (the group ``companies``) gets no server: after signing in they land on the
company portal (the service ``kit-portal``), which shows their own company only and takes their
rectification reports (README, "企业在线整改 / The company's portal").

What a person gets: after signing in, their own server (started on demand, stopped after
``IDLE_SERVER_SECONDS`` idle) serving only the kit's apps (inspector, training, analytics) as
Voila pages; no JupyterLab, no terminal, no way to run code. Each change they make is recorded
under their sign-in, and they open only their team's inspections (kit.access).
"""

import os
import socket
import sys

from kit.config import settings
from kit.proof import authorities, keys_dir
from kit.server._portal_hub import COMPANIES, add_portal, company_refusal, portal_service

c = get_config()  # noqa: F821 - JupyterHub provides it

# ============================ 办公室填写 / the office fills in ============================

# 1. 登录方式 / How people sign in.
#    "pam": the server's own Linux accounts (the Hub then runs as root to check passwords).
#    LDAP or Active Directory: pip install jupyterhub-ldapauthenticator, then
#    "ldapauthenticator.LDAPAuthenticator" and its c.LDAPAuthenticator.* settings.
#    Never "dummy" (any password) except to try the server out on this machine.
c.JupyterHub.authenticator_class = "pam"

# 2. 人员 / People: who may sign in (their sign-in names), and who administers the Hub
#    (starts and stops servers; administrators see no inspection they are not entitled to).
c.Authenticator.allowed_users = {"zhangming", "lihua", "chen", "wang", "liu"}
c.Authenticator.admin_users = {"admin"}

# 3. 分组 / Groups: the kit knows three (kit.access). Inspectors are in none: each opens the
#    inspections whose team (检查组, 四、1) names their sign-in, and the leader of a team
#    alone changes the team, the division of labour and the opinion, and closes it.
#      leaders  科室负责人: read every inspection; staff one that has no team yet
#      analysts 分析人员:   read every inspection (the analytics app)
#      trainers 培训人员:   the training app's class view
#      companies 企业账号:  a company's person (see 6. below): no server, the company portal
c.JupyterHub.load_groups = {
    "leaders": {"users": ["chen"]},
    "analysts": {"users": ["wang"]},
    "trainers": {"users": ["liu"]},
    "companies": {"users": []},
}

# 4. 限制 / Limits. A person's server with the inspector app open takes about the memory
#    the README's sizing gives (benchmarks/bench_office.py measures it); size the machine
#    for the people working at once, not for everyone on the list.
IDLE_SERVER_SECONDS = 3600  # stopped after an hour idle: nothing typed is lost (it is saved)
c.JupyterHub.active_server_limit = 250  # people's servers running at once
c.JupyterHub.concurrent_spawn_limit = 20  # servers starting at once (a morning rush)
c.Spawner.start_timeout = 120

# 5. 登录页的说明 / What the sign-in page says.
c.JupyterHub.template_vars = {
    "announcement_login": "北京市医疗器械生产监督检查工具包 · 请使用办公室账号登录 / "
                          "Sign in with your office account",
}

# 6. 企业账号 / Companies' accounts. A company's person signs in like everyone else (add their
#    sign-in to allowed_users above, or to LDAP) and is put in the group "companies" (above,
#    or the Hub's admin page); then bind the account to its company's credit code, once:
#        kit companies account add 91110115MA01KT8X5T qiye
#    They get no server of their own and no app: only the company portal (kit-portal), where
#    they see their own company's served notices, findings, deadlines and reviews, and submit
#    rectification reports. An account bound to no company sees nothing.

# ================= 工具包的运行方式，一般无需修改 / how the kit runs: keep =================

HUB = settings().hub  # what `kit hub` hands this file (kit.config, README "Settings")
STATE = HUB.get("KIT_HUB_STATE", os.getcwd())  # the Hub's own files
PYTHON = HUB.get("KIT_HUB_PYTHON", sys.executable)

c.JupyterHub.bind_url = (f"http://{HUB.get('KIT_HUB_IP', '127.0.0.1')}:"
                         f"{HUB.get('KIT_HUB_PORT', '8000')}/")
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB.get('KIT_HUB_API_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = (
    f"http://127.0.0.1:{HUB.get('KIT_HUB_PROXY_API_PORT', '8001')}")
c.ConfigurableHTTPProxy.pid_file = os.path.join(STATE, "proxy.pid")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(STATE, "jupyterhub.sqlite")  # the Hub's
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "jupyterhub_cookie_secret")

# A person's server: the kit's Voila on the apps' notebooks (kit/server/_single.py). All run
# as the Hub's own system account; people cannot run code, only use the apps.
c.JupyterHub.spawner_class = "simple"
c.Spawner.cmd = [PYTHON, "-m", "kit.server", "--hub-user"]
c.Spawner.default_url = "/voila/render/app.ipynb"
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(STATE, "people", "{username}")
c.JupyterHub.implicit_spawn_seconds = 1  # a page of a stopped server starts it
# No secret in a person's server: never KIT_SIGNING_KEY, KIT_KEYS_DIR or KIT_KEY_PASSPHRASE.
# Only the signing service (kit-signer, below) reads a private key; people's servers ask it
# (KIT_SIGNER_URL, with the person's own Hub token) and verify with the certificates alone
# (KIT_TRUST_DIR).
# Without a key pair (KIT_KEYS_DIR, kit keys init) nothing is signed: notices are kept as
# unsigned PDFs and there is no signing service.
SIGNING = bool(authorities(keys_dir()))
SIGNER = "kit-signer"
SIGNER_URL = f"http://127.0.0.1:{HUB.get('KIT_HUB_SIGNER_PORT', '8082')}"
c.Spawner.environment = {
    name: os.environ[name]
    for name in ("KIT_DB_URL", "KIT_DB_CONNECTIONS", "KIT_TRUST_DIR", "KIT_TEMPLATES_DIR",
                 "LANG")
    if os.environ.get(name)
}
if SIGNING:
    c.Spawner.environment["KIT_SIGNER_URL"] = f"{SIGNER_URL}/services/{SIGNER}"


def _groups(spawner):  # the person's groups, for kit.access (the Hub's are the truth)
    names = sorted(group.name for group in spawner.user.groups)
    if COMPANIES in names:  # a company's person never gets a server (or the store's URL)
        raise company_refusal()  # the Hub's page links them to the company portal
    spawner.environment = {**spawner.environment, "KIT_USER_GROUPS": ",".join(names)}


c.Spawner.pre_spawn_hook = _groups

# Idle servers are stopped by the Hub's own culler (jupyterhub-idle-culler).
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [PYTHON, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_SERVER_SECONDS}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]

# The signing service (kit/server/_signer.py): the one process given the key pairs. It signs
# what it renders from the store for the person whose token asks, as the door lets them.
if SIGNING:
    c.JupyterHub.services.append({
        "name": SIGNER,
        "url": SIGNER_URL,
        "command": [PYTHON, "-m", "kit.server", "--signer"],
        "environment": {
            "KIT_KEYS_DIR": str(keys_dir()),
            **{name: os.environ[name]
               # KIT_SIGNING_KEY: an earlier release's key, to check trails it keyed up to
               # their switch checkpoint (kit audit ID --checkpoint); a secret, kept here only
               for name in ("KIT_DB_URL", "KIT_DB_CONNECTIONS", "KIT_KEY_PASSPHRASE",
                            "KIT_SIGNING_KEY", "KIT_TRUST_DIR", "KIT_TIMESTAMP_URL",
                            "KIT_TEMPLATES_DIR", "LANG")
               if os.environ.get(name)},
        },
        "display": False,
    })
    c.JupyterHub.load_roles.append({
        "name": SIGNER,  # who asks: the person's name and groups, nothing more
        "scopes": ["read:users:name", "read:users:groups"],
        "services": [SIGNER],
    })

# The company portal (kit/server/_portal.py): the one process a company's person reaches. It
# holds the store's URL and opens its door as the signed-in person, who sees only their own
# company. The companies group may use it (and nothing else of the Hub but their own name);
# everyone else may not. A company's person lands on it after signing in, and the Hub's home
# page sends them there too (kit/server/portal/hub/home.html, before your own template_paths);
# their own server is refused by the spawn hook above. Its service, roles, landing and home
# page are the kit's (kit/server/_portal_hub.py), the same on a cluster (deploy/z2jh/values.yaml).


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


add_portal(c, portal_service(
    url=f"http://127.0.0.1:{_free_port()}",
    command=[PYTHON, "-m", "kit.server", "--portal"],
    environment={name: os.environ[name]
                 for name in ("KIT_DB_URL", "KIT_DB_CONNECTIONS", "KIT_TEMPLATES_DIR", "LANG")
                 if os.environ.get(name)},
))
