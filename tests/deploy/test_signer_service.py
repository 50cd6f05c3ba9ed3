"""The signing service as the Hub runs it in the Hub's pod (``python -m kit.server._k8s
--signer``): it listens on the pod's every address at its URL's port, so that people's pods
reach it through the Hub's Kubernetes Service (``http://hub:8082``), and still signs nothing
for a request without a person's Hub token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import PATIENCE, _stop_group, free_port, wait_until
from tests.deploy.chart import ROOT


@pytest.mark.slow
def test_the_signing_service_listens_on_the_pods_addresses_and_refuses_a_tokenless_request(
        tmp_path: Path):
    from kit.proof import init_keys

    init_keys(tmp_path / "keys", authority="北京市药品监督管理局")
    port = free_port()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT),
           "LANG": "C.UTF-8", "HOME": str(tmp_path),
           "KIT_KEYS_DIR": str(tmp_path / "keys"),
           "KIT_DB_URL": f"sqlite:///{tmp_path / 'kit.sqlite'}",
           # what the Hub gives a service it runs: its URL (the Hub's Service name), its token
           "JUPYTERHUB_SERVICE_URL": f"http://hub:{port}",
           "JUPYTERHUB_API_URL": f"http://127.0.0.1:{free_port()}/hub/api",
           "JUPYTERHUB_API_TOKEN": "the-services-own-token"}
    log = tmp_path / "signer.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kit.server._k8s", "--signer"], env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/services/kit-signer/record", method="POST",
        data=json.dumps({"id": "x"}).encode(), headers={"Content-Type": "application/json"})

    def refused() -> int:
        try:
            urllib.request.urlopen(request, timeout=PATIENCE)
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0  # not listening yet
        return 200

    try:
        assert wait_until(lambda: refused() == 403 or proc.poll() is not None), \
            log.read_text("utf-8")
        assert proc.poll() is None, log.read_text("utf-8")
        assert refused() == 403  # no person's token: nothing signed
    finally:
        _stop_group(proc)
    assert "signing as" in log.read_text("utf-8")  # it loaded the key pair it was given
