"""Picking a new inspection's company from the office's register, in a real headless Chromium
on a tablet (1024 x 768) and a phone (390 x 844): found by part of its name, its licence and
products shown before it is taken, every control a finger's size, nothing off the screen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit.door import Door, Identity
from kit.store import Store
from tests.browser import PATIENCE_MS, served, wait_until
from tests.widgets.test_register_plan import CONTRACTS, SYRINGES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"tablet": (1024, 768), "phone": (390, 844)}
#: where the screenshots are kept to look at (a test's own folder otherwise)
SHOTS = Path(os.environ["KIT_SCREENSHOTS"]) if os.environ.get("KIT_SCREENSHOTS") else None


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("register-data")
    Door(Store(data_dir=folder), Identity("王科长")).import_companies([SYRINGES, CONTRACTS])
    return folder


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("logs") / "voila.log"
    with served(["--user", "平板测试"], data_dir, log) as base:
        yield base


def pick(browser, server: str, size: str):
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    page.set_default_timeout(PATIENCE_MS)
    page.goto(server)
    search = page.locator(".kit-register-search input")
    search.fill("注册测试")
    search.press("Enter")
    page.locator(".kit-register-picked", has_text="一次性使用无菌注射器（三类）").wait_for()
    return page


def heights(page, selectors: list[str]) -> dict[str, float]:
    out = {}
    for sel in selectors:
        box = page.locator(sel).first.bounding_box()
        assert box is not None, sel
        out[sel] = box["height"]
    return out


def test_an_inspector_picks_the_company_from_the_register_on_a_tablet(browser, server,
                                                                     data_dir, tmp_path):
    page = pick(browser, server, "tablet")
    picked = page.locator(".kit-register-choice select")
    assert SYRINGES.credit_code in picked.evaluate("s => s.options[s.selectedIndex].text")
    # the register names the company (with its papers): no name box to type it in
    assert page.locator(".kit-app input[placeholder='企业名称 company name']").is_hidden()
    small = {k: v for k, v in heights(page, [
        ".kit-register-search input", ".kit-register-choice select", "button.kit-register-clear",
        "button.kit-new"]).items() if v < 44}
    assert small == {}, f"smaller than a finger: {small}"
    page.screenshot(path=str((SHOTS or tmp_path) / "register-tablet.png"), full_page=True)
    page.locator("button.kit-new").click()
    page.locator(".kit-bar", has_text=SYRINGES.name).wait_for()

    def made() -> list[dict[str, object]]:
        return [r for r in Store(data_dir=data_dir).list(("company/credit_code",))
                if r["company/credit_code"] == SYRINGES.credit_code]

    assert wait_until(lambda: len(made()) == 1)
    doc = Store(data_dir=data_dir).load(str(made()[0]["id"])).doc
    assert [p["name"] for p in doc["company"]["products"].values()] == [
        p.name for p in SYRINGES.products]
    assert [lic["number"] for lic in doc["company"]["licences"].values()] == [
        SYRINGES.licence_no]
    assert "7.14" not in doc["scope"]["sections"]
    page.screenshot(path=str((SHOTS or tmp_path) / "register-tablet-made.png"))
    page.close()


def test_the_register_fits_a_phone(browser, server, tmp_path):
    page = pick(browser, server, "phone")
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll('.kit-app *')]
      .map((e) => e.getBoundingClientRect().right))""")
    assert widest <= SIZES["phone"][0] + 1, f"something reaches {widest}px on a 390px screen"
    page.screenshot(path=str((SHOTS or tmp_path) / "register-phone.png"), full_page=True)
    page.close()
