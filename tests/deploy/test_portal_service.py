"""The company portal as the Hub runs it in the Hub's pod: its command and environment from the
chart's configuration (``python -m kit.server._k8s --portal``), given what JupyterHub gives a
service it runs. It listens on the pod's every address at its URL's port, so that the proxy
reaches it through the Hub's Kubernetes Service (``http://hub:8083``), and sends a visitor
who has not signed in to the Hub's OAuth, as on one machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser import PATIENCE, _stop_group, free_port, wait_until
from tests.deploy.chart import ROOT, hub_config

pytest.importorskip("kubespawner", reason="pip install '.[k8s]' (the test extra has it)")

PREFIX = "/services/kit-portal/"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the answer itself, not where it points


def _ask(url: str, *, post: bool = False) -> tuple[int, str]:
    """(status, Location) of one request; (0, "") while nothing listens."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, method="POST" if post else "GET",
                                     data=b"report=x" if post else None)
    try:
        with opener.open(request, timeout=PATIENCE) as answer:
            return answer.status, answer.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")
    except OSError:
        return 0, ""


@pytest.mark.slow
def test_the_portal_listens_on_the_pods_addresses_and_sends_a_visitor_to_the_hubs_sign_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    config = hub_config(monkeypatch)
    (service,) = [s for s in config.JupyterHub.services if s["name"] == "kit-portal"]
    command = list(service["command"])
    assert command[0] == "python"  # the image's python; here this one
    command[0] = sys.executable
    port = free_port()
    url = urlparse(service["url"])._replace(netloc=f"{urlparse(service['url']).hostname}:{port}")
    env = {
        **service["environment"],
        "KIT_DB_URL": f"sqlite:///{tmp_path / 'kit.sqlite'}",  # no PgBouncer here
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        # what JupyterHub gives a service it runs: its name, URL (the Hub's Service name, not
        # an address of this machine), prefix, OAuth client and token, the Hub's API
        "JUPYTERHUB_SERVICE_NAME": "kit-portal",
        "JUPYTERHUB_SERVICE_URL": url.geturl(),
        "JUPYTERHUB_SERVICE_PREFIX": PREFIX,
        "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_HOST": "",
        "JUPYTERHUB_CLIENT_ID": "service-kit-portal",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": PREFIX + "oauth_callback",
        "JUPYTERHUB_OAUTH_ACCESS_SCOPES": json.dumps(["access:services!service=kit-portal"]),
        "JUPYTERHUB_API_URL": f"http://127.0.0.1:{free_port()}/hub/api",
        "JUPYTERHUB_API_TOKEN": "the-services-own-token",
    }
    assert url.hostname == "hub"
    log = tmp_path / "portal.log"
    with log.open("w") as out:
        proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    page = f"http://127.0.0.1:{port}{PREFIX}"
    try:
        assert wait_until(lambda: _ask(page)[0] or proc.poll() is not None), \
            log.read_text("utf-8")
        assert proc.poll() is None, log.read_text("utf-8")
        status, location = _ask(page)
        # not signed in: to the Hub's OAuth, as the portal's client, back to its callback
        assert status == 302
        where = urlparse(location)
        assert where.path == "/hub/api/oauth2/authorize"
        asked = parse_qs(where.query)
        assert asked["client_id"] == ["service-kit-portal"]
        assert asked["redirect_uri"] == [PREFIX + "oauth_callback"]
        assert asked["response_type"] == ["code"]
        # nothing submitted without a sign-in either
        assert _ask(page + "submit/X/F1", post=True)[0] == 403
    finally:
        _stop_group(proc)
    assert "company portal" in log.read_text("utf-8")
