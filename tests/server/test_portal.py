"""The company's portal (kit-portal): a company person sees their own company only, submits
rectification reports, and reaches nothing else.

The handlers are tested on a store of their own over HTTP (no browser, no Hub): what the page
shows and hides, escaping, the headers, xsrf, bad input, and every address an attacker would
try. Then the real thing: `kit hub` with the trial settings on PostgreSQL, a company person
signing in through Chromium, submitting a report with a PDF and a photo, the inspector of the
team reviewing it through the door, and the company seeing the outcome; their Hub token
cannot get them a server.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import itertools
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from PIL import Image
from tornado.httpserver import HTTPServer

from kit.dates import beijing_today
from kit.door import COMPANIES, Door, Identity
from kit.record import Attachment, Finding, Member, Notice, new_inspection
from kit.register import RegisteredCompany
from kit.server import _portal as portal
from tests.browser import PATIENCE, free_port
from tests.server import test_hub as hub_tests

OURS, THEIRS = "91110000100000000R", "91110108MA0000002G"
OUR_NAME, THEIR_NAME = "北京甲方医疗器械有限公司", "北京乙方机密医疗有限公司"
THEIR_FINDING = "乙方洁净区压差记录缺失"
SCRIPTED = "环境监测记录<img src=x onerror=alert(1)>不全"  # must show as text
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ADMIN = Identity("admin")  # whoever holds the store's credentials (one machine)
INSPECTOR = Identity("zhangming", hub=True)  # the team's leader on the office server


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def notice_pdf(text: str) -> bytes:
    return PDF.replace(b"1 0 obj<<>>", f"1 0 obj<</T({text})>>".encode())


_NUMBERS = itertools.count(901)  # each notice its own number


@dataclass
class Seeded:
    ours: str  # our inspection: a notice served, F1 to rectify, F2 corrected on site
    unserved: str  # ours too, but nothing served yet: not shown
    theirs: str  # another company's
    their_file: str  # the sha256 of a file of theirs (submitted by mail)


def _inspection(code: str, name: str, leader: str, findings: dict[str, Finding],
                served_on: date | None, pdf: str) -> Any:
    ins = new_inspection()
    tag = next(_NUMBERS)
    notices = {"rectification": Notice(number=f"京药监整〔2026〕{tag}号",
                                       issued_on=beijing_today() - timedelta(days=7),
                                       served_on=served_on, pdf="A1" if pdf else ""),
               "result": Notice(number=f"京药监告〔2026〕{tag}号",
                                issued_on=beijing_today() - timedelta(days=7))}
    attachments = {"A1": Attachment(kind="file", target="notices/rectification", name="n.pdf",
                                    mime="application/pdf", size=len(PDF), sha256=pdf)} \
        if pdf else {}
    return replace(ins, company=replace(ins.company, name=name, credit_code=code),
                   team={"M1": Member("张明", "leader", user=leader)}, findings=findings,
                   notices=notices, attachments=attachments)


def seed(door: Door, company_user: str = "jia", description: str = SCRIPTED) -> Seeded:
    """Two companies of the register, ``company_user`` bound to ours; an inspection of each
    with a served rectification notice (its frozen PDF kept), and one of ours not served."""
    door.import_companies([RegisteredCompany(OURS, OUR_NAME, "海淀区", False),
                           RegisteredCompany(THEIRS, THEIR_NAME, "朝阳区", False)])
    door.bind_account(OURS, company_user)
    due = beijing_today() + timedelta(days=21)
    ours_pdf, theirs_pdf = notice_pdf("ours"), notice_pdf("theirs")
    door.import_evidence({hashlib.sha256(b).hexdigest(): ("application/pdf", b)
                          for b in (ours_pdf, theirs_pdf)})
    served = beijing_today() - timedelta(days=6)
    ours = door.create(_inspection(OURS, OUR_NAME, "zhangming", {
        "F1": Finding(item="7.3.m2", description=description,
                      requirement="补全9月环境监测记录并分析原因", deadline=due),
        "F2": Finding(item="7.5.m4", description="现场已纠正的问题", handling="correct_on_site"),
        "F3": Finding(item="7.10.m6", description="不合格品处置记录未经质量负责人审核",
                      requirement="修订不合格品控制程序并培训相关人员",
                      deadline=beijing_today() - timedelta(days=10))},
        served, hashlib.sha256(ours_pdf).hexdigest()))
    unserved = door.create(_inspection(OURS, OUR_NAME, "zhangming", {
        "F1": Finding(item="7.8.c1", description="尚未送达的问题", requirement="未送达的要求",
                      deadline=due)}, None, ""))
    theirs = door.create(_inspection(THEIRS, THEIR_NAME, "zhao", {
        "F1": Finding(item="7.3.m2", description=THEIR_FINDING, requirement="乙方整改要求",
                      deadline=due)}, served, hashlib.sha256(theirs_pdf).hexdigest()))
    door.submit_rectification(theirs, "F1", "乙方邮寄的整改报告", [("乙方.pdf", PDF + b"%theirs")],
                              channel="mail")
    sub = door.inspection(theirs).findings["F1"].submissions["S1"]
    their_file = door.inspection(theirs).attachments[sub.files[0]].sha256
    return Seeded(ours, unserved, theirs, their_file)


# -- the handlers, on a store of their own, over HTTP ---------------------------------------------
@dataclass
class Served:
    url: str
    door: Door
    seeded: Seeded
    who: dict[str, Any]

    def session(self) -> requests.Session:
        return requests.Session()

    def xsrf(self, web: requests.Session) -> str:
        page = web.get(self.url, timeout=PATIENCE)
        found = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
        assert found, page.text[:2000]
        return found.group(1)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The portal's application on a free port, its door on a SQLite store; the person asking
    is ``who["user"]`` in the companies group (None: someone the Hub did not sign in as one)."""
    door = Door.connect(f"sqlite:///{tmp_path / 'kit.sqlite'}", identity=ADMIN)
    seeded = seed(door)
    who: dict[str, Any] = {"user": "jia"}

    async def person(handler: Any) -> Identity | None:
        return Identity(who["user"], frozenset({COMPANIES}), hub=True) if who["user"] else None

    app = portal.portal_app(door, person, cookie_secret="test-secret")
    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        HTTPServer(app, max_body_size=portal.MAX_BODY_BYTES).listen(port, "127.0.0.1")
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(PATIENCE)
    yield Served(f"http://127.0.0.1:{port}/", door, seeded, who)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(PATIENCE)
    door.close()


def test_a_company_person_sees_their_company_only_escaped_with_strict_headers(served):
    page = requests.get(served.url, timeout=PATIENCE)
    assert page.status_code == 200
    text = page.text
    assert OUR_NAME in text
    assert OURS in text
    assert "补全9月环境监测记录并分析原因" in text  # F1's requirement
    assert "个工作日" in text
    assert "working days left" in text
    assert "现场已纠正的问题" not in text  # corrected on site: nothing to rectify
    assert "尚未送达的问题" not in text
    assert served.seeded.unserved not in text
    for secret in (THEIR_NAME, THEIRS, THEIR_FINDING, served.seeded.theirs):
        assert secret not in text
    assert "<img src=x" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<script" not in text
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "form-action 'self'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    # the served notice's frozen PDF, as issued
    pdf = requests.get(f"{served.url}notice/{served.seeded.ours}/rectification",
                       timeout=PATIENCE)
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content == notice_pdf("ours")


def test_a_report_with_a_pdf_and_a_photo_is_one_frozen_round(served):
    web = served.session()
    token = served.xsrf(web)
    sent = web.post(f"{served.url}submit/{served.seeded.ours}/F1",
                    data={"_xsrf": token, "report": "已补全9月记录，原因是传感器故障"},
                    files=[("files", ("记录.pdf", PDF, "application/pdf")),
                           ("files", ("现场.png", photo(), "image/png"))],
                    allow_redirects=False, timeout=PATIENCE)
    assert sent.status_code == 303, sent.text[-2000:]
    f1 = served.door.as_(INSPECTOR).inspection(served.seeded.ours).findings["F1"]
    assert list(f1.submissions) == ["S1"]
    s1 = f1.submissions["S1"]
    assert (s1.by, s1.channel, s1.report) == ("jia", "portal", "已补全9月记录，原因是传感器故障")
    assert len(s1.files) == 2
    assert f1.state == "submitted"
    page = web.get(served.url + sent.headers["Location"].lstrip("/").split("#")[0],
                   timeout=PATIENCE).text
    assert "已提交" in page
    assert "已补全9月记录" in page
    assert "企业在线提交" in page  # how it came
    links = re.findall(rf'href="/(file/{served.seeded.ours}/[0-9a-f]{{64}})"', page)
    assert len(links) == 2
    got = [web.get(served.url + link, timeout=PATIENCE) for link in links]
    assert [g.status_code for g in got] == [200, 200]
    assert {g.headers["Content-Type"] for g in got} == {"application/pdf", "image/jpeg"}
    assert PDF in [g.content for g in got]  # kept as sent (a photo is turned upright, re-saved)
    # frozen: no second submission until the review, and the door says why
    again = web.post(f"{served.url}submit/{served.seeded.ours}/F1",
                     data={"_xsrf": token, "report": "再补充一点"}, timeout=PATIENCE)
    assert again.status_code == 400
    assert "等待复查" in again.text
    assert "waiting for its review" in again.text
    assert "再补充一点" in again.text  # what was typed comes back in the form
    f1 = served.door.as_(INSPECTOR).inspection(served.seeded.ours).findings["F1"]
    assert list(f1.submissions) == ["S1"]


def test_a_wrong_file_says_why_in_both_languages_and_keeps_the_typing(served):
    web = served.session()
    sent = web.post(f"{served.url}submit/{served.seeded.ours}/F1",
                    data={"_xsrf": served.xsrf(web), "report": "整改说明：已修订程序文件"},
                    files=[("files", ("照片.jpg", b"MZ\x90\x00 not a photo", "image/jpeg"))],
                    timeout=PATIENCE)
    assert sent.status_code == 400
    assert "只接受 JPEG" in sent.text
    assert "only JPEG" in sent.text
    assert "照片.jpg" in sent.text
    textarea = re.search(r"<textarea[^>]*>([^<]*)</textarea>", sent.text)
    assert textarea
    assert textarea.group(1) == "整改说明：已修订程序文件"
    assert not served.door.as_(INSPECTOR).inspection(served.seeded.ours).findings[
        "F1"].submissions


def test_an_upload_over_the_limit_is_refused_with_a_message(served, monkeypatch):
    monkeypatch.setattr(portal, "MAX_SUBMISSION_BYTES", 4096)
    web = served.session()
    sent = web.post(f"{served.url}submit/{served.seeded.ours}/F1",
                    data={"_xsrf": served.xsrf(web), "report": "大文件"},
                    files=[("files", ("big.pdf", PDF + b"0" * 8192, "application/pdf"))],
                    timeout=PATIENCE)
    assert sent.status_code == 400
    assert "MB" in sent.text
    assert "larger than" in sent.text
    assert not served.door.as_(INSPECTOR).inspection(served.seeded.ours).findings[
        "F1"].submissions


def test_a_post_without_the_xsrf_token_writes_nothing(served):
    web = served.session()
    served.xsrf(web)  # a cookie, but no token in the form
    sent = web.post(f"{served.url}submit/{served.seeded.ours}/F1", data={"report": "伪造"},
                    timeout=PATIENCE)
    assert sent.status_code == 403
    assert not served.door.as_(INSPECTOR).inspection(served.seeded.ours).findings[
        "F1"].submissions


def test_an_attacker_reaches_nothing_that_is_not_their_own(served):
    s = served.seeded
    web = served.session()
    token = served.xsrf(web)
    tries = {
        "their notice": web.get(f"{served.url}notice/{s.theirs}/rectification"),
        "a notice not served": web.get(f"{served.url}notice/{s.ours}/result"),
        "a notice of an inspection not served": web.get(
            f"{served.url}notice/{s.unserved}/rectification"),
        "their file": web.get(f"{served.url}file/{s.theirs}/{s.their_file}"),
        "their file on our inspection": web.get(f"{served.url}file/{s.ours}/{s.their_file}"),
        "their finding": web.post(f"{served.url}submit/{s.theirs}/F1",
                                  data={"_xsrf": token, "report": "冒充乙方"}),
        "a finding guessed": web.post(f"{served.url}submit/{s.ours}/F9",
                                      data={"_xsrf": token, "report": "猜的编号"}),
        "a finding not to rectify": web.post(f"{served.url}submit/{s.ours}/F2",
                                             data={"_xsrf": token, "report": "现场纠正的"}),
        "no such inspection": web.get(f"{served.url}notice/no-such-id/rectification"),
    }
    for what, answer in tries.items():
        assert answer.status_code in (400, 403, 404), what
        for secret in (THEIR_NAME, THEIR_FINDING, "乙方邮寄的整改报告"):
            assert secret not in answer.text, what
        assert answer.headers["Content-Type"].startswith("text/html"), what
    inspector = served.door.as_(ADMIN)
    assert list(inspector.inspection(s.theirs).findings["F1"].submissions) == ["S1"]
    assert not inspector.inspection(s.ours).findings["F1"].submissions
    assert not inspector.inspection(s.ours).findings["F2"].submissions
    # someone the Hub did not sign in as a company's person is told so, and sees nothing
    served.who["user"] = None
    page = requests.get(served.url, timeout=PATIENCE)
    assert page.status_code == 403
    assert OUR_NAME not in page.text
    assert "企业账号" in page.text
    # a company account bound to no company sees nothing either
    served.who["user"] = "nobody"
    page = requests.get(served.url, timeout=PATIENCE)
    assert page.status_code == 403
    assert OUR_NAME not in page.text


# -- the real thing: the Hub, PostgreSQL and Chromium ----------------------------------------------
office_db = hub_tests.office_db
hub = hub_tests.hub
COMPANY_USER = "qiye"  # the trial settings' company person


def _spawn_as(base: str, user: str, token: str) -> tuple[int, bool]:
    """Ask the Hub's API for ``user``'s server with their own token: (status, running)."""
    head = {"Authorization": f"token {token}"}
    asked = requests.post(f"{base}/hub/api/users/{user}/server", headers=head, timeout=PATIENCE)
    model = requests.get(f"{base}/hub/api/users/{user}", headers=head, timeout=PATIENCE)
    running = bool(model.ok and (model.json().get("servers") or {}).get("", {}).get("ready"))
    return asked.status_code, running


@pytest.mark.browser
@pytest.mark.slow
def test_a_company_answers_online_through_the_hub(browser, hub, office_db, tmp_path):
    from kit.store import Store

    with Store(office_db["owner"]) as store:
        seeded = seed(Door(store, ADMIN), COMPANY_USER, "9月环境监测记录缺少3天的沉降菌数据")
    shots = tmp_path / "shots"  # the README's pictures come from here (docs/portal-*.png)
    shots.mkdir()

    # a company person signs in and lands on their company's page: nothing of another company
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(int(PATIENCE * 1000))
    page.goto(f"{hub}/hub/login")
    page.fill("input[name=username]", COMPANY_USER)
    page.fill("input[name=password]", hub_tests.PASSWORD)
    page.click("#login_submit")
    page.locator(".kp-company", has_text=OUR_NAME).wait_for()
    assert "/services/kit-portal/" in page.url
    body = page.locator("body").inner_text()
    for secret in (THEIR_NAME, THEIRS, THEIR_FINDING, "尚未送达的问题"):
        assert secret not in body

    # submits F1's report with a PDF and a photo
    (tmp_path / "记录.pdf").write_bytes(PDF)
    (tmp_path / "现场.png").write_bytes(photo())
    form = page.locator(f"#f-{seeded.ours}-F1 form")
    form.locator("textarea").fill("已补全9月环境监测记录，原因是传感器故障，已更换")
    form.locator("input[type=file]").set_input_files([str(tmp_path / "记录.pdf"),
                                                      str(tmp_path / "现场.png")])
    form.locator("button[type=submit]").click()
    page.locator(".kp-sent").wait_for()
    finding = page.locator(f"#f-{seeded.ours}-F1")
    assert finding.locator(".kp-submission").count() == 1
    assert finding.locator(".kp-files a").count() == 2
    assert finding.locator("form").count() == 0  # frozen until the review

    # the team's inspector sees it through the door, under the company person's sign-in,
    # and reviews it: not yet enough
    with Store(office_db["owner"]) as store:
        door = Door(store, INSPECTOR)
        f1 = door.inspection(seeded.ours).findings["F1"]
        assert list(f1.submissions) == ["S1"]
        assert (f1.submissions["S1"].by, f1.submissions["S1"].channel) == (COMPANY_USER,
                                                                           "portal")
        assert {e.user for e in door.audit(seeded.ours) if e.action == "submit"} == \
            {COMPANY_USER}  # every entry of the submission under the company person's sign-in
        door.save(door.open(seeded.ours), {"findings/F1/state": "failed",
                                           "findings/F1/review_mode": "written",
                                           "findings/F1/reviewed_on":
                                               beijing_today().isoformat(),
                                           "findings/F1/reviewer": "张明"})
    page.goto(f"{hub}/services/kit-portal/")
    finding.locator(".kp-result", has_text="不合格").wait_for()
    assert finding.locator("form").count() == 1  # a later submission is a new round
    finding.locator(".kp-reviews").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "portal-phone.png"))

    # a desktop sees the same page
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900},
                               storage_state=context.storage_state())
    wide = desk.new_page()
    wide.goto(page.url.split("?")[0])
    wide.locator(".kp-company", has_text=OUR_NAME).wait_for()
    wide.screenshot(path=str(shots / "portal-desktop.png"), full_page=True)
    desk.close()

    # a later submission is a new round: the failed review is kept as round R1, still shown
    form = page.locator(f"#f-{seeded.ours}-F1 form")
    form.locator("textarea").fill("补充提交：沉降菌数据已补测，附检测报告")
    form.locator("input[type=file]").set_input_files([str(tmp_path / "记录.pdf")])
    form.locator("button[type=submit]").click()
    page.locator(".kp-sent").wait_for()
    assert finding.locator(".kp-submission").count() == 2
    finding.locator(".kp-review", has_text="R1").locator(".kp-result",
                                                         has_text="不合格").wait_for()
    with Store(office_db["owner"]) as store:
        f1 = Door(store, INSPECTOR).inspection(seeded.ours).findings["F1"]
        assert list(f1.submissions) == ["S1", "S2"]
        assert f1.reviews["R1"].result == "failed"
        assert f1.state == "submitted"

    # as an attacker, from the same signed-in browser
    web = page.request
    portal_url = f"{hub}/services/kit-portal/"
    for address in (f"notice/{seeded.theirs}/rectification", f"notice/{seeded.ours}/result",
                    f"file/{seeded.theirs}/{seeded.their_file}",
                    f"file/{seeded.ours}/{seeded.their_file}"):
        answer = web.get(portal_url + address, fail_on_status_code=False)
        assert answer.status in (403, 404), address
        assert THEIR_NAME not in answer.text()
    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    for target in (f"submit/{seeded.theirs}/F1", f"submit/{seeded.ours}/F7"):
        answer = web.post(portal_url + target, multipart={"_xsrf": token or "",
                                                          "report": "越权提交"},
                          fail_on_status_code=False)
        assert answer.status in (400, 403), target
    answer = web.post(portal_url + f"submit/{seeded.ours}/F1",
                      multipart={"report": "没有令牌的提交"}, fail_on_status_code=False)
    assert answer.status == 403
    with Store(office_db["owner"]) as store:
        door = Door(store, ADMIN)
        assert list(door.inspection(seeded.theirs).findings["F1"].submissions) == ["S1"]
        assert list(door.inspection(seeded.ours).findings["F1"].submissions) == ["S1", "S2"]

    # no server: not through the Hub's API with their own token, nor by opening its address
    status, running = _spawn_as(hub, COMPANY_USER, hub_tests._hub_token(hub, COMPANY_USER))
    assert status == 403
    assert not running
    page.goto(f"{hub}/user/{COMPANY_USER}/")
    page.get_by_text("企业账号没有自己的服务器").first.wait_for()
    assert page.locator(".kit-app").count() == 0
    page.get_by_role("link", name="企业在线整改页面").click()  # the way to their page
    page.locator(".kp-company", has_text=OUR_NAME).wait_for()
    status, running = _spawn_as(hub, COMPANY_USER, hub_tests._hub_token(hub, COMPANY_USER))
    assert (status, running) == (403, False)

    # the Hub's home page (its "Home" link) offers them no server: it sends them to the portal
    home = page.request.get(f"{hub}/hub/home").text()  # the page itself, before it moves on
    assert 'id="start"' not in home
    assert "Start My Server" not in home
    assert 'href="/services/kit-portal/"' in home
    page.goto(f"{hub}/hub/home")
    page.locator(".kp-company", has_text=OUR_NAME).wait_for()
    assert page.url.split("?")[0].endswith("/services/kit-portal/")
    context.close()


def _hub_page_of(base: str, user: str, page: str = "home") -> str:
    """The Hub's ``page`` as ``user`` sees it, signed in without a browser."""

    with requests.Session() as web:
        web.get(f"{base}/hub/login", timeout=PATIENCE)
        xsrf = next((c.value or "" for c in web.cookies
                     if c.name == "_xsrf" and c.path.startswith("/hub")), "")
        signed = web.post(f"{base}/hub/login", data={"username": user,
                                                     "password": hub_tests.PASSWORD,
                                                     "_xsrf": xsrf}, timeout=PATIENCE,
                          allow_redirects=False)
        assert signed.status_code == 302, signed.text[:500]
        shown = web.get(f"{base}/hub/{page}", timeout=PATIENCE, allow_redirects=False)
        assert shown.status_code == 200
        return shown.content.decode("utf-8")


@pytest.mark.slow
def test_the_hub_home_page_sends_only_a_company_person_to_the_portal(hub):
    """Through the real Hub: the company's person's home page has no server button and moves
    on to the portal; an inspector's is JupyterHub's own, their server's button and all."""
    company = _hub_page_of(hub, COMPANY_USER)
    assert 'id="start"' not in company
    assert re.search(r'http-equiv="refresh" content="0; url=/services/kit-portal/"', company)
    assert "企业在线整改" in company
    inspector = _hub_page_of(hub, "zhao")
    assert re.search(r'id="start"[^>]*>', inspector)
    assert "My Server" in inspector
    assert "kit-portal" not in inspector
    assert "http-equiv=\"refresh\"" not in inspector


@pytest.mark.slow
def test_the_hub_token_page_sends_only_a_company_person_to_the_portal(hub):
    """Through the real Hub: a company's account is for the portal only, so its token page
    offers no API token and moves on to the portal; an inspector's is JupyterHub's own."""
    company = _hub_page_of(hub, COMPANY_USER, "token")
    assert 'id="request-token-form"' not in company
    assert 'require(["token"])' not in company
    assert re.search(r'http-equiv="refresh" content="0; url=/services/kit-portal/"', company)
    assert 'id="kit-company-token"' in company
    inspector = _hub_page_of(hub, "zhao", "token")
    assert 'id="request-token-form"' in inspector
    assert "kit-portal" not in inspector
    assert "http-equiv=\"refresh\"" not in inspector


# -- the Hub's configuration: the portal for companies, no server for them -----------------------
def test_the_hub_runs_the_portal_and_gives_a_company_person_no_server(monkeypatch):
    from tornado import web

    secrets = {"KIT_KEYS_DIR": "/nowhere", "KIT_KEY_PASSPHRASE": "p", "KIT_SIGNING_KEY": "old",
               "KIT_SMTP_PASSWORD": "mail"}
    c = hub_tests._hub_config({"KIT_DB_URL": "postgresql+psycopg://app@h/d", **secrets},
                              monkeypatch)
    service = next(s for s in c.JupyterHub.services if s["name"] == portal.PORTAL_SERVICE)
    assert service["command"][1:] == ["-m", "kit.server", "--portal"]
    assert service["environment"]["KIT_DB_URL"] == "postgresql+psycopg://app@h/d"
    assert not set(secrets) & set(service["environment"])
    assert service["oauth_no_confirm"] is True
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["company"]["groups"] == [COMPANIES]
    assert roles["company"]["scopes"] == ["access:services!service=kit-portal"]
    assert COMPANIES in c.JupyterHub.load_groups

    def person(*groups: str) -> Any:
        user = SimpleNamespace(groups=[SimpleNamespace(name=g) for g in groups])
        return SimpleNamespace(user=user, environment={})

    company = person(COMPANIES)
    with pytest.raises(web.HTTPError) as refused:
        c.Spawner.pre_spawn_hook(company)
    assert refused.value.status_code == 403
    inspector = person("leaders")
    c.Spawner.pre_spawn_hook(inspector)
    assert inspector.environment["KIT_USER_GROUPS"] == "leaders"

    def landing(*groups: str) -> str:
        return str(c.JupyterHub.default_url(SimpleNamespace(
            current_user=person(*groups).user, base_url="/")))

    assert landing(COMPANIES) == "/services/kit-portal/"
    assert landing() == ""  # everyone else: their own server, as JupyterHub does

    # the Hub's home page: the kit's home.html first (extending JupyterHub's), and whether the
    # person is a company's, for it to send them to the portal
    assert (Path(c.JupyterHub.template_paths[0]) / "home.html").is_file()
    assert (Path(c.JupyterHub.template_paths[0]) / "token.html").is_file()
    is_company = c.JupyterHub.template_vars["kit_company"]
    assert is_company(person(COMPANIES).user) is True
    assert is_company(person("leaders").user) is False
    assert is_company(None) is False  # the sign-in page: nobody yet
    assert c.JupyterHub.template_vars["kit_portal"] == "services/kit-portal/"
    assert "announcement_login" in c.JupyterHub.template_vars  # the office's own, kept


def test_the_hub_person_is_a_company_account_with_no_other_rights():
    """Whom the portal acts for, from the Hub's word: a companies member, as that alone (a
    leader's group on the same account gives them nothing more here); anyone else is nobody."""

    class Auth:
        def __init__(self, model: dict[str, Any] | None) -> None:
            self.model = model

        async def get_user(self, handler: Any, *, sync: bool) -> dict[str, Any] | None:
            return self.model

    class Handler:
        request = SimpleNamespace(method="GET")

        def check_hub_user(self, model: dict[str, Any]) -> dict[str, Any]:
            return model

        def get_login_url(self) -> str:
            return "/hub/login"

        def redirect(self, url: str) -> None:
            self.sent_to = url

    def who(model: dict[str, Any] | None) -> tuple[Identity | None, Handler]:
        handler = Handler()
        asked = portal.hub_person(Auth(model))(handler)
        with ThreadPoolExecutor(1) as pool:  # a loop of its own (Playwright's may be running)
            return pool.submit(asyncio.run, asked).result(), handler

    found, _ = who({"kind": "user", "name": "qiye", "groups": [COMPANIES, "leaders"]})
    assert found == Identity("qiye", frozenset({COMPANIES}), hub=True)
    assert who({"kind": "user", "name": "chen", "groups": ["leaders"]})[0] is None
    assert who({"kind": "service", "name": "kit-portal", "groups": [COMPANIES]})[0] is None
    nobody, handler = who(None)  # not signed in: sent to the Hub's sign-in
    assert nobody is None
    assert handler.sent_to == "/hub/login"
