"""The Zero to JupyterHub chart as the Hub runs it, without a cluster: the chart's values
(``deploy/z2jh/chart-4.4.0/values.yaml``) with the office's (``deploy/z2jh/values.yaml``) laid
over them as helm does, the chart's own ``jupyterhub_config.py`` executed on them (it runs the
values file's ``hub.extraConfig``, and so the kit's :func:`kit.server._k8s.configure`), and the
pod KubeSpawner makes from that configuration (``get_pod_manifest``, no Kubernetes client).
"""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VALUES = DEPLOY / "z2jh" / "values.yaml"
CHART = DEPLOY / "z2jh" / "chart-4.4.0"
CHART_NAME, CHART_VERSION, RELEASE = "jupyterhub", "4.4.0", "kit"

#: what the Hub's pod has from the Secret kit-db (hub.extraEnv), standing for the real one
HUB_POD_PASSWORD = "pw-from-the-kit-db-secret"
#: the token JupyterHub gives a person's server (its own, as on one machine)
SERVER_TOKEN = "the-servers-own-hub-token"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def coalesce(defaults: Any, given: Any) -> Any:
    """Helm's merge of values over a chart's defaults: maps merge key by key, a null removes
    the default, anything else replaces it."""
    if not (isinstance(defaults, Mapping) and isinstance(given, Mapping)):
        return copy.deepcopy(given)
    merged = copy.deepcopy(dict(defaults))
    for key, value in given.items():
        if value is None:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def chart_values(values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The values the chart renders with: its defaults, then the office's."""
    office = load_yaml(VALUES) if values is None else values
    return coalesce(load_yaml(CHART / "values.yaml"), office)


def schema() -> dict[str, Any]:
    found: dict[str, Any] = load_yaml(CHART / "values.schema.yaml")
    return json.loads(json.dumps(found))  # as helm reads values.schema.json


#: the names the chart's ConfigMap gives its resources (no fullnameOverride: the short ones)
_NAMES = {"hub": "hub", "proxy-api": "proxy-api", "proxy-public": "proxy-public",
          "singleuser": "singleuser", "user-scheduler": "user-scheduler",
          "image-pull-secret": "image-pull-secret", "priority": "priority"}


def hub_config(monkeypatch: pytest.MonkeyPatch, values: Mapping[str, Any] | None = None) -> Any:
    """The Hub's configuration as the chart's ``jupyterhub_config.py`` makes it in the Hub's
    pod from ``values`` (default: the office's values file)."""
    from tornado.httpclient import AsyncHTTPClient
    from traitlets.config import Config

    rendered = chart_values(values)
    rendered |= {"Chart": {"Name": CHART_NAME, "Version": CHART_VERSION},
                 "Release": {"Name": RELEASE}}
    spec = importlib.util.spec_from_file_location("z2jh", CHART / "z2jh.py")
    assert spec is not None
    assert spec.loader is not None
    z2jh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(z2jh)
    # what the Hub's pod mounts: the values (a Secret), the names (a ConfigMap), the secrets
    monkeypatch.setattr(z2jh, "_load_config", lambda: copy.deepcopy(rendered))
    monkeypatch.setattr(z2jh, "_get_config_value", lambda key: _NAMES[key])
    monkeypatch.setattr(z2jh, "get_secret_value",
                        lambda key, default=None: f"chart-managed-{key}")
    monkeypatch.setitem(sys.modules, "z2jh", z2jh)
    monkeypatch.setattr(sys, "path", list(sys.path))
    for name, value in {"POD_NAMESPACE": "kit", "HUB_SERVICE_PORT": "8081",
                        "PROXY_API_SERVICE_PORT": "8001", "PGPASSWORD": HUB_POD_PASSWORD}.items():
        monkeypatch.setenv(name, value)
    config = Config()
    path = CHART / "jupyterhub_config.py"
    saved = AsyncHTTPClient._save_configuration()  # the chart picks curl for the Hub's process
    try:
        exec(compile(path.read_text("utf-8"), str(path), "exec"),
             {"get_config": lambda: config, "__file__": str(path), "__name__": "hub_config"})
    finally:
        AsyncHTTPClient._restore_configuration(saved)
    return config


def person(name: str, groups: tuple[str, ...] = ()) -> SimpleNamespace:
    return SimpleNamespace(name=name, id=7, url=f"/user/{name}/",
                           groups=[SimpleNamespace(name=g) for g in groups])


def pod_manifest(config: Any, monkeypatch: pytest.MonkeyPatch, user: SimpleNamespace
                 ) -> dict[str, Any]:
    """The pod KubeSpawner would ask Kubernetes for, for ``user``, as plain JSON: the Hub's
    pre-spawn hook run first, as the Hub does."""
    import kubespawner.spawner
    from kubernetes_asyncio.client import ApiClient

    # no cluster: KubeSpawner's API client is made but never configured nor asked
    monkeypatch.setattr(kubespawner.spawner, "load_config", lambda **_: None)

    async def make() -> dict[str, Any]:
        spawner = kubespawner.spawner.KubeSpawner(_mock=True, config=config, user=user)
        spawner.api_token = SERVER_TOKEN
        if spawner.pre_spawn_hook:
            spawner.pre_spawn_hook(spawner)
        manifest = await spawner.get_pod_manifest()
        async with ApiClient() as client:
            found: dict[str, Any] = client.sanitize_for_serialization(manifest)
        return found

    return asyncio.run(make())


def environment_of(container: Mapping[str, Any]) -> dict[str, Any]:
    """A container's environment: name -> literal value, or the reference (valueFrom)."""
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}
