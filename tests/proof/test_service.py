"""The office's signing service (kit.server --signer) asked as a person's server asks it.

A real tornado service in this process, on a loopback port, with the office's key pair; the
Hub's word on a token stands in as a table (tokens to people), so what is tested is what the
service does with who asks: it signs, for a member of the inspection's team, only what it
renders from the store, and refuses anyone else, any token it does not know, and any bytes.
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from tornado.httpserver import HTTPServer

from kit.door import AccessError, Door, Identity
from kit.interchange import HubNotary, demo_inspection, issued_pdf, verify_file
from kit.proof import Certificate, Signer, verify_pdf
from kit.server._signer import MAX_REQUEST_BYTES, signer_app  # kept out of kit.server's start
from kit.session import Session
from tests.browser import free_port
from tests.proof.test_pdf import tsa  # noqa: F401 - the local RFC 3161 server, a fixture

PEOPLE = {"tok-zhang": Identity("zhangming", hub=True),  # the demo team's leader
          "tok-zhao": Identity("zhao", hub=True)}  # on no team


async def _identify(token: str) -> Identity | None:
    return PEOPLE.get(token)


@pytest.fixture
def service(tmp_path: Path, office: Signer, trust: Path) -> Iterator[tuple[str, Path]]:
    """The signing service on a free loopback port, over a store in ``tmp_path``; the office
    trusts its own certificate (the trail's checkpoints are checked with it)."""
    Door.connect(data_dir=str(tmp_path), identity=Identity("admin")).create(
        replace(demo_inspection(), id="svc-1", stage="reporting", notices={},
                attachments={}))
    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    door = Door.connect(data_dir=str(tmp_path))

    def run() -> None:
        asyncio.set_event_loop(loop)
        HTTPServer(signer_app(door, office, _identify),
                   max_body_size=MAX_REQUEST_BYTES).listen(port, "127.0.0.1")
        loop.call_soon(started.set)
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10)
    yield f"http://127.0.0.1:{port}/services/kit-signer", tmp_path
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    door.close()


def test_a_team_member_gets_what_the_store_holds_signed_by_the_office(
        service, office, tsa: tuple[str, Certificate], monkeypatch) -> None:  # noqa: F811
    """Issuing through the service gives the notice signed by the office with a timestamp
    (KIT_TIMESTAMP_URL, PAdES B-T), the trail checkpointed, a signed export."""
    url, data_dir = service
    monkeypatch.setenv("KIT_TIMESTAMP_URL", tsa[0])
    notary = HubNotary(url, "tok-zhang")
    door = Door.connect(data_dir=str(data_dir), identity=PEOPLE["tok-zhang"],
                        checkpointer=notary.checkpointer)
    Session(door, "svc-1").issue_notice("rectification", on=date(2026, 11, 20),
                                        notary=notary)
    frozen = issued_pdf(door, "svc-1", "rectification")
    assert frozen is not None
    verdict = verify_pdf(frozen, [office.certificate, tsa[1]])
    assert verdict.exit_code == 0, verdict.reasons
    assert any(r.startswith("时间戳 timestamp: ") for r in verdict.reasons)
    assert notary.checkpoint("svc-1") > 0  # issuing signed one already; the chain verifies
    assert door.verify("svc-1") == []
    out = data_dir / "record.json"
    out.write_bytes(notary.export("svc-1", "json"))
    assert verify_file(out, [office.certificate])[0].exit_code == 0


def test_someone_not_on_the_team_or_without_a_token_is_refused(service):
    url, _ = service
    for token in ("tok-zhao", "no-such-token", ""):
        notary = HubNotary(url, token)
        with pytest.raises(AccessError):
            notary.record_pdf("svc-1")
        with pytest.raises(AccessError):
            notary.checkpoint("svc-1")


def test_the_service_takes_ids_and_never_signs_bytes_handed_to_it(service):
    url, _ = service
    forged = {"id": "svc-1", "kind": "result", "pdf": "JVBERi0xLjcK..."}
    for body in (forged, {"data": "JVBERi0xLjcK"}, {"id": "svc-1", "kind": "x" * 5000}):
        request = urllib.request.Request(
            f"{url}/notice", data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": "token tok-zhang"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 400
        if len(request.data) <= MAX_REQUEST_BYTES:  # a bigger one is cut off unread
            assert "never signs bytes" in json.loads(refused.value.read())["message"]


def test_each_inspection_is_signed_by_the_authority_that_inspects_it(office, tmp_path):
    from kit.errors import KitError
    from kit.proof import init_keys
    from kit.server._signer import signer_for

    demo = demo_inspection()
    other = init_keys(tmp_path, authority="北京市药品监督管理局第九分局")
    signers = {demo.inspecting_authority: office, other.authority: other}
    assert signer_for(demo, signers) is office
    assert signer_for(demo, {other.authority: other}) is other  # the office's only key pair
    with pytest.raises(KitError, match="no key pair for the inspecting authority"):
        signer_for(demo, {other.authority: other, "市局": office})


def test_which_signing_component_a_process_asks(tmp_path, monkeypatch):
    """The office server's service with the person's token; a key pair here on one machine;
    on the office server without the service, none (a person's server never reads a key)."""
    from kit.interchange import LocalNotary, notary_from_environment
    from kit.proof import init_keys

    for name in ("KIT_SIGNER_URL", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_USER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KIT_KEYS_DIR", str(tmp_path / "keys"))
    door = Door.connect(data_dir=str(tmp_path))
    assert notary_from_environment(door) is None
    init_keys(tmp_path / "keys", authority="北京市药品监督管理局")
    local = notary_from_environment(door)
    assert isinstance(local, LocalNotary)
    assert callable(local.checkpointer)
    monkeypatch.setenv("JUPYTERHUB_USER", "zhangming")
    assert notary_from_environment(door) is None
    monkeypatch.setenv("KIT_SIGNER_URL", "http://127.0.0.1:1/services/kit-signer")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "the-persons-token")
    hub = notary_from_environment(door)
    assert isinstance(hub, HubNotary)
    assert hub.url == "http://127.0.0.1:1/services/kit-signer"
    door.close()
