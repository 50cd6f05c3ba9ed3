"""Fingers and room to work: every app, every stage, in a touch-enabled headless Chromium.

Every control a finger can hit is at least 44 x 44 px at 1024 x 768 (Apple's 44 pt, Material's
48 dp); once a record is open its chooser folds into a one-line bar, so the stage starts near
the top of a tablet and the first checklist row is on a phone's first screen; the stage tabs
are one line; nothing is wider than a 390 px phone (a table scrolls in its own box).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kit.guide import load_guide
from kit.interchange import demo_inspection
from kit.training import PARTS
from kit.widgets.app import STAGE_TABS
from kit.widgets.preparation import PreparationWidget
from tests.browser import PATIENCE_MS, served, wait_until, what_was_shown

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TABLET, PHONE = (1024, 768), (390, 844)
FINGER = 44  # px: the smallest hit box
DEMO = "demo-2026-1119"
ROOT = Path(__file__).resolve().parents[2]
#: what the pages said on the browser's console (errors)
CONSOLE: list[str] = []

#: what a finger can hit: every focusable or clickable element
TARGETS = ("button, select, input, textarea, a[href], [role=button], [tabindex], [role=tab], "
           "summary, .jupyter-widget-Collapse-header")
#: controls allowed under 44 x 44, by a CSS selector they match, each with why. None so far:
#: every control of the apps reaches 44 x 44 (a link inside a sentence would go here).
EXCEPTIONS: dict[str, str] = {}

#: each visible target's hit box (a checkbox or a radio button by the label that wraps it)
MEASURE = """([targets, exceptions, finger]) => {
  const seen = new Set(); const found = [];
  for (const el of document.querySelectorAll(targets)) {
    let box = el;
    if (el.matches('input[type=checkbox], input[type=radio]') && el.closest('label'))
      box = el.closest('label');
    if (seen.has(box) || box.closest('[hidden]')) continue;
    seen.add(box);
    const style = getComputedStyle(box);
    const r = box.getBoundingClientRect();
    if (style.display === 'none' || style.visibility === 'hidden' || r.width * r.height === 0)
      continue;
    if (exceptions.some((s) => box.matches(s))) continue;
    if (r.width + 0.5 < finger || r.height + 0.5 < finger) {
      const text = (box.innerText || box.value || box.placeholder || box.title || '').trim();
      found.push(`${box.tagName.toLowerCase()} "${text.slice(0, 40)}" ` +
                 `.${[...box.classList].join('.')} ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return found;
}"""

#: how wide the page is: the document, and every box that scrolls the whole page (as wide and
#: about as tall as the screen: a row of tabs that scrolls sideways in its own strip is no page)
PAGE_WIDTH = """() => {
  let widest = document.documentElement.scrollWidth;
  for (const el of document.querySelectorAll('body, body *')) {
    const style = getComputedStyle(el);
    if (el.clientWidth >= innerWidth - 40 && el.clientHeight >= innerHeight / 2 &&
        ['auto', 'scroll'].includes(style.overflowX))
      widest = Math.max(widest, el.scrollWidth + el.getBoundingClientRect().left);
  }
  return widest;
}"""

#: a snapshot of what the page shows: settled when it stops changing
SHAPE = """() => {
  const app = document.querySelector('.kit-touch') || document.body;
  return `${document.querySelectorAll('.jupyter-widgets, .kit-choice').length} ` +
         `${Math.round(app.getBoundingClientRect().height)}`;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The three apps on the demo, their kernels running this checkout's kit (whatever an
    editable install elsewhere points at)."""
    data = tmp_path_factory.mktemp("fingers-data")
    logs = tmp_path_factory.mktemp("logs")
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", path)
        with served(["--demo", "--user", "手指测试"], data, logs / "app.log") as app, \
                served(["--app", "training"], data, logs / "training.log") as training, \
                served(["--app", "analytics"], data, logs / "analytics.log") as analytics:
            yield {"app": app, "training": training, "analytics": analytics}


def touch_page(browser: Any, size: tuple[int, int]) -> Any:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  has_touch=True, is_mobile=False, locale="zh-CN")
    context.add_init_script("localStorage.setItem('kit-user', '手指测试')")
    page = context.new_page()
    page.set_default_timeout(PATIENCE_MS)
    page.on("console", lambda m: CONSOLE.append(f"{m.type}: {m.text}"[:300])
            if m.type == "error" else None)
    return page


def settle(page: Any) -> None:
    """Wait until the page stops changing (the kernel has sent what it builds)."""
    last: list[str] = []

    def still() -> bool:
        last.append(page.evaluate(SHAPE))
        return len(last) >= 4 and len(set(last[-4:])) == 1

    assert wait_until(still), "the page kept changing"


def small_targets(page: Any, where: str) -> list[str]:
    settle(page)
    return [f"{where}: {t}" for t in page.evaluate(MEASURE, [TARGETS, list(EXCEPTIONS), FINGER])]


def scroller_top(page: Any, top: int) -> None:
    """Scroll the page's own scroller (Voila's page does not scroll the document)."""
    page.evaluate("""(top) => { for (const el of document.querySelectorAll('body *'))
      if (el.scrollHeight > el.clientHeight + 2 && el.clientHeight > innerHeight * 0.6 &&
          ['auto', 'scroll'].includes(getComputedStyle(el).overflowY)) el.scrollTop = top; }""",
                  top)


def show_stage(page: Any, key: str, title: str) -> None:
    """Tap a stage's tab and wait for the stage.

    Twice in many CI runs on a loaded machine the stage did not come: the tab was current, no
    message, for three minutes. These tests are about the size of what is shown, not about
    tabs (the tabs have tests of their own), so should it happen, what the page and the server
    showed is reported as a warning (it is in CI's summary), and the stage is opened as an
    inspector would then: by loading the page at that stage."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    tab = page.locator(".kit-stages .lm-TabBar-tab", has_text=title)
    tab.click()
    try:
        page.locator(f".kit-{key}").wait_for(timeout=PATIENCE_MS // 2)
        return
    except PlaywrightTimeout:  # reported below, then opened by the address
        warnings.warn(f"stage {key} not shown after a tap: {what_was_shown(page)}; "
                      f"the browser's console: {CONSOLE[-20:]}", stacklevel=2)
    page.goto(f"{page.url.split('?')[0]}?id={DEMO}&stage={key}")
    page.locator(f".kit-{key}").wait_for()


# -- walking through every stage of every app -----------------------------------------------------
def inspector_views(page: Any, url: str) -> Iterator[str]:
    """Open the demo in the inspector's app and show each stage in turn, each panel of the
    preparation, each checklist section, the sample drawn, the chooser unfolded; yield what
    is shown each time."""
    page.goto(f"{url}?id={DEMO}&stage=preparation")
    page.locator(".kit-preparation").wait_for()
    for key, title in STAGE_TABS:
        show_stage(page, key, title)
        if key == "preparation":
            for i, (name, _build) in enumerate(PreparationWidget.PANELS):
                page.locator(".kit-preparation .jupyter-widget-Collapse-header",
                             has_text=name).click()
                opened = page.locator(".kit-preparation .jupyter-widget-Collapse-contents"
                                      ":not(.lm-mod-hidden)")
                opened.locator(".kit-field").first.wait_for()
                yield f"检查前准备 panel {i + 1}"
        elif key == "checklist":
            for i, section in enumerate(demo_inspection().scope.sections):
                page.locator(".kit-section-chooser select").select_option(index=i)
                page.locator(f".kit-section-{section.replace('.', '_')} .kit-row").first.wait_for()
                yield f"检查内容 {load_guide().section(section).label}"
        elif key == "sampling":
            yield title
            if not page.locator(".kit-sampling-output table").count():
                page.locator(".kit-use-sample input").check()
                page.locator("button.kit-run-sampling").click()
            page.locator(".kit-sampling-output table").first.wait_for()
            yield f"{title} drawn"
        elif key == "report":
            page.locator("button.kit-show-audit").click()
            page.locator(".kit-audit table").wait_for()
            yield title
        else:
            yield title
    page.locator("button.kit-change-record").click()
    page.locator(".kit-chooser-panel .kit-chooser").wait_for()
    yield "chooser unfolded"


def training_views(page: Any, url: str) -> Iterator[str]:
    page.goto(url)
    page.locator(".kit-training .kit-exercise").first.wait_for()
    yield "training"
    page.locator(".kit-training .kit-search input").fill("记录")
    page.locator(".kit-training .kit-search input").press("Enter")
    page.locator(".kit-search-hits select").wait_for()
    exercise = page.locator(".kit-exercise").first
    exercise.locator(".kit-options .widget-radio-box label").first.click()
    exercise.locator("button.kit-submit").click()
    exercise.locator(".kit-feedback div").first.wait_for()
    page.locator("button.kit-class-view").click()
    page.locator(".kit-class-area h3").wait_for()
    yield "training: searched, answered, class view"
    page.locator(".kit-part select").select_option(index=PARTS.index("7"))
    page.locator(".kit-guide-text summary").first.wait_for()
    yield "training: part 7"


def analytics_views(page: Any, url: str) -> Iterator[str]:
    page.goto(url)
    page.locator("a.kit-download", has_text="下载年度计划").wait_for()
    yield "analytics"


def every_view(page: Any, server: dict[str, str]) -> Iterator[str]:
    yield from inspector_views(page, server["app"])
    yield from training_views(page, server["training"])
    yield from analytics_views(page, server["analytics"])


# -- the tests ----------------------------------------------------------------------------------
def test_every_control_is_big_enough_for_a_finger(browser, server):
    page = touch_page(browser, TABLET)
    small: list[str] = []
    for where in every_view(page, server):
        small += small_targets(page, where)
    page.context.close()
    assert not small, f"{len(small)} controls under {FINGER}x{FINGER} px:\n" + "\n".join(small)


def test_nothing_is_wider_than_a_phone(browser, server):
    page = touch_page(browser, PHONE)
    wide: list[str] = []
    for where in every_view(page, server):
        settle(page)
        width = page.evaluate(PAGE_WIDTH)
        if width > PHONE[0] + 1:
            wide.append(f"{where}: {width} px")
    page.context.close()
    assert not wide, "wider than a 390 px screen:\n" + "\n".join(wide)


def test_the_header_folds_away_on_a_tablet(browser, server):
    page = touch_page(browser, TABLET)
    page.goto(f"{server['app']}?id={DEMO}&stage=checklist&section=7.8")
    page.locator(".kit-item-7_8_m8 .kit-row-results").wait_for()
    settle(page)
    assert page.locator(".kit-chooser-panel").is_hidden()  # folded: a record is open
    bar = page.locator(".kit-bar").bounding_box()
    assert bar is not None
    assert bar["height"] <= 60  # one line
    assert "北京示例医疗科技有限公司" in page.locator(".kit-bar").inner_text()
    tabs = page.locator(".kit-stages > .lm-TabBar").bounding_box()
    assert tabs is not None
    assert tabs["y"] + tabs["height"] <= 0.15 * TABLET[1], tabs  # the stage starts there
    tops = {round(b["y"]) for b in (t.bounding_box() for t in
                                    page.locator(".kit-stages .lm-TabBar-tab").all()) if b}
    assert max(tops) - min(tops) <= 4, tops  # the tabs are one line (the current one 1 px off)
    # scrolled down, what stays in view (tabs, section bar) is still at most 15 %
    page.locator(".kit-item-7_8_m8").scroll_into_view_if_needed()
    nav = page.locator(".kit-checklist-nav").bounding_box()
    assert nav is not None
    assert nav["y"] + nav["height"] <= 0.15 * TABLET[1], nav
    # the chooser unfolds on demand, and folds again
    scroller_top(page, 0)
    page.locator("button.kit-change-record").click()
    page.locator(".kit-chooser-panel .kit-chooser select").wait_for()
    assert page.locator(".kit-chooser-panel button.kit-new").is_visible()
    page.locator("button.kit-change-record").click()
    page.locator(".kit-chooser-panel").wait_for(state="hidden")
    page.context.close()


def test_the_first_checklist_row_is_on_a_phones_first_screen(browser, server):
    page = touch_page(browser, PHONE)
    page.goto(f"{server['app']}?id={DEMO}&stage=checklist&section=7.1")
    page.locator(".kit-item-7_1_c1 .kit-row-results").wait_for()
    settle(page)
    row = page.locator(".kit-row").first.bounding_box()
    assert row is not None
    assert row["y"] + row["height"] <= PHONE[1], row  # its text and its results
    tops = {round(b["y"]) for b in (t.bounding_box() for t in
                                    page.locator(".kit-stages .lm-TabBar-tab").all()) if b}
    assert max(tops) - min(tops) <= 4, tops  # one line, scrolling sideways
    assert page.evaluate(PAGE_WIDTH) <= PHONE[0] + 1
    page.context.close()


@pytest.mark.parametrize("size", [(1366, 768), PHONE], ids=["desktop", "phone"])
def test_the_analytics_page_shows_its_tables_and_no_widget_error(browser, server, size):
    """Its progress while reading used to be a widget closed when done: the page then said
    "Error displaying widget: model not found" above the first table."""
    page = touch_page(browser, size)
    for _ in analytics_views(page, server["analytics"]):
        settle(page)
    text = page.locator("body").inner_text()
    assert "Error displaying widget" not in text
    assert "model not found" not in text
    assert "Loading widget" not in text
    assert page.locator("table").count() >= 3
    page.context.close()
