"""Trying the office server out on this machine: never for an office's real work.

The settings of ``jupyterhub_config.py`` (loaded first), with one shared password
(``KIT_HUB_TRIAL_PASSWORD``) instead of the office's accounts, and a few people to sign in as:
the demo inspection's team (zhangming, its leader; lihua), an office leader (chen), an
analyst (wang), a trainer (liu) and zhao, who is on no team. ``kit hub`` refuses nothing
here, so keep it on 127.0.0.1.
"""

import os

from kit.config import settings

c = get_config()  # noqa: F821 - JupyterHub provides it
load_subconfig(os.path.join(os.path.dirname(__file__), "jupyterhub_config.py"))  # noqa: F821

c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = settings().hub["KIT_HUB_TRIAL_PASSWORD"]
c.Authenticator.allowed_users = {"zhangming", "lihua", "chen", "wang", "liu", "zhao"}
c.Authenticator.admin_users = set()
