"""The served app in a real headless Chromium, driven the way an inspector uses it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from kit.store import Store
from tests.browser import PATIENCE_MS, served, wait_until, what_was_shown

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("served-data")


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("logs") / "voila.log"
    with served(["--demo"], data_dir, log) as base:
        yield base






def open_app(page, url: str, *, name: str | None = "张明"):
    """Open the app; ``name``: the one this browser remembers having chosen (None: none).

    Once in many CI runs on a loaded machine the page did not come in two minutes. Should it
    not come in one, what it showed and the end of the server's log are reported as a warning
    (in CI's summary), and the page is loaded again, as a person would."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.set_default_timeout(PATIENCE_MS)  # a kernel starts and runs the notebook
    if name is not None:
        page.add_init_script(f"localStorage.setItem('kit-user', {name!r})")
    page.goto(url)
    try:
        page.locator(".kit-app").wait_for(state="visible", timeout=PATIENCE_MS // 2)
    except PlaywrightTimeout:  # reported, then loaded again
        warnings.warn(f"the app did not come: {what_was_shown(page)}", stacklevel=2)
        page.goto(url)
        page.locator(".kit-app").wait_for(state="visible")
    return page


def result_button(page, item_id: str, label: str):
    box = page.locator(f".kit-field-results--{item_id.replace('.', '_')}--result")
    return box.get_by_role("button", name=label, exact=True)


def test_create_an_inspection_set_a_result_and_keep_it_after_reload(page, server, data_dir):
    open_app(page, server, name=None)
    page.locator(".kit-user input").fill("浏览器测试员")  # asked once: nothing is anonymous
    page.locator("button.kit-user-ok").click()
    page.locator(".kit-who", has_text="浏览器测试员").wait_for()
    # kit serve --demo opens the demo once a name is given, and the chooser folds into the bar:
    # 更换/新建 unfolds it to start another inspection
    page.locator(".kit-bar", has_text="demo-2026-1119").wait_for()
    page.locator("button.kit-change-record").click()
    page.locator(".kit-app input[placeholder='企业名称 company name']").fill("北京浏览器测试医疗有限公司")
    page.locator("button.kit-new").click()
    page.get_by_text("北京浏览器测试医疗有限公司 — ").wait_for()
    store = Store(data_dir=data_dir)
    iid = next(r["id"] for r in store.list(("company/name",))
               if r["company/name"] == "北京浏览器测试医疗有限公司")

    page.locator(".lm-TabBar-tab", has_text="检查内容").click()
    result_button(page, "7.1.c1", "不符合").click()
    notes = page.locator(".kit-field-results--7_1_c1--notes textarea")
    notes.fill("营业执照复印件未加盖公章")
    page.locator(".kit-progress", has_text="已检查 1/").wait_for()
    # The notes are saved after a short pause in typing, by the page's kernel: wait for the
    # store to have them (not a fixed sleep), then reload.
    def saved() -> object:
        return Store(data_dir=data_dir).load(iid).get("results/7.1.c1/notes")

    assert wait_until(lambda: saved() == "营业执照复印件未加盖公章")

    open_app(page, f"{server}?id={iid}&stage=checklist", name=None)
    page.locator(".kit-who", has_text="浏览器测试员").wait_for()  # remembered by the browser
    assert page.locator(".kit-user input").is_hidden()
    assert "mod-active" in (result_button(page, "7.1.c1", "不符合").get_attribute("class") or "")
    assert page.locator(".kit-field-results--7_1_c1--notes textarea").input_value() == (
        "营业执照复印件未加盖公章")
    record = Store(data_dir=data_dir).load(iid).doc
    assert record["results"]["7.1.c1"]["result"] == "nonconform"
    assert record["results"]["7.1.c1"]["notes"] == "营业执照复印件未加盖公章"
    assert {e.user for e in Store(data_dir=data_dir).audit(iid, "results")} == {"浏览器测试员"}


def test_upload_the_registers_and_draw_the_sample(page, server, data_dir):
    from kit.draw import sample_registers

    open_app(page, f"{server}?id=demo-2026-1119&stage=sampling")
    for kind, path in sample_registers().items():
        with page.expect_file_chooser() as chooser:
            page.locator(f".kit-upload-{kind}").click()
        chooser.value.set_files(str(path))
        page.locator(f".kit-upload-{kind}", has_text="(1)").wait_for()
    page.locator("button.kit-run-sampling").click()
    page.locator(".kit-sampling-message", has_text="已抽取").wait_for()
    # the kernel says it drew the sample, then sends the tables: wait for them to arrive
    page.locator(".kit-sampling-output table").nth(2).wait_for()
    rows = Store(data_dir=data_dir).load("demo-2026-1119").doc["sampling"]["rows"]
    assert rows
    assert all(r["rules"] for r in rows)


def test_download_the_workbook(page, server, tmp_path):
    open_app(page, f"{server}?id=demo-2026-1119&stage=report")
    page.locator("button.kit-export").click()
    link = page.locator("a.kit-download")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "record.xlsx"
    info.value.save_as(path)
    book = openpyxl.load_workbook(path)
    assert "现场检查记录" in book.sheetnames
    assert "问题与整改" in book.sheetnames
