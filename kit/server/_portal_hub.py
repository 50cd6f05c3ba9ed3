"""The company portal's place on the office Hub, the same on one machine
(``templates/jupyterhub_config.py``) and on a cluster (:mod:`kit.server._k8s`): one place says
how the Hub runs the portal, who may reach it, where a company's person lands after signing
in, and what the Hub says when they ask for a server of their own.

- the service ``kit-portal`` (:func:`portal_service`): the Hub runs it and routes
  ``/services/kit-portal/`` to its URL; it signs people in through the Hub with no
  "authorize" page, its token reading only the person's groups;
- the roles (:func:`portal_roles`): the group ``companies`` may use the portal, and nothing
  else of the Hub; the portal reads a person's name and groups, nothing more;
- the landing (:func:`landing`, the Hub's ``default_url``): a company's person on the portal,
  everyone else on their own server;
- the Hub's home and token pages (:data:`HUB_TEMPLATES`, JupyterHub's documented template
  override through ``template_paths`` and ``template_vars``): a company's person who opens
  one (the "Home" and "Token" links, ``/hub/home``, ``/hub/token``) is sent to the portal,
  never offered "Start My Server" or an API token;
- the refusal (:func:`company_refusal`): a company's person gets no server (it would hold the
  store's URL), and the Hub's page links them to the portal.

:func:`add_portal` puts the first four into a Hub configuration; each spawner's pre-spawn
hook raises the fifth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from kit.door import COMPANIES
from kit.server._portal import PORTAL_SERVICE

__all__ = [
    "COMPANIES",
    "COMPANY_ROLE",
    "HUB_TEMPLATES",
    "PORTAL_SERVICE",
    "add_portal",
    "company_refusal",
    "is_company_user",
    "landing",
    "portal_roles",
    "portal_service",
]

#: the role giving the group ``companies`` the portal
COMPANY_ROLE: Final = "company"
#: what the portal's OAuth token for a person may read: their groups (whom it acts for)
TOKEN_SCOPES: Final = ("read:users:groups!user",)
#: what the portal's own token may read of people: their name and groups, nothing more
SERVICE_SCOPES: Final = ("read:users:name", "read:users:groups")
#: the Hub's own pages the kit changes (``home.html``, ``token.html``, extending JupyterHub's):
#: searched before JupyterHub's templates (``c.JupyterHub.template_paths``)
HUB_TEMPLATES: Final = Path(__file__).with_name("portal") / "hub"
#: the portal's address below the Hub's base URL
PORTAL_PATH: Final = f"services/{PORTAL_SERVICE}/"


def portal_service(url: str, command: Sequence[str], environment: Mapping[str, str]
                   ) -> dict[str, Any]:
    """The portal as a JupyterHub service the Hub runs (``command``, listening at ``url``'s
    port) with ``environment``: the store's URL and what reaches it, never a key."""
    return {
        "name": PORTAL_SERVICE,
        "url": url,
        "command": list(command),
        "environment": dict(environment),
        "oauth_no_confirm": True,  # part of the office server: no "authorize" page
        "oauth_client_allowed_scopes": list(TOKEN_SCOPES),
        "display": False,
    }


def portal_roles() -> list[dict[str, Any]]:
    """The group ``companies`` may use the portal (and nothing else of the Hub but their own
    name); the portal asks the Hub a person's name and groups. JupyterHub gives every user
    its ``user`` role too (their own server among it): a company's is refused at spawn."""
    return [
        {"name": COMPANY_ROLE, "scopes": [f"access:services!service={PORTAL_SERVICE}"],
         "groups": [COMPANIES]},
        {"name": PORTAL_SERVICE, "scopes": list(SERVICE_SCOPES), "services": [PORTAL_SERVICE]},
    ]


def is_company_user(user: Any) -> bool:
    """Whether the Hub's ``user`` (None: nobody signed in) is a company's person (the group
    ``companies``): the Hub's template variable ``kit_company``."""
    return user is not None and any(group.name == COMPANIES for group in user.groups)


def landing(handler: Any) -> str:
    """The Hub's ``default_url``: where a person arrives after signing in. A company's person
    on the portal; everyone else ``""`` (their own server, as JupyterHub does)."""
    if is_company_user(handler.current_user):
        return f"{handler.base_url}{PORTAL_PATH}"
    return ""


def company_refusal() -> Exception:
    """What a pre-spawn hook raises for a company's person: 403, the Hub's page saying they
    have no server and linking them to the portal."""
    from tornado import web

    portal = f"/services/{PORTAL_SERVICE}/"
    message = ("企业账号没有自己的服务器，请使用企业在线整改页面 / a company's account has no "
               f"server: use the company portal, {portal}")
    refused = web.HTTPError(403, message)
    refused.jupyterhub_message = message  # type: ignore[attr-defined]  # the Hub's page says
    refused.jupyterhub_html_message = (  # type: ignore[attr-defined]
        f'企业账号没有自己的服务器，请使用<a href="{portal}">企业在线整改页面</a> / '
        f'a company\'s account has no server: use <a href="{portal}">the company portal</a>')
    return refused


def _listed(section: Any, name: str) -> list[Any]:
    return list(section[name]) if name in section else []


def add_portal(c: Any, service: Mapping[str, Any]) -> None:
    """Register the portal on the Hub's configuration ``c``: its ``service``
    (:func:`portal_service`), its roles, the landing, and the Hub's home page sending a
    company's person to the portal (added to the services, roles, template folders and
    template variables already there)."""
    c.JupyterHub.services = [*_listed(c.JupyterHub, "services"), dict(service)]
    c.JupyterHub.load_roles = [*_listed(c.JupyterHub, "load_roles"), *portal_roles()]
    c.JupyterHub.default_url = landing
    c.JupyterHub.template_paths = [str(HUB_TEMPLATES), *(
        p for p in _listed(c.JupyterHub, "template_paths") if p != str(HUB_TEMPLATES))]
    before = dict(c.JupyterHub.template_vars) if "template_vars" in c.JupyterHub else {}
    c.JupyterHub.template_vars = {**before, "kit_company": is_company_user,
                                  "kit_portal": PORTAL_PATH}
