"""Nothing an inspector types is lost: not on a reload, a closed tab or a killed kernel.

In a real headless Chromium against ``kit serve``. What the browser keeps is checked in the
page (the restore offer), what the kernel saved in the store itself.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit.store import Store
from tests.browser import PATIENCE_MS, served, unfold, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTES = ".kit-field-results--7_2_c1--notes textarea"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("no-loss-data")


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("logs") / "voila.log"
    with served(["--demo", "--no-preheat", "--user", "无损测试"], data_dir, log) as base:
        yield base


def stored(data_dir: Path, path: str) -> object:
    return Store(data_dir=data_dir).load("demo-2026-1119").get(path)


def open_checklist(page, server: str) -> None:
    page.set_default_timeout(PATIENCE_MS)  # for a kernel to start, a save to come back
    page.goto(f"{server}?id=demo-2026-1119&stage=checklist&section=7.2")
    unfold(page, "7.2.c1")


def test_a_reload_right_after_fast_typing_keeps_every_character(page, server, data_dir):
    for attempt in range(3):
        open_checklist(page, server)
        text = f"第{attempt}次：组织机构图未经批准发布，任命文件缺少签发日期"
        page.locator(NOTES).click()
        page.keyboard.type(text, delay=5)
        page.reload()  # at once: no pause for the kernel, no time for the last updates
        page.locator(NOTES).wait_for(state="visible")
        # the browser kept the typing and the new page's kernel saved it: shown at once
        assert wait_until(lambda t=text: page.locator(NOTES).input_value() == t)
        assert stored(data_dir, "results/7.2.c1/notes") == text
        assert page.locator(".kit-draft").count() == 0
        page.locator(NOTES).fill("")
        assert wait_until(lambda: stored(data_dir, "results/7.2.c1/notes") == "")


def test_a_killed_kernel_shows_a_banner_and_loses_nothing(page, server, data_dir):
    open_checklist(page, server)
    for pid in _kernel_pids(server):
        os.kill(pid, signal.SIGKILL)
    page.locator(".kit-offline").wait_for(state="visible")
    text = "断开连接后输入的内容"
    page.locator(NOTES).fill(text)  # typed while the kernel is gone: kept in the browser
    page.reload()
    page.locator(NOTES).wait_for(state="visible")
    assert page.locator(".kit-offline").is_hidden()
    assert wait_until(lambda: page.locator(NOTES).input_value() == text)
    assert stored(data_dir, "results/7.2.c1/notes") == text


def test_typing_kept_over_someone_elses_change_is_offered_not_imposed(page, server, data_dir):
    open_checklist(page, server)
    for pid in _kernel_pids(server):
        os.kill(pid, signal.SIGKILL)
    page.locator(".kit-offline").wait_for(state="visible")
    page.locator(NOTES).fill("我在断线时写下的记录")
    store = Store(data_dir=data_dir)
    store.save(store.load("demo-2026-1119"), {"results/7.2.c1/notes": "李华同时写下的记录"},
               user="李华")
    page.reload()
    page.locator(NOTES).wait_for(state="visible")
    bar = page.locator(".kit-draft")
    bar.wait_for()
    assert "我在断线时写下的记录" in bar.inner_text()
    assert page.locator(NOTES).input_value() == "李华同时写下的记录"  # not overwritten
    assert stored(data_dir, "results/7.2.c1/notes") == "李华同时写下的记录"
    page.locator(".kit-draft-restore").click()  # the person decides; the edit is checked
    assert wait_until(lambda: stored(data_dir, "results/7.2.c1/notes") == "我在断线时写下的记录")
    trail = Store(data_dir=data_dir).audit("demo-2026-1119", "results/7.2.c1/notes")
    assert [e.new for e in trail][-2:] == ["李华同时写下的记录", "我在断线时写下的记录"]


def _kernel_pids(server: str) -> list[int]:
    server_pid = getattr(server, "pid", 0)
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().split()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[3]) == server_pid and b"ipykernel" in cmd:
            out.append(int(entry.name))
    return out
