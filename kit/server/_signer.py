"""The office's signing service: the one process on the office server that reads a private key.

JupyterHub starts it as a managed service (``python -m kit.server --signer``, the service
``kit-signer`` in ``templates/jupyterhub_config.py``) with ``KIT_KEYS_DIR`` in its environment
alone; people's servers hold no key and ask it (:class:`kit.interchange.HubNotary`, at
``KIT_SIGNER_URL``) with the person's Hub token.

Each request is a small JSON object naming an inspection (and a notice's kind, or an export's
format), never bytes to sign: the service asks the Hub whose token it is, opens its own door
as that person (:class:`~kit.door.Identity` with the Hub's groups, so the door's access rules
decide what they may have signed), renders what it signs from the store itself after the
trail replays, and signs it with the key pair of the authority that inspects (one per 分局
or the 市局, ``<KIT_KEYS_DIR>/<authority>``):

==================  ==========================  =========================================
``POST .../notice``   ``{"id", "kind"}``           the issued notice's PDF (PAdES)
``POST .../service``  ``{"id", "kind"}``           its proof of service (送达回证)
``POST .../record``   ``{"id"}``                   the printed record
``POST .../export``   ``{"id", "format"}``         the workbook (xlsx) or JSON record, signed
``POST .../checkpoint`` ``{"id"}``                 the trail's head signed; ``{"seq": n}``
==================  ==========================  =========================================

Refusals are JSON ``{"message": ...}``: 403 no or a wrong token, or not this person's to
read; 404 no such inspection; 400 anything else in the body (bytes above all).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Final
from urllib.parse import urlparse

from tornado import web
from tornado.httpserver import HTTPServer

from kit.config import settings
from kit.door import AccessError, Door, Identity
from kit.errors import InputError, KitError, NotFoundError, ValidationError
from kit.interchange import (
    EXPORT_FORMATS,
    signed_export,
    signed_notice_pdf,
    signed_record_pdf,
    signed_service_pdf,
)
from kit.proof import Signer, authorities, keys_dir, load_signer
from kit.record import Inspection

__all__ = ["ACTIONS", "MAX_REQUEST_BYTES", "SIGNER_SERVICE", "Identify", "hub_identify",
           "main", "signer_app", "signer_for"]

log = logging.getLogger(__name__)

#: the service's name on the Hub (``/services/kit-signer``)
SIGNER_SERVICE: Final = "kit-signer"
#: a request names an inspection; anything bigger is not one
MAX_REQUEST_BYTES: Final = 4096
#: what each action takes: the keys of its JSON body
ACTIONS: Final = {"notice": ("id", "kind"), "service": ("id", "kind"), "record": ("id",),
                  "export": ("id", "format"), "checkpoint": ("id",)}
#: who a token belongs to: an Identity, or None for no such token
Identify = Callable[[str], Awaitable[Identity | None]]

_PDF, _JSON = "application/pdf", "application/json"
_TYPES: Final = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "json": _JSON}


class _Action(web.RequestHandler):
    """One signing request: who asks (the Hub's word), what (ids only), then the signature."""

    def initialize(self, door: Door, signers: Mapping[str, Signer], identify: Identify,
                   pool: ThreadPoolExecutor) -> None:
        self.door, self.signers, self.identify, self.pool = door, signers, identify, pool

    def check_xsrf_cookie(self) -> None:  # token-authenticated API, no cookies
        return

    def _refuse(self, status: int, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", _JSON)
        self.finish(json.dumps({"message": message}, ensure_ascii=False))

    async def post(self, action: str) -> None:
        header = self.request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        who = await self.identify(token.strip()) if scheme.lower() in ("token", "bearer") \
            and token.strip() else None
        if who is None:
            self._refuse(403, "签名服务只为已登录的人员签名（Hub 令牌无效） / the signing service "
                              "signs only for a signed-in person: no valid Hub token")
            return
        try:
            body = self._body(action)
        except InputError as exc:
            self._refuse(400, str(exc))
            return
        door = self.door.as_(who)
        try:
            data, kind = await asyncio.get_running_loop().run_in_executor(
                self.pool, _sign, door, self.signers, action, body)
        except AccessError as exc:
            self._refuse(403, str(exc))
            return
        except NotFoundError as exc:
            self._refuse(404, str(exc))
            return
        except (InputError, ValidationError) as exc:
            self._refuse(400, str(exc))
            return
        except KitError as exc:
            log.warning("签名失败 signing failed for %s (%s %s): %s", who.user, action, body, exc)
            self._refuse(503, str(exc))
            return
        log.info("已签 signed %s %s for %s", action, body, who.user)
        self.set_header("Content-Type", kind)
        self.finish(data)

    def _body(self, action: str) -> dict[str, str]:
        wanted = ACTIONS[action]
        if len(self.request.body) > MAX_REQUEST_BYTES:
            msg = _ids_only(wanted)
            raise InputError(msg)
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict) or set(body) != set(wanted) or \
                not all(isinstance(v, str) and v.strip() for v in body.values()):
            msg = _ids_only(wanted)
            raise InputError(msg)
        return {k: str(v) for k, v in body.items()}


def _ids_only(wanted: tuple[str, ...]) -> str:
    return (f"签名服务只接受 {'、'.join(wanted)}（检查记录编号等），从不签署交给它的内容 / the "
            f"signing service takes {', '.join(wanted)} and nothing else: it never signs bytes "
            "it is handed")


def _sign(door: Door, signers: Mapping[str, Signer], action: str, body: dict[str, str]
          ) -> tuple[bytes, str]:
    """What ``action`` signs, rendered from the store through ``door`` (the person's), by the
    authority that inspects."""
    iid = body["id"]
    signer = signer_for(door.inspection(iid), signers)
    if action == "notice":
        return signed_notice_pdf(door, iid, body["kind"], signer), _PDF
    if action == "service":
        return signed_service_pdf(door, iid, body["kind"], signer), _PDF
    if action == "record":
        return signed_record_pdf(door, iid, signer), _PDF
    if action == "export":
        fmt = body["format"]
        if fmt not in EXPORT_FORMATS:
            msg = f"不支持的导出格式 {fmt!r}（可用：xlsx、json） / no such export format"
            raise InputError(msg)
        return signed_export(door, iid, fmt, signer), _TYPES[fmt]
    seq = door.checkpoint(iid, signer)
    return json.dumps({"seq": seq}).encode("utf-8"), _JSON


def signer_for(inspection: Inspection, signers: Mapping[str, Signer]) -> Signer:
    """The key pair of the authority that inspects (the team leader's, else the company's
    supervising one: a 分局 or the 市局); the only one when the office has one."""
    if len(signers) == 1:
        return next(iter(signers.values()))
    authority = inspection.inspecting_authority
    if authority in signers:
        return signers[authority]
    msg = (f"没有“{authority or '未填写'}”的密钥对（已有：{'、'.join(signers) or '无'}），不能签名"
           f" / no key pair for the inspecting authority {authority!r}")
    raise KitError(msg)


def signer_app(door: Door, signers: Mapping[str, Signer] | Signer, identify: Identify, *,
               workers: int | None = None) -> web.Application:
    """The service's tornado application: ``door`` the service's own (its identity replaced
    by the asking person's for each request), ``signers`` the key pairs by authority (each
    inspection is signed by the authority that inspects it), ``identify`` the Hub's word on
    a token."""
    if isinstance(signers, Signer):
        signers = {signers.authority: signers}
    sqlite = door.dialect == "sqlite"
    pool = ThreadPoolExecutor(max_workers=workers or (1 if sqlite else 4),
                              thread_name_prefix="kit-signer")
    pattern = "|".join(ACTIONS)
    return web.Application([(rf".*/({pattern})/?", _Action,
                             {"door": door, "signers": signers, "identify": identify,
                              "pool": pool})])


def hub_identify() -> Identify:
    """Who a token belongs to, asked of the Hub (``HubAuth``, with the service's own token
    for the person's groups): a user's Identity on the office server, or None."""
    from jupyterhub.services.auth import HubAuth

    auth = HubAuth(cache_max_age=60)

    async def identify(token: str) -> Identity | None:
        try:
            model = await auth.user_for_token(token, sync=False)
        except Exception as exc:  # the Hub refused or is down: nobody
            log.warning("Hub 令牌核验失败 token check failed: %s", exc)
            return None
        if not model or model.get("kind", "user") != "user" or not model.get("name"):
            return None
        groups = model.get("groups")
        if groups is None:  # the person's token may not read their groups: the service may
            found = await auth._api_request(
                "GET", f"{auth.api_url}/users/{model['name']}",
                headers={"Authorization": f"token {auth.api_token}"})
            groups = (found or {}).get("groups", [])
        return Identity(str(model["name"]), frozenset(groups), hub=True)

    return identify


def main() -> None:
    """Run the signing service where the Hub says (``JUPYTERHUB_SERVICE_URL``)."""
    logging.basicConfig(level=logging.INFO, format="[kit-signer %(levelname)s] %(message)s")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", ""))
    if not url.port:
        msg = "签名服务须由 JupyterHub 启动（kit hub） / the signing service runs under kit hub"
        raise SystemExit(msg)
    try:
        signers = {name: load_signer(name) for name in authorities(keys_dir())}
        if not signers:
            load_signer()  # says where it looked and how to make one
        door = Door.connect(settings().db_url)
    except KitError as exc:
        raise SystemExit(str(exc)) from None
    for signer in signers.values():
        log.info("签名服务 signing as %s", signer.certificate.describe())
    asyncio.run(_serve(signer_app(door, signers, hub_identify()), url.port,
                       url.hostname or "127.0.0.1"))


async def _serve(app: web.Application, port: int, host: str) -> None:
    HTTPServer(app, max_body_size=MAX_REQUEST_BYTES).listen(port, host)
    await asyncio.Event().wait()
