"""Issue 25 on a tablet, in a real headless Chromium: an inspector records a suspension's safety
warning and grades the finding, then confirms the verdict the office's scheme proposes; both
screens fit a desktop, a tablet and a phone (screenshots kept beside the test's files)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from kit.door import Door, Identity
from kit.record import Member, new_inspection
from kit.session import Session
from kit.store import Store
from tests.browser import PATIENCE_MS, served, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SIZES = {"desktop": (1366, 768), "tablet": (1024, 768), "phone": (390, 844)}
F1 = ".kit-field-findings--F1--"


def office_templates(folder: Path) -> Path:
    """The office's templates with the NMPA 2015 grading scheme chosen."""
    shutil.copytree(REPO / "templates", folder)
    grading = folder / "grading.yaml"
    data = yaml.safe_load(grading.read_text(encoding="utf-8"))
    data["scheme"] = "nmpa2015"
    grading.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    return folder


def suspension_record(data_dir: Path) -> str:
    ins = replace(new_inspection(start_date=date(2026, 11, 19)),
                  team={"M1": Member("张明", "leader"), "M2": Member("李华", "inspector")})
    with Door.connect(data_dir=str(data_dir), identity=Identity("张明")) as door:
        session = Session.create(door, ins)
        session.set_many({"company/name": "北京示例医疗科技有限公司", "findings/F1": {
            "item": "7.9.c1", "handling": "suspend_and_warn",
            "description": "批号S2608-03出厂检验拉伸力低于下限仍判定合格并放行。",
            "requirement": "暂停生产，召回该批产品。"}})
        return session.id


def screen(browser, size: tuple[int, int], *, touch: bool = False):
    """A page of the module's Chromium (the ``browser`` fixture) at ``size``, a tablet's
    touch screen if ``touch``."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, has_touch=touch)
    page.set_default_timeout(PATIENCE_MS)
    return page


def widest(page) -> float:
    return float(page.evaluate("""() => Math.max(...[...document.querySelectorAll('.kit-app *')]
      .filter((e) => !e.closest('.lm-TabBar-content'))
      .map((e) => e.getBoundingClientRect().right))"""))


def test_a_suspension_warning_and_the_verdict_on_a_tablet(browser, tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(office_templates(tmp_path / "templates")))
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    iid = suspension_record(data_dir)

    def doc() -> dict:
        with Store(data_dir=data_dir) as store:
            return store.load(iid).doc

    with served(["--user", "平板测试"], data_dir, tmp_path / "voila.log") as base:
        page = screen(browser, SIZES["tablet"])
        page.goto(f"{base}?id={iid}&stage=findings")
        page.locator(f"{F1}warning_on input").fill("2026-11-20")
        page.locator(f"{F1}warning_on input").press("Tab")
        page.locator(f"{F1}warning_channel input").fill("北京市药品监督管理局网站")
        page.locator(f"{F1}warning_text textarea").fill("暂停销售和使用批号S2608-03一次性使用无菌注射器")
        page.locator(f"{F1}grade select").select_option(label="一般项不符合 a general item not met")
        # what only the tablet shows: the controls a finger hits
        for control in (f"{F1}warning_on input", f"{F1}grade select"):
            box = page.locator(control).bounding_box()
            assert box is not None
            assert box["height"] >= 44, control

        def recorded() -> bool:
            f = doc()["findings"]["F1"]
            return (f.get("warning_on"), f.get("warning_channel"), f.get("warning_text"),
                    f.get("grade")) == ("2026-11-20", "北京市药品监督管理局网站",
                                        "暂停销售和使用批号S2608-03一次性使用无菌注射器", "general")

        assert wait_until(recorded)
        page.locator(".lm-TabBar-tab", has_text="文书跟踪").click()
        verdict = page.locator(".kit-verdict")
        verdict.locator(".kit-verdict-proposed", has_text="整改后复查").wait_for()
        verdict.locator("button.kit-verdict-confirm").scroll_into_view_if_needed()
        verdict.locator("button.kit-verdict-confirm").click()
        verdict.locator(".kit-verdict-current", has_text="平板测试").wait_for()

        def confirmed() -> bool:
            op = doc().get("opinion") or {}
            return (op.get("verdict"), op.get("scheme"), op.get("verdict_by")) == (
                "recheck", "nmpa2015", "平板测试") and bool(op.get("verdict_at"))

        assert wait_until(confirmed)
        # the suspension notice (暂停生产通知书) is where the notices are
        assert page.locator(".kit-notice-suspension").is_visible()
        page.close()

        for size, (width, height) in SIZES.items():
            page = screen(browser, (width, height))
            page.goto(f"{base}?id={iid}&stage=findings")
            warning = page.locator(".kit-outcome-warning").first
            warning.scroll_into_view_if_needed()
            assert page.locator(f"{F1}warning_text textarea").input_value().startswith("暂停销售")
            assert widest(page) <= width + 1, f"findings run off a {width}px screen"
            page.screenshot(path=str(tmp_path / f"warning-{size}.png"))
            page.goto(f"{base}?id={iid}&stage=report")
            panel = page.locator(".kit-verdict")
            panel.locator(".kit-verdict-current", has_text="整改后复查").wait_for()
            panel.scroll_into_view_if_needed()
            assert widest(page) <= width + 1, f"the record stage runs off a {width}px screen"
            page.screenshot(path=str(tmp_path / f"verdict-{size}.png"))
            page.close()


def test_a_verdicts_reason_typed_before_a_reload_is_there_after_it(browser, tmp_path,
                                                                   monkeypatch):
    """The other verdict and its reason are no field of the record until chosen: the page keeps
    them (per person and record) across a reload, the new kernel gets them as if typed, and once
    the verdict is chosen they are forgotten."""

    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(office_templates(tmp_path / "templates")))
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    iid = suspension_record(data_dir)
    reason = "企业已当场停产并召回，\n组长决定从严"
    kept_forms = "Object.keys(localStorage).filter((k) => k.startsWith('kit-form:')).length"

    def opinion() -> dict:
        with Store(data_dir=data_dir) as store:
            return store.load(iid).doc.get("opinion") or {}

    with served(["--user", "平板测试"], data_dir, tmp_path / "voila.log") as base:
        page = screen(browser, SIZES["tablet"], touch=True)
        page.goto(f"{base}?id={iid}&stage=report")
        panel = page.locator(".kit-verdict")
        panel.locator(".kit-verdict-other select").select_option(index=3)
        chosen = panel.locator(".kit-verdict-other select").input_value()
        panel.locator(".kit-verdict-reason textarea").fill(reason)
        page.reload()  # at once
        panel = page.locator(".kit-verdict")
        assert wait_until(lambda: panel.locator(".kit-verdict-reason textarea").input_value()
                          == reason)
        assert panel.locator(".kit-verdict-other select").input_value() == chosen
        assert opinion().get("verdict", "") == ""  # nothing given until chosen
        panel.locator("button.kit-verdict-choose").tap()
        # the new kernel had both: the verdict given with the reason typed before the reload
        assert wait_until(lambda: opinion().get("verdict_reason") == reason.strip())
        assert opinion()["verdict_by"] == "平板测试"
        assert wait_until(lambda: page.evaluate(kept_forms) == 0)  # done: forgotten
        page.reload()
        panel = page.locator(".kit-verdict")
        panel.locator(".kit-verdict-current", has_text="平板测试").wait_for()
        page.wait_for_timeout(2500)  # two of the page's checks: nothing comes back
        assert panel.locator(".kit-verdict-reason textarea").input_value() == ""
        page.close()


def test_the_now_button_times_a_correction_in_beijing_time_with_one_tap(browser, tmp_path):
    """On the floor the inspector taps 现在 instead of typing: the field shows now, Beijing
    time, to the minute, and the record holds it, saved as if typed."""
    from datetime import datetime

    from kit.dates import beijing_now

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    ins = replace(new_inspection(start_date=date(2026, 11, 19)),
                  team={"M1": Member("张明", "leader"), "M2": Member("李华", "inspector")})
    with Door.connect(data_dir=str(data_dir), identity=Identity("张明")) as door:
        session = Session.create(door, ins)
        session.set_many({"company/name": "北京示例医疗科技有限公司", "findings/F1": {
            "item": "7.2.c1", "handling": "correct_on_site", "description": "组织机构图未更新。"}})
        iid = session.id

    def corrected_at() -> str:
        with Store(data_dir=data_dir) as store:
            return str(store.load(iid).doc["findings"]["F1"].get("corrected_at") or "")

    with served(["--user", "平板测试"], data_dir, tmp_path / "voila.log") as base:
        page = screen(browser, SIZES["tablet"], touch=True)
        page.goto(f"{base}?id={iid}&stage=findings")
        before = beijing_now().replace(second=0, microsecond=0)
        page.locator("button.kit-now").tap()
        assert wait_until(lambda: corrected_at() != "")
        at = datetime.fromisoformat(corrected_at())
        assert before <= at <= beijing_now()
        assert page.locator(f"{F1}corrected_at input").input_value() == f"{at:%Y-%m-%d %H:%M}"
        page.screenshot(path=str(tmp_path / "now-tablet.png"))
        page.close()
