"""The office on a cluster, checked without one: the values file against the chart's schema, the
Hub's configuration the chart makes from it (running the values file's ``hub.extraConfig``, the
kit's :mod:`kit.server._k8s`), and the pod KubeSpawner makes for a person from that."""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

import jsonschema
import pytest
import sqlalchemy as sa
from jupyterhub.traitlets import ByteSpecification

from kit.errors import KitError
from kit.server import _k8s
from tests.deploy.chart import (
    HUB_POD_PASSWORD,
    SERVER_TOKEN,
    chart_values,
    environment_of,
    hub_config,
    load_yaml,
    person,
    pod_manifest,
    schema,
)
from tests.deploy.chart import VALUES as VALUES_FILE

pytest.importorskip("kubespawner", reason="pip install '.[k8s]' (the test extra has it)")

VALUES = load_yaml(VALUES_FILE)
KIT = VALUES["custom"]["kit"]
#: the Secrets of the values file: the store's password and the key pairs
DB_SECRET = KIT["store"]["passwordSecret"]["name"]
KEYS_SECRET = next(v["secret"]["secretName"] for v in VALUES["hub"]["extraVolumes"]
                   if v["name"] == "kit-keys")


def ingress_to(port: int) -> list[dict[str, Any]]:
    """The rules of the Hub's network policy that let something in at ``port``."""
    return [r for r in VALUES["hub"]["networkPolicy"]["ingress"]
            if {"port": port, "protocol": "TCP"} in r["ports"]]


# -- the values file is one the chart takes --------------------------------------------------
def test_the_values_file_is_valid_for_the_charts_schema():
    jsonschema.Draft7Validator(schema()).validate(chart_values())


def test_the_schema_check_catches_a_misspelt_key():
    wrong = copy.deepcopy(VALUES)
    wrong["singleuser"]["memroy"] = wrong["singleuser"].pop("memory")
    errors = list(jsonschema.Draft7Validator(schema()).iter_errors(chart_values(wrong)))
    assert any("memroy" in e.message for e in errors)


# -- a person's pod --------------------------------------------------------------------------
@pytest.fixture
def pod(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    config = hub_config(monkeypatch)
    return pod_manifest(config, monkeypatch, person("lihua", ("leaders",)))


def _container(pod: dict[str, Any]) -> dict[str, Any]:
    (container,) = pod["spec"]["containers"]
    return container


def test_a_persons_pod_runs_the_kits_image_with_its_limits_and_guarantees(pod):
    container = _container(pod)
    image = VALUES["singleuser"]["image"]
    assert container["image"] == f"{image['name']}:{image['tag']}"
    # the image's entrypoint (tini) runs the kit's server under the Hub, as on one machine
    assert container["args"] == ["python", "-m", "kit.server", "--hub-user"]
    resources, memory = container["resources"], VALUES["singleuser"]["memory"]
    def size(text: str) -> int:  # as JupyterHub counts "1G"
        return int(ByteSpecification().validate(None, text))

    assert resources["limits"]["memory"] == size(memory["limit"])
    assert resources["requests"]["memory"] == size(memory["guarantee"])
    assert resources["requests"]["memory"] < resources["limits"]["memory"]
    assert resources["requests"]["cpu"] == VALUES["singleuser"]["cpu"]["guarantee"]
    assert resources["limits"]["cpu"] == VALUES["singleuser"]["cpu"]["limit"]


def test_a_persons_pod_has_a_read_only_root_a_non_root_user_and_a_writable_tmp(pod):
    container = _container(pod)
    context = container["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["runAsNonRoot"] is True
    assert context["runAsUser"] == VALUES["singleuser"]["uid"] != 0
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
    assert not mount.get("readOnly")
    (volume,) = [v for v in pod["spec"]["volumes"] if v["name"] == mount["name"]]
    assert "emptyDir" in volume  # the pod's own, gone with it
    env = environment_of(container)
    # everything the server writes goes under /tmp: its home is read-only
    assert all(env[name].startswith("/tmp") for name in _k8s.scratch_environment())
    assert pod["spec"]["automountServiceAccountToken"] is False  # no Kubernetes API token
    assert not pod["spec"].get("initContainers")  # nothing privileged before it either


def test_a_persons_pod_holds_no_secret(pod):
    container = _container(pod)
    env = environment_of(container)
    text = json.dumps(pod, ensure_ascii=False)
    assert HUB_POD_PASSWORD not in text  # the Hub's pod has the password; the person's not
    assert KEYS_SECRET not in text  # nor the key pairs' Secret, mounted or referenced
    for name in ("KIT_KEYS_DIR", "KIT_KEY_PASSPHRASE", "KIT_SIGNING_KEY", "KIT_SMTP_PASSWORD"):
        assert name not in env
    url = sa.make_url(env["KIT_DB_URL"])
    assert (url.username, url.password) == (KIT["store"]["user"], None)
    assert (url.host, url.port) == (KIT["store"]["host"], KIT["store"]["port"])  # PgBouncer
    # libpq reads the password from the Secret by reference, never from the pod's manifest
    assert env["PGPASSWORD"] == {"secretKeyRef": {"name": DB_SECRET, "key": "password"}}
    referenced = [n for n, v in env.items() if isinstance(v, dict)]
    assert referenced == ["PGPASSWORD"]
    # the only token is the server's own, which JupyterHub itself gives every server
    tokens = sorted(n for n, v in env.items() if v == SERVER_TOKEN)
    assert tokens == ["JPY_API_TOKEN", "JUPYTERHUB_API_TOKEN"]
    assert env["KIT_SIGNER_URL"] == "http://hub:8082/services/kit-signer"
    assert env["JUPYTERHUB_USER"] == "lihua"
    assert env["KIT_USER_GROUPS"] == "leaders"  # the Hub's groups, for kit.access


def test_a_persons_pod_carries_the_label_the_hubs_network_policy_lets_in(pod):
    (rule,) = ingress_to(urlparse(KIT["signer"]["url"]).port or 0)
    wanted = rule["from"][0]["podSelector"]["matchLabels"]
    assert wanted.items() <= pod["metadata"]["labels"].items()


def test_people_in_no_group_get_an_empty_group_list(monkeypatch):
    pod = pod_manifest(hub_config(monkeypatch), monkeypatch, person("zhao"))
    assert environment_of(_container(pod))["KIT_USER_GROUPS"] == ""


# -- the Hub: the signing service alone has the keys; culling; groups -------------------------
def test_the_keys_are_mounted_in_the_hubs_pod_for_the_signing_service_alone(monkeypatch):
    config = hub_config(monkeypatch)
    signer = next(s for s in config.JupyterHub.services if s["name"] == "kit-signer")
    mounts = {m["name"]: m for m in VALUES["hub"]["extraVolumeMounts"]}
    assert mounts["kit-keys"]["readOnly"] is True
    assert signer["environment"]["KIT_KEYS_DIR"] == mounts["kit-keys"]["mountPath"]
    assert signer["environment"]["PGPASSWORD"] == HUB_POD_PASSWORD  # from the Hub's pod
    assert signer["command"] == ["python", "-m", "kit.server._k8s", "--signer"]
    assert signer["url"] == KIT["signer"]["url"]
    # people's pods reach it through the Hub's Service at its URL's port, which the network
    # policies let them (out of their pods, into the Hub's)
    url = urlparse(KIT["signer"]["url"])
    assert url.hostname == "hub"  # the chart's name for the Hub's Service
    assert {"name": "kit-signer", "port": url.port, "targetPort": url.port} in \
        VALUES["hub"]["service"]["extraPorts"]
    (rule,) = ingress_to(url.port or 0)
    assert rule["ports"] == [{"port": url.port, "protocol": "TCP"}]
    assert rule["from"][0]["podSelector"]["matchLabels"] == \
        {"hub.jupyter.org/network-access-hub": "true"}  # the label people's pods carry
    out = [r for r in VALUES["singleuser"]["networkPolicy"]["egress"]
           if r["to"][0]["podSelector"]["matchLabels"] == {"component": "hub"}]
    assert [r["ports"] for r in out] == [[{"port": url.port, "protocol": "TCP"}]]
    role = next(r for r in config.JupyterHub.load_roles if r["name"] == "kit-signer")
    assert role["scopes"] == ["read:users:name", "read:users:groups"]
    # the singleuser part of the values names no key Secret anywhere
    assert KEYS_SECRET not in json.dumps(VALUES["singleuser"])


def test_idle_servers_are_culled_and_the_offices_groups_loaded(monkeypatch):
    config = hub_config(monkeypatch)
    culler = next(s for s in config.JupyterHub.services if s["name"] == "jupyterhub-idle-culler")
    assert f"--timeout={VALUES['cull']['timeout']}" in culler["command"]
    assert set(config.JupyterHub.load_groups) == {"leaders", "analysts", "trainers",
                                                  "companies"}
    assert config.JupyterHub.load_groups["leaders"] == {"users": KIT["groups"]["leaders"]}
    assert config.JupyterHub.spawner_class == "kubespawner.KubeSpawner"


def test_without_signing_people_get_no_signer_address_and_there_is_no_service(monkeypatch):
    values = copy.deepcopy(VALUES)
    values["custom"]["kit"]["signer"]["enabled"] = False
    config = hub_config(monkeypatch, values)
    assert "kit-signer" not in [s["name"] for s in config.JupyterHub.services]
    pod = pod_manifest(config, monkeypatch, person("lihua"))
    assert "KIT_SIGNER_URL" not in environment_of(_container(pod))


@pytest.mark.parametrize(("change", "says"), [
    (lambda kit: kit["store"].pop("host"), "custom.kit.store.host"),
    (lambda kit: kit["store"].pop("passwordSecret"), "custom.kit.store.passwordSecret"),
    (lambda kit: kit["signer"].update(url="http://hub"), "needs a port"),
    (lambda kit: kit.pop("portal"), "custom.kit.portal.url"),
    (lambda kit: kit["portal"].update(url="http://hub/"), "portal.url needs a port"),
    (lambda kit: kit["groups"].update(admins=["x"]), "unknown groups"),
])
def test_a_wrong_kit_part_of_the_values_says_which_key(change, says):
    from traitlets.config import Config

    kit = copy.deepcopy(KIT)
    change(kit)
    with pytest.raises(KitError, match=says):
        _k8s.configure(Config(), kit, {})


def test_the_cluster_passes_a_persons_groups_as_one_machine_does(monkeypatch, tmp_path):
    from traitlets.config import Config

    from kit.resources import templates_dir

    monkeypatch.setenv("KIT_KEYS_DIR", str(tmp_path))  # no key pair: no signing service
    one_machine = Config()
    path = templates_dir() / "jupyterhub_config.py"
    exec(compile(path.read_text("utf-8"), str(path), "exec"),
         {"get_config": lambda: one_machine, "__file__": str(path)})
    cluster = hub_config(monkeypatch)
    given = []
    for hook in (one_machine.Spawner.pre_spawn_hook, cluster.KubeSpawner.pre_spawn_hook):
        spawner = SimpleNamespace(user=person("chen", ("trainers", "leaders")),
                                  environment={"LANG": "C.UTF-8"})
        hook(spawner)
        given.append(spawner.environment)
    assert given[0] == given[1] == {"LANG": "C.UTF-8", "KIT_USER_GROUPS": "leaders,trainers"}


def test_a_companys_person_gets_no_pod(monkeypatch):
    from tornado import web

    config = hub_config(monkeypatch)
    with pytest.raises(web.HTTPError) as refused:
        pod_manifest(config, monkeypatch, person("qiye", ("companies",)))
    assert refused.value.status_code == 403
    assert "no server" in refused.value.jupyterhub_message
    # the Hub's page sends them to their company's page, as on one machine
    assert 'href="/services/kit-portal/"' in refused.value.jupyterhub_html_message


# -- the company portal: run by the Hub in its pod, reached through the proxy -------------------
#: what the Hub's pod may also have, for the signing service alone (hub.extraEnv)
SIGNERS_SECRETS = {"KIT_KEY_PASSPHRASE": "the-keys-passphrase", "KIT_SIGNING_KEY": "old-key",
                   "KIT_TIMESTAMP_URL": "http://tsa.example", "KIT_TRUST_DIR": "/etc/kit/trust"}


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in SIGNERS_SECRETS.items():
        monkeypatch.setenv(name, value)
    return hub_config(monkeypatch)


def _portal(config: Any) -> dict[str, Any]:
    (service,) = [s for s in config.JupyterHub.services if s["name"] == "kit-portal"]
    return dict(service)


def test_the_hub_runs_the_portal_in_its_pod_with_the_store_and_no_key(hub):
    portal = _portal(hub)
    signer = next(s for s in hub.JupyterHub.services if s["name"] == "kit-signer")
    assert portal["command"] == ["python", "-m", "kit.server._k8s", "--portal"]
    assert portal["url"] == KIT["portal"]["url"]
    env = portal["environment"]
    # the store as the signing service reaches it: PgBouncer, the app role, the pod's password
    assert env["KIT_DB_URL"] == signer["environment"]["KIT_DB_URL"]
    url = sa.make_url(env["KIT_DB_URL"])
    assert (url.username, url.password) == (KIT["store"]["user"], None)
    assert (url.host, url.port) == (KIT["store"]["host"], KIT["store"]["port"])
    assert env["PGPASSWORD"] == HUB_POD_PASSWORD
    # nothing of the keys: not their folder, not their passphrase, nor the signer's others
    assert "KIT_KEYS_DIR" in signer["environment"]
    assert {"KIT_KEYS_DIR", "KIT_SIGNER_URL", *SIGNERS_SECRETS}.isdisjoint(env)
    text = json.dumps(portal, ensure_ascii=False)
    assert signer["environment"]["KIT_KEYS_DIR"] not in text
    assert not [v for v in SIGNERS_SECRETS.values() if v in text]
    assert portal["oauth_no_confirm"] is True  # part of the office server: no "authorize" page
    assert portal["oauth_client_allowed_scopes"] == ["read:users:groups!user"]


def test_the_portals_service_is_one_jupyterhub_takes():
    from jupyterhub.services.service import Service

    portal = _k8s.portal_service(KIT, {})
    unknown = [key for key in portal if not Service.class_traits().get(key)]
    assert unknown == []  # JupyterHub refuses a service with a key it does not know


def test_the_proxy_reaches_the_portal_through_the_hubs_service_and_policy():
    url = urlparse(KIT["portal"]["url"])
    assert url.hostname == "hub"  # the chart's name for the Hub's Service
    assert url.port != urlparse(KIT["signer"]["url"]).port
    assert {"name": "kit-portal", "port": url.port, "targetPort": url.port} in \
        VALUES["hub"]["service"]["extraPorts"]
    (rule,) = ingress_to(url.port or 0)
    allowed = [peer["podSelector"]["matchLabels"] for peer in rule["from"]]
    assert {"component": "proxy"} in allowed  # the label of the chart's proxy pod
    # people's pods are not let in: they never need the portal but through the proxy
    assert {"hub.jupyter.org/network-access-hub": "true"} not in allowed
    # and the proxy may go out to the Hub's pod (the chart's default, not narrowed here)
    proxy = chart_values()["proxy"]["chp"]["networkPolicy"]
    assert proxy["egressAllowRules"]["privateIPs"] is True
    assert not proxy["egress"]


def test_a_companys_person_lands_on_the_portal_and_may_use_it(hub):
    roles = {r["name"]: r for r in hub.JupyterHub.load_roles}
    assert roles["company"]["groups"] == ["companies"]
    assert roles["company"]["scopes"] == ["access:services!service=kit-portal"]
    assert roles["kit-portal"] == {"name": "kit-portal", "services": ["kit-portal"],
                                   "scopes": ["read:users:name", "read:users:groups"]}
    assert {"kit-signer", "jupyterhub-idle-culler"} <= set(roles)  # kept beside them

    def landing(*groups: str) -> str:
        handler = SimpleNamespace(current_user=person("p", groups), base_url="/")
        return str(hub.JupyterHub.default_url(handler))

    assert landing("companies") == "/services/kit-portal/"
    assert landing("leaders") == landing() == ""  # their own pod, as JupyterHub does


def test_the_cluster_registers_the_portal_as_one_machine_does(monkeypatch, tmp_path):
    from traitlets.config import Config

    from kit.resources import templates_dir

    monkeypatch.setenv("KIT_KEYS_DIR", str(tmp_path))
    one_machine = Config()
    path = templates_dir() / "jupyterhub_config.py"
    exec(compile(path.read_text("utf-8"), str(path), "exec"),
         {"get_config": lambda: one_machine, "__file__": str(path)})
    cluster = hub_config(monkeypatch)
    where = ("url", "command", "environment")  # a machine's own: its port, python, store
    ones, theirs = _portal(one_machine), _portal(cluster)
    assert {k: v for k, v in ones.items() if k not in where} == \
        {k: v for k, v in theirs.items() if k not in where}

    def portal_roles(config: Any) -> list[Any]:
        return [r for r in config.JupyterHub.load_roles if r["name"] in ("company", "kit-portal")]

    assert portal_roles(one_machine) == portal_roles(cluster)
    assert one_machine.JupyterHub.default_url is cluster.JupyterHub.default_url
