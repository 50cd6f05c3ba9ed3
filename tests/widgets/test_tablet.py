"""On the factory floor: the checklist on a tablet and a phone, in a real headless Chromium.

One tap per result, a section's height, the sticky header, the address that follows the
inspector (and survives F5), and no request leaving the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from kit.store import Store
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PATIENCE_MS, served, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"desktop": (1366, 768), "tablet": (1024, 768), "phone": (390, 844)}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tablet-data")


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("logs") / "voila.log"
    with served(["--demo", "--user", "平板测试"], data_dir, log) as base:
        yield base


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(chromium, size: str, outside: list[str]):
    width, height = SIZES[size]
    page = chromium.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(PATIENCE_MS)  # for a kernel to start, a save to come back

    def watch(request) -> None:
        host = urlparse(request.url).hostname
        if request.url.startswith(("http", "ws")) and host not in ("127.0.0.1", "localhost"):
            outside.append(request.url)

    page.on("request", watch)
    return page


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


@pytest.mark.parametrize("size", list(SIZES))
def test_a_section_fits_and_nothing_runs_off_or_leaves_the_machine(chromium, server, size,
                                                                  tmp_path):
    outside: list[str] = []
    page = new_page(chromium, size, outside)
    page.goto(f"{server}?id=demo-2026-1119&stage=checklist&section=7.8")
    page.locator(".kit-item-7_8_m8 .kit-row-results").wait_for()
    width = SIZES[size][0]
    section = page.locator(".kit-section-7_8").bounding_box()
    assert section is not None
    if size == "tablet":  # 七、8 has 15 items: one row each, nothing unfolded
        assert section["height"] <= 2400
    # nothing runs off the screen, whatever its width (what scrolls sideways in a strip of its
    # own, as the stage tabs do on a phone, is in that strip, not off the screen)
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll('.kit-app *')]
      .filter((e) => !e.closest('.lm-TabBar-content'))
      .map((e) => e.getBoundingClientRect().right))""")
    assert widest <= width + 1, f"something reaches {widest}px on a {width}px screen"
    # scrolled to the section's end, the section bar is still in view, and small
    page.locator(".kit-item-7_8_m8").scroll_into_view_if_needed()
    bar = page.locator(".kit-checklist-nav").bounding_box()
    assert bar is not None
    assert 0 <= bar["y"] <= SIZES[size][1]
    if size == "tablet":
        tabs = page.locator(".kit-stages > .lm-TabBar").bounding_box()
        assert tabs is not None
        header = bar["y"] + bar["height"] - min(tabs["y"], bar["y"])
        assert header <= 0.15 * 768, header
    page.screenshot(path=str(tmp_path / f"{size}.png"))
    page.close()
    assert outside == []


def test_one_tap_per_result_in_colour_and_a_second_tap_takes_it_back(chromium, server,
                                                                      data_dir):
    page = new_page(chromium, "tablet", [])
    page.goto(f"{server}?id=demo-2026-1119&stage=checklist&section=7.4")
    row = page.locator(".kit-item-7_4_c1")
    wrong = row.get_by_role("button", name="不符合", exact=True)
    wrong.click()  # one tap
    assert wrong.get_attribute("aria-pressed") == "true"
    colour = wrong.evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(198, 40, 40)"  # red
    assert row.locator(".kit-row-notes textarea").is_visible()  # unfolded by itself
    row.get_by_role("button", name="记为问题 Record as a finding").wait_for()
    no_finding = row.locator(".kit-problem", has_text="尚未记录问题")
    no_finding.wait_for()  # the kernel saved it and sent the row back, with its rule

    def stored() -> object:
        return Store(data_dir=data_dir).load("demo-2026-1119").get("results/7.4.c1/result")

    assert wait_until(lambda: stored() == "nonconform")
    right = row.get_by_role("button", name="符合", exact=True)
    right.click()
    assert right.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(46, 125, 50)"
    # a second tap reads the result the kernel sent back: wait for it (it takes the rule away)
    no_finding.wait_for(state="detached")
    right.click()  # the chosen result again: back to 未检查, outlined
    assert right.get_attribute("aria-pressed") == "false"
    assert wait_until(lambda: stored() == "unchecked")
    page.close()


def test_the_address_follows_the_inspector_and_f5_opens_exactly_there(chromium, server):
    page = new_page(chromium, "tablet", [])
    page.goto(f"{server}?id=demo-2026-1119&stage=checklist&section=7.2")
    page.locator(".kit-section-7_2").wait_for()
    page.locator("button.kit-section-next").click()
    page.locator(".kit-section-7_3").wait_for()
    page.wait_for_function("() => location.search.includes('section=7.3')")
    assert query(page) == {"id": "demo-2026-1119", "stage": "checklist", "section": "7.3"}
    page.reload()  # F5
    page.locator(".kit-section-7_3").wait_for()
    assert "七、3." in page.locator(".kit-section-chooser select").evaluate(
        "s => s.options[s.selectedIndex].text")
    page.locator(".lm-TabBar-tab", has_text="文书跟踪").click()
    page.wait_for_function("() => location.search.includes('stage=report')")
    page.reload()
    page.locator(".kit-report").wait_for()
    assert query(page) == {"id": "demo-2026-1119", "stage": "report"}
    page.close()


def evidence_rows(data_dir: Path, tmp_path: Path) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    from kit.door import Door, Identity
    from kit.interchange import export_workbook

    with Door.connect(data_dir=str(data_dir), identity=Identity("平板测试")) as door:
        book = export_workbook(door, "demo-2026-1119", tmp_path / "record.xlsx")
    ws = load_workbook(book)["证据材料"]
    return [row for row in ws.iter_rows(min_row=5, values_only=True) if row[0]]


def test_a_photo_taken_on_the_tablet_reaches_the_workbook(chromium, server, data_dir,
                                                         tmp_path):
    import io

    from PIL import Image

    photo = tmp_path / "IMG_20261201_0930.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (1600, 1200), (30, 120, 200)).save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())
    page = new_page(chromium, "tablet", [])
    page.goto(f"{server}?id=demo-2026-1119&stage=checklist&section=7.4")
    row = page.locator(".kit-item-7_4_c2")
    row.locator(".kit-row-toggle").click()
    upload = row.locator(".kit-row-photo-input")
    assert upload.get_attribute("capture") == "environment"  # the camera, on a tablet
    assert upload.get_attribute("accept") == "image/*"
    with page.expect_file_chooser() as chooser:
        row.locator("button.kit-row-photo").click()
    chooser.value.set_files(str(photo))
    row.locator(".kit-thumb img").wait_for()  # the thumbnail, shown at once

    def kept() -> list[str]:
        ins = Store(data_dir=data_dir).load("demo-2026-1119").doc.get("attachments") or {}
        return [k for k, a in ins.items() if a["target"] == "results/7.4.c2"]

    assert wait_until(lambda: bool(kept()))
    listed = {r[0]: r for r in evidence_rows(data_dir, tmp_path)}
    (key,) = kept()
    assert listed[key][1:4] == ("照片", "七、4.检查内容（2）", "IMG_20261201_0930.jpg")
    page.close()


def test_a_signature_drawn_with_pointer_events_reaches_the_workbook(chromium, server,
                                                                   data_dir, tmp_path):
    page = new_page(chromium, "tablet", [])
    page.goto(f"{server}?id=demo-2026-1119&stage=report")
    page.locator(".kit-signature-witness .kit-sign-name").fill("王见证")  # who draws, named
    canvas = page.locator(".kit-signature-witness canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for k in range(1, 12):  # a stroke across the pad, as a pen would draw it
        page.mouse.move(box["x"] + 20 + k * box["width"] / 14,
                        box["y"] + box["height"] / 2 + (-1) ** k * 18, steps=3)
    page.mouse.up()
    page.locator(".kit-signature-witness button.kit-sign-save").click()
    page.locator(".kit-signature-witness .kit-sign-kept img").wait_for()

    def kept() -> list[str]:
        ins = Store(data_dir=data_dir).load("demo-2026-1119").doc.get("attachments") or {}
        return [k for k, a in ins.items() if a["target"] == "signatures/witness"]

    assert wait_until(lambda: bool(kept()))
    (key,) = kept()
    row = {r[0]: r for r in evidence_rows(data_dir, tmp_path)}[key]
    assert row[1] == "手写签名"
    assert row[2].startswith("见证人")
    with Store(data_dir=data_dir) as store:
        a = store.load("demo-2026-1119").doc["attachments"][key]
        mime, png = store.blob(a["sha256"])
    assert mime == "image/png"
    import io

    from PIL import Image

    drawn = Image.open(io.BytesIO(png)).convert("RGBA")
    assert drawn.getbbox() is not None  # something was drawn, not an empty canvas
    page.close()
