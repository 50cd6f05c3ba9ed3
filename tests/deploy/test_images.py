"""The image definitions and PgBouncer's manifests, read as the build and the cluster would (no
image can be built here): each image installs Python packages only through the kit and the
extras it declares, comes from Debian's packages, PyPI and npm alone, runs as the user the
values file names, and the PgBouncer Service is the one the values file points people at."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.deploy.chart import DEPLOY, ROOT, load_yaml
from tests.deploy.chart import VALUES as VALUES_FILE

IMAGES = DEPLOY / "images"
VALUES = load_yaml(VALUES_FILE)
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    lines: list[str] = []
    for raw in dockerfile.read_text("utf-8").splitlines():
        if raw.lstrip().startswith("#") or not raw.strip():
            continue
        if lines and lines[-1].endswith("\\"):
            lines[-1] = lines[-1][:-1] + " " + raw.strip()
        else:
            lines.append(raw.strip())
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def commands(dockerfile: Path) -> list[list[str]]:
    """Every command the RUN instructions run (split at && and ;)."""
    found = []
    for kind, args in instructions(dockerfile):
        if kind == "RUN":
            for part in re.split(r"&&|;", args):
                words = shlex.split(part)
                while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):  # VAR=value cmd
                    words.pop(0)
                if words:
                    found.append(words)
    return found


def pip_installs(dockerfile: Path) -> list[str]:
    """What ``pip install`` is asked for (its arguments that are not options)."""
    wanted = []
    for cmd in commands(dockerfile):
        if Path(cmd[0]).name.startswith("pip") and cmd[1:2] == ["install"]:
            wanted += [a for a in cmd[2:] if not a.startswith("-")]
    return wanted


@pytest.mark.parametrize(("image", "extras"), [("user", {"server"}),
                                               ("hub", {"server", "k8s"})])
def test_each_image_installs_only_the_kit_with_extras_it_declares(image, extras):
    (target,) = pip_installs(IMAGES / f"{image}.Dockerfile")
    match = re.fullmatch(r"/src\[([\w,]+)\]", target)  # the repository's own kit
    assert match, target
    assert set(match.group(1).split(",")) == extras
    assert extras <= set(PROJECT["optional-dependencies"])


def test_the_hub_image_has_what_the_charts_configuration_imports():
    declared = " ".join(PROJECT["dependencies"] + [r for extra in ("server", "k8s")
                                                   for r in PROJECT["optional-dependencies"][extra]])
    # the chart's jupyterhub_config.py and the values file's choices
    for distribution in ("jupyterhub", "jupyterhub-kubespawner", "jupyterhub-idle-culler",
                         "pycurl", "pyyaml", "jupyterhub-ldapauthenticator", "psycopg"):
        assert re.search(rf"(^|\s|\"){re.escape(distribution)}[\[<>=\s]", declared + " "), \
            distribution
    assert VALUES["hub"]["config"]["JupyterHub"]["authenticator_class"].startswith(
        "ldapauthenticator.")
    npm = [c for c in commands(IMAGES / "hub.Dockerfile") if c[:1] == ["npm"] and "install" in c]
    assert [c[-1].split("@")[0] for c in npm] == ["configurable-http-proxy"]
    assert re.fullmatch(r"configurable-http-proxy@\d+\.\d+\.\d+", npm[0][-1])  # pinned


@pytest.mark.parametrize("image", ["user", "hub", "pgbouncer"])
def test_images_come_from_debian_and_the_registries_only(image):
    steps = instructions(IMAGES / f"{image}.Dockerfile")
    bases = [args.split()[0] for kind, args in steps if kind == "FROM"]
    assert bases
    assert all(b.startswith("debian:") for b in bases)
    assert not [args for kind, args in steps if kind == "ADD"]  # no URL fetched into it
    for cmd in commands(IMAGES / f"{image}.Dockerfile"):
        assert cmd[0] not in ("curl", "wget"), cmd
    # not root when it runs: a numeric user, for Kubernetes' runAsNonRoot
    user = [args for kind, args in steps if kind == "USER"][-1]
    assert re.fullmatch(r"\d+:\d+", user)
    assert not user.startswith("0:")


def test_the_user_image_runs_as_the_pods_user_with_the_kits_server():
    steps = instructions(IMAGES / "user.Dockerfile")
    user = [args for kind, args in steps if kind == "USER"][-1]
    assert user == f"{VALUES['singleuser']['uid']}:{VALUES['singleuser']['fsGid']}"
    cmd = [args for kind, args in steps if kind == "CMD"][-1]
    assert yaml.safe_load(cmd) == ["python", "-m", "kit.server", "--hub-user"]
    apt = [c for c in commands(IMAGES / "user.Dockerfile") if c[:2] == ["apt-get", "install"]]
    packages = {p for c in apt for p in c if not p.startswith("-")}
    # the printed record and notices: LibreOffice, the CJK and Calibri-metric fonts
    assert {"libreoffice-calc-nogui", "fonts-noto-cjk", "fonts-crosextra-carlito"} <= packages


def test_pgbouncer_is_the_service_people_are_pointed_at():
    docs = {d["kind"]: d for d in yaml.safe_load_all(
        (DEPLOY / "k8s" / "pgbouncer.yaml").read_text("utf-8"))}
    store = VALUES["custom"]["kit"]["store"]
    assert docs["Service"]["metadata"]["name"] == store["host"]
    assert [p["port"] for p in docs["Service"]["spec"]["ports"]] == [store["port"]]
    ini = docs["ConfigMap"]["data"]["pgbouncer.ini"]
    assert re.search(r"^pool_mode = transaction$", ini, re.M)
    assert re.search(rf"^{store['database']} = ", ini, re.M)
    labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    # people's pods may reach it: the network policy's rule selects these pods and this port
    (rule,) = [r for r in VALUES["singleuser"]["networkPolicy"]["egress"]
               if r["ports"][0]["port"] == store["port"]]
    assert rule["to"][0]["podSelector"]["matchLabels"].items() <= labels.items()
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True
