"""The office server on Kubernetes: the kit's part of the Hub's configuration under Zero to
JupyterHub (KubeSpawner), from the chart's values (``deploy/z2jh/values.yaml``).

The chart turns its own keys into KubeSpawner's settings (``singleuser.image``, ``.memory``,
``.cpu``, ``.uid``, ``.cmd``; ``cull``; ``hub.*``). What only the kit knows is under
``custom.kit`` and is applied here, by the values file's ``hub.extraConfig`` (:func:`configure`)
and by the tests through the same functions:

- a person's pod: the store through PgBouncer as the app role (``KIT_DB_URL`` without a
  password; libpq reads ``PGPASSWORD`` from a Kubernetes Secret by reference), the signing
  service's address, the person's groups (:func:`pass_groups`), a read-only root filesystem
  as a non-root user with a writable ``/tmp`` (Voila's runtime files, caches, LibreOffice's
  throwaway profile), and no service-account token. No key, no passphrase, no password in it;
- the signing service (``kit-signer``): the one process given the key pairs, run by the Hub
  in the Hub's pod, where alone the keys' Secret is mounted;
- the company portal (``kit-portal``): run by the Hub in the Hub's pod too, with the store
  as the signing service reaches it and no key; the proxy reaches it through the Hub's
  Kubernetes Service. Its service, roles and landing are :mod:`kit.server._portal_hub`'s, the
  same as on one machine;
- the office's groups (``leaders``, ``analysts``, ``trainers``, ``companies``); a company's
  person gets no pod, and lands on the portal after signing in.

``python -m kit.server._k8s --signer`` runs the signing service, ``python -m kit.server._k8s
--portal`` the company portal, on every address of the Hub's pod (people's pods and the proxy
reach them through the Hub's Kubernetes Service).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlparse

from kit.errors import KitError
from kit.server import _portal_hub
from kit.server._portal_hub import COMPANIES, PORTAL_SERVICE, add_portal, company_refusal

__all__ = [
    "COMPANIES",
    "GROUPS",
    "PORTAL_CMD",
    "PORTAL_SERVICE",
    "SCRATCH",
    "SIGNER_SERVICE",
    "configure",
    "kubespawner_config",
    "pass_groups",
    "portal_service",
    "scratch_environment",
    "signer_service",
    "store_url",
]

#: the office's groups on the Hub (kit.access)
GROUPS: Final = ("leaders", "analysts", "trainers", COMPANIES)
#: what kit.config reads a person's groups from (set here, by the Hub, never by the person)
_GROUPS_VARIABLE: Final = "KIT_USER_GROUPS"
#: the service's name on the Hub (``/services/kit-signer``), as in templates/jupyterhub_config.py
SIGNER_SERVICE: Final = "kit-signer"
#: the only writable folder of a person's pod (an emptyDir): everything written goes there
SCRATCH: Final = "/tmp"
#: where the signing service finds the key pairs in the Hub's pod (the keys' Secret)
KEYS_MOUNT: Final = "/etc/kit/keys"
#: a person's server: the kit's Voila under the Hub, as on one machine
USER_CMD: Final = ["python", "-m", "kit.server", "--hub-user"]
SIGNER_CMD: Final = ["python", "-m", "kit.server._k8s", "--signer"]
PORTAL_CMD: Final = ["python", "-m", "kit.server._k8s", "--portal"]
#: passed from the Hub's pod to the signing service when set there (never to people's pods)
_SIGNER_PASSED: Final = ("PGPASSWORD", "KIT_KEY_PASSPHRASE", "KIT_SIGNING_KEY",
                         "KIT_TIMESTAMP_URL", "KIT_TRUST_DIR", "KIT_TEMPLATES_DIR")
#: passed from the Hub's pod to the company portal when set there: the store's password, the
#: office's templates; never a key
_PORTAL_PASSED: Final = ("PGPASSWORD", "KIT_TEMPLATES_DIR")


def _need(settings: Mapping[str, Any], *path: str) -> Any:
    value: Any = settings
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    if value in (None, ""):
        where = ".".join(("custom", "kit", *path))
        msg = f"集群设置缺少 {where} / the chart's values lack {where} (deploy/z2jh/values.yaml)"
        raise KitError(msg)
    return value


def store_url(settings: Mapping[str, Any]) -> str:
    """``KIT_DB_URL`` of people's servers and the signing service: PgBouncer's Service, the
    app role, no password (libpq takes it from ``PGPASSWORD``)."""
    host, database, user = (str(_need(settings, "store", k)) for k in ("host", "database", "user"))
    port = int(settings["store"].get("port") or 6432)
    return f"postgresql+psycopg://{user}@{host}:{port}/{database}"


def _password_ref(settings: Mapping[str, Any]) -> dict[str, Any]:
    secret = _need(settings, "store", "passwordSecret")
    name = _need(settings, "store", "passwordSecret", "name")
    return {"valueFrom": {"secretKeyRef": {"name": str(name),
                                           "key": str(secret.get("key") or "password")}}}


def scratch_environment(scratch: str = SCRATCH) -> dict[str, str]:
    """Where a person's server writes, all under ``scratch`` (its home is read-only): Jupyter's
    runtime files, IPython's and matplotlib's folders, caches (fontconfig), temporary files
    (LibreOffice's throwaway profile)."""
    return {
        "TMPDIR": scratch,
        "JUPYTER_RUNTIME_DIR": f"{scratch}/jupyter-runtime",
        "JUPYTER_CONFIG_DIR": f"{scratch}/jupyter-config",
        "IPYTHONDIR": f"{scratch}/ipython",
        "MPLCONFIGDIR": f"{scratch}/matplotlib",
        "XDG_CACHE_HOME": f"{scratch}/cache",
        "XDG_CONFIG_HOME": f"{scratch}/config",
        "XDG_DATA_HOME": f"{scratch}/data",
        "XDG_RUNTIME_DIR": f"{scratch}/runtime",
    }


def _service_url(settings: Mapping[str, Any], part: str, example: str) -> str:
    """A service's address in the Hub's pod as others reach it (the Hub's Service and port)."""
    url = str(_need(settings, part, "url")).rstrip("/")
    if not urlparse(url).port:
        msg = (f"custom.kit.{part}.url 须带端口，如 {example} / custom.kit.{part}.url needs a "
               f"port, e.g. {example}")
        raise KitError(msg)
    return url


def _signer_url(settings: Mapping[str, Any]) -> str:
    """The signing service's address as the Hub and people's pods reach it (the Hub's Service)."""
    return _service_url(settings, "signer", "http://hub:8082")


def _signing(settings: Mapping[str, Any]) -> bool:
    return bool((settings.get("signer") or {}).get("enabled"))


def kubespawner_config(settings: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """KubeSpawner's settings for a person's pod from ``custom.kit`` (what the chart's own
    keys do not say): ``{"KubeSpawner": {trait: value}}``."""
    env: dict[str, Any] = {
        "KIT_DB_URL": store_url(settings),
        "PGPASSWORD": _password_ref(settings),
        "KIT_DB_CONNECTIONS": str(settings["store"].get("connections") or "held"),
        "LANG": "C.UTF-8",
        **scratch_environment(),
    }
    if _signing(settings):
        env["KIT_SIGNER_URL"] = f"{_signer_url(settings)}/services/{SIGNER_SERVICE}"
    size = str(settings.get("scratchSize") or "1Gi")
    return {"KubeSpawner": {
        "cmd": list(USER_CMD),
        "environment": env,
        "volumes": {"kit-scratch": {"name": "kit-scratch", "emptyDir": {"sizeLimit": size}}},
        "volume_mounts": {"kit-scratch": {"name": "kit-scratch", "mountPath": SCRATCH}},
        "container_security_context": {
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "automount_service_account_token": False,
        "pre_spawn_hook": pass_groups,
    }}


def pass_groups(spawner: Any) -> None:
    """KubeSpawner's ``pre_spawn_hook``: the person's groups on the Hub, for kit.access
    (``KIT_USER_GROUPS``; the Hub's are the truth), as on one machine. A company's person
    (``companies``) gets no pod: it would hold the store's URL and password; they use the
    portal."""
    names = sorted(group.name for group in spawner.user.groups)
    if COMPANIES in names:
        raise company_refusal()  # the Hub's page links them to the portal, as on one machine
    spawner.environment = {**spawner.environment, _GROUPS_VARIABLE: ",".join(names)}


def signer_service(settings: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """The signing service as a JupyterHub service run by the Hub in its pod: the key pairs at
    :data:`KEYS_MOUNT` (the keys' Secret, mounted in the Hub's pod only), the store as people's
    servers reach it, and what the Hub's pod was given for it alone (``environ``)."""
    passed = {name: environ[name] for name in _SIGNER_PASSED if environ.get(name)}
    return {
        "name": SIGNER_SERVICE,
        "url": _signer_url(settings),
        "command": list(SIGNER_CMD),
        "environment": {
            "KIT_DB_URL": store_url(settings),
            "KIT_DB_CONNECTIONS": str(settings["store"].get("connections") or "held"),
            "KIT_KEYS_DIR": KEYS_MOUNT,
            "LANG": "C.UTF-8",
            **passed,
        },
        "display": False,
    }


def portal_service(settings: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """The company portal as a JupyterHub service run by the Hub in its pod: the store as
    the signing service reaches it (PgBouncer, the app role, the password the Hub's pod was
    given), and no key, passphrase nor anything else of the signing service's."""
    passed = {name: environ[name] for name in _PORTAL_PASSED if environ.get(name)}
    url = _service_url(settings, "portal", "http://hub:8083")
    return _portal_hub.portal_service(url, PORTAL_CMD, {
        "KIT_DB_URL": store_url(settings),
        "KIT_DB_CONNECTIONS": str(settings["store"].get("connections") or "held"),
        "LANG": "C.UTF-8",
        **passed,
    })


def configure(c: Any, settings: Mapping[str, Any], environ: Mapping[str, str] | None = None
              ) -> None:
    """Apply the kit's part to the Hub's configuration ``c`` (the chart's ``hub.extraConfig``:
    after the chart's own, so the environment and volumes it set are kept and added to)."""
    env = os.environ if environ is None else environ
    for trait, value in kubespawner_config(settings)["KubeSpawner"].items():
        before = c.KubeSpawner.get(trait)
        if isinstance(value, dict) and isinstance(before, dict):
            value = {**before, **value}
        c.KubeSpawner[trait] = value
    groups = settings.get("groups") or {}
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown:
        msg = (f"custom.kit.groups 中有工具包不认识的组 {unknown}（可用：{'、'.join(GROUPS)}） / "
               f"unknown groups {unknown}; the kit knows {', '.join(GROUPS)}")
        raise KitError(msg)
    c.JupyterHub.load_groups = {name: {"users": list(groups.get(name) or [])} for name in GROUPS}
    if _signing(settings):
        services = list(c.JupyterHub.services) if "services" in c.JupyterHub else []
        c.JupyterHub.services = [*services, signer_service(settings, env)]
        roles = list(c.JupyterHub.load_roles) if "load_roles" in c.JupyterHub else []
        c.JupyterHub.load_roles = [*roles, {
            "name": SIGNER_SERVICE,  # who asks: the person's name and groups, nothing more
            "scopes": ["read:users:name", "read:users:groups"],
            "services": [SIGNER_SERVICE],
        }]
    # the company portal, its roles, and a company's person landing on it
    add_portal(c, portal_service(settings, env))


def _serve_signer() -> None:
    """The signing service on every address of the Hub's pod, at the port of its URL."""
    from kit.server._signer import main

    _listen_everywhere()
    main()


def _listen_everywhere() -> None:
    """A service the Hub runs in its pod listens on all the pod's addresses at its URL's port
    (the URL names the Hub's Service, which is not one of the pod's own addresses)."""
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", ""))
    if url.port:
        os.environ["JUPYTERHUB_SERVICE_URL"] = f"http://0.0.0.0:{url.port}"


def _serve_portal() -> None:
    """The company portal on every address of the Hub's pod, at the port of its URL."""
    from kit.server._portal import main

    _listen_everywhere()
    main()


if __name__ == "__main__" and sys.argv[1:] == ["--signer"]:
    _serve_signer()
elif __name__ == "__main__" and sys.argv[1:] == ["--portal"]:
    _serve_portal()
