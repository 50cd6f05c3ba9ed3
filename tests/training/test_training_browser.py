"""The training app served by ``kit serve --app training``, in a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kit.training import exercises
from tests.browser import served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOAD_TIMEOUT = 90_000  # ms: a kernel starts and runs the notebook


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("training-data")
    log = tmp_path_factory.mktemp("logs") / "voila-training.log"
    with served(["--app", "training"], data_dir, log) as base:
        yield base






def test_answer_an_exercise_and_see_the_feedback_citing_the_guide(page, server):
    exercise = exercises("8", seed=1)[0]  # the link gives every trainee the same set
    page.goto(f"{server}?part=8&seed=1")
    page.locator(".kit-training").wait_for(state="visible", timeout=LOAD_TIMEOUT)
    first = page.locator(".kit-exercise").first
    first.locator(".kit-question", has_text=exercise.question.zh[:12]).wait_for()
    first.get_by_text(exercise.option(exercise.answer).label.zh, exact=True).click()
    first.locator("button.kit-submit").click()
    feedback = first.locator(".kit-feedback")
    feedback.get_by_text("✔ 正确", exact=False).wait_for()
    assert "依据 八、4.（1）［8.4.1］" in feedback.inner_text()
    page.locator(".kit-score", has_text="得分 1/1").wait_for()

    page.locator(".kit-language").get_by_role("button", name="English").click()
    first.locator(".kit-question", has_text=exercise.question.en[:20]).wait_for()
    assert "Correct" in feedback.inner_text()


def test_a_reload_brings_back_the_trainees_set_answers_and_score(page, server):
    exercise = exercises("9", seed=4)[0]
    page.goto(f"{server}?part=9&seed=4")
    page.locator(".kit-training").wait_for(state="visible", timeout=LOAD_TIMEOUT)
    name = page.locator(".kit-trainee input")
    name.fill("周六")
    name.press("Enter")
    page.locator(".kit-kept", has_text="作答已保存（周六）").wait_for()
    first = page.locator(".kit-exercise").first
    first.get_by_text(exercise.option(exercise.answer).label.zh, exact=True).click()
    first.locator("button.kit-submit").click()
    page.locator(".kit-score", has_text="得分 1/1").wait_for()

    page.goto(f"{server}?part=9")  # a new page, no set in the link: theirs comes back
    page.locator(".kit-training").wait_for(state="visible", timeout=LOAD_TIMEOUT)
    page.locator(".kit-score", has_text="得分 1/1").wait_for()
    assert page.locator(".kit-trainee input").input_value() == "周六"
    again = page.locator(".kit-exercise").first
    again.locator(".kit-question", has_text=exercise.question.zh[:12]).wait_for()
    assert "✔ 正确" in again.locator(".kit-feedback").inner_text()
