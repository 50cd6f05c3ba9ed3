"""Trying the office server out on this machine: never for an office's real work.

The settings of ``jupyterhub_config.py`` (loaded first), with one shared password
(``KIT_HUB_TRIAL_PASSWORD``) instead of the office's accounts, and a few people to sign in as:
the demo inspection's team (zhangming, its leader; lihua), an office leader (chen), an
analyst (wang), a trainer (liu) and zhao, who is on no team; qiye, a company's person (the
group companies: the company portal, no server; bind it with ``kit companies account add
CREDIT_CODE qiye``); a trial key pair for the signing service. ``kit hub`` refuses nothing
here, so keep it on 127.0.0.1.
"""

import os

from kit.config import settings
from kit.proof import authorities, init_keys, keys_dir

c = get_config()  # noqa: F821 - JupyterHub provides it
# A trial key pair in the Hub's state folder unless the office gave its own (kit keys init
# makes the same): notices and records are signed, by a certificate nobody else trusts.
if not authorities(keys_dir()):
    os.environ["KIT_KEYS_DIR"] = os.path.join(settings().hub.get("KIT_HUB_STATE", os.getcwd()),
                                              "keys")
    if not authorities(keys_dir()):
        init_keys(keys_dir(), authority="北京市药品监督管理局（试用）", office="试用", days=30)
load_subconfig(os.path.join(os.path.dirname(__file__), "jupyterhub_config.py"))  # noqa: F821

c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = settings().hub["KIT_HUB_TRIAL_PASSWORD"]
c.Authenticator.allowed_users = {"zhangming", "lihua", "chen", "wang", "liu", "zhao", "qiye"}
c.JupyterHub.load_groups["companies"] = {"users": ["qiye"]}
c.Authenticator.admin_users = set()
