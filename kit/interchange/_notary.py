"""Which signing component this process asks: the office's signing service, a key pair here,
or none.

On the office server a person's server holds no private key: :class:`HubNotary` asks the
signing service (``KIT_SIGNER_URL``, a JupyterHub service, :mod:`kit.server._signer`) with the
person's Hub token, naming an inspection and a notice's kind, never handing it bytes; the
service opens its own door as that person and signs what it renders from the store. On one
machine (``kit serve``, the ``kit`` command) with a key pair readable here (``KIT_KEYS_DIR``)
it is :class:`~kit.interchange.LocalNotary`. Without either: None (nothing is signed, and
issuing a notice keeps an unsigned PDF).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kit.config import settings
from kit.door import AccessError, Checkpointer, Door
from kit.errors import InputError, KitError, NotFoundError
from kit.proof import authorities, keys_dir

if TYPE_CHECKING:
    from kit.interchange._print import LocalNotary

__all__ = ["SIGNER_TIMEOUT_S", "HubNotary", "notary_from_environment"]

log = logging.getLogger(__name__)

#: how long a person's server waits for the signing service (rendering a PDF takes seconds)
SIGNER_TIMEOUT_S = 120.0


class HubNotary:
    """The office's signing service as a person's server asks it: over HTTP, with the
    person's Hub token; every request names an inspection (and a notice's kind), never bytes.

    Its answers are the service's: refused access is an :class:`~kit.door.AccessError`, bad
    input an :class:`~kit.errors.InputError`, an unknown inspection a
    :class:`~kit.errors.NotFoundError`, a service that does not answer a :class:`KitError`.
    """

    def __init__(self, url: str, token: str, *, timeout: float = SIGNER_TIMEOUT_S) -> None:
        self.url, self._token, self.timeout = url.rstrip("/"), token, timeout

    def __repr__(self) -> str:
        return f"HubNotary({self.url!r})"

    def _ask(self, action: str, body: Mapping[str, Any]) -> bytes:
        request = urllib.request.Request(
            f"{self.url}/{action}", data=json.dumps(dict(body)).encode("utf-8"), method="POST",
            headers={"Authorization": f"token {self._token}",
                     "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return bytes(answer.read())
        except urllib.error.HTTPError as exc:
            raise _refusal(exc) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            msg = (f"签名服务 {self.url} 无应答：{reason}；请联系管理员 / the signing service "
                   f"does not answer: {reason}")
            raise KitError(msg) from None

    def notice_pdf(self, inspection_id: str, kind: str) -> bytes:
        """The issued notice's PDF, signed by the service (rendered from the store)."""
        return self._ask("notice", {"id": inspection_id, "kind": kind})

    def service_pdf(self, inspection_id: str, kind: str) -> bytes:
        """The notice's proof of service (送达回证), signed by the service."""
        return self._ask("service", {"id": inspection_id, "kind": kind})

    def record_pdf(self, inspection_id: str) -> bytes:
        """The printed record, signed by the service."""
        return self._ask("record", {"id": inspection_id})

    def export(self, inspection_id: str, fmt: str) -> bytes:
        """The workbook (``xlsx``) or JSON record (``json``), signed by the service."""
        return self._ask("export", {"id": inspection_id, "format": fmt})

    def checkpoint(self, inspection_id: str) -> int:
        """The service signs the trail's head as a checkpoint (once it replays); its seq."""
        return int(json.loads(self._ask("checkpoint", {"id": inspection_id}))["seq"])

    @property
    def checkpointer(self) -> Checkpointer:
        """For ``Door(checkpointer=...)``: each milestone's checkpoint signed by the service."""
        return lambda _door, inspection_id: self.checkpoint(inspection_id)


def _refusal(exc: urllib.error.HTTPError) -> KitError:
    try:
        message = str(json.loads(exc.read())["message"])
    except (ValueError, KeyError, TypeError, OSError):
        message = f"签名服务拒绝（HTTP {exc.code}） / the signing service refused (HTTP {exc.code})"
    if exc.code in (401, 403):
        return AccessError(message)
    if exc.code == 404:
        return NotFoundError(message)
    if exc.code == 400:
        return InputError(message)
    return KitError(message)


def notary_from_environment(door: Door | None) -> HubNotary | LocalNotary | None:
    """The signing component this process asks, from the environment.

    On the office server (``KIT_SIGNER_URL`` and the Hub's ``JUPYTERHUB_API_TOKEN``): a
    :class:`HubNotary`; on the office server without one, None (a person's server never
    reads a key). Else, when exactly one authority's key pair is readable here
    (``KIT_KEYS_DIR``): a :class:`LocalNotary` signing through ``door``. Else None. A key
    pair that is there but cannot be read is logged and gives None (nothing is signed)
    rather than stopping the app.
    """
    now = settings()
    if now.signer_url and now.hub_token:
        return HubNotary(now.signer_url, now.hub_token)
    if door is None or now.hub_user:  # on the office server only the service signs
        return None
    found = authorities(keys_dir())
    if len(found) != 1:
        return None
    try:
        from kit.interchange._print import LocalNotary  # printing and keys, only where a
        from kit.proof import load_signer  # key pair is (cryptography, openpyxl)

        return LocalNotary(door, load_signer(found[0]))
    except KitError as exc:
        log.warning("不签名 nothing signed: %s", exc)
        return None
