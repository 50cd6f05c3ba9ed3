"""The company's portal: a company person answers online, through the door, holding nothing.

JupyterHub starts it as a managed service (``python -m kit.server --portal``, the service
``kit-portal`` in ``templates/jupyterhub_config.py``) with the store's URL (the app role); a
company person (the Hub group ``companies``) gets no server of their own and lands here after
signing in (HubOAuth). Each request opens the service's door as that person
(``Identity(user, {COMPANIES}, hub=True)``): the door decides what they see and may submit,
the service adds nothing but HTTP. So a company person's browser reaches no process holding
anything but what the door gives them.

==================================  ====================================================
``GET  .../``                        their company's page: notices served, findings to
                                     rectify, deadlines, reviews, their own submissions
``GET  .../notice/ID/KIND``          a served notice's frozen PDF
``GET  .../file/ID/SHA256``          a file the company itself submitted on ``ID``
``POST .../submit/ID/FINDING``       a rectification report and its files (multipart), a
                                     new frozen round; refused input re-renders the page
                                     with what was typed and why (中文 / English)
==================================  ====================================================

Pages are rendered on the server (no script, no CDN), every value escaped, with a strict
Content-Security-Policy, forms carrying the Hub's xsrf token; the request body is capped.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urlparse

from tornado import web
from tornado.httpserver import HTTPServer

from kit.config import settings
from kit.door import COMPANIES, MAX_FILES, AccessError, Door, Identity
from kit.errors import KitError, NotFoundError, ValidationError
from kit.evidence import ACCEPT, MAX_BYTES
from kit.labels import SUBMISSION_CHANNELS
from kit.rectify import CompanyView

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_SUBMISSION_BYTES",
    "PORTAL_SERVICE",
    "Person",
    "hub_person",
    "main",
    "portal_app",
]

log = logging.getLogger(__name__)



#: the service's name on the Hub (``/services/kit-portal/``)
PORTAL_SERVICE: Final = "kit-portal"
#: one submission's body, refused with a page that says so
MAX_SUBMISSION_BYTES: Final = 50 * 2**20
#: the connection's cap: anything larger is cut off before it is read
MAX_BODY_BYTES: Final = MAX_SUBMISSION_BYTES + 2**20
#: Beijing time, for the dates a company reads
BEIJING: Final = timezone(timedelta(hours=8))
#: who is asking: the request's person (a company account), or None
Person = Callable[[web.RequestHandler], Awaitable[Identity | None]]

PAGES: Final = Path(__file__).with_name("portal")
#: nothing from elsewhere, no script at all, forms post here only
CSP: Final = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
              "frame-ancestors 'none'; base-uri 'none'")
_NOBODY = ("此页面只供已绑定企业的企业账号使用，请联系监管部门 / this page is for a company's "
           "account bound to its company: ask the inspection office")


class _Handler(web.RequestHandler):
    """What every page of the portal shares: its headers, the person, the door as them."""

    def initialize(self, door: Door, pool: ThreadPoolExecutor, person: Person) -> None:
        self.door, self.pool, self.person = door, pool, person
        self.who: Identity | None = None

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Cache-Control", "no-store")

    async def prepare(self) -> None:
        self.who = await self.person(self)
        if self.who is None and not self._finished:
            self._plain(403, _NOBODY)

    def _plain(self, status: int, message: str) -> None:
        self.set_status(status)
        self.render("message.html", message=message, home=self._home())

    def _home(self) -> str:
        return str(self.settings.get("portal_prefix", "/"))

    async def _as_person(self, fn: Callable[..., Any], *args: Any) -> Any:
        door = self.door.as_(self.who)
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, door, *args)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code == 403:
            message = ("请求未获准：请刷新页面后重试（表单已过期或来自别处） / refused: reload "
                       "the page and try again (the form expired or came from elsewhere)")
        elif status_code == 413:
            message = _too_large()
        else:
            message = (f"出错了（{status_code}），请返回重试 / something went wrong "
                       f"({status_code}): go back and try again")
        self.render("message.html", home=self._home(), message=message)

    def _refused(self, exc: KitError) -> None:
        status = 404 if isinstance(exc, NotFoundError) else 403
        self._plain(status, str(exc) if isinstance(exc, AccessError | NotFoundError) else
                    "无权查看 / not yours to see")


class _Page(_Handler):
    """The company's page."""

    async def get(self) -> None:
        if self._finished:
            return
        try:
            view = await self._as_person(_view)
        except (AccessError, NotFoundError) as exc:
            self._refused(exc)
            return
        iid, _, done = self.get_query_argument("sent", "").partition("/")
        self._page(view, sent=done.replace("/", " ") if iid and done else "")

    def _page(self, view: CompanyView, *, sent: str = "", typed: Mapping[str, str] | None = None,
              problem: Mapping[str, str] | None = None, status: int = 200) -> None:
        self.set_status(status)
        self.render("page.html", view=view, who=self.who, sent=sent, typed=typed or {},
                    problem=problem or {}, words=_Words(), accept=ACCEPT,
                    max_files=MAX_FILES, max_mb=MAX_SUBMISSION_BYTES // 2**20,
                    file_mb=MAX_BYTES // 2**20, logout=self.settings.get("logout_url", ""),
                    home=self._home())


class _Notice(_Handler):
    """A served notice's frozen PDF."""

    async def get(self, iid: str, kind: str) -> None:
        if self._finished:
            return
        try:
            data = await self._as_person(_notice, iid, kind)
        except (AccessError, NotFoundError) as exc:
            self._refused(exc)
            return
        self.set_header("Content-Type", "application/pdf")
        self.set_header("Content-Disposition",
                        f"attachment; filename*=UTF-8''{quote(f'{iid}-{kind}.pdf')}")
        self.finish(data)


class _File(_Handler):
    """A file the company submitted."""

    async def get(self, iid: str, sha256: str) -> None:
        if self._finished:
            return
        try:
            mime, data = await self._as_person(_file, iid, sha256)
        except (AccessError, NotFoundError) as exc:
            self._refused(exc)
            return
        self.set_header("Content-Type", mime)
        self.set_header("Content-Disposition", "attachment")
        self.finish(data)


class _Submit(_Page):
    """A rectification report and its files: one new frozen round, or the page saying why not."""

    async def get(self, *args: str) -> None:
        if not self._finished:
            self.redirect(self._home())

    async def post(self, iid: str, key: str) -> None:
        if self._finished:
            return
        report = self.get_body_argument("report", "")
        problem = _upload_problem(self.request)
        files = [] if problem else [(f.filename or "", f.body)
                                    for f in self.request.files.get("files", [])]
        if not problem:
            try:
                done = await self._as_person(_submit, iid, key, report, files)
            except (AccessError, NotFoundError) as exc:
                self._refused(exc)
                return
            except ValidationError as exc:
                problem = "\n".join(f"{p.message} / {p.message_en}" if p.message_en else p.message
                                    for p in exc.problems)
            except KitError as exc:
                problem = str(exc)
            else:
                log.info("已提交 submitted %s %s %s by %s", iid, key, done, self.who)
                self.redirect(f"{self._home()}?sent={quote(f'{iid}/{key}/{done}')}#f-{iid}-{key}",
                              status=303)
                return
        try:
            view = await self._as_person(_view)
        except (AccessError, NotFoundError) as exc:
            self._refused(exc)
            return
        where = f"{iid}/{key}"
        self._page(view, typed={where: report}, problem={where: problem}, status=400)


def _upload_problem(request: Any) -> str:
    """What is wrong with the upload as HTTP carries it ('' nothing): the door checks the rest."""
    if len(request.body) > MAX_SUBMISSION_BYTES:
        return _too_large()
    if set(request.files) - {"files"}:
        return "上传字段不对 / unexpected upload field"
    return ""


def _too_large() -> str:
    mb = MAX_SUBMISSION_BYTES // 2**20
    return (f"上传内容超过 {mb} MB，请分次提交或压缩照片 / the upload is larger than {mb} MB: "
            "submit in parts or shrink the photos")


def _view(door: Door) -> CompanyView:
    return door.company_view()


def _notice(door: Door, iid: str, kind: str) -> bytes:
    return door.company_notice(iid, kind)


def _file(door: Door, iid: str, sha256: str) -> tuple[str, bytes]:
    return door.company_file(iid, sha256)


def _submit(door: Door, iid: str, key: str, report: str, files: list[tuple[str, bytes]]
            ) -> str:
    return door.submit_rectification(iid, key, report, files)


class _Words:
    """How the page says dates, days and sizes (中文 / English)."""

    @staticmethod
    def day(value: date | None) -> str:
        return value.isoformat() if value is not None else "—"

    @staticmethod
    def moment(value: datetime | None) -> str:
        if value is None:
            return "—"
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")

    @staticmethod
    def left(days: int | None, estimated: bool = False) -> tuple[str, str]:
        """(the words, a CSS class) for the working days to a deadline."""
        mark = "（估算）/ estimate" if estimated else ""
        if days is None:
            return "无期限 / no deadline", "none"
        if days < 0:
            return f"已逾期 {-days} 个工作日 / {-days} working days overdue{mark}", "late"
        if days == 0:
            return f"今天到期 / due today{mark}", "soon"
        return (f"还有 {days} 个工作日 / {days} working days left{mark}",
                "soon" if days <= 3 else "ok")

    @staticmethod
    def channel(code: str) -> str:
        zh, en = SUBMISSION_CHANNELS.get(code, (code, code))
        return f"{zh} / {en}"

    @staticmethod
    def size(n: int) -> str:
        return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{max(n, 1) // 1024 or 1} KB"


def portal_app(door: Door, person: Person, *, prefix: str = "/", cookie_secret: bytes | str,
               hub_auth: Any = None, logout_url: str = "", workers: int | None = None
               ) -> web.Application:
    """The portal's tornado application under ``prefix``: ``door`` the service's own (its
    identity replaced by the asking person's for each request), ``person`` who asks. With
    ``hub_auth`` (a HubOAuth) the pages sign people in through the Hub and use its xsrf
    tokens; without, tornado's own (the handlers' unit tests)."""
    sqlite = door.dialect == "sqlite"
    pool = ThreadPoolExecutor(max_workers=workers or (1 if sqlite else 4),
                              thread_name_prefix="kit-portal")
    args = {"door": door, "pool": pool, "person": person}
    handlers: list[tuple[str, type[_Handler]]] = [
        ("?", _Page), ("notice/([^/]+)/([a-z_]+)", _Notice),
        ("file/([^/]+)/([0-9a-fA-F]{64})", _File), ("submit/([^/]+)/([^/]+)", _Submit)]
    routes: list[Any] = []
    for path, cls in handlers:
        if hub_auth is not None:
            cls = _hub_class(cls)
            routes.append((prefix + path, cls, {**args, "hub_auth": hub_auth}))
        else:
            routes.append((prefix + path, cls, args))
    if hub_auth is not None:
        from jupyterhub.services.auth import HubOAuthCallbackHandler

        class _Callback(HubOAuthCallbackHandler):  # the same HubOAuth that sent them (PKCE)
            def initialize(self, hub_auth: Any) -> None:
                self.hub_auth = hub_auth

        routes.append((prefix + "oauth_callback", _Callback, {"hub_auth": hub_auth}))
    return web.Application(
        routes, template_path=str(PAGES), static_path=str(PAGES / "static"),
        static_url_prefix=prefix + "static/", xsrf_cookies=True, cookie_secret=cookie_secret,
        portal_prefix=prefix, logout_url=logout_url, autoescape="xhtml_escape")


def _hub_class(cls: type[_Handler]) -> type[_Handler]:
    """``cls`` signed in through the Hub (HubOAuth: cookie, login redirect, xsrf)."""
    from jupyterhub.services.auth import HubOAuthenticated

    def initialize(self: Any, hub_auth: Any, **kwargs: Any) -> None:
        self.hub_auth = hub_auth
        cls.initialize(self, **kwargs)

    return type(f"Hub{cls.__name__}", (HubOAuthenticated, cls), {"initialize": initialize})


def hub_person(auth: Any) -> Person:
    """The person the Hub signed in, as a company account: their name with the ``companies``
    group alone (nothing else the Hub may give them counts here), or None for anyone else.
    Someone not signed in is sent to the Hub's sign-in page."""

    async def person(handler: Any) -> Identity | None:
        from jupyterhub.services.auth import UserNotAllowed

        try:
            model = await auth.get_user(handler, sync=False)
            model = handler.check_hub_user(model) if model else None
        except UserNotAllowed:
            model = None
        handler._hub_auth_user_cache = model
        if not model:
            if handler.request.method in ("GET", "HEAD"):
                handler.redirect(handler.get_login_url())
            else:
                raise web.HTTPError(403)
            return None
        if model.get("kind", "user") != "user" or not model.get("name"):
            return None
        groups = model.get("groups")
        if groups is None:  # the person's token may not read their groups: the service may
            found = await auth._api_request(
                "GET", f"{auth.api_url}/users/{model['name']}",
                headers={"Authorization": f"token {auth.api_token}"})
            groups = (found or {}).get("groups", [])
        if COMPANIES not in groups:
            return None
        return Identity(str(model["name"]), frozenset({COMPANIES}), hub=True)

    return person


def main() -> None:
    """Run the portal where the Hub says (``JUPYTERHUB_SERVICE_URL``)."""
    from jupyterhub.services.auth import HubOAuth

    logging.basicConfig(level=logging.INFO, format="[kit-portal %(levelname)s] %(message)s")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", ""))
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", f"/services/{PORTAL_SERVICE}/")
    if not url.port:
        msg = "企业整改服务须由 JupyterHub 启动（kit hub） / the company portal runs under kit hub"
        raise SystemExit(msg)
    try:
        door = Door.connect(settings().db_url)
    except KitError as exc:
        raise SystemExit(str(exc)) from None
    auth = HubOAuth(api_token=settings().hub_token, cache_max_age=60)
    hub_prefix = os.environ.get("JUPYTERHUB_BASE_URL", "/") + "hub/"
    app = portal_app(door, hub_person(auth), prefix=prefix, hub_auth=auth,
                     cookie_secret=os.urandom(32), logout_url=hub_prefix + "logout")
    log.info("企业整改服务 the company portal at %s", prefix)
    asyncio.run(_serve(app, url.port, url.hostname or "127.0.0.1"))


async def _serve(app: web.Application, port: int, host: str) -> None:
    HTTPServer(app, max_body_size=MAX_BODY_BYTES, xheaders=True).listen(port, host)
    await asyncio.Event().wait()
